// The group coordinator of a broker (Kafka's classic group protocol, and the
// consumer protocol of KIP-848 in consumer-groups.ts): owns the groups
// and committed offsets, checks what every group API checks first (group id,
// coordinator, loading, timeouts), and delegates membership to Membership and
// persistence to GroupLog.
//
// As in Kafka, a group belongs to partition abs(hash(groupId)) %
// offsets.topic.num.partitions of `__consumer_offsets`, and its coordinator is
// that partition's leader. The broker tells this coordinator when it gains or
// loses the leadership of a partition (onPartitionLeadership): gaining it
// replays the partition (its groups answer COORDINATOR_LOAD_IN_PROGRESS
// meanwhile) — committed offsets come back, and groups come back Empty with
// their generation and protocol type, so members must rejoin; losing it
// forgets the partition's groups (waiting joins and syncs are answered
// NOT_COORDINATOR). Groups of partitions led elsewhere get NOT_COORDINATOR.
// Writes go to the partition's log and, with replication, are acknowledged
// once the in-sync replicas have them (acks=all).

import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { Reader } from '../../protocol/reader.ts';
import { decodeConsumerProtocolSubscription } from '../../protocol/messages/consumer-protocol-subscription.ts';
import type { JoinGroupRequest, JoinGroupResponseInput } from '../../protocol/messages/join-group.ts';
import type { SyncGroupRequest, SyncGroupResponseInput } from '../../protocol/messages/sync-group.ts';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponseInput,
} from '../../protocol/messages/consumer-group-heartbeat.ts';
import type { TopicRegistry } from '../broker-types.ts';
import type { BrokerConfig } from '../configs.ts';
import type { PartitionState } from '../topic-manager.ts';
import { ClassicGroup, GroupState } from './group.ts';
import {
  GroupLog,
  OFFSETS_TOPIC,
  groupMetadataRecord,
  offsetCommitRecord,
  partitionForGroup,
  writeErrorCode,
  type CoordinatorRecord,
} from './group-log.ts';
import type { KeyValue } from './coordinator-record.ts';
import { Membership, joinError, syncError, validateMember, type JoinContext } from './membership.ts';
import { OffsetStore, type CommittedOffset } from './offset-store.ts';
import { ConsumerGroups, type HeartbeatContext } from './consumer-groups.ts';

/** What the coordinator needs from replication to make its writes durable (Replication's acks=all path). */
export interface CoordinatorReplication {
  /** Before appending with acks=all: NONE, or NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas. */
  checkAcksAll?(p: PartitionState, minInsyncReplicas: number): number;
  /** The leader appended up to `endOffset` (exclusive). */
  onLeaderAppend?(p: PartitionState, endOffset: number): void;
  /** Resolves with ErrorCode.NONE once the high watermark reached `endOffset`, else an error code. */
  awaitHighWatermark?(p: PartitionState, endOffset: number, timeoutMs: number): Promise<number>;
}

export interface CoordinatorHost {
  topics: TopicRegistry;
  config: BrokerConfig;
  notifyAppended(topicId: string, partition: number): void;
  log(msg: string): void;
  /** This broker's id (defaults to the config's node.id). */
  readonly brokerId?: number;
  /** Replication, when the broker has it: writes wait for the in-sync replicas. */
  readonly replication?: CoordinatorReplication | undefined;
  /** Store groups in `__consumer_offsets` (default: when the topics are a real TopicManager). */
  readonly persistOffsets?: boolean;
}

export interface OffsetCommitInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** The OffsetCommit version (members of consumer groups must use v9+). */
  apiVersion?: number;
  /**
   * OffsetCommit v2–4: how long the offsets are kept, from the commit (-1 or absent: the broker's
   * offsets.retention.minutes, counted from when the group becomes Empty).
   */
  retentionTimeMs?: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[];
  }[];
}

export interface TopicPartitionErrors {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

export interface FetchedTopic {
  name: string;
  partitions: {
    partitionIndex: number;
    committedOffset: number;
    committedLeaderEpoch: number;
    metadata: string | null;
    errorCode: number;
  }[];
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }[];
}

/** Where FindCoordinator should send a group's clients. */
export type CoordinatorLocation = { errorCode: number; leader: number };

const CONSUMER_PROTOCOL = 'consumer';
const EMPTY = Buffer.alloc(0);
/** Kafka's offsets.commit.timeout.ms default: how long a write waits for the in-sync replicas. */
const COMMIT_TIMEOUT_MS = 5000;

/** A `__consumer_offsets` partition this broker leads. */
interface LedPartition {
  leaderEpoch: number;
  loading: boolean;
  /** The replay began (it waits for the partition's state when the broker's topics are not open yet). */
  started: boolean;
  /** Settles when the load is over. */
  loaded: Promise<void>;
  finish(): void;
}

