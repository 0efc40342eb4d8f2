// Samsa against Apache Kafka (part of `npm run bench`; also runs alone:
// `node test/bench/kafka.bench.ts [options below]`). The same workloads, the same clients, on the
// same machine in the same run, against real Kafka (test/helpers/kafka-peer.ts: KRaft, the JVM
// settings of kafka-server-start.sh) and against Samsa (`samsa start`, `samsa start --brokers 3`),
// each with its default configs:
//   - produce, acks=1, 100-byte records: kafka-producer-perf-test (Kafka's Java tool), kcat
//     (librdkafka) and the pipelined load client (load-client.ts, 1 and 8 partitions);
//   - consume what was produced: kafka-consumer-perf-test, kcat, the load client;
//   - end-to-end latency at a fixed rate (the Java client peer's EndToEndLatency);
//   - 3 brokers, RF 3, acks=all, min.insync.replicas=2: kafka-producer-perf-test and the load client;
//   - time from spawn to the first ApiVersions answer; idle RSS and peak RSS under produce.
// Throughput workloads run `reps` times on each broker, alternating which goes first, each run on
// a fresh topic; ratios are Samsa / Kafka of the medians. Measures and tables: kafka-measures.ts;
// options, figures and the report: kafka-report.ts; topics, leaders and probes: kafka-targets.ts;
// the clients: real-clients.ts.
//
// Options: --kafka-records N (real clients, default 1000000), --kafka-load-records N (load
// client, 2000000), --kafka-reps N (3), --kafka-partitions N (8), --e2e-rate N (2000),
// --e2e-seconds N (15), --e2e-warmup N (5), --starts N (Samsa starts, 5), --kafka-starts N (3),
// --rf3-records N (500000); --no-kafka-X skips a part, X one of perf-tools, kcat, load-client,
// e2e, starts, rf3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, type KafkaCluster } from '../helpers/kafka-peer.ts';
import { startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';
import { freePort, memoryOf, sampleRss, spawnBroker, startBroker, type BrokerProcess } from './broker-process.ts';
import { runConsume, type Versions } from './load-client.ts';
import { alternate, errText, into, LABEL, SIDES, type Measure, type Side } from './kafka-measures.ts';
import { newState, PARTS, report, type KafkaBenchOptions, type State } from './kafka-report.ts';
import {
  firstAnswer,
  loadProduce,
  makeTopic,
  primeTopic,
  throwOnErrors,
  versionsOf,
  type Target,
} from './kafka-targets.ts';
import { consumerPerfTest, endToEndLatency, kcatConsume, kcatProduce, producerPerfTest } from './real-clients.ts';
import { int, mib } from './report.ts';

export type { KafkaBenchOptions } from './kafka-report.ts';

export interface KafkaBenchResult {
  section: string;
  measures: Measure[];
}

const nth = <T>(xs: T[], i: number): T => {
  if (xs[i] === undefined) throw new Error('nothing was produced for this run');
  return xs[i]!;
};

/** One Kafka broker and one Samsa broker: produce, consume, latency, idle and peak RSS. */
async function singleBroker(o: KafkaBenchOptions, s: State, tmp: string, log: (m: string) => void): Promise<void> {
  const { m } = s;
  log('Kafka vs Samsa: starting one Kafka broker and one Samsa broker');
  const kafka: KafkaCluster = await startKafka({ brokers: 1, startTimeoutMs: 180_000 });
  let samsa: BrokerProcess | undefined;
  try {
    samsa = await startBroker('samsa', {
      dataDir: mkdtempSync(join(tmp, 'samsa-')),
      nodeFlags: o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [],
    });
    const b = samsa;
    const targets: Record<Side, Target> = {
      kafka: {
        side: 'kafka',
        bootstrap: kafka.bootstrap,
        ports: new Map(kafka.nodes.map((n) => [n.id, n.port])),
        pids: () => kafka.nodes.map((n) => n.pid!).filter(Boolean),
      },
      samsa: { side: 'samsa', bootstrap: `${b.host}:${b.port}`, ports: new Map([[1, b.port]]), pids: () => [b.pid] },
    };
    await new Promise((r) => setTimeout(r, 1000));
    for (const side of SIDES) {
      const mem = memoryOf(targets[side].pids()[0]!);
      m.idleRss.values[side].push(mem.rss / 2 ** 20);
      s.idleDetail[side] = { anon: mem.anon, file: mem.file };
      log(`idle RSS ${LABEL[side]}: ${mib(mem.rss)} MiB (anon ${mib(mem.anon)}, file ${mib(mem.file)})`);
    }
    const versions: Record<Side, Versions> = {
      kafka: await versionsOf(targets.kafka),
      samsa: await versionsOf(targets.samsa),
    };
    s.notes.push(
      `The load client negotiated Produce v${versions.kafka.produce} / Fetch v${versions.kafka.fetch} with Kafka, v${versions.samsa.produce} / v${versions.samsa.fetch} with Samsa.`,
    );

    // produce
    const samplers = SIDES.map((side) => ({ side, s: sampleRss(targets[side].pids()[0]!) }));
    const produced = { perf: { kafka: [], samsa: [] }, kcat: { kafka: [], samsa: [] } } as Record<
      'perf' | 'kcat',
      Record<Side, string[]>
    >;
    const loadTopics: Record<Side, { topic: string; partitions: number; ends: number[] }[]> = { kafka: [], samsa: [] };
    if (!o.skip.has('perf-tools'))
      await alternate(o.reps, (side, rep) =>
        into(m.perfProduce, side, log, async () => {
          const topic = `bench-perf-${rep}`;
          await makeTopic(targets[side], topic, o.partitions);
          const r = await producerPerfTest(targets[side].bootstrap, topic, o.records, tmp);
          s.perfDetail[side].push({ p50: r.p50Ms, p99: r.p99Ms, avg: r.avgMs });
          produced.perf[side].push(topic);
          return r.recordsPerSec;
        }),
      );
    if (!o.skip.has('kcat'))
      await alternate(o.reps, (side, rep) =>
        into(m.kcatProduce, side, log, async () => {
          const topic = `bench-kcat-${rep}`;
          await makeTopic(targets[side], topic, o.partitions);
          const r = await kcatProduce(targets[side].bootstrap, topic, o.records, tmp);
          produced.kcat[side].push(topic);
          return r.recordsPerSec;
        }),
      );
    if (!o.skip.has('load-client'))
      await alternate(o.reps, async (side, rep) => {
        for (const [partitions, measure] of [
          [1, m.loadProduce1],
          [8, m.loadProduce8],
        ] as const) {
          await into(measure, side, log, async () => {
            const topic = `bench-load-p${partitions}-${rep}`;
            const leaders = (await makeTopic(targets[side], topic, partitions)).map((p) => p.leader);
            await primeTopic(targets[side], versions[side], topic, leaders);
            const r = await loadProduce(targets[side], versions[side], topic, leaders, o.loadRecords, 1);
            throwOnErrors(r.errors);
            loadTopics[side].push({ topic, partitions, ends: r.ends });
            return r.rate;
          });
        }
      });
    const producedAny = !(o.skip.has('perf-tools') && o.skip.has('kcat') && o.skip.has('load-client'));
    for (const { side, s: sampler } of samplers) {
      const peak = sampler.stop() / 2 ** 20;
      if (!producedAny) continue;
      m.peakRss.values[side].push(peak);
      log(`peak RSS under produce ${LABEL[side]}: ${m.peakRss.values[side][0]!.toFixed(1)} MiB`);
    }

    // consume
    if (!o.skip.has('perf-tools'))
      await alternate(o.reps, (side, rep) =>
        into(m.perfConsume, side, log, async () => {
          const topic = nth(produced.perf[side], rep - 1);
          const r = await consumerPerfTest(targets[side].bootstrap, topic, o.records, tmp);
          s.consumeRebalance[side].push(r.rebalanceMs);
          return r.recordsPerSec;
        }),
      );
    if (!o.skip.has('kcat'))
      await alternate(o.reps, (side, rep) =>
        into(m.kcatConsume, side, log, async () => {
          const r = await kcatConsume(targets[side].bootstrap, nth(produced.kcat[side], rep - 1), o.records);
          return r.recordsPerSec;
        }),
      );
    if (!o.skip.has('load-client'))
      await alternate(o.reps, async (side, rep) => {
        for (const [partitions, measure] of [
          [1, m.loadConsume1],
          [8, m.loadConsume8],
        ] as const) {
          await into(measure, side, log, async () => {
            const { topic, ends } = nth(
              loadTopics[side].filter((x) => x.partitions === partitions),
              rep - 1,
            );
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
            throwOnErrors(r.errors);
            return r.recordsPerSec;
          });
        }
      });

    // One large fetch: 4 partitions of ~8.4 MB each, read from offset 0 with 8 MiB per partition
    // and 32 MiB in all (below Samsa's 4 MiB tail cache: the cold-read path), timed at the client.
    if (!o.skip.has('load-client'))
      await alternate(o.reps, (side, rep) =>
        into(m.bigFetch, side, log, async () => {
          const topic = `bench-big-fetch-${rep}`;
          const leaders = (await makeTopic(targets[side], topic, 4)).map((p) => p.leader);
          await primeTopic(targets[side], versions[side], topic, leaders);
          const r = await loadProduce(targets[side], versions[side], topic, leaders, 4 * 75_000, 1);
          throwOnErrors(r.errors);
          const c = await runConsume('127.0.0.1', targets[side].ports.get(1)!, versions[side].fetch, {
            topic,
            partitions: 4,
            endOffsets: r.ends.map(() => 73_000), // ~8.4 MB of each (1,000 primed + 75,000), so one fetch takes all
            maxBytes: 32 * 2 ** 20,
            partitionMaxBytes: 8 * 2 ** 20,
            maxWaitMs: 500,
          });
          throwOnErrors(c.errors);
          if (c.fetches !== 1) throw new Error(`${c.fetches} fetches (${c.batchBytes} B) where one was expected`);
          return c.elapsedMs;
        }),
      );

    // end-to-end latency
    if (!o.skip.has('e2e'))
      for (const side of SIDES) {
        try {
          await makeTopic(targets[side], 'bench-e2e', 1);
          const r = await endToEndLatency(targets[side].bootstrap, 'bench-e2e', {
            rate: o.e2eRate,
            seconds: o.e2eSeconds,
            warmupSeconds: o.e2eWarmupSeconds,
          });
          s.e2eDetail[side].push(r);
          m.e2eP50.values[side].push(r.p50Ms);
          m.e2eP99.values[side].push(r.p99Ms);
          log(
            `end-to-end latency ${LABEL[side]}: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.p999Ms} ms, max ${r.maxMs} ms (${int(r.measured)} records measured, ${int(r.lateSends)} sends > 1 ms late)`,
          );
        } catch (e) {
          m.e2eP50.errors[side].push(errText(e));
          m.e2eP99.errors[side].push(errText(e));
          log(`end-to-end latency ${LABEL[side]} FAILED: ${(e as Error).message}`);
        }
      }
  } finally {
    await samsa?.stop();
    await kafka.stop();
  }
}

/** Spawn → first ApiVersions answer: `samsa start` on a new data dir; Kafka's JVM after `kafka-storage format`. */
async function startTimes(o: KafkaBenchOptions, s: State, tmp: string, log: (m: string) => void): Promise<void> {
  // Samsa: one discarded warm-up (module compile cache), then o.samsaStarts; Kafka's warm-up was
  // the start of the single-broker phase (the same jars, now in the page cache).
  for (let i = 0; i <= o.samsaStarts; i++) {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmp, 'samsa-start-'));
    const { t0, ready } = spawnBroker('samsa', { dataDir, port });
    const answeredMs = await firstAnswer(port, t0);
    await (await ready).stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (i === 0) continue;
    s.m.start.values.samsa.push(answeredMs);
    log(`start Samsa: first ApiVersions answer after ${answeredMs.toFixed(0)} ms`);
  }
  for (let i = 0; i < o.kafkaStarts; i++) {
    const tCall = performance.now();
    let probe: Promise<number> | undefined;
    let spawnedAt = 0;
    let k: KafkaCluster | undefined;
    try {
      k = await startKafka({
        brokers: 1,
        startTimeoutMs: 180_000,
        onSpawn: (node, t) => {
          spawnedAt = t;
          probe = firstAnswer(node.port, t);
        },
      });
      const registered = performance.now() - spawnedAt;
      const answeredMs = await probe!;
      s.m.start.values.kafka.push(answeredMs);
      s.kafkaFormatMs.push(spawnedAt - tCall);
      s.kafkaRegisteredMs.push(registered);
      log(
        `start Kafka: first ApiVersions answer after ${answeredMs.toFixed(0)} ms (kafka-storage format before it took ${(spawnedAt - tCall).toFixed(0)} ms; registered after ${registered.toFixed(0)} ms)`,
      );
    } catch (e) {
      s.m.start.errors.kafka.push(errText(e));
      log(`start Kafka FAILED: ${(e as Error).message}`);
    } finally {
      if (k) {
        await k.kill(1); // SIGKILL: only the start is measured, and the dir is thrown away
        await k.stop();
      }
    }
  }
}

