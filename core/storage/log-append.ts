// The batch walks of an append, between the Log's checks and rolling and the
// LocalLog's tail cache and write: on the leader, offset assignment (as Kafka's
// LogValidator assigns offsets: base offset, partition leader epoch and, with
// LogAppendTime, the broker's time rewritten into each header in place); on a
// follower, the check of the leader's batches, which are taken as they are
// (Kafka's analyzeAndValidateRecords). Either way each batch is indexed in the
// active segment (LogSegment.append) and its leader epoch recorded. Also what
// the two appends return.
import {
  BATCH,
  batchLeaderEpoch,
  batchSize,
  readInt64,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatchAt,
} from '../protocol/record-batch.ts';
import type { LeaderEpochCache } from './leader-epoch-cache.ts';
import type { Segment } from './segment.ts';

/** What Log.append did. */
export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  written: Promise<void>;
}

/** What appendAsFollower wrote. */
export interface FollowerAppendResult {
  /** -1 when nothing was appended (no complete batch). */
  firstOffset: number;
  lastOffset: number;
  written: Promise<void>;
}

/**
 * Leader: gives the batches consecutive offsets from `baseOffset`, stamps
 * `leaderEpoch` into them when it is >= 0 (else each keeps its own) and `now`
 * when `logAppend`, records the epochs and indexes the batches in `seg` from
 * its current size on. Returns the last offset given.
 */
export function assignOffsets(
  batches: Buffer,
  seg: Segment,
  baseOffset: number,
  leaderEpoch: number,
  logAppend: boolean,
  now: number,
  indexIntervalBytes: number,
  epochs: LeaderEpochCache,
): number {
  const segStart = seg.size;
  let offset = baseOffset;
  let pos = 0;
  while (pos < batches.length) {
    const size = batchSize(batches, pos);
    setBaseOffset(batches, pos, offset);
    if (leaderEpoch >= 0) setPartitionLeaderEpoch(batches, pos, leaderEpoch);
    epochs.assign(leaderEpoch >= 0 ? leaderEpoch : batchLeaderEpoch(batches, pos), offset);
    if (logAppend) setLogAppendTime(batches, pos, now);
    const last = offset + batches.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
    seg.indexBatch(segStart + pos, size, last, readInt64(batches, pos + BATCH.MAX_TIMESTAMP), indexIntervalBytes);
    offset = last + 1;
    pos += size;
  }
  return offset - 1;
}

/** The complete batches at the start of a follower's fetched data. */
export interface LeaderBatches {
  /** Where the last complete batch ends (0: there is none). */
  end: number;
  firstOffset: number;
  lastOffset: number;
  /** Largest batch maxTimestamp, -1 when none has one. */
  maxTimestamp: number;
  recordCount: number;
}

/**
 * Follower: checks the complete batches at the start of `batches` (structure,
 * CRC-32C, offsets growing from `logEndOffset`; gaps are allowed) and sums
 * them up. Throws, naming `topic`-`partition`, on the first invalid one.
 */
export function analyzeLeaderBatches(
  batches: Buffer,
  logEndOffset: number,
  topic: string,
  partition: number,
): LeaderBatches {
  let end = 0;
  let expected = logEndOffset;
  let maxTimestamp = -1;
  let count = 0;
  let firstOffset = -1;
  while (end + BATCH.LOG_OVERHEAD <= batches.length) {
    const size = batchSize(batches, end);
    if (end + size > batches.length) break;
    const r = validateBatchAt(batches, end, batches.length);
    if (typeof r !== 'number')
      throw new Error(`invalid batch from the leader for ${topic}-${partition} at offset ${expected}: ${r.message}`);
    const base = readInt64(batches, end);
    const delta = batches.readInt32BE(end + BATCH.LAST_OFFSET_DELTA);
    if (base < expected || delta < 0) {
      throw new Error(
        `out of order offsets from the leader for ${topic}-${partition}: batch at ${base}, log end ${expected}`,
      );
    }
    if (firstOffset < 0) firstOffset = base;
    const ts = readInt64(batches, end + BATCH.MAX_TIMESTAMP);
    if (ts > maxTimestamp) maxTimestamp = ts;
    count += batches.readInt32BE(end + BATCH.RECORD_COUNT);
    expected = base + delta + 1;
    end += size;
  }
  return { end, firstOffset, lastOffset: expected - 1, maxTimestamp, recordCount: count };
}

/** Follower: records the checked batches' leader epochs and indexes them in `seg` from its current size on. */
export function indexLeaderBatches(
  data: Buffer,
  seg: Segment,
  indexIntervalBytes: number,
  epochs: LeaderEpochCache,
): void {
  const segStart = seg.size;
  let pos = 0;
  while (pos < data.length) {
    const size = batchSize(data, pos);
    const base = readInt64(data, pos);
    const last = base + data.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
    epochs.assign(batchLeaderEpoch(data, pos), base);
    seg.indexBatch(segStart + pos, size, last, readInt64(data, pos + BATCH.MAX_TIMESTAMP), indexIntervalBytes);
    pos += size;
  }
}
