// Record batch v2 header (Kafka's DefaultRecordBatch, "Message format" documentation):
// the layout, allocation-free reads of header fields, the in-place rewrites of
// offset assignment (base offset, partition leader epoch, LogAppendTime + CRC),
// and the walk over the whole batches of a buffer.
//
// Layout: baseOffset int64 @0, batchLength int32 @8 (bytes after this field),
// partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC-32C of
// bytes @21..end), attributes int16 @21, lastOffsetDelta int32 @23,
// baseTimestamp int64 @27, maxTimestamp int64 @35, producerId int64 @43,
// producerEpoch int16 @51, baseSequence int32 @53, recordCount int32 @57, records @61.
import { crc32cRange } from './crc32c.ts';

export const BATCH = {
  BASE_OFFSET: 0,
  LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  RECORDS: 61,
  /** baseOffset + batchLength: the bytes not counted by batchLength (Kafka's LOG_OVERHEAD). */
  LOG_OVERHEAD: 12,
  HEADER_SIZE: 61,
} as const;

export const Attr = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE_LOG_APPEND: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
} as const;

const TWO_32 = 4294967296;

// ---- header readers (no allocation) ----

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4);
}

export function batchBaseOffset(buf: Buffer, pos: number): number {
  return readInt64(buf, pos);
}
/** total size of the batch starting at pos, including the 12-byte log overhead */
export function batchSize(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
}
export function batchLastOffset(buf: Buffer, pos: number): number {
  return readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
}
export function batchMaxTimestamp(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BATCH.MAX_TIMESTAMP);
}
export function batchAttributes(buf: Buffer, pos: number): number {
  return buf.readInt16BE(pos + BATCH.ATTRIBUTES);
}
export function batchLeaderEpoch(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BATCH.PARTITION_LEADER_EPOCH);
}

// ---- in-place header rewrites ----

/** baseOffset is not covered by the CRC: no recomputation needed. */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  writeInt64(buf, pos + BATCH.BASE_OFFSET, offset);
}

/** partitionLeaderEpoch is not covered by the CRC either. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + BATCH.PARTITION_LEADER_EPOCH);
}

/** Recomputes and stores the CRC-32C of the batch at pos. */
export function updateCrc(buf: Buffer, pos: number): void {
  const size = batchSize(buf, pos);
  buf.writeUInt32BE(crc32cRange(buf, pos + BATCH.ATTRIBUTES, pos + size), pos + BATCH.CRC);
}

/**
 * For message.timestamp.type=LogAppendTime: Kafka sets the timestamp-type attribute
 * bit and stores the broker's time as maxTimestamp (records keep their own deltas,
 * readers use maxTimestamp for every record), then recomputes the CRC.
 */
export function setLogAppendTime(buf: Buffer, pos: number, now: number): void {
  const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
  buf.writeInt16BE(attributes | Attr.TIMESTAMP_TYPE_LOG_APPEND, pos + BATCH.ATTRIBUTES);
  writeInt64(buf, pos + BATCH.MAX_TIMESTAMP, now);
  updateCrc(buf, pos);
}

/** Iterates the positions of whole batches in buf (header walk only). */
export function* batchPositions(buf: Buffer): Generator<number> {
  let pos = 0;
  while (pos + BATCH.LOG_OVERHEAD <= buf.length) {
    const size = batchSize(buf, pos);
    if (size < BATCH.HEADER_SIZE || pos + size > buf.length) return;
    yield pos;
    pos += size;
  }
}
