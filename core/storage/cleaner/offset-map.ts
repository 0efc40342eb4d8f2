// The log cleaner's offset map (Kafka's OffsetMap, filled by Cleaner.buildOffsetMap):
// for every key in the dirty section of a log, the offset of its latest record.
// Kafka keeps 16-byte key hashes in a fixed buffer (log.cleaner.dedupe.buffer.size);
// here the keys themselves (their bytes as a latin1 string) in a Map bounded by a
// key count. Control batches and keyless records are not mapped.
import { Attr, BATCH, readInt64 } from '../../protocol/record-batch.ts';
import { segmentBatches, type Segment } from '../segment.ts';
import { batchBody, parseRecords, type RawRecord } from './records.ts';

/** Distinct keys per offset map (Kafka bounds it by log.cleaner.dedupe.buffer.size, 128 MiB). */
export const DEFAULT_MAX_MAP_KEYS = 2_000_000;

const READ_CHUNK = 1024 * 1024;

/** Key → offset of its latest record. */
export type OffsetMap = Map<string, number>;

/** A record's key as an offset-map key (its bytes, one char each). */
export function mapKey(body: Buffer, r: RawRecord): string {
  return body.toString('latin1', r.keyStart, r.keyStart + r.keyLength);
}

/**
 * Maps the records at or after `firstDirty` of segments segs[from..to), whole
 * segments at a time: a segment is started only while the map holds fewer
 * than `maxKeys` keys (the first always). Returns the index after the last
 * segment mapped: the map covers offsets up to that segment's base offset.
 */
export async function buildOffsetMap(
  map: OffsetMap,
  segs: readonly Segment[],
  from: number,
  to: number,
  firstDirty: number,
  maxKeys: number,
): Promise<number> {
  let endIdx = from;
  for (let i = from; i < to; i++) {
    if (i > from && map.size >= maxKeys) break;
    for await (const { buf, pos } of segmentBatches(segs[i]!, 0, READ_CHUNK)) {
      const attrs = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
      if (attrs & Attr.CONTROL) continue;
      const base = readInt64(buf, pos);
      const body = batchBody(buf, pos);
      for (const r of parseRecords(body, buf.readInt32BE(pos + BATCH.RECORD_COUNT))) {
        const offset = base + r.offsetDelta;
        if (offset < firstDirty || r.keyLength < 0) continue;
        map.set(mapKey(body, r), offset);
      }
    }
    endIdx = i + 1;
  }
  return endIdx;
}
