// Cluster benchmark (part of `npm run bench`; also runs alone:
// `node test/bench/cluster.bench.ts [--cluster-records N] [--failovers N] [--catchup-mb N]`).
// Against `samsa start --brokers 3` (three broker processes and the
// controller in the samsa process), over the project's protocol client:
//   - produce throughput: 3 partitions, one led by each broker, one connection
//     per leader; replication factor 1 with acks=1, then 3 with acks=1, then 3
//     with acks=all (min.insync.replicas=2);
//   - failover time: SIGKILL of a 1-partition topic's leader (RF 3) → the first
//     acks=all produce acknowledged by the new leader, asked for in a loop
//     (Metadata from a surviving broker, then Produce to the leader it names);
//   - follower catch-up: a follower is killed, N MB are produced (acks=1), the
//     follower is started again; time from `samsa broker start` until the
//     Metadata ISR lists it again (it then has everything the leader had).

import { buildRecordBatch } from '../../core/protocol/record-batch.ts';
import { errorName } from '../../core/protocol/errors.ts';
import {
  decodeMetadataResponse,
  encodeMetadataRequest,
  MetadataRequestVersions,
  type MetadataResponse,
} from '../../core/protocol/messages/metadata.ts';
import {
  decodeProduceResponse,
  encodeProduceRequest,
  ProduceRequestVersions,
} from '../../core/protocol/messages/produce.ts';
import { startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';
import {
  BenchConnection,
  createTopic,
  negotiate,
  runProduce,
  type ProduceResult,
  type Versions,
} from './load-client.ts';
import { int, mb, median, ms, table } from './report.ts';

const VALUE_BYTES = 100;
const BATCH = 1000;

export interface ClusterBenchOptions {
  /** Records per produce workload (default 2,000,000). */
  records: number;
  failovers: number;
  /** Size produced while the follower is down (default 1024 MB). */
  catchupMb: number;
}

async function metadata(conn: BenchConnection, v: Versions, topic: string): Promise<MetadataResponse> {
  return conn.request(
    3,
    v.metadata,
    MetadataRequestVersions.flexibleMin,
    encodeMetadataRequest,
    decodeMetadataResponse,
    { topics: [{ name: topic }], allowAutoTopicCreation: false } as never,
  );
}

async function partitionsOf(
  conn: BenchConnection,
  v: Versions,
  topic: string,
): Promise<{ leader: number; isr: number[]; replicas: number[] }[]> {
  const m = await metadata(conn, v, topic);
  const t = m.topics.find((x) => x.name === topic);
  if (!t || t.errorCode !== 0) throw new Error(`Metadata ${topic}: ${t ? errorName(t.errorCode) : 'missing'}`);
  return [...t.partitions]
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({ leader: p.leaderId, isr: [...p.isrNodes].sort(), replicas: [...p.replicaNodes].sort() }));
}

async function waitUntil<T>(
  what: string,
  ms: number,
  fn: () => Promise<T | undefined | false>,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* retry */
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface Connections {
  byId: Map<number, BenchConnection>;
  v: Versions;
}

async function connectAll(c: RunningCluster, ids: number[]): Promise<Connections> {
  const byId = new Map<number, BenchConnection>();
  for (const id of ids) byId.set(id, await BenchConnection.connect('127.0.0.1', c.ports.get(id)!));
  return { byId, v: await negotiate(byId.values().next().value!) };
}

function closeAll(conns: Connections): void {
  for (const x of conns.byId.values()) x.close();
}

/** Produce to every partition of `topic` through its leader, all leaders at once. */
async function produceToLeaders(
  c: RunningCluster,
  conns: Connections,
  topic: string,
  records: number,
  acks: number,
): Promise<{ rate: number; mbps: number; elapsedMs: number; errors: Record<string, number> }> {
  const parts = await partitionsOf(conns.byId.get(1)!, conns.v, topic);
  const byLeader = new Map<number, number[]>();
  parts.forEach((p, i) => byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), i]));
  const t0 = performance.now();
  const results: ProduceResult[] = await Promise.all(
    [...byLeader].map(([leader, ps]) =>
      runProduce('127.0.0.1', c.ports.get(leader)!, conns.v.produce, {
        topics: [{ name: topic, partitions: ps }],
        recordsPerBatch: BATCH,
        valueBytes: VALUE_BYTES,
        records: Math.round((records * ps.length) / parts.length),
        connections: 1,
        inFlightPerConnection: 32,
        acks,
      }),
    ),
  );
  const elapsedMs = performance.now() - t0;
  const acked = results.reduce((n, r) => n + r.recordsAcked, 0);
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
  return {
    rate: acked / (elapsedMs / 1000),
    mbps: (acked * VALUE_BYTES) / 1e6 / (elapsedMs / 1000),
    elapsedMs,
    errors,
  };
}

