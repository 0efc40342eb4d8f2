// Loading a partition directory (Kafka's LogLoader): open the segments, load or
// rebuild their indexes, and, after an unclean shutdown, recover everything from
// the recovery point: validate each batch (structure + CRC-32C), truncate at the
// first torn or corrupt batch and drop every later segment.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { BATCH, batchSize, readInt64, validateBatchAt } from '../protocol/record-batch.ts';
import { completeSwaps } from './cleaner/swap-recovery.ts';
import type { LogConfig } from './log-config.ts';
import { Segment, SCAN_WINDOW } from './segment.ts';

export interface LoadStats {
  segmentsRecovered: number;
  batchesValidated: number;
  indexesRebuilt: number;
  bytesTruncated: number;
  segmentsDeleted: number;
  /** What recovery did, one line per action, for the broker's log (Kafka's LogLoader messages). */
  events: string[];
}

export interface LoadOptions {
  config: LogConfig;
  recoveryPoint: number;
  cleanShutdown: boolean;
  logStartOffset: number;
  now: number;
}

export interface LoadedLog {
  segments: Segment[];
  stats: LoadStats;
}

const RECOVERY_CHUNK = 8 * 1024 * 1024;
const SEGMENT_FILE = /^(\d{20})\.log$/;
// Kafka's leftovers of interrupted deletes/cleaning; .deleted files are garbage after a restart.
// (.swap files are finished first by completeSwaps.)
const LEFTOVER = /\.(deleted|cleaned|tmp)$/;

function readIfExists(path: string): Buffer | undefined {
  try {
    return fs.readFileSync(path);
  } catch {
    return undefined;
  }
}

export function unlinkSegmentFiles(dir: string, base: Segment): void {
  for (const p of [base.logPath, base.indexPath, base.timeIndexPath]) fs.rmSync(p, { force: true });
}

export async function loadLog(dir: string, opts: LoadOptions): Promise<LoadedLog> {
  const { config, now } = opts;
  const stats: LoadStats = {
    segmentsRecovered: 0,
    batchesValidated: 0,
    indexesRebuilt: 0,
    bytesTruncated: 0,
    segmentsDeleted: 0,
    events: [],
  };
  const bases: number[] = [];
  completeSwaps(dir); // a crash in the log cleaner's swap: finish it
  for (const name of fs.readdirSync(dir)) {
    if (LEFTOVER.test(name) && name !== 'leader-epoch-checkpoint') {
      fs.rmSync(join(dir, name), { force: true });
      continue;
    }
    const m = SEGMENT_FILE.exec(name);
    if (m) bases.push(Number(m[1]));
  }
  bases.sort((a, b) => a - b);
  if (bases.length === 0) {
    return { segments: [Segment.create(dir, Math.max(0, opts.logStartOffset), config.segmentIndexBytes, now)], stats };
  }

  const segments: Segment[] = [];
  const needsRebuild: boolean[] = [];
  for (const base of bases) {
    const path = join(dir, `${String(base).padStart(20, '0')}.log`);
    const st = fs.statSync(path);
    const offsetData = readIfExists(join(dir, `${String(base).padStart(20, '0')}.index`));
    const timeData = readIfExists(join(dir, `${String(base).padStart(20, '0')}.timeindex`));
    const seg = new Segment(dir, base, undefined, st.size, config.segmentIndexBytes, now, offsetData, timeData);
    seg.createdMs = st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs;
    seg.lastModifiedMs = st.mtimeMs;
    const bad =
      offsetData === undefined ||
      timeData === undefined ||
      offsetData.length % 8 !== 0 ||
      timeData.length % 12 !== 0 ||
      !seg.offsetIndex.isSane(st.size) ||
      !seg.timeIndex.isSane();
    needsRebuild.push(bad && st.size > 0);
    segments.push(seg);
  }

  // After an unclean shutdown, recover from the segment holding the recovery point.
  let firstUnflushed = segments.length;
  if (!opts.cleanShutdown) {
    firstUnflushed = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= opts.recoveryPoint) firstUnflushed = i;
  }

  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const isActive = i === segments.length - 1;
    if (i >= firstUnflushed || needsRebuild[i]) {
      if (needsRebuild[i]) stats.indexesRebuilt++;
      if (i >= firstUnflushed) stats.segmentsRecovered++;
      // An empty segment followed by others means the crash came before its writes
      // (segments roll before their bytes reach the file): nothing after it is valid.
      const truncated = (await recoverSegment(seg, config, stats)) || (seg.size === 0 && !isActive);
      if (!isActive) {
        seg.addFinalTimeIndexEntry();
        seg.writeIndexes(true);
      }
      if (truncated) {
        // Everything after a corrupt batch is unreachable: drop the later segments.
        for (const later of segments.splice(i + 1)) {
          await later.close();
          unlinkSegmentFiles(dir, later);
          stats.segmentsDeleted++;
          stats.events.push(
            `deleted segment ${later.baseOffset} (${later.size} bytes): it follows the truncation in segment ${seg.baseOffset}`,
          );
        }
        break;
      }
    } else {
      seg.restoreIndexingState();
      if (isActive) await scanActiveTail(seg, stats);
      else seg.nextOffset = segments[i + 1]!.baseOffset;
    }
  }
  return { segments, stats };
}

/**
 * Validates every batch of the segment, rebuilding its indexes on the way
 * (Kafka's LogSegment.recover). Returns true when the file was truncated.
 */
