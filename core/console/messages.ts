// The messages resource: producing one record (key, value, headers, partition by key hash, round
// robin or a fixed one, acks and compression as a producer's settings), a batch of records from
// templates (`{{i}}` the counter, `{{now}}` the time in ms; the renderer sends N as a sequence of
// such batches), and a page of a partition's records from an offset, read without a consumer group.
import { defaultPartitioner } from '@platformatic/kafka';
import { PartitionReader } from '../client/partition-reader.ts';
import { offsetText, optInt, optStr, str, asArgs, type Args } from './args.ts';
import type { Compression, ProduceManyResult, ProduceResult, RecordView } from './bridge.ts';
import type { ConsoleContext, HandlerTable } from './context.ts';
import { toRecordView } from './convert.ts';
import { ConsoleError, isUnknownTopic } from './errors.ts';

/** Most records one produceMany call sends; the renderer sends N as a sequence of such batches. */
export const MAX_PRODUCE_BATCH = 5000;
const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function messageOperations(ctx: ConsoleContext) {
  /** Round-robin position per topic, kept across calls. */
  const roundRobin = new Map<string, number>();
  return {
    produce: async (a) => produce(ctx, roundRobin, a),
    produceMany: async (a) => produceMany(ctx, roundRobin, a),
    fetchMessagesPage: async (a) => {
      const topic = str(a, 'topic');
      const partition = optInt(a, 'partition', 0) ?? 0;
      const from = offsetText(a.offset, 'offset');
      const limit = optInt(a, 'limit', 1, 10_000) ?? 100;
      return fetchPage(ctx, topic, partition, from, limit);
    },
  } satisfies Partial<HandlerTable>;
}

function jsonCheck(value: string): void {
  try {
    JSON.parse(value);
  } catch (e) {
    throw new ConsoleError(`The value is not valid JSON: ${(e as Error).message}`, 'value');
  }
}

/** The arguments produce and produceMany share, checked, with the topic's partition count. */
async function produceCommon(ctx: ConsoleContext, roundRobin: Map<string, number>, a: Args) {
  const topic = str(a, 'topic');
  if (topic === '') throw new ConsoleError('Pick a topic to produce to.', 'topic');
  const partition = optInt(a, 'partition', 0);
  const partitioning = a.partitioning ?? (partition !== undefined ? 'fixed' : 'key');
  if (partitioning !== 'key' && partitioning !== 'roundRobin' && partitioning !== 'fixed') {
    throw new ConsoleError('partitioning must be key, roundRobin or fixed', 'partitioning');
  }
  if (partitioning === 'fixed' && partition === undefined)
    throw new ConsoleError('Pick the partition to send to.', 'partition');
  const acks = a.acks ?? 'all';
  if (acks !== 0 && acks !== 1 && acks !== 'all' && acks !== -1)
    throw new ConsoleError('acks must be 0, 1 or all', 'acks');
  const format = a.valueFormat ?? 'text';
  if (format !== 'text' && format !== 'json') throw new ConsoleError('valueFormat must be text or json', 'valueFormat');
  const compression = (a.compression ?? 'none') as Compression;
  if (!COMPRESSIONS.includes(compression))
    throw new ConsoleError(`compression must be one of ${COMPRESSIONS.join(', ')}`, 'compression');
  const headerList = a.headers === undefined || a.headers === null ? [] : a.headers;
  if (!Array.isArray(headerList)) throw new ConsoleError('headers must be a list of {key, value}', 'headers');
  const headers = new Map<Buffer, Buffer>();
  for (const h of headerList) {
    const ha = asArgs(h);
    const hk = str(ha, 'key');
    if (hk === '') throw new ConsoleError('A header needs a key.', 'headers');
    headers.set(Buffer.from(hk), Buffer.from(optStr(ha, 'value') ?? ''));
  }
  const producer = ctx.producer();
  const meta = await producer.metadata({ topics: [topic], autocreateTopics: false }).catch((e: unknown) => {
    if (isUnknownTopic(e))
      throw new ConsoleError(`Topic '${topic}' does not exist.`, 'topic', 'UNKNOWN_TOPIC_OR_PARTITION');
    throw e;
  });
  const count = meta.topics.get(topic)?.partitionsCount ?? 0;
  if (partitioning === 'fixed' && partition !== undefined && partition >= count) {
    throw new ConsoleError(
      `Topic '${topic}' has ${count} partition${count === 1 ? '' : 's'}; there is no partition ${partition}.`,
      'partition',
    );
  }
  /** The partition of the next record (undefined: by key hash, done by the client). */
  const pickRoundRobin = (): number => {
    const n = roundRobin.get(topic) ?? 0;
    roundRobin.set(topic, n + 1);
    return n % Math.max(count, 1);
  };
  const pick = (): number | undefined =>
    partitioning === 'fixed' ? partition : partitioning === 'roundRobin' ? pickRoundRobin() : undefined;
  return {
    topic,
    format,
    compression,
    headers,
    pick,
    pickRoundRobin,
    partitionCount: Math.max(count, 1),
    acks: acks === 'all' ? -1 : (acks as number),
  };
}

