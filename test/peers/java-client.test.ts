// Kafka's own Java client (kafka-clients and kafka-streams, the release of the Kafka peer) against
// real Kafka and against Samsa, with Kafka as the control: the producer (acks 0, 1 and all, a
// replicated topic, idempotence, every codec, headers, records at the size limit), the consumer
// (groups on the classic protocol and on KIP-848's, commit and resume, seeks, pause and resume),
// the Admin client (topics, configs, partitions, records, offsets, groups, the cluster, leader
// elections, reassignments, log dirs, producers) and a Kafka Streams word count of 100,000 lines.
//
// The scenarios are a plain Java program (test/peers/java, built by test/peers/setup.sh) that
// runs every client with its defaults and prints one JSON line per scenario. Each target is
// started once, runs the program once (one JVM), and is stopped before the next starts, in this
// order: Kafka (one node), Samsa (one broker), Kafka (three brokers), Samsa (`--brokers 3`). Each
// (target, scenario) is a test that passes when the scenario's checks held; on Samsa a second test
// per scenario asserts the outcomes Kafka gave (errors, offsets, config sources, what was read),
// compared with the Kafka of the same size. Admin calls are timed; every one must answer within
// 5 s (they take tens of milliseconds on Kafka), and the times are printed per target.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedSummary, run, type PartitionSummary } from '../helpers/clients.ts';
import { JAVA, KAFKA_PEER_DIR, KAFKA_VERSION, startKafka } from '../helpers/kafka-peer.ts';
import { REPO_ROOT, startBroker } from '../helpers/spawn-broker.ts';
import { startCluster } from '../helpers/spawn-cluster.ts';

const JAVA_DIR = join(REPO_ROOT, 'test', 'peers', 'java');
const MAIN_CLASS = 'dev.samsa.peers.JavaClientScenarios';
const BUILD_COMMAND = 'bash test/peers/setup.sh';

/** What a user does in each scenario (the tests' names). */
const SCENARIOS: Record<string, string> = {
  'producer-acks-0': 'a producer with acks=0 writes every record (no offsets reported, no idempotence)',
  'producer-acks-1': 'a producer with acks=1 writes every record at the offsets it was told',
  'producer-acks-all': 'a producer with acks=all (the default) writes every record, idempotently',
  'producer-acks-all-replicated':
    'acks=all to a topic replicated on up to 3 brokers: every replica in sync, same bytes',
  'producer-idempotent': 'the default producer is idempotent: one producer id, sequences 0..n-1 per partition',
  'producer-codec-none': 'records produced without compression read back the same',
  'producer-codec-gzip': 'records produced with gzip read back the same and are stored compressed',
  'producer-codec-snappy': 'records produced with snappy read back the same and are stored compressed',
  'producer-codec-lz4': 'records produced with lz4 read back the same and are stored compressed',
  'producer-codec-zstd': 'records produced with zstd read back the same and are stored compressed',
  'producer-headers': 'record headers (repeated keys, empty and null values, UTF-8) read back the same',
  'producer-large-records':
    'a batch of exactly max.message.bytes is accepted, one byte more gets RecordTooLargeException',
  'consumer-group-classic': 'two members of a classic group share the partitions and consume every record once',
  'consumer-group-consumer-protocol':
    'two members of a KIP-848 group (group.protocol=consumer) share the partitions and consume every record once',
  'consumer-commit-resume-classic': 'a new member of a classic group resumes at the committed offset',
  'consumer-commit-resume-consumer-protocol': 'a new member of a KIP-848 group resumes at the committed offset',
  'consumer-seek': 'a consumer seeks by offset and by time (offsetsForTimes), to the beginning and the end',
  'consumer-pause-resume': 'a paused partition gives nothing until it is resumed',
  'admin-topics': 'Admin creates, lists, describes and deletes topics, with Kafka’s errors',
  'admin-configs-topic': 'Admin describes and alters (SET, APPEND, SUBTRACT, DELETE) topic configs',
  'admin-configs-broker': 'Admin describes and alters broker configs, per broker and cluster-wide',
  'admin-create-partitions': 'Admin adds partitions to a topic',
  'admin-delete-records': 'Admin deletes records before an offset and up to the high watermark',
  'admin-list-offsets': 'Admin lists earliest, latest, max-timestamp and by-timestamp offsets',
  'admin-groups': 'Admin lists, describes and deletes classic and KIP-848 groups',
  'admin-group-offsets': 'Admin alters and deletes a group’s committed offsets',
  'admin-describe-cluster': 'Admin describes the cluster: every broker, a controller, a cluster id',
  'admin-elect-leaders': 'Admin elects preferred leaders (after reordering the replicas, with several brokers)',
  'admin-reassign-partitions': 'Admin reassigns a partition to other brokers (with several brokers)',
  'admin-describe-log-dirs': 'Admin describes the log dirs and the partitions in them',
  'admin-describe-producers': 'Admin describes the idempotent producers of a partition',
  'streams-word-count': 'a Kafka Streams word count of 100,000 lines gives exactly the right counts',
};
const NAMES = Object.keys(SCENARIOS);

