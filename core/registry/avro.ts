// Avro schemas: parsed and validated with avsc (names, defaults, references registered first),
// written back in Confluent's canonical form — Apache Avro Java's `Schema.toString()`, which
// is what Confluent's registry stores and compares (compact JSON; a record as type, name,
// namespace (only where it differs from the enclosing one), doc, fields, its other properties,
// aliases; a field as name, type, doc, default, order (unless ascending), aliases, properties;
// a named type already written, or defined by a reference, as its name) — and normalised as
// `?normalize=true` does (properties and aliases sorted, references sorted and deduplicated).
// Compatibility is Avro's schema resolution as avsc implements it (`createResolver`, names
// compared without namespaces and with aliases, as Avro Java's SchemaCompatibility does).
import avro from 'avsc';
import type { ParsedSchema, ResolvedReference, SchemaProvider, SchemaReference } from './types.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const SCHEMA_RESERVED = new Set(['doc', 'fields', 'items', 'name', 'namespace', 'size', 'symbols', 'values', 'type']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

interface Names {
  /** Full names written (or known from references). */
  known: Set<string>;
  /** The enclosing namespace ('' for none). */
  space: string;
}

function fullName(name: string, space: string): { full: string; space: string; short: string } {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) return { full: name, space: name.slice(0, dot), short: name.slice(dot + 1) };
  return { full: space ? `${space}.${name}` : name, space, short: name };
}

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text of Avro Java's `Schema.toString()` for `schema`; `sorted`: props and aliases sorted. */
export function avroCanonical(schema: Json, knownNames: Iterable<string>, sorted: boolean): string {
  return write(schema, { known: new Set(knownNames), space: '' }, sorted);
}

function props(o: Obj, reserved: Set<string>, sorted: boolean, skip: Set<string> = new Set()): string {
  let keys = Object.keys(o).filter((k) => !reserved.has(k) && !skip.has(k));
  if (sorted) keys = keys.sort();
  return keys.map((k) => `,${JSON.stringify(k)}:${JSON.stringify(o[k])}`).join('');
}

function aliasList(aliases: Json | undefined, space: string, sorted: boolean, qualify: boolean): string {
  if (!Array.isArray(aliases) || aliases.length === 0) return '';
  let names = aliases.map((a) => {
    const s = String(a);
    if (!qualify) return s;
    const n = fullName(s, space);
    return n.space === space ? n.short : n.full;
  });
  names = [...new Set(names)];
  if (sorted) names.sort();
  return `,"aliases":${JSON.stringify(names)}`;
}

function nameRef(full: string, names: Names): string {
  const dot = full.lastIndexOf('.');
  const space = dot >= 0 ? full.slice(0, dot) : '';
  return JSON.stringify(space === names.space ? full.slice(dot + 1) : full);
}

function write(s: Json, names: Names, sorted: boolean): string {
  if (typeof s === 'string') {
    if (PRIMITIVES.has(s)) return JSON.stringify(s);
    // A reference to a named type: in the enclosing namespace first, then unqualified (as Avro Java resolves it).
    const inSpace = fullName(s, names.space).full;
    return nameRef(names.known.has(inSpace) || !names.known.has(s) ? inSpace : s, names);
  }
  if (Array.isArray(s)) return `[${s.map((b) => write(b, names, sorted)).join(',')}]`;
  if (!isObj(s)) throw new Error(`not a schema: ${JSON.stringify(s)}`);
  const type = s.type;
  if (
    typeof type !== 'string' ||
    (!PRIMITIVES.has(type) && !['record', 'error', 'enum', 'fixed', 'array', 'map'].includes(type))
  ) {
    // {"type": <schema>} with no other attribute is that schema.
    if (type !== undefined && Object.keys(s).length === 1) return write(type, names, sorted);
    if (typeof type === 'string') return write(type, names, sorted);
    throw new Error(`not a schema: ${JSON.stringify(s)}`);
  }
  if (PRIMITIVES.has(type)) {
    const p = props(s, SCHEMA_RESERVED, sorted, new Set(['aliases']));
    return p ? `{"type":${JSON.stringify(type)}${p}}` : JSON.stringify(type);
  }
  if (type === 'array')
    return `{"type":"array","items":${write(s.items ?? null, names, sorted)}${props(s, SCHEMA_RESERVED, sorted, new Set(['aliases']))}}`;
  if (type === 'map')
    return `{"type":"map","values":${write(s.values ?? null, names, sorted)}${props(s, SCHEMA_RESERVED, sorted, new Set(['aliases']))}}`;
  // A named type.
  const explicitSpace = typeof s.namespace === 'string' ? s.namespace : undefined;
  const n = fullName(String(s.name), explicitSpace ?? names.space);
  if (names.known.has(n.full)) return nameRef(n.full, names);
  names.known.add(n.full);
  let out = `{"type":${JSON.stringify(type)},"name":${JSON.stringify(n.short)}`;
  if (n.space) {
    if (n.space !== names.space) out += `,"namespace":${JSON.stringify(n.space)}`;
  } else if (names.space) out += ',"namespace":""';
  const doc = typeof s.doc === 'string' && !(sorted && s.doc === '') ? `,"doc":${JSON.stringify(s.doc)}` : '';
  out += doc;
  const aliases = aliasList(s.aliases, n.space, sorted, true);
  if (type === 'enum') {
    out += `,"symbols":${JSON.stringify(s.symbols ?? [])}`;
    if (typeof s.default === 'string') out += `,"default":${JSON.stringify(s.default)}`;
    return `${out}${props(s, SCHEMA_RESERVED, sorted, new Set(['aliases', 'default']))}${aliases}}`;
  }
  if (type === 'fixed') {
    out += `,"size":${JSON.stringify(s.size)}`;
    return `${out}${props(s, SCHEMA_RESERVED, sorted, new Set(['aliases']))}${aliases}}`;
  }
  const saved = names.space;
  names.space = n.space;
  const fields = (Array.isArray(s.fields) ? s.fields : []).map((f) => {
    if (!isObj(f)) throw new Error(`not a field: ${JSON.stringify(f)}`);
    let fo = `{"name":${JSON.stringify(f.name)},"type":${write(f.type ?? null, names, sorted)}`;
    if (typeof f.doc === 'string') fo += `,"doc":${JSON.stringify(f.doc)}`;
    if (f.default !== undefined) fo += `,"default":${JSON.stringify(f.default)}`;
    if (typeof f.order === 'string' && f.order.toLowerCase() !== 'ascending')
      fo += `,"order":${JSON.stringify(f.order.toLowerCase())}`;
    fo += aliasList(f.aliases, n.space, sorted, false);
    return `${fo}${props(f, FIELD_RESERVED, sorted)}}`;
  });
  names.space = saved;
  return `${out},"fields":[${fields.join(',')}]${props(s, SCHEMA_RESERVED, sorted, new Set(['aliases']))}${aliases}}`;
}