const STALE_LOAD = Symbol('stale load');

export class GroupCoordinator {
  readonly groups = new Map<string, ClassicGroup>();
  readonly offsets = new OffsetStore();
  readonly log: GroupLog;
  readonly membership: Membership;
  /** Groups of the consumer protocol (KIP-848). */
  readonly consumer: ConsumerGroups;
  private readonly host: CoordinatorHost;
  /** `__consumer_offsets` partitions this broker leads → their load state. */
  private readonly led = new Map<number, LedPartition>();
  private stopped = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiring = false;
  /** The clock offset expiry reads (tests move it forward). */
  clock: () => number = Date.now;

  constructor(host: CoordinatorHost) {
    this.host = host;
    this.log = new GroupLog(host);
    this.membership = new Membership({
      initialRebalanceDelayMs: () => this.num('group.initial.rebalance.delay.ms'),
      persistGroup: (g, assignments) =>
        this.write(g.groupId, [groupMetadataRecord(g.groupId, g, Date.now(), assignments)]),
      log: (m) => host.log(m),
    });
    this.consumer = new ConsumerGroups({
      get topics() {
        return host.topics;
      },
      num: (name) => this.num(name),
      append: (groupId, records) => this.write(groupId, records),
      log: (m) => host.log(m),
      coordinatorError: (groupId) => this.coordinatorError(groupId),
      classicGroup: (groupId) => {
        const g = this.groups.get(groupId);
        if (!g || g.is(GroupState.Dead)) return undefined;
        return g.is(GroupState.Empty) ? 'empty' : 'busy';
      },
      dropClassicGroup: (groupId) => {
        const g = this.groups.get(groupId);
        if (g) {
          g.transitionTo(GroupState.Dead, Date.now());
          this.membership.forget(g);
          this.groups.delete(groupId);
        }
        return groupMetadataRecord(groupId, null, Date.now());
      },
    });
  }

  private num(name: string): number {
    return Number(this.host.config.get(name));
  }

  private get brokerId(): number {
    return this.host.brokerId ?? this.host.config.nodeId;
  }

  /** True while some led partition is being loaded. */
  get isLoading(): boolean {
    for (const l of this.led.values()) if (l.loading) return true;
    return false;
  }

  /** Settles once every partition led so far is loaded. */
  get ready(): Promise<void> {
    this.resumeLoads();
    const wait = async (): Promise<void> => {
      for (;;) {
        const pending = [...this.led.values()].filter((l) => l.loading).map((l) => l.loaded);
        if (pending.length === 0) return;
        await Promise.all(pending);
      }
    };
    return wait();
  }

  /** The `__consumer_offsets` partitions this broker leads and has loaded. */
  ledPartitions(): number[] {
    return [...this.led]
      .filter(([, l]) => !l.loading)
      .map(([p]) => p)
      .sort((a, b) => a - b);
  }

  /** The group's `__consumer_offsets` partition. */
  partitionOf(groupId: string): number {
    return this.log.partitionFor(groupId);
  }

