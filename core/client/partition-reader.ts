// Reads partitions without a consumer group: finds each partition's leader, resolves start
// offsets (earliest / latest / a number) with ListOffsets, and fetches from the leaders in a
// loop. Used by the console consumer (when no --group is given), the consumer perf test, and the
// console's tails and message pages.
import type { Consumer } from '@platformatic/kafka';
import { ReadableError } from './errors.ts';

export type StartAt = 'earliest' | 'latest' | bigint;

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer | null, Buffer | null][];
  /** Size of key + value, as Kafka's perf tools count bytes. */
  size: number;
}

const CONTROL_BATCH = 0x20;
const LOG_APPEND_TIME = 0x08;

/** Kafka error codes a fetch can recover from by refreshing metadata. */
const RETRIABLE = new Set([3, 5, 6, 9, 74, 75, 100]);

export class PartitionReader {
  readonly #consumer: Consumer;
  readonly #topic: string;
  #positions = new Map<number, bigint>();
  #stopped = false;
  maxBytes = 8 * 1024 * 1024;
  partitionMaxBytes = 1024 * 1024;

  constructor(consumer: Consumer, topic: string) {
    this.#consumer = consumer;
    this.#topic = topic;
  }

  /** Partitions of the topic (all, or the one given); fails with Kafka's wording when the topic is unknown. */
  async partitions(only?: number): Promise<number[]> {
    const meta = await this.#consumer.metadata({ topics: [this.#topic], autocreateTopics: false, forceUpdate: true });
    const t = meta.topics.get(this.#topic);
    if (!t) throw new ReadableError(`Error: topic '${this.#topic}' does not exist`);
    const all = [...t.partitions.keys()];
    if (only === undefined) return all;
    if (!all.includes(only))
      throw new ReadableError(`Error: partition ${only} of topic '${this.#topic}' does not exist`);
    return [only];
  }

  async seek(partitions: number[], start: StartAt): Promise<void> {
    if (typeof start === 'bigint') {
      for (const p of partitions) this.#positions.set(p, start);
      return;
    }
    let list: bigint[];
    try {
      const offsets = await this.#consumer.listOffsets({
        topics: [this.#topic],
        partitions: { [this.#topic]: partitions },
        timestamp: start === 'earliest' ? -2n : -1n,
      });
      list = offsets.get(this.#topic) ?? [];
    } catch (e) {
      // Some minimal brokers (librdkafka's mock cluster) fail ListOffsets; a fetch answer
      // carries the log start offset and the high watermark too.
      const bounds = await this.#boundsViaFetch(partitions).catch(() => {
        throw e;
      });
      list = [];
      for (const [p, b] of bounds) list[p] = start === 'earliest' ? b.start : b.end;
    }
    for (const p of partitions) this.#positions.set(p, list[p] ?? 0n);
  }

  async #boundsViaFetch(partitions: number[]): Promise<Map<number, { start: bigint; end: bigint }>> {
    const meta = await this.#consumer.metadata({ topics: [this.#topic] });
    const t = meta.topics.get(this.#topic)!;
    const out = new Map<number, { start: bigint; end: bigint }>();
    const byNode = new Map<number, number[]>();
    for (const p of partitions) {
      const leader = t.partitions[p]?.leader ?? -1;
      byNode.set(leader, [...(byNode.get(leader) ?? []), p]);
    }
    await Promise.all(
      [...byNode].map(async ([node, ps]) => {
        const r = await this.#consumer.fetch({
          node,
          maxWaitTime: 0,
          minBytes: 0,
          maxBytes: 1,
          topics: [
            {
              topicId: t.id,
              partitions: ps.map((partition) => ({
                partition,
                fetchOffset: 0n,
                partitionMaxBytes: 1,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            },
          ],
        });
        for (const topic of r.responses) {
          for (const part of topic.partitions) {
            out.set(part.partitionIndex, {
              start: part.logStartOffset < 0n ? 0n : part.logStartOffset,
              end: part.highWatermark,
            });
          }
        }
      }),
    );
    return out;
  }

  stop(): void {
    this.#stopped = true;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * One round of fetches (one request per leader, in parallel), waiting up to `maxWaitMs` for data.
   * Returns the records in offset order per partition.
   */
  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    const meta = await this.#consumer.metadata({ topics: [this.#topic] });
    const t = meta.topics.get(this.#topic);
    if (!t) throw new ReadableError(`Error: topic '${this.#topic}' does not exist`);
    const byNode = new Map<number, number[]>();
    for (const p of this.#positions.keys()) {
      const leader = t.partitions[p]?.leader ?? -1;
      if (leader < 0) continue;
      const list = byNode.get(leader) ?? [];
      list.push(p);
      byNode.set(leader, list);
    }
    const out: ConsumedRecord[] = [];
    let needRefresh = false;
    await Promise.all(
      [...byNode].map(async ([node, partitions]) => {
        const response = await this.#consumer.fetch({
          node,
          maxWaitTime: maxWaitMs,
          minBytes: 1,
          maxBytes: this.maxBytes,
          topics: [
            {
              topicId: t.id,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: this.#positions.get(partition)!,
                partitionMaxBytes: this.partitionMaxBytes,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            },
          ],
        });
        for (const topic of response.responses) {
          for (const part of topic.partitions) {
            if (part.errorCode !== 0) {
              if (RETRIABLE.has(part.errorCode)) {
                needRefresh = true;
                continue;
              }
              if (part.errorCode === 1) {
                // OFFSET_OUT_OF_RANGE: start again from the earliest offset, as auto.offset.reset=earliest would.
                await this.seek([part.partitionIndex], 'earliest');
                continue;
              }
              throw new ReadableError(
                `Error: fetch from partition ${part.partitionIndex} failed with Kafka error code ${part.errorCode}`,
              );
            }
            let position = this.#positions.get(part.partitionIndex)!;
            for (const batch of part.records ?? []) {
              const next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
              if ((batch.attributes & CONTROL_BATCH) === 0) {
                const logAppend = (batch.attributes & LOG_APPEND_TIME) !== 0;
                for (const r of batch.records) {
                  const offset = batch.firstOffset + BigInt(r.offsetDelta);
                  if (offset < position) continue;
                  out.push({
                    topic: this.#topic,
                    partition: part.partitionIndex,
                    offset,
                    timestamp: logAppend ? batch.maxTimestamp : batch.firstTimestamp + r.timestampDelta,
                    timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
                    key: r.key,
                    value: r.value,
                    headers: r.headers,
                    size: (r.key?.length ?? 0) + (r.value?.length ?? 0),
                  });
                }
              }
              if (next > position) position = next;
            }
            this.#positions.set(part.partitionIndex, position);
          }
        }
      }),
    );
    if (needRefresh || byNode.size === 0) {
      await this.#consumer.metadata({ topics: [this.#topic], forceUpdate: true });
      if (byNode.size === 0) await new Promise((r) => setTimeout(r, Math.min(maxWaitMs, 200)));
    }
    return out;
  }
}
