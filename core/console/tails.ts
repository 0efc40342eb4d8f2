// Record tails: live reads of a topic's partitions without a consumer group (the partition reader
// fetches from each leader), pushed to the caller's Session in capped batches. A tail starts at
// earliest, latest, an offset, a timestamp or the last N records of each partition (clamped to
// the partition's start and end), and can be paused, resumed, moved (a seek asked for during a
// fetch wins over that fetch's records) and cancelled. A failed fetch is reported as an event and
// retried with backoff; the tail goes on.
import type { Consumer } from '@platformatic/kafka';
import { PartitionReader, type ConsumedRecord } from '../client/partition-reader.ts';
import { optInt, startPosition, str, type Args } from './args.ts';
import type { StartPosition, TailArgs, TailOpened } from './bridge.ts';
import type { ConsoleContext, HandlerTable } from './context.ts';
import { toRecordView } from './convert.ts';
import { ConsoleError, isUnknownTopic } from './errors.ts';
import type { Session, Stream } from './streams.ts';

/** Most records one event carries (`maxPerPush`). */
export const MAX_PER_PUSH = 2000;
const DEFAULT_PER_PUSH = 500;
/** How long one fetch waits for new records. */
const POLL_WAIT_MS = 250;

type Positions = Record<number, string>;

class Tail implements Stream {
  readonly id: string;
  readonly topic: string;
  readonly partitions: number[];
  readonly session: Session;
  readonly #ctx: ConsoleContext;
  readonly #consumer: Consumer;
  readonly #reader: PartitionReader;
  readonly #maxPerPush: number;
  paused = false;
  #cancelled = false;
  #pendingSeek: { start: StartPosition; done: (r: { positions: Positions } | Error) => void } | null = null;
  #wake: (() => void) | null = null;
  #finished: Promise<void> = Promise.resolve();

  constructor(
    ctx: ConsoleContext,
    id: string,
    topic: string,
    partitions: number[],
    consumer: Consumer,
    maxPerPush: number,
    session: Session,
  ) {
    this.#ctx = ctx;
    this.id = id;
    this.topic = topic;
    this.partitions = partitions;
    this.#consumer = consumer;
    this.#reader = new PartitionReader(consumer, topic);
    this.#maxPerPush = maxPerPush;
    this.session = session;
  }

  /** Registers the tail and starts its fetch loop. */
  start(): void {
    this.#ctx.streams.add(this.id, this);
    this.#finished = this.#run();
  }

  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Asks the fetch loop to move to `start`; resolves with the new positions once it has. */
  seekLater(start: StartPosition): Promise<{ positions: Positions }> {
    return new Promise((resolve, reject) => {
      this.#pendingSeek?.done(new ConsoleError('replaced by a newer seek'));
      this.#pendingSeek = { start, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) };
      this.wake();
    });
  }

  async seek(start: StartPosition): Promise<Positions> {
    const ctx = this.#ctx;
    const ps = this.partitions;
    let target: Map<number, bigint>;
    if (start.kind === 'earliest') target = await ctx.offsetsAt(this.topic, ps, -2n);
    else if (start.kind === 'latest') target = await ctx.offsetsAt(this.topic, ps, -1n);
    else {
      const [lo, hi] = await Promise.all([ctx.offsetsAt(this.topic, ps, -2n), ctx.offsetsAt(this.topic, ps, -1n)]);
      target = new Map();
      const at = start.kind === 'timestamp' ? await ctx.offsetsAt(this.topic, ps, BigInt(start.timestamp)) : undefined;
      for (const p of ps) {
        const l = lo.get(p) ?? 0n,
          h = hi.get(p) ?? 0n;
        let o: bigint;
        if (start.kind === 'offset') o = BigInt(start.offset);
        else if (start.kind === 'lastN') o = h - BigInt(start.n);
        else {
          const t = at?.get(p) ?? -1n;
          o = t < 0n ? h : t;
        }
        target.set(p, o < l ? l : o > h ? h : o);
      }
    }
    const out: Positions = {};
    for (const p of ps) {
      const o = target.get(p) ?? 0n;
      await this.#reader.seek([p], o);
      out[p] = o.toString();
    }
    return out;
  }