/** 3 brokers each, 3 partitions (one leader per broker), RF 3, acks=all, min.insync.replicas=2. */
async function rf3(o: KafkaBenchOptions, s: State, tmp: string, log: (m: string) => void): Promise<void> {
  const { m } = s;
  log('Kafka vs Samsa: 3 brokers each (RF 3, acks=all, min.insync.replicas=2)');
  const kafka3 = await startKafka({ brokers: 3, startTimeoutMs: 180_000 });
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
      samsa: { side: 'samsa', bootstrap: samsa3.bootstrap, ports: samsa3.ports, pids: () => [] },
    };
    const versions: Record<Side, Versions> = {
      kafka: await versionsOf(targets.kafka),
      samsa: await versionsOf(targets.samsa),
    };
    const isr = { 'min.insync.replicas': '2' };
    if (!o.skip.has('perf-tools'))
      await alternate(o.reps, (side, rep) =>
        into(m.rf3Perf, side, log, async () => {
          const topic = `bench-rf3-perf-${rep}`;
          await makeTopic(targets[side], topic, 3, 3, isr);
          const r = await producerPerfTest(targets[side].bootstrap, topic, o.rf3Records, tmp, { acks: 'all' });
          return r.recordsPerSec;
        }),
      );
    if (!o.skip.has('load-client'))
      await alternate(o.reps, (side, rep) =>
        into(m.rf3Load, side, log, async () => {
          const topic = `bench-rf3-load-${rep}`;
          const leaders = (await makeTopic(targets[side], topic, 3, 3, isr)).map((p) => p.leader);
          await primeTopic(targets[side], versions[side], topic, leaders, -1);
          const r = await loadProduce(targets[side], versions[side], topic, leaders, o.rf3Records, -1);
          throwOnErrors(r.errors);
          if (rep === 1)
            s.notes.push(`RF 3 load client on ${LABEL[side]}: partition leaders on brokers ${leaders.join(', ')}.`);
          return r.rate;
        }),
      );
  } finally {
    await samsa3?.dispose();
    await kafka3.stop();
  }
}

