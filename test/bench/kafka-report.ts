// The figures of the Samsa-against-Kafka benchmark (kafka.bench.ts) and its report: its options,
// every measure (kafka-measures.ts) with the details given beside the table (the perf tools' own
// latencies, the group join, the latency run, Kafka's format and registration times, the RSS
// split), and the section written into test/bench/README.md.
import { KAFKA_VERSION } from '../helpers/kafka-peer.ts';
import { LABEL, measuresTable, newMeasure, targetsTable, type Side } from './kafka-measures.ts';
import { javaVersion, librdkafkaVersion, VALUE_BYTES } from './kafka-targets.ts';
import { PERF_TOOL_HEAP, type LatencyResult } from './real-clients.ts';
import { int, median, mib } from './report.ts';

export const PARTS = ['perf-tools', 'kcat', 'load-client', 'e2e', 'starts', 'rf3'] as const;
export type Part = (typeof PARTS)[number];

export interface KafkaBenchOptions {
  /** Records per run for the real clients (perf tools, kcat). */
  records: number;
  /** Records per run for the pipelined load client. */
  loadRecords: number;
  /** Runs of each throughput workload per broker. */
  reps: number;
  /** Partitions of the real clients' topics. */
  partitions: number;
  e2eRate: number;
  e2eSeconds: number;
  e2eWarmupSeconds: number;
  /** Start-up runs per broker (after one warm-up). */
  samsaStarts: number;
  kafkaStarts: number;
  /** Records per run of the RF 3 acks=all workloads. */
  rf3Records: number;
  skip: Set<Part>;
  /** Run the single Samsa broker with --cpu-prof into this dir. */
  profileDir?: string;
}

/** Everything measured, and the details the report gives beside the table. */
export function newState(o: KafkaBenchOptions) {
  const tp = { throughput: true };
  return {
    m: {
      perfProduce: newMeasure('perf-produce', 'produce, kafka-producer-perf-test', 'records/s', true, tp),
      kcatProduce: newMeasure('kcat-produce', 'produce, kcat (librdkafka)', 'records/s', true, tp),
      loadProduce1: newMeasure('load-produce-1', 'produce, load client, 1 partition', 'records/s', true, tp),
      loadProduce8: newMeasure('load-produce-8', 'produce, load client, 8 partitions', 'records/s', true, tp),
      perfConsume: newMeasure('perf-consume', 'consume, kafka-consumer-perf-test', 'records/s', true, tp),
      kcatConsume: newMeasure('kcat-consume', 'consume, kcat (librdkafka)', 'records/s', true, tp),
      loadConsume1: newMeasure('load-consume-1', 'consume, load client, 1 partition', 'records/s', true, tp),
      loadConsume8: newMeasure('load-consume-8', 'consume, load client, 8 partitions', 'records/s', true, tp),
      bigFetch: newMeasure('big-fetch', 'one 32 MiB fetch (4 partitions × 8 MiB, from the files)', 'ms', false, {
        digits: 1,
      }),
      e2eP50: newMeasure('e2e-p50', `end-to-end latency p50 at ${int(o.e2eRate)} records/s`, 'ms', false, {
        digits: 2,
      }),
      e2eP99: newMeasure('e2e-p99', `end-to-end latency p99 at ${int(o.e2eRate)} records/s`, 'ms', false, {
        digits: 2,
      }),
      rf3Perf: newMeasure('rf3-perf', '3 brokers, RF 3 acks=all, kafka-producer-perf-test', 'records/s', true, tp),
      rf3Load: newMeasure('rf3-load', '3 brokers, RF 3 acks=all, load client', 'records/s', true, tp),
      start: newMeasure('start', 'start: spawn → first ApiVersions answer', 'ms', false),
      idleRss: newMeasure('idle-rss', 'idle RSS (1 s after ready)', 'MiB', false, { digits: 1 }),
      peakRss: newMeasure('peak-rss', 'peak RSS under produce (sampled every 100 ms)', 'MiB', false, { digits: 1 }),
    },
    notes: [] as string[],
    perfDetail: { kafka: [], samsa: [] } as Record<Side, { p50: number; p99: number; avg: number }[]>,
    e2eDetail: { kafka: [], samsa: [] } as Record<Side, LatencyResult[]>,
    consumeRebalance: { kafka: [], samsa: [] } as Record<Side, number[]>,
    idleDetail: {} as Partial<Record<Side, { anon: number; file: number }>>,
    kafkaFormatMs: [] as number[],
    kafkaRegisteredMs: [] as number[],
  };
}
export type State = ReturnType<typeof newState>;

