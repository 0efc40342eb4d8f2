// `samsa console-consumer`: kafka-console-consumer.sh — prints the records of a topic.
//
// Without --group it reads the partitions directly (no consumer group, nothing committed);
// Kafka's tool would join a generated group `console-consumer-NNNNN` instead, which only
// leaves an empty group behind. With --group it joins that group and commits its offsets.
import type { Consumer } from '@platformatic/kafka';
import { clientOptions } from '../../client/options.ts';
import { UsageError } from '../args.ts';
import {
  all,
  BOOTSTRAP_OPTION,
  bootstrapOf,
  closeAll,
  HELP_OPTION,
  intOption,
  one,
  parseKeyValues,
  parseToolArgs,
  required,
  runTool,
  type Tool,
} from './common.ts';
import { PartitionReader, type ConsumedRecord, type StartAt } from '../../client/partition-reader.ts';

const TOOL: Tool = {
  name: 'console-consumer',
  summary: 'Prints the records of a topic to standard output (like kafka-console-consumer.sh).',
  spec: {
    'bootstrap-server': BOOTSTRAP_OPTION,
    topic: { value: true, arg: 'TOPIC', description: 'The topic to read (required)' },
    'from-beginning': {
      description: 'Start with the earliest record instead of the latest (when no committed offset exists)',
    },
    partition: { value: true, arg: 'P', description: 'Read only this partition (without a group)' },
    offset: { value: true, arg: 'OFFSET', description: 'With --partition: earliest, latest (default) or an offset' },
    group: { value: true, arg: 'GROUP', description: 'Consume as a member of this consumer group, committing offsets' },
    'max-messages': { value: true, arg: 'N', description: 'Exit after N records' },
    'timeout-ms': { value: true, arg: 'MS', description: 'Exit when no record arrives for MS milliseconds' },
    property: {
      value: true,
      repeat: true,
      arg: 'KEY=VALUE',
      description:
        'Formatter properties: print.timestamp, print.key, print.offset, print.partition, print.headers, print.value, key.separator, line.separator, headers.separator, headers.key.separator, null.literal',
    },
    formatter: {
      value: true,
      arg: 'NAME',
      description: "default (Kafka's DefaultMessageFormatter) or json (one JSON object per record)",
    },
    'consumer-property': {
      value: true,
      repeat: true,
      arg: 'KEY=VALUE',
      description: 'Consumer configs: client.id, group.id, auto.offset.reset (others are accepted and ignored)',
    },
    help: HELP_OPTION,
  },
  notes: [
    'Without --group, partitions are read directly and no offsets are committed.',
    'On Ctrl-C, --max-messages or --timeout-ms it prints "Processed a total of N messages" to stderr.',
    '',
    'Example:',
    '  samsa console-consumer --topic quickstart-events --from-beginning --bootstrap-server localhost:9092',
  ].join('\n'),
};

interface FormatConfig {
  json: boolean;
  printTimestamp: boolean;
  printKey: boolean;
  printOffset: boolean;
  printPartition: boolean;
  printHeaders: boolean;
  printValue: boolean;
  keySeparator: string;
  lineSeparator: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullLiteral: string;
}

function formatConfig(props: Map<string, string>, formatter: string | undefined): FormatConfig {
  const bool = (k: string, d: boolean) => {
    const v = props.get(k);
    return v === undefined ? d : v.toLowerCase() === 'true';
  };
  const name = formatter ?? 'default';
  const json = name === 'json';
  if (
    !json &&
    ![
      'default',
      'kafka.tools.DefaultMessageFormatter',
      'org.apache.kafka.tools.consumer.DefaultMessageFormatter',
    ].includes(name)
  ) {
    throw new UsageError(`unknown --formatter "${name}" (use default or json)`);
  }
  return {
    json,
    printTimestamp: bool('print.timestamp', false),
    printKey: bool('print.key', false),
    printOffset: bool('print.offset', false),
    printPartition: bool('print.partition', false),
    printHeaders: bool('print.headers', false),
    printValue: bool('print.value', true),
    keySeparator: props.get('key.separator') ?? '\t',
    lineSeparator: props.get('line.separator') ?? '\n',
    headersSeparator: props.get('headers.separator') ?? ',',
    headersKeySeparator: props.get('headers.key.separator') ?? ':',
    nullLiteral: props.get('null.literal') ?? 'null',
  };
}

