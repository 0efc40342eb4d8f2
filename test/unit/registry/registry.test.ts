// The registry's operations over an in-memory `_schemas`: every change goes through the record
// encoding Confluent's registry writes (encodeRecord → bytes → decodeRecord) before the state
// applies it, as it does when read back from the topic, so what is checked here is also what a
// restart rebuilds. Covers ids and versions, compatibility levels (BACKWARD, FORWARD, FULL and
// the transitive ones), deletes, configs, modes, IMPORT, references, and records from a newer
// registry that must be skipped.
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../../core/registry/errors.ts';
import { Registry } from '../../../core/registry/registry.ts';
import { decodeRecord, encodeRecord, type StoreRecord } from '../../../core/registry/store-format.ts';

class MemoryTopic {
  readonly log: { key: Buffer; value: Buffer | null }[] = [];
  readonly registries: Registry[] = [];
  async append(records: StoreRecord[]): Promise<void> {
    for (const r of records) {
      const e = encodeRecord(r);
      this.log.push(e);
      for (const reg of this.registries) reg.apply(decodeRecord(e.key, e.value)!);
    }
  }
  /** A registry that has read the whole log, as after a restart. */
  replay(): Registry {
    const reg = new Registry(this);
    for (const e of this.log) {
      const r = decodeRecord(e.key, e.value);
      if (r) reg.apply(r);
    }
    this.registries.push(reg);
    return reg;
  }
}

const rec = (fields: unknown[], name = 'R') => JSON.stringify({ type: 'record', name, fields });
const A = rec([{ name: 'a', type: 'int' }]);
const AB_DEFAULT = rec([
  { name: 'a', type: 'int' },
  { name: 'b', type: 'string', default: '' },
]);
const AB = rec([
  { name: 'a', type: 'int' },
  { name: 'b', type: 'string' },
]);
const B = rec([{ name: 'b', type: 'string', default: '' }]);

async function code(p: Promise<unknown> | (() => unknown)): Promise<number | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
    return undefined;
  } catch (e) {
    if (e instanceof RegistryError) return e.errorCode;
    throw e;
  }
}

function fresh() {
  const topic = new MemoryTopic();
  return { topic, reg: topic.replay() };
}

describe('registering', () => {
  it('allocates ids across subjects and versions within one, and a restart answers the same', async () => {
    const { topic, reg } = fresh();
    expect(await reg.register('s1', { schema: A }, false)).toEqual({ id: 1 });
    expect(await reg.register('s1', { schema: A }, false)).toEqual({ id: 1 });
    expect(await reg.register('s2', { schema: A }, false)).toEqual({ id: 1 });
    expect(await reg.register('s1', { schema: AB_DEFAULT }, false)).toEqual({ id: 2 });
    expect(reg.versions('s1', false)).toEqual([1, 2]);
    const again = topic.replay();
    expect(again.versions('s1', false)).toEqual([1, 2]);
    expect(again.idVersions(1, false)).toEqual([
      { subject: 's1', version: 1 },
      { subject: 's2', version: 1 },
    ]);
    expect(await again.register('s3', { schema: '"string"' }, false)).toEqual({ id: 3 });
  });

  it('a version number is never reused after a delete', async () => {
    const { reg } = fresh();
    await reg.register('s', { schema: A }, false);
    await reg.register('s', { schema: AB_DEFAULT }, false);
    expect(await reg.deleteVersion('s', '2', false)).toBe(2);
    await reg.register(
      's',
      {
        schema: rec([
          { name: 'a', type: 'int' },
          { name: 'c', type: 'int', default: 1 },
        ]),
      },
      false,
    );
    expect(reg.versions('s', true)).toEqual([1, 2, 3]);
    expect(reg.versions('s', false)).toEqual([1, 3]);
  });

  it('normalize=true makes differently ordered properties one schema', async () => {
    const { reg } = fresh();
    const x = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }], b: 1, a: 2 });
    const y = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }], a: 2, b: 1 });
    const one = await reg.register('s', { schema: x }, true);
    expect(await reg.register('s', { schema: y }, true)).toEqual(one);
    expect((await reg.register('t', { schema: x }, false)).id).not.toBe(one.id);
  });
});

