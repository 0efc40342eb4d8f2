// `samsa consumer-perf-test`: kafka-consumer-perf-test.sh — reads --messages records and
// prints Kafka's CSV-like summary. It reads the partitions directly (no consumer group, so
// rebalance.time.ms is 0); --group is accepted for compatibility and not joined.
import { clientOptions } from '../../client/options.ts';
import { UsageError } from '../args.ts';
import {
  BOOTSTRAP_OPTION,
  bootstrapOf,
  closeAll,
  HELP_OPTION,
  intOption,
  one,
  parseToolArgs,
  required,
  runTool,
  type Tool,
} from './common.ts';
import { PartitionReader } from '../../client/partition-reader.ts';
import { readProperties } from './producer-perf-test.ts';

const TOOL: Tool = {
  name: 'consumer-perf-test',
  summary: 'Consumes records as fast as possible and reports throughput (like kafka-consumer-perf-test.sh).',
  spec: {
    'bootstrap-server': BOOTSTRAP_OPTION,
    topic: { value: true, arg: 'TOPIC', description: 'The topic to read (required)' },
    messages: { value: true, arg: 'N', description: 'Number of records to read (required)' },
    timeout: {
      value: true,
      arg: 'MS',
      description: 'Give up when no record arrives for MS milliseconds (default 10000)',
    },
    'from-latest': { description: 'Start at the end of the log instead of the beginning' },
    'fetch-size': { value: true, arg: 'BYTES', description: 'Bytes to fetch per request (default 1048576)' },
    group: {
      value: true,
      arg: 'GROUP',
      description: 'Accepted for compatibility; partitions are read without a group',
    },
    'hide-header': { description: 'Leave out the header line' },
    'show-detailed-stats': { description: 'Print a line every --reporting-interval' },
    'reporting-interval': { value: true, arg: 'MS', description: 'Interval of detailed stats (default 5000)' },
    'date-format': { value: true, arg: 'FORMAT', description: 'Accepted; times print as yyyy-MM-dd HH:mm:ss:SSS' },
    'consumer.config': {
      value: true,
      arg: 'FILE',
      description: 'A properties file of consumer configs (client.id is used)',
    },
    'command-config': { value: true, arg: 'FILE', description: 'Same as --consumer.config (Kafka 4 name)' },
    'print-metrics': { description: 'Accepted for compatibility; prints nothing more' },
    help: HELP_OPTION,
  },
  notes: [
    'Example:',
    '  samsa consumer-perf-test --topic perf --messages 1000000 --bootstrap-server localhost:9092',
  ].join('\n'),
};

const HEADER =
  'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const DETAILED_HEADER =
  'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

/** Kafka's default date format, yyyy-MM-dd HH:mm:ss:SSS, in local time. */
export function kafkaDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}

export async function consumerPerfTest(argv: string[]): Promise<number> {
  const args = parseToolArgs(TOOL, argv);
  if (!args) return 0;
  const topic = required(args, 'topic');
  const messages = intOption(args, 'messages', 1);
  if (messages === undefined) throw new UsageError('missing required option --messages');
  const timeout = intOption(args, 'timeout', 1) ?? 10_000;
  const fetchSize = intOption(args, 'fetch-size', 1) ?? 1024 * 1024;
  const interval = intOption(args, 'reporting-interval', 1) ?? 5000;
  const detailed = args.flags.has('show-detailed-stats');
  const configFile = one(args, 'consumer.config') ?? one(args, 'command-config');
  const props = configFile ? readProperties(configFile) : new Map<string, string>();
  const bootstrap = bootstrapOf(args);

  const { Consumer } = await import('@platformatic/kafka');
  return runTool(
    'consumer-perf-test',
    () => bootstrap,
    async () => {
      const consumer = new Consumer({
        ...clientOptions(bootstrap, props.get('client.id') ?? 'perf-consumer-client'),
        groupId: one(args, 'group') ?? 'perf-consumer',
      });
      try {
        const reader = new PartitionReader(consumer, topic);
        reader.partitionMaxBytes = fetchSize;
        reader.maxBytes = Math.max(fetchSize, 50 * 1024 * 1024);
        const partitions = await reader.partitions();
        await reader.seek(partitions, args.flags.has('from-latest') ? 'latest' : 'earliest');
        if (!args.flags.has('hide-header')) console.log(detailed ? DETAILED_HEADER : HEADER);
        const start = Date.now();
        let count = 0;
        let bytes = 0;
        let last = start;
        let lastReport = start;
        let reportCount = 0;
        let reportBytes = 0;
        while (count < messages) {
          const recs = await reader.poll(Math.min(500, timeout));
          const now = Date.now();
          if (recs.length === 0) {
            if (now - last >= timeout) break;
            continue;
          }
          last = now;
          for (const r of recs) {
            if (count >= messages) break;
            count++;
            bytes += r.size;
          }
          if (detailed && now - lastReport >= interval) {
            const secs = (now - lastReport) / 1000;
            const mb = (bytes - reportBytes) / 1024 / 1024;
            const n = count - reportCount;
            console.log(
              `${kafkaDate(now)}, 0, ${(bytes / 1024 / 1024).toFixed(4)}, ${(mb / secs).toFixed(4)}, ${count}, ${(n / secs).toFixed(4)}, 0, ${now - lastReport}, ${(mb / secs).toFixed(4)}, ${(n / secs).toFixed(4)}`,
            );
            lastReport = now;
            reportCount = count;
            reportBytes = bytes;
          }
        }
        const end = Date.now();
        if (count < messages) {
          console.log(
            `WARNING: Exiting before consuming the expected number of messages: timeout (${timeout} ms) exceeded. You can use the --timeout option to increase the timeout.`,
          );
        }
        if (!detailed) {
          const secs = Math.max(1, end - start) / 1000;
          const mb = bytes / 1024 / 1024;
          console.log(
            `${kafkaDate(start)}, ${kafkaDate(end)}, ${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ${count}, ${(count / secs).toFixed(4)}, 0, ${end - start}, ${(mb / secs).toFixed(4)}, ${(count / secs).toFixed(4)}`,
          );
        }
        return 0;
      } finally {
        await closeAll(consumer);
      }
    },
  );
}
