// Decoding the records of a v2 batch into objects (Kafka's DefaultRecord
// read path), decompressing first when needed. Not for the hot path: the broker
// stores and serves batches as bytes; this serves tests, ListOffsets by
// timestamp, the console and tools.
import { decompress } from './compression.ts';
import { Attr, BATCH, batchPositions, readInt64 } from './batch-header.ts';

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

// ---- decoding ----

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

/** Decodes every record of every whole batch in buf. */
export function decodeAllRecords(buf: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (const pos of batchPositions(buf)) out.push(...decodeRecords(buf, pos));
  return out;
}
