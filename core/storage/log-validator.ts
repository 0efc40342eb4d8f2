// What Kafka's LogValidator does to a produced batch before the leader appends it, beyond the
// header checks of validateRecordBatches (core/protocol/record-batch.ts):
//
// With message.timestamp.type=CreateTime every record's timestamp must lie within
// [now - message.timestamp.before.max.ms, now + message.timestamp.after.max.ms] (a record without
// a timestamp, -1, is let through), else the batch is refused with INVALID_TIMESTAMP and one
// record error naming the first such record. The batch header's maxTimestamp is then derived
// from the records and rewritten when it differs (old clients, sarama 1.22 for one, write -1
// there), so the time index, ListOffsets by time and retention see the records' real times.
//
// The cost is kept to what the format allows: an uncompressed batch's records are walked in
// place (length, timestamp delta and offset delta of each; nothing copied); a compressed batch
// is decompressed only when its header cannot be trusted (maxTimestamp below baseTimestamp or
// -1, or above the upper bound), or when a lower bound is set (the header holds no minimum).
// With LogAppendTime nothing is checked: the append stamps the broker's time.
import { decompress } from '../protocol/compression.ts';
import { ErrorCode } from '../protocol/errors.ts';
import {
  Attr,
  BATCH,
  batchPositions,
  readInt64,
  scanRecordTimestamps,
  updateCrc,
  writeInt64,
  type BatchesInfo,
} from '../protocol/record-batch.ts';
import type { LogConfig } from './log-config.ts';

/** A produce-time refusal with Kafka's per-record errors (ProduceResponse.recordErrors). */
export interface RecordValidationError {
  errorCode: number;
  message: string;
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
}

const LONG_MAX = 9223372036854775807n;

/** `now ± ms` as Kafka prints it: Java long arithmetic, which wraps. */
function javaLong(now: number, ms: number, sign: 1 | -1): string {
  const d = ms >= Number.MAX_SAFE_INTEGER ? LONG_MAX : BigInt(Math.trunc(ms));
  return BigInt.asIntN(64, BigInt(now) + (sign > 0 ? d : -d)).toString();
}

/**
 * Checks record timestamps and fixes the header's maxTimestamp of each batch (in place; the
 * CRC is recomputed only for a batch that changed), and `info.maxTimestamp` /
 * `info.offsetOfMaxTimestampDelta` with it. Returns the error to answer, or null.
 */
export function validateRecordTimestamps(
  batches: Buffer,
  info: BatchesInfo,
  config: LogConfig,
  now: number,
): RecordValidationError | null {
  if (config.messageTimestampType === 'LogAppendTime') return null;
  const beforeMs = config.messageTimestampBeforeMaxMs ?? Number.MAX_SAFE_INTEGER;
  const afterMs = config.messageTimestampAfterMaxMs ?? Number.MAX_SAFE_INTEGER;
  const lo = beforeMs >= Number.MAX_SAFE_INTEGER ? -Infinity : now - beforeMs;
  const hi = afterMs >= Number.MAX_SAFE_INTEGER ? Infinity : now + afterMs;
  let maxTimestamp = -1;
  let offsetOfMax = -1;
  let offsets = 0;
  let recordIndex = 0;
  for (const pos of batchPositions(batches)) {
    const attributes = batches.readInt16BE(pos + BATCH.ATTRIBUTES);
    const count = batches.readInt32BE(pos + BATCH.RECORD_COUNT);
    const lastOffsetDelta = batches.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
    const baseTimestamp = readInt64(batches, pos + BATCH.BASE_TIMESTAMP);
    const headerMax = readInt64(batches, pos + BATCH.MAX_TIMESTAMP);
    const codec = attributes & Attr.COMPRESSION_MASK;
    let batchMax = headerMax;
    const trusted =
      codec !== 0 && lo === -Infinity && headerMax >= baseTimestamp && headerMax !== -1 && headerMax <= hi;
    if (!trusted && (attributes & Attr.CONTROL) === 0) {
      const end = pos + batches.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
      const raw = batches.subarray(pos + BATCH.RECORDS, end);
      let body: Buffer;
      try {
        body = codec === 0 ? raw : decompress(codec, raw);
      } catch (e) {
        return {
          errorCode: ErrorCode.CORRUPT_MESSAGE,
          message: `Invalid compressed records: ${(e as Error).message}`,
          recordErrors: [],
        };
      }
      const scan = scanRecordTimestamps(body, count, baseTimestamp, lo, hi);
      if (!scan) {
        return {
          errorCode: ErrorCode.CORRUPT_MESSAGE,
          message: 'Found a record whose fields do not fit its batch',
          recordErrors: [],
        };
      }
      if (scan.outOfRange >= 0) {
        const offset = readInt64(batches, pos) + scan.outOfRangeOffsetDelta;
        return {
          errorCode: ErrorCode.INVALID_TIMESTAMP,
          message: 'One or more records have been rejected due to invalid timestamp',
          recordErrors: [
            {
              batchIndex: recordIndex + scan.outOfRange,
              batchIndexErrorMessage:
                `Timestamp ${scan.outOfRangeTimestamp} of message with offset ${offset} is out of range. ` +
                `The timestamp should be within [${javaLong(now, beforeMs, -1)}, ${javaLong(now, afterMs, 1)}]`,
            },
          ],
        };
      }
      batchMax = scan.maxTimestamp;
      if (batchMax !== headerMax) {
        writeInt64(batches, pos + BATCH.MAX_TIMESTAMP, batchMax);
        updateCrc(batches, pos);
      }
    }
    if (batchMax > maxTimestamp) {
      maxTimestamp = batchMax;
      offsetOfMax = offsets + lastOffsetDelta;
    }
    offsets += lastOffsetDelta + 1;
    recordIndex += count;
  }
  info.maxTimestamp = maxTimestamp;
  info.offsetOfMaxTimestampDelta = offsetOfMax;
  return null;
}
