// `samsa producer-perf-test`: kafka-producer-perf-test.sh — sends --num-records records of
// --record-size bytes as fast as allowed (--throughput, -1 = unthrottled) and reports
// throughput and latency percentiles in Kafka's words.
import { readFileSync } from 'node:fs';
import { clientOptions } from '../../client/options.ts';
import { UsageError } from '../args.ts';
import {
  all,
  bootstrapList,
  closeAll,
  DEFAULT_BOOTSTRAP,
  HELP_OPTION,
  intOption,
  one,
  parseKeyValues,
  parseToolArgs,
  required,
  runTool,
  type Tool,
} from './common.ts';

const TOOL: Tool = {
  name: 'producer-perf-test',
  summary: 'Produces records as fast as allowed and reports throughput and latency (like kafka-producer-perf-test.sh).',
  spec: {
    topic: { value: true, arg: 'TOPIC', description: 'The topic to produce to (required)' },
    'num-records': { value: true, arg: 'N', description: 'Number of records to send (required)' },
    'record-size': {
      value: true,
      arg: 'BYTES',
      description: 'Size of each record (this or --payload-file is required)',
    },
    'payload-file': {
      value: true,
      arg: 'FILE',
      description: 'Send records taken at random from this file (split by --payload-delimiter)',
    },
    'payload-delimiter': { value: true, arg: 'DELIM', description: 'Delimiter of --payload-file (default \\n)' },
    throughput: { value: true, arg: 'N', description: 'Records per second at most; -1 for no limit (required)' },
    'producer-props': {
      value: true,
      repeat: true,
      arg: 'KEY=VALUE ...',
      description:
        'Producer configs: bootstrap.servers, acks, compression.type, batch.size, client.id, max.in.flight.requests.per.connection',
    },
    'producer.config': { value: true, arg: 'FILE', description: 'A properties file of producer configs' },
    'command-config': { value: true, arg: 'FILE', description: 'Same as --producer.config (Kafka 4 name)' },
    'bootstrap-server': {
      value: true,
      arg: 'HOST:PORT[,...]',
      description: `Kafka server(s) (or bootstrap.servers in --producer-props; default ${DEFAULT_BOOTSTRAP})`,
    },
    'print-metrics': { description: 'Accepted for compatibility; prints nothing more' },
    help: HELP_OPTION,
  },
  notes: [
    'Example:',
    '  samsa producer-perf-test --topic perf --num-records 1000000 --record-size 100 --throughput -1 \\',
    '    --producer-props bootstrap.servers=localhost:9092 acks=1',
  ].join('\n'),
};

/** `--producer-props a=1 b=2` takes several values, as in Kafka; rewrite them to repeated options. */
export function expandMultiValue(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    out.push(a);
    if (names.includes(a.replace(/^--/, '')) && !a.includes('=')) {
      let first = true;
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
        if (!first) out.push(a);
        out.push(argv[++i]!);
        first = false;
      }
    }
  }
  return out;
}

