// Consumer groups on a three-broker cluster whose group coordinator crashes, with real clients,
// real Apache Kafka (three brokers) as the control and then `samsa start --brokers 3`, both with
// their default configs. For each client and group protocol it supports — librdkafka through
// Debian's python3-confluent-kafka and PyPI's confluent-kafka (classic, and KIP-848 with the
// PyPI one), Kafka's Java consumer (classic and KIP-848), kafka-python from PyPI and Debian,
// and kafkajs (classic) — a group reads its own 6-partition, RF-3 topic, whose partition leaders
// are on all three brokers, and commits every partition; the committed offsets are checked with
// an admin client. Every group's coordinator is broker 2 (group ids are picked by asking
// FindCoordinator; on Kafka this keeps node 1, the quorum's one controller, alive). More records
// are produced, broker 2 is killed (SIGKILL: Kafka's node, `samsa broker kill`), and a new
// member of each group must resume exactly at its commits on the new coordinator: it reads only
// the new records, from the committed offset of every partition, and commits them.
// The members run as separate processes (test/peers/python/group_member.py, the Java scenarios'
// dev.samsa.peers.GroupMember; kafkajs in this process), four at a time. A table of each
// member's wall time per target is printed at the end, with the file's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaT } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as findCoordinator from '../../core/protocol/messages/find-coordinator.ts';
import { run, uniqueTopic, waitFor } from '../helpers/clients.ts';
import { KafkaClient, type ClientCodec } from '../helpers/kafka-client.ts';
import { JAVA, KAFKA_VERSION, startKafka } from '../helpers/kafka-peer.ts';
import { REPO_ROOT } from '../helpers/spawn-broker.ts';
import { startCluster } from '../helpers/spawn-cluster.ts';

const { Kafka, logLevel } = kafkajs;

const P = 6;
const FIRST = 600;
const MORE = 300;
/** The broker that coordinates every group and is killed. */
const COORDINATOR = 2;
const CONCURRENCY = 4;
const MEMBER_TIMEOUT_S = 150;

const PY_DIR = join(REPO_ROOT, 'test', 'peers', 'python');
const VENV_PYTHON = join(PY_DIR, '.venv', 'bin', 'python');
const DEBIAN_PYTHON = '/usr/bin/python3';
const JAVA_DIR = join(REPO_ROOT, 'test', 'peers', 'java', 'target');

// ---- the members ----------------------------------------------------------------------------

interface MemberResult {
  lib: string;
  version: string;
  count: number;
  partitions: Record<string, { first: number; last: number; count: number }>;
  committed: Record<string, number>;
  commit_errors: unknown[];
  errors: unknown[];
  ms: number;
  /** The member's stderr (its client's warnings), for a failed check. */
  log?: string;
}
interface MemberArgs {
  bootstrap: string;
  topic: string;
  group: string;
  expect: number;
}
interface Client {
  name: string;
  protocol: 'classic' | 'consumer';
  member(a: MemberArgs): Promise<MemberResult>;
}

async function lastJson(cmd: string, args: string[], what: string): Promise<MemberResult> {
  const r = await run(cmd, args, { timeoutMs: (MEMBER_TIMEOUT_S + 60) * 1000, env: { PYTHONDONTWRITEBYTECODE: '1' } });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !last.startsWith('{'))
    throw new Error(`${what} failed (code ${r.code}): ${r.stdout.slice(-1500)}\n${r.stderr.slice(-3000)}`);
  return { ...(JSON.parse(last) as MemberResult), log: r.stderr.slice(-3000) };
}

const python =
  (py: string, lib: string, protocol: 'classic' | 'consumer') =>
  (a: MemberArgs): Promise<MemberResult> =>
    lastJson(
      py,
      [join(PY_DIR, 'group_member.py'), JSON.stringify({ lib, protocol, ...a, timeout_s: MEMBER_TIMEOUT_S })],
      `${py} ${lib} ${protocol}`,
    );

