// The local part of a partition's log (Kafka's LocalLog): its segments, oldest
// first with the last one active, the log end offset and the recovery point.
// It takes appended bytes (into the tail cache and, through the write queue,
// the active segment's file), rolls, reads (the tail cache first, then the
// files), flushes, truncates the segments and deletes segment files (renamed
// to .deleted, removed after file.delete.delay.ms). Offset assignment, the log
// start offset, the high watermark, leader epochs, producer state and the
// retention rules are the Log's (log.ts), which owns one LocalLog.
import * as fs from 'node:fs';
import { ErrorCode } from '../protocol/errors.ts';
import { BATCH, batchSize, readInt64 } from '../protocol/record-batch.ts';
import type { LogConfig } from './log-config.ts';
import { Segment } from './segment.ts';
import { TailCache, type Entry as CacheEntry, type TailCacheBudget } from './tail-cache.ts';
import { WriteQueue } from './write-queue.ts';

export type ReadResult = { chunks: Buffer[]; bytes: number } | { error: number };

export interface LocalLogOptions {
  dir: string;
  config: LogConfig;
  /** The loaded segments (at least one; the last is active). */
  segments: Segment[];
  recoveryPoint: number;
  tailCacheBytes: number;
  tailCacheBudget: TailCacheBudget | undefined;
  /** Called when the bytes up to `end` (exclusive) are written, in append order. */
  onWritten: (end: number) => void;
}

export class LocalLog {
  readonly dir: string;
  config: LogConfig;
  /**
   * Oldest first, the last one active. Removing segments replaces the array
   * (never splices it), so a read in progress keeps iterating the one it took.
   */
  segments: Segment[];
  logEndOffset: number;
  /** Everything below it is fsynced: recovery after a crash starts at the segment holding it. */
  recoveryPoint: number;
  readonly cache: TailCache;
  private readonly writes: WriteQueue;
  private readonly onWritten: (end: number) => void;
  private unflushedMessages = 0;
  private pendingDeletes: { timer: NodeJS.Timeout; run: () => Promise<void> }[] = [];

  constructor(o: LocalLogOptions) {
    this.dir = o.dir;
    this.config = o.config;
    this.segments = o.segments;
    this.logEndOffset = o.segments[o.segments.length - 1]!.nextOffset;
    this.recoveryPoint = Math.min(o.recoveryPoint, this.logEndOffset);
    this.cache = new TailCache(o.tailCacheBytes, o.tailCacheBudget);
    this.onWritten = o.onWritten;
    this.writes = new WriteQueue(() =>
      this.unflushedMessages >= this.config.flushMessages ? this.flush() : undefined,
    );
  }

  get activeSegment(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** The error of the first failed write: the log takes no appends after it. */
  get failure(): Error | undefined {
    return this.writes.failure;
  }

  size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** The index of the last segment whose base offset is <= offset (the first one when none is). */
  segmentIndexFor(offset: number): number {
    let lo = 0,
      hi = this.segments.length - 1,
      found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  // ---------------------------------------------------------------- append

  /**
   * Takes `data`, batches already placed at `position` of the active segment
   * `seg` and indexed there (offsets firstOffset..lastOffset, `records`
   * records): the log end moves past them, they enter the tail cache and are
   * queued for writing. Resolves once they are written.
   */
  append(
    seg: Segment,
    position: number,
    data: Buffer,
    firstOffset: number,
    lastOffset: number,
    records: number,
    now: number,
  ): Promise<void> {
    seg.size += data.length;
    seg.lastModifiedMs = now;
    this.logEndOffset = lastOffset + 1;
    this.unflushedMessages += records;
    const entry = this.cache.add(data, firstOffset, lastOffset);
    return this.write(seg, position, data, entry, lastOffset);
  }

  /** Queues appended bytes; once written, the tail cache entry is marked written and onWritten is told. */
  private write(seg: Segment, position: number, buf: Buffer, entry: CacheEntry, lastOffset: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.writes.write(
        seg,
        position,
        buf,
        () => {
          this.cache.markWritten(entry);
          this.onWritten(lastOffset + 1);
          resolve();
        },
        reject,
      );
    });
  }

