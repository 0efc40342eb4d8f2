// Samsa against Apache Kafka (part of `npm run bench`; also runs alone:
// `node test/bench/kafka.bench.ts [options of run.ts]`). The same workloads, the same clients,
// on the same machine in the same run, against real Kafka (test/helpers/kafka-peer.ts: KRaft,
// the JVM settings of kafka-server-start.sh) and against Samsa (`samsa start`, `samsa start
// --brokers 3`), each with its defaults:
//   - produce, acks=1, 100-byte records: kafka-producer-perf-test (Kafka's Java tool), kcat
//     (librdkafka) and the pipelined load client (load-client.ts, 1 and 8 partitions);
//   - consume what was produced: kafka-consumer-perf-test, kcat, the load client;
//   - end-to-end latency at a fixed rate (the Java client peer's EndToEndLatency);
//   - 3 brokers, RF 3, acks=all, min.insync.replicas=2: kafka-producer-perf-test and the load client;
//   - time from spawn to the first ApiVersions answer; idle RSS and peak RSS under produce.
// Throughput workloads run `reps` times on each broker, alternating which goes first, each run
// on a fresh topic; ratios are Samsa / Kafka of the medians. Returns the report section and the
// figures (for the targets and the top-level README).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorName } from '../../core/protocol/errors.ts';
import {
  decodeMetadataResponse,
  encodeMetadataRequest,
  MetadataRequestVersions,
  type MetadataResponse,
} from '../../core/protocol/messages/metadata.ts';
import { KCAT } from '../helpers/clients.ts';
import { JAVA, KAFKA_VERSION, startKafka, type KafkaCluster } from '../helpers/kafka-peer.ts';
import { startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';
import { freePort, memoryOf, sampleRss, spawnBroker, startBroker, type BrokerProcess } from './broker-process.ts';
import {
  BenchConnection,
  createTopic,
  negotiate,
  probeStartup,
  runConsume,
  runProduce,
  type ProduceResult,
  type Versions,
} from './load-client.ts';
import {
  consumerPerfTest,
  endToEndLatency,
  kcatConsume,
  kcatProduce,
  PERF_TOOL_HEAP,
  producerPerfTest,
  type LatencyResult,
} from './real-clients.ts';
import { int, median, mib, table } from './report.ts';

const VALUE_BYTES = 100;
const BATCH = 1000;

export interface KafkaBenchOptions {
  /** Records per run for the real clients (perf tools, kcat); default 2,000,000. */
  records: number;
  /** Records per run for the pipelined load client; default 2,000,000. */
  loadRecords: number;
  /** Runs of each throughput workload per broker; default 3. */
  reps: number;
  /** Partitions of the real clients' topics; default 8. */
  partitions: number;
  e2eRate: number;
  e2eSeconds: number;
  e2eWarmupSeconds: number;
  /** Start-up runs per broker (after one warm-up); Samsa default 5, Kafka default 3. */
  samsaStarts: number;
  kafkaStarts: number;
  /** Records per run of the RF 3 acks=all workloads; default 1,000,000. */
  rf3Records: number;
  skip: Set<'e2e' | 'rf3' | 'starts' | 'load-client' | 'kcat' | 'perf-tools'>;
  /** Run the single Samsa broker with --cpu-prof into this dir. */
  profileDir?: string;
}

type Side = 'kafka' | 'samsa';
const SIDES: Side[] = ['kafka', 'samsa'];
const LABEL: Record<Side, string> = { kafka: 'Kafka', samsa: 'Samsa' };

/** One measured quantity on both sides: every run's value (or the error that stopped it). */
interface Measure {
  key: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  values: Record<Side, number[]>;
  errors: Record<Side, string[]>;
  /** Counts towards "Samsa ≥ Kafka on every throughput ratio". */
  throughput?: boolean;
  digits?: number;
}

export interface KafkaBenchResult {
  section: string;
  measures: Measure[];
}

function newMeasure(
  key: string,
  label: string,
  unit: string,
  higherIsBetter: boolean,
  extra: Partial<Measure> = {},
): Measure {
  return {
    key,
    label,
    unit,
    higherIsBetter,
    values: { kafka: [], samsa: [] },
    errors: { kafka: [], samsa: [] },
    ...extra,
  };
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

/** Leader and ISR of each partition, once every partition has a leader and (for rf > 1) a full ISR. */
async function waitReady(
  conn: BenchConnection,
  v: Versions,
  topic: string,
  partitions: number,
  rf: number,
  ms = 60_000,
): Promise<{ leader: number; isr: number[] }[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = await metadata(conn, v, topic).catch(() => undefined);
    const t = m?.topics.find((x) => x.name === topic);
    if (t && t.errorCode === 0 && t.partitions.length === partitions) {
      const ps = [...t.partitions]
        .sort((a, b) => a.partitionIndex - b.partitionIndex)
        .map((p) => ({ leader: p.leaderId, isr: [...p.isrNodes] }));
      if (ps.every((p) => p.leader >= 0 && p.isr.length >= rf)) return ps;
    }
    if (Date.now() > deadline)
      throw new Error(`${topic}: partitions not ready within ${ms} ms (${t ? errorName(t.errorCode) : 'missing'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A broker (or cluster) under test, as the workloads see it. */
interface Target {
  side: Side;
  bootstrap: string;
  /** Port of each broker, by id. */
  ports: Map<number, number>;
  /** The broker processes (for RSS). */
  pids: () => number[];
}

async function makeTopic(t: Target, name: string, partitions: number, rf = 1, configs: Record<string, string> = {}) {
  const conn = await BenchConnection.connect('127.0.0.1', [...t.ports.values()][0]!);
  try {
    const v = await negotiate(conn);
    await createTopic(conn, v, name, partitions, rf, configs);
    return await waitReady(conn, v, name, partitions, rf);
  } finally {
    conn.close();
  }
}

async function versionsOf(t: Target): Promise<Versions> {
  const conn = await BenchConnection.connect('127.0.0.1', [...t.ports.values()][0]!);
  try {
    return await negotiate(conn);
  } finally {
    conn.close();
  }
}

/** The load client against every partition's leader at once (one connection per leader). */
async function loadProduce(
  t: Target,
  v: Versions,
  topic: string,
  leaders: number[],
  records: number,
  acks: number,
): Promise<{ rate: number; results: ProduceResult[]; errors: Record<string, number> }> {
  const byLeader = new Map<number, number[]>();
  leaders.forEach((l, i) => byLeader.set(l, [...(byLeader.get(l) ?? []), i]));
  const results = await Promise.all(
    [...byLeader].map(([leader, ps]) =>
      runProduce('127.0.0.1', t.ports.get(leader)!, v.produce, {
        topics: [{ name: topic, partitions: ps }],
        recordsPerBatch: BATCH,
        valueBytes: VALUE_BYTES,
        records: Math.round((records * ps.length) / leaders.length),
        connections: 1,
        inFlightPerConnection: 32,
        acks,
      }),
    ),
  );
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
  // One leader: its steady rate; several in parallel: the sum of theirs.
  const rate = results.reduce((a, r) => a + r.steadyRecordsPerSec, 0);
  return { rate, results, errors };
}

const errText = (e: unknown): string => ((e as Error).message ?? String(e)).split('\n')[0]!.slice(0, 300);

/** Runs `fn` for each side `reps` times, alternating which side goes first; records values or errors. */
async function alternate(reps: number, fn: (side: Side, rep: number) => Promise<void>): Promise<void> {
  for (let rep = 1; rep <= reps; rep++) {
    const order = rep % 2 === 1 ? SIDES : [...SIDES].reverse();
    for (const side of order) await fn(side, rep);
  }
}

/** Wraps one run: its value goes into `m`, a failure into m.errors (and the workload goes on). */
async function into(m: Measure, side: Side, log: (s: string) => void, fn: () => Promise<number>): Promise<void> {
  try {
    const v = await fn();
    m.values[side].push(v);
    log(`${m.label}: ${LABEL[side]} ${fmt(m, v)} ${m.unit}`);
  } catch (e) {
    m.errors[side].push(errText(e));
    log(`${m.label}: ${LABEL[side]} FAILED: ${errText(e)}`);
  }
}

function fmt(m: Measure, v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return m.digits !== undefined ? v.toFixed(m.digits) : int(v);
}

/** ApiVersions answered, retrying connections that the broker drops while it starts. */
async function firstAnswer(port: number, t0: number, timeoutMs = 120_000): Promise<number> {
  for (;;) {
    try {
      return (await probeStartup('127.0.0.1', port, t0, timeoutMs)).apiVersionsMs;
    } catch (e) {
      if (performance.now() - t0 > timeoutMs) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

function javaVersion(): string {
  const r = spawnSync(JAVA, ['-version'], { encoding: 'utf8' });
  return (/version "([^"]+)"/.exec(r.stderr ?? '')?.[1] ?? 'unknown').trim();
}

function librdkafkaVersion(): string {
  try {
    const out = execFileSync(KCAT, ['-V'], { encoding: 'utf8' });
    return /librdkafka version ([\d.]+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function kafkaBench(log: (msg: string) => void, o: KafkaBenchOptions): Promise<KafkaBenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'samsa-bench-kafka-'));
  const m = {
    perfProduce: newMeasure('perf-produce', 'produce, kafka-producer-perf-test', 'records/s', true, {
      throughput: true,
    }),
    kcatProduce: newMeasure('kcat-produce', 'produce, kcat (librdkafka)', 'records/s', true, { throughput: true }),
    loadProduce1: newMeasure('load-produce-1', 'produce, load client, 1 partition', 'records/s', true, {
      throughput: true,
    }),
    loadProduce8: newMeasure('load-produce-8', 'produce, load client, 8 partitions', 'records/s', true, {
      throughput: true,
    }),
    perfConsume: newMeasure('perf-consume', 'consume, kafka-consumer-perf-test', 'records/s', true, {
      throughput: true,
    }),
    kcatConsume: newMeasure('kcat-consume', 'consume, kcat (librdkafka)', 'records/s', true, { throughput: true }),
    loadConsume1: newMeasure('load-consume-1', 'consume, load client, 1 partition', 'records/s', true, {
      throughput: true,
    }),
    loadConsume8: newMeasure('load-consume-8', 'consume, load client, 8 partitions', 'records/s', true, {
      throughput: true,
    }),
    e2eP50: newMeasure('e2e-p50', `end-to-end latency p50 at ${int(o.e2eRate)} records/s`, 'ms', false, {
      digits: 2,
    }),
    e2eP99: newMeasure('e2e-p99', `end-to-end latency p99 at ${int(o.e2eRate)} records/s`, 'ms', false, {
      digits: 2,
    }),
    rf3Perf: newMeasure('rf3-perf', 'RF 3 acks=all, kafka-producer-perf-test', 'records/s', true, {
      throughput: true,
    }),
    rf3Load: newMeasure('rf3-load', 'RF 3 acks=all, load client', 'records/s', true, { throughput: true }),
    start: newMeasure('start', 'start: spawn → first ApiVersions answer', 'ms', false),
    idleRss: newMeasure('idle-rss', 'idle RSS (1 s after ready)', 'MiB', false, { digits: 1 }),
    peakRss: newMeasure('peak-rss', 'peak RSS under produce (sampled every 100 ms)', 'MiB', false, { digits: 1 }),
  };
  const notes: string[] = [];
  const perfDetail: Record<Side, { p50: number; p99: number; avg: number }[]> = { kafka: [], samsa: [] };
  const e2eDetail: Record<Side, LatencyResult[]> = { kafka: [], samsa: [] };
  const consumeRebalance: Record<Side, number[]> = { kafka: [], samsa: [] };
  let idleDetail: Record<Side, { anon: number; file: number } | undefined> = { kafka: undefined, samsa: undefined };
  let kafkaFormatMs: number[] = [];
  let kafkaRegisteredMs: number[] = [];
  const started = performance.now();

  try {
    // ------------------------------------------------------------ one broker each
    log('Kafka vs Samsa: starting one Kafka broker and one Samsa broker');
    const kafka: KafkaCluster = await startKafka({ brokers: 1 });
    let samsa: BrokerProcess | undefined;
    try {
      samsa = await startBroker('samsa', {
        dataDir: mkdtempSync(join(tmp, 'samsa-')),
        nodeFlags: o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [],
      });
      const targets: Record<Side, Target> = {
        kafka: {
          side: 'kafka',
          bootstrap: kafka.bootstrap,
          ports: new Map(kafka.nodes.map((n) => [n.id, n.port])),
          pids: () => kafka.nodes.map((n) => n.pid!).filter(Boolean),
        },
        samsa: {
          side: 'samsa',
          bootstrap: `${samsa.host}:${samsa.port}`,
          ports: new Map([[1, samsa.port]]),
          pids: () => [samsa!.pid],
        },
      };
      await new Promise((r) => setTimeout(r, 1000));
      idleDetail = { kafka: undefined, samsa: undefined };
      for (const side of SIDES) {
        const mem = memoryOf(targets[side].pids()[0]!);
        m.idleRss.values[side].push(mem.rss / 2 ** 20);
        idleDetail[side] = { anon: mem.anon, file: mem.file };
        log(`idle RSS ${LABEL[side]}: ${mib(mem.rss)} MiB (anon ${mib(mem.anon)}, file ${mib(mem.file)})`);
      }
      const versions: Record<Side, Versions> = {
        kafka: await versionsOf(targets.kafka),
        samsa: await versionsOf(targets.samsa),
      };
      notes.push(
        `The load client negotiated Produce v${versions.kafka.produce} / Fetch v${versions.kafka.fetch} with Kafka, v${versions.samsa.produce} / v${versions.samsa.fetch} with Samsa.`,
      );

      // produce
      const samplers = SIDES.map((side) => ({ side, s: sampleRss(targets[side].pids()[0]!) }));
      const produced = {
        perf: { kafka: [] as string[], samsa: [] as string[] },
        kcat: { kafka: [] as string[], samsa: [] as string[] },
      };
      const loadTopics: Record<Side, { topic: string; partitions: number; ends: number[] }[]> = {
        kafka: [],
        samsa: [],
      };
      if (!o.skip.has('perf-tools')) {
        await alternate(o.reps, async (side, rep) => {
          const topic = `bench-perf-${rep}`;
          await into(m.perfProduce, side, log, async () => {
            await makeTopic(targets[side], topic, o.partitions);
            const r = await producerPerfTest(targets[side].bootstrap, topic, o.records, tmp);
            perfDetail[side].push({ p50: r.p50Ms, p99: r.p99Ms, avg: r.avgMs });
            produced.perf[side].push(topic);
            return r.recordsPerSec;
          });
        });
      }
      if (!o.skip.has('kcat')) {
        await alternate(o.reps, async (side, rep) => {
          const topic = `bench-kcat-${rep}`;
          await into(m.kcatProduce, side, log, async () => {
            await makeTopic(targets[side], topic, o.partitions);
            const r = await kcatProduce(targets[side].bootstrap, topic, o.records, tmp);
            produced.kcat[side].push(topic);
            return r.recordsPerSec;
          });
        });
      }
      if (!o.skip.has('load-client')) {
        await alternate(o.reps, async (side, rep) => {
          for (const [partitions, measure] of [
            [1, m.loadProduce1],
            [8, m.loadProduce8],
          ] as const) {
            const topic = `bench-load-p${partitions}-${rep}`;
            await into(measure, side, log, async () => {
              const ps = await makeTopic(targets[side], topic, partitions);
              const port = targets[side].ports.get(ps[0]!.leader)!;
              const r = await runProduce('127.0.0.1', port, versions[side].produce, {
                topics: [{ name: topic, partitions: ps.map((_, i) => i) }],
                recordsPerBatch: BATCH,
                valueBytes: VALUE_BYTES,
                records: o.loadRecords,
                connections: 1,
                inFlightPerConnection: 32,
              });
              const errs = Object.entries(r.errors);
              if (errs.length) throw new Error(`errors: ${errs.map(([k, n]) => `${k}×${n}`).join(', ')}`);
              loadTopics[side].push({ topic, partitions, ends: r.endOffsets.get(topic)! });
              return r.steadyRecordsPerSec;
            });
          }
        });
      }
      for (const { side, s } of samplers) {
        m.peakRss.values[side].push(s.stop() / 2 ** 20);
        log(`peak RSS under produce ${LABEL[side]}: ${m.peakRss.values[side][0]!.toFixed(1)} MiB`);
      }

      // consume
      const nth = <T>(xs: T[], i: number): T => {
        if (xs[i] === undefined) throw new Error('nothing was produced for this run');
        return xs[i]!;
      };
      if (!o.skip.has('perf-tools')) {
        await alternate(o.reps, async (side, rep) => {
          await into(m.perfConsume, side, log, async () => {
            const r = await consumerPerfTest(
              targets[side].bootstrap,
              nth(produced.perf[side], rep - 1),
              o.records,
              tmp,
            );
            consumeRebalance[side].push(r.rebalanceMs);
            return r.recordsPerSec;
          });
        });
      }
      if (!o.skip.has('kcat')) {
        await alternate(o.reps, async (side, rep) => {
          await into(m.kcatConsume, side, log, async () => {
            const r = await kcatConsume(targets[side].bootstrap, nth(produced.kcat[side], rep - 1), o.records);
            return r.recordsPerSec;
          });
        });
      }
      if (!o.skip.has('load-client')) {
        await alternate(o.reps, async (side, rep) => {
          for (const [partitions, measure] of [
            [1, m.loadConsume1],
            [8, m.loadConsume8],
          ] as const) {
            await into(measure, side, log, async () => {
              const t = loadTopics[side].filter((x) => x.partitions === partitions);
              const { topic, ends } = nth(t, rep - 1);
              const r = await runConsume('127.0.0.1', targets[side].ports.get(1)!, versions[side].fetch, {
                topic,
                partitions,
                endOffsets: ends,
                maxBytes: 50 * 2 ** 20,
                partitionMaxBytes: 2 ** 20,
                maxWaitMs: 500,
              });
              const expected = ends.reduce((a, b) => a + b, 0);
              if (r.records !== expected) throw new Error(`read ${r.records} records of ${expected}`);
              const errs = Object.entries(r.errors);
              if (errs.length) throw new Error(`errors: ${errs.map(([k, n]) => `${k}×${n}`).join(', ')}`);
              return r.recordsPerSec;
            });
          }
        });
      }

      // end-to-end latency
      if (!o.skip.has('e2e')) {
        for (const side of SIDES) {
          const topic = 'bench-e2e';
          try {
            await makeTopic(targets[side], topic, 1);
            const r = await endToEndLatency(targets[side].bootstrap, topic, {
              rate: o.e2eRate,
              seconds: o.e2eSeconds,
              warmupSeconds: o.e2eWarmupSeconds,
            });
            e2eDetail[side].push(r);
            m.e2eP50.values[side].push(r.p50Ms);
            m.e2eP99.values[side].push(r.p99Ms);
            log(
              `end-to-end latency ${LABEL[side]}: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.p999Ms} ms, max ${r.maxMs} ms (${int(r.measured)} records measured, ${int(r.lateSends)} sends > 1 ms late)`,
            );
          } catch (e) {
            m.e2eP50.errors[side].push(errText(e));
            m.e2eP99.errors[side].push(errText(e));
            log(`end-to-end latency ${LABEL[side]} FAILED: ${errText(e)}`);
          }
        }
      }
    } finally {
      await samsa?.stop();
      await kafka.stop();
    }

    // ------------------------------------------------------------ start time
    if (!o.skip.has('starts')) {
      // Samsa: one discarded warm-up (module compile cache), then o.samsaStarts; Kafka's warm-up
      // was the start above (the same jars, now in the page cache).
      for (let i = 0; i <= o.samsaStarts; i++) {
        const port = await freePort();
        const dataDir = mkdtempSync(join(tmp, 'samsa-start-'));
        const { t0, ready } = spawnBroker('samsa', { dataDir, port });
        const answeredMs = await firstAnswer(port, t0);
        const b = await ready;
        await b.stop();
        rmSync(dataDir, { recursive: true, force: true });
        if (i === 0) continue;
        m.start.values.samsa.push(answeredMs);
        log(`start Samsa: first ApiVersions answer after ${answeredMs.toFixed(0)} ms`);
      }
      kafkaFormatMs = [];
      kafkaRegisteredMs = [];
      for (let i = 0; i < o.kafkaStarts; i++) {
        const tCall = performance.now();
        let probe: Promise<number> | undefined;
        let spawnedAt = 0;
        let k: KafkaCluster | undefined;
        try {
          k = await startKafka({
            brokers: 1,
            onSpawn: (node, t) => {
              spawnedAt = t;
              probe = firstAnswer(node.port, t);
            },
          });
          const registered = performance.now() - spawnedAt;
          const answeredMs = await probe!;
          m.start.values.kafka.push(answeredMs);
          kafkaFormatMs.push(spawnedAt - tCall);
          kafkaRegisteredMs.push(registered);
          log(
            `start Kafka: first ApiVersions answer after ${answeredMs.toFixed(0)} ms (kafka-storage format before it took ${(spawnedAt - tCall).toFixed(0)} ms; registered after ${registered.toFixed(0)} ms)`,
          );
        } catch (e) {
          m.start.errors.kafka.push(errText(e));
          log(`start Kafka FAILED: ${errText(e)}`);
        } finally {
          if (k) {
            await k.kill(1); // SIGKILL: only the start is measured, and the dir is thrown away
            await k.stop();
          }
        }
      }
    }

    // ------------------------------------------------------------ 3 brokers, RF 3, acks=all
    if (!o.skip.has('rf3')) {
      log('Kafka vs Samsa: 3 brokers each (RF 3, acks=all, min.insync.replicas=2)');
      const kafka3 = await startKafka({ brokers: 3 });
      let samsa3: RunningCluster | undefined;
      try {
        samsa3 = await startCluster({ brokers: 3, startTimeoutMs: 60_000 });
        const targets: Record<Side, Target> = {
          kafka: {
            side: 'kafka',
            bootstrap: kafka3.bootstrap,
            ports: new Map(kafka3.nodes.map((n) => [n.id, n.port])),
            pids: () => kafka3.nodes.map((n) => n.pid!).filter(Boolean),
          },
          samsa: {
            side: 'samsa',
            bootstrap: samsa3.bootstrap,
            ports: samsa3.ports,
            pids: () => [],
          },
        };
        const versions: Record<Side, Versions> = {
          kafka: await versionsOf(targets.kafka),
          samsa: await versionsOf(targets.samsa),
        };
        const isr = { 'min.insync.replicas': '2' };
        await alternate(o.reps, async (side, rep) => {
          await into(m.rf3Perf, side, log, async () => {
            const topic = `bench-rf3-perf-${rep}`;
            await makeTopic(targets[side], topic, 3, 3, isr);
            const r = await producerPerfTest(targets[side].bootstrap, topic, o.rf3Records, tmp, { acks: 'all' });
            return r.recordsPerSec;
          });
        });
        if (!o.skip.has('load-client')) {
          await alternate(o.reps, async (side, rep) => {
            await into(m.rf3Load, side, log, async () => {
              const topic = `bench-rf3-load-${rep}`;
              const ps = await makeTopic(targets[side], topic, 3, 3, isr);
              const r = await loadProduce(
                targets[side],
                versions[side],
                topic,
                ps.map((p) => p.leader),
                o.rf3Records,
                -1,
              );
              const errs = Object.entries(r.errors);
              if (errs.length) throw new Error(`errors: ${errs.map(([k, n]) => `${k}×${n}`).join(', ')}`);
              if (rep === 1)
                notes.push(
                  `RF 3 load client on ${LABEL[side]}: leaders of the 3 partitions on brokers ${ps.map((p) => p.leader).join(', ')}.`,
                );
              return r.rate;
            });
          });
        }
      } finally {
        await samsa3?.dispose();
        await kafka3.stop();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  // ------------------------------------------------------------ report
  const measures = Object.values(m);
  const lines: string[] = [];
  lines.push(
    `**Samsa against Kafka** (test/bench/kafka.bench.ts; Apache Kafka ${KAFKA_VERSION} on Java ${javaVersion()}, KRaft, ` +
      `kafka-server-start.sh's JVM settings: -Xmx1G -Xms1G -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35; ` +
      `Samsa \`samsa start\` / \`samsa start --brokers 3\`; both with their default configs, on the same machine in the same run; ` +
      `took ${Math.round((performance.now() - started) / 1000)} s)`,
  );
  lines.push('');
  lines.push(
    `Throughput: ${int(o.records)} records of ${VALUE_BYTES} B per run for the real clients (topics of ${o.partitions} partitions, acks=1), ` +
      `${int(o.loadRecords)} for the load client; median of ${o.reps} runs per broker (alternating which broker goes first, each run on a fresh topic), range in brackets. ` +
      `kafka-*-perf-test run as their bin/*.sh scripts run them (${PERF_TOOL_HEAP}, kafka-run-class.sh's G1 options); kcat on librdkafka ${librdkafkaVersion()}. ` +
      `Ratio = Samsa / Kafka of the medians.`,
  );
  lines.push('');
  const cell = (x: Measure, side: Side): string => {
    const vs = x.values[side];
    if (!vs.length) return x.errors[side].length ? `failed: ${x.errors[side][0]}` : 'not run';
    const med = fmt(x, median(vs));
    const failed = x.errors[side].length ? `, ${x.errors[side].length} failed` : '';
    return vs.length > 1 ? `${med} (${fmt(x, Math.min(...vs))}–${fmt(x, Math.max(...vs))}${failed})` : `${med}${failed}`;
  };
  const rows: string[][] = [];
  for (const x of measures) {
    if (!x.values.kafka.length && !x.values.samsa.length && !x.errors.kafka.length && !x.errors.samsa.length) continue;
    const r = ratio(x);
    rows.push([
      x.label,
      x.unit,
      cell(x, 'kafka'),
      cell(x, 'samsa'),
      Number.isFinite(r) ? r.toFixed(2) : 'n/a',
      better(x),
    ]);
  }
  lines.push(table(['workload', 'unit', 'Kafka', 'Samsa', 'Samsa / Kafka', 'better'], rows));
  lines.push('');
  lines.push('Targets (from the issue):');
  lines.push('');
  lines.push(table(['target', 'measured', 'met'], targets(measures)));
  lines.push('');
  const detail: string[] = [];
  if (perfDetail.kafka.length || perfDetail.samsa.length) {
    const d = (side: Side): string => {
      const xs = perfDetail[side];
      return xs.length
        ? `${LABEL[side]} avg ${median(xs.map((x) => x.avg)).toFixed(1)} ms, p50 ${median(xs.map((x) => x.p50))} ms, p99 ${median(xs.map((x) => x.p99))} ms`
        : `${LABEL[side]} n/a`;
    };
    detail.push(
      `kafka-producer-perf-test's own send-to-acknowledgement latency (unthrottled, so mostly queueing in the client; medians): ${d('kafka')}; ${d('samsa')}.`,
    );
  }
  if (consumeRebalance.kafka.length || consumeRebalance.samsa.length)
    detail.push(
      `kafka-consumer-perf-test's rate is its fetch.nMsg.sec (from the group's first assignment on; the join, which waits out group.initial.rebalance.delay.ms, is not counted): rebalance took ${median(consumeRebalance.kafka).toFixed(0)} ms on Kafka, ${median(consumeRebalance.samsa).toFixed(0)} ms on Samsa (medians).`,
    );
  if (e2eDetail.kafka.length || e2eDetail.samsa.length) {
    const d = (side: Side): string => {
      const r = e2eDetail[side][0];
      return r
        ? `${LABEL[side]} p50 ${r.p50Ms} / p99 ${r.p99Ms} / p99.9 ${r.p999Ms} / max ${r.maxMs} ms, mean ${r.meanMs} ms (${int(r.measured)} records, ${int(r.lateSends)} sends more than 1 ms late)`
        : `${LABEL[side]} n/a`;
    };
    detail.push(
      `End-to-end latency (test/peers/java EndToEndLatency: Java client ${KAFKA_VERSION}, producer acks=1 linger.ms=0, consumer assigned without a group, both otherwise default; ${int(o.e2eRate)} records/s of ${VALUE_BYTES} B for ${o.e2eWarmupSeconds} s of warm-up, then ${o.e2eSeconds} s measured, 1 partition; from the time each record was due to its return from poll()): ${d('kafka')}; ${d('samsa')}.`,
    );
  }
  if (m.start.values.kafka.length) {
    detail.push(
      `Start: Kafka's time is from spawning the JVM (after \`kafka-storage format\` of a new log dir, ${median(kafkaFormatMs).toFixed(0)} ms, not counted) to the first ApiVersions answer; ` +
        `it is registered and unfenced (Metadata lists it) after ${median(kafkaRegisteredMs).toFixed(0)} ms. Samsa: \`samsa start\` on a new data dir, one warm-up start discarded. ` +
        `Kafka's port accepts connections (the kernel's backlog) before the broker reads them, so only the answer is timed.`,
    );
  }
  if (idleDetail.kafka && idleDetail.samsa)
    detail.push(
      `Idle RSS split (RssAnon / RssFile): Kafka ${mib(idleDetail.kafka.anon)} / ${mib(idleDetail.kafka.file)} MiB, Samsa ${mib(idleDetail.samsa.anon)} / ${mib(idleDetail.samsa.file)} MiB. ` +
        `The JVM reserves its 1 GiB heap (-Xms1G) but only pages it has touched count; peak RSS is the largest VmRSS sampled over all the produce runs above (same workloads on both).`,
    );
  detail.push(...notes);
  lines.push(...detail.map((d) => `- ${d}`));
  return { section: lines.join('\n'), measures };
}

export function ratio(x: Measure): number {
  if (!x.values.kafka.length || !x.values.samsa.length) return NaN;
  return median(x.values.samsa) / median(x.values.kafka);
}

function better(x: Measure): string {
  const r = ratio(x);
  if (!Number.isFinite(r)) return 'n/a';
  if (Math.abs(r - 1) < 0.005) return 'even';
  const samsaBetter = x.higherIsBetter ? r > 1 : r < 1;
  const factor = r >= 1 ? r : 1 / r;
  return `${samsaBetter ? 'Samsa' : 'Kafka'} (${factor.toFixed(factor >= 10 ? 0 : 2)}×)`;
}

function targets(ms: Measure[]): string[][] {
  const by = (k: string): Measure | undefined => ms.find((x) => x.key === k);
  const rows: string[][] = [];
  const tp = ms.filter((x) => x.throughput && Number.isFinite(ratio(x)));
  if (tp.length) {
    const misses = tp.filter((x) => ratio(x) < 1);
    rows.push([
      'Samsa ≥ Kafka on every throughput ratio',
      `${tp.length - misses.length} of ${tp.length} ≥ 1${misses.length ? `; below: ${misses.map((x) => `${x.label} ${ratio(x).toFixed(2)}`).join(', ')}` : ''}`,
      misses.length ? 'no' : 'yes',
    ]);
  }
  const p99 = by('e2e-p99');
  if (p99 && Number.isFinite(ratio(p99)))
    rows.push([
      'Samsa ≤ Kafka on p99 end-to-end latency',
      `${median(p99.values.samsa).toFixed(2)} ms vs ${median(p99.values.kafka).toFixed(2)} ms (${ratio(p99).toFixed(2)})`,
      ratio(p99) <= 1 ? 'yes' : 'no',
    ]);
  const start = by('start');
  if (start && Number.isFinite(ratio(start)))
    rows.push([
      'start ≥ 10× faster than Kafka',
      `${median(start.values.samsa).toFixed(0)} ms vs ${median(start.values.kafka).toFixed(0)} ms: ${(1 / ratio(start)).toFixed(1)}× faster`,
      1 / ratio(start) >= 10 ? 'yes' : 'no',
    ]);
  const rss = by('idle-rss');
  if (rss && Number.isFinite(ratio(rss)))
    rows.push([
      "idle RSS ≤ ¼ of Kafka's",
      `${median(rss.values.samsa).toFixed(1)} MiB vs ${median(rss.values.kafka).toFixed(1)} MiB (${ratio(rss).toFixed(2)})`,
      ratio(rss) <= 0.25 ? 'yes' : 'no',
    ]);
  return rows;
}

// ---- options (shared with run.ts) -----------------------------------------------------------

function option(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

export function kafkaBenchOptions(): KafkaBenchOptions {
  const i = process.argv.indexOf('--profile');
  const skip = new Set<KafkaBenchOptions['skip'] extends Set<infer T> ? T : never>();
  for (const s of ['e2e', 'rf3', 'starts', 'load-client', 'kcat', 'perf-tools'] as const)
    if (process.argv.includes(`--no-kafka-${s}`)) skip.add(s);
  return {
    records: option('kafka-records', 2_000_000),
    loadRecords: option('kafka-load-records', 2_000_000),
    reps: option('kafka-reps', 3),
    partitions: option('kafka-partitions', 8),
    e2eRate: option('e2e-rate', 10_000),
    e2eSeconds: option('e2e-seconds', 30),
    e2eWarmupSeconds: option('e2e-warmup', 5),
    samsaStarts: option('starts', 5),
    kafkaStarts: option('kafka-starts', 3),
    rf3Records: option('rf3-records', 1_000_000),
    skip,
    profileDir: i >= 0 ? process.argv[i + 1] : undefined,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  kafkaBench((msg) => process.stderr.write(`[bench] ${msg}\n`), kafkaBenchOptions()).then(
    (r) => {
      console.log(r.section);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
