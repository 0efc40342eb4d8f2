// The replica manager (Kafka's ReplicaManager and Partition): the leader and
// follower roles of every partition hosted on this broker.
//
// Leader: at each new leader epoch the epoch's start (the log end) goes into
// the leader-epoch cache; every follower's fetch offset (its log end) and
// caught-up time are tracked; the high watermark is the smallest log end over
// the ISR (the leader's included) and never moves back. While the ISR is the
// leader alone, every completed write moves it (as on a single node). When it
// moves, acks=all produces waiting for it complete and consumer fetches wake.
// A leader append wakes the followers' parked fetches at once (before the
// local write finishes: the batches are readable from the tail cache), and
// each follower fetches again as soon as it appended, so an acks=all produce
// waits about one follower round trip, not a long poll.
// ISR changes go to the controller (AlterPartition) and count only once it
// accepts them; meanwhile the high watermark uses the larger ("maximal") ISR.
// A follower joins the ISR when its log end reaches the high watermark and the
// current epoch's start; it leaves when it has not caught up with the leader's
// log end for replica.lag.time.max.ms (checked every half of that).
//
// Follower: the partition goes to the replica fetcher of its leader
// (replica-fetcher.ts), which truncates divergent history first and then
// fetches; the high watermark comes from the leader.
import type { BrokerInfo, PartitionInfo } from '../metadata/types.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { AlterPartitionResponseInput } from '../protocol/messages/alter-partition.ts';
import type { ControllerChannel } from '../metadata/controller-channel.ts';
import { partitionKey } from './delayed-fetch.ts';
import { DelayedProducePurgatory } from './delayed-produce.ts';
import { DEFAULT_FETCH_SETTINGS, ReplicaFetcher, type FetchSettings } from './replica-fetcher.ts';
import type { Replication } from './replication.ts';
import type { PartitionState } from './topic-manager.ts';
import {
  alterPartitionOutcome,
  alterPartitionRequest,
  type FollowerState,
  type ReplicaState,
} from './replica-state.ts';

export type { FollowerState, ReplicaState, Role } from './replica-state.ts';

/** replica.lag.time.max.ms default. */
export const REPLICA_LAG_TIME_MAX_MS = 30000;
/** How long a failed AlterPartition waits before the next attempt. */
const ALTER_PARTITION_RETRY_MS = 1000;

/** What the replica manager needs from its broker's settings: Kafka config names. */
export interface ConfigSource {
  get(name: string): string | null | undefined;
}

export interface ReplicaManagerOptions {
  brokerId: number;
  config?: ConfigSource;
  /** The controller (AlterPartition); undefined while not connected. */
  controller(): ControllerChannel | undefined;
  brokerEpoch(): number;
  /** Wakes fetches parked on the partition (its high watermark or role changed). */
  partitionChanged?(topicId: string, partition: number): void;
  log?(msg: string): void;
  /** Overrides replica.lag.time.max.ms. */
  replicaLagTimeMaxMs?: number;
  /** Overrides of the replica.fetch.* settings. */
  fetch?: Partial<FetchSettings>;
}

/** The broker's view, enough to build a replica manager for it. */
export interface BrokerLike {
  brokerId: number;
  config: ConfigSource;
  controller: ControllerChannel | undefined;
  brokerEpoch: number;
  partitionChanged(topicId: string, partition: number): void;
  log(msg: string): void;
}

function setting(config: ConfigSource | undefined, name: string, fallback: number): number {
  const v = config?.get(name);
  const n = v === null || v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : fallback;
}

export class ReplicaManager implements Replication {
  readonly brokerId: number;
  readonly replicaLagTimeMaxMs: number;
  readonly fetchSettings: FetchSettings;
  private readonly opts: ReplicaManagerOptions;
  private readonly parts = new Map<string, ReplicaState>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly produces = new DelayedProducePurgatory();
  private brokers: ReadonlyMap<number, BrokerInfo> = new Map();
  private readonly isrTimer: NodeJS.Timeout;
  private nextToken = 1;
  private fetchingPaused = false;
  private closed = false;

