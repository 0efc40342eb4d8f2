// Cleaning one log (Kafka's Cleaner): the log cleaner (log-cleaner.ts) hands it
// the segments below the offset map's end, and it rewrites them in groups of
// consecutive segments whose total size fits segment.bytes (Kafka's
// groupSegmentsBySize; later passes merge what cleaning shrank), keeping a
// record only when no later record has its key (the offset map, offset-map.ts).
// Batches that keep every record are copied byte for byte; others are rebuilt
// with their base offset, lastOffsetDelta, producer fields and codec (see
// records.ts). Keyless records are dropped; control batches are copied. A batch
// that keeps no record is dropped, except the last batch of a producer the
// log's producer state still holds: its header stays as an empty batch (as
// Kafka does), so the producer's sequence is rebuilt from the log after a
// restart; a later clean drops it once superseded. Groups that keep nothing are
// carried into the next group's file, so cleaning never moves the log start
// offset.
//
// Tombstones follow KIP-534: the first clean that keeps a tombstone stamps its
// batch with a delete horizon (now + delete.retention.ms); a clean after the
// horizon drops it.
//
// Crash safety, as Kafka: a group is written to `<base>.log.cleaned` and
// fsynced; segments at the end of the group that kept nothing are deleted
// first (everything in them is superseded by later records); then the file is
// renamed to `.log.swap`, the old segments' files to `.deleted`, and the swap
// file to `<base>.log`, with a directory fsync between steps. On open, the
// loader (swap-recovery.ts) deletes `.cleaned` files and finishes any `.swap`.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Attr, BATCH, batchSize, readInt64 } from '../../protocol/record-batch.ts';
import { writevAt } from '../file-io.ts';
import type { Log } from '../log.ts';
import { Segment, segmentBatches, segmentFileName } from '../segment.ts';
import { mapKey, type OffsetMap } from './offset-map.ts';
import { batchBody, DELETE_HORIZON_FLAG, emptyBatch, parseRecords, rebuildBatch, type RawRecord } from './records.ts';

const INT32_MAX = 0x7fffffff;
const READ_CHUNK = 1024 * 1024;
const WRITE_CHUNK = 1024 * 1024;

/** Test hook: stop (as a crash would) right after this step of a swap. */
export type CrashPoint = 'cleaned' | 'swap' | 'deleted';

export class SimulatedCrash extends Error {}

/** What a clean read and wrote (added to as it goes). */
export interface CleanStats {
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsKept: number;
}

export interface CleanerOptions {
  /** false once the log was deleted or closed */
  isLive: (log: Log) => boolean;
  /** true once the log cleaner is stopping: the clean stops between groups */
  stopped: () => boolean;
  crashAt?: CrashPoint;
}

export class Cleaner {
  private readonly opts: CleanerOptions;

  constructor(opts: CleanerOptions) {
    this.opts = opts;
  }

  /**
   * Cleans segs[0..endIdx) of `log` (segs: the log's segments when the pass
   * began; segs[endIdx] exists) against `map`, group by group. Returns the
   * earliest delete horizon of a tombstone kept (Infinity when none) and
   * whether the log changed; undefined when it stopped (the log cleaner is
   * stopping, or the log is gone) before the end.
   */
  async clean(
    log: Log,
    segs: readonly Segment[],
    endIdx: number,
    map: OffsetMap,
    now: number,
    stats: CleanStats,
  ): Promise<{ minHorizon: number; changed: boolean } | undefined> {
    const cfg = log.config;
    let minHorizon = Number.POSITIVE_INFINITY;
    const deleteRetentionMs = cfg.deleteRetentionMs ?? 86400000;
    // Groups that keep nothing are carried into the next group's file (named by
    // their base offset), so cleaning never moves the log start offset.
    let carry: Segment[] = [];
    let changed = false;
    const groups = groupBySize(segs.slice(0, endIdx), segs[endIdx]!, cfg.segmentBytes, cfg.segmentIndexBytes);
    for (let g = 0; g < groups.length; g++) {
      if (this.opts.stopped() || !this.opts.isLive(log)) return undefined;
      const group = groups[g]!;
      const groupEnd = (g + 1 < groups.length ? groups[g + 1]![0]! : segs[endIdx]!).baseOffset;
      if (carry.length > 0 && groupEnd - 1 - carry[0]!.baseOffset > INT32_MAX) {
        this.dropSegments(log, carry);
        carry = [];
      }
      const r = await this.cleanGroup(log, carry, group, map, now, deleteRetentionMs, stats);
      if (r === undefined) {
        carry = [...carry, ...group];
        changed = true;
        continue;
      }
      carry = [];
      minHorizon = Math.min(minHorizon, r.horizon);
      changed ||= r.changed;
    }
    // Trailing segments that kept nothing: everything in them is superseded by later records.
    if (carry.length > 0) this.dropSegments(log, carry);
    return { minHorizon, changed };
  }

