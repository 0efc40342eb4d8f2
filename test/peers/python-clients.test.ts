// Current Python clients from PyPI against Samsa, with real Apache Kafka as the control:
// confluent-kafka 2.x (its wheel bundles librdkafka), kafka-python 3.x and aiokafka, from
// test/peers/python/requirements.txt in test/peers/python/.venv (test/peers/setup.sh makes it).
// (Debian's python3-confluent-kafka and python3-kafka stay covered by test/integration.)
//
// Every scenario runs against real Kafka (one combined node) first, then Samsa with one broker
// (`samsa start`), then Samsa with three (`samsa start --brokers 3`), one target at a time. Each
// client starts from its default configuration: bootstrap servers, a group id and only what the
// scenario is about. The drivers (test/peers/python/*_peer.py) use the integration tests' data
// set (record i: key "key-<i>", partition i % P) and print per-partition digests, which are
// compared here with what producing the data set gives; every record also carries headers,
// checked by the drivers. Scenarios: admin create/describe/delete (each CreateTopics timed);
// produce with every codec, keys and headers, acks 0/1/all and idempotence; consume it all back
// in a consumer group; commit and resume in a new consumer; list/describe groups and their
// offsets; offsets for times; with confluent-kafka also two KIP-848 members
// (group.protocol=consumer) sharing a topic, and consumption at max.partition.fetch.bytes 1 MiB
// (the default) and 10 MiB, whose rates are printed, not asserted (throughput belongs in the bench).
// Each scenario's wall time per client and target is printed as a table when the file ends.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedSummary, PartitionDigest, keyOf, run, uniqueTopic, valueOf } from '../helpers/clients.ts';
import { KAFKA_VERSION, startKafka } from '../helpers/kafka-peer.ts';
import { REPO_ROOT, startBroker } from '../helpers/spawn-broker.ts';
import { startCluster } from '../helpers/spawn-cluster.ts';

const DRIVERS = join(REPO_ROOT, 'test', 'peers', 'python');
const VENV_PYTHON = join(DRIVERS, '.venv', 'bin', 'python');

/** Partitions of the data topics; records per produce variant. */
const P = 4;
const COUNT = 2_000;
/** The fetch-size scenario: 100-byte records over 4 partitions. */
const FETCH_RECORDS = 300_000;
const MIB = 1024 * 1024;

// ---- targets and clients -------------------------------------------------------------------

interface Running {
  bootstrap: string;
  stop(): Promise<void>;
}
const TARGETS: { name: string; start(): Promise<Running> }[] = [
  {
    name: `Kafka ${KAFKA_VERSION}`,
    async start() {
      const k = await startKafka({ brokers: 1 });
      return { bootstrap: k.bootstrap, stop: () => k.stop() };
    },
  },
  {
    name: 'Samsa',
    async start() {
      const b = await startBroker();
      return { bootstrap: b.bootstrap, stop: () => b.dispose() };
    },
  },
  {
    name: 'Samsa --brokers 3',
    async start() {
      const c = await startCluster({ brokers: 3 });
      return { bootstrap: c.bootstrap, stop: () => c.dispose() };
    },
  },
];

interface Client {
  name: string;
  script: string;
  /** KIP-848 (group.protocol=consumer): only librdkafka among these. */
  consumerProtocol: boolean;
}
const CLIENTS: Client[] = [
  { name: 'confluent-kafka', script: 'ck_peer.py', consumerProtocol: true },
  { name: 'kafka-python', script: 'kp_peer.py', consumerProtocol: false },
  { name: 'aiokafka', script: 'aio_peer.py', consumerProtocol: false },
];

/** What each produce variant sets beyond the defaults; every variant gets its own topic. */
const VARIANTS: { name: string; codec?: string; acks?: 0 | 1 | 'all'; idempotence?: boolean }[] = [
  { name: 'none', codec: 'none' },
  { name: 'gzip', codec: 'gzip' },
  { name: 'snappy', codec: 'snappy' },
  { name: 'lz4', codec: 'lz4' },
  { name: 'zstd', codec: 'zstd' },
  { name: 'acks0', acks: 0 },
  { name: 'acks1', acks: 1 },
  { name: 'acksall', acks: 'all' },
  { name: 'idempotent', idempotence: true },
];

// ---- the drivers ---------------------------------------------------------------------------