  async #run(): Promise<void> {
    const session = this.session;
    let failures = 0;
    while (!this.#cancelled) {
      if (this.#pendingSeek) {
        const { start, done } = this.#pendingSeek;
        this.#pendingSeek = null;
        try {
          const positions = await this.seek(start);
          await session.emit(this.id, { type: 'seeked', positions });
          done({ positions });
        } catch (e) {
          done(new ConsoleError(this.#ctx.failure(e).message, 'start'));
        }
        continue;
      }
      if (this.paused) {
        await this.#sleep(60_000);
        continue;
      }
      let records: ConsumedRecord[];
      try {
        records = await this.#reader.poll(POLL_WAIT_MS);
        failures = 0;
      } catch (e) {
        if (this.#cancelled) break;
        failures++;
        await session.emit(this.id, { type: 'error', message: this.#ctx.failure(e).message }).catch(() => undefined);
        await this.#sleep(Math.min(5000, 250 * 2 ** Math.min(failures, 5)));
        continue;
      }
      // Paused while this fetch was under way: hold its records until resumed.
      while (this.paused && !this.#cancelled && !this.#pendingSeek) await this.#sleep(60_000);
      // A seek asked for while this fetch was under way wins: its records are from the old position.
      if (this.#cancelled || this.#pendingSeek) continue;
      for (let i = 0; i < records.length && !this.#cancelled && !this.#pendingSeek; i += this.#maxPerPush) {
        await session.emit(this.id, {
          type: 'records',
          records: records.slice(i, i + this.#maxPerPush).map(toRecordView),
        });
      }
    }
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#pendingSeek?.done(new ConsoleError('the tail was cancelled'));
    this.#pendingSeek = null;
    this.wake();
    const registered = this.#ctx.streams.get(this.id) === this;
    this.#ctx.streams.delete(this.id);
    await this.#finished.catch(() => undefined);
    await this.#consumer.close().catch(() => undefined);
    if (registered) await this.session.emit(this.id, { type: 'closed' }).catch(() => undefined);
  }
}

/** Opens a record tail: checks the topic and partitions, seeks to the start, then pushes records until cancelled. */
export async function openRecordTail(ctx: ConsoleContext, a: Args, session: Session): Promise<TailOpened> {
  const args: TailArgs = { topic: str(a, 'topic'), start: startPosition(a.start) };
  if (args.topic === '') throw new ConsoleError('Pick a topic to tail.', 'topic');
  const maxPerPush = optInt(a, 'maxPerPush', 1, MAX_PER_PUSH) ?? DEFAULT_PER_PUSH;
  const wanted = a.partitions === undefined || a.partitions === null ? [] : a.partitions;
  if (!Array.isArray(wanted) || wanted.some((p) => !Number.isInteger(p) || (p as number) < 0))
    throw new ConsoleError('partitions must be a list of partition numbers', 'partitions');
  const consumer = ctx.newConsumer();
  const id = ctx.streams.nextId('tail');
  try {
    const reader = new PartitionReader(consumer, args.topic);
    const all = await reader.partitions().catch((e: unknown) => {
      if (isUnknownTopic(e) || /does not exist/.test((e as Error).message))
        throw new ConsoleError(`Topic '${args.topic}' does not exist.`, 'topic', 'UNKNOWN_TOPIC_OR_PARTITION');
      throw e;
    });
    const missing = (wanted as number[]).filter((p) => !all.includes(p));
    if (missing.length > 0)
      throw new ConsoleError(`Topic '${args.topic}' has no partition ${missing.join(', ')}.`, 'partitions');
    const partitions = wanted.length > 0 ? [...(wanted as number[])].sort((x, y) => x - y) : all.sort((x, y) => x - y);
    const tail = new Tail(ctx, id, args.topic, partitions, consumer, maxPerPush, session);
    const positions = await tail.seek(args.start);
    tail.start();
    return { subscription: id, partitions, positions };
  } catch (e) {
    await consumer.close().catch(() => undefined);
    throw e;
  }
}

/** Pause, resume, seek (record tails) and cancel (any stream) for the session that opened them. */
export function tailOperations(ctx: ConsoleContext) {
  const tailOf = (a: Args, session: Session): Tail => {
    const id = str(a, 'subscription');
    const stream = ctx.streams.get(id);
    if (!(stream instanceof Tail) || stream.session !== session)
      throw new ConsoleError(`no tail with subscription "${id}"`);
    return stream;
  };
  return {
    tailPause: async (a, s) => {
      const t = tailOf(a, s);
      if (!t.paused) {
        t.paused = true;
        await s.emit(t.id, { type: 'paused' });
      }
      return { ok: true };
    },
    tailResume: async (a, s) => {
      const t = tailOf(a, s);
      if (t.paused) {
        t.paused = false;
        t.wake();
        await s.emit(t.id, { type: 'resumed' });
      }
      return { ok: true };
    },
    tailSeek: async (a, s) => {
      const t = tailOf(a, s);
      const start = startPosition(a.start);
      return t.seekLater(start);
    },
    tailCancel: async (a, s) => {
      const id = str(a, 'subscription');
      const stream = ctx.streams.get(id);
      if (!stream || stream.session !== s) throw new ConsoleError(`no stream with subscription "${id}"`);
      await stream.cancel();
      return { ok: true };
    },
  } satisfies Partial<HandlerTable>;
}