  /**
   * Starts a new segment at `baseOffset`; the old one is indexed, trimmed and
   * flushed once its writes are done. Returns the active segment: the old one
   * when it is empty (then nothing is rolled).
   */
  roll(now: number, baseOffset: number = this.logEndOffset): Segment {
    const old = this.activeSegment;
    if (old.size === 0) return old;
    const next = Segment.create(this.dir, baseOffset, this.config.segmentIndexBytes, now);
    this.segments.push(next);
    old.addFinalTimeIndexEntry();
    this.writes.task(() => {
      // Runs after the old segment's writes: persist its indexes and fsync it
      // (in the background), then the recovery point moves past it.
      old.writeIndexes(false);
      old.flush().then(
        () => {
          if (next.baseOffset > this.recoveryPoint && next.baseOffset <= this.logEndOffset)
            this.recoveryPoint = next.baseOffset;
        },
        () => {},
      );
    });
    return next;
  }

  /** Resolves when every append so far has been written. */
  writesIdle(): Promise<void> {
    return this.writes.idle();
  }

  /** fsyncs the active segment (flush.messages / close); the recovery point moves to the log end. */
  async flush(): Promise<void> {
    const end = this.logEndOffset;
    this.unflushedMessages = 0;
    await this.activeSegment.flush();
    if (end > this.recoveryPoint) this.recoveryPoint = end;
  }

  // ---------------------------------------------------------------- read

