// The built-in Schema Registry of `samsa start --schema-registry`, over HTTP as Confluent's
// clients use it: register, look up, versions, ids, config, mode, compatibility checks, soft and
// permanent deletes, with Confluent's status codes and `{"error_code","message"}` bodies for bad
// input (malformed JSON, unparsable schemas, huge bodies, unknown subjects and versions) that
// leave the stored schemas unchanged; the `_schemas` topic holds Confluent's key/value JSON
// (read back with kcat) and the schemas survive a restart; `samsa schemas …` does the same from
// the command line; a taken port is one line of error.
// One real `samsa start` process (restarted once on the same data dir).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runKcat, waitFor } from '../helpers/clients.ts';
import { nodeBinary, REPO_ROOT, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const CT = 'application/vnd.schemaregistry.v1+json';
let broker: RunningBroker;
let url: string;
const dataDir = makeTmpDir('samsa-registry-');

async function startWithRegistry(): Promise<void> {
  const b = await startBroker({ dataDir, args: ['--schema-registry', '--schema-registry-port', '0'] });
  broker = b;
  const m = await waitFor(
    () => /Schema Registry listening on (http:\/\/\S+)/.exec(b.output()) ?? undefined,
    10_000,
    'registry line',
  );
  url = m[1]!;
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url + path, {
    method,
    headers: { 'Content-Type': CT },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.headers.get('content-type')).toMatch(/schemaregistry|text\/plain/);
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const avro = (fields: unknown[]) => JSON.stringify({ type: 'record', name: 'User', namespace: 'com.example', fields });
const V1 = avro([{ name: 'name', type: 'string' }]);
const V2 = avro([
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int', default: 0 },
]);
const BAD_V2 = avro([
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int' },
]);

beforeAll(startWithRegistry);
afterAll(async () => {
  await broker?.dispose();
  removeTmpDir(dataDir);
});

describe('a developer registering schemas', () => {
  it('registers Avro versions, gets the same id for the same schema, and a 409 for an incompatible one', async () => {
    expect(await call('GET', '/subjects')).toEqual({ status: 200, json: [] });
    const r1 = await call('POST', '/subjects/users-value/versions', { schema: V1 });
    expect(r1).toEqual({ status: 200, json: { id: 1 } });
    // Whitespace and key order do not make another schema.
    const again = await call('POST', '/subjects/users-value/versions', {
      schema: JSON.stringify(JSON.parse(V1), null, 2),
    });
    expect(again.json).toEqual({ id: 1 });
    const bad = await call('POST', '/subjects/users-value/versions', { schema: BAD_V2 });
    expect(bad.status).toBe(409);
    expect(bad.json.error_code).toBe(409);
    expect(bad.json.message).toContain(
      'Schema being registered is incompatible with an earlier schema for subject "users-value"',
    );
    expect(bad.json.message).toContain(
      "The field 'age' in the new schema has no default value and is missing in the old schema",
    );
    expect(await call('POST', '/subjects/users-value/versions', { schema: V2 })).toEqual({
      status: 200,
      json: { id: 2 },
    });
    // The same schema in another subject keeps its id.
    expect((await call('POST', '/subjects/other-value/versions', { schema: V1 })).json).toEqual({ id: 1 });
    expect((await call('GET', '/subjects')).json).toEqual(['other-value', 'users-value']);
    expect((await call('GET', '/subjects/users-value/versions')).json).toEqual([1, 2]);
    expect((await call('GET', '/subjects/users-value/versions/latest')).json).toEqual({
      subject: 'users-value',
      version: 2,
      id: 2,
      schema: JSON.stringify(JSON.parse(V2)),
    });
    expect((await call('GET', '/schemas/ids/1')).json).toEqual({ schema: V1 });
    expect((await call('GET', '/schemas/ids/1/versions')).json).toEqual([
      { subject: 'other-value', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
    expect((await call('GET', '/schemas/types')).json).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
    const looked = await call('POST', '/subjects/users-value', { schema: V1 });
    expect(looked.json).toMatchObject({ subject: 'users-value', version: 1, id: 1 });
  });

  it('registers Protobuf and JSON Schema, and resolves a reference to another subject', async () => {
    const dep = 'syntax = "proto3";\npackage acme;\n\nmessage Address {\n  string street = 1;\n}\n';
    expect((await call('POST', '/subjects/address/versions', { schemaType: 'PROTOBUF', schema: dep })).status).toBe(
      200,
    );
    const order = await call('POST', '/subjects/orders-value/versions', {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; package acme; import "address.proto"; message Order { Address to = 1; }',
      references: [{ name: 'address.proto', subject: 'address', version: 1 }],
    });
    expect(order.status).toBe(200);
    const got = await call('GET', `/schemas/ids/${order.json.id}`);
    expect(got.json.schemaType).toBe('PROTOBUF');
    expect(got.json.references).toEqual([{ name: 'address.proto', subject: 'address', version: 1 }]);
    const addressId = (await call('GET', '/subjects/address/versions/1')).json.id;
    expect((await call('GET', '/subjects/address/versions/1/referencedby')).json).toEqual([order.json.id]);
    // A referenced version cannot be deleted.
    const del = await call('DELETE', '/subjects/address/versions/1');
    expect(del).toMatchObject({ status: 422, json: { error_code: 42206 } });
    expect(addressId).toBeGreaterThan(0);
    const js = await call('POST', '/subjects/events-value/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } }),
    });
    expect(js.status).toBe(200);
    expect((await call('GET', '/subjects/events-value/versions/1')).json.schemaType).toBe('JSON');
  });

  it('answers bad input with Confluent’s error bodies and stores nothing', async () => {
    const before = (await call('GET', '/subjects')).json;
    expect(await call('POST', '/subjects/x/versions', '{not json')).toMatchObject({
      status: 400,
      json: { error_code: 400 },
    });
    expect(await call('POST', '/subjects/x/versions', { schema: '{"type":"recordx"}' })).toMatchObject({
      status: 422,
      json: { error_code: 42201 },
    });
    expect(await call('POST', '/subjects/x/versions', { schemaType: 'PROTOBUF', schema: 'message {' })).toMatchObject({
      status: 422,
      json: { error_code: 42201 },
    });
    const huge = await call('POST', '/subjects/x/versions', { schema: `"${'a'.repeat(9 * 1024 * 1024)}"` });
    expect(huge).toMatchObject({ status: 413, json: { error_code: 413 } });
    expect(await call('GET', '/subjects/nope/versions')).toEqual({
      status: 404,
      json: { error_code: 40401, message: "Subject 'nope' not found." },
    });
    expect(await call('GET', '/subjects/users-value/versions/9')).toEqual({
      status: 404,
      json: { error_code: 40402, message: 'Version 9 not found.' },
    });
    expect((await call('GET', '/subjects/users-value/versions/abc')).json.error_code).toBe(42202);
    expect((await call('GET', '/schemas/ids/999')).json).toEqual({
      error_code: 40403,
      message: 'Schema 999 not found',
    });
    expect((await call('POST', '/subjects/users-value', { schema: '"string"' })).json.error_code).toBe(40403);
    expect((await call('PUT', '/config', { compatibility: 'SIDEWAYS' })).json.error_code).toBe(42203);
    expect((await call('GET', '/no/such/route')).status).toBe(404);
    expect((await call('PATCH', '/subjects')).status).toBe(405);
    expect((await call('GET', '/subjects')).json).toEqual(before);
  });

  it('sets compatibility per subject and globally, and checks a schema before registering it', async () => {
    expect((await call('GET', '/config')).json).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call('GET', '/config/users-value')).json.error_code).toBe(40408);
    expect((await call('GET', '/config/users-value?defaultToGlobal=true')).json).toEqual({
      compatibilityLevel: 'BACKWARD',
    });
    const check = await call('POST', '/compatibility/subjects/users-value/versions/1?verbose=true', {
      schema: BAD_V2,
    });
    expect(check.json.is_compatible).toBe(false);
    expect(check.json.messages.length).toBeGreaterThan(0);
    expect((await call('PUT', '/config/users-value', { compatibility: 'NONE' })).json).toEqual({
      compatibility: 'NONE',
    });
    expect((await call('GET', '/config/users-value')).json).toEqual({ compatibilityLevel: 'NONE' });
    expect((await call('POST', '/compatibility/subjects/users-value/versions/1', { schema: BAD_V2 })).json).toEqual({
      is_compatible: true,
    });
    // Ids so far: 1, 2 (users), 3, 4 (address, orders), 5 (events).
    expect((await call('POST', '/subjects/users-value/versions', { schema: BAD_V2 })).json).toEqual({ id: 6 });
    // FORWARD: the old schema must read the new one's data — adding a field without default is fine, removing one is not.
    expect((await call('PUT', '/config/users-value', { compatibility: 'FORWARD' })).status).toBe(200);
    const removed = await call('POST', '/subjects/users-value/versions', { schema: V1 });
    expect(removed.json).toEqual({ id: 1 }); // v1 is still a live version of the subject: same id, no new version
  });

  it('READONLY mode refuses writes until READWRITE again', async () => {
    expect((await call('PUT', '/mode/other-value', { mode: 'READONLY' })).json).toEqual({ mode: 'READONLY' });
    const refused = await call('POST', '/subjects/other-value/versions', { schema: V2 });
    expect(refused).toMatchObject({ status: 422, json: { error_code: 42205 } });
    expect((await call('GET', '/mode')).json).toEqual({ mode: 'READWRITE' });
    expect((await call('PUT', '/mode/other-value', { mode: 'READWRITE' })).status).toBe(200);
    expect((await call('PUT', '/mode', { mode: 'BOGUS' })).json.error_code).toBe(42204);
  });

  it('deletes softly first, then permanently', async () => {
    expect((await call('DELETE', '/subjects/other-value?permanent=true')).json.error_code).toBe(40405);
    expect((await call('DELETE', '/subjects/other-value')).json).toEqual([1]);
    expect((await call('GET', '/subjects/other-value/versions')).json.error_code).toBe(40401);
    expect((await call('GET', '/subjects?deleted=true')).json).toContain('other-value');
    expect((await call('GET', '/subjects')).json).not.toContain('other-value');
    expect((await call('DELETE', '/subjects/other-value')).json.error_code).toBe(40404);
    expect((await call('DELETE', '/subjects/other-value?permanent=true')).json).toEqual([1]);
    expect((await call('GET', '/subjects?deleted=true')).json).not.toContain('other-value');
    // Id 1 lives on in users-value.
    expect((await call('GET', '/schemas/ids/1/subjects')).json).toEqual(['users-value']);
    expect((await call('DELETE', '/subjects/users-value/versions/3')).json).toBe(3);
    expect((await call('DELETE', '/subjects/users-value/versions/3')).json.error_code).toBe(40406);
    expect((await call('GET', '/subjects/users-value/versions')).json).toEqual([1, 2]);
  });

  it('keeps every change in _schemas as Confluent’s key/value JSON, and answers the same after a restart', async () => {
    const r = await runKcat(['-b', broker.bootstrap, '-C', '-t', '_schemas', '-e', '-q', '-f', '%k\t%s\n']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `{"keytype":"SCHEMA","subject":"users-value","version":1,"magic":1}\t{"subject":"users-value","version":1,"id":1,"schema":${JSON.stringify(V1)},"deleted":false}`,
    );
    expect(lines).toContain(
      '{"keytype":"CONFIG","subject":"users-value","magic":0}\t{"subject":"users-value","compatibilityLevel":"NONE"}',
    );
    expect(lines).toContain(
      '{"keytype":"DELETE_SUBJECT","subject":"other-value","magic":0}\t{"subject":"other-value","version":1}',
    );
    const snapshot = async () => ({
      subjects: (await call('GET', '/subjects?deleted=true')).json,
      versions: (await call('GET', '/subjects/users-value/versions?deleted=true')).json,
      latest: (await call('GET', '/subjects/users-value/versions/latest')).json,
      config: (await call('GET', '/config/users-value')).json,
      orders: (await call('GET', '/subjects/orders-value/versions/1')).json,
    });
    const before = await snapshot();
    await broker.stop();
    await startWithRegistry();
    expect(await snapshot()).toEqual(before);
    // Ids continue after the highest one stored (6).
    expect((await call('POST', '/subjects/fresh-value/versions', { schema: '"long"' })).json).toEqual({ id: 7 });
  });

  it('samsa schemas registers, lists, gets, checks, configures and deletes from the command line', async () => {
    const dir = makeTmpDir('samsa-schemas-cli-');
    try {
      const v1 = join(dir, 'v1.avsc');
      const bad = join(dir, 'bad.avsc');
      writeFileSync(v1, avro([{ name: 'id', type: 'long' }]));
      writeFileSync(bad, avro([{ name: 'id', type: 'string' }]));
      const cli = (...a: string[]) =>
        run(nodeBinary(), [join(REPO_ROOT, 'bin', 'samsa.js'), 'schemas', ...a, '--registry', url]);
      const reg = await cli('register', 'cli-value', '--file', v1);
      expect(reg.code).toBe(0);
      expect(reg.stdout).toMatch(/^registered under cli-value: id \d+\n$/);
      expect((await cli('list')).stdout.split('\n')).toContain('cli-value');
      expect((await cli('versions', 'cli-value')).stdout).toBe('1\n');
      expect(JSON.parse((await cli('get', 'cli-value')).stdout)).toMatchObject({ subject: 'cli-value', version: 1 });
      const compat = await cli('compat', 'cli-value', '--file', bad);
      expect(compat.code).toBe(1);
      expect(compat.stdout).toMatch(/^incompatible\n/);
      expect((await cli('config', 'cli-value', '--set', 'FULL')).stdout).toBe('FULL\n');
      expect((await cli('config', 'cli-value')).stdout).toBe('FULL\n');
      const missing = await cli('get', 'cli-missing');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe("samsa schemas: Subject 'cli-missing' not found. (HTTP 404, error_code 40401)\n");
      expect((await cli('delete', 'cli-value')).stdout).toBe('deleted cli-value version(s) 1\n');
      expect((await cli('delete', 'cli-value', '--permanent')).code).toBe(0);
    } finally {
      removeTmpDir(dir);
    }
  });

  it('a taken registry port stops samsa start with one line saying so', async () => {
    const port = Number(new URL(url).port);
    const other = await startBroker({ args: ['--schema-registry', '--schema-registry-port', String(port)] }).catch(
      (e: Error) => e,
    );
    if (!(other instanceof Error)) {
      await other.dispose();
      throw new Error('a second registry on a taken port started');
    }
    expect(other.message).toContain('code 1');
    expect(other.message).toContain(
      `samsa: schema registry: port ${port} on 127.0.0.1 is already in use; pick another with --schema-registry-port`,
    );
  });
});
