// The log cleaner (Kafka's LogCleaner, one thread, with its LogCleanerManager's
// choice of what to clean): compaction of logs whose cleanup.policy includes
// "compact". Owned by the LogManager.
//
// A pass looks at every compacted log. Its "dirty" section starts at the
// offset recorded in `cleaner-offset-checkpoint` (the end of the previous
// clean) and ends at the first uncleanable segment: the active segment, or an
// earlier one still newer than min.compaction.lag.ms (or with writes in
// flight). The log is cleaned when dirty bytes / (clean + dirty bytes) ≥
// min.cleanable.dirty.ratio, when its oldest dirty record is older than
// max.compaction.lag.ms, or when tombstones it holds have reached their
// delete horizon. Cleaning then
//  1. builds an offset map (key → latest offset) over the dirty section
//     (offset-map.ts);
//  2. rewrites every segment below the map's end (clean section included),
//     keeping a record only when no later record has its key, and drops the
//     tombstones past their delete horizon (the Cleaner, cleaner.ts, which
//     also has the crash-safe swap of cleaned segments);
//  3. records the map's end as the log's new first dirty offset.
import { join } from 'node:path';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from '../checkpoint.ts';
import type { Log } from '../log.ts';
import { Cleaner, SimulatedCrash, type CrashPoint, type CleanStats } from './cleaner.ts';
import { buildOffsetMap, DEFAULT_MAX_MAP_KEYS, type OffsetMap } from './offset-map.ts';

export { SimulatedCrash, type CrashPoint } from './cleaner.ts';
export { DEFAULT_MAX_MAP_KEYS } from './offset-map.ts';

export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';
/** log.cleaner.backoff.ms default */
export const DEFAULT_CLEANER_BACKOFF_MS = 15000;

export function isCompacted(cleanupPolicy: string): boolean {
  // Called for every produced batch: no allocation. The value is validated
  // to a list of "delete" / "compact", so a substring test is exact.
  return cleanupPolicy.includes('compact');
}

export interface LogCleanerOptions {
  /** the broker's log directory (holds cleaner-offset-checkpoint) */
  dir: string;
  logs: () => Iterable<Log>;
  /** false once the log was deleted or closed */
  isLive: (log: Log) => boolean;
  now: () => number;
  /** log.cleaner.backoff.ms */
  backoffMs?: number;
  maxMapKeys?: number;
  onError?: (log: Log, err: unknown) => void;
  crashAt?: CrashPoint;
}

export interface CleanResult extends CleanStats {
  topic: string;
  partition: number;
  /** offset map range [firstDirty, endOffset) */
  firstDirty: number;
  endOffset: number;
  segmentsBefore: number;
  segmentsAfter: number;
  ms: number;
}

interface Pass {
  results: CleanResult[];
}

export class LogCleaner {
  private readonly opts: LogCleanerOptions;
  private readonly cleaner: Cleaner;
  private readonly checkpoints: Map<string, number>;
  /** Per log: the earliest delete horizon of a tombstone it keeps (unknown after a restart). */
  private readonly horizons = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** totals since start */
  readonly totals = { passes: 0, logsCleaned: 0, bytesRead: 0, bytesWritten: 0, errors: 0 };

  constructor(opts: LogCleanerOptions) {
    this.opts = opts;
    this.cleaner = new Cleaner({ isLive: opts.isLive, stopped: () => this.stopped, crashAt: opts.crashAt });
    this.checkpoints = readOffsetCheckpoint(join(opts.dir, CLEANER_CHECKPOINT_FILE));
  }

  /** Starts the background loop: a pass, then log.cleaner.backoff.ms, and again. */
  start(): void {
    if (this.timer || this.stopped) return;
    const loop = (): void => {
      this.timer = setTimeout(() => {
        void this.cleanNow()
          .catch(() => {})
          .finally(() => {
            if (!this.stopped) loop();
          });
      }, this.opts.backoffMs ?? DEFAULT_CLEANER_BACKOFF_MS);
      this.timer.unref();
    };
    loop();
  }

  /** Stops the loop and waits for a pass in progress (it stops between groups). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain.catch(() => {});
  }

  /** The first dirty offset recorded for a partition (tests, tools). */
  checkpointOf(topic: string, partition: number): number | undefined {
    return this.checkpoints.get(`${topic}-${partition}`);
  }

