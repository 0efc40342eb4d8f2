// `npm run bench`: the broker benchmark (not a test). First Samsa against real Apache Kafka
// (kafka.bench.ts: Kafka's perf tools, kcat, the load client, end-to-end latency, RF 3, start
// time, RSS, with ratios), then Samsa's own sections: the load client against the Samsa broker
// (and librdkafka's mock cluster as the reference), start time with a full data dir, CRC-32C,
// groups, compaction, the 3-broker cluster. Prints a report and writes it into test/bench/README.md.
//
// Parts: kafka, samsa (load client, start time, memory), reference, crc, groups, compaction,
// cluster, perf-tool. `--only kafka,cluster` runs just those; `--no-PART` skips one.
//
// Options (after `npm run bench --`):
//   --only P1,P2       run only these parts
//   --no-PART          skip a part (e.g. --no-kafka, --no-reference, --no-cluster)
//   --no-kafka-X       skip a part of the Kafka comparison: perf-tools, kcat, load-client, e2e, starts, rf3
//   --kafka-records N / --kafka-load-records N / --kafka-reps N / --rf3-records N / --e2e-rate N /
//   --e2e-seconds N / --kafka-starts N   sizes of the Kafka comparison (see kafka.bench.ts)
//   --records N        records produced per topic by the Samsa-only load client (default 5000000)
//   --batch N          records per batch (default 1000)
//   --connections N    producer connections (default 1)
//   --inflight N       produce requests in flight per connection (default 32)
//   --reps N           repetitions of each produce/consume workload, each on fresh topics (default 3)
//   --starts N         start-up runs per case (default 5)
//   --perf-tool-records N  records for `samsa producer-perf-test` on both brokers (default 1000000)
//   --profile DIR      run the Samsa load broker with --cpu-prof into DIR
//   --cluster-records N / --failovers N / --catchup-mb N   sizes of the cluster section (defaults 2000000 / 5 / 1024)
//   --no-write         print only; leave README.md alone

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  memoryOf,
  REPO_ROOT,
  sampleRss,
  spawnBroker,
  startBroker,
  freePort,
  type BrokerKind,
  type BrokerProcess,
} from './broker-process.ts';
import {
  BenchConnection,
  createTopic,
  negotiate,
  probeStartup,
  runConsume,
  runProduce,
  topicPartitions,
  type ConsumeResult,
  type ProduceResult,
  type ProduceSpec,
  type Versions,
} from './load-client.ts';
import { int, machine, mb, median, mib, ms, table, writeReadme } from './report.ts';
import { groupBench } from './groups.bench.ts';
import { compactionBench } from './compaction.bench.ts';
import { perfToolBench, perfToolSection } from './perf-tool.bench.ts';
import { clusterBench, clusterBenchOptions } from './cluster.bench.ts';
import { kafkaBench, kafkaBenchOptions } from './kafka.bench.ts';

const VALUE_BYTES = 100;