/** Formats one record like Kafka's DefaultMessageFormatter (or as a JSON line). */
export function formatRecord(r: ConsumedRecord, c: FormatConfig): string {
  const text = (b: Buffer | null) => (b === null ? c.nullLiteral : b.toString('utf8'));
  if (c.json) {
    const headers: Record<string, string | null> = {};
    for (const [k, v] of r.headers) headers[k?.toString('utf8') ?? ''] = v === null ? null : v.toString('utf8');
    return (
      JSON.stringify({
        topic: r.topic,
        partition: r.partition,
        offset: Number(r.offset),
        timestamp: Number(r.timestamp),
        timestampType: r.timestampType,
        key: r.key?.toString('utf8') ?? null,
        value: r.value?.toString('utf8') ?? null,
        headers,
      }) + '\n'
    );
  }
  let s = '';
  if (c.printTimestamp)
    s += (r.timestamp >= 0n ? `${r.timestampType}:${r.timestamp}` : 'NO_TIMESTAMP') + c.keySeparator;
  if (c.printPartition) s += `Partition:${r.partition}` + c.keySeparator;
  if (c.printOffset) s += `Offset:${r.offset}` + c.keySeparator;
  if (c.printHeaders) {
    s +=
      (r.headers.length === 0
        ? 'NO_HEADERS'
        : r.headers.map(([k, v]) => `${text(k)}${c.headersKeySeparator}${text(v)}`).join(c.headersSeparator)) +
      c.keySeparator;
  }
  if (c.printKey) s += text(r.key) + (c.printValue ? c.keySeparator : '');
  if (c.printValue) s += text(r.value);
  return s + c.lineSeparator;
}

