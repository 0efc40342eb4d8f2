// Parsing of Kafka's JSON message schemas: comment stripping, version ranges,
// field naming.

/** An inclusive version range; `hi` may be Infinity ("N+"). Empty when lo > hi. */
export interface Range {
  readonly lo: number;
  readonly hi: number;
}

export const EMPTY: Range = { lo: 1, hi: 0 };
export const ALL: Range = { lo: 0, hi: Infinity };

export interface FieldSchema {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  fields?: FieldSchema[];
}

export interface StructSchema {
  name: string;
  versions?: string;
  fields: FieldSchema[];
}

export interface MessageSchema {
  fileName: string;
  apiKey?: number;
  type: 'request' | 'response' | 'data' | 'header';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  latestVersionUnstable?: boolean;
  fields: FieldSchema[];
  commonStructs?: StructSchema[];
}

/** Removes `//` line comments outside of string literals. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[++i] ?? '';
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

export function parseSchema(text: string, fileName: string): MessageSchema {
  const s = JSON.parse(stripComments(text)) as MessageSchema;
  s.fileName = fileName;
  return s;
}

/** Parses "0+", "3-7", "5", "none" (or a missing value = "none"). */
export function parseRange(s: string | undefined): Range {
  if (s === undefined || s === 'none' || s === '') return EMPTY;
  const t = s.trim();
  if (t.endsWith('+')) return { lo: Number(t.slice(0, -1)), hi: Infinity };
  const dash = t.indexOf('-');
  if (dash >= 0) return { lo: Number(t.slice(0, dash)), hi: Number(t.slice(dash + 1)) };
  const n = Number(t);
  return { lo: n, hi: n };
}

export function isEmpty(r: Range): boolean {
  return r.lo > r.hi;
}

export function intersect(a: Range, b: Range): Range {
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo > hi ? EMPTY : { lo, hi };
}

/** The smallest range containing both. */
export function hull(a: Range, b: Range): Range {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

export function sameRange(a: Range, b: Range): boolean {
  return (isEmpty(a) && isEmpty(b)) || (a.lo === b.lo && a.hi === b.hi);
}

/**
 * A TypeScript condition that is true exactly for versions in `r`, given that
 * the version is already known to lie in `ctx`: 'true', 'false' or an
 * expression on `version`.
 */
export function versionCond(r: Range, ctx: Range): string {
  const i = intersect(r, ctx);
  if (isEmpty(i)) return 'false';
  const parts: string[] = [];
  if (i.lo > ctx.lo) parts.push(`version >= ${i.lo}`);
  if (i.hi < ctx.hi) parts.push(`version <= ${i.hi}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

/**
 * JSON field name → property name: lowercase the leading run of capitals,
 * keeping the last capital of the run when a lowercase letter follows it
 * (`TopicData` → `topicData`, `SASLAuthBytes` → `saslAuthBytes`, `V3AndBelow` → `v3AndBelow`).
 */
export function camelCase(name: string): string {
  const m = /^[A-Z]+/.exec(name);
  if (!m) return name;
  const run = m[0];
  if (run.length === name.length) return name.toLowerCase();
  const next = name[run.length]!;
  if (run.length > 1 && /[a-z]/.test(next)) {
    return run.slice(0, -1).toLowerCase() + run.slice(-1) + name.slice(run.length);
  }
  return run.toLowerCase() + name.slice(run.length);
}

/** `DescribeUserScramCredentials` → `describe-user-scram-credentials`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}
