// The console service: every operation behind the Bridge, as one handler table (operation name →
// async function with validated arguments) put together from one module per resource —
// connections, cluster, topics, reassignments, messages, groups, tails — plus the streams (record
// tails and metrics samplers) as subscriptions the caller can pause, resume, seek and cancel. It
// reaches the cluster only through @platformatic/kafka, so the local broker and a remote Kafka
// cluster take the same path. It knows nothing of its transport: the WebSocket host and Electron
// IPC both call `call` / `openTail` (through handlers.ts) with a Session that carries events back.
import type { OperationName, TailOpened } from './bridge.ts';
import { asArgs } from './args.ts';
import { clusterOperations } from './cluster.ts';
import { connectionOperations } from './connections.ts';
import { ConsoleContext, type ConsoleServiceOptions, type Handler, type HandlerTable } from './context.ts';
import { ConsoleError } from './errors.ts';
import { groupOperations } from './groups.ts';
import { messageOperations } from './messages.ts';
import { openMetrics } from './metrics.ts';
import { reassignmentOperations } from './reassignments.ts';
import type { Session } from './streams.ts';
import { openRecordTail, tailOperations } from './tails.ts';
import { createTopicField, topicOperations } from './topics.ts';

export { ConsoleError } from './errors.ts';
export type { ConsoleServiceOptions } from './context.ts';
export type { Session } from './streams.ts';

export class ConsoleService {
  readonly #ctx: ConsoleContext;
  readonly handlers: HandlerTable;

  constructor(opts: ConsoleServiceOptions) {
    this.#ctx = new ConsoleContext(opts);
    const ctx = this.#ctx;
    this.handlers = {
      ...connectionOperations(ctx),
      ...clusterOperations(ctx),
      ...topicOperations(ctx),
      ...reassignmentOperations(ctx),
      ...messageOperations(ctx),
      ...groupOperations(ctx),
      ...tailOperations(ctx),
    };
  }

  get bootstrap(): string {
    return this.#ctx.bootstrap;
  }

  /** Runs one operation; failures come back as BridgeErrorInfo-shaped ConsoleErrors. */
  async call(op: string, rawArgs: unknown, session: Session): Promise<unknown> {
    const handler = (this.handlers as Record<string, Handler<OperationName> | undefined>)[op];
    if (!handler || !Object.hasOwn(this.handlers, op)) throw new ConsoleError(`unknown operation "${op}"`);
    try {
      return await handler(asArgs(rawArgs), session);
    } catch (e) {
      throw this.#ctx.failure(e, op === 'createTopic' ? createTopicField : undefined);
    }
  }

  /** Opens a stream: a record tail, or a metrics sampler when `stream` is 'metrics'. */
  async openTail(rawArgs: unknown, session: Session): Promise<TailOpened> {
    try {
      const a = asArgs(rawArgs);
      if (a.stream === 'metrics') return openMetrics(this.#ctx, a, session);
      if (a.stream !== undefined && a.stream !== 'records')
        throw new ConsoleError('stream must be records or metrics', 'stream');
      return await openRecordTail(this.#ctx, a, session);
    } catch (e) {
      throw this.#ctx.failure(e);
    }
  }

  /** Cancels every stream of a session (its transport went away). */
  async closeSession(session: Session): Promise<void> {
    await this.#ctx.streams.closeSession(session);
  }

  /** Open streams (tails and metrics samplers) of every session. */
  get tailCount(): number {
    return this.#ctx.streams.size;
  }

  async close(): Promise<void> {
    await this.#ctx.close();
  }
}