/** Scenarios that read the shared data set (clients.ts): [records, partitions] of what they read. */
const DATA_SET: Record<string, [number, number]> = {
  'producer-acks-0': [300, 3],
  'producer-acks-1': [300, 3],
  'producer-acks-all': [300, 3],
  'producer-acks-all-replicated': [200, 2],
  'producer-codec-none': [1000, 1],
  'producer-codec-gzip': [1000, 1],
  'producer-codec-snappy': [1000, 1],
  'producer-codec-lz4': [1000, 1],
  'producer-codec-zstd': [1000, 1],
  'consumer-group-classic': [400, 4],
  'consumer-group-consumer-protocol': [400, 4],
};

/** The longest an Admin call may take before the test calls it slow. */
const ADMIN_CALL_LIMIT_MS = 5000;

interface Timing {
  call: string;
  ms: number;
}
interface ScenarioResult {
  scenario: string;
  ok: boolean;
  ms: number;
  detail: { compare: Record<string, unknown>; timings: Timing[]; summary?: Record<string, PartitionSummary> } & Record<
    string,
    unknown
  >;
  error: string | null;
}
interface RunOutput {
  version?: string;
  brokers?: number[];
  results: Map<string, ScenarioResult>;
  wallMs: number;
  stderr: string;
}

/** target/classes and the resolved jars; throws one line when the module is not built. */
function javaClasspath(): string {
  const classes = join(JAVA_DIR, 'target', 'classes');
  const cpFile = join(JAVA_DIR, 'target', 'classpath.txt');
  if (!existsSync(join(classes, ...MAIN_CLASS.split('.')) + '.class') || !existsSync(cpFile))
    throw new Error(`The Java client scenarios are not built: run ${BUILD_COMMAND} (.ci/run does).`);
  const jars = readFileSync(cpFile, 'utf8').trim();
  const missing = jars.split(':').find((jar) => !existsSync(jar));
  if (missing)
    throw new Error(`The Java scenarios' classpath names a jar that is gone (${missing}): run ${BUILD_COMMAND}.`);
  return `${classes}:${jars}`;
}

/** Runs every scenario against `bootstrap` in one JVM and parses its JSON lines. */
async function runScenarios(bootstrap: string, brokers: number): Promise<RunOutput> {
  const t0 = Date.now();
  const r = await run(
    JAVA,
    ['-cp', javaClasspath(), MAIN_CLASS, '--bootstrap', bootstrap, '--brokers', String(brokers), ...NAMES],
    // Each scenario has its own limit in the program (120 s; Streams 360 s): this only bounds a hung JVM.
    { timeoutMs: 30 * 60_000 },
  );
  const out: RunOutput = { results: new Map(), wallMs: Date.now() - t0, stderr: r.stderr };
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const j = JSON.parse(line) as Partial<ScenarioResult> & { client?: string; version?: string; brokers?: number[] };
    if (j.client) {
      out.version = j.version;
      out.brokers = j.brokers;
    } else if (j.scenario) out.results.set(j.scenario, j as ScenarioResult);
  }
  if (r.code !== 0 || !out.version)
    throw new Error(
      `the Java scenarios exited with ${r.code ?? r.signal}:\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`,
    );
  return out;
}

