// The Schema Registry's vocabulary, as Confluent's REST API and its `_schemas` topic name it:
// schema types (AVRO, PROTOBUF, JSON), references (name, subject, version), compatibility levels
// and modes, and the contract every schema type implements (parse, canonical and normalized
// text, backward-compatibility check), so the registry itself knows no schema language.

export const SCHEMA_TYPES = ['AVRO', 'PROTOBUF', 'JSON'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/** Confluent's modes; READONLY_OVERRIDE is a READONLY that only an operator may set. */
export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

/** A referenced schema, resolved from its subject and version, with its own references resolved. */
export interface ResolvedReference {
  name: string;
  subject: string;
  version: number;
  schemaType: SchemaType;
  schema: string;
  references: ResolvedReference[];
}

/** A schema parsed by its type's library. */
export interface ParsedSchema {
  readonly schemaType: SchemaType;
  /** The text the registry stores and returns (Confluent's `canonicalString()`). */
  readonly canonical: string;
  readonly references: SchemaReference[];
  /** The same schema after the registry's normalisation (`?normalize=true`). */
  normalize(): ParsedSchema;
  /**
   * Why data written with `previous` cannot be read with this schema (Confluent's
   * `isBackwardCompatible`): one message per incompatibility, none when compatible.
   */
  backwardIncompatibilities(previous: ParsedSchema): string[];
  /** The schema in another of the type's formats (`?format=`), or undefined for the canonical text. */
  formatted(format: string): string | undefined;
}

export interface SchemaProvider {
  readonly schemaType: SchemaType;
  /** Parses `schema` with its references; throws an Error whose message says what is wrong. */
  parse(schema: string, references: SchemaReference[], resolved: ResolvedReference[]): ParsedSchema;
}

/** A JSON value, as JSON Schema documents are handled. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