export async function recoverSegment(seg: Segment, config: LogConfig, stats: LoadStats): Promise<boolean> {
  seg.resetIndexes(config.segmentIndexBytes);
  seg.firstBatchTimestamp = -1;
  seg.nextOffset = seg.baseOffset;
  const fileSize = seg.size;
  let validBytes = 0;
  let corrupt = false;
  outer: while (validBytes < fileSize) {
    const window = await seg.read(validBytes, Math.min(RECOVERY_CHUNK, fileSize - validBytes));
    let p = 0;
    while (p < window.length) {
      if (window.length - p >= BATCH.LOG_OVERHEAD) {
        const size = batchSize(window, p);
        // A batch crossing the chunk end but inside the file: re-read from its start.
        if (size >= BATCH.HEADER_SIZE && p + size > window.length && validBytes + size <= fileSize) {
          if (p === 0) {
            const whole = await seg.read(validBytes, size);
            if (!acceptBatch(seg, whole, 0, config, stats, validBytes)) {
              corrupt = true;
              break outer;
            }
            validBytes += size;
          }
          continue outer;
        }
      }
      if (!acceptBatch(seg, window, p, config, stats, validBytes)) {
        corrupt = true;
        break outer;
      }
      const size = batchSize(window, p);
      p += size;
      validBytes += size;
    }
  }
  if (validBytes < fileSize) {
    void corrupt;
    await seg.use((fd) => fs.ftruncateSync(fd, validBytes));
    stats.bytesTruncated += fileSize - validBytes;
    stats.events.push(
      `recovering segment ${seg.baseOffset}: ${corrupt ? 'invalid or torn batch' : 'incomplete batch'} at byte ${validBytes}, truncated ${fileSize - validBytes} bytes; the segment now ends at offset ${seg.nextOffset}`,
    );
    seg.size = validBytes;
    seg.writtenSize = validBytes;
    return true;
  }
  return false;
}

function acceptBatch(
  seg: Segment,
  buf: Buffer,
  p: number,
  config: LogConfig,
  stats: LoadStats,
  filePos: number,
): boolean {
  const r = validateBatchAt(buf, p, buf.length);
  if (typeof r !== 'number') return false;
  const base = readInt64(buf, p);
  const lastDelta = buf.readInt32BE(p + BATCH.LAST_OFFSET_DELTA);
  // Offsets must grow through the segment and fit its relative-offset range.
  if (base < seg.nextOffset || lastDelta < 0 || base + lastDelta - seg.baseOffset > 0x7fffffff) return false;
  stats.batchesValidated++;
  seg.indexBatch(filePos, r, base + lastDelta, readInt64(buf, p + BATCH.MAX_TIMESTAMP), config.indexIntervalBytes);
  return true;
}

/**
 * After a clean shutdown only the active segment's tail is read: the batches
 * from its last index entry to the end give the next offset (Kafka's
 * readNextOffset). They are validated too (structure and CRC), since the
 * clean-shutdown marker says nothing of damage done to the file since: a torn
 * or corrupt batch is cut off with everything after it, as recovery would.
 * The tail is at most index.interval.bytes plus one batch, so this is cheap.
 */
async function scanActiveTail(seg: Segment, stats: LoadStats): Promise<void> {
  if (seg.size === 0) return;
  const head = await seg.read(0, Math.min(BATCH.HEADER_SIZE, seg.size));
  if (head.length >= BATCH.HEADER_SIZE) seg.firstBatchTimestamp = readInt64(head, BATCH.MAX_TIMESTAMP);
  let position = seg.offsetIndex.entries > 0 ? seg.offsetIndex.lastEntry().position : 0;
  let torn = -1;
  let prevLast = -1;
  scan: while (position < seg.size) {
    const window = await seg.read(position, Math.min(SCAN_WINDOW, seg.size - position));
    let p = 0;
    while (p < window.length) {
      const at = position + p;
      if (seg.size - at < BATCH.HEADER_SIZE) {
        torn = at;
        break scan;
      }
      if (window.length - p < BATCH.HEADER_SIZE) break; // the header crosses the window: read on from it
      const size = batchSize(window, p);
      if (size < BATCH.HEADER_SIZE || at + size > seg.size) {
        torn = at;
        break scan;
      }
      let buf = window;
      let bp = p;
      if (p + size > window.length) {
        if (p > 0) break; // read on from this batch
        buf = await seg.read(at, size);
        bp = 0;
      }
      const base = readInt64(buf, bp);
      if (typeof validateBatchAt(buf, bp, bp + size) !== 'number' || base <= prevLast) {
        torn = at;
        break scan;
      }
      const last = base + buf.readInt32BE(bp + BATCH.LAST_OFFSET_DELTA);
      const maxTs = readInt64(buf, bp + BATCH.MAX_TIMESTAMP);
      if (maxTs > seg.maxTimestamp) {
        seg.maxTimestamp = maxTs;
        seg.offsetOfMaxTimestamp = last;
      }
      seg.nextOffset = last + 1;
      prevLast = last;
      p += size;
      if (bp === 0 && buf !== window) break;
    }
    if (p === 0) break;
    position += p;
  }
  if (torn >= 0) {
    stats.bytesTruncated += seg.size - torn;
    stats.events.push(
      `found a torn or corrupt batch in active segment ${seg.baseOffset} at byte ${torn} after a clean shutdown: truncated ${seg.size - torn} bytes, the log now ends at offset ${seg.nextOffset}`,
    );
    await seg.truncateTo(torn, seg.nextOffset);
  }
}
