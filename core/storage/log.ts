// A partition's log (Kafka's UnifiedLog): offset assignment, segment rolling,
// coalesced asynchronous writes, reads (tail cache first, then the files),
// timestamp lookups and retention; for replication, follower appends of the
// leader's batches as they are, truncation, the high watermark and the
// leader-epoch lookups.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import {
  Attr,
  BATCH,
  batchLeaderEpoch,
  batchSize,
  decodeRecords,
  readInt64,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatchAt,
  type BatchesInfo,
} from '../protocol/record-batch.ts';
import { PARTITION_METADATA, readPartitionMetadata, writePartitionMetadataSync } from './checkpoint.ts';
import { writevAt } from './file-io.ts';
import { LeaderEpochCache } from './leader-epoch-cache.ts';
import type { LogConfig } from './log-config.ts';
import { loadLog, type LoadStats } from './log-loader.ts';
import { Segment, segmentBatches } from './segment.ts';
import { listSnapshots, ProducerStateManager, snapshotFileName, type ProducerExpiry } from './producer-state.ts';
import { TailCache, type Entry as CacheEntry, type TailCacheBudget } from './tail-cache.ts';

const INT32_MAX = 0x7fffffff;
// Per partition: enough for consumers that keep up with producers to read from
// memory, small enough that many busy partitions do not balloon the heap.
export const DEFAULT_TAIL_CACHE_BYTES = 4 * 1024 * 1024;

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  written: Promise<void>;
}

export type ReadResult = { chunks: Buffer[]; bytes: number } | { error: number };

type QueueItem =
  | { kind: 'write'; seg: Segment; position: number; buf: Buffer; done: () => void; fail: (e: Error) => void }
  | { kind: 'task'; run: () => void };

export interface LogOpenOptions {
  dir: string;
  topic: string;
  partition: number;
  topicId: string;
  config: LogConfig;
  recoveryPoint: number;
  logStartOffset: number;
  cleanShutdown: boolean;
  now: number;
  tailCacheBytes?: number;
  /** Shared with other logs to bound their tail caches' total (see LogManager). */
  tailCacheBudget?: TailCacheBudget;
  /** producer.id.expiration.ms and its check interval. */
  producerExpiry?: ProducerExpiry;
  /** The high watermark from replication-offset-checkpoint, when there is one. */
  highWatermark?: number;
}

/** What appendAsFollower wrote. */
export interface FollowerAppendResult {
  /** -1 when nothing was appended (no complete batch). */
  firstOffset: number;
  lastOffset: number;
  written: Promise<void>;
}

export class Log {
  readonly topic: string;
  readonly partition: number;
  readonly topicId: string;
  readonly dir: string;
  config: LogConfig;
  /**
   * The offset below which records are committed (visible to consumers).
   * Moves only forwards, except when the log is truncated below it.
   */
  highWatermark: number;
  /**
   * True (the default, a single node): every completed write moves the high
   * watermark to the end of the log. Replication clears it and moves the high
   * watermark itself (updateHighWatermark).
   */
  hwFollowsLeo = true;
  /** Called when a completed write moved the high watermark (hwFollowsLeo). */
  onHighWatermark: (() => void) | undefined;
  /**
   * The high watermark read from replication-offset-checkpoint at open (the
   * log start offset when there was none), for a replica that does not take
   * its high watermark from its own log end.
   */
  readonly checkpointHighWatermark: number;
  recoveryPoint: number;
  readonly loadStats: LoadStats;
  readonly leaderEpochs: LeaderEpochCache;
  /** Idempotent producers' state (set by open(); see producer-state.ts). */
  producers!: ProducerStateManager;
  private segments: Segment[];
  private _logStartOffset: number;
  private _logEndOffset: number;
  private readonly cache: TailCache;
  private queue: QueueItem[] = [];
  private draining = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private pendingDeletes: { timer: NodeJS.Timeout; run: () => Promise<void> }[] = [];
  private unflushedMessages = 0;
  private readonly producerExpiry: ProducerExpiry | undefined;
  private closed = false;
  /** A truncation is in progress: appends are refused until it is done. */
  private truncating = false;
  private failure: Error | undefined;

