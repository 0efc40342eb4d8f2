// Produce to a compacted topic (cleanup.policy includes "compact"): Kafka's
// LogValidator rejects records without a key there (INVALID_RECORD, with one
// record error per keyless record). This needs the records themselves, so it
// reads (and decompresses) the produced batches — only for compacted topics,
// as Kafka does; other topics never pay for it.
import { isCompacted } from '../storage/cleaner/log-cleaner.ts';
import { batchPositions, BATCH } from '../protocol/record-batch.ts';
import { batchBody, parseRecords } from '../storage/cleaner/records.ts';

export interface KeylessRecordError {
  message: string;
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
}

/** Null when the topic is not compacted or every record has a key. */
export function compactedTopicKeyError(
  cleanupPolicy: string,
  records: Buffer,
  topic: string,
  partition: number,
): KeylessRecordError | null {
  if (!isCompacted(cleanupPolicy)) return null;
  const errors: KeylessRecordError['recordErrors'] = [];
  const text = `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}`;
  let index = 0;
  for (const pos of batchPositions(records)) {
    let recs;
    try {
      recs = parseRecords(batchBody(records, pos), records.readInt32BE(pos + BATCH.RECORD_COUNT));
    } catch (e) {
      return { message: `Invalid records: ${(e as Error).message}`, recordErrors: [] };
    }
    for (const r of recs) {
      if (r.keyLength < 0) errors.push({ batchIndex: index, batchIndexErrorMessage: text });
      index++;
    }
  }
  if (errors.length === 0) return null;
  const shown = errors
    .slice(0, 3)
    .map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.batchIndexErrorMessage}')`);
  return {
    message: `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
    recordErrors: errors,
  };
}
