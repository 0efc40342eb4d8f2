// The built-in Schema Registry with a real, independent client: confluent-kafka's Python
// SchemaRegistryClient and its Avro, Protobuf and JSON Schema serializers from PyPI
// (test/peers/python/sr_peer.py in the venv test/peers/setup.sh makes). Each serializer
// registers its schema (auto.register.schemas, the default), produces records framed with the
// schema id through the cluster, and its deserializer reads them back, fetching the writer's
// schema by id; the client also lists versions, looks a schema up, tests compatibility and gets
// Confluent's 409 and 40401 answers. Confluent's registry itself is not on Maven Central, so
// there is no registry control; the Kafka side has one: the same registry code stores its
// `_schemas` on real Apache Kafka first (in this process, against Kafka's broker), then runs in
// `samsa start --schema-registry` with one broker and with `--brokers 3`, where the `_schemas`
// leader is then killed and the registry must keep registering and serving.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { run, runKcat, waitFor } from '../helpers/clients.ts';
import { KAFKA_VERSION, startKafka } from '../helpers/kafka-peer.ts';
import { REPO_ROOT, startBroker } from '../helpers/spawn-broker.ts';
import { startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';
import { startSchemaRegistry } from '../../core/registry/server.ts';

const VENV_PYTHON = join(REPO_ROOT, 'test', 'peers', 'python', '.venv', 'bin', 'python');
const DRIVER = join(REPO_ROOT, 'test', 'peers', 'python', 'sr_peer.py');
const COUNT = 500;

interface Target {
  bootstrap: string;
  registry: string;
  cluster?: RunningCluster;
  stop(): Promise<void>;
}

const registryUrl = async (output: () => string) =>
  (
    await waitFor(
      () => /Schema Registry listening on (http:\/\/\S+)/.exec(output()) ?? undefined,
      20_000,
      'registry line',
    )
  )[1]!;

const TARGETS: { name: string; start(): Promise<Target> }[] = [
  {
    name: `Kafka ${KAFKA_VERSION} (the registry storing on Kafka)`,
    async start() {
      const k = await startKafka({ brokers: 1 });
      const r = await startSchemaRegistry({ bootstrap: k.bootstrap.split(','), port: 0 });
      return {
        bootstrap: k.bootstrap,
        registry: r.url,
        stop: async () => {
          await r.close();
          await k.stop();
        },
      };
    },
  },
  {
    name: 'Samsa',
    async start() {
      const b = await startBroker({ args: ['--schema-registry', '--schema-registry-port', '0'] });
      return { bootstrap: b.bootstrap, registry: await registryUrl(() => b.output()), stop: () => b.dispose() };
    },
  },
  {
    name: 'Samsa --brokers 3',
    async start() {
      const c = await startCluster({ brokers: 3, args: ['--schema-registry', '--schema-registry-port', '0'] });
      return {
        bootstrap: c.bootstrap,
        registry: await registryUrl(() => c.output()),
        cluster: c,
        stop: () => c.dispose(),
      };
    },
  },
];

async function driver(t: Target, prefix: string): Promise<any> {
  const r = await run(
    VENV_PYTHON,
    [DRIVER, JSON.stringify({ bootstrap: t.bootstrap, registry: t.registry, prefix, count: COUNT })],
    {
      timeoutMs: 240_000,
    },
  );
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.code !== 0 || !last.startsWith('{'))
    throw new Error(`sr_peer.py failed (code ${r.code})\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  return JSON.parse(last);
}

/** The `_schemas` partition's leader and replicas, from kcat's metadata. */
async function schemasPartition(bootstrap: string): Promise<{ leader: number; replicas: number[] }> {
  const r = await runKcat(['-b', bootstrap, '-L', '-t', '_schemas', '-J']);
  const p = JSON.parse(r.stdout).topics[0].partitions[0];
  return { leader: p.leader, replicas: p.replicas.map((x: { id: number }) => x.id) };
}

const walls: string[] = [];
afterAll(() => {
  if (walls.length) console.log(`schema registry peer wall times:\n${walls.join('\n')}`);
});

for (const target of TARGETS) {
  describe(target.name, () => {
    let t: Target;
    afterAll(async () => {
      await t?.stop();
    });

    it('confluent-kafka serializers produce and consume Avro, Protobuf and JSON Schema records through the registry', async () => {
      const started = Date.now();
      t = await target.start();
      const res = await driver(t, `sr-${Date.now()}`);
      walls.push(`  ${target.name}: ${Date.now() - started} ms`);
      // Avro: two versions registered by the serializers, every record back as written.
      expect(res.avro.wrong).toBe(0);
      expect(res.avro.versions).toEqual([1, 2]);
      expect(res.avro.ids).toEqual([res.avro.v1Id, res.avro.latestId]);
      expect(res.avro.latestVersion).toBe(2);
      expect(res.avro.incompatible).toMatchObject({ status: 409, code: 409 });
      expect(res.avro.incompatible.message).toContain("The field 'age' in the new schema has no default value");
      expect(res.avro.compatible).toBe(false);
      expect(res.avro.lookupVersion).toBe(1);
      expect(res.avro.missing).toMatchObject({ status: 404, code: 40401 });
      expect(res.avro.compatibility).toBe('BACKWARD');
      // Protobuf: registered as a serialized descriptor, stored and served as .proto text.
      expect(res.protobuf.wrong).toBe(0);
      expect(res.protobuf.ids).toEqual([res.protobuf.latestId]);
      expect(res.protobuf.schemaType).toBe('PROTOBUF');
      expect(res.protobuf.schema).toBe(
        'syntax = "proto3";\npackage samsa.test;\n\nmessage Order {\n  int64 id = 1;\n  string item = 2;\n  repeated string tags = 3;\n}\n',
      );
      // JSON Schema.
      expect(res.json.wrong).toBe(0);
      expect(res.json.ids).toEqual([res.json.latestId]);
      expect(res.json.schemaType).toBe('JSON');
      expect(res.json.invalid).toBe('SerializationError');
      expect(res.subjects).toHaveLength(3);
      // The store: one compacted partition, replicated as widely as the cluster allows (up to 3).
      const p = await schemasPartition(t.bootstrap);
      expect(p.replicas).toHaveLength(t.cluster ? 3 : 1);
    });

    if (target.name === 'Samsa --brokers 3')
      it('keeps registering and serving when the _schemas leader is killed', async () => {
        const c = t.cluster!;
        const { leader } = await schemasPartition(t.bootstrap);
        const killed = await c.broker(['kill', '--id', String(leader)]);
        expect(killed.code).toBe(0);
        const res = await fetch(`${t.registry}/subjects/after-failover-value/versions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify({
            schema: '{"type":"record","name":"AfterFailover","fields":[{"name":"a","type":"int"}]}',
          }),
        });
        expect(res.status).toBe(200);
        const { id } = (await res.json()) as { id: number };
        const back = await (await fetch(`${t.registry}/schemas/ids/${id}`)).json();
        expect(back).toEqual({
          schema: '{"type":"record","name":"AfterFailover","fields":[{"name":"a","type":"int"}]}',
        });
        const now = await waitFor(
          async () => {
            const q = await schemasPartition(t.bootstrap).catch(() => undefined);
            return q && q.leader !== leader && q.leader > 0 ? q : undefined;
          },
          30_000,
          'a new _schemas leader',
        );
        expect(now.leader).not.toBe(leader);
      });
  });
}
