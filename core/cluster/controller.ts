// The controller: Kafka's KRaft controller role for a local cluster. It owns
// the metadata (metadata-store.ts), registers brokers and fences those whose
// heartbeats stop, places replicas, elects leaders from the ISR, applies ISR
// changes from partition leaders, runs reassignments, and carries out the admin
// requests brokers forward to it. Brokers follow its change log with
// `fetchMetadata` (a long poll).
//
// As Kafka's QuorumController does, it delegates to one part per kind of state,
// each replaying the committed changes it owns: the brokers and their sessions
// (broker-registry.ts), topics, partitions and leadership (replication-control.ts),
// dynamic broker configs (configuration-control.ts); the admin requests are in
// admin/, the waits on the change log in metadata-waits.ts.
//
// Every mutation is synchronous (one SQLite transaction, then the in-memory
// copy), so requests never interleave inside one; only the wait for brokers to
// apply a change is asynchronous.
import { type BrokerConfig, BrokerConfig as BrokerConfigClass } from '../broker/configs.ts';
import type {
  BrokerRegistration,
  ForwardContext,
  HeartbeatRequest,
  HeartbeatResponse,
} from '../metadata/controller-channel.ts';
import type {
  BrokerInfo,
  MetadataChange,
  MetadataDelta,
  MetadataSnapshot,
  PartitionInfo,
  TopicInfo,
} from '../metadata/types.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { AlterPartitionRequest, AlterPartitionResponseInput } from '../protocol/messages/alter-partition.ts';
import type { AdminContext, AdminResult } from './admin/context.ts';
import { handleForwarded } from './admin/forwarded.ts';
import { completeReassignment } from './admin/reassignments.ts';
import { BrokerRegistry } from './broker-registry.ts';
import { ConfigurationControl } from './configuration-control.ts';
import { MetadataStore } from './metadata-store.ts';
import { MetadataWaits } from './metadata-waits.ts';
import { ReplicationControl } from './replication-control.ts';

export { ForwardedApi } from './admin/forwarded.ts';
export { clonePartition } from './replication-control.ts';

/** Producer ids handed out per AllocateProducerIds (Kafka's block size). */
export const PRODUCER_ID_BLOCK = 1000;

export interface ControllerOptions {
  /** Diagnostics (fencing, elections). */
  log?: (msg: string) => void;
  /** Start the liveness and leader-rebalance timers (default true). */
  timers?: boolean;
}

export class Controller implements AdminContext {
  private readonly store: MetadataStore;
  readonly config: BrokerConfig;
  private readonly log: (msg: string) => void;

  private readonly replication: ReplicationControl;
  private readonly registry: BrokerRegistry;
  private readonly configs: ConfigurationControl;
  private readonly waits: MetadataWaits;
  private currentSeq: number;

  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(store: MetadataStore, config: BrokerConfig, opts: ControllerOptions = {}) {
    this.store = store;
    // A private copy: the dynamic layers set here must not leak into a broker sharing the config.
    this.config = new BrokerConfigClass(Object.fromEntries(config.values));
    this.log = opts.log ?? (() => {});
    this.replication = new ReplicationControl(this, this.log, store.listTopicInfos(), store.listPartitions());
    this.registry = new BrokerRegistry(
      {
        nextBrokerEpoch: () => this.store.nextBrokerEpoch(),
        commit: (changes) => this.commit(changes),
        seq: () => this.currentSeq,
        sessionTimeoutMs: () => this.sessionTimeoutMs,
        log: this.log,
        checkApplied: () => this.waits.checkApplied(),
        replication: this.replication,
      },
      store.listBrokers(),
    );
    this.configs = new ConfigurationControl(this.config, store.allBrokerConfigs());
    this.waits = new MetadataWaits((seq) => this.registry.allApplied(seq));
    this.currentSeq = store.lastChange();
    // No broker has a session with a controller that just started: all are fenced until they register.
    this.commit(this.registry.fenceAllAtStart());
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
    this.waits.close();
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
    return this.replication.topic(name);
  }
  topicById(topicId: string): TopicInfo | undefined {
    return this.replication.topicById(topicId);
  }
  topics(): Iterable<TopicInfo> {
    return this.replication.topics();
  }
  partitions(topicId: string): readonly PartitionInfo[] {
    return this.replication.partitions(topicId);
  }
  broker(id: number): BrokerInfo | undefined {
    return this.registry.broker(id);
  }
  brokers(): BrokerInfo[] {
    return this.registry.brokers();
  }
  collidingTopic(name: string): string | undefined {
    return this.replication.collidingTopic(name);
  }
  brokerConfigs(resource: string): Record<string, string> {
    return this.configs.brokerConfigs(resource);
  }
  isLive(id: number): boolean {
    return this.registry.isLive(id);
  }
  liveBrokerIds(): number[] {
    return this.registry.liveBrokerIds();
  }
  uncleanElection(topic: TopicInfo): boolean {
    return this.replication.uncleanElection(topic);
  }
  maybeCompleteReassignment(p: PartitionInfo): PartitionInfo {
    return completeReassignment(this, p);
  }

