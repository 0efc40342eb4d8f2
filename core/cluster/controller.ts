// The controller: Kafka's KRaft controller role for a local cluster. It owns
// the metadata (metadata-store.ts), registers brokers and fences those whose
// heartbeats stop, places replicas, elects leaders from the ISR, applies ISR
// changes from partition leaders, runs reassignments, and carries out the admin
// requests brokers forward to it. Brokers follow its change log with
// `fetchMetadata` (a long poll).
//
// Every mutation is synchronous (one SQLite transaction, then the in-memory
// copy), so requests never interleave inside one; only the wait for brokers to
// apply a change is asynchronous.
import { type BrokerConfig, BrokerConfig as BrokerConfigClass, collisionKey } from '../broker/configs.ts';
import type {
  BrokerRegistration,
  ForwardContext,
  HeartbeatRequest,
  HeartbeatResponse,
} from '../metadata/controller-channel.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type {
  AlterPartitionRequest,
  AlterPartitionResponseInput,
  AlterPartitionResponsePartitionDataInput,
  AlterPartitionResponseTopicDataInput,
} from '../protocol/messages/alter-partition.ts';
import type { AdminContext, AdminResult } from './admin/context.ts';
import { ZERO_UUID } from './admin/context.ts';
import { alterConfigs, incrementalAlterConfigs } from './admin/configs.ts';
import { createPartitions } from './admin/create-partitions.ts';
import { createTopics } from './admin/create-topics.ts';
import { deleteTopics } from './admin/delete-topics.ts';
import { electLeaders, preferredElectionChanges } from './admin/elect-leaders.ts';
import {
  alterPartitionReassignments,
  completeReassignment,
  listPartitionReassignments,
  replicationFactorChange,
} from './admin/reassignments.ts';
import { MetadataStore } from './metadata-store.ts';
import type {
  BrokerInfo,
  MetadataChange,
  MetadataDelta,
  MetadataSnapshot,
  PartitionInfo,
  TopicInfo,
} from '../metadata/types.ts';
import { chooseLeader, chooseUncleanLeader } from './placement.ts';

/** Kafka API keys the controller serves through `forward`. */
export const ForwardedApi = {
  CreateTopics: 19,
  DeleteTopics: 20,
  AlterConfigs: 33,
  CreatePartitions: 37,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
} as const;

/** Producer ids handed out per AllocateProducerIds (Kafka's block size). */
export const PRODUCER_ID_BLOCK = 1000;

export interface ControllerOptions {
  /** Diagnostics (fencing, elections). */
  log?: (msg: string) => void;
  /** Start the liveness and leader-rebalance timers (default true). */
  timers?: boolean;
}

/** What the controller tracks of a broker registered since it started. */
interface Session {
  epoch: number;
  lastHeartbeatMs: number;
  /** The last metadata seq the broker reported as applied (fetch `fromSeq`, heartbeat `metadataOffset`). */
  applied: number;
  /** The broker's last heartbeat asked to stay fenced. */
  wantFence: boolean;
  /** Controlled shutdown: the seq of the last leadership move; the broker must have applied it. */
  shutdownSeq: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  timer: NodeJS.Timeout | null;
}

export class Controller implements AdminContext {
  private readonly store: MetadataStore;
  readonly config: BrokerConfig;
  private readonly log: (msg: string) => void;

  private readonly brokerMap = new Map<number, BrokerInfo>();
  private readonly sessions = new Map<number, Session>();
  private readonly topicMap = new Map<string, TopicInfo>();
  private readonly topicIdMap = new Map<string, TopicInfo>();
  private readonly partitionMap = new Map<string, PartitionInfo[]>();
  private readonly collisions = new Map<string, string>();
  private readonly brokerConfigMap = new Map<string, Record<string, string>>();
  private currentSeq: number;

  /** Long polls waiting for a change after their seq. */
  private changeWaiters = new Set<Waiter>();
  /** Requests waiting for every live broker to apply their seq. */
  private appliedWaiters = new Set<Waiter>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly openedAtMs = Date.now();
  /** Brokers known from the store that have not registered since this controller started. */
  private readonly unclaimed = new Set<number>();