function javaClasspath(): string {
  const cp = join(JAVA_DIR, 'classpath.txt');
  if (!existsSync(join(JAVA_DIR, 'classes', 'dev', 'samsa', 'peers', 'GroupMember.class')) || !existsSync(cp))
    throw new Error('The Java scenarios are not built: run test/peers/setup.sh');
  return `${join(JAVA_DIR, 'classes')}:${readFileSync(cp, 'utf8').trim()}`;
}
const java =
  (protocol: 'classic' | 'consumer') =>
  (a: MemberArgs): Promise<MemberResult> =>
    lastJson(
      JAVA,
      [
        '-cp',
        javaClasspath(),
        'dev.samsa.peers.GroupMember',
        a.bootstrap,
        a.topic,
        a.group,
        protocol,
        String(a.expect),
        String(MEMBER_TIMEOUT_S * 1000),
      ],
      `java ${protocol}`,
    );

/** A kafkajs member: fromBeginning (auto.offset.reset earliest), no auto-commit, one commit at the end. */
async function kafkajsMember(a: MemberArgs): Promise<MemberResult> {
  const t0 = Date.now();
  const kafka = new Kafka({ clientId: 'groups-cluster', brokers: a.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: a.group });
  const partitions: MemberResult['partitions'] = {};
  const next = new Map<number, number>();
  let count = 0;
  let reached!: () => void;
  const enough = new Promise<void>((r) => (reached = r));
  await consumer.connect();
  await consumer.subscribe({ topic: a.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const o = Number(message.offset);
      const s = (partitions[String(partition)] ??= { first: o, last: o, count: 0 });
      s.first = Math.min(s.first, o);
      s.last = Math.max(s.last, o);
      s.count++;
      next.set(partition, o + 1);
      if (++count >= a.expect) reached();
    },
  });
  const commitErrors: unknown[] = [];
  const timer = new Promise<void>((r) => setTimeout(r, MEMBER_TIMEOUT_S * 1000).unref());
  await Promise.race([enough, timer]);
  try {
    await consumer.commitOffsets(
      [...next].map(([partition, offset]) => ({ topic: a.topic, partition, offset: String(offset) })),
    );
  } catch (e) {
    commitErrors.push({ partition: -1, code: -1, name: String(e) });
  }
  await consumer.disconnect();
  return {
    lib: 'kafkajs',
    version: (
      JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'kafkajs', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version,
    count,
    partitions,
    committed: Object.fromEntries([...next].map(([p, o]) => [String(p), o])),
    commit_errors: commitErrors,
    errors: [],
    ms: Date.now() - t0,
  };
}

const CLIENTS: Client[] = [
  {
    name: 'librdkafka (Debian python3-confluent-kafka)',
    protocol: 'classic',
    member: python(DEBIAN_PYTHON, 'confluent-kafka', 'classic'),
  },
  {
    name: 'librdkafka (PyPI confluent-kafka)',
    protocol: 'classic',
    member: python(VENV_PYTHON, 'confluent-kafka', 'classic'),
  },
  {
    name: 'librdkafka (PyPI confluent-kafka)',
    protocol: 'consumer',
    member: python(VENV_PYTHON, 'confluent-kafka', 'consumer'),
  },
  { name: 'Java consumer', protocol: 'classic', member: java('classic') },
  { name: 'Java consumer', protocol: 'consumer', member: java('consumer') },
  { name: 'kafka-python (PyPI)', protocol: 'classic', member: python(VENV_PYTHON, 'kafka-python', 'classic') },
  { name: 'kafka-python (Debian)', protocol: 'classic', member: python(DEBIAN_PYTHON, 'kafka-python', 'classic') },
  { name: 'kafkajs', protocol: 'classic', member: kafkajsMember },
];

// ---- helpers --------------------------------------------------------------------------------

const FindCoordinator: ClientCodec<
  findCoordinator.FindCoordinatorRequestInput,
  findCoordinator.FindCoordinatorResponse
> = {
  apiKey: 10,
  flexibleMin: findCoordinator.FindCoordinatorRequestVersions.flexibleMin,
  encode: findCoordinator.encodeFindCoordinatorRequest,
  decode: findCoordinator.decodeFindCoordinatorResponse,
};

/** The group's coordinator as a broker at `port` answers FindCoordinator (v3); -1 while it has none. */
async function coordinatorOf(port: number, group: string): Promise<number> {
  const c = await KafkaClient.connect(port);
  try {
    const r = await c.send(FindCoordinator, 3, { key: group, keyType: 0 });
    return r.errorCode === 0 ? r.nodeId : -1;
  } finally {
    c.socket.destroy();
  }
}