/** Runs a driver with the venv's python and parses the JSON object it prints last. */
async function driver<T>(script: string, args: Record<string, unknown>, timeoutMs = 150_000): Promise<T> {
  // No .pyc files in the checkout.
  const r = await run(VENV_PYTHON, [join(DRIVERS, script), JSON.stringify(args)], {
    timeoutMs,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !last.startsWith('{')) {
    throw new Error(
      `${script} ${JSON.stringify(args).slice(0, 300)} failed (code ${r.code}, signal ${r.signal})\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-4000)}`,
    );
  }
  return JSON.parse(last) as T;
}

interface Summary {
  count: number;
  digest: string;
  first_offset: number;
  last_offset: number;
  offsets_increasing: boolean;
}
type Topics = Record<string, Record<string, Summary>>;
interface CommitError {
  partition: number;
  code: number;
  name: string;
}

/** Digest of partition p's records from offset `from` to `to` (exclusive) of the data set of `total` records. */
function digestRange(p: number, from: number, to: number): { count: number; digest: string } {
  const d = new PartitionDigest();
  for (let o = from; o < to; o++) {
    const i = o * P + p;
    d.add(keyOf(i), valueOf(i));
  }
  return { count: d.count, digest: d.hex() };
}

function expectDataSet(got: Record<string, Summary> | undefined, count: number, what: string): void {
  const summary: Record<string, { count: number; digest: string }> = {};
  for (const [p, s] of Object.entries(got ?? {})) summary[p] = { count: s.count, digest: s.digest };
  expect(summary, what).toEqual(expectedSummary(count, P));
  for (const [p, s] of Object.entries(got ?? {})) {
    expect(s.offsets_increasing, `${what}: partition ${p} offsets increase`).toBe(true);
    expect([s.first_offset, s.last_offset], `${what}: partition ${p} offsets are dense from 0`).toEqual([
      0,
      s.count - 1,
    ]);
  }
}

// ---- timings -------------------------------------------------------------------------------

const times = new Map<string, Map<string, string>>();
function note(row: string, column: string, value: string): void {
  let r = times.get(row);
  if (!r) times.set(row, (r = new Map()));
  r.set(column, value);
}
async function timed<T>(scenario: string, column: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    const v = await fn();
    note(scenario, column, `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return v;
  } catch (e) {
    note(scenario, column, `FAIL ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    throw e;
  }
}

afterAll(() => {
  const columns = [...new Set([...times.values()].flatMap((r) => [...r.keys()]))];
  const lines = [
    `| scenario | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    ...[...times.entries()].map(([row, r]) => `| ${row} | ${columns.map((c) => r.get(c) ?? '').join(' | ')} |`),
  ];
  console.log(`Python clients from PyPI: wall time per scenario\n${lines.join('\n')}`);
});

// ---- the scenarios -------------------------------------------------------------------------

for (const target of TARGETS) {
  describe(target.name, () => {
    let t: Running | undefined;
    beforeAll(async () => {
      if (!existsSync(VENV_PYTHON)) {
        throw new Error(`The PyPI clients' venv is missing (${VENV_PYTHON}): run test/peers/setup.sh (.ci/run does).`);
      }
      const t0 = Date.now();
      t = await target.start();
      note('(target start)', target.name, `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
    afterAll(async () => {
      await t?.stop();
    });
    const boot = (): string => t!.bootstrap;

    for (const client of CLIENTS) {
      describe(client.name, () => {
        const column = `${target.name}`;
        const call = <T>(cmd: string, args: Record<string, unknown>, timeoutMs?: number): Promise<T> =>
          driver<T>(client.script, { cmd, bootstrap: boot(), ...args }, timeoutMs);
        const row = (scenario: string): string => `${client.name}: ${scenario}`;
        const topics: Record<string, string> = {};
        let produced = false;
        let timestampBase = 0;

        it('creates, describes and deletes topics with the admin client', async () => {
          const [a, b] = [uniqueTopic(`py-adm-a`), uniqueTopic(`py-adm-b`)];
          const r = await timed(row('admin create/describe/delete'), column, () =>
            call<{
              create: Record<string, number>;
              create_ms: number;
              create_again: number;
              describe: Record<string, { partitions?: number; leaders?: number[]; error?: number }>;
              delete: number;
              delete_ms: number;
              gone: boolean;
              others_listed: boolean;
              delete_missing: number;
            }>('admin', { topics: [a, b], partitions: 3 }),
          );
          note(row('  CreateTopics (2 topics) ms'), column, String(r.create_ms));
          note(row('  DeleteTopics ms'), column, String(r.delete_ms));
          expect(r.create, 'CreateTopics of two new topics').toEqual({ [a]: 0, [b]: 0 });
          expect(r.create_again, 'CreateTopics of an existing topic: TOPIC_ALREADY_EXISTS').toBe(36);
          for (const name of [a, b]) {
            expect(r.describe[name]?.partitions, `${name} partitions`).toBe(3);
            for (const leader of r.describe[name]!.leaders!) expect(leader).toBeGreaterThanOrEqual(0);
          }
          expect(r.delete).toBe(0);
          expect(r.gone, 'the deleted topic leaves the metadata').toBe(true);
          expect(r.others_listed, 'the other topic stays').toBe(true);
          expect(r.delete_missing, 'DeleteTopics of a missing topic: UNKNOWN_TOPIC_OR_PARTITION').toBe(3);
        });

        it('produces with every codec, keys and headers, acks 0/1/all and idempotence', async () => {
          for (const v of VARIANTS) topics[v.name] = uniqueTopic(`py-${v.name}`);
          // Setup, not the scenario: kafka-python 3 creates the topics (its CreateTopics is
          // answered at once everywhere; each client's own is timed in the admin scenario).
          const created = await driver<{ results: Record<string, number>; create_ms: number }>('kp_peer.py', {
            cmd: 'create_topics',
            bootstrap: boot(),
            topics: VARIANTS.map((v) => topics[v.name]),
            partitions: P,
          });
          expect(Object.values(created.results)).toEqual(VARIANTS.map(() => 0));
          timestampBase = Date.now() - 3_600_000;
          const r = await timed(row('produce (9 variants)'), column, () =>
            call<{ results: Record<string, { acked: number; errors: unknown[] }> }>('produce', {
              variants: VARIANTS.map((v) => ({
                name: v.name,
                topic: topics[v.name],
                count: COUNT,
                partitions: P,
                codec: v.codec,
                acks: v.acks,
                idempotence: v.idempotence,
                ...(v.name === 'none' ? { timestamp_base: timestampBase } : {}),
              })),
            }),
          );
          for (const v of VARIANTS) {
            expect({ variant: v.name, ...r.results[v.name] }).toMatchObject({
              variant: v.name,
              errors: [],
              acked: COUNT,
            });
          }
          produced = true;
        });

        it('consumes everything back in a consumer group', async () => {
          expect(produced, 'needs the produce scenario').toBe(true);
          const expected = Object.fromEntries(VARIANTS.map((v) => [topics[v.name]!, COUNT]));
          const r = await timed(row('consume all in a group'), column, () =>
            call<{ topics: Topics; header_errors: unknown[]; errors: unknown[]; close_error?: string }>(
              'consume_group',
              {
                group: uniqueTopic('py-all'),
                expected,
              },
            ),
          );
          expect(r.errors).toEqual([]);
          expect(r.close_error, 'the consumer closes').toBeUndefined();
          expect(r.header_errors, 'every record has its headers').toEqual([]);
          for (const v of VARIANTS) expectDataSet(r.topics[topics[v.name]!], COUNT, `variant ${v.name}`);
        });

        it('commits offsets and resumes from them in a new consumer', async () => {
          expect(produced, 'needs the produce scenario').toBe(true);
          const topic = topics.none!;
          const first = (COUNT * 2) / 5;
          const r = await timed(row('commit + resume'), column, () =>
            call<{
              commit_errors: CommitError[];
              first: { topics: Topics; committed: Record<string, number> };
              second: { topics: Topics; header_errors: unknown[] };
              second_commit_errors: CommitError[];
            }>('commit_resume', { group: uniqueTopic('py-resume'), topic, partitions: P, total: COUNT, first }),
          );
          expect(r.commit_errors, 'the first consumer commits what it read').toEqual([]);
          expect(r.second_commit_errors, 'the second consumer commits its position').toEqual([]);
          const a = r.first.topics[topic] ?? {};
          const b = r.second.topics[topic] ?? {};
          let firstTotal = 0;
          for (let p = 0; p < P; p++) {
            const end = COUNT / P;
            const committed = r.first.committed[String(p)] ?? 0;
            firstTotal += a[String(p)]?.count ?? 0;
            if (committed > 0) {
              expect(a[String(p)], `partition ${p}: read before the commit`).toMatchObject(
                digestRange(p, 0, committed),
              );
            }
            if (committed < end) {
              expect(b[String(p)], `partition ${p}: resumed at the committed offset ${committed}`).toMatchObject({
                first_offset: committed,
                ...digestRange(p, committed, end),
              });
            } else expect(b[String(p)], `partition ${p} was read to its end before`).toBeUndefined();
          }
          expect(firstTotal).toBe(first);
          expect(r.second.header_errors).toEqual([]);
        });

        it('lists and describes its consumer group and the committed offsets', async () => {
          expect(produced, 'needs the produce scenario').toBe(true);
          const group = uniqueTopic('py-groups');
          const r = await timed(row('list/describe groups + offsets'), column, () =>
            call<{
              consumed: number;
              commit_errors: CommitError[];
              listed: { state: string | null; simple: boolean } | null;
              described: { state: string; protocol_type: string; members: number; assigned: number[] };
              offsets: Record<string, number>;
            }>('groups', { group, topic: topics.none, expected: COUNT }),
          );
          expect(r.consumed).toBe(COUNT);
          expect(r.commit_errors).toEqual([]);
          expect(r.listed, 'the group is listed').not.toBeNull();
          expect(r.listed!.simple).toBe(false);
          // aiokafka's ListGroups (v0–v2) has no state; the others must say stable.
          if (r.listed!.state !== null) expect(r.listed!.state).toBe('stable');
          expect(r.described).toEqual({
            state: 'stable',
            protocol_type: 'consumer',
            members: 1,
            assigned: [0, 1, 2, 3],
          });
          expect(r.offsets).toEqual(Object.fromEntries([...Array(P).keys()].map((p) => [String(p), COUNT / P])));
        });

        it('finds offsets for times', async () => {
          expect(produced, 'needs the produce scenario').toBe(true);
          const probes = [0, 17, 1_003, COUNT - 1, COUNT + 100];
          const r = await timed(row('offsets for times'), column, () =>
            call<{ offsets: Record<string, Record<string, number>> }>('offsets_for_times', {
              topic: topics.none,
              partitions: P,
              timestamps: probes.map((j) => timestampBase + j),
            }),
          );
          for (const j of probes) {
            const want: Record<string, number> = {};
            for (let p = 0; p < P; p++) {
              // The first record of partition p with timestamp >= base + j: record i = o*P + p has base + i.
              const o = Math.max(0, Math.ceil((j - p) / P));
              want[String(p)] = o * P + p < COUNT ? o : -1;
            }
            expect(r.offsets[String(timestampBase + j)], `timestamp base+${j}`).toEqual(want);
          }
        });

        if (client.consumerProtocol) {
          it('shares a topic between two KIP-848 consumers (group.protocol=consumer)', async () => {
            const topic = uniqueTopic('py-kip848');
            await driver('kp_peer.py', { cmd: 'create_topics', bootstrap: boot(), topics: [topic], partitions: 3 });
            const count = 3_000;
            const r = await timed(row('KIP-848: two members, commits'), column, () =>
              call<{
                assignments: number[][];
                unique: number;
                duplicates: number;
                read_partitions: number[][];
                commit_errors: CommitError[];
                errors: unknown[];
                committed: Record<string, number>;
              }>('kip848', { group: uniqueTopic('py-kip848'), topic, partitions: 3, count, timeout_s: 90 }),
            );
            const [m1, m2] = r.assignments;
            expect(
              m1!.length * m2!.length,
              `each member has partitions: ${JSON.stringify(r.assignments)}`,
            ).toBeGreaterThan(0);
            expect([...m1!, ...m2!].sort()).toEqual([0, 1, 2]);
            expect(r.errors).toEqual([]);
            expect({ unique: r.unique, duplicates: r.duplicates }).toEqual({ unique: count, duplicates: 0 });
            expect(r.read_partitions, 'each member read its own partitions').toEqual(r.assignments);
            expect(r.commit_errors, 'every commit succeeds').toEqual([]);
            expect(r.committed, 'committed offsets of every partition').toEqual({ 0: 1000, 1: 1000, 2: 1000 });
          });

          it('consumes 100-byte records at max.partition.fetch.bytes 1 MiB (default) and 10 MiB', async () => {
            const topic = uniqueTopic('py-fetch');
            await driver('kp_peer.py', { cmd: 'create_topics', bootstrap: boot(), topics: [topic], partitions: P });
            const prod = await driver<{ unflushed: number }>(
              client.script,
              { cmd: 'fetch_produce', bootstrap: boot(), topic, partitions: P, count: FETCH_RECORDS },
              240_000,
            );
            expect(prod.unflushed).toBe(0);
            for (const size of [undefined, 10 * MIB]) {
              const label = size === undefined ? '1 MiB (default)' : '10 MiB';
              const r = await timed(row(`fetch ${FETCH_RECORDS / 1000}k × 100 B at ${label}`), column, () =>
                call<{
                  records: number;
                  unique: number;
                  duplicates: number;
                  bad: number;
                  gaps: number;
                  records_per_s: number;
                  first_record_ms: number;
                }>(
                  'fetch_consume',
                  { topic, partitions: P, count: FETCH_RECORDS, max_partition_fetch_bytes: size },
                  240_000,
                ),
              );
              note(row(`  records/s at ${label}`), column, String(r.records_per_s));
              expect({ unique: r.unique, duplicates: r.duplicates, bad: r.bad, gaps: r.gaps }).toEqual({
                unique: FETCH_RECORDS,
                duplicates: 0,
                bad: 0,
                gaps: 0,
              });
            }
          });
        }
      });
    }
  });
}