  /** Runs one pass now (after any pass in progress); resolves with what was cleaned. */
  cleanNow(): Promise<CleanResult[]> {
    const run = async (): Promise<CleanResult[]> => {
      const pass: Pass = { results: [] };
      for (const log of [...this.opts.logs()]) {
        if (this.stopped) break;
        if (!isCompacted(log.config.cleanupPolicy) || !this.opts.isLive(log)) continue;
        try {
          const r = await this.cleanLog(log);
          if (r) pass.results.push(r);
        } catch (e) {
          if (e instanceof SimulatedCrash) throw e;
          this.totals.errors++;
          if (this.opts.isLive(log)) this.opts.onError?.(log, e);
        }
      }
      this.totals.passes++;
      if (pass.results.length > 0) await this.writeCheckpoint();
      return pass.results;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }

  private async writeCheckpoint(): Promise<void> {
    const entries = [];
    for (const log of this.opts.logs()) {
      const offset = this.checkpoints.get(`${log.topic}-${log.partition}`);
      if (offset !== undefined) entries.push({ topic: log.topic, partition: log.partition, offset });
    }
    entries.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    await writeOffsetCheckpoint(join(this.opts.dir, CLEANER_CHECKPOINT_FILE), entries);
  }

  /** Cleans one log if it is due; undefined when it is not. */
  async cleanLog(log: Log): Promise<CleanResult | undefined> {
    const started = performance.now();
    const key = `${log.topic}-${log.partition}`;
    const cfg = log.config;
    const now = this.opts.now();
    const segs = [...log.allSegments];
    if (segs.length < 2) return undefined;
    const logStart = log.logStartOffset;
    let firstDirty = this.checkpoints.get(key) ?? logStart;
    if (firstDirty < logStart || firstDirty > log.logEndOffset) firstDirty = logStart;

    // The first uncleanable segment: the active one, or an earlier one that is too new or still being written.
    const minLag = cfg.minCompactionLagMs ?? 0;
    let uncleanIdx = segs.length - 1;
    for (let i = 0; i < segs.length - 1; i++) {
      const s = segs[i]!;
      const end = segs[i + 1]!.baseOffset;
      if (end <= firstDirty) continue;
      if (s.writtenSize !== s.size || end > log.highWatermark || (minLag > 0 && s.largestTimestamp > now - minLag)) {
        uncleanIdx = i;
        break;
      }
    }
    let cleanBytes = 0,
      dirtyBytes = 0,
      firstDirtyIdx = uncleanIdx;
    for (let i = 0; i < uncleanIdx; i++) {
      if (segs[i + 1]!.baseOffset <= firstDirty) cleanBytes += segs[i]!.size;
      else {
        dirtyBytes += segs[i]!.size;
        if (firstDirtyIdx === uncleanIdx) firstDirtyIdx = i;
      }
    }
    let due = dirtyBytes > 0 && dirtyBytes / (cleanBytes + dirtyBytes) >= (cfg.minCleanableDirtyRatio ?? 0.5);
    const maxLag = cfg.maxCompactionLagMs ?? Number.MAX_SAFE_INTEGER;
    if (!due && dirtyBytes > 0 && maxLag < Number.MAX_SAFE_INTEGER) {
      const s = segs[firstDirtyIdx]!;
      const firstTs = s.firstBatchTimestamp >= 0 ? s.firstBatchTimestamp : s.largestTimestamp;
      due = firstTs < now - maxLag;
    }
    const horizon = this.horizons.get(key);
    const tombstonesDue = cleanBytes > 0 && (horizon === undefined || now >= horizon);
    if (!due && !tombstonesDue) return undefined;

    const result: CleanResult = {
      topic: log.topic,
      partition: log.partition,
      firstDirty,
      endOffset: firstDirty,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsKept: 0,
      segmentsBefore: segs.length,
      segmentsAfter: 0,
      ms: 0,
    };

    // 1. The offset map over the dirty section (only when cleaning is due for dirty data).
    const map: OffsetMap = new Map();
    const maxKeys = this.opts.maxMapKeys ?? DEFAULT_MAX_MAP_KEYS;
    const endIdx = due
      ? await buildOffsetMap(map, segs, firstDirtyIdx, uncleanIdx, firstDirty, maxKeys)
      : firstDirtyIdx;
    const endOffset = endIdx < segs.length ? segs[endIdx]!.baseOffset : log.logEndOffset;
    result.endOffset = Math.max(endOffset, firstDirty);

    // 2. Rewrite everything below the map's end, group by group.
    const cleaned = await this.cleaner.clean(log, segs, endIdx, map, now, result);
    if (cleaned === undefined) return undefined;
    const { minHorizon, changed } = cleaned;
    this.horizons.set(key, minHorizon);
    // A look for due tombstones that found none (e.g. the first after a restart) is not a clean.
    if (!due && !changed) return undefined;
    this.checkpoints.set(key, result.endOffset);
    result.segmentsAfter = log.allSegments.length;
    result.ms = performance.now() - started;
    this.totals.logsCleaned++;
    this.totals.bytesRead += result.bytesRead;
    this.totals.bytesWritten += result.bytesWritten;
    return result;
  }
}