/** A new group id whose coordinator is `broker` (asked of a live broker at `port`). */
async function groupCoordinatedBy(port: number, prefix: string, broker: number): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const group = `${prefix}-${i}`;
    // COORDINATOR_NOT_AVAILABLE while __consumer_offsets is being created.
    const { id } = await waitFor(
      async () => {
        const n = await coordinatorOf(port, group);
        return n >= 0 ? { id: n } : undefined;
      },
      60_000,
      `a coordinator for ${group}`,
    );
    if (id === broker) return group;
  }
  throw new Error(`no group id of ${prefix}-N has broker ${broker} as its coordinator`);
}

/** Runs `fns` with at most `n` at a time; results in order. */
async function limited<T>(n: number, fns: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(fns.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, fns.length) }, async () => {
      while (next < fns.length) {
        const i = next++;
        out[i] = await fns[i]!();
      }
    }),
  );
  return out;
}

const each = (f: (p: number) => unknown) => Object.fromEntries(Array.from({ length: P }, (_, p) => [String(p), f(p)]));

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

async function committedOffsets(admin: Admin, group: string, topic: string): Promise<Record<string, number>> {
  const r = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return Object.fromEntries(
    (r[0]?.partitions ?? []).map((p) => [String(p.partition), Number(p.offset)] as [string, number]),
  );
}

// ---- the targets ----------------------------------------------------------------------------

interface Target {
  name: string;
  start(): Promise<{
    bootstrap: string;
    ports: Map<number, number>;
    kill(id: number): Promise<void>;
    stop(): Promise<void>;
  }>;
}
const TARGETS: Target[] = [
  {
    name: `Kafka ${KAFKA_VERSION} (3 brokers)`,
    async start() {
      // Three JVMs: on a loaded machine they take longer than the helper's 90 s to register.
      const k = await startKafka({ brokers: 3, startTimeoutMs: 240_000 });
      return {
        bootstrap: k.bootstrap,
        ports: new Map(k.nodes.map((n) => [n.id, n.port])),
        kill: (id) => k.kill(id),
        stop: () => k.stop(),
      };
    },
  },
  {
    name: 'Samsa --brokers 3',
    async start() {
      const c = await startCluster({ brokers: 3 });
      return {
        bootstrap: c.bootstrap,
        ports: c.ports,
        async kill(id) {
          const r = await c.broker(['kill', '--id', String(id)]);
          if (r.code !== 0) throw new Error(`samsa broker kill --id ${id}: ${r.stderr}`);
        },
        stop: () => c.dispose(),
      };
    },
  },
];

const t0 = Date.now();
const timings: { target: string; client: string; protocol: string; first: number; second: number }[] = [];
afterAll(() => {
  const rows = timings.map(
    (t) => `${t.target.padEnd(28)} ${`${t.client} ${t.protocol}`.padEnd(52)} ${t.first} ms, ${t.second} ms`,
  );
  console.log(
    `groups-cluster (member wall times: before, after the kill):\n${rows.join('\n')}\nfile: ${Date.now() - t0} ms`,
  );
});

