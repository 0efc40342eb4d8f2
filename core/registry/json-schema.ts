// JSON Schemas: checked with ajv against their draft's meta-schema (draft-04, -06, -07 — the
// default, as Confluent's — 2019-09 and 2020-12, chosen by `$schema`), with every `$ref`
// resolved (local ones, and the schema's references by their names; remote ones are not
// fetched, as Confluent's registry does not by default); written back as Confluent does (the
// JSON compact, properties in their order), normalised with every object's keys sorted. The
// compatibility rules are in json-compat.ts.
import { createRequire } from 'node:module';
import { Ajv, type AnySchema } from 'ajv';
import { jsonIncompatibilities } from './json-compat.ts';
import type { Json, ParsedSchema, ResolvedReference, SchemaProvider, SchemaReference } from './types.ts';

const require = createRequire(import.meta.url);
const Ajv2019 = require('ajv/dist/2019.js').default;
const Ajv2020 = require('ajv/dist/2020.js').default;
const AjvDraft04 = require('ajv-draft-04').default;
const DRAFT_06 = require('ajv/dist/refs/json-schema-draft-06.json');

const OPTIONS = { strict: false, validateFormats: false, allErrors: false, logger: false } as const;

function validatorFor(schema: Json): Ajv {
  const uri = schema && typeof schema === 'object' && !Array.isArray(schema) ? String(schema.$schema ?? '') : '';
  if (uri.includes('draft-04')) return new AjvDraft04(OPTIONS);
  if (uri.includes('2019-09')) return new Ajv2019(OPTIONS);
  if (uri.includes('2020-12')) return new Ajv2020(OPTIONS);
  const ajv = new Ajv(OPTIONS);
  if (uri.includes('draft-06')) ajv.addMetaSchema(DRAFT_06);
  return ajv;
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new Error(`Invalid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The JSON with every object's keys sorted (Jackson's ORDER_MAP_ENTRIES_BY_KEYS). */
export function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
    return out;
  }
  return v;
}

class JsonSchema implements ParsedSchema {
  readonly schemaType = 'JSON' as const;
  readonly json: Json;
  readonly canonical: string;
  readonly references: SchemaReference[];
  /** Referenced schemas by the name a `$ref` uses. */
  readonly resolved: Map<string, Json>;
  constructor(json: Json, references: SchemaReference[], resolved: Map<string, Json>) {
    this.json = json;
    this.references = references;
    this.resolved = resolved;
    this.canonical = JSON.stringify(json);
  }
  normalize(): ParsedSchema {
    const refs = [...new Map(this.references.map((r) => [JSON.stringify([r.name, r.subject, r.version]), r])).values()];
    return new JsonSchema(
      sortKeys(this.json),
      refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      this.resolved,
    );
  }
  backwardIncompatibilities(previous: ParsedSchema): string[] {
    if (!(previous instanceof JsonSchema)) return ['Incompatible because of different schema type'];
    return jsonIncompatibilities(
      { root: previous.json, refs: previous.resolved },
      { root: this.json, refs: this.resolved },
    );
  }
  formatted(): string | undefined {
    return undefined;
  }
}

function collect(refs: ResolvedReference[], into: Map<string, Json>): void {
  for (const r of refs) {
    if (into.has(r.name)) continue;
    into.set(r.name, parseJson(r.schema));
    collect(r.references, into);
  }
}

export const jsonSchemaProvider: SchemaProvider = {
  schemaType: 'JSON',
  parse(schema, references, resolvedRefs) {
    const json = parseJson(schema);
    if (typeof json !== 'boolean' && (json === null || typeof json !== 'object' || Array.isArray(json)))
      throw new Error('a JSON Schema is an object or a boolean');
    const resolved = new Map<string, Json>();
    collect(resolvedRefs, resolved);
    const ajv = validatorFor(json);
    for (const [name, s] of resolved) {
      if (s && typeof s === 'object' && !Array.isArray(s)) {
        const copy = { ...s };
        delete copy.$id;
        delete copy.id;
        ajv.addSchema(copy as AnySchema, name);
      } else ajv.addSchema(s as AnySchema, name);
    }
    ajv.compile(json as AnySchema);
    return new JsonSchema(json, references, resolved);
  },
};
