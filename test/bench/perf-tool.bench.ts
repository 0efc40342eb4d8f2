// `samsa producer-perf-test` (the Kafka-named CLI tool, a real client on
// @platformatic/kafka) against Samsa and against the reference broker, one
// after the other in the same run: Kafka's own way to measure a broker, and
// a check that the tool is not tied to Samsa. Returns the README section.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, startBroker, type BrokerKind } from './broker-process.ts';
import { int, table } from './report.ts';

export interface PerfToolResult {
  kind: BrokerKind;
  recordsPerSec: number;
  mbPerSec: number;
  avgMs: number;
  maxMs: number;
  percentiles: string;
  line: string;
}

// Kafka's final line: "1000000 records sent, 356633.4 records/sec (34.01 MB/sec), 1.69 ms avg latency, 21.00 ms max latency, 1 ms 50th, 3 ms 95th, 10 ms 99th, 17 ms 99.9th."
const FINAL =
  /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/m;

function runTool(bootstrap: string, topic: string, records: number, recordSize: number): Promise<string> {
  const args = [
    join(REPO_ROOT, 'bin', 'samsa.js'),
    'producer-perf-test',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${bootstrap}`,
    'acks=1',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`producer-perf-test exited with ${code}: ${err.slice(-500)}`));
    });
  });
}

export async function perfToolBench(records = 1_000_000, recordSize = 100): Promise<PerfToolResult[]> {
  const results: PerfToolResult[] = [];
  for (const kind of ['samsa', 'reference'] as const) {
    const dataDir = kind === 'samsa' ? mkdtempSync(join(tmpdir(), 'samsa-bench-perftool-')) : undefined;
    const broker = await startBroker(kind, { dataDir });
    try {
      const out = await runTool(`${broker.host}:${broker.port}`, `perf-tool-${kind}`, records, recordSize);
      const m = FINAL.exec(out);
      if (!m) throw new Error(`no final line in producer-perf-test output: ${out.slice(-300)}`);
      results.push({
        kind,
        recordsPerSec: Number(m[2]),
        mbPerSec: Number(m[3]),
        avgMs: Number(m[4]),
        maxMs: Number(m[5]),
        percentiles: `${m[6]} / ${m[7]} / ${m[8]} / ${m[9]}`,
        line: m[0],
      });
    } finally {
      await broker.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return results;
}

export function perfToolSection(results: PerfToolResult[], records: number, recordSize: number): string[] {
  const samsa = results.find((r) => r.kind === 'samsa');
  const ref = results.find((r) => r.kind === 'reference');
  const lines = [
    `**\`samsa producer-perf-test\`** (the CLI tool, a real client; ${int(records)} records of ${recordSize} B, acks=1, unthrottled; Samsa then the reference broker)`,
    '',
    table(
      ['broker', 'records/s', 'MB/s', 'avg latency ms', 'max latency ms', '50th / 95th / 99th / 99.9th ms'],
      results.map((r) => [
        r.kind,
        int(r.recordsPerSec),
        r.mbPerSec.toFixed(2),
        r.avgMs.toFixed(2),
        r.maxMs.toFixed(0),
        r.percentiles,
      ]),
    ),
  ];
  if (samsa && ref) {
    lines.push(
      '',
      `Samsa / reference = ${(samsa.recordsPerSec / ref.recordsPerSec).toFixed(2)} with this client (which is itself the bottleneck: one Node process).`,
    );
  }
  return lines;
}

// Standalone: node test/bench/perf-tool.bench.ts [records]
if (import.meta.url === `file://${process.argv[1]}`) {
  const records = Number(process.argv[2] ?? 1_000_000);
  const res = await perfToolBench(records);
  console.log(perfToolSection(res, records, 100).join('\n'));
}
