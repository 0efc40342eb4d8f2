// All partition logs of one broker directory (Kafka's LogManager): loading and
// recovery at startup, creation and deletion, retention and checkpoint timers,
// the broker-level checkpoint files and the clean-shutdown marker.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import {
  CHECKPOINT_FILES,
  CLEAN_SHUTDOWN_FILE,
  readOffsetCheckpoint,
  readPartitionMetadata,
  writeOffsetCheckpoint,
  type TopicPartitionOffset,
} from './checkpoint.ts';
import { LogCleaner } from './cleaner/log-cleaner.ts';
import { fsyncDir, writeFileAtomic } from './file-io.ts';
import { Log } from './log.ts';
import { TailCacheBudget } from './tail-cache.ts';
import type { ProducerExpiry } from './producer-state.ts';
import type { LogConfig } from './log-config.ts';

export { defaultLogConfig } from './log-config.ts';
export type { LogConfig } from './log-config.ts';
export { Log } from './log.ts';

/** log.retention.check.interval.ms and log.flush.offset.checkpoint.interval.ms defaults */
export const RETENTION_CHECK_INTERVAL_MS = 300000;
export const CHECKPOINT_INTERVAL_MS = 60000;

/**
 * Default bound on the bytes held by the tail caches of all the logs of one
 * LogManager together (each log's own cap, DEFAULT_TAIL_CACHE_BYTES, still
 * applies). Kafka has no such cache (it relies on the page cache), so this is
 * an option of the LogManager rather than a broker config.
 */
export const DEFAULT_TAIL_CACHE_BUDGET_BYTES = 256 * 1024 * 1024;

/** `<topic>-<partition>`; Kafka's topic names cannot make this ambiguous (the partition is after the last dash). */
export function parsePartitionDir(name: string): { topic: string; partition: number } | undefined {
  const i = name.lastIndexOf('-');
  if (i <= 0) return undefined;
  const p = name.slice(i + 1);
  if (!/^\d+$/.test(p)) return undefined;
  return { topic: name.slice(0, i), partition: Number(p) };
}

export interface LogManagerOptions {
  dir: string;
  defaultConfig: LogConfig;
  now?: () => number;
  /** run retention/checkpoint timers (default true) */
  timers?: boolean;
  retentionCheckIntervalMs?: number;
  checkpointIntervalMs?: number;
  /** Per-log tail cache cap (default DEFAULT_TAIL_CACHE_BYTES). */
  tailCacheBytes?: number;
  /**
   * Bound on all the logs' tail caches together (default
   * DEFAULT_TAIL_CACHE_BUDGET_BYTES): over it, the oldest written batches
   * broker-wide are dropped from memory and served from the segment files.
   */
  tailCacheBudgetBytes?: number;
  /** log.cleaner.enable (default true; runs only with timers) and log.cleaner.backoff.ms */
  cleanerEnable?: boolean;
  cleanerBackoffMs?: number;
  /** producer.id.expiration.ms and producer.id.expiration.check.interval.ms for every log. */
  producerExpiry?: ProducerExpiry;
}

export class LogManager {
  readonly dir: string;
  readonly defaultConfig: LogConfig;
  /** true when the previous run ended with a clean shutdown */
  readonly hadCleanShutdown: boolean;
  /** Compaction of cleanup.policy=compact logs; `cleaner.cleanNow()` runs a pass on demand. */
  readonly cleaner: LogCleaner;
  private readonly now: () => number;
  private readonly logs = new Map<string, Log>();
  private readonly timers: NodeJS.Timeout[] = [];
  private checkpointChain: Promise<void> = Promise.resolve();
  private readonly tailCacheBytes: number | undefined;
  /** Shared by the tail caches of all the logs. */
  readonly tailCacheBudget: TailCacheBudget;
  private readonly producerExpiry: ProducerExpiry | undefined;
  private closed = false;

  private constructor(opts: LogManagerOptions, clean: boolean) {
    this.dir = opts.dir;
    this.defaultConfig = opts.defaultConfig;
    this.now = opts.now ?? Date.now;
    this.hadCleanShutdown = clean;
    this.tailCacheBytes = opts.tailCacheBytes;
    this.tailCacheBudget = new TailCacheBudget(opts.tailCacheBudgetBytes ?? DEFAULT_TAIL_CACHE_BUDGET_BYTES);
    this.producerExpiry = opts.producerExpiry;
    this.cleaner = new LogCleaner({
      dir: opts.dir,
      logs: () => this.logs.values(),
      isLive: (log) => !this.closed && this.logs.get(`${log.topic}-${log.partition}`) === log && log.isOpen,
      now: this.now,
      backoffMs: opts.cleanerBackoffMs,
    });
  }

