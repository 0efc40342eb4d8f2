// A follower's replica fetcher (Kafka's ReplicaFetcherThread): one per source
// leader broker, one connection to it, fetching every partition this broker
// follows from that leader.
//
// Per partition, first the divergent history is cut: an OffsetForLeaderEpoch
// request for the epoch of the local log's latest leader-epoch entry; the log
// is truncated to min(the leader's end offset for it, the local log end), and
// when the leader's epoch differs from the local one the question is asked
// again for the epoch found (Kafka's truncation loop). A log without epochs is
// truncated to its high watermark. Then Fetch long polls (v13: topic ids, the
// replica id in the body, LastFetchedEpoch), appending what comes back with
// appendAsFollower and taking the high watermark min(leader's, log end) and
// the leader's log start offset. After an answer with data the next Fetch
// goes out at once, so the leader learns the new log end (and moves its high
// watermark) without waiting. A partition added while a Fetch is parked at
// the leader (a leader change moved it here) does not wait for that long
// poll to end: the request is abandoned (its connection closed) and a new
// one, with the partition, goes out at once. FENCED_LEADER_EPOCH parks the
// partition until new metadata brings a new epoch; UNKNOWN_LEADER_EPOCH (the
// leader has not applied the new epoch yet, which takes it milliseconds) is
// retried after 10 ms, doubling up to replica.fetch.backoff.ms;
// NOT_LEADER_OR_FOLLOWER, an unknown topic, and lost connections are retried
// after replica.fetch.backoff.ms.
import { ErrorCode } from '../protocol/errors.ts';
import { ApiKey } from '../protocol/messages/api-keys.ts';
import { decodeFetchResponse, encodeFetchRequest, type FetchRequestInput } from '../protocol/messages/fetch.ts';
import {
  decodeOffsetForLeaderEpochResponse,
  encodeOffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochRequestInput,
} from '../protocol/messages/offset-for-leader-epoch.ts';
import { LeaderConnection } from './leader-connection.ts';
import type { PartitionState } from './topic-manager.ts';

const FETCH_VERSION = 13;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 4;
/** First retry after UNKNOWN_LEADER_EPOCH (then doubling, up to replica.fetch.backoff.ms). */
const UNKNOWN_EPOCH_RETRY_MS = 10;

/** Kafka's follower fetch settings (names and defaults of its broker configs). */
export interface FetchSettings {
  /** replica.fetch.wait.max.ms */
  waitMaxMs: number;
  /** replica.fetch.min.bytes */
  minBytes: number;
  /** replica.fetch.max.bytes (per partition) */
  maxBytes: number;
  /** replica.fetch.response.max.bytes */
  responseMaxBytes: number;
  /** replica.fetch.backoff.ms */
  backoffMs: number;
  /** replica.socket.timeout.ms */
  socketTimeoutMs: number;
}

export const DEFAULT_FETCH_SETTINGS: FetchSettings = Object.freeze({
  waitMaxMs: 500,
  minBytes: 1,
  maxBytes: 1048576,
  responseMaxBytes: 10485760,
  backoffMs: 1000,
  socketTimeoutMs: 30000,
});

export type FetchState = 'truncate' | 'fetch' | 'paused';

/** A partition this fetcher replicates. */
export interface FetcherPartition {
  readonly p: PartitionState;
  readonly key: string;
  readonly leaderEpoch: number;
  state: FetchState;
  /** Not before this time (after an error). */
  retryAt: number;
  /** UNKNOWN_LEADER_EPOCH answers in a row. */
  unknownEpochs: number;
}

export interface ReplicaFetcherOptions {
  /** This broker. */
  brokerId: number;
  /** The leader fetched from. */
  sourceId: number;
  endpoint(): { host: string; port: number } | undefined;
  settings: FetchSettings;
  /** The follower's high watermark moved (or its log changed). */
  onHighWatermark?(p: PartitionState): void;
  log(msg: string): void;
}

export class ReplicaFetcher {
  readonly sourceId: number;
  private readonly opts: ReplicaFetcherOptions;
  private readonly parts = new Map<string, FetcherPartition>();
  private conn: LeaderConnection | undefined;
  private connTarget = '';
  private closed = false;
  private wake: (() => void) | undefined;
  private running: Promise<void>;
  private connectFailures = 0;
  private paused = false;
  /** The connection a Fetch long poll is parked on, while it is. */
  private polling: LeaderConnection | undefined;
  /** A connection closed on purpose (not a failure: no backoff). */
  private abandoned: LeaderConnection | undefined;
  /** Counts add() calls: a round that saw a change does not send its Fetch. */
  private generation = 0;

  constructor(opts: ReplicaFetcherOptions) {
    this.opts = opts;
    this.sourceId = opts.sourceId;
    this.running = this.run();
  }