  private constructor(o: LogOpenOptions, segments: Segment[], stats: LoadStats) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.topicId = o.topicId;
    this.dir = o.dir;
    this.config = o.config;
    this.segments = segments;
    this.loadStats = stats;
    this._logStartOffset = Math.max(o.logStartOffset, segments[0]!.baseOffset);
    this._logEndOffset = segments[segments.length - 1]!.nextOffset;
    this.recoveryPoint = Math.min(o.recoveryPoint, this._logEndOffset);
    // Single node: everything on disk is committed, so the high watermark starts at the log end.
    this.highWatermark = this._logEndOffset;
    this.checkpointHighWatermark = Math.max(
      this._logStartOffset,
      Math.min(o.highWatermark ?? this._logStartOffset, this._logEndOffset),
    );
    this.producerExpiry = o.producerExpiry;
    this.cache = new TailCache(o.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES, o.tailCacheBudget);
    this.leaderEpochs = new LeaderEpochCache(o.dir);
    this.leaderEpochs.truncateFromEnd(this._logEndOffset);
  }

  /** Opens (and if needed recovers) the partition directory, creating it when absent. */
  static async open(o: LogOpenOptions): Promise<Log> {
    fs.mkdirSync(o.dir, { recursive: true });
    const metaPath = join(o.dir, PARTITION_METADATA);
    const storedId = readPartitionMetadata(metaPath);
    if (storedId === undefined && o.topicId) writePartitionMetadataSync(metaPath, o.topicId);
    const { segments, stats } = await loadLog(o.dir, o);
    const log = new Log({ ...o, topicId: storedId ?? o.topicId }, segments, stats);
    log.producers = await ProducerStateManager.load(
      o.dir,
      segments,
      log._logStartOffset,
      log._logEndOffset,
      o.now,
      o.producerExpiry,
    );
    return log;
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this._logEndOffset;
  }
  get activeSegment(): Segment {
    return this.segments[this.segments.length - 1]!;
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }
  /** The segments, oldest first, the last one active (read by the log cleaner, core/storage/cleaner/). */
  get allSegments(): readonly Segment[] {
    return this.segments;
  }
  /** False once closed (the log cleaner leaves it alone then). */
  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * The log cleaner's swap: replaces the contiguous non-active segments `old`
   * by `replacement` (or by nothing) in memory and renames their files to
   * .deleted (removed after file.delete.delay.ms). The caller does the file
   * swap around it (core/storage/cleaner/log-cleaner.ts). False when the
   * segments changed meanwhile (retention), and nothing was done.
   */
  replaceSegments(old: readonly Segment[], replacement: Segment | undefined): boolean {
    const i = this.segments.indexOf(old[0]!);
    if (
      this.closed ||
      i < 0 ||
      i + old.length >= this.segments.length ||
      old.some((s, k) => this.segments[i + k] !== s)
    )
      return false;
    // A new array (as deleteSegments does): reads in progress keep iterating the one they took.
    this.segments = [
      ...this.segments.slice(0, i),
      ...(replacement ? [replacement] : []),
      ...this.segments.slice(i + old.length),
    ];
    if (this.segments[0]!.baseOffset > this._logStartOffset) this._logStartOffset = this.segments[0]!.baseOffset;
    // Batches of the replaced range may still sit in the tail cache: serve them from the files now.
    if (this.cache.firstOffset < this.segments[i + (replacement ? 1 : 0)]!.baseOffset) this.cache.clear();
    for (const seg of old) this.scheduleDelete(seg);
    return true;
  }

  updateConfig(c: LogConfig): void {
    this.config = c;
  }

  size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  // ---------------------------------------------------------------- append

  append(batches: Buffer, info: BatchesInfo, leaderEpoch: number, now: number): AppendResult {
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
    if (this.failure) throw this.failure;
    if (this.truncating) throw this.truncatingError();
    this.maybeRoll(batches.length, info, now);
    const seg = this.activeSegment;
    const logAppend = this.config.messageTimestampType === 'LogAppendTime';
    const interval = this.config.indexIntervalBytes;
    const segStart = seg.size;
    const baseOffset = this._logEndOffset;
    let offset = baseOffset;
    let pos = 0;
    while (pos < batches.length) {
      const size = batchSize(batches, pos);
      setBaseOffset(batches, pos, offset);
      if (leaderEpoch >= 0) setPartitionLeaderEpoch(batches, pos, leaderEpoch);
      this.leaderEpochs.assign(leaderEpoch >= 0 ? leaderEpoch : batchLeaderEpoch(batches, pos), offset);
      if (logAppend) setLogAppendTime(batches, pos, now);
      const last = offset + batches.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
      seg.indexBatch(segStart + pos, size, last, readInt64(batches, pos + BATCH.MAX_TIMESTAMP), interval);
      offset = last + 1;
      pos += size;
    }
    seg.size += batches.length;
    seg.lastModifiedMs = now;
    this._logEndOffset = offset;
    this.unflushedMessages += info.recordCount;
    const entry = this.cache.add(batches, baseOffset, offset - 1);
    const lastOffset = offset - 1;
    const written = this.write(seg, segStart, batches, entry, lastOffset);
    // Idempotent producers: one state update per append, from the batch header.
    this.producers.onAppend(batches, info, logAppend ? now : info.maxTimestamp, written);
    return {
      baseOffset,
      lastOffset,
      logAppendTime: logAppend ? now : -1,
      logStartOffset: this._logStartOffset,
      written,
    };
  }

  /**
   * Appends batches fetched from the leader exactly as they are (offsets and
   * leader epochs already set; Kafka's appendAsFollower). Each batch is
   * checked (structure, CRC-32C, offsets growing from the log end; gaps are
   * allowed, a compacted leader has them); a trailing incomplete batch is
   * ignored. The leader-epoch cache and the producer state follow the batch
   * headers, so this replica can take over as leader with the same history.
   * Throws on invalid input (nothing is appended then).
   */
  appendAsFollower(batches: Buffer, now: number): FollowerAppendResult {
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
    if (this.failure) throw this.failure;
    if (this.truncating) throw this.truncatingError();
    // Validate first: headers and CRCs of every complete batch.
    let end = 0;
    let expected = this._logEndOffset;
    let maxTimestamp = -1;
    let count = 0;
    let firstOffset = -1;
    while (end + BATCH.LOG_OVERHEAD <= batches.length) {
      const size = batchSize(batches, end);
      if (end + size > batches.length) break;
      const r = validateBatchAt(batches, end, batches.length);
      if (typeof r !== 'number')
        throw new Error(
          `invalid batch from the leader for ${this.topic}-${this.partition} at offset ${expected}: ${r.message}`,
        );
      const base = readInt64(batches, end);
      const delta = batches.readInt32BE(end + BATCH.LAST_OFFSET_DELTA);
      if (base < expected || delta < 0) {
        throw new Error(
          `out of order offsets from the leader for ${this.topic}-${this.partition}: batch at ${base}, log end ${expected}`,
        );
      }
      if (firstOffset < 0) firstOffset = base;
      const ts = readInt64(batches, end + BATCH.MAX_TIMESTAMP);
      if (ts > maxTimestamp) maxTimestamp = ts;
      count += batches.readInt32BE(end + BATCH.RECORD_COUNT);
      expected = base + delta + 1;
      end += size;
    }
    if (end === 0) return { firstOffset: -1, lastOffset: -1, written: Promise.resolve() };
    const data = end === batches.length ? batches : batches.subarray(0, end);
    const lastOffset = expected - 1;
    // Roll as a leader append would, starting the new segment at the first batch's offset.
    const seg0 = this.activeSegment;
    if (seg0.size > 0) {
      const waited =
        seg0.firstBatchTimestamp >= 0 && maxTimestamp >= 0
          ? maxTimestamp - seg0.firstBatchTimestamp
          : now - seg0.createdMs;
      if (
        seg0.size > this.config.segmentBytes - data.length ||
        waited > this.config.segmentMs ||
        seg0.offsetIndex.isFull ||
        seg0.timeIndex.isFull ||
        lastOffset - seg0.baseOffset > INT32_MAX
      ) {
        this.roll(now, firstOffset);
      }
    }
    const seg = this.activeSegment;
    const interval = this.config.indexIntervalBytes;
    const segStart = seg.size;
    let pos = 0;
    while (pos < end) {
      const size = batchSize(data, pos);
      const base = readInt64(data, pos);
      const last = base + data.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
      this.leaderEpochs.assign(batchLeaderEpoch(data, pos), base);
      seg.indexBatch(segStart + pos, size, last, readInt64(data, pos + BATCH.MAX_TIMESTAMP), interval);
      pos += size;
    }
    seg.size += end;
    seg.lastModifiedMs = now;
    this._logEndOffset = lastOffset + 1;
    this.unflushedMessages += count;
    const entry = this.cache.add(data, firstOffset, lastOffset);
    const written = this.write(seg, segStart, data, entry, lastOffset);
    // Producer state from the batch headers, as the leader recorded it.
    for (let p = 0; p < end; p += batchSize(data, p)) this.producers.replayBatch(data, p, written);
    return { firstOffset, lastOffset, written };
  }

  /**
   * Moves the high watermark forwards to `hw`, clamped to the log end.
   * Returns true when it moved.
   */
  updateHighWatermark(hw: number): boolean {
    const v = Math.min(hw, this._logEndOffset);
    if (v <= this.highWatermark) return false;
    this.highWatermark = v;
    return true;
  }

  /** The latest leader epoch of the log's history, -1 when none. */
  latestEpoch(): number {
    return this.leaderEpochs.latestEpoch();
  }

  /** Kafka's endOffsetForEpoch: the largest epoch <= `epoch` and where it ends; (-1, -1) when unknown. */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.leaderEpochs.endOffsetFor(epoch, this._logEndOffset);
  }

  /** A leader epoch starts at the current log end (a replica becomes leader). */
  assignEpochStartOffset(epoch: number): void {
    this.leaderEpochs.assignStart(epoch, this._logEndOffset);
  }

  /**
   * Drops every batch at and after `offset` (Kafka's truncateTo): later
   * segments are deleted, the segment holding `offset` is cut at the start of
   * the batch holding it, and the indexes, tail cache, producer state,
   * leader-epoch cache, recovery point and high watermark follow. Returns the
   * new log end. Below the log start offset the log is emptied and restarted
   * there (truncateFullyAndStartAt).
   */
  async truncateTo(offset: number): Promise<number> {
    if (offset >= this._logEndOffset) return this._logEndOffset;
    if (offset < this._logStartOffset) {
      await this.truncateFullyAndStartAt(offset);
      return this._logEndOffset;
    }
    this.truncating = true;
    try {
      return await this.truncateToInner(offset);
    } finally {
      this.truncating = false;
    }
  }

  private truncatingError(): KafkaError {
    return new KafkaError(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      `partition ${this.topic}-${this.partition} is being truncated`,
    );
  }

  private async truncateToInner(offset: number): Promise<number> {
    await this.writesIdle();
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
    if (offset >= this._logEndOffset) return this._logEndOffset;
    const i = this.segmentIndexFor(offset);
    const seg = this.segments[i]!;
    // Later segments first (renamed to .deleted): a crash in between leaves a
    // prefix of the old log, which the next truncation cuts again.
    const later = this.segments.slice(i + 1);
    if (later.length > 0) {
      this.segments = this.segments.slice(0, i + 1);
      for (const s of later) this.scheduleDelete(s);
    }
    const loc = await seg.findBatch(offset);
    if (loc) await seg.truncateTo(loc.position, loc.baseOffset);
    const newEnd = seg.nextOffset;
    this.afterTruncation(newEnd);
    seg.writeIndexes(false);
    await this.reloadProducerState();
    return newEnd;
  }

  /** Empties the log and restarts it at `offset` (a follower far behind a leader's log start). */
  async truncateFullyAndStartAt(offset: number): Promise<void> {
    this.truncating = true;
    try {
      await this.truncateFullyInner(offset);
    } finally {
      this.truncating = false;
    }
  }

  private async truncateFullyInner(offset: number): Promise<void> {
    await this.writesIdle();
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
    const old = this.segments;
    // Rename the old files first: the new segment may have the same name.
    for (const s of old) this.scheduleDelete(s);
    this.segments = [Segment.create(this.dir, offset, this.config.segmentIndexBytes, Date.now())];
    this._logStartOffset = offset;
    await this.producers.snapshotsWritten();
    for (const o of listSnapshots(this.dir)) fs.rmSync(join(this.dir, snapshotFileName(o)), { force: true });
    this.leaderEpochs.truncateFromEnd(-Infinity);
    this.afterTruncation(offset);
    this.highWatermark = offset;
    await this.reloadProducerState();
  }

  private afterTruncation(newEnd: number): void {
    this._logEndOffset = newEnd;
    this.cache.clear();
    this.leaderEpochs.truncateFromEnd(newEnd);
    if (this.recoveryPoint > newEnd) this.recoveryPoint = newEnd;
    if (this.highWatermark > newEnd) this.highWatermark = newEnd;
    this.unflushedMessages = 0;
  }

  /** Producer state for the truncated log: snapshots past the end removed, the rest replayed. */
  private async reloadProducerState(): Promise<void> {
    await this.producers.snapshotsWritten();
    this.producers = await ProducerStateManager.load(
      this.dir,
      this.segments,
      this._logStartOffset,
      this._logEndOffset,
      Date.now(),
      this.producerExpiry,
    );
  }

  /** Kafka's roll conditions: size, age (segment.ms), full indexes, relative offset overflow. */
  private maybeRoll(messagesSize: number, info: BatchesInfo, now: number): void {
    const seg = this.activeSegment;
    if (seg.size === 0) return;
    const waited =
      seg.firstBatchTimestamp >= 0 && info.maxTimestamp >= 0
        ? info.maxTimestamp - seg.firstBatchTimestamp
        : now - seg.createdMs;
    if (
      seg.size > this.config.segmentBytes - messagesSize ||
      waited > this.config.segmentMs ||
      seg.offsetIndex.isFull ||
      seg.timeIndex.isFull ||
      this._logEndOffset + info.offsetCount - 1 - seg.baseOffset > INT32_MAX
    ) {
      this.roll(now);
    }
  }

  /** Starts a new segment at the log end; the old one is indexed, trimmed and flushed once its writes are done. */
  roll(now: number, baseOffset: number = this._logEndOffset): Segment {
    const old = this.activeSegment;
    if (old.size === 0) return old;
    const next = Segment.create(this.dir, baseOffset, this.config.segmentIndexBytes, now);
    this.segments.push(next);
    old.addFinalTimeIndexEntry();
    // Kafka snapshots the producer state at every roll, named by the new segment's base offset.
    this.producers.takeSnapshot(next.baseOffset, this._logStartOffset).catch(() => {});
    this.enqueue({
      kind: 'task',
      run: () => {
        // Runs after the old segment's writes: persist its indexes and fsync it
        // (in the background), then the recovery point moves past it.
        old.writeIndexes(false);
        old.flush().then(
          () => {
            if (next.baseOffset > this.recoveryPoint && next.baseOffset <= this._logEndOffset)
              this.recoveryPoint = next.baseOffset;
          },
          () => {},
        );
      },
    });
    return next;
  }

  /**
   * Queues appended bytes for the next coalesced write; once written, the tail
   * cache entry is marked written and (single replica) the high watermark moves.
   */
  private write(seg: Segment, position: number, buf: Buffer, entry: CacheEntry, lastOffset: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.enqueue({
        kind: 'write',
        seg,
        position,
        buf,
        done: () => {
          this.cache.markWritten(entry);
          if (this.hwFollowsLeo && lastOffset + 1 > this.highWatermark) {
            this.highWatermark = lastOffset + 1;
            this.onHighWatermark?.();
          }
          resolve();
        },
        fail: reject,
      });
    });
  }

  private enqueue(item: QueueItem): void {
    this.queue.push(item);
    if (!this.draining && !this.scheduled) {
      this.scheduled = true;
      // setImmediate lets appends of the same tick (and I/O phase) coalesce into one writev.
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    }
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const items = this.queue;
        this.queue = [];
        let i = 0;
        while (i < items.length) {
          const first = items[i]!;
          if (first.kind === 'task') {
            first.run();
            i++;
            continue;
          }
          // Group consecutive writes to the same segment at contiguous positions.
          const group = [first];
          let end = first.position + first.buf.length;
          let j = i + 1;
          for (; j < items.length; j++) {
            const it = items[j]!;
            if (it.kind !== 'write' || it.seg !== first.seg || it.position !== end) break;
            group.push(it);
            end += it.buf.length;
          }
          i = j;
          try {
            if (this.failure) throw this.failure;
            await first.seg.use((fd) =>
              writevAt(
                fd,
                group.map((g) => g.buf),
                first.position,
              ),
            );
            first.seg.writtenSize = end;
            for (const g of group) g.done();
          } catch (e) {
            this.failure ??= e as Error;
            for (const g of group) g.fail(e as Error);
          }
        }
        if (this.unflushedMessages >= this.config.flushMessages) await this.flush();
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when every append so far has been written. */
  writesIdle(): Promise<void> {
    if (!this.draining && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** fsyncs the active segment (flush.messages / close); the recovery point moves to the log end. */
  async flush(): Promise<void> {
    const end = this._logEndOffset;
    this.unflushedMessages = 0;
    await this.activeSegment.flush();
    if (end > this.recoveryPoint) this.recoveryPoint = end;
  }

  // ---------------------------------------------------------------- read

  /** Bytes held in this log's tail cache. */
  get tailCacheBytes(): number {
    return this.cache.bytes;
  }

  /** The first offset served from the tail cache (Infinity when it is empty). */
  get tailCacheStartOffset(): number {
    return this.cache.firstOffset;
  }

  read(fetchOffset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Promise<ReadResult> {
    if (fetchOffset < this._logStartOffset || fetchOffset > this._logEndOffset) {
      return Promise.resolve({ error: ErrorCode.OFFSET_OUT_OF_RANGE });
    }
    if (fetchOffset >= this._logEndOffset || fetchOffset >= maxOffset) return Promise.resolve({ chunks: [], bytes: 0 });
    const cached = this.cache.read(fetchOffset, { maxBytes, maxOffset, minOneBatch });
    if (cached) return Promise.resolve(cached);
    return this.readCold(fetchOffset, maxBytes, maxOffset, minOneBatch);
  }

  private segmentIndexFor(offset: number): number {
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

  // ---------------------------------------------------------------- timestamps

  /** Earliest record with timestamp >= ts (Kafka's fetchOffsetByTimestamp for a target time). */
  async offsetForTimestamp(ts: number): Promise<{ offset: number; timestamp: number } | null> {
    await this.writesIdle();
    const start = this._logStartOffset;
    for (const seg of this.segments) {
      if (seg.maxTimestamp < ts || seg.size === 0) continue;
      // The last time-index entry *below* ts: up to its offset every timestamp
      // is < ts, so the first record with timestamp >= ts lies after it. (An
      // entry equal to ts may point at the end of the batch where ts appeared.)
      const from = seg.timeIndex.lookup(ts - 1).offset;
      const position = seg.offsetIndex.lookup(Math.max(from, start)).position;
      for await (const { buf, pos } of segmentBatches(seg, position)) {
        const last = readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
        if (last < start || readInt64(buf, pos + BATCH.MAX_TIMESTAMP) < ts) continue;
        for (const r of decodeRecords(buf, pos)) {
          if (r.offset >= start && r.timestamp >= ts) return { offset: r.offset, timestamp: r.timestamp };
        }
      }
    }
    return null;
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the first record holding the log's largest timestamp. */
  async maxTimestamp(): Promise<{ offset: number; timestamp: number }> {
    await this.writesIdle();
    let best: Segment | undefined;
    for (const seg of this.segments)
      if (seg.size > 0 && seg.maxTimestamp >= 0 && (!best || seg.maxTimestamp > best.maxTimestamp)) best = seg;
    if (!best) return { offset: -1, timestamp: -1 };
    const ts = best.maxTimestamp;
    const position = best.offsetIndex.lookup(best.offsetOfMaxTimestamp).position;
    for await (const { buf, pos } of segmentBatches(best, position)) {
      if (readInt64(buf, pos + BATCH.MAX_TIMESTAMP) !== ts) continue;
      if (buf.readInt16BE(pos + BATCH.ATTRIBUTES) & Attr.TIMESTAMP_TYPE_LOG_APPEND)
        return { offset: readInt64(buf, pos), timestamp: ts };
      const rec = decodeRecords(buf, pos).find((r) => r.timestamp === ts);
      if (rec) return { offset: rec.offset, timestamp: ts };
    }
    return { offset: best.offsetOfMaxTimestamp, timestamp: ts };
  }

  // ---------------------------------------------------------------- retention

  /**
   * Deletes whole segments by retention.ms, retention.bytes and the log start
   * offset (Kafka's deleteOldSegments), never past the high watermark. When every
   * segment qualifies, a new empty active segment is rolled first. Returns the count.
   */
  deleteOldSegments(now: number): number {
    if (
      !this.config.cleanupPolicy
        .split(',')
        .map((s) => s.trim())
        .includes('delete')
    ) {
      return this.deleteSegments((seg, next) => next !== undefined && next.baseOffset <= this._logStartOffset, now);
    }
    let n = this.deleteSegments((seg, next) => next !== undefined && next.baseOffset <= this._logStartOffset, now);
    if (this.config.retentionMs >= 0) {
      const retentionMs = this.config.retentionMs;
      n += this.deleteSegments((seg) => now - seg.largestTimestamp > retentionMs, now);
    }
    if (this.config.retentionBytes >= 0) {
      let diff = this.size() - this.config.retentionBytes;
      n += this.deleteSegments((seg) => {
        if (diff - seg.size >= 0) {
          diff -= seg.size;
          return true;
        }
        return false;
      }, now);
    }
    return n;
  }

  /**
   * DeleteRecords: advances the log start offset to `offset` (records below it
   * become unreadable) and deletes the segments that now lie wholly below it.
   * Returns the new log start offset; `offset` must not pass the high watermark.
   */
  deleteRecordsBefore(offset: number, now: number = Date.now()): number {
    if (offset < 0 || offset > this.highWatermark) {
      throw new RangeError(
        `Cannot increment the log start offset to ${offset} of partition ${this.topic}-${this.partition} since it is larger than the high watermark ${this.highWatermark}`,
      );
    }
    if (offset > this._logStartOffset) {
      this._logStartOffset = offset;
      this.leaderEpochs.truncateFromStart(offset);
      this.deleteSegments((seg, next) => next !== undefined && next.baseOffset <= this._logStartOffset, now);
    }
    return this._logStartOffset;
  }

  private deleteSegments(predicate: (seg: Segment, next: Segment | undefined) => boolean, now: number): number {
    const deletable: Segment[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const next = this.segments[i + 1];
      const upper = next ? next.baseOffset : this._logEndOffset;
      if (!next && seg.size === 0) break;
      if (upper > this.highWatermark || !predicate(seg, next)) break;
      deletable.push(seg);
    }
    if (deletable.length === 0) return 0;
    if (deletable.length === this.segments.length) this.roll(now);
    this.segments = this.segments.slice(deletable.length);
    if (this.segments[0]!.baseOffset > this._logStartOffset) this._logStartOffset = this.segments[0]!.baseOffset;
    this.leaderEpochs.truncateFromStart(this._logStartOffset);
    for (const seg of deletable) this.scheduleDelete(seg);
    return deletable.length;
  }

  /** Kafka renames deleted segments' files to .deleted and removes them after file.delete.delay.ms. */
  private scheduleDelete(seg: Segment): void {
    const renamed: string[] = [];
    for (const p of [seg.logPath, seg.indexPath, seg.timeIndexPath]) {
      try {
        fs.renameSync(p, `${p}.deleted`);
        renamed.push(`${p}.deleted`);
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

  /** Writes the active segment's indexes as they are now (recovery rebuilds them anyway). */
  writeActiveIndexes(): void {
    this.activeSegment.writeIndexes(false);
  }

  /** Waits for writes, fsyncs, adds the final time-index entry and trims/writes the indexes, closes files. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.writesIdle();
    this.closed = true;
    const active = this.activeSegment;
    await this.flush();
    await this.producers.takeSnapshot(this._logEndOffset, this._logStartOffset).catch(() => {});
    active.addFinalTimeIndexEntry();
    for (const seg of this.segments) seg.writeIndexes(seg === active);
    await this.leaderEpochs.flushed();
    for (const d of [...this.pendingDeletes]) await d.run();
    for (const seg of this.segments) await seg.close();
    this.cache.clear();
  }

  /** Closes without flushing: the directory is about to be deleted. */
  async closeForDelete(): Promise<void> {
    if (this.closed) return;
    await this.writesIdle();
    this.closed = true;
    await this.producers.snapshotsWritten();
    for (const d of [...this.pendingDeletes]) await d.run();
    for (const seg of this.segments) await seg.close();
    this.cache.clear();
  }
}
