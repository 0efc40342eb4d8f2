// The registry's operations, as Confluent's Schema Registry performs them behind its REST API:
// register (the same schema in a subject keeps its version; the same schema anywhere keeps its
// id; a new version is checked against the subject's compatibility level — the latest version,
// or every version for *_TRANSITIVE — and gets the highest version ever used + 1), look-ups by
// subject, version and id, soft and permanent deletes (a permanent delete needs a soft one
// first; a version other schemas reference cannot go), compatibility checks, and the global
// and per-subject config and mode. State is what the `_schemas` records say (state.ts); every
// change is a record written through the store and applied when read back, so a restarted
// registry answers the same.
import { avroProvider } from './avro.ts';
import { Errors, RegistryError } from './errors.ts';
import { jsonSchemaProvider } from './json-schema.ts';
import { protobufProvider } from './protobuf.ts';
import { RegistryState } from './state.ts';
import type { ConfigValue, SchemaValue, StoreRecord } from './store-format.ts';
import {
  COMPATIBILITY_LEVELS,
  SCHEMA_TYPES,
  type CompatibilityLevel,
  type Mode,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaProvider,
  type SchemaReference,
  type SchemaType,
} from './types.ts';

export const PROVIDERS: Record<SchemaType, SchemaProvider> = {
  AVRO: avroProvider,
  PROTOBUF: protobufProvider,
  JSON: jsonSchemaProvider,
};

/** Where records go: the Kafka store in production, a list in unit tests. */
export interface RecordSink {
  append(records: StoreRecord[]): Promise<void>;
}

export interface SchemaRequest {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
  id?: unknown;
  version?: unknown;
}

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

/** A schema as GET /subjects/{s}/versions/{v} returns it (schemaType left out for AVRO, references when empty). */
export function schemaBody(v: { schemaType: SchemaType; schema: string; references: SchemaReference[] }): {
  schemaType?: SchemaType;
  references?: SchemaReference[];
  schema: string;
} {
  return {
    ...(v.schemaType === 'AVRO' ? {} : { schemaType: v.schemaType }),
    ...(v.references.length > 0 ? { references: v.references } : {}),
    schema: v.schema,
  };
}

/** Parses a version path segment: 1..2^31-1, "latest" or -1 (latest). */
export function parseVersion(text: string): number | 'latest' {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d+$/.test(text)) throw Errors.invalidVersion(text);
  const n = Number(text);
  if (n < 1 || n > 2 ** 31 - 1) throw Errors.invalidVersion(text);
  return n;
}