  constructor(opts: ReplicaManagerOptions) {
    this.opts = opts;
    this.brokerId = opts.brokerId;
    const c = opts.config;
    this.replicaLagTimeMaxMs =
      opts.replicaLagTimeMaxMs ?? setting(c, 'replica.lag.time.max.ms', REPLICA_LAG_TIME_MAX_MS);
    const d = DEFAULT_FETCH_SETTINGS;
    this.fetchSettings = {
      waitMaxMs: setting(c, 'replica.fetch.wait.max.ms', d.waitMaxMs),
      minBytes: setting(c, 'replica.fetch.min.bytes', d.minBytes),
      maxBytes: setting(c, 'replica.fetch.max.bytes', d.maxBytes),
      responseMaxBytes: setting(c, 'replica.fetch.response.max.bytes', d.responseMaxBytes),
      backoffMs: setting(c, 'replica.fetch.backoff.ms', d.backoffMs),
      socketTimeoutMs: setting(c, 'replica.socket.timeout.ms', d.socketTimeoutMs),
      ...opts.fetch,
    };
    // Kafka checks for lagging followers every half of replica.lag.time.max.ms.
    this.isrTimer = setInterval(() => this.maybeShrinkIsrs(), Math.max(10, this.replicaLagTimeMaxMs / 2));
    this.isrTimer.unref();
  }

  /** Tells the broker a partition's high watermark or role changed (parked fetches wake). */
  private changed(p: PartitionState): void {
    this.opts.partitionChanged?.(p.topicId, p.partition);
  }

  /** A replica manager for a broker (its id, configs, controller and fetch purgatory). */
  static forBroker(broker: BrokerLike, overrides: Partial<ReplicaManagerOptions> = {}): ReplicaManager {
    return new ReplicaManager({
      brokerId: broker.brokerId,
      config: broker.config,
      controller: () => broker.controller,
      brokerEpoch: () => broker.brokerEpoch,
      partitionChanged: (topicId, partition) => broker.partitionChanged(topicId, partition),
      log: (m) => broker.log(m),
      ...overrides,
    });
  }

  /** The replication state of a hosted partition (tests, diagnostics). */
  state(p: { topicId: string; partition: number }): ReplicaState | undefined {
    return this.parts.get(partitionKey(p.topicId, p.partition));
  }

  /** Stops (true) or resumes every replica fetcher of this broker (diagnostics, tests). */
  pauseFetching(paused: boolean): void {
    this.fetchingPaused = paused;
    for (const f of this.fetchers.values()) f.setPaused(paused);
  }

  /** Number of acks=all produces waiting for the high watermark. */
  get waitingProduces(): number {
    return this.produces.size;
  }

  private log(msg: string): void {
    this.opts.log?.(msg);
  }

  // ---------------------------------------------------------------- metadata

  applyPartition(p: PartitionState, info: PartitionInfo): void {
    if (this.closed) return;
    const key = partitionKey(p.topicId, p.partition);
    let st = this.parts.get(key);
    if (st && info.leaderEpoch < st.leaderEpoch) return; // older than what we know
    if (!st) {
      st = {
        key,
        p,
        role: 'offline',
        leaderId: -1,
        leaderEpoch: -1,
        partitionEpoch: -1,
        replicas: [],
        isr: [],
        pendingIsr: undefined,
        maximalIsr: [],
        blocked: false,
        retryIsrAt: 0,
        inflight: 0,
        leaderEpochStartOffset: -1,
        followers: new Map(),
        minIsr: 1,
      };
      this.parts.set(key, st);
      // A replicated log's high watermark is what was checkpointed, not its end.
      if (info.replicas.length > 1) {
        p.log.hwFollowsLeo = false;
        p.log.highWatermark = p.log.checkpointHighWatermark;
      }
    }
    if (st.p.log !== p.log) st.p.log.onHighWatermark = undefined;
    st.p = p;
    const state = st;
    p.log.onHighWatermark = () => this.onHighWatermarkMoved(state);
    st.replicas = [...info.replicas];
    if (info.leader === this.brokerId) {
      if (st.role !== 'leader' || info.leaderEpoch > st.leaderEpoch) this.becomeLeader(st, info);
      else this.updateLeader(st, info);
    } else if (info.leader >= 0 && info.replicas.includes(this.brokerId)) {
      if (st.role !== 'follower' || st.leaderId !== info.leader || info.leaderEpoch > st.leaderEpoch)
        this.becomeFollower(st, info);
      else {
        st.partitionEpoch = info.partitionEpoch;
        st.isr = [...info.isr];
      }
    } else {
      this.resign(st, 'offline', info);
    }
  }