/** Named types a schema defines (full names), to know what a referencing schema may use. */
function definedNames(t: avro.Type): string[] {
  const out: string[] = [];
  const seen = new Set<avro.Type>();
  const visit = (x: any): void => {
    if (!x || seen.has(x)) return;
    seen.add(x);
    if (x.name && !PRIMITIVES.has(x.name)) out.push(x.name);
    for (const f of x.fields ?? []) visit(f.type);
    for (const b of x.types ?? []) visit(b);
    visit(x.itemsType);
    visit(x.valuesType);
    visit(x.underlyingType);
  };
  visit(t);
  return out;
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new Error(`Invalid schema JSON: ${(e as Error).message}`, { cause: e });
  }
}

class AvroSchema implements ParsedSchema {
  readonly schemaType = 'AVRO' as const;
  readonly type: avro.Type;
  readonly canonical: string;
  readonly references: SchemaReference[];
  readonly #json: Json;
  readonly #refNames: string[];

  constructor(json: Json, type: avro.Type, references: SchemaReference[], refNames: string[], sorted: boolean) {
    this.#json = json;
    this.type = type;
    this.references = references;
    this.#refNames = refNames;
    this.canonical = avroCanonical(json, refNames, sorted);
  }

  normalize(): ParsedSchema {
    const refs = [...new Map(this.references.map((r) => [JSON.stringify([r.name, r.subject, r.version]), r])).values()];
    refs.sort((a, b) =>
      a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : a.subject < b.subject
            ? -1
            : a.subject > b.subject
              ? 1
              : a.version - b.version,
    );
    return new AvroSchema(this.#json, this.type, refs, this.#refNames, true);
  }

  backwardIncompatibilities(previous: ParsedSchema): string[] {
    if (!(previous instanceof AvroSchema)) return ['Incompatible because of different schema type'];
    try {
      this.type.createResolver(previous.type, { ignoreNamespaces: true } as any);
      return [];
    } catch (e) {
      return [avroDifference((e as Error).message)];
    }
  }

  formatted(format: string): string | undefined {
    // RESOLVED: the references written inline.
    if (format.toLowerCase() === 'resolved') return JSON.stringify(this.type.schema({ exportAttrs: true }));
    return undefined;
  }
}

/** Confluent's `{errorType:…, description:…, additionalInfo:…}` for avsc's resolution error. */
function avroDifference(message: string): string {
  let m = /no matching field for default-less (.+)\.([^.]+)$/.exec(message);
  if (m)
    return `{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field '${m[2]}' in the %1 schema has no default value and is missing in the %2 schema', additionalInfo:'${m[2]}'}`;
  m = /no alias found for (.+)$/.exec(message);
  if (m)
    return `{errorType:'NAME_MISMATCH', description:'The name of the %1 schema does not match the name '${m[1]}' of the %2 schema', additionalInfo:'${m[1]}'}`;
  return `{errorType:'TYPE_MISMATCH', description:'The %1 schema cannot read data written with the %2 schema: ${message}', additionalInfo:'${message}'}`;
}

/** Registers a referenced schema's named types (its own references first) in `registry`. */
function register(
  ref: ResolvedReference,
  registry: Record<string, avro.Type>,
  names: string[],
  seen: Set<string>,
): void {
  const key = `${ref.subject}\0${ref.version}`;
  if (seen.has(key)) return;
  seen.add(key);
  for (const r of ref.references) register(r, registry, names, seen);
  const t = avro.Type.forSchema(parseJson(ref.schema) as any, { registry, logicalTypes: {} } as any);
  names.push(...definedNames(t));
}

export const avroProvider: SchemaProvider = {
  schemaType: 'AVRO',
  parse(schema, references, resolved) {
    const json = parseJson(schema);
    const registry: Record<string, avro.Type> = {};
    const refNames: string[] = [];
    const seen = new Set<string>();
    for (const r of resolved) register(r, registry, refNames, seen);
    const type = avro.Type.forSchema(json as any, { registry } as any);
    return new AvroSchema(json, type, references, refNames, false);
  },
};