export function report(o: KafkaBenchOptions, s: State, tookMs: number): string {
  const { m } = s;
  const lines: string[] = [];
  lines.push(
    `**Samsa against Kafka** (test/bench/kafka.bench.ts; Apache Kafka ${KAFKA_VERSION} on Java ${javaVersion()}, KRaft, ` +
      `kafka-server-start.sh's JVM settings: -Xmx1G -Xms1G -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35; ` +
      `Samsa \`samsa start\` / \`samsa start --brokers 3\`; both with their default configs, on the same machine in the same run; ` +
      `took ${Math.round(tookMs / 1000)} s)`,
    '',
    `Throughput: ${int(o.records)} records of ${VALUE_BYTES} B per run for the real clients (topics of ${o.partitions} partitions, acks=1), ` +
      `${int(o.loadRecords)} for the load client, ${int(o.rf3Records)} for RF 3; median of ${o.reps} runs per broker (alternating which broker goes first, each run on a fresh topic), range in brackets. ` +
      `kafka-*-perf-test run as their bin/*.sh scripts run them (${PERF_TOOL_HEAP}, kafka-run-class.sh's G1 options); kcat on librdkafka ${librdkafkaVersion()}. ` +
      `Ratio = Samsa / Kafka of the medians.`,
    '',
    measuresTable(Object.values(m)),
    '',
    'Targets (from the issue):',
    '',
    targetsTable(Object.values(m)),
    '',
  );
  const detail: string[] = [];
  const med = (xs: number[]): string => (xs.length ? median(xs).toFixed(0) : 'n/a');
  if (s.perfDetail.kafka.length || s.perfDetail.samsa.length) {
    const d = (side: Side): string => {
      const xs = s.perfDetail[side];
      return xs.length
        ? `${LABEL[side]} avg ${median(xs.map((x) => x.avg)).toFixed(1)} ms, p50 ${median(xs.map((x) => x.p50))} ms, p99 ${median(xs.map((x) => x.p99))} ms`
        : `${LABEL[side]} n/a`;
    };
    detail.push(
      `kafka-producer-perf-test's own send-to-acknowledgement latency (unthrottled, so mostly queueing in the client; medians): ${d('kafka')}; ${d('samsa')}.`,
    );
  }
  if (s.consumeRebalance.kafka.length || s.consumeRebalance.samsa.length)
    detail.push(
      `kafka-consumer-perf-test's rate is its fetch.nMsg.sec (from the group's first assignment on; the join, which waits out group.initial.rebalance.delay.ms, is not counted; --timeout 60000 because its 10 s default also bounds the join on a busy machine): rebalance took ${med(s.consumeRebalance.kafka)} ms on Kafka, ${med(s.consumeRebalance.samsa)} ms on Samsa (medians).`,
    );
  if (s.e2eDetail.kafka.length || s.e2eDetail.samsa.length) {
    const d = (side: Side): string => {
      const r = s.e2eDetail[side][0];
      return r
        ? `${LABEL[side]} p50 ${r.p50Ms} / p99 ${r.p99Ms} / p99.9 ${r.p999Ms} / max ${r.maxMs} ms, mean ${r.meanMs} ms (${int(r.measured)} records, ${int(r.lateSends)} sends more than 1 ms late)`
        : `${LABEL[side]} n/a`;
    };
    detail.push(
      `End-to-end latency (test/peers/java EndToEndLatency: Java client ${KAFKA_VERSION}, producer acks=1 linger.ms=0, consumer assigned without a group, both otherwise default; ${int(o.e2eRate)} records/s of ${VALUE_BYTES} B for ${o.e2eWarmupSeconds} s of warm-up, then ${o.e2eSeconds} s measured, 1 partition; from the time each record was due to its return from poll(); one run per broker): ${d('kafka')}; ${d('samsa')}.`,
    );
  }
  if (m.start.values.kafka.length)
    detail.push(
      `Start: Kafka's time is from spawning the JVM (after \`kafka-storage format\` of a new log dir, ${med(s.kafkaFormatMs)} ms, not counted) to the first ApiVersions answer; ` +
        `it is registered and unfenced (Metadata lists it) after ${med(s.kafkaRegisteredMs)} ms. Samsa: \`samsa start\` on a new data dir, one warm-up start discarded. ` +
        `Kafka's port accepts connections (the kernel's backlog) before the broker reads them, so only the answer is timed.`,
    );
  const ik = s.idleDetail.kafka;
  const is = s.idleDetail.samsa;
  if (ik && is)
    detail.push(
      `Idle RSS split (RssAnon / RssFile): Kafka ${mib(ik.anon)} / ${mib(ik.file)} MiB, Samsa ${mib(is.anon)} / ${mib(is.file)} MiB. ` +
        `The JVM reserves its 1 GiB heap (-Xms1G) but only pages it has touched count; peak RSS is the largest VmRSS sampled over all the single-broker produce runs above (same workloads on both).`,
    );
  detail.push(...s.notes);
  lines.push(...detail.map((d) => `- ${d}`));
  return lines.join('\n');
}