  /** Deletes segments that keep nothing (when they are still in the log). */
  private dropSegments(log: Log, segs: Segment[]): void {
    if (this.opts.isLive(log) && log.replaceSegments(segs, undefined)) fsyncDirSync(log.dir);
  }

  /**
   * Cleans one group of segments (after `prefix`, segments known to keep
   * nothing) into `<base>.log.cleaned` and swaps it in, unless that would
   * change nothing. Returns the earliest delete horizon kept, or undefined when
   * the group kept nothing (then the log was left as it was).
   */
  private async cleanGroup(
    log: Log,
    prefix: Segment[],
    group: Segment[],
    map: OffsetMap,
    now: number,
    deleteRetentionMs: number,
    result: CleanStats,
  ): Promise<{ horizon: number; changed: boolean } | undefined> {
    const base = (prefix[0] ?? group[0]!).baseOffset;
    const cleanedPath = join(log.dir, segmentFileName(base, '.log.cleaned'));
    const seg = Segment.create(log.dir, base, log.config.segmentIndexBytes, now, cleanedPath);
    const interval = log.config.indexIntervalBytes;
    let minHorizon = Number.POSITIVE_INFINITY;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let written = 0;
    /** output size after each group segment */
    const sizeAfter: number[] = [];
    let lastModified = 0;
    let changed = prefix.length + group.length > 1;
    const flushPending = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const bufs = pending;
      await seg.use((fd) => writevAt(fd, bufs, written));
      written += pendingBytes;
      pending = [];
      pendingBytes = 0;
    };
    const emit = (out: Buffer, p: number, size: number): void => {
      const chunk = p === 0 && size === out.length ? out : out.subarray(p, p + size);
      const last = readInt64(chunk, 0) + chunk.readInt32BE(BATCH.LAST_OFFSET_DELTA);
      seg.indexBatch(written + pendingBytes, size, last, readInt64(chunk, BATCH.MAX_TIMESTAMP), interval);
      pending.push(chunk);
      pendingBytes += size;
    };
    try {
      for (const old of group) {
        lastModified = Math.max(lastModified, old.lastModifiedMs);
        for await (const { buf, pos } of segmentBatches(old, 0, READ_CHUNK)) {
          const size = batchSize(buf, pos);
          result.bytesRead += size;
          const attrs = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
          // Control batches (transaction markers) are not written by this broker yet: keep any as they are.
          if (attrs & Attr.CONTROL || buf.readInt8(pos + BATCH.MAGIC) !== 2) {
            emit(buf, pos, size);
            continue;
          }
          const batchBase = readInt64(buf, pos);
          const count = buf.readInt32BE(pos + BATCH.RECORD_COUNT);
          const hasHorizon = (attrs & DELETE_HORIZON_FLAG) !== 0;
          const horizon = hasHorizon ? readInt64(buf, pos + BATCH.BASE_TIMESTAMP) : -1;
          const body = batchBody(buf, pos);
          const records = parseRecords(body, count);
          result.recordsRead += records.length;
          const kept: RawRecord[] = [];
          let needsHorizon = false;
          for (const r of records) {
            if (r.keyLength < 0) continue; // Kafka drops keyless records from compacted logs
            const latest = map.get(mapKey(body, r));
            if (latest !== undefined && latest > batchBase + r.offsetDelta) continue;
            if (r.valueNull) {
              if (hasHorizon) {
                if (now >= horizon) continue;
                minHorizon = Math.min(minHorizon, horizon);
              } else {
                needsHorizon = true;
              }
            }
            kept.push(r);
          }
          result.recordsKept += kept.length;
          // An empty batch kept for a producer that has since written more (or expired) goes.
          if (records.length === 0 && !isLastBatchOfActiveProducer(log, buf, pos)) {
            changed = true;
            continue;
          }
          if (kept.length === records.length && !needsHorizon) {
            emit(buf, pos, size);
            continue;
          }
          changed = true;
          if (kept.length === 0) {
            // The last batch of a producer that still has state keeps its header
            // (as Kafka does), so its sequence survives a restart's rebuild from the log.
            if (isLastBatchOfActiveProducer(log, buf, pos)) emit(emptyBatch(buf, pos), 0, BATCH.HEADER_SIZE);
            continue;
          }
          const opts = needsHorizon ? { deleteHorizonMs: now + deleteRetentionMs } : {};
          if (needsHorizon) minHorizon = Math.min(minHorizon, now + deleteRetentionMs);
          const rebuilt = rebuildBatch(buf, pos, body, kept, opts);
          emit(rebuilt, 0, rebuilt.length);
          if (pendingBytes >= WRITE_CHUNK) await flushPending();
        }
        if (pendingBytes >= WRITE_CHUNK) await flushPending();
        sizeAfter.push(written + pendingBytes);
      }
      await flushPending();
      seg.size = written;
      seg.writtenSize = written;
      if (written > 0) await seg.flush();
    } catch (e) {
      await seg.close();
      fs.rmSync(cleanedPath, { force: true });
      throw e;
    }
    if (written === 0) {
      await seg.close();
      fs.rmSync(cleanedPath, { force: true });
      return undefined;
    }
    if (!changed) {
      await seg.close();
      fs.rmSync(cleanedPath, { force: true });
      return { horizon: minHorizon, changed };
    }
    result.bytesWritten += written;
    this.swap(log, [...prefix, ...group], prefix.length, seg, cleanedPath, sizeAfter, lastModified);
    return { horizon: minHorizon, changed };
  }

  /**
   * The synchronous swap (no other work on the log interleaves with it). Order:
   * delete trailing segments that kept nothing; .cleaned → .swap; old files →
   * .deleted; .swap → .log; indexes. A crash anywhere leaves a loadable log.
   */
  private swap(
    log: Log,
    group: Segment[],
    prefixLength: number,
    seg: Segment,
    cleanedPath: string,
    sizeAfter: number[],
    lastModified: number,
  ): void {
    const abort = (): void => {
      seg.file.close();
      fs.rmSync(cleanedPath, { force: true });
    };
    const all = log.allSegments;
    const i = all.indexOf(group[0]!);
    if (!this.opts.isLive(log) || i < 0 || i + group.length >= all.length || group.some((s, k) => all[i + k] !== s)) {
      abort();
      return;
    }
    if (this.opts.crashAt === 'cleaned') throw new SimulatedCrash('after .cleaned');
    const written = seg.size;
    const nextBase = all[i + group.length]!.baseOffset;
    // Trailing segments that kept nothing: all their records are superseded by later ones, so deleting them first is safe.
    // (sizeAfter[k]: output size after the group's k-th segment past the prefix; written > 0 here.)
    let keep = group.length;
    while (keep > prefixLength + 1 && sizeAfter[keep - prefixLength - 2]! === written) keep--;
    if (keep < group.length) {
      log.replaceSegments(group.slice(keep), undefined);
      fsyncDirSync(log.dir);
    }
    const swapPath = join(log.dir, segmentFileName(seg.baseOffset, '.log.swap'));
    fs.renameSync(cleanedPath, swapPath);
    seg.file.moveTo(swapPath);
    fsyncDirSync(log.dir);
    if (this.opts.crashAt === 'swap') throw new SimulatedCrash('after .swap');
    seg.lastModifiedMs = lastModified;
    seg.createdMs = lastModified;
    seg.nextOffset = nextBase;
    log.replaceSegments(group.slice(0, keep), seg);
    fsyncDirSync(log.dir);
    if (this.opts.crashAt === 'deleted') throw new SimulatedCrash('after .deleted');
    fs.renameSync(swapPath, seg.logPath);
    seg.file.moveTo(seg.logPath);
    seg.addFinalTimeIndexEntry();
    seg.writeIndexes(true);
    // Kafka keeps the old segments' modification time (retention of compact,delete logs uses it).
    try {
      fs.utimesSync(seg.logPath, new Date(lastModified), new Date(lastModified));
    } catch {
      /* best effort */
    }
    fsyncDirSync(log.dir);
  }
}