interface Target {
  key: 'kafka1' | 'samsa1' | 'kafka3' | 'samsa3';
  title: string;
  brokers: number;
  /** The Kafka whose outcomes this target must give (none for Kafka itself). */
  control?: Target['key'];
  start(): Promise<{ bootstrap: string; stop(): Promise<unknown> }>;
}

const TARGETS: Target[] = [
  {
    key: 'kafka1',
    title: `Kafka ${KAFKA_VERSION}, one node (the control)`,
    brokers: 1,
    async start() {
      const k = await startKafka({ brokers: 1 });
      return { bootstrap: k.bootstrap, stop: () => k.stop() };
    },
  },
  {
    key: 'samsa1',
    title: 'Samsa, one broker',
    brokers: 1,
    control: 'kafka1',
    async start() {
      const b = await startBroker();
      return { bootstrap: b.bootstrap, stop: () => b.dispose() };
    },
  },
  {
    key: 'kafka3',
    title: `Kafka ${KAFKA_VERSION}, three brokers (the control)`,
    brokers: 3,
    async start() {
      // Three broker JVMs starting at once on two cores: more time than startKafka's 90 s default when the machine is busy.
      const k = await startKafka({ brokers: 3, startTimeoutMs: 240_000 });
      return { bootstrap: k.bootstrap, stop: () => k.stop() };
    },
  },
  {
    key: 'samsa3',
    title: 'Samsa --brokers 3',
    brokers: 3,
    control: 'kafka3',
    async start() {
      const c = await startCluster({ brokers: 3 });
      return { bootstrap: c.bootstrap, stop: () => c.dispose() };
    },
  },
];

const outputs = new Map<Target['key'], RunOutput>();
const startErrors = new Map<Target['key'], unknown>();

function resultOf(key: Target['key'], scenario: string): ScenarioResult {
  const out = outputs.get(key);
  if (!out) throw new Error(`the target did not run: ${String(startErrors.get(key) ?? 'not started')}`);
  const r = out.results.get(scenario);
  if (!r) throw new Error(`no result for ${scenario}; the program's stderr ends:\n${out.stderr.slice(-3000)}`);
  return r;
}

/** Where two outcomes differ: one line per path, with the control's value and the target's. */
function differences(control: unknown, target: unknown, path = ''): string[] {
  if (
    control !== null &&
    target !== null &&
    typeof control === 'object' &&
    typeof target === 'object' &&
    Array.isArray(control) === Array.isArray(target)
  ) {
    const c = control as Record<string, unknown>;
    const t = target as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(c), ...Object.keys(t)])];
    return keys.flatMap((k) => differences(c[k], t[k], `${path}/${k}`));
  }
  if (JSON.stringify(control) === JSON.stringify(target)) return [];
  return [`${path || '/'}: Kafka ${JSON.stringify(control)}, here ${JSON.stringify(target)}`];
}

function explain(r: ScenarioResult): string {
  const { timings: _t, ...detail } = r.detail;
  return `${r.scenario} failed after ${r.ms} ms: ${r.error}\ndetail: ${JSON.stringify(detail, null, 1).slice(0, 6000)}`;
}

it('the Java client is the release of the Kafka peer', () => {
  const pom = readFileSync(join(JAVA_DIR, 'pom.xml'), 'utf8');
  expect(/<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]).toBe(KAFKA_VERSION);
  expect(existsSync(join(KAFKA_PEER_DIR, 'pom.xml'))).toBe(true);
});

it('the program knows every scenario this file tests, and no other', async () => {
  const r = await run(JAVA, ['-cp', javaClasspath(), MAIN_CLASS, '--list'], { timeoutMs: 60_000 });
  expect(r.stdout.trim().split('\n')).toEqual(NAMES);
});

