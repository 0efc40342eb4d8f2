// The parts of storage and topic management the request handlers rely on,
// as structural types: the real TopicManager (topic-manager.ts) and Log
// (storage) satisfy them, and tests can supply small fakes.

import type { BrokerConfig } from './configs.ts';

/** Result of `Log.append`: offsets assigned, and a promise settled once the bytes are written. */
export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTime: number;
  logStartOffset: number;
  written: Promise<void>;
}

export type ReadResult = { chunks: Buffer[]; bytes: number } | { error: number };

/** A found offset for a timestamp query (ListOffsets). */
export interface OffsetAndTimestamp {
  offset: number;
  timestamp: number;
  leaderEpoch?: number;
}

/** What the broker needs from a partition log. */
export interface PartitionLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly config: { maxMessageBytes: number; messageTimestampType?: string };
  append(batches: Buffer, info: unknown, leaderEpoch: number, now: number): AppendResult;
  read(fetchOffset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Promise<ReadResult>;
  offsetForTimestamp(
    timestamp: number,
  ): OffsetAndTimestamp | null | undefined | Promise<OffsetAndTimestamp | null | undefined>;
  maxTimestamp(): OffsetAndTimestamp | null | undefined | Promise<OffsetAndTimestamp | null | undefined>;
}

export interface PartitionState {
  topic: string;
  partition: number;
  topicId: string;
  log: PartitionLog;
  leaderEpoch: number;
  /** The controller's view (the real TopicManager always has them): leader id, replicas, ISR, partition epoch. */
  leader?: number;
  replicas?: number[];
  isr?: number[];
  partitionEpoch?: number;
}

export interface TopicState {
  name: string;
  topicId: string;
  internal: boolean;
  /** Indexed by partition id; holes for partitions not hosted on this broker. */
  partitions: PartitionState[];
  /** The topic's partition count (hosted or not); `partitions.length` when absent. */
  numPartitions?: number;
  configs: Record<string, string>;
  /** The effective min.insync.replicas. */
  minInsyncReplicas?: number;
}

/** The TopicManager surface used by the data-path handlers. */
export interface TopicRegistry {
  get(name: string): TopicState | undefined;
  getById(topicId: string): TopicState | undefined;
  all(): Iterable<TopicState>;
  partition(topic: string, partition: number): PartitionState | undefined;
  /** Throws KafkaError (INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION, ...). */
  autoCreate(name: string): Promise<TopicState>;
}

export type { BrokerConfig };
