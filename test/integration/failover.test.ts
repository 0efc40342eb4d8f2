// Faults in a 3-broker cluster (`samsa start --brokers 3`, real processes),
// checked with real clients: an idempotent producer while partition leaders
// are SIGKILLed and restarted again and again, a follower catching up, acks=all
// refused with too few replicas, metadata after a failover as two clients see
// it, and replication-factor changes under a reading consumer.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as reassign from '../../core/protocol/messages/alter-partition-reassignments.ts';
import * as listReassign from '../../core/protocol/messages/list-partition-reassignments.ts';
import { run, runKcat, runPython, uniqueTopic, waitFor } from '../helpers/clients.ts';
import { KafkaClient } from '../helpers/kafka-client.ts';
import { needsSamsa, nodeBinary } from '../helpers/spawn-broker.ts';
import { SAMSA, startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';
import { removeAllTmpDirs } from '../helpers/tmp.ts';

const AlterReassignments = {
  apiKey: 45,
  flexibleMin: reassign.AlterPartitionReassignmentsRequestVersions.flexibleMin,
  encode: reassign.encodeAlterPartitionReassignmentsRequest,
  decode: reassign.decodeAlterPartitionReassignmentsResponse,
};
const ListReassignments = {
  apiKey: 46,
  flexibleMin: listReassign.ListPartitionReassignmentsRequestVersions.flexibleMin,
  encode: listReassign.encodeListPartitionReassignmentsRequest,
  decode: listReassign.decodeListPartitionReassignmentsResponse,
};

interface KcatPartition {
  partition: number;
  leader: number;
  replicas: { id: number }[];
  isrs: { id: number }[];
}
interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

let c: RunningCluster;
const skip = needsSamsa('multi-broker failover');

beforeAll(async () => {
  if (skip) return;
  c = await startCluster({
    brokers: 3,
    overrides: { 'broker.session.timeout.ms': 4000, 'broker.heartbeat.interval.ms': 500 },
  });
}, 90_000);

afterAll(async () => {
  await c?.dispose();
  removeAllTmpDirs();
}, 60_000);

async function createTopic(
  name: string,
  partitions: number,
  rf: number,
  configs: Record<string, string> = {},
): Promise<void> {
  const args = [
    SAMSA,
    'topics',
    '--bootstrap-server',
    c.bootstrap,
    '--create',
    '--topic',
    name,
    '--partitions',
    String(partitions),
    '--replication-factor',
    String(rf),
  ];
  for (const [k, v] of Object.entries(configs)) args.push('--config', `${k}=${v}`);
  const r = await run(nodeBinary(), args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`create ${name}: ${r.stderr}`);
}

/** kcat's view of one topic: brokers listed and each partition's leader, replicas, ISR. */
async function kcatView(topic: string): Promise<{ brokers: number[]; partitions: PartitionView[] }> {
  const r = await runKcat(['-b', c.bootstrap, '-L', '-J', '-t', topic], { timeoutMs: 20_000 });
  const j = JSON.parse(r.stdout) as {
    brokers: { id: number }[];
    topics: { topic: string; partitions: KcatPartition[] }[];
  };
  const parts = j.topics.find((t) => t.topic === topic)?.partitions ?? [];
  return {
    brokers: j.brokers.map((b) => b.id).sort(),
    partitions: parts
      .map((p) => ({
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas.map((x) => x.id).sort(),
        isr: p.isrs.map((x) => x.id).sort(),
      }))
      .sort((a, b) => a.partition - b.partition),
  };
}

async function kafkaPythonView(topic: string): Promise<{ brokers: number[]; partitions: PartitionView[] }> {
  const r = await runPython<{
    brokers: [number, string, number][];
    error: number;
    partitions: [number, number, number[], number[]][];
  }>('failover_ck.py', { mode: 'kp_metadata', bootstrap: c.bootstrap, topic }, 30_000);
  return {
    brokers: r.brokers.map((b) => b[0]).sort(),
    partitions: r.partitions.map(([partition, leader, replicas, isr]) => ({
      partition,
      leader,
      replicas: [...replicas].sort(),
      isr: [...isr].sort(),
    })),
  };
}

/** Starts every broker that is not running and waits until all are running and unfenced. */
async function restoreAll(): Promise<void> {
  for (const b of await c.list()) {
    if (b.status === 'stopped' || b.status === 'dead') await c.broker(['start', '--id', String(b.id)]);
  }
  await c.waitForList((l) => l.every((b) => b.status === 'running' && !b.fenced), 30_000, 'all brokers running');
}

/** Waits until every partition of `topic` has all `replicas` in its ISR (kcat's view). */
async function waitFullIsr(topic: string, replicas: number[], ms = 30_000): Promise<PartitionView[]> {
  return waitFor(
    async () => {
      const v = await kcatView(topic);
      return (
        v.partitions.length > 0 &&
        v.partitions.every(
          (p) => p.leader >= 0 && p.isr.join() === replicas.join() && p.replicas.join() === replicas.join(),
        ) &&
        v.partitions
      );
    },
    ms,
    `${topic}: ISR = ${replicas}`,
    250,
  );
}

interface Acked {
  acked: [number, number, number][];
  failed: Record<string, number>;
  unflushed: number;
  seconds: number;
}
type Consumed = Record<string, [number, number][]>;

/**
 * Every acknowledged (partition, offset, i) is there, each i at most once,
 * offsets gap-free from 0, and per partition the i's in production order.
 */
function checkExactlyOnce(acked: [number, number, number][], consumed: Consumed): void {
  const at = new Map<string, number>();
  const seen = new Set<number>();
  for (const [p, list] of Object.entries(consumed)) {
    let prev = -1;
    list.forEach(([off, i], k) => {
      expect(off, `partition ${p} offset gap-free`).toBe(k);
      expect(seen.has(i), `value ${i} seen twice`).toBe(false);
      seen.add(i);
      expect(i, `partition ${p} in order at offset ${off}`).toBeGreaterThan(prev);
      prev = i;
      at.set(`${p}:${off}`, i);
    });
  }
  let missing = 0;
  for (const [p, off, i] of acked) if (at.get(`${p}:${off}`) !== i) missing++;
  expect(missing, 'acknowledged records missing or at another offset').toBe(0);
}

describe.skipIf(skip)('failover in a 3-broker cluster', () => {
  it('idempotent acks=all producer while the leader is killed and restarted repeatedly: every acked record once, in order', async () => {
    const topic = uniqueTopic('fo-idem');
    const partitions = 4;
    const count = 100_000;
    await createTopic(topic, partitions, 3, { 'min.insync.replicas': '2' });
    await waitFullIsr(topic, [1, 2, 3]);
    const producing = runPython<Acked>(
      'failover_ck.py',
      { mode: 'produce', bootstrap: c.bootstrap, topic, count, partitions, rate: 6000 },
      180_000,
    );
    let done = false;
    void producing.finally(() => {
      done = true;
    });
    const killed: number[] = [];
    for (let round = 0; round < 5 && !done; round++) {
      await new Promise((r) => setTimeout(r, 1500));
      const leader = (await kcatView(topic)).partitions[round % partitions]!.leader;
      expect(leader).toBeGreaterThan(0);
      expect((await c.broker(['kill', '--id', String(leader)])).code).toBe(0);
      killed.push(leader);
      await new Promise((r) => setTimeout(r, 700));
      const st = await c.broker(['start', '--id', String(leader)]);
      expect(st.code, st.stderr).toBe(0);
    }
    const res = await producing;
    expect(killed.length).toBeGreaterThanOrEqual(4);
    expect(res.failed).toEqual({});
    expect(res.unflushed).toBe(0);
    expect(res.acked).toHaveLength(count);
    await restoreAll();
    const consumed = await runPython<{ records: Consumed; ends: Record<string, number> }>(
      'failover_ck.py',
      { mode: 'consume', bootstrap: c.bootstrap, topic, partitions, timeout_s: 60 },
      90_000,
    );
    expect(Object.values(consumed.records).reduce((n, l) => n + l.length, 0)).toBe(count);
    checkExactlyOnce(res.acked, consumed.records);
    console.log(
      `[failover] ${count} records in ${res.seconds.toFixed(1)} s with ${killed.length} leader kills (brokers ${killed.join(', ')})`,
    );
  }, 200_000);

  it("a follower down for a while catches up when restarted: its log equals the leader's", async () => {
    const topic = uniqueTopic('fo-catchup');
    await createTopic(topic, 1, 3, { 'min.insync.replicas': '2' });
    const before = await waitFullIsr(topic, [1, 2, 3]);
    const leader = before[0]!.leader;
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    expect((await c.broker(['kill', '--id', String(follower)])).code).toBe(0);
    await waitFor(
      async () => !(await kcatView(topic)).partitions[0]!.isr.includes(follower),
      10_000,
      'follower out of the ISR',
    );
    const res = await runPython<Acked>(
      'failover_ck.py',
      { mode: 'produce', bootstrap: c.bootstrap, topic, count: 30_000, partitions: 1 },
      120_000,
    );
    expect(res.acked).toHaveLength(30_000);
    expect((await c.broker(['start', '--id', String(follower)])).code).toBe(0);
    await waitFullIsr(topic, [1, 2, 3]);
    const logOf = (id: number): { bytes: number; sha: string } => {
      const dir = join(c.dataDir, `broker-${id}`, `${topic}-0`);
      const h = createHash('sha256');
      let bytes = 0;
      for (const f of readdirSync(dir)
        .filter((x) => x.endsWith('.log'))
        .sort()) {
        const b = readFileSync(join(dir, f));
        bytes += b.length;
        h.update(b);
      }
      return { bytes, sha: h.digest('hex') };
    };
    await waitFor(() => logOf(follower).bytes === logOf(leader).bytes, 15_000, "follower log as long as the leader's");
    expect(logOf(follower)).toEqual(logOf(leader));
    expect(logOf(leader).bytes).toBeGreaterThan(30_000 * 10);
  }, 150_000);

  it('with 2 of 3 brokers down, acks=all fails with NOT_ENOUGH_REPLICAS (not a hang, not a success)', async () => {
    const topic = uniqueTopic('fo-nemr');
    await createTopic(topic, 1, 3, { 'min.insync.replicas': '2' });
    const [p] = await waitFullIsr(topic, [1, 2, 3]);
    const survivor = p!.leader;
    try {
      for (const id of [1, 2, 3].filter((x) => x !== survivor))
        expect((await c.broker(['kill', '--id', String(id)])).code).toBe(0);
      await waitFor(
        async () => {
          const v = await kcatView(topic);
          return v.partitions[0]!.isr.join() === String(survivor) && v.partitions[0]!.leader === survivor;
        },
        10_000,
        'ISR shrunk to the survivor',
      );
      const r = await runPython<{ error: string | null; seconds: number }>(
        'failover_ck.py',
        { mode: 'produce_one', bootstrap: c.bootstrap, topic, message_timeout_ms: 15_000 },
        60_000,
      );
      expect(r.error).toBe('NOT_ENOUGH_REPLICAS');
      expect(r.seconds).toBeLessThan(10);
    } finally {
      await restoreAll();
    }
  }, 90_000);

  it('kcat and kafka-python show leaders, replicas and ISR as they are after a failover', async () => {
    const topic = uniqueTopic('fo-meta');
    await createTopic(topic, 6, 3);
    const before = await waitFullIsr(topic, [1, 2, 3]);
    const victim = before[0]!.leader;
    try {
      expect((await c.broker(['kill', '--id', String(victim)])).code).toBe(0);
      const live = [1, 2, 3].filter((id) => id !== victim);
      const expectFailedOver = (v: { brokers: number[]; partitions: PartitionView[] }): void => {
        expect(v.brokers).toEqual(live);
        expect(v.partitions).toHaveLength(6);
        for (const p of v.partitions) {
          expect(p.replicas).toEqual([1, 2, 3]);
          expect(p.isr).toEqual(live);
          expect(live).toContain(p.leader);
        }
      };
      const k = await waitFor(
        async () => {
          const v = await kcatView(topic);
          return v.partitions.every((p) => !p.isr.includes(victim)) && v;
        },
        10_000,
        'victim out of every ISR',
      );
      expectFailedOver(k);
      const kp = await waitFor(
        async () => {
          const v = await kafkaPythonView(topic);
          return v.partitions.every((p) => !p.isr.includes(victim)) && v;
        },
        15_000,
        'kafka-python: victim out of every ISR',
      );
      expectFailedOver(kp);
      expect(kp.partitions.map((p) => p.leader)).toEqual(k.partitions.map((p) => p.leader));
      // Leaders are where the broker list says they are.
      const led = new Map<number, number>();
      for (const p of k.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
      const l = await c.list();
      expect(l.find((b) => b.id === victim)).toMatchObject({ status: 'dead', partitionsLed: 0, fenced: true });
      expect(led.has(victim)).toBe(false);
    } finally {
      await restoreAll();
    }
    const after = await waitFullIsr(topic, [1, 2, 3]);
    expect((await kafkaPythonView(topic)).partitions.map((p) => p.isr)).toEqual(after.map(() => [1, 2, 3]));
  }, 90_000);

  it('replication factor 1 → 3 → 2 with data while a consumer reads: nothing lost or duplicated', async () => {
    const topic = uniqueTopic('fo-rf');
    const partitions = 2;
    await createTopic(topic, partitions, 1);
    const first = await runPython<Acked>(
      'failover_ck.py',
      { mode: 'produce', bootstrap: c.bootstrap, topic, count: 20_000, partitions },
      120_000,
    );
    expect(first.acked).toHaveLength(20_000);
    const reading = runPython<{ records: Consumed; count: number }>(
      'failover_ck.py',
      { mode: 'consume_n', bootstrap: c.bootstrap, topic, partitions, count: 40_000, timeout_s: 90 },
      120_000,
    );
    const admin = await KafkaClient.connect(c.ports.get(1)!);
    try {
      const alter = async (replicas: number[]): Promise<void> => {
        const res = (await admin.send(AlterReassignments, 0, {
          timeoutMs: 30_000,
          topics: [
            {
              name: topic,
              partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, replicas })),
            },
          ],
        } as never)) as reassign.AlterPartitionReassignmentsResponse;
        expect(res.errorCode).toBe(0);
        for (const t of res.responses)
          for (const p of t.partitions)
            expect([p.partitionIndex, p.errorCode, p.errorMessage]).toEqual([p.partitionIndex, 0, null]);
      };
      const settled = async (replicas: number[]): Promise<void> => {
        await waitFor(
          async () => {
            const l = (await admin.send(ListReassignments, 0, {
              timeoutMs: 10_000,
              topics: null,
            } as never)) as listReassign.ListPartitionReassignmentsResponse;
            return l.errorCode === 0 && l.topics.length === 0;
          },
          60_000,
          `reassignment to ${replicas} finished`,
          250,
        );
        await waitFullIsr(topic, replicas, 30_000);
      };
      const producing = runPython<Acked>(
        'failover_ck.py',
        { mode: 'produce', bootstrap: c.bootstrap, topic, count: 20_000, start: 20_000, partitions, rate: 4000 },
        120_000,
      );
      await alter([1, 2, 3]);
      await settled([1, 2, 3]);
      await alter([2, 3]);
      await settled([2, 3]);
      const second = await producing;
      expect(second.acked).toHaveLength(20_000);
      const consumed = await reading;
      expect(consumed.count).toBe(40_000);
      checkExactlyOnce([...first.acked, ...second.acked], consumed.records);
      // Broker 1 no longer holds the partitions.
      await waitFor(
        () => readdirSync(join(c.dataDir, 'broker-1')).every((d) => !new RegExp(`^${topic}-\\d+$`).test(d)),
        15_000,
        'broker 1 deleted its replicas',
      );
    } finally {
      admin.close();
    }
  }, 200_000);
});