  /** The full metadata as brokers see it (a copy). */
  snapshot(): MetadataSnapshot {
    const { topics, partitions } = this.replication.snapshot();
    return {
      clusterId: this.clusterId,
      brokers: this.brokers(),
      topics,
      partitions,
      brokerConfigs: this.configs.snapshot(),
    };
  }

  // ---- committing ----

  commit(changes: MetadataChange[]): number {
    if (this.closed) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'The controller is closed.');
    if (changes.length === 0) return this.currentSeq;
    const seq = this.store.commit(changes);
    for (const c of changes) this.replay(c);
    this.currentSeq = seq;
    this.waits.committed();
    return seq;
  }

  /** The in-memory copy follows a committed change: each part replays the records it owns. */
  private replay(c: MetadataChange): void {
    switch (c.type) {
      case 'broker':
      case 'brokerRemoved':
        this.registry.replay(c);
        break;
      case 'topic':
      case 'topicRemoved':
      case 'partition':
        this.replication.replay(c);
        break;
      case 'brokerConfigs':
        this.configs.replay(c);
        break;
    }
  }

  /** Resolves once every live broker has applied `seq`, or after `timeoutMs`. */
  awaitApplied(seq: number, timeoutMs: number): Promise<void> {
    if (seq <= 0 || timeoutMs <= 0 || this.closed) return Promise.resolve();
    return this.waits.applied(seq, timeoutMs);
  }

  // ---- the ControllerChannel semantics ----

  register(req: BrokerRegistration): { errorCode: number; brokerEpoch: number } {
    return this.registry.register(req);
  }

  heartbeat(req: HeartbeatRequest): HeartbeatResponse {
    return this.registry.heartbeat(req);
  }

  /** Long poll for the changes after `fromSeq` (a snapshot when `fromSeq` is 0 or not resumable). */
  async fetchMetadata(req: {
    brokerId: number;
    brokerEpoch: number;
    fromSeq: number;
    maxWaitMs: number;
  }): Promise<MetadataDelta> {
    this.registry.noteApplied(req.brokerId, req.brokerEpoch, req.fromSeq);
    if (req.fromSeq === this.currentSeq && req.maxWaitMs > 0 && !this.closed) {
      await this.waits.nextChange(req.fromSeq, req.maxWaitMs);
    }
    if (this.closed) return { seq: req.fromSeq, changes: [] };
    const from = req.fromSeq;
    if (from <= 0 || from < this.store.firstResumableSeq() || from > this.currentSeq) {
      return { seq: this.currentSeq, snapshot: this.snapshot(), changes: [] };
    }
    return this.store.changesAfter(from);
  }

  /** A block of producer ids (Kafka's ProducerIdControlManager: the counter is persisted, no id twice). */
  allocateProducerIds(req: { brokerId: number; brokerEpoch: number }): {
    errorCode: number;
    producerIdStart: number;
    producerIdLen: number;
  } {
    const s = this.registry.session(req.brokerId, req.brokerEpoch);
    if (typeof s === 'number') return { errorCode: s, producerIdStart: -1, producerIdLen: 0 };
    return {
      errorCode: ErrorCode.NONE,
      producerIdStart: this.store.allocateProducerIds(PRODUCER_ID_BLOCK),
      producerIdLen: PRODUCER_ID_BLOCK,
    };
  }

  /** ISR changes from partition leaders (AlterPartition v0–3). */
  alterPartition(req: AlterPartitionRequest): AlterPartitionResponseInput {
    const s = this.registry.session(req.brokerId, req.brokerEpoch);
    if (typeof s === 'number') return { throttleTimeMs: 0, errorCode: s, topics: [] };
    return this.replication.alterPartition(req);
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
    return handleForwarded(this, apiKey, apiVersion, request, ctx);
  }

  // ---- liveness and leadership ----

  /** The supervisor saw the broker's process exit: fence it now. */
  brokerExited(id: number): void {
    this.registry.brokerExited(id);
  }

  checkSessions(): void {
    if (this.closed) return;
    this.registry.checkSessions();
  }

  /** Fences a broker: it leaves every ISR (never emptying one) and its leaderships move. */
  fence(id: number, why: string): void {
    this.registry.fence(id, why);
  }

  /** Leaders for partitions that have none: a live ISR member, or by the unclean rule a live replica. */
  electLeaderless(): MetadataChange[] {
    return this.replication.electLeaderless();
  }

  /** The periodic preferred-leader rebalance (auto.leader.rebalance.enable). */
  rebalanceLeaders(): void {
    if (this.closed) return;
    this.replication.rebalanceLeaders();
  }
}