/** True when the batch at pos is the last one the log's producer state holds for its producer id. */
function isLastBatchOfActiveProducer(log: Log, buf: Buffer, pos: number): boolean {
  const pid = readInt64(buf, pos + BATCH.PRODUCER_ID);
  if (pid < 0) return false;
  const batches = log.producers?.get(pid)?.batches;
  const last = batches?.[batches.length - 1];
  return last !== undefined && last.lastOffset === readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments whose sizes add up to at
 * most segment.bytes, whose offsets fit one segment's int32 relative range and
 * whose index entries fit one index.
 */
export function groupBySize(segs: Segment[], next: Segment, maxBytes: number, maxIndexBytes: number): Segment[][] {
  const groups: Segment[][] = [];
  let i = 0;
  while (i < segs.length) {
    const group = [segs[i]!];
    let bytes = segs[i]!.size;
    let indexBytes = segs[i]!.offsetIndex.entries * 8;
    i++;
    while (i < segs.length) {
      const s = segs[i]!;
      const end = (i + 1 < segs.length ? segs[i + 1]! : next).baseOffset;
      if (
        bytes + s.size > maxBytes ||
        indexBytes + s.offsetIndex.entries * 8 + 8 > maxIndexBytes ||
        end - 1 - group[0]!.baseOffset > INT32_MAX
      )
        break;
      bytes += s.size;
      indexBytes += s.offsetIndex.entries * 8;
      group.push(s);
      i++;
    }
    groups.push(group);
  }
  return groups;
}

export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open directories.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
