// The registry's state, rebuilt by applying the `_schemas` records in order, as Confluent's
// KafkaStoreMessageHandler and in-memory lookup cache do: the versions of each subject (a soft
// delete marks a version deleted; DELETE_SUBJECT marks every version up to its watermark; a
// tombstone removes it), the schemas by id (an id lives while any version, deleted or not,
// uses it), the schema identities (type + canonical text + references → id, so the same
// schema gets the same id in every subject), the configs and the modes (a subject's, or the
// global one under the null subject), and the highest id seen.
import type { ConfigValue, SchemaValue, StoreRecord } from './store-format.ts';
import type { Mode, SchemaReference, SchemaType } from './types.ts';

export interface StoredSchema {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

/** The key that makes two registrations the same schema (Confluent hashes the same parts). */
export function identity(schemaType: SchemaType, schema: string, references: SchemaReference[]): string {
  return JSON.stringify([schemaType, schema, references.map((r) => [r.name, r.subject, r.version])]);
}

export class RegistryState {
  /** subject → version → schema value (deleted ones included). */
  readonly subjects = new Map<string, Map<number, SchemaValue>>();
  readonly #byId = new Map<number, { schema: StoredSchema; uses: Set<string> }>();
  readonly #ids = new Map<string, number>();
  /** Subject (or null: global) → config. */
  readonly configs = new Map<string | null, ConfigValue>();
  readonly modes = new Map<string | null, Mode>();
  maxId = 0;
  /** Records applied so far (for diagnostics and tests). */
  applied = 0;

  apply(r: StoreRecord): void {
    this.applied++;
    switch (r.keytype) {
      case 'SCHEMA':
        if (r.value) this.#put(r.value);
        else this.#remove(r.subject, r.version);
        return;
      case 'CONFIG':
        if (r.value) this.configs.set(r.subject, r.value);
        else this.configs.delete(r.subject);
        return;
      case 'MODE':
        if (r.value) this.modes.set(r.subject, r.value);
        else this.modes.delete(r.subject);
        return;
      case 'DELETE_SUBJECT':
        for (const [v, s] of this.subjects.get(r.subject) ?? []) if (v <= r.version) s.deleted = true;
        return;
      case 'CLEAR_SUBJECT':
        for (const [v, s] of [...(this.subjects.get(r.subject) ?? [])]) if (s.deleted) this.#remove(r.subject, v);
        return;
      case 'NOOP':
        return;
    }
  }

  #put(v: SchemaValue): void {
    const old = this.subjects.get(v.subject)?.get(v.version);
    if (old && old.id !== v.id) this.#remove(v.subject, v.version);
    let versions = this.subjects.get(v.subject);
    if (!versions) this.subjects.set(v.subject, (versions = new Map()));
    versions.set(v.version, { ...v });
    if (v.id > this.maxId) this.maxId = v.id;
    let entry = this.#byId.get(v.id);
    if (!entry) {
      entry = {
        schema: { id: v.id, schemaType: v.schemaType, schema: v.schema, references: v.references },
        uses: new Set(),
      };
      this.#byId.set(v.id, entry);
      const key = identity(v.schemaType, v.schema, v.references);
      if (!this.#ids.has(key)) this.#ids.set(key, v.id);
    }
    entry.uses.add(`${v.version}\0${v.subject}`);
  }

  #remove(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const v = versions?.get(version);
    if (!versions || !v) return;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    const entry = this.#byId.get(v.id);
    if (!entry) return;
    entry.uses.delete(`${version}\0${subject}`);
    if (entry.uses.size > 0) return;
    this.#byId.delete(v.id);
    const key = identity(entry.schema.schemaType, entry.schema.schema, entry.schema.references);
    if (this.#ids.get(key) === v.id) this.#ids.delete(key);
  }

  schemaById(id: number): StoredSchema | undefined {
    return this.#byId.get(id)?.schema;
  }

  idOf(schemaType: SchemaType, schema: string, references: SchemaReference[]): number | undefined {
    return this.#ids.get(identity(schemaType, schema, references));
  }

  /** Every (subject, version) that uses `id`, in subject then version order. */
  usesOf(id: number, includeDeleted: boolean): { subject: string; version: number }[] {
    const out: { subject: string; version: number }[] = [];
    for (const u of this.#byId.get(id)?.uses ?? []) {
      const [v, subject] = [Number(u.slice(0, u.indexOf('\0'))), u.slice(u.indexOf('\0') + 1)];
      const s = this.subjects.get(subject)?.get(v);
      if (s && (includeDeleted || !s.deleted)) out.push({ subject, version: v });
    }
    return out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
  }

  /** The subject's versions, ascending. */
  versions(subject: string, includeDeleted: boolean): SchemaValue[] {
    const all = [...(this.subjects.get(subject)?.values() ?? [])].filter((s) => includeDeleted || !s.deleted);
    return all.sort((a, b) => a.version - b.version);
  }

  /** The latest version that is not deleted. */
  latest(subject: string): SchemaValue | undefined {
    return this.versions(subject, false).at(-1);
  }

  /** The (subject, version) pairs whose schemas reference `subject` at `version`. */
  referencedBy(subject: string, version: number, includeDeleted: boolean): SchemaValue[] {
    const out: SchemaValue[] = [];
    for (const versions of this.subjects.values())
      for (const s of versions.values())
        if ((includeDeleted || !s.deleted) && s.references.some((r) => r.subject === subject && r.version === version))
          out.push(s);
    return out.sort((a, b) => a.id - b.id);
  }
}
