// Building a v2 record batch from records (Kafka's MemoryRecordsBuilder), optionally
// compressed: for tests, tools and benchmarks; the broker never builds batches
// on its produce/fetch path.
import { compress } from './compression.ts';
import { Attr, BATCH, updateCrc, writeInt64 } from './batch-header.ts';
import { varlongSize, writeVarlong } from './varint.ts';

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
