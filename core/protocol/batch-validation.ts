// Validation of produced record batches by their headers (Kafka's checks of a
// ProduceRequest's records and the header part of its LogValidator): structure,
// sizes, CRC-32C, offsets and producer fields of every batch, summed up in a
// BatchesInfo, without decoding records. Also the log validator's per-record
// timestamp walk (scanRecordTimestamps), used by core/storage/log-validator.ts.
import { ErrorCode } from './errors.ts';
import { crc32cRange } from './crc32c.ts';
import { Attr, BATCH, readInt64 } from './batch-header.ts';

const INT32_MAX = 2147483647;

export interface BatchesInfo {
  batchCount: number;
  /** sum of the batches' recordCount fields */
  recordCount: number;
  /** sum of (lastOffsetDelta + 1): how many offsets the payload occupies */
  offsetCount: number;
  bytes: number;
  /** largest maxTimestamp of all batches (-1 when none has one) */
  maxTimestamp: number;
  /**
   * offset of the max timestamp relative to the first offset the payload is given:
   * Kafka's "shallow" rule, the last offset of the first batch holding maxTimestamp.
   */
  offsetOfMaxTimestampDelta: number;
  /** from the first batch */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** lastSequence of the last batch (baseSequence + lastOffsetDelta, wrapping at int32 max) */
  lastSequence: number;
  isTransactional: boolean;
  hasControlBatch: boolean;
  /** compression codec of the first batch */
  compression: number;
}

export interface BatchError {
  errorCode: number;
  message: string;
}

export function isBatchError(x: BatchesInfo | BatchError): x is BatchError {
  return (x as BatchError).errorCode !== undefined;
}

// ---- validation ----

export interface ValidateOptions {
  maxMessageBytes: number;
  /**
   * Produce v3+ (Kafka's ProduceRequest validation): exactly one batch per partition,
   * otherwise INVALID_RECORD. Off by default (the log itself accepts several).
   */
  requireSingleBatch?: boolean;
}

/**
 * Validates one batch header at pos in buf[..end): structure and CRC-32C.
 * Returns the batch size, or a BatchError. Used by produce validation and log recovery.
 */
export function validateBatchAt(buf: Buffer, pos: number, end: number, checkCrc = true): number | BatchError {
  const remaining = end - pos;
  if (remaining < BATCH.LOG_OVERHEAD + 5) {
    return {
      errorCode: ErrorCode.CORRUPT_MESSAGE,
      message: `truncated record batch: ${remaining} bytes left at position ${pos}`,
    };
  }
  const batchLength = buf.readInt32BE(pos + BATCH.LENGTH);
  // Magic sits at byte 16 in every message format, so it can be read before the size checks.
  const magic = buf.readInt8(pos + BATCH.MAGIC);
  if (magic !== 2) {
    // Kafka: Produce v3+ may only carry magic v2 batches; older ones are an InvalidRecordException.
    return {
      errorCode: ErrorCode.INVALID_RECORD,
      message: `record batch magic ${magic} is not supported, only magic 2`,
    };
  }
  if (batchLength < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD) {
    return {
      errorCode: ErrorCode.CORRUPT_MESSAGE,
      message: `record batch length ${batchLength} is smaller than the v2 header`,
    };
  }
  const size = batchLength + BATCH.LOG_OVERHEAD;
  if (size > remaining) {
    return {
      errorCode: ErrorCode.CORRUPT_MESSAGE,
      message: `truncated record batch: needs ${size} bytes, ${remaining} left at position ${pos}`,
    };
  }
  if (checkCrc) {
    const stored = buf.readUInt32BE(pos + BATCH.CRC);
    const actual = crc32cRange(buf, pos + BATCH.ATTRIBUTES, pos + size);
    if (stored !== actual) {
      return {
        errorCode: ErrorCode.CORRUPT_MESSAGE,
        message: `record batch CRC mismatch (stored ${stored}, computed ${actual})`,
      };
    }
  }
  return size;
}

/**
 * Validates the records field of a produce request by walking batch headers only.
 * Allocation-free apart from the result object.
 */