  constructor(store: MetadataStore, config: BrokerConfig, opts: ControllerOptions = {}) {
    this.store = store;
    // A private copy: the dynamic layers set here must not leak into a broker sharing the config.
    this.config = new BrokerConfigClass(Object.fromEntries(config.values));
    this.log = opts.log ?? (() => {});
    for (const b of store.listBrokers()) this.brokerMap.set(b.id, b);
    for (const t of store.listTopicInfos()) this.putTopic(t);
    for (const p of store.listPartitions()) this.putPartition(p);
    for (const [k, v] of Object.entries(store.allBrokerConfigs())) this.brokerConfigMap.set(k, v);
    this.config.setDynamic('default', this.brokerConfigMap.get('') ?? {});
    this.currentSeq = store.lastChange();
    // No broker has a session with a controller that just started: all are fenced until they register.
    const fence: MetadataChange[] = [];
    for (const b of this.brokerMap.values()) {
      if (!b.fenced || b.shuttingDown)
        fence.push({ type: 'broker', broker: { ...b, fenced: true, shuttingDown: false } });
    }
    this.commit(fence);
    for (const id of this.brokerMap.keys()) this.unclaimed.add(id);
    if (opts.timers !== false) {
      const hb = this.heartbeatIntervalMs;
      const tick = setInterval(() => this.checkSessions(), Math.max(50, Math.min(1000, hb / 2)));
      tick.unref();
      this.timers.push(tick);
      if (this.config.get('auto.leader.rebalance.enable') === 'true') {
        const every = Number(this.config.get('leader.imbalance.check.interval.seconds')) * 1000;
        const rebalance = setInterval(() => this.rebalanceLeaders(), Math.max(100, every));
        rebalance.unref();
        this.timers.push(rebalance);
      }
    }
  }

  /** Opens the metadata in `<dataDir>/metadata.db` (created if missing). */
  static open(dataDir: string, config: BrokerConfig, opts: ControllerOptions = {}): Controller {
    const store = MetadataStore.open(dataDir, { defaultBrokerId: config.nodeId });
    return new Controller(store, config, opts);
  }

