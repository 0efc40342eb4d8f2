// Record-level access for log compaction (and the produce-side key check of
// compacted topics): walks the records of a v2 batch body without building
// objects for what is not needed, and rebuilds a batch from a subset of its
// records. Kept records are copied as raw bytes (their key, value and headers
// are never re-encoded); only the record's length prefix and timestamp delta
// are rewritten when the batch's base timestamp changes (KIP-534 delete horizon).
import { compress, decompress } from '../../protocol/compression.ts';
import { Attr, BATCH, readInt64, updateCrc, writeInt64 } from '../../protocol/record-batch.ts';
import { readVarlong, varlongSize, writeVarlong } from '../../protocol/varint.ts';

/** KIP-534: attribute bit 6 marks a batch whose baseTimestamp holds the tombstones' delete horizon. */
export const DELETE_HORIZON_FLAG = 0x40;

/** One record of a decompressed batch body, by positions into that body. */
export interface RawRecord {
  /** start of the record's length varint */
  start: number;
  end: number;
  /** position of the key length varint: key, value and headers follow, copied as they are */
  keyPos: number;
  timestampDelta: number;
  offsetDelta: number;
  keyStart: number;
  /** -1 for a null key */
  keyLength: number;
  /** null value: a tombstone */
  valueNull: boolean;
}

/** The decompressed records section of the batch at pos. */
export function batchBody(buf: Buffer, pos: number): Buffer {
  const end = pos + buf.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
  const codec = buf.readInt16BE(pos + BATCH.ATTRIBUTES) & Attr.COMPRESSION_MASK;
  return decompress(codec, buf.subarray(pos + BATCH.RECORDS, end));
}

/** Walks `count` records of a batch body; throws on a malformed record. */
export function parseRecords(body: Buffer, count: number): RawRecord[] {
  const out: RawRecord[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const start = pos;
    let length: number;
    [length, pos] = readVarlong(body, pos);
    const end = pos + length;
    if (length < 0 || end > body.length) throw new Error('truncated record');
    pos++; // attributes
    let timestampDelta: number, offsetDelta: number, keyLength: number;
    [timestampDelta, pos] = readVarlong(body, pos);
    [offsetDelta, pos] = readVarlong(body, pos);
    const keyPos = pos;
    [keyLength, pos] = readVarlong(body, pos);
    const keyStart = pos;
    if (keyLength > 0) pos += keyLength;
    const [valueLength] = readVarlong(body, pos);
    out.push({ start, end, keyPos, timestampDelta, offsetDelta, keyStart, keyLength, valueNull: valueLength < 0 });
    pos = end;
  }
  return out;
}

/**
 * Index (within its batch) of the first record without a key, or -1. Used for
 * produce to compacted topics only: Kafka rejects keyless records there, which
 * requires reading (and decompressing) the records.
 */
export function firstKeylessRecord(buf: Buffer, pos: number): number {
  const count = buf.readInt32BE(pos + BATCH.RECORD_COUNT);
  const records = parseRecords(batchBody(buf, pos), count);
  for (let i = 0; i < records.length; i++) if (records[i]!.keyLength < 0) return i;
  return -1;
}

export interface RebuildOptions {
  /** set the KIP-534 delete horizon (baseTimestamp := horizon, deltas recomputed) */
  deleteHorizonMs?: number;
}

/**
 * A copy of the batch at pos keeping only `kept` (records of its body, in order).
 * Keeps the base offset, lastOffsetDelta (so the producer's sequence range stays
 * valid, as Kafka does), producer id/epoch/base sequence, leader epoch,
 * timestamp type and the compression codec; recomputes record count, max
 * timestamp (CreateTime) and the CRC.
 */
export function rebuildBatch(
  buf: Buffer,
  pos: number,
  body: Buffer,
  kept: RawRecord[],
  opts: RebuildOptions = {},
): Buffer {
  const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
  const codec = attributes & Attr.COMPRESSION_MASK;
  const logAppend = (attributes & Attr.TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  const oldBase = readInt64(buf, pos + BATCH.BASE_TIMESTAMP);
  const newBase = opts.deleteHorizonMs ?? oldBase;
  // A re-encoded record grows by at most the varint growth of its timestamp delta and length.
  let size = 0;
  for (const r of kept) size += r.end - r.start + (newBase === oldBase ? 0 : 20);
  const raw = Buffer.allocUnsafe(size);
  let p = 0;
  let maxTs = -1;
  for (const r of kept) {
    const ts = oldBase + r.timestampDelta;
    if (ts > maxTs) maxTs = ts;
    if (newBase === oldBase) {
      p += body.copy(raw, p, r.start, r.end);
      continue;
    }
    // Re-encode the prefix: length, attributes, timestampDelta, offsetDelta; the rest is copied.
    const [, afterLen] = readVarlong(body, r.start);
    const attrs = body[afterLen]!;
    const tsDelta = ts - newBase;
    const tail = r.end - r.keyPos;
    const inner = 1 + varlongSize(tsDelta) + varlongSize(r.offsetDelta) + tail;
    p = writeVarlong(raw, p, inner);
    raw[p++] = attrs;
    p = writeVarlong(raw, p, tsDelta);
    p = writeVarlong(raw, p, r.offsetDelta);
    p += body.copy(raw, p, r.keyPos, r.end);
  }
  const records = compress(codec, raw.subarray(0, p));
  const out = Buffer.allocUnsafe(BATCH.HEADER_SIZE + records.length);
  buf.copy(out, 0, pos, pos + BATCH.HEADER_SIZE);
  out.writeInt32BE(out.length - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  let attrs = attributes;
  if (opts.deleteHorizonMs !== undefined) {
    attrs |= DELETE_HORIZON_FLAG;
    writeInt64(out, BATCH.BASE_TIMESTAMP, newBase);
  }
  out.writeInt16BE(attrs, BATCH.ATTRIBUTES);
  if (!logAppend && maxTs >= 0) writeInt64(out, BATCH.MAX_TIMESTAMP, maxTs);
  out.writeInt32BE(kept.length, BATCH.RECORD_COUNT);
  records.copy(out, BATCH.HEADER_SIZE);
  updateCrc(out, 0);
  return out;
}

/**
 * The header of the batch at pos with no records (Kafka's empty batch): same
 * base offset, lastOffsetDelta, timestamps, producer id/epoch and base
 * sequence, record count 0, uncompressed, CRC recomputed. The cleaner keeps one
 * in place of an idempotent producer's last batch when compaction removed all
 * its records, so the producer's sequence state is still rebuilt from the log.
 */
export function emptyBatch(buf: Buffer, pos: number): Buffer {
  const out = Buffer.allocUnsafe(BATCH.HEADER_SIZE);
  buf.copy(out, 0, pos, pos + BATCH.HEADER_SIZE);
  out.writeInt32BE(BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  out.writeInt16BE(buf.readInt16BE(pos + BATCH.ATTRIBUTES) & ~Attr.COMPRESSION_MASK, BATCH.ATTRIBUTES);
  out.writeInt32BE(0, BATCH.RECORD_COUNT);
  updateCrc(out, 0);
  return out;
}
