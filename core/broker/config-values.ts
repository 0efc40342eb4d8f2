// Kafka's parsing and checking of one config value, with Kafka's messages: ConfigDef.parseType
// (Java's number and boolean syntax, values trimmed of whitespace and control characters, lists
// split at commas) and the validators of ConfigDef (Range, ValidString, CaseInsensitiveValidString,
// ValidList, ...) as config-defs.generated.ts describes them. Also the Java renderings Kafka's
// messages are made of (a double's toString, a List's, a HashSet's iteration order).
import type { ConfigDef, Validator } from './config-defs.ts';

/** What parseType makes of a value. */
export type Parsed = boolean | bigint | number | string | string[];

/** Java's String.trim: strips every character up to U+0020. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

/** Java's Double.toString (for the values Kafka prints in its messages). */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = n.toExponential().split('e') as [string, string];
  return `${mant.includes('.') ? mant : `${mant}.0`}E${Number(exp)}`;
}

/** A java.util.List's toString: "[a, b]". */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The order in which a java.util.HashSet (or HashMap) of these strings iterates: by bucket of the
 * spread String.hashCode, in insertion order within a bucket. Kafka's messages list config names
 * so ("Cannot update these configs dynamically: [...]"), and the first name it reports of
 * several comes first so.
 */
export function javaHashOrder(names: readonly string[]): string[] {
  let capacity = 16;
  while (names.length > capacity * 0.75) capacity *= 2;
  return names
    .map((name, i) => {
      const h = javaHash(name);
      return { name, i, bucket: (h ^ (h >>> 16)) & (capacity - 1) };
    })
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((x) => x.name);
}

const INTEGER = /^[+-]?\d+$/;
/** Java's Double.parseDouble, less hexadecimal floats. */
const DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;
const BITS = { short: 15n, int: 31n, long: 63n } as const;

function invalid(def: ConfigDef, value: string, why: string): string {
  return `Invalid value ${value} for configuration ${def.name}: ${why}`;
}

/** ConfigDef.parseType: the typed value, or Kafka's message. */
export function parseValue(def: ConfigDef, raw: string): { value: Parsed } | { error: string } {
  const v = javaTrim(raw);
  switch (def.type) {
    case 'boolean':
      if (/^true$/i.test(v)) return { value: true };
      if (/^false$/i.test(v)) return { value: false };
      return { error: invalid(def, raw, 'Expected value to be either true or false') };
    case 'short':
    case 'int':
    case 'long': {
      const bits = BITS[def.type];
      const n = INTEGER.test(v) ? BigInt(v) : null;
      if (n === null || n >= 1n << bits || n < -(1n << bits)) {
        return { error: invalid(def, raw, `Not a number of type ${def.type.toUpperCase()}`) };
      }
      return { value: n };
    }
    case 'double': {
      const m = DOUBLE.exec(v);
      if (!m) return { error: invalid(def, raw, 'Not a number of type DOUBLE') };
      return { value: Number(v.replace(/[fFdD]$/, '')) };
    }
    case 'list':
      return { value: v === '' ? [] : v.split(/\s*,\s*/) };
    case 'password':
      return { value: raw };
    default:
      // STRING and CLASS (Samsa cannot load Java classes: any class name is taken).
      return { value: v };
  }
}

/** ConfigDef.convertToString of the parsed value: how Kafka shows a value it accepted. */
export function canonicalValue(def: ConfigDef, raw: string): string {
  const p = parseValue(def, raw);
  if ('error' in p) return raw;
  const v = p.value;
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'number') return javaDouble(v);
  return String(v);
}

function show(v: Parsed): string {
  if (Array.isArray(v)) return javaList(v);
  return typeof v === 'number' ? javaDouble(v) : String(v);
}

/** Options of a check that differ by where a value is checked. */
export interface CheckOptions {
  /** Topic configs: a list may name a value twice (Kafka's topic path lets `compact,compact` through). */
  duplicatesAllowed?: boolean;
}