  /** Stops the timers, answers pending long polls and waits, and closes the store. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of [...this.changeWaiters, ...this.appliedWaiters]) {
      if (w.timer) clearTimeout(w.timer);
      w.resolve();
    }
    this.changeWaiters.clear();
    this.appliedWaiters.clear();
    this.store.close();
  }

  get clusterId(): string {
    return this.store.clusterId;
  }
  get seq(): number {
    return this.currentSeq;
  }
  get heartbeatIntervalMs(): number {
    return Number(this.config.get('broker.heartbeat.interval.ms') ?? 2000);
  }
  get sessionTimeoutMs(): number {
    return Number(this.config.get('broker.session.timeout.ms') ?? 9000);
  }

  // ---- AdminContext: the current state ----

  topic(name: string): TopicInfo | undefined {
    return this.topicMap.get(name);
  }
  topicById(topicId: string): TopicInfo | undefined {
    return this.topicIdMap.get(topicId);
  }
  topics(): Iterable<TopicInfo> {
    return this.topicMap.values();
  }
  partitions(topicId: string): readonly PartitionInfo[] {
    return this.partitionMap.get(topicId) ?? [];
  }
  broker(id: number): BrokerInfo | undefined {
    return this.brokerMap.get(id);
  }
  brokers(): BrokerInfo[] {
    return [...this.brokerMap.values()].sort((a, b) => a.id - b.id).map((b) => ({ ...b }));
  }
  collidingTopic(name: string): string | undefined {
    return this.collisions.get(collisionKey(name));
  }
  brokerConfigs(resource: string): Record<string, string> {
    return { ...(this.brokerConfigMap.get(resource) ?? {}) };
  }

  isLive(id: number): boolean {
    const b = this.brokerMap.get(id);
    return b !== undefined && !b.fenced && !b.shuttingDown && this.sessions.has(id);
  }

  liveBrokerIds(): number[] {
    const out: number[] = [];
    for (const b of this.brokerMap.values()) if (this.isLive(b.id)) out.push(b.id);
    return out.sort((a, b) => a - b);
  }

  uncleanElection(topic: TopicInfo): boolean {
    const own = topic.configs['unclean.leader.election.enable'];
    const v = own ?? this.config.topicDefault('unclean.leader.election.enable').value;
    return v?.toLowerCase() === 'true';
  }

  /** The full metadata as brokers see it (a copy). */
  snapshot(): MetadataSnapshot {
    const partitions: PartitionInfo[] = [];
    for (const t of [...this.topicMap.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      for (const p of this.partitions(t.topicId)) partitions.push(clonePartition(p));
    }
    return {
      clusterId: this.clusterId,
      brokers: this.brokers(),
      topics: [...this.topicMap.values()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((t) => ({ ...t, configs: { ...t.configs } })),
      partitions,
      brokerConfigs: Object.fromEntries([...this.brokerConfigMap].map(([k, v]) => [k, { ...v }])),
    };
  }

  // ---- committing ----

  commit(changes: MetadataChange[]): number {
    if (this.closed) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'The controller is closed.');
    if (changes.length === 0) return this.currentSeq;
    const seq = this.store.commit(changes);
    for (const c of changes) this.applyChange(c);
    this.currentSeq = seq;
    const waiters = this.changeWaiters;
    this.changeWaiters = new Set();
    for (const w of waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.resolve();
    }
    return seq;
  }

  private putTopic(t: TopicInfo): void {
    const old = this.topicMap.get(t.name);
    if (old && old.topicId !== t.topicId) this.dropTopic(old);
    this.topicMap.set(t.name, t);
    this.topicIdMap.set(t.topicId, t);
    this.collisions.set(collisionKey(t.name), t.name);
    if (!this.partitionMap.has(t.topicId)) this.partitionMap.set(t.topicId, []);
  }

  private dropTopic(t: TopicInfo): void {
    this.topicMap.delete(t.name);
    this.topicIdMap.delete(t.topicId);
    this.partitionMap.delete(t.topicId);
    if (this.collisions.get(collisionKey(t.name)) === t.name) this.collisions.delete(collisionKey(t.name));
  }

  private putPartition(p: PartitionInfo): void {
    let list = this.partitionMap.get(p.topicId);
    if (!list) this.partitionMap.set(p.topicId, (list = []));
    list[p.partition] = p;
  }

  private applyChange(c: MetadataChange): void {
    switch (c.type) {
      case 'broker':
        this.brokerMap.set(c.broker.id, { ...c.broker });
        break;
      case 'brokerRemoved':
        this.brokerMap.delete(c.id);
        this.sessions.delete(c.id);
        break;
      case 'topic':
        this.putTopic({ ...c.topic, configs: { ...c.topic.configs } });
        break;
      case 'topicRemoved': {
        const t = this.topicIdMap.get(c.topicId);
        if (t) this.dropTopic(t);
        break;
      }
      case 'partition':
        this.putPartition(clonePartition(c.partition));
        break;
      case 'brokerConfigs':
        this.brokerConfigMap.set(c.resource, { ...c.configs });
        if (c.resource === '') this.config.setDynamic('default', c.configs);
        break;
    }
  }

  // ---- waiting for brokers ----

  /** Resolves once every live broker has applied `seq`, or after `timeoutMs`. */
  awaitApplied(seq: number, timeoutMs: number): Promise<void> {
    if (seq <= 0 || this.allApplied(seq) || timeoutMs <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const w: Waiter = { seq, resolve, timer: null };
      w.timer = setTimeout(() => {
        this.appliedWaiters.delete(w);
        resolve();
      }, timeoutMs);
      this.appliedWaiters.add(w);
    });
  }

  private allApplied(seq: number): boolean {
    for (const b of this.brokerMap.values()) {
      if (b.fenced) continue;
      const s = this.sessions.get(b.id);
      if (s && s.applied < seq) return false;
    }
    return true;
  }

