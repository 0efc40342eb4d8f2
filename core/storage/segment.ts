// One log segment: the .log file of record batches plus its offset and time
// indexes (Kafka's LogSegment). Holds the indexing rule shared by appends and
// recovery so both produce identical index files, the roll rule, and the
// lookups by timestamp within one segment. The `.log` file's handle is opened
// on first use and may be closed while idle (handle-cache.ts).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Attr, BATCH, batchSize, decodeRecords, readInt64 } from '../protocol/record-batch.ts';
import { fsyncFd, readAt } from './file-io.ts';
import { CachedFile } from './handle-cache.ts';
import type { LogConfig } from './log-config.ts';
import { OffsetIndex } from './offset-index.ts';
import { TimeIndex } from './time-index.ts';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

export const SCAN_WINDOW = 64 * 1024;
const INT32_MAX = 0x7fffffff;

export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
}

export class Segment {
  readonly baseOffset: number;
  readonly dir: string;
  /** The `.log` file (under another name while the cleaner builds it, or once deleted). */
  readonly file: CachedFile;
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  /** bytes appended (including writes still in flight) */
  size: number;
  /** bytes whose write has completed: cold reads never go past this */
  writtenSize: number;
  /** offset after this segment's last batch */
  nextOffset: number;
  /** largest batch maxTimestamp, and the last offset of the first batch holding it (Kafka's shallow rule) */
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  bytesSinceLastIndexEntry = 0;
  /** max timestamp of the first batch: segment.ms is measured from it (or from creation) */
  firstBatchTimestamp = -1;
  createdMs: number;
  lastModifiedMs: number;
  private refs = 0;
  private closing: Promise<void> | undefined;
  private closeResolve: (() => void) | undefined;