  get size(): number {
    return this.parts.size;
  }
  has(key: string): boolean {
    return this.parts.has(key);
  }
  partition(key: string): FetcherPartition | undefined {
    return this.parts.get(key);
  }

  /** Starts (or restarts, at a new epoch) replicating `p`: truncation first. */
  add(key: string, p: PartitionState, leaderEpoch: number): void {
    this.parts.set(key, { p, key, leaderEpoch, state: 'truncate', retryAt: 0, unknownEpochs: 0 });
    this.generation++;
    // A Fetch parked at the leader does not carry this partition: don't let
    // the partition wait up to replica.fetch.wait.max.ms for it to return.
    if (this.polling) this.abandon(this.polling);
    this.kick();
  }

  remove(key: string): void {
    this.parts.delete(key);
  }

  /** Stops (true) or resumes fetching, keeping the partitions (diagnostics, tests). */
  setPaused(paused: boolean): void {
    this.paused = paused;
    // A parked Fetch would still bring what the leader appends next.
    if (paused && this.polling) this.abandon(this.polling);
    this.kick();
  }

  /** The leader's address may have changed: reconnect on the next round. */
  endpointChanged(): void {
    const e = this.opts.endpoint();
    if (this.conn && (!e || `${e.host}:${e.port}` !== this.connTarget)) this.abandon(this.conn);
    this.kick();
  }