describe('compatibility levels', () => {
  it('BACKWARD (default) checks the latest version only; BACKWARD_TRANSITIVE every version', async () => {
    const { reg } = fresh();
    await reg.register('s', { schema: A }, false);
    await reg.setConfig('s', { compatibility: 'NONE' });
    await reg.register('s', { schema: B }, false); // a, dropped; b added with a default
    await reg.setConfig('s', { compatibility: 'BACKWARD' });
    // Reads B's data (b) fine, but not A's (a has no default): only the transitive level sees it.
    const next = rec([
      { name: 'a', type: 'int' },
      { name: 'b', type: 'string', default: '' },
    ]);
    expect(reg.testCompatibility('s', 'latest', { schema: next }, false, false)).toEqual({ is_compatible: false });
    const bOnly = rec([
      { name: 'b', type: 'string', default: '' },
      { name: 'c', type: 'int', default: 0 },
    ]);
    expect(reg.testCompatibility('s', undefined, { schema: bOnly }, false, false)).toEqual({ is_compatible: true });
    await reg.setConfig('s', { compatibility: 'BACKWARD_TRANSITIVE' });
    const needsA = rec([
      { name: 'a', type: 'int' },
      { name: 'b', type: 'string', default: '' },
    ]);
    expect(await code(reg.register('s', { schema: needsA }, false))).toBe(409);
  });

  it('FORWARD: the old schema must read the new one; FULL: both ways', async () => {
    const { reg } = fresh();
    await reg.register('s', { schema: A }, false);
    await reg.setConfig('s', { compatibility: 'FORWARD' });
    // AB (b without default) is forward compatible: A ignores b.
    expect(reg.testCompatibility('s', 'latest', { schema: AB }, false, false)).toEqual({ is_compatible: true });
    // Dropping a (no default in A) is not: A cannot read data without a.
    expect(reg.testCompatibility('s', 'latest', { schema: B }, false, false)).toEqual({ is_compatible: false });
    await reg.setConfig('s', { compatibility: 'FULL' });
    expect(reg.testCompatibility('s', 'latest', { schema: AB }, false, false)).toEqual({ is_compatible: false });
    expect(reg.testCompatibility('s', 'latest', { schema: AB_DEFAULT }, false, false)).toEqual({ is_compatible: true });
  });

  it('a schema of another type is incompatible under BACKWARD, accepted under NONE', async () => {
    const { reg } = fresh();
    await reg.register('s', { schema: A }, false);
    expect(await code(reg.register('s', { schemaType: 'JSON', schema: '{"type":"object"}' }, false))).toBe(409);
    await reg.setConfig(null, { compatibility: 'NONE' });
    expect(await reg.register('s', { schemaType: 'JSON', schema: '{"type":"object"}' }, false)).toEqual({ id: 2 });
  });
});

