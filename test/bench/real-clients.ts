// Real clients for the Samsa-against-Kafka benchmark (kafka.bench.ts): Kafka's own perf tools
// (kafka-producer-perf-test, kafka-consumer-perf-test) with the JVM settings their bin/*.sh
// scripts use, librdkafka through kcat, and the end-to-end latency program of the Java client
// peer (test/peers/java, dev.samsa.peers.EndToEndLatency). Each runs as its own process against
// a bootstrap address and returns what it measured; none of them knows which broker it talks to.
import { existsSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { KCAT, run, type RunResult } from '../helpers/clients.ts';
import { JAVA, KAFKA_TOOLS, kafkaClasspath } from '../helpers/kafka-peer.ts';
import { REPO_ROOT } from './broker-process.ts';

/** kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS (the same for the tools and the broker). */
export const KAFKA_JVM_PERFORMANCE_OPTS = [
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];
/** kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh set KAFKA_HEAP_OPTS=-Xmx512M. */
export const PERF_TOOL_HEAP = '-Xmx512M';
/** kafka-run-class.sh's default KAFKA_HEAP_OPTS, used for the latency program. */
const DEFAULT_TOOL_HEAP = '-Xmx256M';

const JAVA_PEER_DIR = join(REPO_ROOT, 'test', 'peers', 'java');

function fail(what: string, r: RunResult): never {
  throw new Error(
    `${what} failed (code ${r.code}, signal ${r.signal})\nstdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr.slice(-2500)}`,
  );
}

let log4jFile: string | undefined;
/** As Kafka's tools-log4j2.yaml: warnings and errors to stderr. */
function toolsLog4j(dir: string): string {
  if (log4jFile && existsSync(log4jFile)) return log4jFile;
  log4jFile = join(dir, 'bench-tools-log4j2.properties');
  writeFileSync(
    log4jFile,
    [
      'appender.stderr.type = Console',
      'appender.stderr.name = STDERR',
      'appender.stderr.target = SYSTEM_ERR',
      'appender.stderr.layout.type = PatternLayout',
      'appender.stderr.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = WARN',
      'rootLogger.appenderRef.stderr.ref = STDERR',
      '',
    ].join('\n'),
  );
  return log4jFile;
}

/** One of Kafka's tools as its bin/kafka-*-perf-test.sh runs it: -Xmx512M and kafka-run-class.sh's JVM options. */
function perfTool(tool: 'kafka-producer-perf-test' | 'kafka-consumer-perf-test', args: string[], tmp: string) {
  return run(
    JAVA,
    [
      PERF_TOOL_HEAP,
      ...KAFKA_JVM_PERFORMANCE_OPTS,
      `-Dlog4j2.configurationFile=${toolsLog4j(tmp)}`,
      '-cp',
      kafkaClasspath(),
      KAFKA_TOOLS[tool],
      ...args,
    ],
    { timeoutMs: 300_000 },
  );
}

export interface ProducerPerfResult {
  /** Records/s of the steady state (after --warmup-records), as the tool prints it. */
  recordsPerSec: number;
  /** Records/s over the whole run, as the tool prints it. */
  overallRecordsPerSec: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

// 2000000 records sent, 512345.6 records/sec (48.86 MB/sec), 12.34 ms avg latency, 345.00 ms max latency, 5 ms 50th, 30 ms 95th, 40 ms 99th, 50 ms 99.9th.
const PERF_LINE =
  /^(\d+) (steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/gm;

/** kafka-producer-perf-test: `records` of `recordSize` B, unthrottled; the first 20% are its warm-up. */
export async function producerPerfTest(
  bootstrap: string,
  topic: string,
  records: number,
  tmp: string,
  props: Record<string, string> = { acks: '1' },
  recordSize = 100,
): Promise<ProducerPerfResult> {
  const r = await perfTool(
    'kafka-producer-perf-test',
    [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--warmup-records',
      String(Math.floor(records * 0.2)),
      '--command-property',
      ...Object.entries(props).map(([k, v]) => `${k}=${v}`),
    ],
    tmp,
  );
  if (r.code !== 0) fail('kafka-producer-perf-test', r);
  const lines = [...r.stdout.matchAll(PERF_LINE)];
  const overall = lines.find((m) => !m[2]);
  const steady = lines.find((m) => m[2]);
  if (!overall || !steady) fail('kafka-producer-perf-test (no summary lines)', r);
  if (Number(overall[1]) !== records) fail(`kafka-producer-perf-test (${overall[1]} of ${records} records sent)`, r);
  return {
    recordsPerSec: Number(steady[3]),
    overallRecordsPerSec: Number(overall[3]),
    avgMs: Number(steady[5]),
    maxMs: Number(steady[6]),
    p50Ms: Number(steady[7]),
    p99Ms: Number(steady[9]),
  };
}

export interface ConsumerPerfResult {
  /** fetch.nMsg.sec: records/s after the group's first assignment (the rebalance excluded). */
  recordsPerSec: number;
  /** nMsg.sec: records/s including the group join. */
  overallRecordsPerSec: number;
  rebalanceMs: number;
  records: number;
}

/** kafka-consumer-perf-test: reads `records` from the topic's start, in a new group (its default). */
export async function consumerPerfTest(
  bootstrap: string,
  topic: string,
  records: number,
  tmp: string,
): Promise<ConsumerPerfResult> {
  const r = await perfTool(
    'kafka-consumer-perf-test',
    // --timeout: the longest gap between records (default 10 s) also bounds the group join, which
    // takes group.initial.rebalance.delay.ms (3 s) plus a JVM start on a busy 2-core machine.
    ['--bootstrap-server', bootstrap, '--topic', topic, '--num-records', String(records), '--timeout', '60000'],
    tmp,
  );
  if (r.code !== 0) fail('kafka-consumer-perf-test', r);
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  // (a WARNING line may stand between the header and the row)
  const rows = r.stdout
    .trim()
    .split('\n')
    .filter((l) => /^\d{4}-\d\d-\d\d /.test(l))
    .map((l) => l.split(',').map((x) => x.trim()));
  const row = rows.at(-1);
  if (!row || row.length < 10) fail('kafka-consumer-perf-test (no result line)', r);
  const consumed = Number(row[4]);
  if (consumed < records) fail(`kafka-consumer-perf-test (${consumed} of ${records} records)`, r);
  return {
    records: consumed,
    overallRecordsPerSec: Number(row[5]),
    rebalanceMs: Number(row[6]),
    recordsPerSec: Number(row[9]),
  };
}

// ---- librdkafka (kcat) ----------------------------------------------------------------------

let payloadFile: { path: string; records: number } | undefined;

/** A file of `records` lines of `recordSize` 'a'…'z' bytes (kcat -l sends each line as a record). */
function payload(tmp: string, records: number, recordSize: number): string {
  if (payloadFile && payloadFile.records === records && existsSync(payloadFile.path)) return payloadFile.path;
  const path = join(tmp, `kcat-payload-${records}.txt`);
  const line = Buffer.alloc(recordSize + 1);
  for (let i = 0; i < recordSize; i++) line[i] = 97 + (i % 26);
  line[recordSize] = 10;
  const chunkLines = 10_000;
  const chunk = Buffer.concat(Array.from({ length: chunkLines }, () => line));
  const fd = openSync(path, 'w');
  try {
    for (let left = records; left > 0; left -= chunkLines) {
      const n = Math.min(left, chunkLines);
      writeSync(fd, chunk, 0, n * line.length);
    }
  } finally {
    closeSync(fd);
  }
  payloadFile = { path, records };
  return path;
}

export interface KcatResult {
  records: number;
  elapsedMs: number;
  /** records / wall time of the kcat process (its start, metadata and final flush included). */
  recordsPerSec: number;
}

/** kcat -P: `records` lines of `recordSize` B from a file, acks=1, librdkafka's other defaults. */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  records: number,
  tmp: string,
  recordSize = 100,
): Promise<KcatResult> {
  const file = payload(tmp, records, recordSize);
  const t0 = performance.now();
  const r = await run(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=1', '-q', '-l', file], {
    timeoutMs: 300_000,
  });
  const elapsedMs = performance.now() - t0;
  if (r.code !== 0 || /ERROR|failed/i.test(r.stderr)) fail('kcat -P', r);
  return { records, elapsedMs, recordsPerSec: records / (elapsedMs / 1000) };
}

/** kcat -C: every partition from the beginning to its end (-e), one newline per record counted. */
export async function kcatConsume(bootstrap: string, topic: string, expected: number): Promise<KcatResult> {
  const t0 = performance.now();
  const r = await run(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '\\n'], {
    timeoutMs: 300_000,
  });
  const elapsedMs = performance.now() - t0;
  if (r.code !== 0) fail('kcat -C', r);
  let records = 0;
  for (let i = r.stdout.indexOf('\n'); i >= 0; i = r.stdout.indexOf('\n', i + 1)) records++;
  if (records !== expected) fail(`kcat -C (${records} records read, ${expected} produced)`, r);
  return { records, elapsedMs, recordsPerSec: records / (elapsedMs / 1000) };
}

