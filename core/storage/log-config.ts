// Per-topic log settings, named after Kafka's topic configs, with Kafka's defaults.
export interface LogConfig {
  segmentBytes: number; // segment.bytes
  segmentMs: number; // segment.ms
  segmentIndexBytes: number; // segment.index.bytes
  indexIntervalBytes: number; // index.interval.bytes
  retentionMs: number; // retention.ms (-1: keep forever)
  retentionBytes: number; // retention.bytes (-1: no size limit)
  maxMessageBytes: number; // max.message.bytes
  messageTimestampType: 'CreateTime' | 'LogAppendTime'; // message.timestamp.type
  /** How far a CreateTime record may lag behind the broker's clock (Long.MAX_VALUE: any). */
  messageTimestampBeforeMaxMs?: number; // message.timestamp.before.max.ms
  /** How far a CreateTime record may lead the broker's clock (Kafka 4: one hour). */
  messageTimestampAfterMaxMs?: number; // message.timestamp.after.max.ms
  cleanupPolicy: string; // cleanup.policy ("delete", "compact" or both)
  fileDeleteDelayMs: number; // file.delete.delay.ms
  flushMessages: number; // flush.messages (Kafka's default: never)
  flushMs: number; // flush.ms (Kafka's default: never)
  // Log compaction (core/storage/cleaner/); absent: Kafka's defaults.
  minCleanableDirtyRatio?: number; // min.cleanable.dirty.ratio (0.5)
  minCompactionLagMs?: number; // min.compaction.lag.ms (0)
  maxCompactionLagMs?: number; // max.compaction.lag.ms (never)
  deleteRetentionMs?: number; // delete.retention.ms (86400000)
}

/** Long.MAX_VALUE in Kafka: "never"; as a JS number it is simply very large. */
const NEVER = Number.MAX_SAFE_INTEGER;

export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1073741824,
  segmentMs: 604800000,
  segmentIndexBytes: 10485760,
  indexIntervalBytes: 4096,
  retentionMs: 604800000,
  retentionBytes: -1,
  maxMessageBytes: 1048588,
  messageTimestampType: 'CreateTime',
  messageTimestampBeforeMaxMs: NEVER,
  messageTimestampAfterMaxMs: 3600000,
  cleanupPolicy: 'delete',
  fileDeleteDelayMs: 60000,
  flushMessages: NEVER,
  flushMs: NEVER,
}) as LogConfig;
