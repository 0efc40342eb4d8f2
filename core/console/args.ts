// Checks of the arguments an operation receives (plain JSON from the renderer): each either
// returns the value in the type the operation needs or throws a ConsoleError naming the field.
// Offsets travel as decimal text (int64 does not fit a JSON number); positions (earliest, latest,
// an offset, a timestamp, the last N) are shared by tail starts and group offset resets.
import type { ResetTarget, StartPosition } from './bridge.ts';
import { ConsoleError } from './errors.ts';

export type Args = Record<string, unknown>;

export function asArgs(v: unknown): Args {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConsoleError('arguments must be an object');
  return v as Args;
}

export function str(a: Args, name: string): string {
  const v = a[name];
  if (typeof v !== 'string') throw new ConsoleError(`${name} must be a string`, name);
  return v;
}

export function optStr(a: Args, name: string): string | undefined {
  return a[name] === undefined || a[name] === null ? undefined : str(a, name);
}

export function optInt(a: Args, name: string, min: number, max = 2 ** 31 - 1): number | undefined {
  const v = a[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConsoleError(`${name} must be a whole number from ${min} to ${max}`, name);
  }
  return n;
}

export function offsetText(v: unknown, name: string): bigint {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^\d+$/.test(s.trim()))
    throw new ConsoleError(`${name} must be an offset (a whole number ≥ 0)`, name);
  return BigInt(s.trim());
}

/** earliest, latest, an offset or a timestamp (the positions a tail start and a group reset share); undefined for anything else. */
function commonPosition(a: Record<string, unknown>): ResetTarget | undefined {
  switch (a.kind) {
    case 'earliest':
    case 'latest':
      return { kind: a.kind };
    case 'offset':
      return { kind: 'offset', offset: offsetText(a.offset, 'offset').toString() };
    case 'timestamp': {
      const t = a.timestamp;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw new ConsoleError('timestamp must be milliseconds since the epoch', 'timestamp');
      return { kind: 'timestamp', timestamp: Math.floor(t) };
    }
    default:
      return undefined;
  }
}

export function startPosition(v: unknown): StartPosition {
  const a = asArgs(v);
  if (a.kind === 'lastN') return { kind: 'lastN', n: optInt(a, 'n', 1, 1_000_000) ?? 100 };
  const p = commonPosition(a);
  if (!p) throw new ConsoleError('start must be earliest, latest, offset, timestamp or lastN', 'start');
  return p;
}

export function resetTarget(v: unknown): ResetTarget {
  const p = commonPosition(asArgs(v));
  if (!p) throw new ConsoleError('reset to earliest, latest, a timestamp or an offset', 'to');
  return p;
}