  private checkAppliedWaiters(): void {
    if (this.appliedWaiters.size === 0) return;
    for (const w of this.appliedWaiters) {
      if (this.allApplied(w.seq)) {
        this.appliedWaiters.delete(w);
        if (w.timer) clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  // ---- the ControllerChannel semantics ----

  register(req: BrokerRegistration): { errorCode: number; brokerEpoch: number } {
    const existing = this.brokerMap.get(req.brokerId);
    const session = this.sessions.get(req.brokerId);
    if (
      existing &&
      session &&
      !existing.fenced &&
      existing.incarnationId !== req.incarnationId &&
      Date.now() - session.lastHeartbeatMs < this.sessionTimeoutMs
    ) {
      // Kafka: another process still holds a live session for this id.
      return { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, brokerEpoch: -1 };
    }
    const epoch = this.store.nextBrokerEpoch();
    const info: BrokerInfo = {
      id: req.brokerId,
      host: req.host,
      port: req.port,
      rack: req.rack,
      epoch,
      incarnationId: req.incarnationId,
      fenced: true,
      shuttingDown: false,
    };
    const changes: MetadataChange[] = [{ type: 'broker', broker: info }];
    // A re-registration while unfenced (a restart the controller did not see): it leaves its ISRs first.
    if (existing && !existing.fenced) changes.push(...this.moveAway(req.brokerId, false));
    this.commit(changes);
    this.sessions.set(req.brokerId, {
      epoch,
      lastHeartbeatMs: Date.now(),
      applied: 0,
      wantFence: false,
      shutdownSeq: 0,
    });
    this.unclaimed.delete(req.brokerId);
    this.log(`broker ${req.brokerId} registered at epoch ${epoch}`);
    this.checkAppliedWaiters();
    return { errorCode: ErrorCode.NONE, brokerEpoch: epoch };
  }

  /** The session of a broker whose epoch matches, or the error code for it. */
  private session(brokerId: number, brokerEpoch: number): Session | number {
    const s = this.sessions.get(brokerId);
    if (!s || !this.brokerMap.has(brokerId)) return ErrorCode.BROKER_ID_NOT_REGISTERED;
    if (s.epoch !== brokerEpoch) return ErrorCode.STALE_BROKER_EPOCH;
    return s;
  }

  heartbeat(req: HeartbeatRequest): HeartbeatResponse {
    const s = this.session(req.brokerId, req.brokerEpoch);
    if (typeof s === 'number') return { errorCode: s, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    s.lastHeartbeatMs = Date.now();
    s.wantFence = req.wantFence;
    if (req.metadataOffset > s.applied) s.applied = req.metadataOffset;
    const b = this.brokerMap.get(req.brokerId)!;
    // Before this heartbeat's own changes (an unfencing) move the seq on.
    const isCaughtUp = s.applied >= this.currentSeq;
    let shouldShutDown = false;
    if (req.wantShutDown) {
      shouldShutDown = this.controlledShutdown(req.brokerId, s);
    } else if (req.wantFence && !b.fenced) {
      this.fence(req.brokerId, 'it asked to be fenced');
    } else {
      this.maybeUnfence(req.brokerId);
    }
    this.checkAppliedWaiters();
    const now = this.brokerMap.get(req.brokerId)!;
    return { errorCode: ErrorCode.NONE, isCaughtUp, isFenced: now.fenced, shouldShutDown };
  }

  /** Long poll for the changes after `fromSeq` (a snapshot when `fromSeq` is 0 or not resumable). */
  async fetchMetadata(req: {
    brokerId: number;
    brokerEpoch: number;
    fromSeq: number;
    maxWaitMs: number;
  }): Promise<MetadataDelta> {
    this.noteApplied(req.brokerId, req.brokerEpoch, req.fromSeq);
    if (req.fromSeq === this.currentSeq && req.maxWaitMs > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const w: Waiter = { seq: req.fromSeq, resolve, timer: null };
        w.timer = setTimeout(() => {
          this.changeWaiters.delete(w);
          resolve();
        }, req.maxWaitMs);
        this.changeWaiters.add(w);
      });
    }
    if (this.closed) return { seq: req.fromSeq, changes: [] };
    const from = req.fromSeq;
    if (from <= 0 || from < this.store.firstResumableSeq() || from > this.currentSeq) {
      return { seq: this.currentSeq, snapshot: this.snapshot(), changes: [] };
    }
    return this.store.changesAfter(from);
  }

  private noteApplied(brokerId: number, brokerEpoch: number, seq: number): void {
    const s = this.sessions.get(brokerId);
    if (!s || s.epoch !== brokerEpoch) return;
    s.applied = seq;
    this.maybeUnfence(brokerId);
    this.checkAppliedWaiters();
  }

  allocateProducerIds(req: { brokerId: number; brokerEpoch: number }): {
    errorCode: number;
    producerIdStart: number;
    producerIdLen: number;
  } {
    const s = this.session(req.brokerId, req.brokerEpoch);
    if (typeof s === 'number') return { errorCode: s, producerIdStart: -1, producerIdLen: 0 };
    return {
      errorCode: ErrorCode.NONE,
      producerIdStart: this.store.allocateProducerIds(PRODUCER_ID_BLOCK),
      producerIdLen: PRODUCER_ID_BLOCK,
    };
  }

  /**
   * An admin request a broker forwarded: carried out here, answered once every
   * live broker has applied the result (or the request's timeout passed).
   */
  async forward(
    apiKey: number,
    apiVersion: number,
    request: unknown,
    ctx: ForwardContext = { clientId: null },
  ): Promise<unknown> {
    const result = this.handle(apiKey, apiVersion, request, ctx);
    await this.awaitApplied(result.seq, result.timeoutMs);
    return result.response;
  }

  /** The synchronous part of `forward`: validation and commit. */
  handle(apiKey: number, apiVersion: number, request: unknown, ctx: ForwardContext): AdminResult {
    switch (apiKey) {
      case ForwardedApi.CreateTopics:
        return createTopics(this, request as never, apiVersion);
      case ForwardedApi.DeleteTopics:
        return deleteTopics(this, request as never, apiVersion);
      case ForwardedApi.CreatePartitions:
        return createPartitions(this, request as never);
      case ForwardedApi.AlterConfigs:
        return alterConfigs(this, request as never, ctx.brokerId);
      case ForwardedApi.IncrementalAlterConfigs:
        return incrementalAlterConfigs(this, request as never, ctx.brokerId);
      case ForwardedApi.ElectLeaders:
        return electLeaders(this, request as never, apiVersion);
      case ForwardedApi.AlterPartitionReassignments:
        return alterPartitionReassignments(this, request as never);
      case ForwardedApi.ListPartitionReassignments:
        return listPartitionReassignments(this, request as never);
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `API key ${apiKey} cannot be forwarded to the controller.`);
    }
  }

  // ---- liveness and leadership ----

  /** The supervisor saw the broker's process exit: fence it now. */
  brokerExited(id: number): void {
    this.fence(id, 'its process exited');
    this.sessions.delete(id);
    this.checkAppliedWaiters();
  }

  checkSessions(): void {
    if (this.closed) return;
    const now = Date.now();
    // A broker that was up before this controller started and has not come back
    // within a session timeout: its leaderships and ISR places move as for a fencing.
    if (this.unclaimed.size > 0 && now - this.openedAtMs > this.sessionTimeoutMs) {
      const changes: MetadataChange[] = [];
      for (const id of this.unclaimed) {
        this.log(`broker ${id} did not register again after the controller started`);
        changes.push(...this.moveAway(id, false));
        this.commit(changes.splice(0));
      }
      this.unclaimed.clear();
    }
    for (const [id, s] of this.sessions) {
      const b = this.brokerMap.get(id);
      if (b && !b.fenced && now - s.lastHeartbeatMs > this.sessionTimeoutMs) {
        this.fence(id, `no heartbeat for ${now - s.lastHeartbeatMs} ms`);
      }
    }
    this.checkAppliedWaiters();
  }

  /** Fences a broker: it leaves every ISR (never emptying one) and its leaderships move. */
  fence(id: number, why: string): void {
    const b = this.brokerMap.get(id);
    if (!b || b.fenced) return;
    this.log(`fencing broker ${id}: ${why}`);
    const changes: MetadataChange[] = [{ type: 'broker', broker: { ...b, fenced: true } }];
    changes.push(...this.moveAway(id, false));
    this.commit(changes);
  }

  /**
   * Partition changes that take broker `id` out: out of every ISR where one
   * member remains, and out of leadership (to the first live in-sync replica,
   * else the unclean rule, else -1). `controlled`: a controlled shutdown, which
   * keeps a leadership nobody else can take.
   */
  private moveAway(id: number, controlled: boolean): MetadataChange[] {
    const eligible = (r: number) => r !== id && this.isLive(r);
    const out: MetadataChange[] = [];
    for (const list of this.partitionMap.values()) {
      for (const p of list) {
        if (!p) continue;
        const leads = p.leader === id;
        const inIsr = p.isr.includes(id);
        if (!leads && !inIsr) continue;
        let isr = inIsr && p.isr.length > 1 ? p.isr.filter((r) => r !== id) : p.isr;
        let leader = p.leader;
        let leaderEpoch = p.leaderEpoch;
        if (leads) {
          let next = chooseLeader(p.replicas, isr, eligible);
          if (next < 0 && controlled) continue; // nobody else can lead: it keeps the partition (and its ISR place)
          if (next < 0 && this.uncleanFor(p)) {
            next = chooseUncleanLeader(p.replicas, eligible);
            if (next >= 0) isr = [next];
          }
          if (next < 0) isr = p.isr;
          leader = next;
          leaderEpoch++;
        }
        if (leader === p.leader && isr === p.isr) continue;
        out.push({
          type: 'partition',
          partition: { ...clonePartition(p), isr: [...isr], leader, leaderEpoch, partitionEpoch: p.partitionEpoch + 1 },
        });
      }
    }
    return out;
  }

  private uncleanFor(p: PartitionInfo): boolean {
    const t = this.topicIdMap.get(p.topicId);
    return t !== undefined && this.uncleanElection(t);
  }

  /** Unfences a registered broker that has caught up, and gives it the leaderless partitions it can lead. */
  private maybeUnfence(id: number): void {
    const b = this.brokerMap.get(id);
    const s = this.sessions.get(id);
    if (!b || !s || !b.fenced || b.shuttingDown || s.wantFence || s.applied < this.currentSeq) return;
    // A broker fenced for a missed session comes back with a heartbeat, not with a fetch.
    if (Date.now() - s.lastHeartbeatMs > this.sessionTimeoutMs) return;
    this.log(`unfencing broker ${id}`);
    const unfenced: BrokerInfo = { ...b, fenced: false };
    this.brokerMap.set(id, unfenced); // so that elections below see it live
    const changes: MetadataChange[] = [{ type: 'broker', broker: unfenced }, ...this.electLeaderless()];
    this.commit(changes);
  }

  /** Leaders for partitions that have none: a live ISR member, or by the unclean rule a live replica. */
  electLeaderless(): MetadataChange[] {
    const out: MetadataChange[] = [];
    const live = (r: number) => this.isLive(r);
    for (const list of this.partitionMap.values()) {
      for (const p of list) {
        if (!p || p.leader >= 0) continue;
        let isr = p.isr;
        let leader = chooseLeader(p.replicas, isr, live);
        if (leader < 0 && this.uncleanFor(p)) {
          leader = chooseUncleanLeader(p.replicas, live);
          if (leader >= 0) isr = [leader];
        }
        if (leader < 0) continue;
        out.push({
          type: 'partition',
          partition: {
            ...clonePartition(p),
            isr: [...isr],
            leader,
            leaderEpoch: p.leaderEpoch + 1,
            partitionEpoch: p.partitionEpoch + 1,
          },
        });
      }
    }
    return out;
  }

  /**
   * A heartbeat with wantShutDown: leaderships move to other in-sync live
   * replicas, the broker leaves the ISRs; true (and the broker is fenced) once
   * it has applied those moves and leads nothing anyone else could lead.
   */
  private controlledShutdown(id: number, s: Session): boolean {
    const b = this.brokerMap.get(id)!;
    if (b.fenced) return true; // leads nothing, serves nothing
    const changes: MetadataChange[] = [];
    if (!b.shuttingDown) {
      this.log(`broker ${id} is shutting down`);
      const next: BrokerInfo = { ...b, shuttingDown: true };
      this.brokerMap.set(id, next); // no longer eligible as a leader from here on
      changes.push({ type: 'broker', broker: next });
    }
    changes.push(...this.moveAway(id, true));
    if (changes.length > 0) s.shutdownSeq = this.commit(changes);
    if (s.applied < s.shutdownSeq) return false;
    const cur = this.brokerMap.get(id)!;
    this.log(`broker ${id} completed its controlled shutdown`);
    this.commit([{ type: 'broker', broker: { ...cur, fenced: true } }, ...this.moveAway(id, false)]);
    return true;
  }

  /** The periodic preferred-leader rebalance (auto.leader.rebalance.enable). */
  rebalanceLeaders(): void {
    if (this.closed) return;
    const changes: MetadataChange[] = [...this.electLeaderless()];
    const pct = Number(this.config.get('leader.imbalance.per.broker.percentage'));
    // Per preferred leader: the share of its partitions it does not lead.
    const preferred = new Map<number, { total: number; notLed: PartitionInfo[] }>();
    for (const list of this.partitionMap.values()) {
      for (const p of list) {
        if (!p || p.replicas.length === 0) continue;
        const pref = p.replicas[0]!;
        let e = preferred.get(pref);
        if (!e) preferred.set(pref, (e = { total: 0, notLed: [] }));
        e.total++;
        if (p.leader !== pref) e.notLed.push(p);
      }
    }
    const chosen: PartitionInfo[] = [];
    for (const [id, e] of preferred) {
      if (!this.isLive(id) || e.total === 0) continue;
      if ((e.notLed.length * 100) / e.total > pct) chosen.push(...e.notLed);
    }
    changes.push(
      ...preferredElectionChanges(
        this,
        chosen.filter(
          (p) =>
            !changes.some(
              (c) =>
                c.type === 'partition' && c.partition.topicId === p.topicId && c.partition.partition === p.partition,
            ),
        ),
      ),
    );
    if (changes.length > 0) {
      this.log(`leader rebalance: ${changes.length} partition(s)`);
      this.commit(changes);
    }
  }

  // ---- AlterPartition ----

  maybeCompleteReassignment(p: PartitionInfo): PartitionInfo {
    return completeReassignment(this, p);
  }

  /** ISR changes from partition leaders (AlterPartition v0–3). */
  alterPartition(req: AlterPartitionRequest): AlterPartitionResponseInput {
    const s = this.session(req.brokerId, req.brokerEpoch);
    if (typeof s === 'number') return { throttleTimeMs: 0, errorCode: s, topics: [] };
    const changes: MetadataChange[] = [];
    const topics: AlterPartitionResponseTopicDataInput[] = [];
    for (const td of req.topics) {
      const byId = td.topicId !== ZERO_UUID && td.topicId !== '';
      const t = byId ? this.topicIdMap.get(td.topicId) : this.topicMap.get(td.topicName);
      const partitions: AlterPartitionResponsePartitionDataInput[] = [];
      topics.push({ topicName: t?.name ?? td.topicName, topicId: t?.topicId ?? td.topicId, partitions });
      for (const pd of td.partitions) {
        const out: AlterPartitionResponsePartitionDataInput = {
          partitionIndex: pd.partitionIndex,
          errorCode: 0,
          leaderId: -1,
          leaderEpoch: -1,
          isr: [],
          leaderRecoveryState: 0,
          partitionEpoch: -1,
        };
        partitions.push(out);
        const p = t ? this.partitions(t.topicId)[pd.partitionIndex] : undefined;
        if (!t || !p) {
          out.errorCode = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        const code = this.alterPartitionError(req.brokerId, p, pd);
        if (code !== ErrorCode.NONE) {
          out.errorCode = code;
          continue;
        }
        const newIsr = isrOf(pd);
        let next: PartitionInfo = { ...clonePartition(p), isr: [...newIsr], partitionEpoch: p.partitionEpoch + 1 };
        next = this.maybeCompleteReassignment(next);
        changes.push({ type: 'partition', partition: next });
        const rf = replicationFactorChange(this, p, next);
        if (rf) changes.push(rf);
        Object.assign(out, {
          leaderId: next.leader,
          leaderEpoch: next.leaderEpoch,
          isr: [...next.isr],
          partitionEpoch: next.partitionEpoch,
        });
      }
    }
    this.commit(changes);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics };
  }

  private alterPartitionError(
    brokerId: number,
    p: PartitionInfo,
    pd: AlterPartitionRequest['topics'][number]['partitions'][number],
  ): number {
    if (p.leader !== brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (pd.leaderEpoch !== p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (pd.partitionEpoch !== p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
    const newIsr = isrOf(pd);
    if (newIsr.length === 0 || new Set(newIsr).size !== newIsr.length || !newIsr.includes(p.leader))
      return ErrorCode.INVALID_REQUEST;
    for (const r of newIsr) {
      if (!p.replicas.includes(r)) return ErrorCode.INELIGIBLE_REPLICA;
      // A member that is not already in the ISR must be live to join it.
      if (!p.isr.includes(r) && !this.isLive(r)) return ErrorCode.INELIGIBLE_REPLICA;
    }
    for (const st of pd.newIsrWithEpochs) {
      const b = this.brokerMap.get(st.brokerId);
      if (st.brokerEpoch !== -1 && (!b || b.epoch !== st.brokerEpoch) && !p.isr.includes(st.brokerId))
        return ErrorCode.INELIGIBLE_REPLICA;
    }
    return ErrorCode.NONE;
  }
}

function isrOf(pd: AlterPartitionRequest['topics'][number]['partitions'][number]): number[] {
  return pd.newIsrWithEpochs.length > 0 ? pd.newIsrWithEpochs.map((b) => b.brokerId) : pd.newIsr;
}

export function clonePartition(p: PartitionInfo): PartitionInfo {
  return {
    ...p,
    replicas: [...p.replicas],
    isr: [...p.isr],
    addingReplicas: [...p.addingReplicas],
    removingReplicas: [...p.removingReplicas],
  };
}