  removePartition(p: PartitionState): void {
    const key = partitionKey(p.topicId, p.partition);
    const st = this.parts.get(key);
    if (!st) return;
    this.stopLeading(st);
    this.stopFollowing(st);
    st.p.log.onHighWatermark = undefined;
    this.parts.delete(key);
  }

  applyBrokers(brokers: ReadonlyMap<number, BrokerInfo>): void {
    this.brokers = new Map(brokers);
    for (const f of this.fetchers.values()) f.endpointChanged();
  }

  private becomeLeader(st: ReplicaState, info: PartitionInfo): void {
    this.stopFollowing(st);
    const log = st.p.log;
    const now = Date.now();
    st.role = 'leader';
    st.leaderId = this.brokerId;
    st.leaderEpoch = info.leaderEpoch;
    st.partitionEpoch = info.partitionEpoch;
    st.isr = [...info.isr];
    st.pendingIsr = undefined;
    st.inflight = 0;
    st.blocked = false;
    st.maximalIsr = st.isr;
    // The new epoch starts at the log end (Kafka's leader epoch start offset).
    log.assignEpochStartOffset(info.leaderEpoch);
    st.leaderEpochStartOffset = log.logEndOffset;
    st.followers = new Map();
    for (const id of st.replicas) {
      if (id === this.brokerId) continue;
      st.followers.set(id, {
        id,
        leo: -1,
        lastCaughtUpTimeMs: st.isr.includes(id) ? now : 0,
        lastFetchLeaderLogEndOffset: -1,
        lastFetchTimeMs: 0,
      });
    }
    this.refreshHwMode(st);
    this.maybeIncrementHighWatermark(st);
    this.changed(st.p);
  }

  /** Same leader epoch: the ISR or the replicas changed. */
  private updateLeader(st: ReplicaState, info: PartitionInfo): void {
    if (info.partitionEpoch < st.partitionEpoch) return;
    st.partitionEpoch = info.partitionEpoch;
    st.isr = [...info.isr];
    st.pendingIsr = undefined;
    st.inflight = 0;
    st.blocked = false;
    st.maximalIsr = st.isr;
    const now = Date.now();
    for (const id of st.replicas) {
      if (id === this.brokerId || st.followers.has(id)) continue;
      st.followers.set(id, {
        id,
        leo: -1,
        lastCaughtUpTimeMs: 0,
        lastFetchLeaderLogEndOffset: -1,
        lastFetchTimeMs: now,
      });
    }
    for (const id of [...st.followers.keys()]) if (!st.replicas.includes(id)) st.followers.delete(id);
    this.refreshHwMode(st);
    this.maybeIncrementHighWatermark(st);
    this.produces.checkKey(st.key);
  }

  /** Leaves any leader or follower role for `role`, taking the controller's view of the partition. */
  private resign(st: ReplicaState, role: 'follower' | 'offline', info: PartitionInfo): void {
    this.stopLeading(st);
    this.stopFollowing(st);
    st.role = role;
    st.leaderId = info.leader;
    st.leaderEpoch = info.leaderEpoch;
    st.partitionEpoch = info.partitionEpoch;
    st.isr = [...info.isr];
    st.p.log.hwFollowsLeo = false;
  }

  private becomeFollower(st: ReplicaState, info: PartitionInfo): void {
    this.resign(st, 'follower', info);
    let f = this.fetchers.get(info.leader);
    if (!f) {
      const source = info.leader;
      f = new ReplicaFetcher({
        brokerId: this.brokerId,
        sourceId: source,
        endpoint: () => {
          const b = this.brokers.get(source);
          return b ? { host: b.host, port: b.port } : undefined;
        },
        settings: this.fetchSettings,
        onHighWatermark: (p) => this.changed(p),
        log: (m) => this.log(m),
      });
      this.fetchers.set(source, f);
      if (this.fetchingPaused) f.setPaused(true);
    }
    f.add(st.key, st.p, info.leaderEpoch);
    this.changed(st.p);
  }