async function produce(ctx: ConsoleContext, roundRobin: Map<string, number>, a: Args): Promise<ProduceResult> {
  const c = await produceCommon(ctx, roundRobin, a);
  const key = optStr(a, 'key');
  const value = optStr(a, 'value');
  if (c.format === 'json' && value !== undefined) jsonCheck(value);
  const message: Record<string, unknown> = {
    topic: c.topic,
    key: key === undefined || key === '' ? undefined : Buffer.from(key),
    value: value === undefined ? null : Buffer.from(value),
    headers: c.headers,
  };
  const partition = c.pick();
  if (partition !== undefined) message.partition = partition;
  const result = await ctx.producer().send({
    messages: [message as never],
    compression: c.compression,
    acks: c.acks,
  });
  const o = result.offsets?.[0];
  return {
    topic: c.topic,
    partition: o?.partition ?? partition ?? -1,
    offset: (o?.offset ?? -1n).toString(),
    timestamp: Date.now(),
  };
}

/** One batch of records from templates (`{{i}}`: the counter, `{{now}}`: the time in ms). */
async function produceMany(ctx: ConsoleContext, roundRobin: Map<string, number>, a: Args): Promise<ProduceManyResult> {
  const c = await produceCommon(ctx, roundRobin, a);
  const keyTemplate = optStr(a, 'keyTemplate') ?? '';
  const valueTemplate = str(a, 'valueTemplate');
  const from = optInt(a, 'from', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const n = optInt(a, 'count', 1, MAX_PRODUCE_BATCH);
  if (n === undefined) throw new ConsoleError(`count must be a whole number from 1 to ${MAX_PRODUCE_BATCH}`, 'count');
  const fill = (t: string, i: number, now: string) => t.replaceAll('{{i}}', String(i)).replaceAll('{{now}}', now);
  const messages: Record<string, unknown>[] = [];
  const now = String(Date.now());
  for (let i = from; i < from + n; i++) {
    const value = fill(valueTemplate, i, now);
    if (c.format === 'json' && i === from) jsonCheck(value);
    const key = keyTemplate === '' ? undefined : Buffer.from(fill(keyTemplate, i, now));
    const m: Record<string, unknown> = { topic: c.topic, key, value: Buffer.from(value), headers: c.headers };
    // By key, hash here as the client would (murmur2), so every record's partition is known and counted.
    m.partition = c.pick() ?? (key ? defaultPartitioner(m as never, key) % c.partitionCount : c.pickRoundRobin());
    messages.push(m);
  }
  const result = await ctx.producer().send({
    messages: messages as never[],
    compression: c.compression,
    acks: c.acks,
  });
  const base = new Map<number, bigint>();
  for (const o of result.offsets ?? []) {
    const prev = base.get(o.partition);
    if (prev === undefined || o.offset < prev) base.set(o.partition, o.offset);
  }
  const counts = new Map<number, number>();
  for (const m of messages) counts.set(m.partition as number, (counts.get(m.partition as number) ?? 0) + 1);
  const partitions = [...counts]
    .sort(([x], [y]) => x - y)
    .map(([partition, k]) => {
      const first = base.get(partition);
      return {
        partition,
        count: k,
        firstOffset: first?.toString() ?? null,
        lastOffset: first !== undefined ? (first + BigInt(k) - 1n).toString() : null,
      };
    });
  return { count: n, partitions };
}

/** Up to `limit` records of one partition from offset `from` (from its start when `from` is gone), below the high watermark. */
async function fetchPage(ctx: ConsoleContext, topic: string, partition: number, from: bigint, limit: number) {
  const consumer = ctx.newConsumer();
  try {
    const reader = new PartitionReader(consumer, topic);
    await reader.partitions(partition).catch((e: unknown) => {
      throw new ConsoleError((e as Error).message.replace(/^Error: /, ''), 'topic');
    });
    const [lo, hi] = await Promise.all([
      ctx.offsetsAt(topic, [partition], -2n),
      ctx.offsetsAt(topic, [partition], -1n),
    ]);
    const end = hi.get(partition) ?? 0n;
    // Records before the start offset are gone (retention, DeleteRecords): read from the start.
    const start = lo.get(partition) ?? 0n;
    await reader.seek([partition], from < start ? start : from);
    const out: RecordView[] = [];
    for (let i = 0; i < 20 && out.length < limit; i++) {
      const batch = await reader.poll(50);
      for (const r of batch) if (out.length < limit && r.offset < end) out.push(toRecordView(r));
      if (batch.length === 0 || (batch.at(-1)?.offset ?? 0n) + 1n >= end) break;
    }
    return { records: out, highWatermark: end.toString() };
  } finally {
    await consumer.close().catch(() => undefined);
  }
}
