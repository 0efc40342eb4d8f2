// An in-memory TopicManager and partition log for broker tests: enough to
// exercise the request pipeline and handlers without the disk.

import { randomBytes } from 'node:crypto';
import { ErrorCode, KafkaError } from '../../../core/protocol/errors.ts';
import {
  batchPositions,
  batchMaxTimestamp,
  batchSize,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '../../../core/protocol/record-batch.ts';
import type { PartitionState, TopicRegistry, TopicState } from '../../../core/broker/topic-manager.ts';
import type { AppendResult, Log, ReadResult } from '../../../core/storage/log.ts';

type OffsetAndTimestamp = { offset: number; timestamp: number };
import type { TopicManager } from '../../../core/broker/topic-manager.ts';
import { ProducerStateManager } from '../../../core/storage/producer-state.ts';
import type { BatchesInfo } from '../../../core/protocol/record-batch.ts';

interface StoredBatch {
  base: number;
  last: number;
  maxTs: number;
  buf: Buffer;
}

/** A partition log in memory: the part of storage's Log the handlers use. */
export class MemoryLog {
  logStartOffset = 0;
  logEndOffset = 0;
  get highWatermark(): number {
    return this.logEndOffset;
  }
  readonly config = { maxMessageBytes: 1048588, messageTimestampType: 'CreateTime', cleanupPolicy: 'delete' };
  readonly batches: StoredBatch[] = [];
  /** Delay before `written` settles (to test ordering). */
  writeDelayMs = 0;
  /** Idempotent producers' state, as the real log keeps it (never snapshotted here). */
  readonly producers = new ProducerStateManager('', Date.now());

  append(buf: Buffer, info: unknown, leaderEpoch: number, _now: number): AppendResult {
    const baseOffset = this.logEndOffset;
    const copies: Buffer[] = [];
    for (const pos of batchPositions(buf)) {
      const size = batchSize(buf, pos);
      const batch = Buffer.from(buf.subarray(pos, pos + size));
      const delta = batch.readInt32BE(23); // lastOffsetDelta
      setBaseOffset(batch, 0, this.logEndOffset);
      setPartitionLeaderEpoch(batch, 0, leaderEpoch);
      this.batches.push({
        base: this.logEndOffset,
        last: this.logEndOffset + delta,
        maxTs: batchMaxTimestamp(batch, 0),
        buf: batch,
      });
      copies.push(batch);
      this.logEndOffset += delta + 1;
    }
    const written =
      this.writeDelayMs > 0 ? new Promise<void>((r) => setTimeout(r, this.writeDelayMs)) : Promise.resolve();
    if (info)
      this.producers.onAppend(Buffer.concat(copies), info as BatchesInfo, (info as BatchesInfo).maxTimestamp, written);
    return {
      baseOffset,
      lastOffset: this.logEndOffset - 1,
      logAppendTime: -1,
      logStartOffset: this.logStartOffset,
      written,
    };
  }

  async read(fetchOffset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Promise<ReadResult> {
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset)
      return { error: ErrorCode.OFFSET_OUT_OF_RANGE };
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (const b of this.batches) {
      if (b.last < fetchOffset) continue;
      if (b.base >= maxOffset) break;
      if (bytes + b.buf.length > maxBytes && !(minOneBatch && chunks.length === 0)) break;
      chunks.push(b.buf);
      bytes += b.buf.length;
    }
    return { chunks, bytes };
  }

  offsetForTimestamp(ts: number): OffsetAndTimestamp | null {
    for (const b of this.batches) if (b.maxTs >= ts) return { offset: b.base, timestamp: b.maxTs };
    return null;
  }

  maxTimestamp(): OffsetAndTimestamp | null {
    let best: StoredBatch | undefined;
    for (const b of this.batches) if (!best || b.maxTs > best.maxTs) best = b;
    return best ? { offset: best.last, timestamp: best.maxTs } : null;
  }
}

export class MemoryTopics implements TopicRegistry {
  readonly byName = new Map<string, TopicState>();
  autoCreatePartitions = 1;
  autoCreateEnabled = true;

  create(name: string, partitions = 1): TopicState {
    const topicId = randomBytes(16).toString('base64url');
    const t: TopicState = {
      name,
      topicId,
      internal: false,
      configs: {},
      replicationFactor: 1,
      numPartitions: partitions,
      minInsyncReplicas: 1,
      partitions: Array.from({ length: partitions }, (_, i): PartitionState => ({
        topic: name,
        partition: i,
        topicId,
        // Stands in for storage's Log: it has every member the handlers use.
        log: new MemoryLog() as unknown as Log,
        leaderEpoch: 0,
        leader: 1,
        replicas: [1],
        isr: [1],
        partitionEpoch: 0,
      })),
    };
    this.byName.set(name, t);
    return t;
  }

  log(name: string, partition = 0): MemoryLog {
    return this.byName.get(name)!.partitions[partition]!.log as unknown as MemoryLog;
  }

  get(name: string) {
    return this.byName.get(name);
  }
  getById(id: string) {
    for (const t of this.byName.values()) if (t.topicId === id) return t;
    return undefined;
  }
  all() {
    return this.byName.values();
  }
  partition(topic: string, p: number) {
    return this.byName.get(topic)?.partitions[p];
  }
  async autoCreate(name: string): Promise<TopicState> {
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name) || name === '.' || name === '..') {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Invalid topic name ${name}`);
    }
    if (!this.autoCreateEnabled) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    return this.create(name, this.autoCreatePartitions);
  }

  asTopicManager(): TopicManager {
    return this as unknown as TopicManager;
  }
}
