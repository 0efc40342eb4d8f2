// The analysis half of the message emitter (as Kafka's generator has a
// StructRegistry and a FieldSpec): the structs of one message schema (inline,
// common, nested) with the hull of the versions in which each can appear, and
// per field its versions, tag, nullability, element type and struct.
import {
  ALL,
  camelCase,
  hull,
  intersect,
  isEmpty,
  parseRange,
  sameRange,
  type FieldSchema,
  type MessageSchema,
  type Range,
} from './schema.ts';

export interface StructDef {
  name: string; // schema name
  tsName: string; // MessageName + StructName
  fields: FieldSchema[];
  ctx: Range; // hull of the versions in which the struct can appear
}

export interface FieldInfo {
  s: FieldSchema;
  /** the message schema's name, for errors */
  owner: string;
  js: string;
  versions: Range;
  tagged: Range; // EMPTY when not a tagged field
  tag: number;
  array: boolean;
  elem: string; // element type (the type itself when not an array)
  struct: StructDef | null;
  nullable: Range; // versions in which null is allowed on the wire
  nullableAny: boolean; // nullable in some version, or default null
  defaultNull: boolean;
}

export const NUMERIC = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64']);
export const PRIMITIVES = new Set([...NUMERIC, 'bool', 'string', 'bytes', 'uuid', 'records']);

/** The structs of one message schema and the version context of each. */
export class StructRegistry {
  readonly schema: MessageSchema;
  readonly structs = new Map<string, StructDef>();
  readonly flex: Range;
  readonly valid: Range;
  readonly top: StructDef;

  constructor(schema: MessageSchema) {
    this.schema = schema;
    this.flex = parseRange(schema.flexibleVersions);
    this.valid = parseRange(schema.validVersions);
    for (const cs of schema.commonStructs ?? []) this.define(cs.name, cs.fields);
    this.collect(schema.fields);
    this.top = { name: schema.name, tsName: schema.name, fields: schema.fields, ctx: this.valid };
    this.visit(this.top.fields, this.valid);
  }

  private define(name: string, fields: FieldSchema[]): void {
    const existing = this.structs.get(name);
    if (existing) {
      if (existing.fields !== fields) throw new Error(`${this.schema.name}: struct ${name} defined twice`);
      return;
    }
    // Struct types are prefixed with the message name to avoid collisions,
    // unless the schema name already carries it (MetadataResponseTopic).
    const tsName = name.startsWith(this.schema.name) ? name : this.schema.name + name;
    this.structs.set(name, { name, tsName, fields, ctx: { lo: 1, hi: 0 } });
    this.collect(fields);
  }

  /** Registers every struct defined inline below `fields`. */
  private collect(fields: FieldSchema[]): void {
    for (const f of fields) {
      if (f.fields) this.define(elemType(f.type), f.fields);
    }
  }

  /** Computes each struct's version context (hull of all its uses). */
  private visit(fields: FieldSchema[], ctx: Range): void {
    for (const f of fields) {
      const elem = elemType(f.type);
      if (PRIMITIVES.has(elem)) continue;
      const def = this.structs.get(elem);
      if (!def) throw new Error(`${this.schema.name}: unknown type ${f.type}`);
      const use = intersect(ctx, fieldVersions(f));
      if (isEmpty(use)) continue;
      const h = hull(def.ctx, use);
      if (!sameRange(h, def.ctx)) {
        def.ctx = h;
        this.visit(def.fields, h);
      }
    }
  }

  /** What the emitter needs to know of a field (in a struct of this schema). */
  info(f: FieldSchema): FieldInfo {
    const versions = fieldVersions(f);
    const tagged = f.tag !== undefined ? intersect(parseRange(f.taggedVersions), versions) : { lo: 1, hi: 0 };
    if (f.tag !== undefined && !sameRange(tagged, versions)) {
      throw new Error(`${this.schema.name}.${f.name}: tagged in only some of its versions (unsupported)`);
    }
    const array = f.type.startsWith('[]');
    const elem = elemType(f.type);
    const struct = PRIMITIVES.has(elem) ? null : this.structs.get(elem)!;
    const defaultNull = f.default === 'null';
    // Records are nullable bytes in every version.
    const nullable = elem === 'records' ? versions : intersect(parseRange(f.nullableVersions), versions);
    const nullableAny = defaultNull || !isEmpty(nullable);
    return {
      s: f,
      owner: this.schema.name,
      js: camelCase(f.name),
      versions,
      tagged,
      tag: f.tag ?? -1,
      array,
      elem,
      struct,
      nullable,
      nullableAny,
      defaultNull,
    };
  }
}

export function elemType(t: string): string {
  return t.startsWith('[]') ? t.slice(2) : t;
}

export function fieldVersions(f: FieldSchema): Range {
  // A field given only `taggedVersions` exists in those versions (as Kafka's generator reads it).
  if (f.versions === undefined) return f.taggedVersions !== undefined ? parseRange(f.taggedVersions) : ALL;
  return parseRange(f.versions);
}