function option(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
function stringOption(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const PARTS = ['kafka', 'samsa', 'reference', 'crc', 'groups', 'compaction', 'cluster', 'perf-tool'] as const;
type Part = (typeof PARTS)[number];
const ONLY = stringOption('only')?.split(',');
for (const p of ONLY ?? []) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part ${p}`);
const part = (p: Part): boolean => (ONLY ? ONLY.includes(p) : true) && !flag(`no-${p}`);

const RECORDS = option('records', 5_000_000);
const BATCH = option('batch', 1000);
const CONNECTIONS = option('connections', 1);
const INFLIGHT = option('inflight', 32);
const STARTS = option('starts', 5);
const REPS = option('reps', 3);
const PROFILE_DIR = stringOption('profile');

const TOPICS = [
  { name: 'bench-p1', partitions: 1 },
  { name: 'bench-p8', partitions: 8 },
];

const tmpDirs: string[] = [];
function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
process.once('exit', () => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function produceSpec(topics: ProduceSpec['topics']): ProduceSpec {
  return {
    topics,
    recordsPerBatch: BATCH,
    valueBytes: VALUE_BYTES,
    records: RECORDS,
    connections: CONNECTIONS,
    inFlightPerConnection: INFLIGHT,
  };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The partitions one workload writes to. Samsa: a topic made with CreateTopics.
 * The mock has no CreateTopics and auto-creates topics with its own partition
 * count (4): the 1-partition workload uses partition 0 of such a topic, the
 * 8-partition one 4 partitions each of two topics (still 8 partition logs,
 * one request carrying 8 batches).
 */
async function workloadTopics(
  admin: BenchConnection,
  v: Versions,
  t: { name: string; partitions: number },
): Promise<ProduceSpec['topics']> {
  if (v.createTopics >= 0) {
    await createTopic(admin, v, t.name, t.partitions);
    return [{ name: t.name, partitions: range(t.partitions) }];
  }
  const out: ProduceSpec['topics'] = [];
  let left = t.partitions;
  for (let i = 0; left > 0; i++) {
    const name = `${t.name}-${i}`;
    const n = Math.min(left, await topicPartitions(admin, v, name));
    out.push({ name, partitions: range(n) });
    left -= n;
  }
  return out;
}

function describeErrors(e: Record<string, number>): string {
  const parts = Object.entries(e).map(([k, v]) => `${k}×${int(v)}`);
  return parts.length ? parts.join(', ') : 'none';
}

interface LoadRun {
  kind: BrokerKind;
  idleRss: number;
  idleAnon: number;
  idleFile: number;
  peakRssSampled: number;
  hwmAfterProduce: number;
  hwmAfterConsume: number;
  /** In run order: rep 1 of every workload, then rep 2, … */
  produce: { topic: string; partitions: number; res: ProduceResult }[];
  consume: { topic: string; partitions: number; res: ConsumeResult }[];
  versions: { produce: number; fetch: number };
}

async function loadRun(kind: BrokerKind, dataDir: string | undefined, consume: boolean): Promise<LoadRun> {
  const nodeFlags = PROFILE_DIR && kind === 'samsa' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const b: BrokerProcess = await startBroker(kind, { dataDir, nodeFlags });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idle = memoryOf(b.pid);
    const idleRss = idle.rss;
    const admin = await BenchConnection.connect(b.host, b.port);
    const v = await negotiate(admin);
    const workloads = [];
    for (let rep = 1; rep <= REPS; rep++) {
      for (const t of TOPICS) {
        const topic = { name: `${t.name}-r${rep}`, partitions: t.partitions };
        workloads.push({ topic, targets: await workloadTopics(admin, v, topic) });
      }
    }
    admin.close();
    log(`${kind}: idle RSS ${mib(idleRss)} MiB; Produce v${v.produce}, Fetch v${v.fetch}`);

    const sampler = sampleRss(b.pid);
    const produce = [];
    for (const { topic: t, targets } of workloads) {
      const res = await runProduce(b.host, b.port, v.produce, produceSpec(targets));
      log(
        `${kind}: produce ${targets.map((x) => `${x.name}[${x.partitions.join(',')}]`).join(' + ')}: ${int(res.steadyRecordsPerSec)} records/s steady, ${int(res.recordsAcked)} acked in ${ms(res.elapsedMs)} ms, errors: ${describeErrors(res.errors)}`,
      );
      produce.push({ topic: t.name, partitions: t.partitions, res });
    }
    const peakRssSampled = sampler.stop();
    const hwmAfterProduce = memoryOf(b.pid).hwm;

    const consumed = [];
    if (consume) {
      for (const p of produce) {
        const res = await runConsume(b.host, b.port, v.fetch, {
          topic: p.topic,
          partitions: p.partitions,
          endOffsets: p.res.endOffsets.get(p.topic)!,
          maxBytes: 50 * 2 ** 20,
          partitionMaxBytes: 2 ** 20,
          maxWaitMs: 500,
        });
        log(
          `${kind}: consume ${p.topic}: ${int(res.recordsPerSec)} records/s, ${int(res.records)} records in ${res.fetches} fetches, ${ms(res.elapsedMs)} ms, errors: ${describeErrors(res.errors)}`,
        );
        if (res.records !== p.res.recordsAcked)
          log(
            `${kind}: WARNING consumed ${res.records} records of ${p.topic}, ${p.res.recordsAcked} were acknowledged`,
          );
        consumed.push({ topic: p.topic, partitions: p.partitions, res });
      }
    }
    const hwmAfterConsume = memoryOf(b.pid).hwm;
    return {
      kind,
      idleRss,
      idleAnon: idle.anon,
      idleFile: idle.file,
      peakRssSampled,
      hwmAfterProduce,
      hwmAfterConsume,
      produce,
      consume: consumed,
      versions: { produce: v.produce, fetch: v.fetch },
    };
  } finally {
    await b.stop();
  }
}

interface StartRun {
  readyMs: number;
  acceptMs: number;
  apiVersionsMs: number;
  idleRss: number;
}

async function startRuns(label: string, dataDirFor: () => string, runs: number): Promise<StartRun[]> {
  const out: StartRun[] = [];
  for (let i = 0; i <= runs; i++) {
    const port = await freePort();
    const { t0, ready } = spawnBroker('samsa', { dataDir: dataDirFor(), port });
    const probe = await probeStartup('127.0.0.1', port, t0);
    const b = await ready;
    await new Promise((r) => setTimeout(r, 300));
    const idleRss = memoryOf(b.pid).rss;
    await b.stop();
    if (i === 0) continue; // warm-up (file cache)
    out.push({ readyMs: b.readyMs, acceptMs: probe.acceptMs, apiVersionsMs: probe.apiVersionsMs, idleRss });
  }
  log(`start (${label}): median ${ms(median(out.map((r) => r.apiVersionsMs)))} ms to the first ApiVersions answer`);
  return out;
}

function crcBench(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'test', 'bench', 'crc32c.bench.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`crc32c bench exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`machine: ${machine()}`);
  const sections: string[] = [];

  // 0: Samsa against real Kafka (its own Samsa warm-up start inside).
  if (part('kafka')) sections.push((await kafkaBench(log, kafkaBenchOptions())).section);

  // One discarded start first: after the sources change, a start finds the
  // module compile cache cold (types stripped and every module compiled, ~25 MiB
  // more RSS), which is not the idle memory of a broker as usually started.
  if (part('samsa') || part('reference'))
    await (await startBroker('samsa', { dataDir: tmp('samsa-bench-warmup-') })).stop();

  // 1, 2, 4: produce / consume / memory on Samsa, from an empty data dir.
  // 3: start time, empty data dir and the data dir just filled.
  if (part('samsa')) {
    const dataDir = tmp('samsa-bench-data-');
    const samsa = await loadRun('samsa', dataDir, true);
    const emptyStarts = await startRuns('empty data dir', () => tmp('samsa-bench-empty-'), STARTS);
    const fullStarts = await startRuns('existing data dir', () => dataDir, STARTS);
    // 5: the reference broker, same produce workload.
    let ref: LoadRun | undefined;
    if (part('reference')) {
      try {
        ref = await loadRun('reference', undefined, false);
      } catch (e) {
        log(`reference broker failed: ${(e as Error).message}`);
      }
    }
    sections.push(samsaSection(samsa, ref, emptyStarts, fullStarts));
  }
  if (part('crc')) {
    const crc = await crcBench();
    sections.push(['**CRC-32C** (test/bench/crc32c.bench.ts, 1 MiB inputs)', '', '```', crc, '```'].join('\n'));
  }
  if (part('groups')) sections.push(await groupBench(log));
  if (part('compaction')) sections.push(await compactionBench(log));
  if (part('cluster')) sections.push(await clusterBench(log, clusterBenchOptions()));
  if (part('perf-tool') && part('reference')) {
    const perfRecords = option('perf-tool-records', 1_000_000);
    log(`samsa producer-perf-test, ${int(perfRecords)} records, against Samsa and the reference broker`);
    sections.push(perfToolSection(await perfToolBench(perfRecords), perfRecords, VALUE_BYTES).join('\n'));
  }
  const head =
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}; loopback; ` +
    `parts: ${PARTS.filter(part).join(', ')}; took ${Math.round((Date.now() - started) / 1000)} s. ` +
    `The machine is shared with other work: load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')} (1 / 5 / 15 min) at the end of the run.`;
  const report = [head, ...sections].join('\n\n');

  console.log(report);
  if (!flag('no-write')) {
    writeReadme(join(REPO_ROOT, 'test', 'bench', 'README.md'), report);
    log('results written to test/bench/README.md');
  }
}