/** One acks=all produce of a small batch; the error code. */
async function produceOnce(conn: BenchConnection, v: Versions, topic: string): Promise<number> {
  const records = buildRecordBatch([{ key: null, value: Buffer.from('failover-probe') }], {
    baseTimestamp: Date.now(),
  });
  const res = await conn.request(
    0,
    v.produce,
    ProduceRequestVersions.flexibleMin,
    encodeProduceRequest,
    decodeProduceResponse,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    } as never,
  );
  return res.responses[0]!.partitionResponses[0]!.errorCode;
}

async function failoverOnce(
  c: RunningCluster,
  topic: string,
): Promise<{ metadataMs: number; produceMs: number; victim: number }> {
  const conns = await connectAll(c, [1, 2, 3]);
  try {
    const [p] = await partitionsOf(conns.byId.get(1)!, conns.v, topic);
    const victim = p!.leader;
    const pid = (await c.list()).find((b) => b.id === victim)!.pid!;
    const survivor = [1, 2, 3].find((id) => id !== victim)!;
    const ask = conns.byId.get(survivor)!;
    // The path is warm: the probe works before the kill.
    if ((await produceOnce(conns.byId.get(victim)!, conns.v, topic)) !== 0)
      throw new Error('probe produce failed before the kill');
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    let metadataMs = -1;
    for (;;) {
      const [q] = await partitionsOf(ask, conns.v, topic);
      if (q!.leader > 0 && q!.leader !== victim) {
        if (metadataMs < 0) metadataMs = performance.now() - t0;
        const err = await produceOnce(conns.byId.get(q!.leader)!, conns.v, topic);
        if (err === 0) return { metadataMs, produceMs: performance.now() - t0, victim };
      }
      if (performance.now() - t0 > 30_000) throw new Error('no new leader within 30 s');
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    closeAll(conns);
  }
}

async function allRunning(c: RunningCluster): Promise<void> {
  await waitUntil(
    'all brokers running',
    30_000,
    async () => {
      const l = await c.list();
      for (const b of l)
        if (b.status === 'dead' || b.status === 'stopped') await c.broker(['start', '--id', String(b.id)]);
      return l.every((b) => b.status === 'running' && !b.fenced);
    },
    200,
  );
}

async function fullIsr(conns: Connections, topic: string, ms = 60_000): Promise<void> {
  await waitUntil(
    `${topic}: full ISR`,
    ms,
    async () =>
      (await partitionsOf(conns.byId.get(1)!, conns.v, topic)).every((p) => p.leader > 0 && p.isr.length === 3),
    100,
  );
}

export async function clusterBench(log: (msg: string) => void, opts: ClusterBenchOptions): Promise<string> {
  const c = await startCluster({ brokers: 3, startTimeoutMs: 60_000 });
  const lines: string[] = [];
  try {
    const conns = await connectAll(c, [1, 2, 3]);
    const admin = conns.byId.get(1)!;
    // 1. produce throughput
    const cases: { label: string; rf: number; acks: number }[] = [
      { label: 'RF 1, acks=1', rf: 1, acks: 1 },
      { label: 'RF 3, acks=1', rf: 3, acks: 1 },
      { label: 'RF 3, acks=all (min.insync.replicas=2)', rf: 3, acks: -1 },
    ];
    const rows: string[][] = [];
    for (const k of cases) {
      const topic = `bench-cluster-rf${k.rf}-acks${k.acks}`;
      await createTopic(admin, conns.v, topic, 3, k.rf, { 'min.insync.replicas': k.rf === 3 ? '2' : '1' });
      await fullIsr(conns, topic).catch(async () => {
        if (k.rf === 3) throw new Error(`${topic}: ISR not full`);
      });
      if (k.rf === 1)
        await waitUntil('leaders', 10_000, async () =>
          (await partitionsOf(admin, conns.v, topic)).every((p) => p.leader > 0),
        );
      const r = await produceToLeaders(c, conns, topic, opts.records, k.acks);
      log(
        `cluster produce ${k.label}: ${int(r.rate)} records/s (${mb(r.rate * VALUE_BYTES)} MB/s) in ${ms(r.elapsedMs)} ms, errors ${JSON.stringify(r.errors)}`,
      );
      rows.push([
        k.label,
        int(r.rate),
        mb(r.rate * VALUE_BYTES),
        ms(r.elapsedMs),
        Object.entries(r.errors)
          .map(([e, n]) => `${e}×${int(n)}`)
          .join(', ') || 'none',
      ]);
    }
    closeAll(conns);

    // 2. failover time
    const fo: { metadataMs: number; produceMs: number; victim: number }[] = [];
    {
      const cx = await connectAll(c, [1, 2, 3]);
      await createTopic(cx.byId.get(1)!, cx.v, 'bench-failover', 1, 3, { 'min.insync.replicas': '2' });
      await fullIsr(cx, 'bench-failover');
      closeAll(cx);
    }
    for (let i = 0; i < opts.failovers; i++) {
      const r = await failoverOnce(c, 'bench-failover');
      fo.push(r);
      log(
        `failover ${i + 1}: broker ${r.victim} killed; new leader in metadata after ${ms(r.metadataMs)} ms, first acks=all produce acknowledged after ${ms(r.produceMs)} ms`,
      );
      await allRunning(c);
      const cx = await connectAll(c, [1, 2, 3]);
      await fullIsr(cx, 'bench-failover');
      closeAll(cx);
    }

    // 3. follower catch-up
    const cx = await connectAll(c, [1, 2, 3]);
    await createTopic(cx.byId.get(1)!, cx.v, 'bench-catchup', 1, 3);
    await fullIsr(cx, 'bench-catchup');
    const [p] = await partitionsOf(cx.byId.get(1)!, cx.v, 'bench-catchup');
    const leader = p!.leader;
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    closeAll(cx);
    await c.broker(['kill', '--id', String(follower)]);
    const live = [1, 2, 3].filter((id) => id !== follower);
    const cy = await connectAll(c, live);
    await waitUntil(
      'follower out of the ISR',
      20_000,
      async () => !(await partitionsOf(cy.byId.get(leader)!, cy.v, 'bench-catchup'))[0]!.isr.includes(follower),
    );
    const bytesWanted = opts.catchupMb * 1e6;
    const records = Math.ceil(bytesWanted / (VALUE_BYTES * 1.1) / BATCH) * BATCH; // ~110 B of batch per record
    const tp = performance.now();
    const prod = await runProduce('127.0.0.1', c.ports.get(leader)!, cy.v.produce, {
      topics: [{ name: 'bench-catchup', partitions: [0] }],
      recordsPerBatch: BATCH,
      valueBytes: VALUE_BYTES,
      records,
      connections: 1,
      inFlightPerConnection: 32,
      acks: 1,
    });
    const produceMs = performance.now() - tp;
    const logBytes = prod.requests * prod.batchBytes;
    log(`catch-up: ${mb(logBytes)} MB produced to broker ${leader} (follower ${follower} down) in ${ms(produceMs)} ms`);
    const t0 = performance.now();
    const st = await c.broker(['start', '--id', String(follower)]);
    if (st.code !== 0) throw new Error(`start failed: ${st.stderr}`);
    const readyMs = performance.now() - t0;
    await waitUntil(
      'follower back in the ISR',
      30 * 60_000,
      async () => (await partitionsOf(cy.byId.get(leader)!, cy.v, 'bench-catchup'))[0]!.isr.includes(follower),
      100,
    );
    const catchupMs = performance.now() - t0;
    closeAll(cy);
    log(
      `catch-up: broker ${follower} ready after ${ms(readyMs)} ms, back in the ISR after ${ms(catchupMs)} ms (${mb(logBytes / (catchupMs / 1000))} MB/s)`,
    );

    lines.push(
      '**Cluster** (`samsa start --brokers 3`: three broker processes, the controller in the samsa process; test/bench/cluster.bench.ts)',
    );
    lines.push('');
    lines.push(
      `Produce: ${int(opts.records)} records of ${VALUE_BYTES} B per case, 3 partitions (one led by each broker), one connection per leader, 32 requests in flight, batches of ${int(BATCH)}.`,
    );
    lines.push('');
    lines.push(table(['case', 'records/s', 'MB/s', 'elapsed ms', 'errors'], rows));
    lines.push('');
    lines.push(
      `Failover (1 partition, RF 3, min.insync.replicas=2; SIGKILL of the leader's process; median of ${fo.length}, range):`,
    );
    lines.push('');
    const rng = (xs: number[]): string => `${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`;
    lines.push(
      table(
        ['kill → new leader in Metadata (ms)', 'kill → first acks=all produce acknowledged (ms)'],
        [[rng(fo.map((f) => f.metadataMs)), rng(fo.map((f) => f.produceMs))]],
      ),
    );
    lines.push('');
    lines.push(
      `Follower catch-up: ${mb(logBytes)} MB of batches produced (acks=1, ${ms(produceMs)} ms) while a follower was down; from \`samsa broker start\` the follower was ready after ${ms(readyMs)} ms and back in the ISR after ${ms(catchupMs)} ms: ${mb(logBytes / (catchupMs / 1000))} MB/s.`,
    );
    return lines.join('\n');
  } finally {
    await c.dispose();
  }
}

function option(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

export function clusterBenchOptions(): ClusterBenchOptions {
  return {
    records: option('cluster-records', 2_000_000),
    failovers: option('failovers', 5),
    catchupMb: option('catchup-mb', 1024),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  clusterBench((m) => process.stderr.write(`[bench] ${m}\n`), clusterBenchOptions()).then(
    (report) => {
      console.log(report);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
