// Record batch v2 (Kafka "Message format" documentation): header access,
// validation of whole produce payloads by their headers only, in-place header
// rewrites for offset assignment, a record decoder (non-hot paths) and a builder.
//
// Layout: baseOffset int64 @0, batchLength int32 @8 (bytes after this field),
// partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC-32C of
// bytes @21..end), attributes int16 @21, lastOffsetDelta int32 @23,
// baseTimestamp int64 @27, maxTimestamp int64 @35, producerId int64 @43,
// producerEpoch int16 @51, baseSequence int32 @53, recordCount int32 @57, records @61.
import { ErrorCode } from './errors.ts';
import { crc32cRange } from './crc32c.ts';
import { compress, decompress } from './compression.ts';
import { varlongSize, writeVarlong } from './varint.ts';

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

// ---- varints (zig-zag, as in record v2 fields) ----

class VarReader {
  buf: Buffer;
  pos: number;
  constructor(buf: Buffer, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }
  /** zig-zag varlong read as a JS number (exact up to 2^53) */
  varlong(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      mul *= 128;
    }
    throw new Error('varint too long');
  }
  bytes(): Buffer | null {
    const len = this.varlong();
    if (len < 0) return null;
    if (this.pos + len > this.buf.length) throw new Error('truncated record field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

// ---- decoding (non-hot paths) ----

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  attributes: number;
}

export interface DecodedBatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function decodeBatchHeader(buf: Buffer, pos = 0): DecodedBatchHeader {
  const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
  return {
    baseOffset: readInt64(buf, pos),
    batchLength: buf.readInt32BE(pos + BATCH.LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + BATCH.PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + BATCH.MAGIC),
    crc: buf.readUInt32BE(pos + BATCH.CRC),
    attributes,
    compression: attributes & Attr.COMPRESSION_MASK,
    timestampType: attributes & Attr.TIMESTAMP_TYPE_LOG_APPEND ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & Attr.TRANSACTIONAL) !== 0,
    isControl: (attributes & Attr.CONTROL) !== 0,
    lastOffsetDelta: buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(buf, pos + BATCH.BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + BATCH.MAX_TIMESTAMP),
    producerId: readInt64(buf, pos + BATCH.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + BATCH.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BATCH.BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + BATCH.RECORD_COUNT),
  };
}

/**
 * Decodes the records of the batch at pos (decompressing first when needed).
 * With LogAppendTime every record's timestamp is the batch's maxTimestamp.
 */
export function decodeRecords(buf: Buffer, pos = 0): DecodedRecord[] {
  const h = decodeBatchHeader(buf, pos);
  const end = pos + h.batchLength + BATCH.LOG_OVERHEAD;
  if (end > buf.length) throw new Error('truncated record batch');
  const body = decompress(h.compression, buf.subarray(pos + BATCH.RECORDS, end));
  const r = new VarReader(body, 0);
  const logAppend = h.timestampType === 'LogAppendTime';
  const out: DecodedRecord[] = [];
  for (let i = 0; i < h.recordCount; i++) {
    const length = r.varlong();
    const recEnd = r.pos + length;
    const attributes = body.readInt8(r.pos++);
    const timestampDelta = r.varlong();
    const offsetDelta = r.varlong();
    const key = r.bytes();
    const value = r.bytes();
    const headerCount = r.varlong();
    const headers: RecordHeader[] = [];
    for (let j = 0; j < headerCount; j++) {
      const hk = r.bytes();
      headers.push({ key: hk ? hk.toString('utf8') : '', value: r.bytes() });
    }
    if (r.pos !== recEnd) throw new Error(`record length ${length} does not match its fields`);
    out.push({
      offset: h.baseOffset + offsetDelta,
      timestamp: logAppend ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
      attributes,
    });
  }
  return out;
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

/** Decodes every record of every whole batch in buf. */
export function decodeAllRecords(buf: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (const pos of batchPositions(buf)) out.push(...decodeRecords(buf, pos));
  return out;
}

// ---- builder (tests, tools, benchmarks) ----

export interface RecordInput {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: { key: string; value: Buffer | string | null }[];
  /** absolute timestamp; defaults to the batch's baseTimestamp */
  timestamp?: number;
}

export interface BuildBatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: number;
  baseTimestamp?: number;
  logAppendTime?: boolean;
  isTransactional?: boolean;
  isControl?: boolean;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
}