  /**
   * NONE when this broker coordinates the group now, NOT_COORDINATOR when
   * another broker leads its partition, COORDINATOR_LOAD_IN_PROGRESS while
   * the partition loads. A broker on in-memory topics, or before
   * `__consumer_offsets` exists, answers for every group (nothing is stored
   * yet; writes create the topic first).
   */
  coordinatorError(groupId: string): number {
    if (this.stopped) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.log.persistent || !this.log.topicState) return ErrorCode.NONE;
    this.resumeLoads();
    const l = this.led.get(this.partitionOf(groupId));
    if (!l) return ErrorCode.NOT_COORDINATOR;
    return l.loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
  }

  /** As coordinatorError, after creating `__consumer_offsets` if it doesn't exist yet (the first write of a group). */
  private async prepareWrite(groupId: string): Promise<number> {
    if (this.stopped) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.log.persistent && !this.log.topicState) {
      try {
        await this.log.ensureTopic();
      } catch (e) {
        this.host.log(`creating ${OFFSETS_TOPIC} failed: ${String(e)}`);
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
      this.followPartitionStates();
      if (!this.log.topicState) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return this.coordinatorError(groupId);
  }

  /**
   * The broker gained (`isLeader`) or lost the leadership of partition
   * `partition` of `__consumer_offsets` at `leaderEpoch`. Gaining it loads
   * the partition's groups and offsets; losing it unloads them. A stale
   * resignation (an older epoch than the one led) is ignored; a new epoch of
   * a partition still led here keeps its state.
   */
  onPartitionLeadership(partition: number, isLeader: boolean, leaderEpoch: number, state?: PartitionState): void {
    if (this.stopped) return;
    const cur = this.led.get(partition);
    if (isLeader) {
      if (cur) {
        if (leaderEpoch > cur.leaderEpoch) cur.leaderEpoch = leaderEpoch;
        return;
      }
      this.load(partition, leaderEpoch, state);
      return;
    }
    if (!cur || (leaderEpoch >= 0 && leaderEpoch < cur.leaderEpoch)) return;
    this.led.delete(partition);
    cur.finish();
    const n = this.unload(partition);
    this.host.log(
      `group coordinator: resigned ${OFFSETS_TOPIC}-${partition} (epoch ${leaderEpoch}), unloaded ${n} group(s)`,
    );
  }

  /**
   * Takes the leadership of the `__consumer_offsets` partitions that the
   * topic's partition states give this broker (all of them when the states
   * carry no leader: a broker that is not part of a cluster).
   */
  followPartitionStates(): void {
    const t = this.log.topicState;
    if (!t) return;
    for (const p of t.partitions) {
      if (!p) continue; // not hosted here
      const leader = (p as { leader?: number }).leader;
      if (leader === undefined || leader === this.brokerId)
        this.onPartitionLeadership(p.partition, true, p.leaderEpoch, p);
    }
    this.resumeLoads();
  }

  private load(partition: number, leaderEpoch: number, state?: PartitionState): void {
    let finish = () => {};
    const loaded = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const entry: LedPartition = { leaderEpoch, loading: true, started: false, loaded, finish };
    this.led.set(partition, entry);
    this.startLoad(partition, entry, state);
  }

  /** Loads that waited for the broker's partition state (leadership told before the topics were open) begin now. */
  private resumeLoads(): void {
    if (this.led.size === 0) return;
    for (const [partition, entry] of this.led) if (!entry.started) this.startLoad(partition, entry);
  }

  private startLoad(partition: number, entry: LedPartition, state?: PartitionState): void {
    const p = state ?? this.log.topicState?.partitions[partition];
    if (!p) return;
    entry.started = true;
    const done = () => {
      entry.loading = false;
      entry.finish();
    };
    // Nothing to read (a new partition): coordinating at once.
    if (p.log.logEndOffset <= p.log.logStartOffset) {
      done();
      return;
    }
    const started = Date.now();
    void (async () => {
      let n = 0;
      try {
        n = await this.log.replayPartition(
          p,
          (rec) => {
            if (this.led.get(partition) !== entry) throw STALE_LOAD;
            this.applyRecord(rec);
          },
          (msg) => this.host.log(`group coordinator: ${msg}`),
        );
      } catch (e) {
        if (e !== STALE_LOAD)
          this.host.log(
            `group coordinator: loading ${OFFSETS_TOPIC}-${partition} failed: ${(e as Error)?.stack ?? String(e)}`,
          );
      }
      if (this.led.get(partition) !== entry) {
        // Resigned (or stopped) while loading: drop what was read.
        this.unload(partition);
        done();
        return;
      }
      const mine = (id: string) => this.partitionOf(id) === partition;
      // Offsets of a consumer group must not leave a classic group of the same id behind.
      for (const id of this.consumer.groups.keys()) {
        if (!mine(id)) continue;
        const g = this.groups.get(id);
        if (g && g.is(GroupState.Empty)) this.groups.delete(id);
      }
      this.consumer.loaded(mine);
      done();
      if (n > 0) {
        let classic = 0;
        let consumer = 0;
        for (const id of this.groups.keys()) if (mine(id)) classic++;
        for (const id of this.consumer.groups.keys()) if (mine(id)) consumer++;
        this.host.log(
          `group coordinator loaded ${OFFSETS_TOPIC}-${partition} in ${Date.now() - started} ms: ${n} record(s), ${classic} classic and ${consumer} consumer group(s)`,
        );
      }
    })();
  }

  /** Forgets every group of a partition: timers stop, waiting joins and syncs get NOT_COORDINATOR. Returns the groups dropped. */
  private unload(partition: number): number {
    const ids = new Set<string>();
    const mine = (id: string) => this.partitionOf(id) === partition;
    for (const [id, g] of [...this.groups]) {
      if (!mine(id)) continue;
      ids.add(id);
      this.membership.unload(g, ErrorCode.NOT_COORDINATOR);
      if (!g.is(GroupState.Dead)) g.transitionTo(GroupState.Dead, Date.now());
      this.groups.delete(id);
    }
    for (const id of [...this.consumer.groups.keys()]) {
      if (!mine(id)) continue;
      ids.add(id);
      this.consumer.forget(id);
    }
    for (const id of [...this.offsets.groupIds()]) {
      if (!mine(id)) continue;
      ids.add(id);
      this.offsets.deleteGroup(id);
    }
    return ids.size;
  }

  /**
   * Writes records of one group to its partition: only while this broker
   * leads it, and with replication only acknowledged once the in-sync
   * replicas have them. Throws KafkaError (see writeErrorCode).
   */
  private async write(groupId: string, records: KeyValue[]): Promise<void> {
    if (records.length === 0 || !this.log.persistent) return;
    let t = this.log.topicState;
    if (!t) {
      t = await this.log.ensureTopic();
      this.followPartitionStates();
    }
    if (!t) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC} is not available`);
    const partition = partitionForGroup(groupId, t.partitions.length);
    const p = t.partitions[partition];
    const entry = this.led.get(partition);
    if (!p || !entry || entry.loading || this.stopped)
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `this broker does not lead ${OFFSETS_TOPIC}-${partition}`);
    const replication = this.host.replication;
    if (replication?.checkAcksAll) {
      const minIsr = (t as { minInsyncReplicas?: number }).minInsyncReplicas ?? 1;
      const code = replication.checkAcksAll(p, minIsr);
      if (code !== ErrorCode.NONE)
        throw new KafkaError(code, `${OFFSETS_TOPIC}-${partition}: fewer in-sync replicas than min.insync.replicas`);
    }
    const end = await this.log.appendTo(p, records, (endOffset) => replication?.onLeaderAppend?.(p, endOffset));
    if (replication?.awaitHighWatermark) {
      const code = await replication.awaitHighWatermark(p, end, COMMIT_TIMEOUT_MS);
      if (code !== ErrorCode.NONE)
        throw new KafkaError(
          code,
          `${OFFSETS_TOPIC}-${partition}: the in-sync replicas did not confirm the write (error ${code})`,
        );
    }
    if (this.led.get(partition) !== entry)
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `lost the leadership of ${OFFSETS_TOPIC}-${partition}`);
  }

  /** Begins coordinating: offset expiry, and the partitions the broker's partition states say it leads. */
  start(): Promise<void> {
    this.stopped = false;
    clearInterval(this.expiryTimer);
    this.expiryTimer = setInterval(() => {
      void this.expireOffsets().catch((e: unknown) =>
        this.host.log(`group coordinator: offset expiry failed: ${(e as Error)?.stack ?? String(e)}`),
      );
    }, this.host.config.offsetsRetentionCheckIntervalMs);
    this.expiryTimer.unref();
    this.followPartitionStates();
    return this.ready;
  }

  /** Broker stop: cancels timers and answers waiting joins and syncs. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
    for (const l of this.led.values()) l.finish();
    this.led.clear();
    this.membership.shutdown(this.groups.values());
    this.consumer.shutdown();
  }

  private applyRecord(rec: CoordinatorRecord): void {
    if (rec.kind !== 'offset' && rec.kind !== 'group') {
      this.consumer.apply(rec);
      return;
    }
    if (rec.kind === 'offset') {
      if (rec.value) {
        this.offsets.put(rec.groupId, rec.topic, rec.partition, rec.value);
        if (!this.consumer.groups.has(rec.groupId)) this.getOrCreate(rec.groupId);
      } else {
        this.offsets.delete(rec.groupId, rec.topic, rec.partition);
      }
      return;
    }
    if (rec.value) {
      const g = this.getOrCreate(rec.groupId);
      g.generationId = rec.value.generation;
      g.protocolType = rec.value.protocolType === '' ? null : rec.value.protocolType;
      // When the group last changed state (it comes back Empty): the offset expiry clock.
      if (rec.value.currentStateTimestamp >= 0) g.stateTimestampMs = Number(rec.value.currentStateTimestamp);
    } else {
      this.groups.delete(rec.groupId);
    }
  }

  private getOrCreate(groupId: string): ClassicGroup {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new ClassicGroup(groupId, Date.now());
      this.groups.set(groupId, g);
    }
    return g;
  }

  /**
   * FindCoordinator for a group: the broker leading the group's partition of
   * `__consumer_offsets` (created on first need, as Kafka does), or
   * COORDINATOR_NOT_AVAILABLE while it has no leader. `leaderOf` reads a
   * partition's leader from the cluster metadata (-1: none); without it, the
   * hosted partition's state says.
   */
  async findGroupCoordinator(groupId: string, leaderOf?: (partition: number) => number): Promise<CoordinatorLocation> {
    const unavailable = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, leader: -1 };
    let t = this.log.topicState;
    if (!t) {
      try {
        t = await this.log.ensureTopic();
      } catch (e) {
        this.host.log(`creating ${OFFSETS_TOPIC} failed: ${String(e)}`);
        return unavailable;
      }
      this.followPartitionStates();
      // In-memory topics: this broker answers for every group.
      if (!t) return this.log.persistent ? unavailable : { errorCode: ErrorCode.NONE, leader: this.brokerId };
    }
    const partition = partitionForGroup(groupId, t.partitions.length);
    let leader: number;
    if (leaderOf) {
      leader = leaderOf(partition);
    } else {
      const p = t.partitions[partition];
      leader = p ? ((p as { leader?: number }).leader ?? this.brokerId) : -1;
    }
    return leader < 0 ? unavailable : { errorCode: ErrorCode.NONE, leader };
  }

  /** ConsumerGroupHeartbeat: creates `__consumer_offsets` on a group's first heartbeat if needed. */
  async consumerHeartbeat(
    req: ConsumerGroupHeartbeatRequest,
    version: number,
    ctx: HeartbeatContext,
  ): Promise<ConsumerGroupHeartbeatResponseInput> {
    if (req.groupId !== '' && this.log.persistent && !this.log.topicState) await this.prepareWrite(req.groupId);
    return this.consumer.heartbeat(req, version, ctx);
  }

  // ------------------------------------------------------------------ membership

  async join(req: JoinGroupRequest, version: number, ctx: JoinContext): Promise<JoinGroupResponseInput> {
    if (req.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    if (
      req.sessionTimeoutMs < this.num('group.min.session.timeout.ms') ||
      req.sessionTimeoutMs > this.num('group.max.session.timeout.ms')
    ) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    const notHere = await this.prepareWrite(req.groupId);
    if (notHere !== ErrorCode.NONE) return joinError(notHere, req.memberId);
    const cg = this.consumer.groups.get(req.groupId);
    if (cg) {
      // A consumer-protocol group: without online migration, classic members may only take over an empty one.
      if (cg.members.size > 0) {
        return joinError(
          req.protocolType !== CONSUMER_PROTOCOL ? ErrorCode.INCONSISTENT_GROUP_PROTOCOL : ErrorCode.GROUP_ID_NOT_FOUND,
          req.memberId,
        );
      }
      try {
        await this.write(req.groupId, this.consumer.deleteRecords(cg));
      } catch (e) {
        return joinError(writeErrorCode(e), req.memberId);
      }
      this.consumer.forget(req.groupId);
    }
    let g = this.groups.get(req.groupId);
    if (!g) {
      if (req.memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      g = this.getOrCreate(req.groupId);
    }
    if (
      req.memberId === '' &&
      g.size >= this.num('group.max.size') &&
      !(version >= 5 && g.staticMemberId(req.groupInstanceId))
    ) {
      return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, req.memberId);
    }
    return this.membership.join(g, req, version, ctx);
  }

  async sync(req: SyncGroupRequest, version: number): Promise<SyncGroupResponseInput> {
    if (req.groupId === '') return syncError(ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(req.groupId);
    if (notHere !== ErrorCode.NONE) return syncError(notHere);
    const g = this.groups.get(req.groupId);
    if (!g) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    return this.membership.sync(g, req, version);
  }

  heartbeat(groupId: string, memberId: string, instanceId: string | null, generationId: number): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const g = this.groups.get(groupId);
    if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
    return this.membership.heartbeat(g, memberId, instanceId, generationId);
  }

  leave(
    groupId: string,
    members: readonly { memberId: string; groupInstanceId: string | null }[],
  ): { errorCode: number; members: number[] } {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, members: [] };
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
    if (g.is(GroupState.Dead)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    return { errorCode: ErrorCode.NONE, members: this.membership.leave(g, members) };
  }

  // ------------------------------------------------------------------ offsets

  /** Checks a commit against the group (Kafka's ClassicGroup.validateOffsetCommit). */
  /**
   * Whether a topic partition exists in the cluster. Kafka checks its metadata cache, not the
   * replicas it hosts: a coordinator and the partitions its groups read are usually on
   * different brokers.
   */
  private partitionExists(topic: string, partition: number): boolean {
    const t = this.host.topics.get(topic);
    return t !== undefined && partition >= 0 && partition < (t.numPartitions ?? t.partitions.length);
  }

  private commitError(req: OffsetCommitInput): number {
    const cg = this.consumer.groups.get(req.groupId);
    if (cg) return this.consumer.commitError(cg, req.memberId, req.generationId, req.apiVersion ?? 9);
    const g = this.groups.get(req.groupId);
    if (!g) return req.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (g.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // A "simple" commit (no generation, no member) is allowed while the group has no members.
    if (req.generationId < 0 && g.is(GroupState.Empty)) return ErrorCode.NONE;
    const err = validateMember(g, req.memberId, req.groupInstanceId);
    if (err !== ErrorCode.NONE) return err;
    if (req.generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (g.is(GroupState.CompletingRebalance)) return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Validates, writes and applies an offset commit; resolves once the records are written. */
  async commitOffsets(req: OffsetCommitInput): Promise<TopicPartitionErrors[]> {
    let groupError: number = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : await this.prepareWrite(req.groupId);
    if (groupError === ErrorCode.NONE) groupError = this.commitError(req);
    const maxMetadata = this.num('offset.metadata.max.bytes');
    const now = Date.now();
    const toWrite: { topic: string; partition: number; value: CommittedOffset }[] = [];
    const results: TopicPartitionErrors[] = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        let errorCode: number = groupError;
        if (errorCode === ErrorCode.NONE) {
          const metadata = p.committedMetadata ?? '';
          if (!this.partitionExists(t.name, p.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          // Kafka compares the string's length with offset.metadata.max.bytes.
          else if (metadata.length > maxMetadata) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
          else {
            toWrite.push({
              topic: t.name,
              partition: p.partitionIndex,
              value: {
                offset: p.committedOffset,
                leaderEpoch: p.committedLeaderEpoch,
                metadata,
                commitTimestampMs: now,
                // Kafka records an explicit expiry (value v1) only for a retention the client gave.
                expireTimestampMs: (req.retentionTimeMs ?? -1) >= 0 ? now + req.retentionTimeMs! : -1,
              },
            });
          }
        }
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    }));
    if (toWrite.length === 0) return results;
    try {
      await this.write(
        req.groupId,
        toWrite.map((o) => offsetCommitRecord(req.groupId, o.topic, o.partition, o.value)),
      );
    } catch (e) {
      this.host.log(`group ${req.groupId}: writing offsets failed: ${String(e)}`);
      const code = writeErrorCode(e);
      const failed = new Set(toWrite.map((o) => `${o.topic}\u0000${o.partition}`));
      for (const t of results) {
        for (const p of t.partitions) if (failed.has(`${t.name}\u0000${p.partitionIndex}`)) p.errorCode = code;
      }
      return results;
    }
    // The group may be created by a simple commit (Kafka creates it Empty).
    const g = this.consumer.groups.has(req.groupId) ? null : this.getOrCreate(req.groupId);
    if (!g?.is(GroupState.Dead)) for (const o of toWrite) this.offsets.put(req.groupId, o.topic, o.partition, o.value);
    return results;
  }

  /**
   * Committed offsets of a group: the listed partitions (-1 where nothing is
   * committed), or every committed one when `topics` is null.
   */
  fetchOffsets(
    groupId: string,
    topics: readonly { name: string; partitionIndexes: number[] }[] | null,
    member?: { memberId: string | null; memberEpoch: number },
  ): { errorCode: number; topics: FetchedTopic[] } {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, topics: [] };
    const cg = member ? this.consumer.groups.get(groupId) : undefined;
    if (cg && member) {
      const err = this.consumer.fetchError(cg, member.memberId, member.memberEpoch);
      if (err !== ErrorCode.NONE) return { errorCode: err, topics: [] };
    }
    const entry = (partitionIndex: number, o: CommittedOffset | undefined) => ({
      partitionIndex,
      committedOffset: o?.offset ?? -1,
      committedLeaderEpoch: o?.leaderEpoch ?? -1,
      metadata: o ? o.metadata : '',
      errorCode: ErrorCode.NONE,
    });
    if (topics === null) {
      const out: FetchedTopic[] = [];
      for (const [name, ps] of this.offsets.all(groupId)) {
        out.push({ name, partitions: [...ps].sort((a, b) => a[0] - b[0]).map(([p, o]) => entry(p, o)) });
      }
      return { errorCode: ErrorCode.NONE, topics: out };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => entry(p, this.offsets.get(groupId, t.name, p))),
      })),
    };
  }

  // ------------------------------------------------------------------ admin

  listGroups(
    statesFilter: readonly string[],
    typesFilter: readonly string[],
  ): { errorCode: number; groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[] } {
    if (this.stopped) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    if (this.isLoading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.toLowerCase()));
    const groups = [];
    for (const g of this.groups.values()) {
      if (g.is(GroupState.Dead)) continue;
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('classic')) continue;
      groups.push({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        groupState: g.state,
        groupType: 'classic',
      });
    }
    for (const g of this.consumer.groups.values()) {
      if (g.dead || this.groups.has(g.groupId)) continue;
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('consumer')) continue;
      groups.push({ groupId: g.groupId, protocolType: CONSUMER_PROTOCOL, groupState: g.state, groupType: 'consumer' });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  describeGroup(groupId: string): GroupDescription {
    const base = { groupId, groupState: GroupState.Dead as string, protocolType: '', protocolData: '', members: [] };
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, ...base };
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: ErrorCode.NONE, ...base };
    const stable = g.is(GroupState.Stable);
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? g.metadataOf(m) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /**
   * offsets.retention.minutes, Kafka's rule since KIP-211: the committed
   * offsets of a group without members expire once the group has been Empty
   * for the retention (the clock starts when it became Empty); a standalone
   * group's (no protocol type: commits only) expire that long after their
   * commit; an offset committed with an explicit expire time (OffsetCommit
   * v2–4 with a retention time; value v1) expires then. Groups with members
   * keep the offsets of the topics they subscribe to. Tombstones go to
   * `__consumer_offsets`; an Empty group left without offsets becomes Dead
   * and is removed (with its group tombstone). Returns the offsets expired.
   */
  async expireOffsets(now: number = this.clock()): Promise<number> {
    if (this.stopped || this.expiring) return 0;
    this.expiring = true;
    try {
      const retentionMs = this.host.config.offsetsRetentionMs;
      let total = 0;
      for (const groupId of [...this.offsets.groupIds()]) {
        if (this.coordinatorError(groupId) !== ErrorCode.NONE) continue;
        const cg = this.consumer.groups.get(groupId);
        const g = this.groups.get(groupId);
        // Which offsets may expire, as in Kafka: all of an empty or standalone group's; of a
        // group with members, those of topics it does not subscribe to (a Stable classic group
        // of the consumer protocol, or a consumer-protocol group), counted from their commit.
        let subscribed: ReadonlySet<string> = NO_TOPICS;
        let emptySince: number | undefined;
        if (cg) {
          if (cg.members.size > 0) subscribed = this.consumer.subscribedTopicNames(cg);
        } else if (g && g.protocolType !== null) {
          if (g.is(GroupState.Empty)) emptySince = g.stateTimestampMs;
          else if (g.protocolType === CONSUMER_PROTOCOL && g.is(GroupState.Stable)) {
            const topics = subscribedTopics(g);
            if (topics === null) continue;
            subscribed = topics;
          } else continue;
        }
        const expired: { topic: string; partition: number; value: CommittedOffset }[] = [];
        for (const [topic, ps] of this.offsets.all(groupId)) {
          if (subscribed.has(topic)) continue;
          for (const [partition, o] of ps) {
            const due =
              o.expireTimestampMs >= 0
                ? now >= o.expireTimestampMs
                : now - (emptySince ?? o.commitTimestampMs) >= retentionMs;
            if (due) expired.push({ topic, partition, value: o });
          }
        }
        if (expired.length === 0) continue;
        const records: KeyValue[] = expired.map((e) => offsetCommitRecord(groupId, e.topic, e.partition, null));
        try {
          await this.write(groupId, records);
        } catch (e) {
          this.host.log(`group ${groupId}: writing tombstones of expired offsets failed: ${String(e)}`);
          continue;
        }
        // A commit that arrived meanwhile replaced the offset: it stays.
        for (const e of expired) {
          if (this.offsets.get(groupId, e.topic, e.partition) === e.value) {
            this.offsets.delete(groupId, e.topic, e.partition);
            total++;
          }
        }
        this.host.log(`group ${groupId}: expired ${expired.length} committed offset(s) (offsets.retention.minutes)`);
        if (!this.offsets.hasOffsets(groupId)) await this.removeEmptyGroup(groupId);
      }
      return total;
    } finally {
      this.expiring = false;
    }
  }

  /** An Empty group without offsets left becomes Dead and disappears (Kafka's cleanupGroupMetadata). */
  private async removeEmptyGroup(groupId: string): Promise<void> {
    const cg = this.consumer.groups.get(groupId);
    if (cg) {
      if (cg.members.size > 0) return;
      try {
        await this.write(groupId, this.consumer.deleteRecords(cg));
      } catch {
        return;
      }
      if (this.consumer.groups.get(groupId) === cg && cg.members.size === 0 && !this.offsets.hasOffsets(groupId))
        this.consumer.forget(groupId);
      return;
    }
    const g = this.groups.get(groupId);
    if (g && !g.is(GroupState.Empty)) return;
    try {
      await this.write(groupId, [groupMetadataRecord(groupId, null, Date.now())]);
    } catch {
      return;
    }
    if (g && this.groups.get(groupId) === g && g.is(GroupState.Empty) && !this.offsets.hasOffsets(groupId)) {
      g.transitionTo(GroupState.Dead, Date.now());
      this.membership.forget(g);
      this.groups.delete(groupId);
    }
  }

  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; errorCode: number }[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        if (groupId === '') return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID };
        const notHere = this.coordinatorError(groupId);
        if (notHere !== ErrorCode.NONE) return { groupId, errorCode: notHere };
        const cg = this.consumer.groups.get(groupId);
        if (cg) return this.deleteConsumerGroup(groupId);
        const g = this.groups.get(groupId);
        if (!g || g.is(GroupState.Dead)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
        if (!g.is(GroupState.Empty)) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
        const records: KeyValue[] = this.offsets
          .partitions(groupId)
          .map((p) => offsetCommitRecord(groupId, p.topic, p.partition, null));
        records.push(groupMetadataRecord(groupId, null, Date.now()));
        try {
          await this.write(groupId, records);
        } catch (e) {
          this.host.log(`group ${groupId}: writing tombstones failed: ${String(e)}`);
          return { groupId, errorCode: writeErrorCode(e) };
        }
        if (this.groups.get(groupId) === g && g.is(GroupState.Empty)) {
          g.transitionTo(GroupState.Dead, Date.now());
          this.membership.forget(g);
          this.groups.delete(groupId);
          this.offsets.deleteGroup(groupId);
        }
        return { groupId, errorCode: ErrorCode.NONE };
      }),
    );
  }

  private async deleteConsumerGroup(groupId: string): Promise<{ groupId: string; errorCode: number }> {
    const cg = this.consumer.groups.get(groupId)!;
    if (cg.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
    const records: KeyValue[] = this.offsets
      .partitions(groupId)
      .map((p) => offsetCommitRecord(groupId, p.topic, p.partition, null));
    records.push(...this.consumer.deleteRecords(cg));
    try {
      await this.write(groupId, records);
    } catch (e) {
      this.host.log(`group ${groupId}: writing tombstones failed: ${String(e)}`);
      return { groupId, errorCode: writeErrorCode(e) };
    }
    if (this.consumer.groups.get(groupId) === cg && cg.members.size === 0) {
      this.consumer.forget(groupId);
      this.offsets.deleteGroup(groupId);
    }
    return { groupId, errorCode: ErrorCode.NONE };
  }

  async deleteOffsets(
    groupId: string,
    topics: readonly { name: string; partitions: { partitionIndex: number }[] }[],
  ): Promise<{ errorCode: number; topics: TopicPartitionErrors[] }> {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, topics: [] };
    const cg = this.consumer.groups.get(groupId);
    const g = this.groups.get(groupId);
    if (!cg && (!g || g.is(GroupState.Dead))) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    let subscribed: Set<string> | null = new Set();
    if (cg) {
      subscribed = this.consumer.subscribedTopicNames(cg);
    } else if (g && !g.is(GroupState.Empty)) {
      if (g.protocolType !== CONSUMER_PROTOCOL) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
      subscribed = subscribedTopics(g);
    }
    const records: KeyValue[] = [];
    const deleted: { topic: string; partition: number }[] = [];
    const results: TopicPartitionErrors[] = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex }) => {
        if (subscribed === null || subscribed.has(t.name))
          return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (!this.partitionExists(t.name, partitionIndex))
          return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (this.offsets.get(groupId, t.name, partitionIndex)) {
          records.push(offsetCommitRecord(groupId, t.name, partitionIndex, null));
          deleted.push({ topic: t.name, partition: partitionIndex });
        }
        return { partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    if (records.length > 0) {
      try {
        await this.write(groupId, records);
      } catch (e) {
        this.host.log(`group ${groupId}: writing offset tombstones failed: ${String(e)}`);
        return { errorCode: writeErrorCode(e), topics: [] };
      }
      for (const d of deleted) this.offsets.delete(groupId, d.topic, d.partition);
    }
    return { errorCode: ErrorCode.NONE, topics: results };
  }
}

/**
 * Topics the members of a consumer-protocol group subscribe to, read from
 * their ConsumerProtocolSubscription metadata; null when some metadata cannot
 * be parsed (then every topic counts as subscribed).
 */
const NO_TOPICS: ReadonlySet<string> = new Set<string>() as ReadonlySet<string>;

export function subscribedTopics(g: ClassicGroup): Set<string> | null {
  const out = new Set<string>();
  for (const m of g.members.values()) {
    const protocols = g.protocolName !== null ? [g.metadataOf(m)] : m.protocols.map((p) => p.metadata);
    for (const md of protocols) {
      try {
        const r = new Reader(md);
        const version = r.int16();
        const s = decodeConsumerProtocolSubscription(r, Math.min(version, 3));
        for (const t of s.topics) out.add(t);
      } catch {
        return null;
      }
    }
  }
  return out;
}