export function validateRecordBatches(buf: Buffer, opts: ValidateOptions): BatchesInfo | BatchError {
  const end = buf.length;
  if (end === 0) return { errorCode: ErrorCode.INVALID_RECORD, message: 'produce request has no record batch' };
  let pos = 0;
  let batchCount = 0;
  let recordCount = 0;
  let offsetCount = 0;
  let maxTimestamp = -1;
  let offsetOfMaxTimestampDelta = -1;
  let producerId = -1,
    producerEpoch = -1,
    baseSequence = -1,
    lastSequence = -1;
  let isTransactional = false,
    hasControlBatch = false;
  let compression = 0;
  while (pos < end) {
    const r = validateBatchAt(buf, pos, end);
    if (typeof r !== 'number') return r;
    const size = r;
    if (size > opts.maxMessageBytes) {
      return {
        errorCode: ErrorCode.MESSAGE_TOO_LARGE,
        message: `record batch of ${size} bytes exceeds max.message.bytes ${opts.maxMessageBytes}`,
      };
    }
    const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
    const control = (attributes & Attr.CONTROL) !== 0;
    const count = buf.readInt32BE(pos + BATCH.RECORD_COUNT);
    const lastOffsetDelta = buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
    if (lastOffsetDelta < 0) {
      return { errorCode: ErrorCode.INVALID_RECORD, message: `negative lastOffsetDelta ${lastOffsetDelta}` };
    }
    // Kafka (LogValidator): a client batch's offsets must be 0..count-1, i.e. lastOffsetDelta == count - 1.
    if (!control && (count < 1 || lastOffsetDelta !== count - 1)) {
      return {
        errorCode: ErrorCode.INVALID_RECORD,
        message: `record count ${count} does not match lastOffsetDelta ${lastOffsetDelta}`,
      };
    }
    const batchMax = readInt64(buf, pos + BATCH.MAX_TIMESTAMP);
    if (batchMax > maxTimestamp) {
      maxTimestamp = batchMax;
      offsetOfMaxTimestampDelta = offsetCount + lastOffsetDelta;
    }
    const baseSeq = buf.readInt32BE(pos + BATCH.BASE_SEQUENCE);
    if (batchCount === 0) {
      producerId = readInt64(buf, pos + BATCH.PRODUCER_ID);
      producerEpoch = buf.readInt16BE(pos + BATCH.PRODUCER_EPOCH);
      baseSequence = baseSeq;
      compression = attributes & Attr.COMPRESSION_MASK;
    }
    lastSequence =
      baseSeq < 0
        ? -1
        : baseSeq > INT32_MAX - lastOffsetDelta
          ? lastOffsetDelta - (INT32_MAX - baseSeq) - 1
          : baseSeq + lastOffsetDelta;
    if (attributes & Attr.TRANSACTIONAL) isTransactional = true;
    if (control) hasControlBatch = true;
    batchCount++;
    recordCount += count;
    offsetCount += lastOffsetDelta + 1;
    pos += size;
  }
  if (opts.requireSingleBatch && batchCount !== 1) {
    return {
      errorCode: ErrorCode.INVALID_RECORD,
      message: `produce requests may contain exactly one record batch per partition, got ${batchCount}`,
    };
  }
  return {
    batchCount,
    recordCount,
    offsetCount,
    bytes: end,
    maxTimestamp,
    offsetOfMaxTimestampDelta,
    producerId,
    producerEpoch,
    baseSequence,
    lastSequence,
    isTransactional,
    hasControlBatch,
    compression,
  };
}

// ---- record timestamps (the log validator's per-record walk) ----

export interface RecordTimestamps {
  /** Largest record timestamp; -1 when no record has one. */
  maxTimestamp: number;
  /** Offset delta of the first record holding maxTimestamp. */
  offsetDeltaOfMax: number;
  /** Index of the first record whose timestamp lies outside the bounds; -1 when none does. */
  outOfRange: number;
  outOfRangeTimestamp: number;
  outOfRangeOffsetDelta: number;
}

/**
 * Walks the `count` records of a batch body (decompressed), reading only each record's length,
 * timestamp delta and offset delta (no copies, no objects per record), and checks every timestamp
 * other than -1 (no timestamp) against [lo, hi]. Returns null when a record is malformed.
 */
export function scanRecordTimestamps(
  body: Buffer,
  count: number,
  baseTimestamp: number,
  lo: number,
  hi: number,
): RecordTimestamps | null {
  const n = body.length;
  let p = 0;
  let max = -1;
  let deltaOfMax = -1;
  let outOfRange = -1;
  let outTs = -1;
  let outDelta = -1;
  for (let i = 0; i < count; i++) {
    // Each varint: up to 4 bytes (28 bits) in integer arithmetic, longer ones by varlongAt.
    let b = p < n ? body[p]! : 0x80;
    let raw: number;
    if (b < 0x80) {
      raw = b;
      p += 1;
    } else if (p + 1 < n && body[p + 1]! < 0x80) {
      raw = (b & 0x7f) | (body[p + 1]! << 7);
      p += 2;
    } else {
      if (!varlongAt(body, p, n)) return null;
      raw = -1;
      p = scanPos;
    }
    const length = raw >= 0 ? (raw >>> 1) ^ -(raw & 1) : scanValue;
    const end = p + length;
    if (length < 1 || end > n) return null;
    p++; // attributes
    b = body[p]!;
    let tsDelta: number;
    if (b < 0x80) {
      tsDelta = (b >>> 1) ^ -(b & 1);
      p += 1;
    } else {
      if (!varlongAt(body, p, end)) return null;
      tsDelta = scanValue;
      p = scanPos;
    }
    b = p < end ? body[p]! : 0x80;
    let offsetDelta: number;
    if (b < 0x80) {
      offsetDelta = (b >>> 1) ^ -(b & 1);
    } else if (p + 1 < end && body[p + 1]! < 0x80) {
      raw = (b & 0x7f) | (body[p + 1]! << 7);
      offsetDelta = (raw >>> 1) ^ -(raw & 1);
    } else {
      if (!varlongAt(body, p, end)) return null;
      offsetDelta = scanValue;
    }
    const ts = baseTimestamp + tsDelta;
    if (ts > max) {
      max = ts;
      deltaOfMax = offsetDelta;
    }
    if (outOfRange < 0 && ts !== -1 && (ts < lo || ts > hi)) {
      outOfRange = i;
      outTs = ts;
      outDelta = offsetDelta;
    }
    p = end;
  }
  return {
    maxTimestamp: max,
    offsetDeltaOfMax: deltaOfMax,
    outOfRange,
    outOfRangeTimestamp: outTs,
    outOfRangeOffsetDelta: outDelta,
  };
}

// The slow path of scanRecordTimestamps' varints: its result in module state, no allocation.
let scanValue = 0;
let scanPos = 0;
function varlongAt(buf: Buffer, pos: number, end: number): boolean {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return false;
    const b = buf[pos++]!;
    raw += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      scanValue = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      scanPos = pos;
      return true;
    }
    mul *= 128;
  }
  return false;
}