function toBuf(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v) : v;
}

function encodeRecordsBody(records: RecordInput[], baseTimestamp: number): Buffer {
  const parts: {
    key: Buffer | null;
    value: Buffer | null;
    headers: { key: Buffer; value: Buffer | null }[];
    tsDelta: number;
    bodySize: number;
  }[] = [];
  let total = 0;
  records.forEach((rec, i) => {
    const key = toBuf(rec.key);
    const value = toBuf(rec.value);
    const headers = (rec.headers ?? []).map((h) => ({ key: Buffer.from(h.key), value: toBuf(h.value) }));
    const tsDelta = (rec.timestamp ?? baseTimestamp) - baseTimestamp;
    let bodySize = 1 + varlongSize(tsDelta) + varlongSize(i);
    bodySize += key ? varlongSize(key.length) + key.length : 1;
    bodySize += value ? varlongSize(value.length) + value.length : 1;
    bodySize += varlongSize(headers.length);
    for (const h of headers) {
      bodySize += varlongSize(h.key.length) + h.key.length;
      bodySize += h.value ? varlongSize(h.value.length) + h.value.length : 1;
    }
    parts.push({ key, value, headers, tsDelta, bodySize });
    total += varlongSize(bodySize) + bodySize;
  });
  const out = Buffer.alloc(total);
  let p = 0;
  const writeBytes = (b: Buffer | null) => {
    if (!b) {
      p = writeVarlong(out, p, -1);
      return;
    }
    p = writeVarlong(out, p, b.length);
    b.copy(out, p);
    p += b.length;
  };
  parts.forEach((r, i) => {
    p = writeVarlong(out, p, r.bodySize);
    out[p++] = 0; // record attributes: unused
    p = writeVarlong(out, p, r.tsDelta);
    p = writeVarlong(out, p, i);
    writeBytes(r.key);
    writeBytes(r.value);
    p = writeVarlong(out, p, r.headers.length);
    for (const h of r.headers) {
      writeBytes(h.key);
      writeBytes(h.value);
    }
  });
  return out;
}

/** Encodes records into one v2 record batch (optionally compressed). */
export function buildRecordBatch(records: RecordInput[], opts: BuildBatchOptions = {}): Buffer {
  if (records.length === 0) throw new Error('a record batch needs at least one record');
  const baseTimestamp = opts.baseTimestamp ?? records[0]!.timestamp ?? Date.now();
  let maxTimestamp = -1;
  for (const r of records) maxTimestamp = Math.max(maxTimestamp, r.timestamp ?? baseTimestamp);
  const codec = opts.compression ?? 0;
  const body = compress(codec, encodeRecordsBody(records, baseTimestamp));
  const buf = Buffer.alloc(BATCH.HEADER_SIZE + body.length);
  writeInt64(buf, BATCH.BASE_OFFSET, opts.baseOffset ?? 0);
  buf.writeInt32BE(buf.length - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  buf.writeInt32BE(opts.partitionLeaderEpoch ?? -1, BATCH.PARTITION_LEADER_EPOCH);
  buf.writeInt8(2, BATCH.MAGIC);
  let attributes = codec & Attr.COMPRESSION_MASK;
  if (opts.logAppendTime) attributes |= Attr.TIMESTAMP_TYPE_LOG_APPEND;
  if (opts.isTransactional) attributes |= Attr.TRANSACTIONAL;
  if (opts.isControl) attributes |= Attr.CONTROL;
  buf.writeInt16BE(attributes, BATCH.ATTRIBUTES);
  buf.writeInt32BE(records.length - 1, BATCH.LAST_OFFSET_DELTA);
  writeInt64(buf, BATCH.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(buf, BATCH.MAX_TIMESTAMP, maxTimestamp);
  writeInt64(buf, BATCH.PRODUCER_ID, opts.producerId ?? -1);
  buf.writeInt16BE(opts.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
  buf.writeInt32BE(opts.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
  buf.writeInt32BE(records.length, BATCH.RECORD_COUNT);
  body.copy(buf, BATCH.RECORDS);
  updateCrc(buf, 0);
  return buf;
}