for (const target of TARGETS) {
  describe(target.title, () => {
    let stop: (() => Promise<unknown>) | undefined;

    beforeAll(async () => {
      try {
        const t0 = Date.now();
        const t = await target.start();
        stop = t.stop;
        const startMs = Date.now() - t0;
        const out = await runScenarios(t.bootstrap, target.brokers);
        outputs.set(target.key, out);
        console.log(`[java-client] ${target.title}: started in ${startMs} ms, scenarios ran in ${out.wallMs} ms`);
        const streams = out.results.get('streams-word-count')?.detail;
        if (streams) {
          const { msToProduce, msToRunning, msToCounts, outputRecords, repartitionEarliestOffsets } = streams;
          console.log(
            `[java-client] ${target.title}: Streams ${JSON.stringify({ msToProduce, msToRunning, msToCounts, outputRecords, repartitionEarliestOffsets })}`,
          );
        }
      } catch (e) {
        startErrors.set(target.key, e);
        throw e;
      }
    }, 40 * 60_000);

    afterAll(async () => {
      await stop?.();
    }, 120_000);

    it(`runs Kafka's Java client ${KAFKA_VERSION} against ${target.brokers} broker(s)`, () => {
      const out = outputs.get(target.key)!;
      expect(out.version).toBe(KAFKA_VERSION);
      expect(out.brokers).toHaveLength(target.brokers);
    });

    for (const name of NAMES) {
      it(`${name}: ${SCENARIOS[name]}`, () => {
        const r = resultOf(target.key, name);
        expect(r.ok, explain(r)).toBe(true);
        const ds = DATA_SET[name];
        if (ds) {
          // What was read is the data set, as clients.ts computes it (not only as the program checked it).
          expect(r.detail.compare.summary ?? r.detail.summary).toEqual(expectedSummary(ds[0], ds[1]));
        }
      });
    }

    if (target.control) {
      const control = target.control;
      for (const name of NAMES) {
        it(`${name}: the same outcome as on ${TARGETS.find((t) => t.key === control)!.title}`, () => {
          const k = resultOf(control, name);
          expect(k.ok, `the control failed, so there is nothing to compare: ${explain(k)}`).toBe(true);
          const s = resultOf(target.key, name);
          expect(s.ok, explain(s)).toBe(true);
          expect(differences(k.detail.compare, s.detail.compare)).toEqual([]);
        });
      }
    }

    it(`answers every Admin call within ${ADMIN_CALL_LIMIT_MS} ms`, () => {
      const out = outputs.get(target.key)!;
      const slow: string[] = [];
      for (const r of out.results.values())
        for (const t of r.detail.timings ?? [])
          if (!t.call.includes('(until') && t.ms > ADMIN_CALL_LIMIT_MS)
            slow.push(`${r.scenario}: ${t.call} took ${Math.round(t.ms)} ms`);
      expect(slow).toEqual([]);
    });
  });
}

afterAll(() => {
  // The matrix and the Admin call times, for the record.
  const cell = (key: Target['key'], name: string) => {
    const r = outputs.get(key)?.results.get(name);
    return r ? `${r.ok ? 'pass' : 'FAIL'} ${(r.ms / 1000).toFixed(1)}s` : '-';
  };
  const rows = NAMES.map((n) => `${n.padEnd(42)} ${TARGETS.map((t) => cell(t.key, n).padEnd(12)).join(' ')}`);
  console.log(
    `[java-client] scenario × target\n${''.padEnd(42)} ${TARGETS.map((t) => t.key.padEnd(12)).join(' ')}\n${rows.join('\n')}`,
  );
  const calls = new Map<string, Map<Target['key'], number[]>>();
  for (const t of TARGETS)
    for (const r of outputs.get(t.key)?.results.values() ?? [])
      for (const x of r.detail.timings ?? []) {
        const byTarget = calls.get(x.call) ?? new Map<Target['key'], number[]>();
        calls.set(x.call, byTarget);
        byTarget.set(t.key, [...(byTarget.get(t.key) ?? []), x.ms]);
      }
  const stat = (ms: number[] | undefined) => {
    if (!ms?.length) return '-';
    const s = [...ms].sort((a, b) => a - b);
    return `${Math.round(s[Math.floor(s.length / 2)]!)}/${Math.round(s[s.length - 1]!)}`;
  };
  const lines = [...calls.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([call, m]) => `${call.padEnd(42)} ${TARGETS.map((t) => stat(m.get(t.key)).padEnd(12)).join(' ')}`);
  console.log(
    `[java-client] Admin call ms, median/max\n${''.padEnd(42)} ${TARGETS.map((t) => t.key.padEnd(12)).join(' ')}\n${lines.join('\n')}`,
  );
});