  private stopLeading(st: ReplicaState): void {
    if (st.role !== 'leader') return;
    st.role = 'offline';
    st.followers = new Map();
    st.pendingIsr = undefined;
    st.inflight = 0;
    this.produces.failKey(st.key, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    this.changed(st.p);
  }

  private stopFollowing(st: ReplicaState): void {
    for (const [id, f] of this.fetchers) {
      if (!f.has(st.key)) continue;
      f.remove(st.key);
      if (f.size === 0) {
        this.fetchers.delete(id);
        void f.close();
      }
    }
  }

  // ---------------------------------------------------------------- leader

  /** While the ISR (maximal) is the leader alone, writes move the high watermark themselves. */
  private refreshHwMode(st: ReplicaState): void {
    const log = st.p.log;
    const solo = st.role === 'leader' && st.maximalIsr.every((id) => id === this.brokerId);
    log.hwFollowsLeo = solo;
    if (solo && log.updateHighWatermark(log.logEndOffset)) this.onHighWatermarkMoved(st);
  }

  private maybeIncrementHighWatermark(st: ReplicaState): void {
    if (st.role !== 'leader') return;
    const log = st.p.log;
    if (log.hwFollowsLeo) return;
    let hw = log.logEndOffset;
    for (const id of st.maximalIsr) {
      if (id === this.brokerId) continue;
      const leo = st.followers.get(id)?.leo ?? -1;
      if (leo < hw) hw = leo;
    }
    if (hw >= 0 && log.updateHighWatermark(hw)) this.onHighWatermarkMoved(st);
  }

  private onHighWatermarkMoved(st: ReplicaState): void {
    this.changed(st.p);
    this.produces.checkKey(st.key);
  }

  onFollowerFetch(p: PartitionState, replicaId: number, fetchOffset: number, _followerLogStartOffset: number): number {
    const st = this.parts.get(partitionKey(p.topicId, p.partition));
    if (!st || st.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const f = st.followers.get(replicaId);
    if (!f) return ErrorCode.NOT_LEADER_OR_FOLLOWER; // not a replica of this partition
    const now = Date.now();
    const leaderEnd = p.log.logEndOffset;
    // Outside the log (the read answers OFFSET_OUT_OF_RANGE): says nothing about what it holds.
    if (fetchOffset > leaderEnd || fetchOffset < p.log.logStartOffset) return ErrorCode.NONE;
    // Kafka's Replica.updateFetchState.
    if (fetchOffset >= leaderEnd) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, now);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset)
      f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.leo = fetchOffset;
    f.lastFetchLeaderLogEndOffset = leaderEnd;
    f.lastFetchTimeMs = now;
    this.maybeExpandIsr(st, f, now);
    this.maybeIncrementHighWatermark(st);
    return ErrorCode.NONE;
  }

  private isrEligible(id: number): boolean {
    const b = this.brokers.get(id);
    return b !== undefined && !b.fenced && !b.shuttingDown;
  }

  private maybeExpandIsr(st: ReplicaState, f: FollowerState, now: number): void {
    if (st.isr.includes(f.id) || st.pendingIsr || st.blocked || now < st.retryIsrAt) return;
    const log = st.p.log;
    if (f.leo >= log.highWatermark && f.leo >= st.leaderEpochStartOffset && this.isrEligible(f.id)) {
      this.alterIsr(st, [...st.isr, f.id]);
    }
  }

  /** Kafka's isCaughtUp: at the leader's log end, or caught up within replica.lag.time.max.ms. */
  private outOfSync(st: ReplicaState, id: number, now: number): boolean {
    const f = st.followers.get(id);
    if (!f) return true;
    return f.leo < st.p.log.logEndOffset && now - f.lastCaughtUpTimeMs > this.replicaLagTimeMaxMs;
  }

  /** The periodic check: followers that stopped catching up leave the ISR. */
  maybeShrinkIsrs(now: number = Date.now()): void {
    for (const st of this.parts.values()) {
      if (st.role !== 'leader' || st.pendingIsr || st.blocked || now < st.retryIsrAt) continue;
      const out = st.isr.filter((id) => id !== this.brokerId && this.outOfSync(st, id, now));
      if (out.length === 0) continue;
      const next = st.isr.filter((id) => !out.includes(id));
      if (next.length === 0) continue;
      this.log(
        `shrinking the ISR of ${st.p.topic}-${st.p.partition} from [${st.isr}] to [${next}]: [${out}] not caught up for ${this.replicaLagTimeMaxMs} ms`,
      );
      this.alterIsr(st, next);
    }
  }