describe('deletes, configs and modes', () => {
  it('soft then permanent; a permanently deleted subject frees nothing of other subjects', async () => {
    const { topic, reg } = fresh();
    await reg.register('s', { schema: A }, false);
    await reg.register('t', { schema: A }, false);
    expect(await code(reg.deleteSubject('s', true))).toBe(40405);
    expect(await reg.deleteSubject('s', false)).toEqual([1]);
    expect(await code(reg.deleteSubject('s', false))).toBe(40404);
    expect(await code(() => reg.versions('s', false))).toBe(40401);
    expect(await reg.deleteSubject('s', true)).toEqual([1]);
    expect(reg.subjects(true, '')).toEqual(['t']);
    expect(reg.schemaById(1, '')).toEqual({ schema: A });
    // The tombstones replay to the same state.
    expect(topic.replay().subjects(true, '')).toEqual(['t']);
  });

  it('a referenced version cannot be deleted until its referrer is', async () => {
    const { reg } = fresh();
    const dep = JSON.stringify({ type: 'record', name: 'Dep', namespace: 'x', fields: [{ name: 'v', type: 'int' }] });
    await reg.register('dep', { schema: dep }, false);
    const main = JSON.stringify({
      type: 'record',
      name: 'Main',
      namespace: 'x',
      fields: [{ name: 'd', type: 'x.Dep' }],
    });
    await reg.register('main', { schema: main, references: [{ name: 'x.Dep', subject: 'dep', version: 1 }] }, false);
    expect(reg.referencedBy('dep', '1')).toEqual([2]);
    expect(await code(reg.deleteVersion('dep', '1', false))).toBe(42206);
    await reg.deleteSubject('main', false);
    expect(await reg.deleteVersion('dep', '1', false)).toBe(1);
    expect(
      await code(
        reg.register('m2', { schema: main, references: [{ name: 'x.Dep', subject: 'nope', version: 1 }] }, false),
      ),
    ).toBe(42201);
  });

  it('configs: global default BACKWARD, per subject, deleted back to the global one', async () => {
    const { reg } = fresh();
    expect(reg.getConfig(null, false)).toEqual({ compatibilityLevel: 'BACKWARD' });
    await reg.register('s', { schema: A }, false);
    expect(await code(() => reg.getConfig('s', false))).toBe(40408);
    expect(await reg.setConfig('s', { compatibility: 'full_transitive' })).toEqual({
      compatibility: 'FULL_TRANSITIVE',
    });
    expect(reg.getConfig('s', false)).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect(await reg.deleteConfig('s')).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect(reg.compatibilityOf('s')).toBe('BACKWARD');
    expect(await code(reg.setConfig('s', { compatibility: 'MOST' }))).toBe(42203);
  });

  it('READONLY refuses writes; IMPORT keeps the given id and version and refuses another schema under an id', async () => {
    const { reg } = fresh();
    await reg.setMode(null, { mode: 'READONLY' }, false);
    expect(await code(reg.register('s', { schema: A }, false))).toBe(42205);
    await reg.setMode(null, { mode: 'IMPORT' }, false);
    expect(await reg.register('s', { schema: A, id: 42, version: 7 }, false)).toEqual({ id: 42 });
    expect(reg.versionBody('s', '7', false, '')).toMatchObject({ id: 42, version: 7 });
    expect(await code(reg.register('t', { schema: B, id: 42 }, false))).toBe(42205);
    expect(await code(reg.register('t', { schema: B }, false))).toBe(42205);
    await reg.setMode(null, { mode: 'READWRITE' }, false);
    expect(await reg.register('u', { schema: B }, false)).toEqual({ id: 43 });
    // IMPORT on a registry with subjects needs force.
    expect(await code(reg.setMode(null, { mode: 'IMPORT' }, false))).toBe(42205);
    expect(await reg.setMode(null, { mode: 'IMPORT' }, true)).toEqual({ mode: 'IMPORT' });
  });
});

describe('the _schemas records', () => {
  it('round-trip in Confluent’s JSON and skip what a newer registry may write', () => {
    const schema: StoreRecord = {
      keytype: 'SCHEMA',
      subject: 's',
      version: 1,
      value: { subject: 's', version: 1, id: 5, schemaType: 'AVRO', references: [], schema: '"int"', deleted: false },
    };
    const e = encodeRecord(schema);
    expect(e.key.toString()).toBe('{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}');
    expect(e.value!.toString()).toBe('{"subject":"s","version":1,"id":5,"schema":"\\"int\\"","deleted":false}');
    expect(decodeRecord(e.key, e.value)).toEqual(schema);
    expect(
      encodeRecord({ keytype: 'CONFIG', subject: null, value: { compatibilityLevel: 'FULL' } }).key.toString(),
    ).toBe('{"keytype":"CONFIG","magic":0}');
    // Confluent 7+ writes these; a reader that does not know them skips them.
    expect(
      decodeRecord(Buffer.from('{"keytype":"CONTEXT","tenant":"default","context":".x","magic":0}'), Buffer.from('{}')),
    ).toBe(undefined);
    expect(decodeRecord(Buffer.from('not json'), null)).toBe(undefined);
    // A value with fields this registry does not use (metadata, ruleSet) still loads.
    const withExtras = decodeRecord(
      Buffer.from('{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}'),
      Buffer.from(
        '{"subject":"s","version":2,"id":6,"schemaType":"JSON","schema":"{}","metadata":{"tags":{}},"ruleSet":{},"deleted":true}',
      ),
    );
    expect(withExtras).toMatchObject({ keytype: 'SCHEMA', value: { id: 6, schemaType: 'JSON', deleted: true } });
  });
});
