// A partition's log (Kafka's UnifiedLog): appends (offsets, leader epochs and
// producer state; the batch walks are in log-append.ts), the log start offset,
// the high watermark, lookups by timestamp and retention; for replication,
// follower appends of the leader's batches as they are, truncation and the
// leader-epoch lookups. Its LocalLog (local-log.ts) holds the segments, the
// tail cache and the asynchronous writes (write-queue.ts); the LogLoader
// (log-loader.ts) opens and recovers the partition directory.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import { batchSize, type BatchesInfo } from '../protocol/record-batch.ts';
import { PARTITION_METADATA, readPartitionMetadataFile, writePartitionMetadataSync } from './checkpoint.ts';
import { LeaderEpochCache } from './leader-epoch-cache.ts';
import {
  analyzeLeaderBatches,
  assignOffsets,
  indexLeaderBatches,
  type AppendResult,
  type FollowerAppendResult,
} from './log-append.ts';
import type { LogConfig } from './log-config.ts';
import { loadLog, type LoadStats } from './log-loader.ts';
import { LocalLog, type ReadResult } from './local-log.ts';
import type { Segment } from './segment.ts';
import { listSnapshots, ProducerStateManager, snapshotFileName, type ProducerExpiry } from './producer-state.ts';
import type { TailCacheBudget } from './tail-cache.ts';

export type { AppendResult, FollowerAppendResult } from './log-append.ts';
export type { ReadResult } from './local-log.ts';

// Per partition: enough for consumers that keep up with producers to read from
// memory, small enough that many busy partitions do not balloon the heap.
export const DEFAULT_TAIL_CACHE_BYTES = 4 * 1024 * 1024;

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

export class Log {
  readonly topic: string;
  readonly partition: number;
  readonly topicId: string;
  /** Why partition.metadata cannot be trusted (Kafka refuses to load such a log); undefined when it is sound or absent. */
  metadataDamage: string | undefined;
  readonly dir: string;
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
  readonly loadStats: LoadStats;
  readonly leaderEpochs: LeaderEpochCache;
  /** Idempotent producers' state (set by open(); see producer-state.ts). */
  producers!: ProducerStateManager;
  private readonly local: LocalLog;
  private _logStartOffset: number;
  private readonly producerExpiry: ProducerExpiry | undefined;
  private closed = false;
  /** A truncation is in progress: appends are refused until it is done. */
  private truncating = false;