/** One validator on a parsed value: Kafka's message, or null. */
function check(def: ConfigDef, v: Validator, value: Parsed, opts: CheckOptions): string | null {
  switch (v.kind) {
    case 'range': {
      if (typeof value !== 'bigint' && typeof value !== 'number') return null;
      const below = (b: string) => (typeof value === 'bigint' ? value < BigInt(b) : value < Number(b));
      const above = (b: string) => (typeof value === 'bigint' ? value > BigInt(b) : value > Number(b));
      if (v.min !== null && below(v.min)) return invalid(def, show(value), `Value must be at least ${v.min}`);
      if (v.max !== null && above(v.max)) return invalid(def, show(value), `Value must be no more than ${v.max}`);
      return null;
    }
    case 'in':
      if (typeof value === 'string' && !v.values.includes(value)) {
        return invalid(def, value, `String must be one of: ${v.values.join(', ')}`);
      }
      return null;
    case 'inIgnoreCase':
      if (typeof value === 'string' && !v.values.some((x) => x.toUpperCase() === value.toUpperCase())) {
        return invalid(def, value, `String must be one of (case insensitive): ${v.values.join(', ')}`);
      }
      return null;
    case 'list': {
      if (!Array.isArray(value)) return null;
      const known = v.values ?? [];
      if (value.length === 0) {
        if (v.emptyAllowed) return null;
        const include = known.length > 0 ? javaList(known) : 'any non-empty value';
        return `Configuration '${def.name}' must not be empty. Valid values include: ${include}`;
      }
      if (!opts.duplicatesAllowed && new Set(value).size !== value.length) {
        return `Configuration '${def.name}' values must not be duplicated.`;
      }
      for (const item of value) {
        if (item === '') return `Configuration '${def.name}' values must not be empty.`;
        if (known.length > 0 && !known.includes(item)) {
          return invalid(def, item, `String must be one of: ${known.join(', ')}`);
        }
      }
      return null;
    }
    case 'all':
      for (const x of v.of) {
        const err = check(def, x, value, opts);
        if (err) return err;
      }
      return null;
    case 'listSize':
      if (Array.isArray(value) && value.length > v.max) {
        return invalid(def, show(value), `exceeds maximum list size of [${v.max}].`);
      }
      return null;
    case 'other':
      return otherCheck(def, v.description, value);
  }
}

/** The validators Kafka's runtime describes only in words, by their description. */
function otherCheck(def: ConfigDef, description: string, value: Parsed): string | null {
  switch (description) {
    case '[1,...,9] or -1': {
      if (typeof value !== 'bigint') return null;
      if (value === -1n || (value >= 1n && value <= 9n)) return null;
      return invalid(def, show(value), 'Value must be between 1 and 9 or equal to -1');
    }
    case 'non-empty string':
      if (typeof value === 'string' && value.length === 0) return invalid(def, value, 'String must be non-empty');
      return null;
    case '[partitionId]:[brokerId],[partitionId]:[brokerId],...': {
      if (!Array.isArray(value)) return null;
      const ok = (value.length === 1 && value[0] === '*') || value.every((r) => /^(\d+:\d+)?$/.test(javaTrim(r)));
      if (ok) return null;
      return invalid(
        def,
        javaList(value),
        `${def.name} must be the literal '*' or a list of replicas in the following format: ${description}`,
      );
    }
    case 'non-empty list':
      if (!Array.isArray(value)) return null;
      if (def.name === 'controller.quorum.voters') {
        if (value.every((v) => /^\d+@.+:\d+$/.test(v))) return null;
        return `Invalid configuration value for ${def.name}. Each entry should be in the form \`{id}@{host}:{port}\`.`;
      }
      for (const v of value) {
        if (!/^.+:\d+$/.test(v)) {
          return `Failed to parse host name from ${v} for the configuration ${def.name}. Each entry should be in the form "{host}:{port}"`;
        }
      }
      return null;
    case '[latest, earliest, by_duration:PnDTnHnMn.nS]': {
      // A share group's auto offset reset: a strategy, or a non-negative ISO-8601 duration back.
      if (typeof value !== 'string') return null;
      if (value === 'earliest' || value === 'latest') return null;
      const duration = /^by_duration:[Pp](?:\d+[Dd])?(?:[Tt](?:\d+[Hh])?(?:\d+[Mm])?(?:\d+(?:\.\d{1,9})?[Ss])?)?$/;
      if (duration.test(value) && !/^by_duration:[Pp][Tt]?$/.test(value)) return null;
      return invalid(
        def,
        value,
        `Invalid value \`${value}\` for configuration ${def.name}. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.`,
      );
    }
    default:
      // Values Samsa cannot check (Java classes).
      return null;
  }
}

/** Parses and checks a value as Kafka does: null when Kafka takes it, else Kafka's message. */
export function configValueError(def: ConfigDef, value: string | null, opts: CheckOptions = {}): string | null {
  if (value === null) return null;
  const p = parseValue(def, value);
  if ('error' in p) return p.error;
  return def.validator ? check(def, def.validator, p.value, opts) : null;
}