  constructor(
    dir: string,
    baseOffset: number,
    /** the `.log` file's path, when it is not the segment's own name */
    path: string | undefined,
    size: number,
    indexBytes: number,
    now: number,
    offsetIndexData?: Buffer,
    timeIndexData?: Buffer,
  ) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.file = new CachedFile(path ?? join(dir, segmentFileName(baseOffset, '.log')));
    this.size = size;
    this.writtenSize = size;
    this.nextOffset = baseOffset;
    this.offsetIndex = new OffsetIndex(baseOffset, indexBytes, offsetIndexData);
    this.timeIndex = new TimeIndex(baseOffset, indexBytes, timeIndexData);
    this.createdMs = now;
    this.lastModifiedMs = now;
  }

  /** A new, empty segment: its file is created (or emptied) now and opened on first use. */
  static create(dir: string, baseOffset: number, indexBytes: number, now: number, path?: string): Segment {
    fs.closeSync(fs.openSync(path ?? join(dir, segmentFileName(baseOffset, '.log')), 'w'));
    return new Segment(dir, baseOffset, path, 0, indexBytes, now);
  }

  get logPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, '.log'));
  }
  get indexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, '.index'));
  }
  get timeIndexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, '.timeindex'));
  }

  /** Kafka's largestTimestamp: the max timestamp, or the last modification time when none. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastModifiedMs;
  }

  resetIndexes(indexBytes: number): void {
    this.offsetIndex = new OffsetIndex(this.baseOffset, indexBytes);
    this.timeIndex = new TimeIndex(this.baseOffset, indexBytes);
    this.bytesSinceLastIndexEntry = 0;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
  }

  /**
   * Accounts for one batch at `position` (Kafka's LogSegment append/recover rule):
   * track the max timestamp; when more than indexIntervalBytes were appended since
   * the last entry, index (batch last offset → batch position) and the max timestamp so far.
   */
  indexBatch(
    position: number,
    size: number,
    lastOffset: number,
    batchMaxTimestamp: number,
    indexIntervalBytes: number,
  ): void {
    if (this.firstBatchTimestamp < 0 && position === 0) this.firstBatchTimestamp = batchMaxTimestamp;
    if (batchMaxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batchMaxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
    this.nextOffset = lastOffset + 1;
  }

  /** After loading indexes without a scan: continue the byte interval from the last entry. */
  restoreIndexingState(): void {
    const last = this.offsetIndex.entries > 0 ? this.offsetIndex.lastEntry().position : 0;
    this.bytesSinceLastIndexEntry = this.size - last;
    const t = this.timeIndex.lastEntry();
    if (t.timestamp > this.maxTimestamp) {
      this.maxTimestamp = t.timestamp;
      this.offsetOfMaxTimestamp = t.offset;
    }
  }

  /** The final time-index entry Kafka adds when a segment is rolled or closed. */
  addFinalTimeIndexEntry(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
  }

  /**
   * Kafka's roll conditions (LogSegment.shouldRoll), for an append of
   * `messagesSize` bytes whose largest timestamp is `maxTimestamp` and last
   * offset `maxOffset`: the size (segment.bytes), the age (segment.ms, from the
   * first batch's timestamp, or from creation), full indexes, or offsets past
   * the int32 relative range. Never for an empty segment.
   */
  shouldRoll(config: LogConfig, messagesSize: number, maxTimestamp: number, maxOffset: number, now: number): boolean {
    if (this.size === 0) return false;
    const waited =
      this.firstBatchTimestamp >= 0 && maxTimestamp >= 0
        ? maxTimestamp - this.firstBatchTimestamp
        : now - this.createdMs;
    return (
      this.size > config.segmentBytes - messagesSize ||
      waited > config.segmentMs ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      maxOffset - this.baseOffset > INT32_MAX
    );
  }

  writeIndexes(fsync: boolean): void {
    this.offsetIndex.writeFileSync(this.indexPath, fsync);
    this.timeIndex.writeFileSync(this.timeIndexPath, fsync);
  }

  /** Runs fn with the file's handle open and pinned (close waits for it). */
  async use<T>(fn: (fd: number) => T | Promise<T>): Promise<T> {
    if (this.closing) throw new Error(`segment ${this.baseOffset} is closed`);
    this.refs++;
    try {
      return await this.file.use(fn);
    } finally {
      if (--this.refs === 0 && this.closeResolve) this.closeResolve();
    }
  }

  read(position: number, length: number): Promise<Buffer> {
    return this.use((fd) => readAt(fd, length, position));
  }

  flush(): Promise<void> {
    return this.use((fd) => fsyncFd(fd));
  }

  /**
   * Finds the first batch whose last offset is >= target, starting from the offset
   * index's entry and scanning batch headers (written bytes only). Null when none.
   */
  async findBatch(target: number): Promise<BatchLocation | null> {
    let position = this.offsetIndex.lookup(target).position;
    const limit = this.writtenSize;
    while (position < limit) {
      const window = await this.read(position, Math.min(SCAN_WINDOW, limit - position));
      let p = 0;
      while (p + BATCH.HEADER_SIZE <= window.length) {
        const size = batchSize(window, p);
        if (size < BATCH.HEADER_SIZE) return null; // corrupt: recovery would have truncated it
        const base = readInt64(window, p);
        const last = base + window.readInt32BE(p + BATCH.LAST_OFFSET_DELTA);
        if (last >= target) return { position: position + p, size, baseOffset: base, lastOffset: last };
        p += size;
      }
      if (p === 0) return null;
      position += p;
    }
    return null;
  }

  /**
   * Cuts the segment at `position`, a batch boundary whose batch starts at
   * `cutOffset` (Kafka's LogSegment.truncateTo): the file, the index entries
   * at or past the cut, and the timestamp and indexing state, which are
   * rebuilt from the last remaining index entry. Only with no write in flight.
   */
  async truncateTo(position: number, cutOffset: number): Promise<void> {
    if (position >= this.size) return;
    const oi = this.offsetIndex;
    let keep = oi.entries;
    while (keep > 0 && oi.entry(keep - 1).position >= position) keep--;
    oi.index.truncateEntries(keep);
    const ti = this.timeIndex;
    let keepT = ti.entries;
    while (keepT > 0 && ti.entry(keepT - 1).offset >= cutOffset) keepT--;
    ti.index.truncateEntries(keepT);
    await this.use(async (fd) => {
      fs.ftruncateSync(fd, position);
    });
    this.size = position;
    this.writtenSize = position;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    if (position === 0) this.firstBatchTimestamp = -1;
    this.restoreIndexingState();
    // The batches after the last index entry: their timestamps and the next offset.
    this.nextOffset = keep > 0 ? oi.lastEntry().offset + 1 : this.baseOffset;
    for await (const { buf, pos } of segmentBatches(this, keep > 0 ? oi.lastEntry().position : 0)) {
      const last = readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
      const ts = readInt64(buf, pos + BATCH.MAX_TIMESTAMP);
      if (ts > this.maxTimestamp) {
        this.maxTimestamp = ts;
        this.offsetOfMaxTimestamp = last;
      }
      this.nextOffset = last + 1;
    }
  }

  /**
   * The earliest record at or above `startingOffset` with timestamp >= ts
   * (Kafka's LogSegment.findOffsetByTimestamp); null when the segment has none.
   */
  async findOffsetByTimestamp(
    ts: number,
    startingOffset: number,
  ): Promise<{ offset: number; timestamp: number } | null> {
    if (this.maxTimestamp < ts || this.size === 0) return null;
    // The last time-index entry *below* ts: up to its offset every timestamp
    // is < ts, so the first record with timestamp >= ts lies after it. (An
    // entry equal to ts may point at the end of the batch where ts appeared.)
    const from = this.timeIndex.lookup(ts - 1).offset;
    const position = this.offsetIndex.lookup(Math.max(from, startingOffset)).position;
    for await (const { buf, pos } of segmentBatches(this, position)) {
      const last = readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
      if (last < startingOffset || readInt64(buf, pos + BATCH.MAX_TIMESTAMP) < ts) continue;
      for (const r of decodeRecords(buf, pos)) {
        if (r.offset >= startingOffset && r.timestamp >= ts) return { offset: r.offset, timestamp: r.timestamp };
      }
    }
    return null;
  }

  /**
   * The first record holding the segment's max timestamp (which must be >= 0):
   * the index points at the batch holding it; its offset is the batch's base
   * offset with LogAppendTime, else the first record with that timestamp.
   */
  async findMaxTimestampRecord(): Promise<{ offset: number; timestamp: number }> {
    const ts = this.maxTimestamp;
    const position = this.offsetIndex.lookup(this.offsetOfMaxTimestamp).position;
    for await (const { buf, pos } of segmentBatches(this, position)) {
      if (readInt64(buf, pos + BATCH.MAX_TIMESTAMP) !== ts) continue;
      if (buf.readInt16BE(pos + BATCH.ATTRIBUTES) & Attr.TIMESTAMP_TYPE_LOG_APPEND)
        return { offset: readInt64(buf, pos), timestamp: ts };
      const rec = decodeRecords(buf, pos).find((r) => r.timestamp === ts);
      if (rec) return { offset: rec.offset, timestamp: ts };
    }
    return { offset: this.offsetOfMaxTimestamp, timestamp: ts };
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (
        this.refs === 0
          ? Promise.resolve()
          : new Promise<void>((r) => {
              this.closeResolve = r;
            })
      ).then(() => this.file.close());
    }
    return this.closing;
  }
}

/**
 * Whole batches of a segment's written bytes from a file position, read in
 * windows of `window` bytes (a batch larger than the window is read whole).
 * Stops at the first incomplete batch. Not for the hot path.
 */
export async function* segmentBatches(
  seg: Segment,
  position = 0,
  window = SCAN_WINDOW,
): AsyncGenerator<{ buf: Buffer; pos: number }> {
  const limit = seg.writtenSize;
  while (position < limit) {
    let buf = await seg.read(position, Math.min(window, limit - position));
    if (buf.length < BATCH.LOG_OVERHEAD) return;
    const first = batchSize(buf, 0);
    if (first > buf.length) {
      if (position + first > limit) return;
      buf = await seg.read(position, first);
    }
    let p = 0;
    while (p + BATCH.LOG_OVERHEAD <= buf.length) {
      const size = batchSize(buf, p);
      if (size < BATCH.HEADER_SIZE || p + size > buf.length) break;
      yield { buf, pos: p };
      p += size;
    }
    if (p === 0) return;
    position += p;
  }
}
