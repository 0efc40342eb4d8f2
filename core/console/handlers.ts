// The Bridge's method table, shared by every transport (the web host's WebSocket, Electron IPC):
// method name → argument check → console-service call, with failures turned into BridgeErrorInfo.
// The method list is the service's own handler table (typed to cover every Bridge operation) plus
// the stream opener, so an operation added to the Bridge and the service reaches both transports
// without touching them. Streams: `openTail` starts one whose events go to the caller's Session;
// `tailCancel` (an ordinary operation) ends it; closing the Session ends all of its streams.
import type { BridgeErrorInfo } from './bridge.ts';
import { ConsoleError, type ConsoleService, type Session } from './service.ts';

/** The method that opens a stream (a tail). */
export const STREAM_METHOD = 'openTail';

/** What a call returns over any transport: its result, or an error the renderer can show. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: BridgeErrorInfo };

export interface BridgeHandlers {
  /** Every method a transport serves: the Bridge's operations and `openTail`. */
  readonly methods: readonly string[];
  has(method: unknown): method is string;
  /** Runs one call. Never rejects: failures come back as `{ ok: false, error }`. */
  dispatch(method: string, args: unknown, session: Session): Promise<Outcome>;
  /** The caller went away: cancels its streams. */
  closeSession(session: Session): Promise<void>;
}

/** Deepest nesting and most values accepted in one call's arguments. */
const MAX_DEPTH = 16;
const MAX_VALUES = 100_000;

/**
 * Arguments must be plain JSON data (what the WebSocket carries anyway): IPC's structured clone
 * could also deliver Maps, Dates, typed arrays or cycles, which no operation expects.
 */
export function argumentsProblem(args: unknown): string | undefined {
  if (args === undefined || args === null) return undefined;
  if (typeof args !== 'object' || Array.isArray(args)) return 'arguments must be an object';
  let values = 0;
  const check = (v: unknown, depth: number): string | undefined => {
    if (++values > MAX_VALUES) return 'arguments are too large';
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : 'arguments must be finite numbers';
    if (typeof v !== 'object') return `arguments must be JSON data, not ${typeof v}`;
    if (depth >= MAX_DEPTH) return 'arguments are nested too deeply';
    if (Array.isArray(v)) {
      for (const item of v) {
        const p = check(item, depth + 1);
        if (p) return p;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return 'arguments must be JSON data';
    for (const item of Object.values(v)) {
      const p = check(item, depth + 1);
      if (p) return p;
    }
    return undefined;
  };
  return check(args, 0);
}

/** Any failure as it crosses a transport. */
export function toErrorInfo(e: unknown): BridgeErrorInfo {
  const err = e instanceof ConsoleError ? e : new ConsoleError((e as Error)?.message ?? String(e));
  return {
    message: err.message,
    ...(err.field ? { field: err.field } : {}),
    ...(err.kafkaError ? { kafkaError: err.kafkaError } : {}),
  };
}

/** The methods of the Bridge this service serves. */
export function bridgeMethods(service: ConsoleService): string[] {
  return [...Object.keys(service.handlers), STREAM_METHOD];
}

export function createBridgeHandlers(service: ConsoleService): BridgeHandlers {
  const methods = Object.freeze(bridgeMethods(service));
  const known = new Set<string>(methods);
  const has = (method: unknown): method is string => typeof method === 'string' && known.has(method);
  return {
    methods,
    has,
    async dispatch(method, args, session) {
      try {
        if (!has(method)) throw new ConsoleError(`unknown operation "${String(method)}"`);
        const problem = argumentsProblem(args);
        if (problem) throw new ConsoleError(problem);
        const result =
          method === STREAM_METHOD ? await service.openTail(args, session) : await service.call(method, args, session);
        return { ok: true, result };
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },
    closeSession: (session) => service.closeSession(session),
  };
}