  /** Reads whole batches from `fetchOffset` (inside the log, below its end): the tail cache first, then the files. */
  read(fetchOffset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Promise<ReadResult> {
    const cached = this.cache.read(fetchOffset, { maxBytes, maxOffset, minOneBatch });
    if (cached) return Promise.resolve(cached);
    return this.readCold(fetchOffset, maxBytes, maxOffset, minOneBatch);
  }

  private async readCold(
    fetchOffset: number,
    maxBytes: number,
    maxOffset: number,
    minOneBatch: boolean,
  ): Promise<ReadResult> {
    const segments = this.segments;
    for (let i = this.segmentIndexFor(fetchOffset); i < segments.length; i++) {
      const seg = segments[i]!;
      let loc;
      try {
        loc = await seg.findBatch(fetchOffset);
      } catch {
        return { error: ErrorCode.OFFSET_OUT_OF_RANGE }; // segment deleted meanwhile
      }
      if (!loc) continue;
      if (loc.lastOffset >= maxOffset) return { chunks: [], bytes: 0 };
      if (loc.size > maxBytes) {
        if (!minOneBatch) return { chunks: [], bytes: 0 };
        const buf = await seg.read(loc.position, loc.size);
        return { chunks: [buf], bytes: buf.length };
      }
      const buf = await seg.read(loc.position, Math.min(maxBytes, seg.writtenSize - loc.position));
      // Keep whole batches below maxOffset.
      let p = 0;
      while (p + BATCH.HEADER_SIZE <= buf.length) {
        const size = batchSize(buf, p);
        if (p + size > buf.length) break;
        if (readInt64(buf, p) + buf.readInt32BE(p + BATCH.LAST_OFFSET_DELTA) >= maxOffset) break;
        p += size;
      }
      return p === 0 ? { chunks: [], bytes: 0 } : { chunks: [buf.subarray(0, p)], bytes: p };
    }
    return { chunks: [], bytes: 0 };
  }

  // ---------------------------------------------------------------- truncation

  /**
   * Cuts the segments at `offset` (below the log end, no write in flight):
   * later segments are deleted first (a crash in between leaves a prefix of the
   * old log, which the next truncation cuts again), then the segment holding
   * `offset` is cut at the start of the batch holding it; it is the active
   * segment then. Returns the new log end (the caller calls truncated()).
   */
  async truncateSegments(offset: number): Promise<number> {
    const i = this.segmentIndexFor(offset);
    const seg = this.segments[i]!;
    const later = this.segments.slice(i + 1);
    if (later.length > 0) {
      this.segments = this.segments.slice(0, i + 1);
      for (const s of later) this.scheduleDelete(s);
    }
    const loc = await seg.findBatch(offset);
    if (loc) await seg.truncateTo(loc.position, loc.baseOffset);
    return seg.nextOffset;
  }

  /** Deletes every segment and starts a new empty one at `offset` (the caller calls truncated(offset)). */
  replaceAllSegments(offset: number): void {
    // Rename the old files first: the new segment may have the same name.
    for (const s of this.segments) this.scheduleDelete(s);
    this.segments = [Segment.create(this.dir, offset, this.config.segmentIndexBytes, Date.now())];
  }

  /** After a truncation to `newEnd`: the log end, tail cache and recovery point follow. */
  truncated(newEnd: number): void {
    this.logEndOffset = newEnd;
    this.cache.clear();
    if (this.recoveryPoint > newEnd) this.recoveryPoint = newEnd;
    this.unflushedMessages = 0;
  }

  // ---------------------------------------------------------------- deletion

  /**
   * The log cleaner's swap: replaces the contiguous non-active segments `old`
   * by `replacement` (or by nothing) and schedules their files' deletion.
   * False when the segments changed meanwhile, and nothing was done.
   */
  replaceSegments(old: readonly Segment[], replacement: Segment | undefined): boolean {
    const i = this.segments.indexOf(old[0]!);
    if (i < 0 || i + old.length >= this.segments.length || old.some((s, k) => this.segments[i + k] !== s)) return false;
    // A new array (as deleteSegments does): reads in progress keep iterating the one they took.
    this.segments = [
      ...this.segments.slice(0, i),
      ...(replacement ? [replacement] : []),
      ...this.segments.slice(i + old.length),
    ];
    // Batches of the replaced range may still sit in the tail cache: serve them from the files now.
    if (this.cache.firstOffset < this.segments[i + (replacement ? 1 : 0)]!.baseOffset) this.cache.clear();
    for (const seg of old) this.scheduleDelete(seg);
    return true;
  }

  /**
   * Kafka's deletableSegments: the oldest segments, in order, while `predicate`
   * holds for each and each lies wholly below `limit` (the high watermark). An
   * empty active segment never qualifies.
   */
  deletableSegments(predicate: (seg: Segment, next: Segment | undefined) => boolean, limit: number): Segment[] {
    const deletable: Segment[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const next = this.segments[i + 1];
      const upper = next ? next.baseOffset : this.logEndOffset;
      if (!next && seg.size === 0) break;
      if (upper > limit || !predicate(seg, next)) break;
      deletable.push(seg);
    }
    return deletable;
  }

  /** Removes `deletable`, the oldest segments (never the active one), and schedules their files' deletion. */
  removeAndDeleteSegments(deletable: readonly Segment[]): void {
    this.segments = this.segments.slice(deletable.length);
    for (const seg of deletable) this.scheduleDelete(seg);
  }

  /** Kafka renames deleted segments' files to .deleted and removes them after file.delete.delay.ms. */
  private scheduleDelete(seg: Segment): void {
    const renamed: string[] = [];
    for (const p of [seg.logPath, seg.indexPath, seg.timeIndexPath]) {
      try {
        fs.renameSync(p, `${p}.deleted`);
        renamed.push(`${p}.deleted`);
        if (p === seg.logPath) seg.file.moveTo(`${p}.deleted`);
      } catch {
        /* index never written */
      }
    }
    const item = {
      timer: undefined as unknown as NodeJS.Timeout,
      run: async () => {
        this.pendingDeletes = this.pendingDeletes.filter((d) => d !== item);
        clearTimeout(item.timer);
        await seg.close().catch(() => {});
        for (const p of renamed) fs.rmSync(p, { force: true });
      },
    };
    item.timer = setTimeout(() => void item.run(), this.config.fileDeleteDelayMs);
    item.timer.unref();
    this.pendingDeletes.push(item);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Finishes the pending file deletions, closes the segments' files and empties the tail cache. */
  async close(): Promise<void> {
    for (const d of [...this.pendingDeletes]) await d.run();
    for (const seg of this.segments) await seg.close();
    this.cache.clear();
  }
}