for (const target of TARGETS) {
  describe.sequential(target.name, () => {
    let cluster: Awaited<ReturnType<Target['start']>>;
    let kafka: KafkaT;
    let admin: Admin;
    const groups: { client: Client; topic: string; group: string; first?: MemberResult; second?: MemberResult }[] = [];
    const survivor = () => cluster.ports.get(1)!;

    /** The partitions' end offsets after the first and the second produce (the producer is idempotent). */
    const ends1 = new Array<number>(P).fill(FIRST / P);
    const ends2 = new Array<number>(P).fill((FIRST + MORE) / P);

    /**
     * What is wrong with a member's run: it must have read each partition from `from` (the
     * committed offset) to `to` (the end), nothing else, and an admin client must see `to` committed.
     */
    async function check(
      g: { client: Client; topic: string; group: string },
      r: MemberResult,
      from: number[],
      to: number[],
    ): Promise<string[]> {
      const committed = await committedOffsets(admin, g.group, g.topic);
      const got = {
        count: r.count,
        partitions: r.partitions,
        commitErrors: r.commit_errors,
        errors: r.errors,
        committed,
      };
      const expected = {
        count: to.reduce((a, b) => a + b, 0) - from.reduce((a, b) => a + b, 0),
        partitions: each((p) => ({ first: from[p]!, last: to[p]! - 1, count: to[p]! - from[p]! })),
        commitErrors: [],
        errors: [],
        committed: each((p) => to[p]!),
      };
      if (JSON.stringify(sortKeys(got)) === JSON.stringify(sortKeys(expected))) return [];
      return [
        `${g.client.name} ${g.client.protocol} (${r.version}, ${r.ms} ms): ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}\n  ${r.log?.slice(-1500) ?? ''}`,
      ];
    }

    beforeAll(async () => {
      cluster = await target.start();
      kafka = new Kafka({
        clientId: 'groups-cluster-admin',
        brokers: cluster.bootstrap.split(','),
        logLevel: logLevel.NOTHING,
      });
      admin = kafka.admin();
      await admin.connect();
    }, 300_000);
    afterAll(async () => {
      await admin?.disconnect().catch(() => {});
      await cluster?.stop();
    }, 120_000);

    it('every group commits every partition of a topic spread over the three brokers', async () => {
      const tag = Date.now().toString(36);
      for (const [i, client] of CLIENTS.entries()) {
        const topic = uniqueTopic(`gc-${i}`);
        const group = await groupCoordinatedBy(survivor(), `gc-${tag}-${i}`, COORDINATOR);
        groups.push({ client, topic, group });
      }
      // kafkajs refreshes its metadata right after CreateTopics and gives up on Kafka's
      // UNKNOWN_TOPIC_OR_PARTITION from a broker that has not learnt the new topics yet: the topics
      // are created then, and every partition's leader is waited for below.
      await admin
        .createTopics({ topics: groups.map((g) => ({ topic: g.topic, numPartitions: P, replicationFactor: 3 })) })
        .catch((e: { type?: string }) => {
          if (e.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
        });
      const md = await waitFor(
        async () => {
          const m = await admin.fetchTopicMetadata({ topics: groups.map((g) => g.topic) }).catch(() => undefined);
          const ready = m?.topics.every((t) => t.partitions.length === P && t.partitions.every((p) => p.leader >= 0));
          return ready ? m : undefined;
        },
        60_000,
        'leaders for every partition',
        250,
      );
      for (const t of md.topics) expect(new Set(t.partitions.map((p) => p.leader)).size, t.name).toBe(3);
      // Idempotent, so that a retried send under load writes no duplicates.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const produce = (from: number, n: number) =>
        Promise.all(
          groups.map((g) =>
            producer.send({
              topic: g.topic,
              acks: -1,
              messages: Array.from({ length: n }, (_, k) => ({
                key: `key-${from + k}`,
                value: `value-${from + k}`,
                partition: (from + k) % P,
              })),
            }),
          ),
        );
      await produce(0, FIRST);

      const bootstrap = cluster.bootstrap;
      const results = await limited(
        CONCURRENCY,
        groups.map((g) => () => g.client.member({ bootstrap, topic: g.topic, group: g.group, expect: FIRST })),
      );
      const problems: string[] = [];
      for (const [i, g] of groups.entries()) {
        g.first = results[i]!;
        problems.push(...(await check(g, g.first, new Array<number>(P).fill(0), ends1)));
      }
      expect(problems).toEqual([]);
      await produce(FIRST, MORE);
      await producer.disconnect();
    }, 600_000);

    it('after the coordinator broker is killed, every group resumes at its commits on a new coordinator', async () => {
      // Only after every group committed (the test before).
      expect(groups.filter((g) => g.first?.count === FIRST)).toHaveLength(CLIENTS.length);
      await cluster.kill(COORDINATOR);
      const bootstrap = cluster.bootstrap;
      const results = await limited(
        CONCURRENCY,
        groups.map((g) => () => g.client.member({ bootstrap, topic: g.topic, group: g.group, expect: MORE })),
      );
      const problems: string[] = [];
      for (const [i, g] of groups.entries()) {
        const r = (g.second = results[i]!);
        timings.push({
          target: target.name,
          client: `${g.client.name} (${r.version})`,
          protocol: g.client.protocol,
          first: g.first!.ms,
          second: r.ms,
        });
        // Exactly the new records: from the committed offset of every partition, nothing re-read.
        problems.push(...(await check(g, r, ends1, ends2)));
        const now = await coordinatorOf(survivor(), g.group);
        if (now < 0 || now === COORDINATOR) problems.push(`${g.client.name} ${g.client.protocol}: coordinator ${now}`);
      }
      expect(problems).toEqual([]);
    }, 600_000);
  });
}