export async function consoleConsumer(argv: string[]): Promise<number> {
  const args = parseToolArgs(TOOL, argv);
  if (!args) return 0;
  const topic = required(args, 'topic');
  const bootstrap = bootstrapOf(args);
  const consumerProps = parseKeyValues(all(args, 'consumer-property'), 'consumer-property');
  const group = one(args, 'group') ?? consumerProps.get('group.id');
  const partition = intOption(args, 'partition', 0);
  const offsetText = one(args, 'offset');
  const maxMessages = intOption(args, 'max-messages', 1);
  const timeoutMs = intOption(args, 'timeout-ms', 0);
  const fromBeginning = args.flags.has('from-beginning') || consumerProps.get('auto.offset.reset') === 'earliest';
  const format = formatConfig(parseKeyValues(all(args, 'property'), 'property'), one(args, 'formatter'));
  if (offsetText !== undefined && partition === undefined)
    throw new UsageError('The partition is required when offset is specified.');
  if (group !== undefined && partition !== undefined)
    throw new UsageError('Options group and partition cannot be specified together.');
  if (partition !== undefined && offsetText !== undefined && args.flags.has('from-beginning')) {
    throw new UsageError('Options from-beginning and offset cannot be specified together.');
  }
  let start: StartAt = fromBeginning ? 'earliest' : 'latest';
  if (offsetText !== undefined) {
    if (offsetText === 'earliest' || offsetText === 'latest') start = offsetText;
    else if (/^\d+$/.test(offsetText)) start = BigInt(offsetText);
    else throw new UsageError(`--offset must be earliest, latest or a non-negative number, got "${offsetText}"`);
  }

  const { Consumer } = await import('@platformatic/kafka');
  let count = 0;
  const report = () => console.error(`Processed a total of ${count} messages`);
  return runTool(
    'console-consumer',
    () => bootstrap,
    async () => {
      const consumer = new Consumer({
        ...clientOptions(bootstrap, consumerProps.get('client.id') ?? 'console-consumer'),
        groupId: group ?? `console-consumer-${Math.floor(Math.random() * 100000)}`,
      });
      let stop: (() => void) | undefined;
      const onSignal = () => {
        stop?.();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // A closed pipe (`| head`) ends the consumer quietly, as Kafka's does.
      let brokenPipe = false;
      process.stdout.on('error', () => {
        brokenPipe = true;
        stop?.();
      });
      const write = (recs: ConsumedRecord[]): boolean => {
        let chunk = '';
        for (const r of recs) {
          chunk += formatRecord(r, format);
          count++;
          if (maxMessages !== undefined && count >= maxMessages) break;
        }
        if (chunk) process.stdout.write(chunk);
        return maxMessages !== undefined && count >= maxMessages;
      };
      try {
        if (group === undefined) {
          await readDirect(consumer, topic, partition, start, timeoutMs, write, (s) => {
            stop = s;
          });
        } else {
          await readWithGroup(consumer, topic, fromBeginning, timeoutMs, write, (s) => {
            stop = s;
          });
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await closeAll(consumer);
        await new Promise<void>((r) => process.stdout.write('', () => r()));
      }
      if (!brokenPipe) report();
      return 0;
    },
  );
}

type Writer = (records: ConsumedRecord[]) => boolean;

async function readDirect(
  consumer: Consumer,
  topic: string,
  partition: number | undefined,
  start: StartAt,
  timeoutMs: number | undefined,
  write: Writer,
  onStop: (stop: () => void) => void,
): Promise<void> {
  const reader = new PartitionReader(consumer, topic);
  onStop(() => reader.stop());
  const partitions = await reader.partitions(partition);
  await reader.seek(partitions, start);
  let last = Date.now();
  while (!reader.stopped) {
    const wait = timeoutMs === undefined ? 500 : Math.max(1, Math.min(500, timeoutMs - (Date.now() - last)));
    const recs = await reader.poll(wait);
    if (reader.stopped) break;
    if (recs.length > 0) {
      last = Date.now();
      if (write(recs)) return;
    } else if (timeoutMs !== undefined && Date.now() - last >= timeoutMs) {
      return;
    }
  }
}

async function readWithGroup(
  consumer: Consumer,
  topic: string,
  fromBeginning: boolean,
  timeoutMs: number | undefined,
  write: Writer,
  onStop: (stop: () => void) => void,
): Promise<void> {
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'committed',
    fallbackMode: fromBeginning ? 'earliest' : 'latest',
    autocommit: false,
    maxWaitTime: 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  // The last printed message of each partition; committed every second and on exit.
  const toCommit = new Map<number, { commit(): unknown }>();
  const commit = async () => {
    const list = [...toCommit.values()];
    toCommit.clear();
    await Promise.all(list.map((m) => Promise.resolve(m.commit()).catch(() => undefined)));
  };
  const committer = setInterval(() => void commit(), 1000);
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (e?: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearInterval(committer);
      stream.off('data', onData);
      commit()
        .finally(() => stream.close().catch(() => undefined))
        .finally(() => (e ? reject(e) : resolve()));
    };
    const arm = () => {
      if (timeoutMs === undefined) return;
      clearTimeout(timer);
      timer = setTimeout(() => finish(), timeoutMs);
    };
    const onData = (m: {
      topic: string;
      partition: number;
      offset: bigint;
      timestamp: bigint;
      key: Buffer | null;
      value: Buffer | null;
      headerEntries: [Buffer, Buffer][];
      commit(): unknown;
    }) => {
      if (finished) return;
      arm();
      const rec: ConsumedRecord = {
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        timestampType: 'CreateTime',
        key: m.key ?? null,
        value: m.value ?? null,
        headers: m.headerEntries,
        size: (m.key?.length ?? 0) + (m.value?.length ?? 0),
      };
      const done = write([rec]);
      toCommit.set(m.partition, m);
      if (done) finish();
    };
    stream.on('data', onData as never);
    stream.on('error', (e: unknown) => finish(e));
    onStop(() => finish());
    arm();
  });
}
