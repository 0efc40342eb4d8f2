// The group coordinator of a broker (Kafka's GroupCoordinatorService and
// GroupCoordinatorShard in one): the one object the group APIs' handlers call.
// It checks what every group API checks first (group id, coordinator, loading,
// timeouts) and routes each request to the part that serves it:
//   - classic membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup): Membership;
//   - the consumer protocol of KIP-848 (ConsumerGroupHeartbeat): ConsumerGroups, which the
//     ConsumerGroupDescribe handler also reaches directly (`consumer.describe`);
//   - committed offsets (OffsetCommit, OffsetFetch, OffsetDelete, expiry): OffsetManager;
//   - ListGroups, DescribeGroups, DeleteGroups: GroupAdmin;
//   - the `__consumer_offsets` partitions it leads, their loading, and writes: CoordinatorRuntime.
// It owns the groups and offsets those parts share (coordinator-state.ts), and
// replays `__consumer_offsets` records into them when a partition loads. See
// README.md in this folder for how a commit flows and how loading works.

import { ErrorCode } from '../../protocol/errors.ts';
import type { JoinGroupRequest, JoinGroupResponseInput } from '../../protocol/messages/join-group.ts';
import type { SyncGroupRequest, SyncGroupResponseInput } from '../../protocol/messages/sync-group.ts';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponseInput,
} from '../../protocol/messages/consumer-group-heartbeat.ts';
import type { PartitionState } from '../topic-manager.ts';
import { ClassicGroup, GroupState } from './group.ts';
import { GroupLog, groupMetadataRecord, writeErrorCode, type CoordinatorRecord } from './group-log.ts';
import { Membership, joinError, syncError, type JoinContext } from './membership.ts';
import { OffsetStore } from './offset-store.ts';
import { ConsumerGroups } from './consumer-groups.ts';
import type { HeartbeatContext } from './consumer-heartbeat.ts';
import { CoordinatorRuntime, type CoordinatorHost, type CoordinatorLocation } from './coordinator-runtime.ts';
import { CONSUMER_PROTOCOL, type CoordinatorState } from './coordinator-state.ts';
import {
  OffsetManager,
  type FetchedTopic,
  type OffsetCommitInput,
  type TopicPartitionErrors,
} from './offset-manager.ts';
import { GroupAdmin, type GroupDescription } from './group-admin.ts';

export type { CoordinatorHost, CoordinatorLocation, CoordinatorReplication } from './coordinator-runtime.ts';
export type { FetchedTopic, OffsetCommitInput, TopicPartitionErrors } from './offset-manager.ts';
export { subscribedTopics } from './offset-manager.ts';
export type { GroupDescription } from './group-admin.ts';

export class GroupCoordinator {
  readonly groups = new Map<string, ClassicGroup>();
  readonly offsets = new OffsetStore();
  readonly log: GroupLog;
  readonly membership: Membership;
  /** Groups of the consumer protocol (KIP-848). */
  readonly consumer: ConsumerGroups;
  private readonly host: CoordinatorHost;
  private readonly runtime: CoordinatorRuntime;
  private readonly offsetManager: OffsetManager;
  private readonly admin: GroupAdmin;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** The clock offset expiry reads (tests move it forward). */
  clock: () => number = Date.now;