  static async open(opts: LogManagerOptions): Promise<LogManager> {
    fs.mkdirSync(opts.dir, { recursive: true });
    const marker = join(opts.dir, CLEAN_SHUTDOWN_FILE);
    const clean = fs.existsSync(marker);
    const mgr = new LogManager(opts, clean);
    const recovery = readOffsetCheckpoint(join(opts.dir, CHECKPOINT_FILES.recoveryPoint));
    const starts = readOffsetCheckpoint(join(opts.dir, CHECKPOINT_FILES.logStartOffset));
    const hws = readOffsetCheckpoint(join(opts.dir, CHECKPOINT_FILES.replicationOffset));
    const loads: Promise<void>[] = [];
    for (const ent of fs.readdirSync(opts.dir, { withFileTypes: true })) {
      if (!ent.isDirectory()) continue;
      const path = join(opts.dir, ent.name);
      // Kafka renames a deleted partition's dir to <topic>-<p>.<uniq>-delete before removing it.
      if (ent.name.endsWith('-delete')) {
        loads.push(fs.promises.rm(path, { recursive: true, force: true }));
        continue;
      }
      const tp = parsePartitionDir(ent.name);
      if (!tp) continue;
      const key = ent.name;
      loads.push(
        Log.open({
          dir: path,
          topic: tp.topic,
          partition: tp.partition,
          topicId: readPartitionMetadata(join(path, 'partition.metadata')) ?? '',
          config: opts.defaultConfig,
          recoveryPoint: recovery.get(key) ?? 0,
          logStartOffset: starts.get(key) ?? 0,
          highWatermark: hws.get(key),
          cleanShutdown: clean,
          now: mgr.now(),
          tailCacheBytes: opts.tailCacheBytes,
          tailCacheBudget: mgr.tailCacheBudget,
          producerExpiry: opts.producerExpiry,
        }).then((log) => {
          mgr.logs.set(key, log);
        }),
      );
    }
    await Promise.all(loads);
    // The marker only vouches for the previous run: remove it now that we are running.
    if (clean) {
      fs.rmSync(marker, { force: true });
      await fsyncDir(opts.dir);
    }
    if (opts.timers !== false) {
      const r = setInterval(() => {
        void mgr.runRetention().catch(() => {});
      }, opts.retentionCheckIntervalMs ?? RETENTION_CHECK_INTERVAL_MS);
      const c = setInterval(() => {
        void mgr.checkpoint().catch(() => {});
      }, opts.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS);
      r.unref();
      c.unref();
      mgr.timers.push(r, c);
      if (opts.cleanerEnable !== false) mgr.cleaner.start();
    }
    return mgr;
  }

  get(topic: string, partition: number): Log | undefined {
    return this.logs.get(`${topic}-${partition}`);
  }

  all(): Iterable<Log> {
    return this.logs.values();
  }

  async create(topic: string, partition: number, topicId: string, config: LogConfig): Promise<Log> {
    const key = `${topic}-${partition}`;
    const existing = this.logs.get(key);
    if (existing) {
      if (existing.topicId && topicId && existing.topicId !== topicId) {
        throw new Error(`partition ${key} exists with topic id ${existing.topicId}, not ${topicId}`);
      }
      existing.updateConfig(config);
      return existing;
    }
    const log = await Log.open({
      dir: join(this.dir, key),
      topic,
      partition,
      topicId,
      config,
      recoveryPoint: 0,
      logStartOffset: 0,
      cleanShutdown: true,
      now: this.now(),
      tailCacheBytes: this.tailCacheBytes,
      tailCacheBudget: this.tailCacheBudget,
      producerExpiry: this.producerExpiry,
    });
    this.logs.set(key, log);
    return log;
  }

  /**
   * Closes a log and renames its directory aside as Kafka does with a stray
   * replica (`<topic>-<p>.<uniq>-stray`): the files are kept, never loaded again
   * as a partition, and the name is free for a new log. Returns the new name.
   */
  async moveAside(topic: string, partition: number): Promise<string | undefined> {
    const key = `${topic}-${partition}`;
    const log = this.logs.get(key);
    if (!log) return undefined;
    this.logs.delete(key);
    await log.close();
    const renamed = `${log.dir}.${randomUUID().replace(/-/g, '')}-stray`;
    await fs.promises.rename(log.dir, renamed);
    await fsyncDir(this.dir);
    return renamed;
  }

  async delete(topic: string, partition: number): Promise<void> {
    const key = `${topic}-${partition}`;
    const log = this.logs.get(key);
    if (!log) return;
    this.logs.delete(key);
    await log.closeForDelete();
    const renamed = join(this.dir, `${key}.${randomUUID().replaceAll('-', '')}-delete`);
    await fs.promises.rename(log.dir, renamed);
    await fsyncDir(this.dir);
    await fs.promises.rm(renamed, { recursive: true, force: true });
  }

  async runRetention(now: number = this.now()): Promise<void> {
    for (const log of this.logs.values()) log.deleteOldSegments(now);
  }

  /** Writes the recovery-point, log-start-offset and replication-offset checkpoints. */
  checkpoint(): Promise<void> {
    const run = async () => {
      const logs = [...this.logs.values()].sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      );
      const entries = (f: (l: Log) => number): TopicPartitionOffset[] =>
        logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: f(l) }));
      await writeOffsetCheckpoint(
        join(this.dir, CHECKPOINT_FILES.recoveryPoint),
        entries((l) => l.recoveryPoint),
      );
      await writeOffsetCheckpoint(
        join(this.dir, CHECKPOINT_FILES.logStartOffset),
        entries((l) => l.logStartOffset),
      );
      await writeOffsetCheckpoint(
        join(this.dir, CHECKPOINT_FILES.replicationOffset),
        entries((l) => l.highWatermark),
      );
    };
    this.checkpointChain = this.checkpointChain.then(run, run);
    return this.checkpointChain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.cleaner.stop();
    for (const log of this.logs.values()) await log.close();
    await this.checkpoint();
    await writeFileAtomic(join(this.dir, CLEAN_SHUTDOWN_FILE), '');
  }
}