  /** Closes `conn` on purpose: what is in flight on it fails, and the loop goes on at once. */
  private abandon(conn: LeaderConnection): void {
    this.abandoned = conn;
    if (this.polling === conn) this.polling = undefined;
    if (this.conn === conn) this.conn = undefined;
    conn.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.parts.clear();
    this.conn?.close();
    this.conn = undefined;
    this.kick();
    await this.running;
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(
        () => {
          this.wake = undefined;
          resolve();
        },
        Math.max(0, ms),
      );
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.paused) {
        await this.sleep(60_000);
        continue;
      }
      const generation = this.generation;
      const now = Date.now();
      let next = Infinity;
      const ready: FetcherPartition[] = [];
      for (const fp of this.parts.values()) {
        if (fp.state === 'paused') continue;
        if (fp.retryAt > now) {
          next = Math.min(next, fp.retryAt);
          continue;
        }
        ready.push(fp);
      }
      if (ready.length === 0) {
        await this.sleep(next === Infinity ? 60_000 : next - now);
        continue;
      }
      let conn: LeaderConnection;
      try {
        conn = await this.connection();
        this.connectFailures = 0;
      } catch (e) {
        if (this.closed) return;
        if (this.connectFailures++ === 0)
          this.opts.log(`cannot reach leader ${this.sourceId}: ${(e as Error).message}`);
        await this.sleep(this.opts.settings.backoffMs);
        continue;
      }
      try {
        const truncating = ready.filter((fp) => fp.state === 'truncate');
        if (truncating.length > 0) await this.truncate(conn, truncating);
        // Partitions added meanwhile go into this round's Fetch (after their truncation).
        if (this.generation !== generation) continue;
        const fetching = ready.filter(
          (fp) => fp.state === 'fetch' && this.parts.get(fp.key) === fp && fp.retryAt <= Date.now(),
        );
        if (fetching.length > 0) await this.fetch(conn, fetching);
      } catch (e) {
        if (this.closed) return;
        if (this.abandoned === conn) {
          this.abandoned = undefined;
          continue;
        }
        this.opts.log(`fetching from leader ${this.sourceId} failed: ${(e as Error).message}`);
        conn.close();
        if (this.conn === conn) this.conn = undefined;
        await this.sleep(this.opts.settings.backoffMs);
      }
    }
  }

  private async connection(): Promise<LeaderConnection> {
    if (this.conn && !this.conn.closed) return this.conn;
    const e = this.opts.endpoint();
    if (!e) throw new Error(`no address known for broker ${this.sourceId}`);
    this.conn = await LeaderConnection.connect(
      e.host,
      e.port,
      `samsa-replica-fetcher-${this.opts.brokerId}`,
      this.opts.settings.socketTimeoutMs,
    );
    this.connTarget = `${e.host}:${e.port}`;
    return this.conn;
  }

  private backoff(fp: FetcherPartition): void {
    fp.retryAt = Date.now() + this.opts.settings.backoffMs;
  }

  /** Whether an answer for `fp` still applies (not removed or re-added meanwhile). */
  private current(fp: FetcherPartition): boolean {
    return !this.closed && this.parts.get(fp.key) === fp;
  }

  // ---------------------------------------------------------------- truncation

  private async truncate(conn: LeaderConnection, parts: FetcherPartition[]): Promise<void> {
    const ask: FetcherPartition[] = [];
    for (const fp of parts) {
      const log = fp.p.log;
      if (log.latestEpoch() < 0) {
        // No epoch history: only what was committed is known to be shared.
        if (log.highWatermark < log.logEndOffset) {
          this.opts.log(
            `truncating ${fp.p.topic}-${fp.p.partition} from ${log.logEndOffset} to its high watermark ${log.highWatermark} (no leader epochs)`,
          );
          await log.truncateTo(log.highWatermark);
        }
        if (this.current(fp)) fp.state = 'fetch';
      } else {
        ask.push(fp);
      }
    }
    if (ask.length === 0) return;
    const byTopic = new Map<string, FetcherPartition[]>();
    for (const fp of ask) {
      let list = byTopic.get(fp.p.topic);
      if (!list) byTopic.set(fp.p.topic, (list = []));
      list.push(fp);
    }
    const req: OffsetForLeaderEpochRequestInput = {
      replicaId: this.opts.brokerId,
      topics: [...byTopic].map(([topic, list]) => ({
        topic,
        partitions: list.map((fp) => ({
          partition: fp.p.partition,
          currentLeaderEpoch: fp.leaderEpoch,
          leaderEpoch: fp.p.log.latestEpoch(),
        })),
      })),
    };
    const res = await conn.send(
      ApiKey.OffsetForLeaderEpoch,
      OFFSET_FOR_LEADER_EPOCH_VERSION,
      req,
      encodeOffsetForLeaderEpochRequest,
      decodeOffsetForLeaderEpochResponse,
    );
    for (const t of res.topics) {
      const list = byTopic.get(t.topic) ?? [];
      for (const r of t.partitions) {
        const fp = list.find((x) => x.p.partition === r.partition);
        if (!fp || !this.current(fp) || fp.state !== 'truncate') continue;
        if (r.errorCode !== ErrorCode.NONE) {
          this.onPartitionError(fp, r.errorCode, 'OffsetForLeaderEpoch');
          continue;
        }
        await this.truncateToLeader(fp, r.leaderEpoch, r.endOffset, fp.p.log.latestEpoch());
      }
    }
  }

  /**
   * Kafka's truncation rule for the leader's answer (epoch, endOffset) about
   * the local epoch `asked`: an unknown answer truncates to the high
   * watermark; the same epoch here truncates to the smaller end; a different
   * one truncates to where that epoch ends here and asks again.
   */
  private async truncateToLeader(fp: FetcherPartition, epoch: number, endOffset: number, asked: number): Promise<void> {
    const log = fp.p.log;
    fp.unknownEpochs = 0;
    let target: number;
    let done = true;
    if (endOffset < 0) {
      target = log.highWatermark;
    } else if (epoch < 0) {
      target = Math.min(endOffset, log.logEndOffset);
    } else {
      const local = log.endOffsetForEpoch(epoch);
      if (local.endOffset < 0) {
        target = Math.min(endOffset, log.logEndOffset);
      } else if (local.epoch === epoch) {
        target = Math.min(endOffset, local.endOffset, log.logEndOffset);
      } else {
        target = Math.min(local.endOffset, log.logEndOffset);
        done = false;
      }
    }
    if (target < log.logEndOffset) {
      this.opts.log(
        `truncating ${fp.p.topic}-${fp.p.partition} from ${log.logEndOffset} to ${target} (leader ${this.sourceId}, epoch ${epoch} ends at ${endOffset})`,
      );
      await log.truncateTo(target);
      this.opts.onHighWatermark?.(fp.p);
    }
    if (!this.current(fp)) return;
    // Done, or no progress possible (the local latest epoch did not change).
    fp.state = done || log.latestEpoch() === asked ? 'fetch' : 'truncate';
  }

  private onPartitionError(fp: FetcherPartition, code: number, what: string): void {
    if (code === ErrorCode.FENCED_LEADER_EPOCH) {
      // Our epoch is old: new metadata will bring the partition back.
      fp.state = 'paused';
      return;
    }
    if (code === ErrorCode.UNKNOWN_LEADER_EPOCH) {
      // Ours is newer: the leader is applying the same metadata right now.
      fp.retryAt =
        Date.now() +
        Math.min(this.opts.settings.backoffMs, UNKNOWN_EPOCH_RETRY_MS * 2 ** Math.min(fp.unknownEpochs++, 16));
      return;
    }
    if (
      code !== ErrorCode.NOT_LEADER_OR_FOLLOWER &&
      code !== ErrorCode.UNKNOWN_LEADER_EPOCH &&
      code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION &&
      code !== ErrorCode.UNKNOWN_TOPIC_ID
    ) {
      this.opts.log(`${what} for ${fp.p.topic}-${fp.p.partition} from leader ${this.sourceId}: error ${code}`);
    }
    this.backoff(fp);
  }

  // ---------------------------------------------------------------- fetching

  private async fetch(conn: LeaderConnection, parts: FetcherPartition[]): Promise<void> {
    const s = this.opts.settings;
    const byTopic = new Map<string, FetcherPartition[]>();
    for (const fp of parts) {
      let list = byTopic.get(fp.p.topicId);
      if (!list) byTopic.set(fp.p.topicId, (list = []));
      list.push(fp);
    }
    const sent = new Map<FetcherPartition, number>();
    // A partition waiting out a retry delay (not in this Fetch) must not wait for its long poll too.
    const start = Date.now();
    let retryAt = Infinity;
    for (const fp of this.parts.values()) {
      if (fp.state !== 'paused' && fp.retryAt > start && fp.retryAt < retryAt) retryAt = fp.retryAt;
    }
    const maxWaitMs = Math.min(s.waitMaxMs, retryAt - start);
    const req: FetchRequestInput = {
      replicaId: this.opts.brokerId,
      maxWaitMs,
      minBytes: s.minBytes,
      maxBytes: s.responseMaxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topicId, list]) => ({
        topicId,
        partitions: list.map((fp) => {
          const log = fp.p.log;
          sent.set(fp, log.logEndOffset);
          return {
            partition: fp.p.partition,
            currentLeaderEpoch: fp.leaderEpoch,
            fetchOffset: log.logEndOffset,
            lastFetchedEpoch: log.latestEpoch(),
            logStartOffset: log.logStartOffset,
            partitionMaxBytes: s.maxBytes,
          };
        }),
      })),
    };
    this.polling = conn;
    let res;
    try {
      res = await conn.send(ApiKey.Fetch, FETCH_VERSION, req, encodeFetchRequest, decodeFetchResponse, s.waitMaxMs);
    } finally {
      if (this.polling === conn) this.polling = undefined;
    }
    if (res.errorCode !== ErrorCode.NONE) {
      for (const fp of parts) this.onPartitionError(fp, res.errorCode, 'Fetch');
      return;
    }
    const now = Date.now();
    for (const t of res.responses) {
      const list = byTopic.get(t.topicId) ?? [];
      for (const pd of t.partitions) {
        const fp = list.find((x) => x.p.partition === pd.partitionIndex);
        if (!fp || !this.current(fp) || fp.state !== 'fetch') continue;
        const log = fp.p.log;
        // Truncated or re-added meanwhile: this answer is for an old position.
        if (log.logEndOffset !== sent.get(fp)) continue;
        if (pd.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          await this.outOfRange(fp, pd.logStartOffset, pd.highWatermark);
          continue;
        }
        if (pd.errorCode !== ErrorCode.NONE) {
          this.onPartitionError(fp, pd.errorCode, 'Fetch');
          continue;
        }
        fp.unknownEpochs = 0;
        if (pd.divergingEpoch && pd.divergingEpoch.endOffset >= 0) {
          await this.truncateToLeader(fp, pd.divergingEpoch.epoch, pd.divergingEpoch.endOffset, log.latestEpoch());
          continue;
        }
        const records = pd.records;
        if (records && records.length > 0) {
          // Keep only this partition's bytes alive, not the whole response frame.
          const data = records.length * 2 < res.frameBytes ? Buffer.from(records) : records;
          try {
            log.appendAsFollower(data, now);
          } catch (e) {
            this.opts.log(`${fp.p.topic}-${fp.p.partition}: ${(e as Error).message}`);
            this.backoff(fp);
            continue;
          }
        }
        const hwMoved = log.updateHighWatermark(Math.min(pd.highWatermark, log.logEndOffset));
        if (pd.logStartOffset > log.logStartOffset && pd.logStartOffset <= log.highWatermark) {
          try {
            log.deleteRecordsBefore(pd.logStartOffset, now);
          } catch {
            /* raced with a truncation */
          }
        }
        if (hwMoved) this.opts.onHighWatermark?.(fp.p);
      }
    }
  }

  /** The leader no longer has our fetch offset: behind its log start, or ahead of its end. */
  private async outOfRange(fp: FetcherPartition, leaderStart: number, leaderHw: number): Promise<void> {
    const log = fp.p.log;
    if (log.logEndOffset < leaderStart) {
      this.opts.log(
        `${fp.p.topic}-${fp.p.partition}: log end ${log.logEndOffset} is below the leader's log start ${leaderStart}; starting over there`,
      );
      await log.truncateFullyAndStartAt(leaderStart);
    } else if (leaderHw >= 0 && leaderHw < log.logEndOffset) {
      this.opts.log(
        `truncating ${fp.p.topic}-${fp.p.partition} from ${log.logEndOffset} to the leader's high watermark ${leaderHw} (fetch offset out of range)`,
      );
      await log.truncateTo(leaderHw);
    } else {
      this.backoff(fp);
    }
    this.opts.onHighWatermark?.(fp.p);
  }
}