  private alterIsr(st: ReplicaState, newIsr: number[]): void {
    const controller = this.opts.controller();
    if (!controller) return;
    const token = this.nextToken++;
    st.inflight = token;
    st.pendingIsr = newIsr;
    st.maximalIsr = [...new Set([...st.isr, ...newIsr])];
    this.refreshHwMode(st);
    const req = alterPartitionRequest(
      this.brokerId,
      this.opts.brokerEpoch(),
      st,
      newIsr,
      (id) => this.brokers.get(id)?.epoch ?? -1,
    );
    const p = st.p;
    let answer: Promise<AlterPartitionResponseInput>;
    try {
      answer = Promise.resolve(controller.alterPartition(req));
    } catch (e) {
      answer = Promise.reject(e);
    }
    answer.then(
      (res) => this.onAlterPartition(st, token, res),
      (err) => {
        this.log(`AlterPartition for ${p.topic}-${p.partition} failed: ${(err as Error)?.message ?? String(err)}`);
        this.onAlterPartition(st, token, undefined);
      },
    );
  }

  private onAlterPartition(st: ReplicaState, token: number, res: AlterPartitionResponseInput | undefined): void {
    if (this.parts.get(st.key) !== st || st.inflight !== token) return; // superseded by metadata or a role change
    st.inflight = 0;
    st.pendingIsr = undefined;
    const { code, partition: pr } = alterPartitionOutcome(res);
    if (code === ErrorCode.NONE && pr) {
      const epoch = pr.partitionEpoch ?? -1;
      if (epoch > st.partitionEpoch && (pr.leaderEpoch ?? -1) === st.leaderEpoch) {
        st.isr = [...(pr.isr ?? [])];
        st.partitionEpoch = epoch;
        st.p.isr = [...st.isr];
        st.p.partitionEpoch = epoch;
      }
    } else if (
      code === ErrorCode.FENCED_LEADER_EPOCH ||
      code === ErrorCode.INVALID_UPDATE_VERSION ||
      code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
      code === ErrorCode.UNKNOWN_TOPIC_ID
    ) {
      st.blocked = true; // new metadata is on its way
    } else {
      st.retryIsrAt = Date.now() + ALTER_PARTITION_RETRY_MS;
    }
    st.maximalIsr = st.isr;
    this.refreshHwMode(st);
    this.maybeIncrementHighWatermark(st);
    this.produces.checkKey(st.key);
  }

  // ---------------------------------------------------------------- produce

  checkAcksAll(p: PartitionState, minInsyncReplicas: number): number {
    const st = this.parts.get(partitionKey(p.topicId, p.partition));
    if (st) st.minIsr = minInsyncReplicas;
    const isr = st?.role === 'leader' ? st.isr : p.isr;
    return isr.length < minInsyncReplicas ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE;
  }

  onLeaderAppend(p: PartitionState, _endOffset: number): void {
    const st = this.parts.get(partitionKey(p.topicId, p.partition));
    if (!st) return;
    this.maybeIncrementHighWatermark(st);
    // Kafka completes delayed follower fetches as soon as the leader's log has
    // new data: the appended batches are readable now (tail cache), so parked
    // follower fetches wake without waiting for the local write to finish.
    if (st.role === 'leader' && st.followers.size > 0) this.changed(p);
  }

  awaitHighWatermark(p: PartitionState, endOffset: number, timeoutMs: number): Promise<number> {
    const st = this.parts.get(partitionKey(p.topicId, p.partition));
    if (!st) return Promise.resolve(p.log.highWatermark >= endOffset ? ErrorCode.NONE : ErrorCode.REQUEST_TIMED_OUT);
    // Kafka's DelayedProduce: done once the high watermark passes the write;
    // an ISR below min.insync.replicas by then is NOT_ENOUGH_REPLICAS_AFTER_APPEND.
    return this.produces.watch(st.key, timeoutMs, () => {
      if (this.parts.get(st.key) !== st || st.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
      if (st.p.log.highWatermark < endOffset) return undefined;
      return st.isr.length < st.minIsr ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.isrTimer);
    this.produces.failAll(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    for (const st of this.parts.values()) st.p.log.onHighWatermark = undefined;
    const fetchers = [...this.fetchers.values()];
    this.fetchers.clear();
    await Promise.all(fetchers.map((f) => f.close()));
  }
}