  private constructor(o: LogOpenOptions, segments: Segment[], stats: LoadStats) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.topicId = o.topicId;
    this.dir = o.dir;
    this.loadStats = stats;
    this._logStartOffset = Math.max(o.logStartOffset, segments[0]!.baseOffset);
    this.local = new LocalLog({
      dir: o.dir,
      config: o.config,
      segments,
      recoveryPoint: o.recoveryPoint,
      tailCacheBytes: o.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES,
      tailCacheBudget: o.tailCacheBudget,
      // Single replica: a completed write commits what it wrote.
      onWritten: (end) => {
        if (this.hwFollowsLeo && end > this.highWatermark) {
          this.highWatermark = end;
          this.onHighWatermark?.();
        }
      },
    });
    const logEnd = this.local.logEndOffset;
    // Single node: everything on disk is committed, so the high watermark starts at the log end.
    this.highWatermark = logEnd;
    this.checkpointHighWatermark = Math.max(
      this._logStartOffset,
      Math.min(o.highWatermark ?? this._logStartOffset, logEnd),
    );
    this.producerExpiry = o.producerExpiry;
    this.leaderEpochs = new LeaderEpochCache(o.dir);
    this.leaderEpochs.truncateFromEnd(logEnd);
  }

  /** Opens (and if needed recovers) the partition directory, creating it when absent. */
  static async open(o: LogOpenOptions): Promise<Log> {
    fs.mkdirSync(o.dir, { recursive: true });
    const metaPath = join(o.dir, PARTITION_METADATA);
    const stored = readPartitionMetadataFile(metaPath);
    // A damaged file is kept as it is (the broker reports it and leaves the partition offline).
    if (stored === undefined && o.topicId) writePartitionMetadataSync(metaPath, o.topicId);
    const storedId = stored && 'topicId' in stored ? stored.topicId : undefined;
    const { segments, stats } = await loadLog(o.dir, o);
    const log = new Log({ ...o, topicId: storedId ?? o.topicId }, segments, stats);
    if (stored && 'damaged' in stored) log.metadataDamage = `${PARTITION_METADATA} ${stored.damaged}`;
    log.producers = await log.loadProducerState(o.now);
    return log;
  }

  get config(): LogConfig {
    return this.local.config;
  }
  set config(c: LogConfig) {
    this.local.config = c;
  }
  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this.local.logEndOffset;
  }
  /** Everything below it is fsynced (recovery-point-offset-checkpoint). */
  get recoveryPoint(): number {
    return this.local.recoveryPoint;
  }
  set recoveryPoint(offset: number) {
    this.local.recoveryPoint = offset;
  }
  get activeSegment(): Segment {
    return this.local.activeSegment;
  }
  get segmentCount(): number {
    return this.local.segments.length;
  }
  segmentBaseOffsets(): number[] {
    return this.local.segments.map((s) => s.baseOffset);
  }
  /** The segments, oldest first, the last one active (read by the log cleaner, core/storage/cleaner/). */
  get allSegments(): readonly Segment[] {
    return this.local.segments;
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
    if (this.closed || !this.local.replaceSegments(old, replacement)) return false;
    const first = this.local.segments[0]!.baseOffset;
    if (first > this._logStartOffset) this._logStartOffset = first;
    return true;
  }

  updateConfig(c: LogConfig): void {
    this.local.config = c;
  }

  size(): number {
    return this.local.size();
  }

  // ---------------------------------------------------------------- append

  append(batches: Buffer, info: BatchesInfo, leaderEpoch: number, now: number): AppendResult {
    this.checkAppendable();
    const local = this.local;
    const config = local.config;
    const baseOffset = local.logEndOffset;
    const lastOfAppend = baseOffset + info.offsetCount - 1;
    if (local.activeSegment.shouldRoll(config, batches.length, info.maxTimestamp, lastOfAppend, now)) this.roll(now);
    const seg = local.activeSegment;
    const segStart = seg.size;
    const logAppend = config.messageTimestampType === 'LogAppendTime';
    const interval = config.indexIntervalBytes;
    const lastOffset = assignOffsets(
      batches,
      seg,
      baseOffset,
      leaderEpoch,
      logAppend,
      now,
      interval,
      this.leaderEpochs,
    );
    const written = local.append(seg, segStart, batches, baseOffset, lastOffset, info.recordCount, now);
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
    this.checkAppendable();
    const local = this.local;
    const { end, firstOffset, lastOffset, maxTimestamp, recordCount } = analyzeLeaderBatches(
      batches,
      local.logEndOffset,
      this.topic,
      this.partition,
    );
    if (end === 0) return { firstOffset: -1, lastOffset: -1, written: Promise.resolve() };
    const data = end === batches.length ? batches : batches.subarray(0, end);
    // Roll as a leader append would, starting the new segment at the first batch's offset.
    if (local.activeSegment.shouldRoll(local.config, data.length, maxTimestamp, lastOffset, now))
      this.roll(now, firstOffset);
    const seg = local.activeSegment;
    const segStart = seg.size;
    indexLeaderBatches(data, seg, local.config.indexIntervalBytes, this.leaderEpochs);
    const written = local.append(seg, segStart, data, firstOffset, lastOffset, recordCount, now);
    // Producer state from the batch headers, as the leader recorded it.
    for (let p = 0; p < end; p += batchSize(data, p)) this.producers.replayBatch(data, p, written);
    return { firstOffset, lastOffset, written };
  }

  private checkAppendable(): void {
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
    const failure = this.local.failure;
    if (failure) throw failure;
    if (this.truncating) {
      throw new KafkaError(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `partition ${this.topic}-${this.partition} is being truncated`,
      );
    }
  }

  /** Starts a new segment at the log end; the old one is indexed, trimmed and flushed once its writes are done. */
  roll(now: number, baseOffset: number = this.local.logEndOffset): Segment {
    const old = this.local.activeSegment;
    const next = this.local.roll(now, baseOffset);
    // Kafka snapshots the producer state at every roll, named by the new segment's base offset.
    if (next !== old) this.producers.takeSnapshot(next.baseOffset, this._logStartOffset).catch(() => {});
    return next;
  }

  /** Resolves when every append so far has been written. */
  writesIdle(): Promise<void> {
    return this.local.writesIdle();
  }

  /** fsyncs the active segment (flush.messages / close); the recovery point moves to the log end. */
  flush(): Promise<void> {
    return this.local.flush();
  }

  // ---------------------------------------------------------------- replication

  /**
   * Moves the high watermark forwards to `hw`, clamped to the log end.
   * Returns true when it moved.
   */
  updateHighWatermark(hw: number): boolean {
    const v = Math.min(hw, this.local.logEndOffset);
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
    return this.leaderEpochs.endOffsetFor(epoch, this.local.logEndOffset);
  }

  /** A leader epoch starts at the current log end (a replica becomes leader). */
  assignEpochStartOffset(epoch: number): void {
    this.leaderEpochs.assignStart(epoch, this.local.logEndOffset);
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
    if (offset >= this.local.logEndOffset) return this.local.logEndOffset;
    if (offset < this._logStartOffset) {
      await this.truncateFullyAndStartAt(offset);
      return this.local.logEndOffset;
    }
    this.truncating = true;
    try {
      await this.writesIdle();
      if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
      if (offset >= this.local.logEndOffset) return this.local.logEndOffset;
      const newEnd = await this.local.truncateSegments(offset);
      this.afterTruncation(newEnd);
      this.local.activeSegment.writeIndexes(false);
      await this.reloadProducerState();
      return newEnd;
    } finally {
      this.truncating = false;
    }
  }

  /** Empties the log and restarts it at `offset` (a follower far behind a leader's log start). */
  async truncateFullyAndStartAt(offset: number): Promise<void> {
    this.truncating = true;
    try {
      await this.writesIdle();
      if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`);
      this.local.replaceAllSegments(offset);
      this._logStartOffset = offset;
      await this.producers.snapshotsWritten();
      for (const o of listSnapshots(this.dir)) fs.rmSync(join(this.dir, snapshotFileName(o)), { force: true });
      this.leaderEpochs.truncateFromEnd(-Infinity);
      this.afterTruncation(offset);
      this.highWatermark = offset;
      await this.reloadProducerState();
    } finally {
      this.truncating = false;
    }
  }

  private afterTruncation(newEnd: number): void {
    this.local.truncated(newEnd);
    this.leaderEpochs.truncateFromEnd(newEnd);
    if (this.highWatermark > newEnd) this.highWatermark = newEnd;
  }

  /** Producer state for the truncated log: snapshots past the end removed, the rest replayed. */
  private async reloadProducerState(): Promise<void> {
    await this.producers.snapshotsWritten();
    this.producers = await this.loadProducerState(Date.now());
  }

  /** Kafka's loadProducerState: the latest snapshot at or below the log end, then the batches after it. */
  private loadProducerState(now: number): Promise<ProducerStateManager> {
    const { dir, local } = this;
    return ProducerStateManager.load(
      dir,
      local.segments,
      this._logStartOffset,
      local.logEndOffset,
      now,
      this.producerExpiry,
    );
  }

  // ---------------------------------------------------------------- read

  /** Bytes held in this log's tail cache. */
  get tailCacheBytes(): number {
    return this.local.cache.bytes;
  }

  /** The first offset served from the tail cache (Infinity when it is empty). */
  get tailCacheStartOffset(): number {
    return this.local.cache.firstOffset;
  }

  read(fetchOffset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Promise<ReadResult> {
    const logEnd = this.local.logEndOffset;
    if (fetchOffset < this._logStartOffset || fetchOffset > logEnd) {
      return Promise.resolve({ error: ErrorCode.OFFSET_OUT_OF_RANGE });
    }
    if (fetchOffset >= logEnd || fetchOffset >= maxOffset) return Promise.resolve({ chunks: [], bytes: 0 });
    return this.local.read(fetchOffset, maxBytes, maxOffset, minOneBatch);
  }

  // ---------------------------------------------------------------- timestamps

  /** Earliest record with timestamp >= ts (Kafka's fetchOffsetByTimestamp for a target time). */
  async offsetForTimestamp(ts: number): Promise<{ offset: number; timestamp: number } | null> {
    await this.writesIdle();
    const start = this._logStartOffset;
    for (const seg of this.local.segments) {
      const found = await seg.findOffsetByTimestamp(ts, start);
      if (found) return found;
    }
    return null;
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the first record holding the log's largest timestamp. */
  async maxTimestamp(): Promise<{ offset: number; timestamp: number }> {
    await this.writesIdle();
    let best: Segment | undefined;
    for (const seg of this.local.segments)
      if (seg.size > 0 && seg.maxTimestamp >= 0 && (!best || seg.maxTimestamp > best.maxTimestamp)) best = seg;
    return best ? best.findMaxTimestampRecord() : { offset: -1, timestamp: -1 };
  }

  // ---------------------------------------------------------------- retention

  /**
   * Deletes whole segments by retention.ms, retention.bytes and the log start
   * offset (Kafka's deleteOldSegments), never past the high watermark. When every
   * segment qualifies, a new empty active segment is rolled first. Returns the count.
   */
  deleteOldSegments(now: number): number {
    const policies = this.config.cleanupPolicy.split(',').map((s) => s.trim());
    let n = this.deleteSegments((seg, next) => next !== undefined && next.baseOffset <= this._logStartOffset, now);
    if (!policies.includes('delete')) return n;
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
    const deletable = this.local.deletableSegments(predicate, this.highWatermark);
    if (deletable.length === 0) return 0;
    if (deletable.length === this.local.segments.length) this.roll(now);
    this.local.removeAndDeleteSegments(deletable);
    const first = this.local.segments[0]!.baseOffset;
    if (first > this._logStartOffset) this._logStartOffset = first;
    this.leaderEpochs.truncateFromStart(this._logStartOffset);
    return deletable.length;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Writes the active segment's indexes as they are now (recovery rebuilds them anyway). */
  writeActiveIndexes(): void {
    this.local.activeSegment.writeIndexes(false);
  }

  /** Waits for writes, fsyncs, adds the final time-index entry and trims/writes the indexes, closes files. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.writesIdle();
    this.closed = true;
    const active = this.local.activeSegment;
    await this.flush();
    await this.producers.takeSnapshot(this.local.logEndOffset, this._logStartOffset).catch(() => {});
    active.addFinalTimeIndexEntry();
    for (const seg of this.local.segments) seg.writeIndexes(seg === active);
    await this.leaderEpochs.flushed();
    await this.local.close();
  }

  /** Closes without flushing: the directory is about to be deleted. */
  async closeForDelete(): Promise<void> {
    if (this.closed) return;
    await this.writesIdle();
    this.closed = true;
    await this.producers.snapshotsWritten();
    await this.local.close();
  }
}