export class Registry {
  readonly state = new RegistryState();
  readonly #sink: RecordSink;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(sink: RecordSink) {
    this.#sink = sink;
  }

  /** Applies a record read from `_schemas`. */
  apply(record: StoreRecord): void {
    this.state.apply(record);
  }

  /** Runs writes one at a time (ids and versions are allocated from the state each sees). */
  #serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(f, f);
    this.#writes = run.catch(() => {});
    return run;
  }

  // ---- config and mode ----

  globalCompatibility(): CompatibilityLevel {
    return this.state.configs.get(null)?.compatibilityLevel ?? DEFAULT_COMPATIBILITY;
  }

  compatibilityOf(subject: string): CompatibilityLevel {
    return this.state.configs.get(subject)?.compatibilityLevel ?? this.globalCompatibility();
  }

  #normalizeOf(subject: string): boolean {
    return this.state.configs.get(subject)?.normalize ?? this.state.configs.get(null)?.normalize ?? false;
  }

  modeOf(subject: string | null): Mode {
    return (subject !== null ? this.state.modes.get(subject) : undefined) ?? this.state.modes.get(null) ?? 'READWRITE';
  }

  getConfig(subject: string | null, defaultToGlobal: boolean): ConfigValue {
    if (subject === null) return { compatibilityLevel: this.globalCompatibility(), ...this.#normalizeField(null) };
    const c = this.state.configs.get(subject);
    if (c?.compatibilityLevel) return { ...c };
    if (defaultToGlobal) return this.getConfig(null, false);
    throw Errors.subjectCompatibilityNotConfigured(subject);
  }

  #normalizeField(subject: string | null): { normalize?: boolean } {
    const n = this.state.configs.get(subject)?.normalize;
    return n === undefined ? {} : { normalize: n };
  }

  async setConfig(
    subject: string | null,
    body: unknown,
  ): Promise<{ compatibility: CompatibilityLevel; normalize?: boolean }> {
    const b = (body ?? {}) as { compatibility?: unknown; compatibilityLevel?: unknown; normalize?: unknown };
    const raw = b.compatibility ?? b.compatibilityLevel;
    const level = typeof raw === 'string' ? raw.toUpperCase() : undefined;
    if (!level || !(COMPATIBILITY_LEVELS as readonly string[]).includes(level)) throw Errors.invalidCompatibility();
    return this.#serial(async () => {
      this.#writable(subject);
      const value: ConfigValue = { compatibilityLevel: level as CompatibilityLevel };
      if (typeof b.normalize === 'boolean') value.normalize = b.normalize;
      await this.#sink.append([{ keytype: 'CONFIG', subject, value }]);
      return {
        compatibility: value.compatibilityLevel!,
        ...(value.normalize === undefined ? {} : { normalize: value.normalize }),
      };
    });
  }

  deleteConfig(subject: string | null): Promise<ConfigValue> {
    return this.#serial(async () => {
      this.#writable(subject);
      const old = subject === null ? this.getConfig(null, false) : this.state.configs.get(subject);
      if (subject !== null && !old) throw Errors.subjectNotFound(subject);
      await this.#sink.append([{ keytype: 'CONFIG', subject, value: null }]);
      return { compatibilityLevel: old?.compatibilityLevel ?? DEFAULT_COMPATIBILITY };
    });
  }

  getMode(subject: string | null, defaultToGlobal: boolean): { mode: Mode } {
    if (subject === null || defaultToGlobal) return { mode: this.modeOf(subject) };
    const m = this.state.modes.get(subject);
    if (!m) throw Errors.subjectModeNotConfigured(subject);
    return { mode: m };
  }

  async setMode(subject: string | null, body: unknown, force: boolean): Promise<{ mode: Mode }> {
    const raw = (body ?? {}) as { mode?: unknown };
    const mode = typeof raw.mode === 'string' ? raw.mode.toUpperCase() : '';
    if (!['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'].includes(mode)) throw Errors.invalidMode();
    return this.#serial(async () => {
      if (mode === 'IMPORT' && !force) {
        const has = subject === null ? this.state.subjects.size > 0 : this.state.versions(subject, true).length > 0;
        if (has && this.modeOf(subject) !== 'IMPORT')
          throw Errors.operationNotPermitted('Cannot import since found existing subjects');
      }
      await this.#sink.append([{ keytype: 'MODE', subject, value: mode as Mode }]);
      return { mode: mode as Mode };
    });
  }

  deleteMode(subject: string): Promise<{ mode: Mode }> {
    return this.#serial(async () => {
      const old = this.state.modes.get(subject);
      if (!old) throw Errors.subjectNotFound(subject);
      await this.#sink.append([{ keytype: 'MODE', subject, value: null }]);
      return { mode: old };
    });
  }

  #writable(subject: string | null): void {
    const m = this.modeOf(subject);
    if (m === 'READONLY' || m === 'READONLY_OVERRIDE')
      throw Errors.operationNotPermitted(`Subject ${subject ?? ''} is in read-only mode`);
  }

  // ---- parsing ----

  /** The references, resolved from the subjects they name (their own references too). */
  #resolve(refs: SchemaReference[], depth = 0): ResolvedReference[] {
    if (depth > 32) throw Errors.invalidSchema('Reference cycle or nesting too deep');
    return refs.map((r) => {
      const v = this.state.subjects.get(r.subject)?.get(r.version);
      if (!v)
        throw Errors.invalidSchema(
          `Invalid schema: reference ${r.name} to subject ${r.subject} version ${r.version} not found`,
        );
      return { ...r, schemaType: v.schemaType, schema: v.schema, references: this.#resolve(v.references, depth + 1) };
    });
  }

  /** Parses a request's schema; 42201 for anything the type's library rejects. */
  parse(req: SchemaRequest, normalize: boolean): ParsedSchema {
    if (typeof req.schema !== 'string' || req.schema === '') throw Errors.invalidSchema('Empty schema');
    const type =
      req.schemaType === undefined || req.schemaType === null ? 'AVRO' : String(req.schemaType).toUpperCase();
    if (!(SCHEMA_TYPES as readonly string[]).includes(type))
      throw Errors.invalidSchema(`Invalid schema type ${String(req.schemaType)}`);
    const refs = parseReferences(req.references);
    const resolved = this.#resolve(refs);
    let parsed: ParsedSchema;
    try {
      parsed = PROVIDERS[type as SchemaType].parse(req.schema, refs, resolved);
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      throw Errors.invalidSchema(
        `Invalid schema ${req.schema} with refs ${JSON.stringify(refs)} of type ${type}, details: ${(e as Error).message}`,
      );
    }
    return normalize ? parsed.normalize() : parsed;
  }

  #parseStored(v: { schemaType: SchemaType; schema: string; references: SchemaReference[] }): ParsedSchema {
    return PROVIDERS[v.schemaType].parse(v.schema, v.references, this.#resolve(v.references));
  }

  // ---- compatibility ----

  /** Why `parsed` cannot join the subject at `level` against `against` (empty: compatible). */
  #incompatibilities(parsed: ParsedSchema, against: SchemaValue[], level: CompatibilityLevel): string[] {
    if (level === 'NONE' || against.length === 0) return [];
    const list = level.endsWith('_TRANSITIVE') ? [...against].reverse() : [against.at(-1)!];
    const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
    const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
    for (const old of list) {
      const prev = this.#parseStored(old);
      const out: string[] = [];
      if (backward) out.push(...parsed.backwardIncompatibilities(prev).map((m) => roles(m, 'new', 'old')));
      if (forward) out.push(...prev.backwardIncompatibilities(parsed).map((m) => roles(m, 'old', 'new')));
      if (out.length > 0)
        return [
          ...out,
          `{oldSchemaVersion: ${old.version}}`,
          `{oldSchema: '${old.schema}'}`,
          `{compatibility: '${level}'}`,
        ];
    }
    return [];
  }

  /** POST /compatibility/subjects/{s}/versions[/{v}]. */
  testCompatibility(
    subject: string,
    version: string | undefined,
    req: SchemaRequest,
    normalize: boolean,
    verbose: boolean,
  ) {
    const parsed = this.parse(req, normalize || this.#normalizeOf(subject));
    const level = this.compatibilityOf(subject);
    let against: SchemaValue[];
    if (version === undefined) against = this.state.versions(subject, false);
    else {
      const v = this.getVersion(subject, version, false);
      against = [v];
    }
    const messages = this.#incompatibilities(
      parsed,
      against,
      version === undefined ? level : (level.replace('_TRANSITIVE', '') as CompatibilityLevel),
    );
    return verbose ? { is_compatible: messages.length === 0, messages } : { is_compatible: messages.length === 0 };
  }

  // ---- register and look up ----

  async register(subject: string, req: SchemaRequest, normalize: boolean): Promise<{ id: number }> {
    checkSubject(subject);
    return this.#serial(async () => {
      const mode = this.modeOf(subject);
      this.#writable(subject);
      const parsed = this.parse(req, normalize || this.#normalizeOf(subject));
      const all = this.state.versions(subject, true);
      const live = all.filter((v) => !v.deleted);
      const same = (v: SchemaValue) =>
        v.schemaType === parsed.schemaType &&
        v.schema === parsed.canonical &&
        sameRefs(v.references, parsed.references);
      if (mode === 'IMPORT') return this.#import(subject, req, parsed, all);
      const existing = live.find(same);
      if (existing) return { id: existing.id };
      const details = this.#incompatibilities(parsed, live, this.compatibilityOf(subject));
      if (details.length > 0) throw Errors.incompatibleSchema(subject, details);
      const id = this.state.idOf(parsed.schemaType, parsed.canonical, parsed.references) ?? this.state.maxId + 1;
      const version = (all.at(-1)?.version ?? 0) + 1;
      await this.#write(subject, version, id, parsed);
      return { id };
    });
  }

  async #import(
    subject: string,
    req: SchemaRequest,
    parsed: ParsedSchema,
    all: SchemaValue[],
  ): Promise<{ id: number }> {
    const id = Number.isInteger(req.id) && (req.id as number) > 0 ? (req.id as number) : undefined;
    const version = Number.isInteger(req.version) && (req.version as number) > 0 ? (req.version as number) : undefined;
    if (id === undefined) throw Errors.operationNotPermitted('Schema id must be specified in IMPORT mode');
    const taken = this.state.schemaById(id);
    if (taken && (taken.schema !== parsed.canonical || taken.schemaType !== parsed.schemaType))
      throw Errors.operationNotPermitted(`Overwrite new schema with id ${id} is not permitted.`);
    const v = version ?? (all.at(-1)?.version ?? 0) + 1;
    const at = this.state.subjects.get(subject)?.get(v);
    if (at && at.id !== id)
      throw Errors.operationNotPermitted(`Overwrite new schema with version ${v} is not permitted.`);
    await this.#write(subject, v, id, parsed);
    return { id };
  }

  #write(subject: string, version: number, id: number, parsed: ParsedSchema): Promise<void> {
    const value: SchemaValue = {
      subject,
      version,
      id,
      schemaType: parsed.schemaType,
      references: parsed.references,
      schema: parsed.canonical,
      deleted: false,
    };
    return this.#sink.append([{ keytype: 'SCHEMA', subject, version, value }]);
  }

  /** POST /subjects/{s}: the version of this schema in the subject. */
  lookup(subject: string, req: SchemaRequest, normalize: boolean, deleted: boolean) {
    const all = this.state.versions(subject, deleted);
    if (all.length === 0) throw Errors.subjectNotFound(subject);
    const parsed = this.parse(req, normalize || this.#normalizeOf(subject));
    const hit = all.find(
      (v) =>
        v.schemaType === parsed.schemaType &&
        v.schema === parsed.canonical &&
        sameRefs(v.references, parsed.references),
    );
    if (!hit) throw Errors.schemaNotFound();
    return { subject, version: hit.version, id: hit.id, ...schemaBody(hit) };
  }

  subjects(deleted: boolean, prefix: string): string[] {
    return [...this.state.subjects.keys()]
      .filter((s) => s.startsWith(prefix) && this.state.versions(s, deleted).length > 0)
      .sort();
  }

  versions(subject: string, deleted: boolean): number[] {
    const v = this.state.versions(subject, deleted);
    if (v.length === 0) throw Errors.subjectNotFound(subject);
    return v.map((x) => x.version);
  }

  getVersion(subject: string, versionText: string, deleted: boolean): SchemaValue {
    const version = parseVersion(versionText);
    const all = this.state.versions(subject, true);
    if (!all.some((v) => !v.deleted) && !(deleted && all.length > 0)) throw Errors.subjectNotFound(subject);
    const v = version === 'latest' ? this.state.latest(subject) : all.find((x) => x.version === version);
    if (!v || (v.deleted && !deleted)) throw Errors.versionNotFound(version === 'latest' ? -1 : version);
    return v;
  }

  versionBody(subject: string, versionText: string, deleted: boolean, format: string) {
    const v = this.getVersion(subject, versionText, deleted);
    return { subject, version: v.version, id: v.id, ...schemaBody({ ...v, schema: this.#format(v, format) }) };
  }

  #format(v: { schemaType: SchemaType; schema: string; references: SchemaReference[] }, format: string): string {
    if (!format) return v.schema;
    return this.#parseStored(v).formatted(format) ?? v.schema;
  }

  referencedBy(subject: string, versionText: string): number[] {
    const v = this.getVersion(subject, versionText, false);
    return this.state.referencedBy(subject, v.version, false).map((s) => s.id);
  }

  schemaById(id: number, format: string) {
    const s = this.state.schemaById(id);
    if (!s) throw Errors.schemaNotFound(id);
    return schemaBody({ ...s, schema: this.#format(s, format) });
  }

  idVersions(id: number, deleted: boolean) {
    if (!this.state.schemaById(id)) throw Errors.schemaNotFound(id);
    return this.state.usesOf(id, deleted);
  }

  idSubjects(id: number, deleted: boolean): string[] {
    return [...new Set(this.idVersions(id, deleted).map((u) => u.subject))];
  }

  // ---- deletes ----

  deleteVersion(subject: string, versionText: string, permanent: boolean): Promise<number> {
    return this.#serial(async () => {
      this.#writable(subject);
      const version = parseVersion(versionText);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw Errors.subjectNotFound(subject);
      const v = version === 'latest' ? this.state.latest(subject) : all.find((x) => x.version === version);
      if (!v) throw Errors.versionNotFound(version === 'latest' ? -1 : version);
      if (!permanent && v.deleted) throw Errors.versionSoftDeleted(subject, v.version);
      if (permanent && !v.deleted) throw Errors.versionNotSoftDeleted(subject, v.version);
      if (this.state.referencedBy(subject, v.version, false).length > 0)
        throw Errors.referenceExists(subject, v.version);
      await this.#sink.append([
        { keytype: 'SCHEMA', subject, version: v.version, value: permanent ? null : { ...v, deleted: true } },
      ]);
      return v.version;
    });
  }

  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.#serial(async () => {
      this.#writable(subject);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw Errors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      for (const v of live)
        if (this.state.referencedBy(subject, v.version, false).length > 0)
          throw Errors.referenceExists(subject, v.version);
      if (permanent) {
        if (live.length > 0) throw Errors.subjectNotSoftDeleted(subject);
        await this.#sink.append(
          all.map((v) => ({ keytype: 'SCHEMA', subject, version: v.version, value: null }) as StoreRecord),
        );
        return all.map((v) => v.version);
      }
      if (live.length === 0) throw Errors.subjectSoftDeleted(subject);
      await this.#sink.append([{ keytype: 'DELETE_SUBJECT', subject, version: live.at(-1)!.version }]);
      return live.map((v) => v.version);
    });
  }
}

function roles(message: string, reader: string, writer: string): string {
  return message.replaceAll('%1', reader).replaceAll('%2', writer);
}

function sameRefs(a: SchemaReference[], b: SchemaReference[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.name === b[i]!.name && r.subject === b[i]!.subject && r.version === b[i]!.version)
  );
}

function checkSubject(subject: string): void {
  // eslint-disable-next-line no-control-regex
  if (subject.trim() === '' || /[\u0000-\u001f]/.test(subject)) throw Errors.invalidSubject(subject);
}

function parseReferences(v: unknown): SchemaReference[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw Errors.invalidSchema('references must be an array');
  return v.map((r) => {
    const x = r as Partial<SchemaReference>;
    if (!x || typeof x.name !== 'string' || typeof x.subject !== 'string' || !Number.isInteger(x.version))
      throw Errors.invalidSchema(`Invalid reference ${JSON.stringify(r)}`);
    return { name: x.name, subject: x.subject, version: x.version! };
  });
}