export function readProperties(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Latency stats: a reporting window and all-time totals with sampled latencies for percentiles. */
class Stats {
  readonly start = Date.now();
  count = 0;
  bytes = 0;
  totalLatency = 0;
  maxLatency = 0;
  samples: Int32Array;
  sampled = 0;
  readonly #sampleEvery: number;
  #index = 0;
  windowStart = Date.now();
  windowCount = 0;
  windowBytes = 0;
  windowLatency = 0;
  windowMax = 0;

  constructor(numRecords: number) {
    this.#sampleEvery = Math.max(1, Math.floor(numRecords / 500_000));
    this.samples = new Int32Array(Math.ceil(numRecords / this.#sampleEvery) + 1);
  }

  record(latency: number, bytes: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latency;
    if (latency > this.maxLatency) this.maxLatency = latency;
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowLatency += latency;
    if (latency > this.windowMax) this.windowMax = latency;
    if (this.#index++ % this.#sampleEvery === 0 && this.sampled < this.samples.length)
      this.samples[this.sampled++] = latency;
  }

  windowLine(now: number): string {
    const secs = (now - this.windowStart) / 1000;
    const rate = this.windowCount / secs;
    const mb = this.windowBytes / 1024 / 1024 / secs;
    const avg = this.windowCount > 0 ? this.windowLatency / this.windowCount : 0;
    const line = `${this.windowCount} records sent, ${rate.toFixed(1)} records/sec (${mb.toFixed(2)} MB/sec), ${avg.toFixed(1)} ms avg latency, ${this.windowMax.toFixed(1)} ms max latency.`;
    this.windowStart = now;
    this.windowCount = 0;
    this.windowBytes = 0;
    this.windowLatency = 0;
    this.windowMax = 0;
    return line;
  }

  totalLine(now: number): string {
    const secs = (now - this.start) / 1000;
    const rate = this.count / secs;
    const mb = this.bytes / 1024 / 1024 / secs;
    const avg = this.count > 0 ? this.totalLatency / this.count : 0;
    const sorted = this.samples.slice(0, this.sampled).sort();
    const pct = (p: number) =>
      sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    return (
      `${this.count} records sent, ${rate.toFixed(6)} records/sec (${mb.toFixed(2)} MB/sec), ${avg.toFixed(2)} ms avg latency, ` +
      `${this.maxLatency.toFixed(2)} ms max latency, ${pct(0.5)} ms 50th, ${pct(0.95)} ms 95th, ${pct(0.99)} ms 99th, ${pct(0.999)} ms 99.9th.`
    );
  }
}

export async function producerPerfTest(argv: string[]): Promise<number> {
  const args = parseToolArgs(TOOL, expandMultiValue(argv, ['producer-props']));
  if (!args) return 0;
  const topic = required(args, 'topic');
  const numRecords = intOption(args, 'num-records', 1);
  if (numRecords === undefined) throw new UsageError('missing required option --num-records');
  const throughput = intOption(args, 'throughput');
  if (throughput === undefined) throw new UsageError('missing required option --throughput');
  const recordSize = intOption(args, 'record-size', 1);
  const payloadFile = one(args, 'payload-file');
  if ((recordSize === undefined) === (payloadFile === undefined))
    throw new UsageError('exactly one of --record-size and --payload-file is required');
  const configFile = one(args, 'producer.config') ?? one(args, 'command-config');
  const props = new Map([
    ...(configFile ? readProperties(configFile) : []),
    ...parseKeyValues(all(args, 'producer-props'), 'producer-props'),
  ]);
  const bootstrap = bootstrapList(one(args, 'bootstrap-server') ?? props.get('bootstrap.servers') ?? DEFAULT_BOOTSTRAP);
  const acksText = props.get('acks') ?? 'all';
  const acks = acksText === 'all' || acksText === '-1' ? -1 : Number(acksText);
  if (![-1, 0, 1].includes(acks)) throw new UsageError(`acks must be all, -1, 0 or 1; got "${acksText}"`);
  const compression = (props.get('compression.type') ?? 'none') as 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression))
    throw new UsageError(`unknown compression.type "${compression}"`);
  const batchBytes = Number(props.get('batch.size') ?? 16384);
  const maxInFlight = Number(props.get('max.in.flight.requests.per.connection') ?? 5);

  let payloads: Buffer[];
  if (payloadFile !== undefined) {
    const delim = (one(args, 'payload-delimiter') ?? '\\n').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    let text: string;
    try {
      text = readFileSync(payloadFile, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${payloadFile}: ${(e as Error).message}`);
    }
    payloads = text
      .split(delim)
      .filter((s) => s !== '')
      .map((s) => Buffer.from(s));
    if (payloads.length === 0) throw new UsageError(`no payloads in ${payloadFile}`);
    console.log(`Reading payloads from: ${payloadFile}`);
    console.log(`Number of messages read: ${payloads.length}`);
  } else {
    // One random payload of upper-case letters, reused for every record (as Kafka's tool does).
    const p = Buffer.alloc(recordSize!);
    for (let i = 0; i < p.length; i++) p[i] = 65 + Math.floor(Math.random() * 26);
    payloads = [p];
  }
  const avgSize = payloads.reduce((s, p) => s + p.length, 0) / payloads.length;
  const perSend = Math.max(1, Math.floor(batchBytes / Math.max(1, avgSize)));

  const { Producer } = await import('@platformatic/kafka');
  return runTool(
    'producer-perf-test',
    () => bootstrap,
    async () => {
      const producer = new Producer({
        ...clientOptions(bootstrap, props.get('client.id') ?? 'perf-producer-client'),
        acks,
        compression,
        autocreateTopics: true,
      });
      try {
        await producer.metadata({ topics: [topic], autocreateTopics: true });
        const stats = new Stats(numRecords);
        const reporter = setInterval(() => console.log(stats.windowLine(Date.now())), 5000);
        let failure: unknown;
        const inFlight = new Set<Promise<void>>();
        let sent = 0;
        try {
          while (sent < numRecords && !failure) {
            const n = Math.min(perSend, numRecords - sent);
            if (throughput > 0) {
              const due = stats.start + ((sent + n) / throughput) * 1000;
              const wait = due - Date.now();
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            }
            const messages = new Array(n);
            let bytes = 0;
            for (let i = 0; i < n; i++) {
              const value =
                payloads.length === 1 ? payloads[0]! : payloads[Math.floor(Math.random() * payloads.length)]!;
              bytes += value.length;
              messages[i] = { topic, value };
            }
            sent += n;
            const t0 = Date.now();
            const p: Promise<void> = producer
              .send({ messages })
              .then(
                () => {
                  const latency = Date.now() - t0;
                  const each = bytes / n;
                  for (let i = 0; i < n; i++) stats.record(latency, each);
                },
                (e: unknown) => {
                  failure ??= e;
                },
              )
              .finally(() => inFlight.delete(p));
            inFlight.add(p);
            if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
          }
          await Promise.all(inFlight);
        } finally {
          clearInterval(reporter);
        }
        if (failure) throw failure;
        console.log(stats.totalLine(Date.now()));
        return 0;
      } finally {
        await closeAll(producer);
      }
    },
  );
}