export async function kafkaBench(log: (msg: string) => void, o: KafkaBenchOptions): Promise<KafkaBenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'samsa-bench-kafka-'));
  const s = newState(o);
  const started = performance.now();
  try {
    // A discarded start: after the sources change, the first start compiles every module.
    await (await startBroker('samsa', { dataDir: mkdtempSync(join(tmp, 'samsa-warmup-')) })).stop();
    // A phase that fails (a broker that does not start in time on a loaded machine) is reported
    // and the next one runs.
    const phase = async (name: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        s.notes.push(`The ${name} phase failed: ${errText(e)}.`);
        log(`${name} phase FAILED: ${(e as Error).stack ?? String(e)}`);
      }
    };
    await phase('single-broker', () => singleBroker(o, s, tmp, log));
    if (!o.skip.has('starts')) await phase('start-time', () => startTimes(o, s, tmp, log));
    if (!o.skip.has('rf3')) await phase('3-broker', () => rf3(o, s, tmp, log));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { section: report(o, s, performance.now() - started), measures: Object.values(s.m) };
}

function option(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

export function kafkaBenchOptions(): KafkaBenchOptions {
  const i = process.argv.indexOf('--profile');
  return {
    records: option('kafka-records', 1_000_000),
    loadRecords: option('kafka-load-records', 2_000_000),
    reps: option('kafka-reps', 3),
    partitions: option('kafka-partitions', 8),
    e2eRate: option('e2e-rate', 2_000),
    e2eSeconds: option('e2e-seconds', 15),
    e2eWarmupSeconds: option('e2e-warmup', 5),
    samsaStarts: option('starts', 5),
    kafkaStarts: option('kafka-starts', 3),
    rf3Records: option('rf3-records', 500_000),
    skip: new Set(PARTS.filter((p) => process.argv.includes(`--no-kafka-${p}`))),
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
