// The vocabulary of the JSON Schema compatibility rules (json-compat.ts): the difference kinds
// Confluent's json/diff package names and which of them are compatible, the context that
// collects differences by JSON pointer path, `$ref` resolution (local pointers and the schema's
// references by name), and the kind of constraint a schema node is (object, array, string,
// number, combined, enum, const, not, empty, false).
import type { Json } from './types.ts';

export type Obj = { [k: string]: Json };
export interface JsonDoc {
  root: Json;
  refs: Map<string, Json>;
}
export interface Node {
  s: Json;
  doc: JsonDoc;
}

export const COMPATIBLE = new Set([
  'ID_CHANGED',
  'DESCRIPTION_CHANGED',
  'TITLE_CHANGED',
  'DEFAULT_CHANGED',
  'SCHEMA_REMOVED',
  'TYPE_EXTENDED',
  'MAX_LENGTH_INCREASED',
  'MAX_LENGTH_REMOVED',
  'MIN_LENGTH_DECREASED',
  'MIN_LENGTH_REMOVED',
  'PATTERN_REMOVED',
  'MAXIMUM_INCREASED',
  'MAXIMUM_REMOVED',
  'MINIMUM_DECREASED',
  'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED',
  'EXCLUSIVE_MAXIMUM_REMOVED',
  'EXCLUSIVE_MINIMUM_DECREASED',
  'EXCLUSIVE_MINIMUM_REMOVED',
  'MULTIPLE_OF_REDUCED',
  'MULTIPLE_OF_REMOVED',
  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
  'REQUIRED_ATTRIBUTE_REMOVED',
  'DEPENDENCY_ARRAY_NARROWED',
  'DEPENDENCY_ARRAY_REMOVED',
  'DEPENDENCY_SCHEMA_REMOVED',
  'MAX_PROPERTIES_INCREASED',
  'MAX_PROPERTIES_REMOVED',
  'MIN_PROPERTIES_DECREASED',
  'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED',
  'ADDITIONAL_PROPERTIES_EXTENDED',
  'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED',
  'MAX_ITEMS_REMOVED',
  'MIN_ITEMS_DECREASED',
  'MIN_ITEMS_REMOVED',
  'UNIQUE_ITEMS_REMOVED',
  'ADDITIONAL_ITEMS_ADDED',
  'ADDITIONAL_ITEMS_EXTENDED',
  'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
  'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ENUM_ARRAY_EXTENDED',
  'COMBINED_TYPE_EXTENDED',
  'PRODUCT_TYPE_NARROWED',
  'SUM_TYPE_EXTENDED',
  'NOT_TYPE_NARROWED',
]);

export const ANNOTATIONS = new Set([
  'title',
  'description',
  '$id',
  'id',
  '$schema',
  'default',
  'examples',
  '$comment',
  'definitions',
  '$defs',
  'readOnly',
  'writeOnly',
  'deprecated',
  'format',
  'contentEncoding',
  'contentMediaType',
]);

export class Ctx {
  diffs: { type: string; path: string }[] = [];
  path: string[] = [];
  depth = 0;
  add(type: string, attr?: string): void {
    const p = attr ? [...this.path, attr] : this.path;
    this.diffs.push({ type, path: `#/${p.join('/')}` });
  }
  in(part: string, f: () => void): void {
    this.path.push(part);
    try {
      f();
    } finally {
      this.path.pop();
    }
  }
  sub(): Ctx {
    const c = new Ctx();
    c.path = [...this.path];
    c.depth = this.depth;
    return c;
  }
  get compatible(): boolean {
    return this.diffs.every((d) => COMPATIBLE.has(d.type));
  }
}

export const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function pointer(root: Json, ptr: string): Json | undefined {
  let cur: Json | undefined = root;
  for (const raw of ptr.split('/').filter((p) => p !== '')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    cur = isObj(cur) ? cur[key] : Array.isArray(cur) ? cur[Number(key)] : undefined;
  }
  return cur;
}

export function deref(n: Node): Node {
  let cur = n;
  for (let i = 0; i < 32 && isObj(cur.s) && typeof cur.s.$ref === 'string'; i++) {
    const ref = cur.s.$ref;
    const hash = ref.indexOf('#');
    const file = hash < 0 ? ref : ref.slice(0, hash);
    const ptr = hash < 0 ? '' : ref.slice(hash + 1);
    const doc: JsonDoc = file ? { root: cur.doc.refs.get(file) ?? null, refs: cur.doc.refs } : cur.doc;
    const target = pointer(doc.root, ptr);
    if (target === undefined) break;
    cur = { s: target, doc };
  }
  return cur;
}

export type Kind =
  | 'empty'
  | 'false'
  | 'combined'
  | 'object'
  | 'array'
  | 'string'
  | 'number'
  | 'boolean'
  | 'null'
  | 'enum'
  | 'const'
  | 'not';

export function kindOf(s: Json): Kind {
  if (s === true) return 'empty';
  if (s === false) return 'false';
  if (!isObj(s)) return 'empty';
  if (Array.isArray(s.type)) return 'combined';
  const t = s.type;
  if (t === 'object') return 'object';
  if (t === 'array') return 'array';
  if (t === 'string') return s.enum ? 'enum' : 'string';
  if (t === 'number' || t === 'integer') return s.enum ? 'enum' : 'number';
  if (t === 'boolean') return s.enum ? 'enum' : 'boolean';
  if (t === 'null') return 'null';
  if (s.allOf || s.anyOf || s.oneOf) return 'combined';
  if (s.enum) return 'enum';
  if ('const' in s) return 'const';
  if (s.not !== undefined) return 'not';
  if (
    [
      'properties',
      'required',
      'additionalProperties',
      'patternProperties',
      'minProperties',
      'maxProperties',
      'dependencies',
    ].some((k) => k in s)
  )
    return 'object';
  if (['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems'].some((k) => k in s))
    return 'array';
  if (['minLength', 'maxLength', 'pattern'].some((k) => k in s)) return 'string';
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].some((k) => k in s)) return 'number';
  return Object.keys(s).every((k) => ANNOTATIONS.has(k)) ? 'empty' : 'empty';
}

/** A schema's subschemas as a combination: a type list is an anyOf of single-type schemas. */
export function combination(s: Obj): { criterion: 'allOf' | 'anyOf' | 'oneOf'; subs: Json[] } {
  if (Array.isArray(s.type)) {
    const rest = { ...s };
    delete rest.type;
    return { criterion: 'anyOf', subs: s.type.map((t) => ({ ...rest, type: t })) };
  }
  for (const c of ['allOf', 'anyOf', 'oneOf'] as const)
    if (Array.isArray(s[c])) return { criterion: c, subs: s[c] as Json[] };
  return { criterion: 'allOf', subs: [s] };
}