function samsaSection(
  samsa: LoadRun,
  ref: LoadRun | undefined,
  emptyStarts: StartRun[],
  fullStarts: StartRun[],
): string {
  // ------------------------------------------------------------ report
  const lines: string[] = [];
  const batchBytes = samsa.produce[0]!.res.batchBytes;
  lines.push('**Samsa alone** (run.ts: the pipelined load client against `samsa start`)');
  lines.push('');
  lines.push(
    `Workload: ${int(RECORDS)} records of ${VALUE_BYTES} B (null key) per topic, acks=1, uncompressed batches of ${int(BATCH)} records ` +
      `(${int(batchBytes)} B each), one batch per partition per request, ${CONNECTIONS} connection(s) × ${INFLIGHT} requests in flight. ` +
      `Samsa spoke Produce v${samsa.versions.produce} / Fetch v${samsa.versions.fetch}${ref ? `, the reference Produce v${ref.versions.produce}` : ''}. ` +
      `MB/s = records × ${VALUE_BYTES} B / s (10^6 B); record-batch bytes are ${(batchBytes / (BATCH * VALUE_BYTES)).toFixed(2)}× that.`,
  );
  lines.push('');
  lines.push(
    '**Produce** (rate after the first 20% of acknowledgements; overall rate includes connection set-up and warm-up)',
  );
  lines.push('');
  const prodRows: string[][] = [];
  const errorsOf = (rs: ProduceResult[]): string => {
    const all: Record<string, number> = {};
    for (const r of rs) for (const [k, n] of Object.entries(r.errors)) all[k] = (all[k] ?? 0) + n;
    return describeErrors(all);
  };
  const spread = (xs: number[]): string => `${int(Math.min(...xs))}–${int(Math.max(...xs))}`;
  for (const t of TOPICS) {
    const ours = samsa.produce.filter((p) => p.partitions === t.partitions).map((p) => p.res);
    const theirs = (ref?.produce ?? []).filter((p) => p.partitions === t.partitions).map((p) => p.res);
    const rate = median(ours.map((r) => r.steadyRecordsPerSec));
    const refRate = theirs.length ? median(theirs.map((r) => r.steadyRecordsPerSec)) : NaN;
    prodRows.push([
      `${t.partitions}`,
      int(rate),
      mb(rate * VALUE_BYTES),
      spread(ours.map((r) => r.steadyRecordsPerSec)),
      int(median(ours.map((r) => r.overallRecordsPerSec))),
      errorsOf(ours),
      theirs.length ? int(refRate) : 'n/a',
      theirs.length ? mb(refRate * VALUE_BYTES) : 'n/a',
      theirs.length ? spread(theirs.map((r) => r.steadyRecordsPerSec)) : 'n/a',
      theirs.length ? (rate / refRate).toFixed(2) : 'n/a',
      theirs.length ? errorsOf(theirs) : 'n/a',
    ]);
  }
  lines.push(`Median of ${REPS} runs (each on fresh topics), with the range.`);
  lines.push('');
  lines.push(
    table(
      [
        'partitions',
        'Samsa records/s',
        'Samsa MB/s',
        'Samsa range',
        'Samsa overall records/s',
        'Samsa errors',
        'reference records/s',
        'reference MB/s',
        'reference range',
        'Samsa / reference',
        'reference errors',
      ],
      prodRows,
    ),
  );
  lines.push('');
  lines.push(
    '**Consume** (Samsa; from offset 0 to the end of what was produced; fetch.max.bytes 50 MiB, max.partition.fetch.bytes 1 MiB, ' +
      'one fetch in flight on one connection, every partition of the topic in each fetch; records counted from batch headers)',
  );
  lines.push('');
  lines.push(`Median of ${REPS} runs (one per produced topic), with the range.`);
  lines.push('');
  lines.push(
    table(
      ['partitions', 'records/s', 'MB/s', 'range records/s', 'records per run', 'fetches per run', 'errors'],
      TOPICS.map((t) => {
        const cs = samsa.consume.filter((c) => c.partitions === t.partitions).map((c) => c.res);
        const rate = median(cs.map((c) => c.recordsPerSec));
        const errs: Record<string, number> = {};
        for (const c of cs) for (const [k, n] of Object.entries(c.errors)) errs[k] = (errs[k] ?? 0) + n;
        return [
          `${t.partitions}`,
          int(rate),
          mb(rate * VALUE_BYTES),
          spread(cs.map((c) => c.recordsPerSec)),
          int(median(cs.map((c) => c.records))),
          int(median(cs.map((c) => c.fetches))),
          describeErrors(errs),
        ];
      }),
    ),
  );
  lines.push('');
  lines.push(`**Start time** (Samsa, \`samsa start\`, median of ${STARTS} runs after one warm-up; ms from spawn)`);
  lines.push('');
  const startRow = (label: string, r: StartRun[]): string[] => [
    label,
    ms(median(r.map((x) => x.acceptMs))),
    ms(median(r.map((x) => x.apiVersionsMs))),
    ms(median(r.map((x) => x.readyMs))),
    `${ms(Math.min(...r.map((x) => x.apiVersionsMs)))}–${ms(Math.max(...r.map((x) => x.apiVersionsMs)))}`,
    mib(median(r.map((x) => x.idleRss))),
  ];
  const storedMb = samsa.produce.reduce((a, p) => a + p.res.recordsAcked * (p.res.batchBytes / BATCH), 0);
  lines.push(
    table(
      [
        'data dir',
        'first accepted connection',
        'first ApiVersions answer',
        '"listening" line printed',
        'ApiVersions range',
        'RSS 300 ms after (MiB)',
      ],
      [
        startRow('empty', emptyStarts),
        startRow(
          `existing (${TOPICS.length * REPS} topics, ${REPS * TOPICS.reduce((n, t) => n + t.partitions, 0)} partitions, ${mb(storedMb)} MB, clean shutdown)`,
          fullStarts,
        ),
      ],
    ),
  );
  lines.push('');
  lines.push('**Memory** (broker child process, /proc/<pid>/status; MiB)');
  lines.push('');
  const memRow = (r: LoadRun): string[] => [
    r.kind,
    mib(r.idleRss),
    `${mib(r.idleAnon)} / ${mib(r.idleFile)}`,
    mib(r.peakRssSampled),
    mib(r.hwmAfterProduce),
    r.consume.length ? mib(r.hwmAfterConsume) : 'n/a',
  ];
  lines.push(
    table(
      [
        'broker',
        'idle VmRSS (1 s after start)',
        'idle RssAnon / RssFile',
        'max VmRSS sampled during produce',
        'VmHWM after produce',
        'VmHWM after consume',
      ],
      ref ? [memRow(samsa), memRow(ref)] : [memRow(samsa)],
    ),
  );
  return lines.join('\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