// ---- end-to-end latency (Java client) -------------------------------------------------------

export interface LatencyResult {
  sent: number;
  measured: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
  lateSends: number;
}

/** The Java peer's classpath (target/classes and its jars), or a one-line reason it is missing. */
function javaPeerClasspath(): string {
  const file = join(JAVA_PEER_DIR, 'target', 'classpath.txt');
  const classes = join(JAVA_PEER_DIR, 'target', 'classes', 'dev', 'samsa', 'peers', 'EndToEndLatency.class');
  if (!existsSync(file) || !existsSync(classes))
    throw new Error('the Java client peer is not built: run bash test/peers/setup.sh (mvn package of test/peers/java)');
  return `${join(JAVA_PEER_DIR, 'target', 'classes')}:${readFileSync(file, 'utf8').trim()}`;
}

export async function endToEndLatency(
  bootstrap: string,
  topic: string,
  opts: { rate: number; seconds: number; warmupSeconds: number; acks?: string; recordSize?: number },
): Promise<LatencyResult> {
  const r = await run(
    JAVA,
    [
      DEFAULT_TOOL_HEAP,
      ...KAFKA_JVM_PERFORMANCE_OPTS,
      '-cp',
      javaPeerClasspath(),
      'dev.samsa.peers.EndToEndLatency',
      '--bootstrap',
      bootstrap,
      '--topic',
      topic,
      '--rate',
      String(opts.rate),
      '--seconds',
      String(opts.seconds),
      '--warmup-seconds',
      String(opts.warmupSeconds),
      '--acks',
      opts.acks ?? '1',
      '--record-size',
      String(opts.recordSize ?? 100),
    ],
    { timeoutMs: (opts.seconds + opts.warmupSeconds + 120) * 1000 },
  );
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('{')) fail('EndToEndLatency', r);
  const res = JSON.parse(last) as LatencyResult & { error: string | null; sendErrors: number };
  if (r.code !== 0)
    fail(`EndToEndLatency (${res.received} of ${res.sent} records back, ${res.sendErrors} send errors)`, r);
  return res;
}
