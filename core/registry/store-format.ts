// The records of the `_schemas` topic, byte for byte in the JSON Confluent's registry writes
// (io.confluent.kafka.schemaregistry.storage.*Key / *Value, serialized by Jackson with
// NON_EMPTY inclusion): keys `{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}`,
// `{"keytype":"CONFIG","subject":"s","magic":0}` (no subject: the global one), MODE,
// DELETE_SUBJECT, CLEAR_SUBJECT and NOOP; values `{"subject":"s","version":1,"id":1,
// "schemaType":"PROTOBUF","references":[…],"schema":"…","deleted":false}` (schemaType left out
// for AVRO, references when empty), `{"compatibilityLevel":"FULL"}`, `{"mode":"READONLY"}`,
// `{"subject":"s","version":3}`; a null value is a tombstone. Records of key types this
// registry does not use (CONTEXT, ASSOC) and unreadable records are skipped, as a reader of a
// topic written by a newer registry must.
import { COMPATIBILITY_LEVELS, MODES, type CompatibilityLevel, type Mode, type SchemaReference } from './types.ts';

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: 'AVRO' | 'PROTOBUF' | 'JSON';
  references: SchemaReference[];
  schema: string;
  deleted: boolean;
}

export interface ConfigValue {
  compatibilityLevel?: CompatibilityLevel;
  normalize?: boolean;
}

export type StoreRecord =
  | { keytype: 'SCHEMA'; subject: string; version: number; value: SchemaValue | null }
  | { keytype: 'CONFIG'; subject: string | null; value: ConfigValue | null }
  | { keytype: 'MODE'; subject: string | null; value: Mode | null }
  | { keytype: 'DELETE_SUBJECT'; subject: string; version: number }
  | { keytype: 'CLEAR_SUBJECT'; subject: string }
  | { keytype: 'NOOP' };

export interface EncodedRecord {
  key: Buffer;
  value: Buffer | null;
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8');

/** The record's key and value as Confluent writes them. */
export function encodeRecord(r: StoreRecord): EncodedRecord {
  switch (r.keytype) {
    case 'SCHEMA': {
      const key = json({ keytype: 'SCHEMA', subject: r.subject, version: r.version, magic: 1 });
      if (!r.value) return { key, value: null };
      const v = r.value;
      const value: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
      if (v.schemaType !== 'AVRO') value.schemaType = v.schemaType;
      if (v.references.length > 0)
        value.references = v.references.map((x) => ({ name: x.name, subject: x.subject, version: x.version }));
      value.schema = v.schema;
      value.deleted = v.deleted;
      return { key, value: json(value) };
    }
    case 'CONFIG':
    case 'MODE': {
      const key = json(
        r.subject === null ? { keytype: r.keytype, magic: 0 } : { keytype: r.keytype, subject: r.subject, magic: 0 },
      );
      if (r.value === null) return { key, value: null };
      const value: Record<string, unknown> = r.subject === null ? {} : { subject: r.subject };
      if (r.keytype === 'MODE') value.mode = r.value;
      else {
        const c = r.value as ConfigValue;
        if (c.normalize !== undefined) value.normalize = c.normalize;
        if (c.compatibilityLevel !== undefined) value.compatibilityLevel = c.compatibilityLevel;
      }
      return { key, value: json(value) };
    }
    case 'DELETE_SUBJECT':
      return {
        key: json({ keytype: 'DELETE_SUBJECT', subject: r.subject, magic: 0 }),
        value: json({ subject: r.subject, version: r.version }),
      };
    case 'CLEAR_SUBJECT':
      return {
        key: json({ keytype: 'CLEAR_SUBJECT', subject: r.subject, magic: 0 }),
        value: json({ subject: r.subject }),
      };
    case 'NOOP':
      return { key: json({ keytype: 'NOOP', magic: 0 }), value: null };
  }
}

function parse(b: Buffer | null): any {
  if (b === null) return null;
  const v = JSON.parse(b.toString('utf8'));
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

const str = (v: unknown): v is string => typeof v === 'string';
const int = (v: unknown): v is number => Number.isInteger(v);

function references(v: unknown): SchemaReference[] | undefined {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return undefined;
  const out: SchemaReference[] = [];
  for (const r of v) {
    if (!r || !str(r.name) || !str(r.subject) || !int(r.version)) return undefined;
    out.push({ name: r.name, subject: r.subject, version: r.version });
  }
  return out;
}

/** A record read from `_schemas`, or undefined for one this registry skips. */
export function decodeRecord(keyBytes: Buffer | null, valueBytes: Buffer | null): StoreRecord | undefined {
  let key: any;
  let value: any;
  try {
    key = parse(keyBytes);
    value = parse(valueBytes);
  } catch {
    return undefined;
  }
  if (!key || value === undefined) return undefined;
  const subject: string | null = str(key.subject) ? key.subject : null;
  switch (key.keytype) {
    case 'SCHEMA': {
      if (subject === null || !int(key.version)) return undefined;
      if (value === null) return { keytype: 'SCHEMA', subject, version: key.version, value: null };
      const type = value.schemaType ?? 'AVRO';
      const refs = references(value.references);
      if (!int(value.id) || !str(value.schema) || !refs || !['AVRO', 'PROTOBUF', 'JSON'].includes(type))
        return undefined;
      return {
        keytype: 'SCHEMA',
        subject,
        version: key.version,
        value: {
          subject,
          version: key.version,
          id: value.id,
          schemaType: type,
          references: refs,
          schema: value.schema,
          deleted: value.deleted === true,
        },
      };
    }
    case 'CONFIG': {
      if (value === null) return { keytype: 'CONFIG', subject, value: null };
      const c: ConfigValue = {};
      if (COMPATIBILITY_LEVELS.includes(value.compatibilityLevel)) c.compatibilityLevel = value.compatibilityLevel;
      if (typeof value.normalize === 'boolean') c.normalize = value.normalize;
      return { keytype: 'CONFIG', subject, value: c };
    }
    case 'MODE':
      if (value === null) return { keytype: 'MODE', subject, value: null };
      return MODES.includes(value.mode) ? { keytype: 'MODE', subject, value: value.mode } : undefined;
    case 'DELETE_SUBJECT':
      if (subject === null || !value || !int(value.version)) return undefined;
      return { keytype: 'DELETE_SUBJECT', subject, version: value.version };
    case 'CLEAR_SUBJECT':
      return subject === null ? undefined : { keytype: 'CLEAR_SUBJECT', subject };
    case 'NOOP':
      return { keytype: 'NOOP' };
    default:
      return undefined;
  }
}