  constructor(host: CoordinatorHost) {
    this.host = host;
    this.log = new GroupLog(host);
    this.runtime = new CoordinatorRuntime(host, this.log, {
      replay: (rec) => this.replay(rec),
      loaded: (partition) => this.loaded(partition),
      groupCounts: (partition) => this.groupCounts(partition),
      unload: (partition) => this.unload(partition),
    });
    this.membership = new Membership({
      initialRebalanceDelayMs: () => this.num('group.initial.rebalance.delay.ms'),
      persistGroup: (g, assignments) =>
        this.runtime.write(g.groupId, [groupMetadataRecord(g.groupId, g, Date.now(), assignments)]),
      log: (m) => host.log(m),
    });
    this.consumer = new ConsumerGroups({
      get topics() {
        return host.topics;
      },
      num: (name) => this.num(name),
      append: (groupId, records) => this.runtime.write(groupId, records),
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
    const state: CoordinatorState = {
      host,
      runtime: this.runtime,
      groups: this.groups,
      consumer: this.consumer,
      membership: this.membership,
      offsets: this.offsets,
      getOrCreateGroup: (groupId) => this.getOrCreate(groupId),
    };
    this.admin = new GroupAdmin(state);
    this.offsetManager = new OffsetManager(state, (groupId) => this.admin.removeEmptyGroup(groupId));
  }

  private num(name: string): number {
    return Number(this.host.config.get(name));
  }

  // ------------------------------------------------------------------ partitions (CoordinatorRuntime)

  /** True while some led partition is being loaded. */
  get isLoading(): boolean {
    return this.runtime.isLoading;
  }

  /** Settles once every partition led so far is loaded. */
  get ready(): Promise<void> {
    return this.runtime.ready;
  }

  /** The `__consumer_offsets` partitions this broker leads and has loaded. */
  ledPartitions(): number[] {
    return this.runtime.ledPartitions();
  }

  /** The group's `__consumer_offsets` partition. */
  partitionOf(groupId: string): number {
    return this.runtime.partitionOf(groupId);
  }

  /**
   * NONE when this broker coordinates the group now, NOT_COORDINATOR when
   * another broker leads its partition, COORDINATOR_LOAD_IN_PROGRESS while
   * the partition loads. A broker on in-memory topics, or before
   * `__consumer_offsets` exists, answers for every group (nothing is stored
   * yet; writes create the topic first).
   */
  coordinatorError(groupId: string): number {
    return this.runtime.coordinatorError(groupId);
  }

  /**
   * The broker gained (`isLeader`) or lost the leadership of partition
   * `partition` of `__consumer_offsets` at `leaderEpoch`. Gaining it loads
   * the partition's groups and offsets; losing it unloads them. A stale
   * resignation (an older epoch than the one led) is ignored; a new epoch of
   * a partition still led here keeps its state.
   */
  onPartitionLeadership(partition: number, isLeader: boolean, leaderEpoch: number, state?: PartitionState): void {
    this.runtime.onPartitionLeadership(partition, isLeader, leaderEpoch, state);
  }

  /**
   * Takes the leadership of the `__consumer_offsets` partitions that the
   * topic's partition states give this broker (all of them when the states
   * carry no leader: a broker that is not part of a cluster).
   */
  followPartitionStates(): void {
    this.runtime.followPartitionStates();
  }

  /**
   * FindCoordinator for a group: the broker leading the group's partition of
   * `__consumer_offsets` (created on first need, as Kafka does), or
   * COORDINATOR_NOT_AVAILABLE while it has no leader. `leaderOf` reads a
   * partition's leader from the cluster metadata (-1: none); without it, the
   * hosted partition's state says.
   */
  findGroupCoordinator(groupId: string, leaderOf?: (partition: number) => number): Promise<CoordinatorLocation> {
    return this.runtime.findCoordinator(groupId, leaderOf);
  }

  /** Begins coordinating: offset expiry, and the partitions the broker's partition states say it leads. */
  start(): Promise<void> {
    this.runtime.start();
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
    this.runtime.stop();
    clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
    this.membership.shutdown(this.groups.values());
    this.consumer.shutdown();
  }

  // ------------------------------------------------------------------ replay (the shard's side of loading)

  /** Applies one `__consumer_offsets` record read back while loading a partition. */
  private replay(rec: CoordinatorRecord): void {
    if (rec.kind === 'offset') {
      this.offsetManager.replay(rec);
      return;
    }
    if (rec.kind !== 'group') {
      this.consumer.apply(rec);
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

  /** A partition's replay is over: its consumer groups' members get fresh session timeouts. */
  private loaded(partition: number): void {
    const mine = (id: string) => this.partitionOf(id) === partition;
    // Offsets of a consumer group must not leave a classic group of the same id behind.
    for (const id of this.consumer.groups.keys()) {
      if (!mine(id)) continue;
      const g = this.groups.get(id);
      if (g && g.is(GroupState.Empty)) this.groups.delete(id);
    }
    this.consumer.loaded(mine);
  }

  private groupCounts(partition: number): { classic: number; consumer: number } {
    const mine = (id: string) => this.partitionOf(id) === partition;
    let classic = 0;
    let consumer = 0;
    for (const id of this.groups.keys()) if (mine(id)) classic++;
    for (const id of this.consumer.groups.keys()) if (mine(id)) consumer++;
    return { classic, consumer };
  }

  /**
   * Forgets every group of a partition: timers stop, waiting joins and syncs get NOT_COORDINATOR.
   * Returns the groups dropped.
   */
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

  private getOrCreate(groupId: string): ClassicGroup {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new ClassicGroup(groupId, Date.now());
      this.groups.set(groupId, g);
    }
    return g;
  }

  // ------------------------------------------------------------------ consumer protocol (ConsumerGroups)

  /** ConsumerGroupHeartbeat: creates `__consumer_offsets` on a group's first heartbeat if needed. */
  async consumerHeartbeat(
    req: ConsumerGroupHeartbeatRequest,
    version: number,
    ctx: HeartbeatContext,
  ): Promise<ConsumerGroupHeartbeatResponseInput> {
    if (req.groupId !== '' && this.log.persistent && !this.log.topicState) await this.runtime.prepareWrite(req.groupId);
    return this.consumer.heartbeat(req, version, ctx);
  }

  // ------------------------------------------------------------------ classic membership (Membership)

  async join(req: JoinGroupRequest, version: number, ctx: JoinContext): Promise<JoinGroupResponseInput> {
    if (req.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    if (
      req.sessionTimeoutMs < this.num('group.min.session.timeout.ms') ||
      req.sessionTimeoutMs > this.num('group.max.session.timeout.ms')
    ) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    const notHere = await this.runtime.prepareWrite(req.groupId);
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
        await this.runtime.write(req.groupId, this.consumer.deleteRecords(cg));
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

  // ------------------------------------------------------------------ offsets (OffsetManager)

  /** Validates, writes and applies an offset commit; resolves once the records are written. */
  commitOffsets(req: OffsetCommitInput): Promise<TopicPartitionErrors[]> {
    return this.offsetManager.commitOffsets(req);
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
    return this.offsetManager.fetchOffsets(groupId, topics, member);
  }

  deleteOffsets(
    groupId: string,
    topics: readonly { name: string; partitions: { partitionIndex: number }[] }[],
  ): Promise<{ errorCode: number; topics: TopicPartitionErrors[] }> {
    return this.offsetManager.deleteOffsets(groupId, topics);
  }

  /** offsets.retention.minutes (see OffsetManager.expireOffsets). Returns the offsets expired. */
  expireOffsets(now: number = this.clock()): Promise<number> {
    return this.offsetManager.expireOffsets(now);
  }

  // ------------------------------------------------------------------ admin (GroupAdmin)

  listGroups(
    statesFilter: readonly string[],
    typesFilter: readonly string[],
  ): { errorCode: number; groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[] } {
    return this.admin.listGroups(statesFilter, typesFilter);
  }

  describeGroup(groupId: string): GroupDescription {
    return this.admin.describeGroup(groupId);
  }

  deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; errorCode: number }[]> {
    return this.admin.deleteGroups(groupIds);
  }
}
