// The consumer group protocol (KIP-848) on this broker's group coordinator:
// the groups and their members, server-side assignment (the target
// assignment at each group epoch), member session and revocation timeouts,
// ConsumerGroupDescribe, the checks OffsetCommit/OffsetFetch make for members
// of such groups, and the replay of the groups' records.
// ConsumerGroupHeartbeat itself, in its steps, is consumer-heartbeat.ts;
// reconciliation of a member towards its target is consumer-group.ts.
//
// Every change is written to `__consumer_offsets` (consumer-records.ts)
// before the heartbeat is answered; when this broker takes the leadership of
// the group's `__consumer_offsets` partition the records are replayed and
// every member gets a fresh session timeout: members that come back keep
// their epoch and assignment, the others expire as in Kafka.

import { ErrorCode } from '../../protocol/errors.ts';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponseInput,
} from '../../protocol/messages/consumer-group-heartbeat.ts';
import type { ConsumerGroupDescribeResponseDescribedGroupInput } from '../../protocol/messages/consumer-group-describe.ts';
import type { TopicRegistry } from '../topic-manager.ts';
import type { KeyValue } from './coordinator-record.ts';
import { ConsumerGroupHeartbeat, type HeartbeatContext } from './consumer-heartbeat.ts';
import { Timers } from './timers.ts';
import {
  ConsumerGroup,
  ConsumerGroupState,
  MemberState,
  fromAssignment,
  newMember,
  runAssignor,
  sameAssignment,
  toAssignment,
  type Assignment,
  type ConsumerMember,
  type TopicInfo,
} from './consumer-group.ts';
import {
  assignmentEpochRecord,
  currentAssignmentRecord,
  groupEpochRecord,
  memberMetadataRecord,
  partitionMetadataRecord,
  targetMemberRecord,
  type ConsumerRecord,
} from './consumer-records.ts';

export interface ConsumerGroupsHost {
  topics: TopicRegistry;
  num(name: string): number;
  append(groupId: string, records: KeyValue[]): Promise<void>;
  log(msg: string): void;
  /** NONE when this broker coordinates the group, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  coordinatorError(groupId: string): number;
  /** 'busy' when a classic group with members has this id; 'empty' when an empty classic group has it. */
  classicGroup(groupId: string): 'busy' | 'empty' | undefined;
  /** Removes an empty classic group that becomes a consumer group; returns its tombstone. */
  dropClassicGroup(groupId: string): KeyValue;
}

const NOT_REQUESTED = -2147483648;
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8); // READ, DELETE, DESCRIBE

export class ConsumerGroups {
  readonly groups = new Map<string, ConsumerGroup>();
  private readonly host: ConsumerGroupsHost;
  private readonly timers = new Timers();
  private readonly regexes = new Map<string, RegExp>();
  private readonly heartbeats: ConsumerGroupHeartbeat;

  constructor(host: ConsumerGroupsHost) {
    this.host = host;
    this.heartbeats = new ConsumerGroupHeartbeat({
      groups: this.groups,
      num: (name) => host.num(name),
      append: (groupId, records) => host.append(groupId, records),
      log: (m) => host.log(m),
      coordinatorError: (groupId) => host.coordinatorError(groupId),
      classicGroup: (groupId) => host.classicGroup(groupId),
      dropClassicGroup: (groupId) => host.dropClassicGroup(groupId),
      validRegex: (source) => this.regex(source) !== null,
      topicsChanged: (g) => ConsumerGroups.signature(this.subscribedTopics(g).values()) !== g.metadataSignature,
      bump: (g, records) => this.bump(g, records),
      computeTarget: (g, records) => this.computeTarget(g, this.subscribedTopics(g), records),
      removeMember: (g, m, records) => this.removeMember(g, m, records),
      clearMemberTimers: (g, memberId) => this.timers.clearPrefix(`${g.groupId}\u0000${memberId}\u0000`),
      touchSession: (g, m) => this.touchSession(g, m),
      watchRevocation: (g, m) => this.watchRevocation(g, m),
    });
  }

  /** ConsumerGroupHeartbeat (consumer-heartbeat.ts). */
  heartbeat(
    req: ConsumerGroupHeartbeatRequest,
    version: number,
    ctx: HeartbeatContext,
  ): Promise<ConsumerGroupHeartbeatResponseInput> {
    return this.heartbeats.handle(req, version, ctx);
  }

  clear(): void {
    this.timers.clearAll();
    this.groups.clear();
  }

  shutdown(): void {
    this.timers.clearAll();
  }

  private regex(source: string): RegExp | null {
    let re = this.regexes.get(source);
    if (!re) {
      try {
        re = new RegExp(`^(?:${source})$`);
      } catch {
        return null;
      }
      this.regexes.set(source, re);
    }
    return re;
  }

  /**
   * The existing topics the group's members subscribe to, by name or by regex. A regex matches every
   * topic name in the metadata, internal ones too, as Kafka's refreshRegularExpressions does.
   */
  subscribedTopics(g: ConsumerGroup): Map<string, TopicInfo> {
    const out = new Map<string, TopicInfo>();
    const addTopic = (name: string) => {
      const t = this.host.topics.get(name);
      if (t) out.set(name, { topicId: t.topicId, name, numPartitions: t.partitions.length });
    };
    const patterns: RegExp[] = [];
    for (const m of g.members.values()) {
      for (const n of m.subscribedTopicNames) addTopic(n);
      if (m.subscribedTopicRegex) {
        const re = this.regex(m.subscribedTopicRegex);
        if (re) patterns.push(re);
      }
    }
    if (patterns.length > 0) {
      for (const t of this.host.topics.all()) if (patterns.some((re) => re.test(t.name))) addTopic(t.name);
    }
    return out;
  }

  private memberTopics(m: ConsumerMember, topics: Map<string, TopicInfo>): Set<string> {
    const out = new Set(m.subscribedTopicNames.filter((n) => topics.has(n)));
    const re = m.subscribedTopicRegex ? this.regex(m.subscribedTopicRegex) : null;
    if (re) for (const [name] of topics) if (re.test(name)) out.add(name);
    return out;
  }

  private static signature(topics: Iterable<TopicInfo>): string {
    return [...topics]
      .map((t) => `${t.name}:${t.topicId}:${t.numPartitions}`)
      .sort()
      .join(',');
  }

  /** Recomputes the target assignment at the group epoch; appends the records of what changed. */
  private computeTarget(g: ConsumerGroup, topics: Map<string, TopicInfo>, records: KeyValue[]): void {
    const subscriptions = new Map<string, Set<string>>();
    for (const m of g.members.values()) subscriptions.set(m.memberId, this.memberTopics(m, topics));
    const next = runAssignor(g.assignorName(), { subscriptions, topics, previous: g.target });
    for (const [memberId, a] of next) {
      const prev = g.target.get(memberId);
      if (!prev || !sameAssignment(prev, a)) records.push(targetMemberRecord(g.groupId, memberId, a));
    }
    g.target.clear();
    for (const [memberId, a] of next) g.target.set(memberId, a);
    g.assignmentEpoch = g.groupEpoch;
    records.push(assignmentEpochRecord(g.groupId, g.assignmentEpoch));
  }

  /** Bumps the group epoch and recomputes the target assignment. */
  private bump(g: ConsumerGroup, records: KeyValue[]): void {
    const topics = this.subscribedTopics(g);
    const sig = ConsumerGroups.signature(topics.values());
    if (sig !== g.metadataSignature) {
      g.metadataSignature = sig;
      records.push(partitionMetadataRecord(g.groupId, [...topics.values()]));
    }
    g.groupEpoch++;
    records.push(groupEpochRecord(g.groupId, g.groupEpoch));
    this.computeTarget(g, topics, records);
  }

  private removeMember(g: ConsumerGroup, m: ConsumerMember, records: KeyValue[]): void {
    g.members.delete(m.memberId);
    if (m.instanceId !== null && g.staticMembers.get(m.instanceId) === m.memberId) g.staticMembers.delete(m.instanceId);
    g.target.delete(m.memberId);
    this.timers.clearPrefix(`${g.groupId}\u0000${m.memberId}\u0000`);
    records.push(currentAssignmentRecord(g.groupId, m.memberId, null));
    records.push(targetMemberRecord(g.groupId, m.memberId, null));
    records.push(memberMetadataRecord(g.groupId, m.memberId, null));
    this.bump(g, records);
  }

  /** Removes a member whose session or revocation time ran out. */
  private expire(groupId: string, memberId: string, why: string): void {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return;
    this.host.log(`consumer group ${groupId}: member ${memberId} removed (${why})`);
    const records: KeyValue[] = [];
    this.removeMember(g, m, records);
    this.host
      .append(groupId, records)
      .catch((e) => this.host.log(`consumer group ${groupId}: writing failed: ${String(e)}`));
  }

  private touchSession(g: ConsumerGroup, m: ConsumerMember): void {
    this.timers.set(
      `${g.groupId}\u0000${m.memberId}\u0000session`,
      this.host.num('group.consumer.session.timeout.ms'),
      () => this.expire(g.groupId, m.memberId, 'session timeout'),
    );
  }

  private watchRevocation(g: ConsumerGroup, m: ConsumerMember): void {
    const key = `${g.groupId}\u0000${m.memberId}\u0000revoke`;
    if (m.state !== MemberState.UnrevokedPartitions) this.timers.clear(key);
    else if (!this.timers.has(key))
      this.timers.set(key, m.rebalanceTimeoutMs, () =>
        this.expire(g.groupId, m.memberId, 'partitions not revoked within the rebalance timeout'),
      );
  }

  // ------------------------------------------------------------------ describe

  describe(groupId: string, includeAuthorizedOperations: boolean): ConsumerGroupDescribeResponseDescribedGroupInput {
    const ops = includeAuthorizedOperations ? GROUP_OPERATIONS : NOT_REQUESTED;
    const base = {
      groupId,
      groupState: '',
      groupEpoch: 0,
      assignmentEpoch: 0,
      assignorName: '',
      members: [],
      authorizedOperations: ops,
    };
    const notHere = groupId === '' ? ErrorCode.INVALID_GROUP_ID : this.host.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { ...base, errorCode: notHere, errorMessage: null };
    const g = this.groups.get(groupId);
    if (!g || g.dead) {
      const msg = this.host.classicGroup(groupId)
        ? `Group ${groupId} is not a consumer group.`
        : `Group ${groupId} not found.`;
      return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: msg };
    }
    const describeAssignment = (a: Assignment | undefined) => ({
      topicPartitions: fromAssignment(a ?? new Map()).map((t) => ({
        ...t,
        topicName: this.host.topics.getById(t.topicId)?.name ?? '',
      })),
    });
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: g.state,
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignorName: g.assignorName(),
      authorizedOperations: ops,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: describeAssignment(m.assigned),
        targetAssignment: describeAssignment(g.target.get(m.memberId)),
      })),
    };
  }

  // ------------------------------------------------------------------ offsets

  /** Kafka's ConsumerGroup.validateOffsetCommit. */
  commitError(g: ConsumerGroup, memberId: string, memberEpoch: number, version: number): number {
    if (memberEpoch < 0 && g.members.size === 0) return ErrorCode.NONE;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (version < 9) return ErrorCode.UNSUPPORTED_VERSION;
    if (memberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /** Kafka's ConsumerGroup.validateOffsetFetch: an admin fetch (no member) is always allowed. */
  fetchError(g: ConsumerGroup, memberId: string | null, memberEpoch: number): number {
    if (memberId === null || memberId === '' || memberEpoch < 0) return ErrorCode.NONE;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /** Topic names the group subscribes to (OffsetDelete). */
  subscribedTopicNames(g: ConsumerGroup): Set<string> {
    return new Set(this.subscribedTopics(g).keys());
  }

  /** Tombstones for every consumer-group record of an empty group (DeleteGroups, or becoming classic). */
  deleteRecords(g: ConsumerGroup): KeyValue[] {
    return [
      partitionMetadataRecord(g.groupId, null),
      assignmentEpochRecord(g.groupId, null),
      groupEpochRecord(g.groupId, null),
    ];
  }

  forget(groupId: string): void {
    const g = this.groups.get(groupId);
    if (!g) return;
    g.dead = true;
    this.timers.clearPrefix(`${groupId}\u0000`);
    this.groups.delete(groupId);
  }

  // ------------------------------------------------------------------ replay

  private getOrCreate(groupId: string): ConsumerGroup {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new ConsumerGroup(groupId);
      this.groups.set(groupId, g);
    }
    return g;
  }

  private member(g: ConsumerGroup, memberId: string): ConsumerMember {
    let m = g.members.get(memberId);
    if (!m) {
      m = newMember(memberId);
      g.members.set(memberId, m);
    }
    return m;
  }

  apply(rec: ConsumerRecord): void {
    switch (rec.kind) {
      case 'cg-epoch':
        if (rec.epoch === null) this.groups.delete(rec.groupId);
        else this.getOrCreate(rec.groupId).groupEpoch = rec.epoch;
        return;
      case 'cg-topics':
        if (rec.topics !== null) this.getOrCreate(rec.groupId).metadataSignature = ConsumerGroups.signature(rec.topics);
        return;
      case 'cg-assignment-epoch':
        if (rec.epoch !== null) this.getOrCreate(rec.groupId).assignmentEpoch = rec.epoch;
        return;
      case 'cg-member': {
        const g = this.groups.get(rec.groupId) ?? (rec.value ? this.getOrCreate(rec.groupId) : undefined);
        if (!g) return;
        if (rec.value === null) {
          const m = g.members.get(rec.memberId);
          if (m?.instanceId != null && g.staticMembers.get(m.instanceId) === m.memberId)
            g.staticMembers.delete(m.instanceId);
          g.members.delete(rec.memberId);
          return;
        }
        const m = this.member(g, rec.memberId);
        const v = rec.value;
        Object.assign(m, {
          instanceId: v.instanceId,
          rackId: v.rackId,
          clientId: v.clientId,
          clientHost: v.clientHost,
          subscribedTopicNames: v.subscribedTopicNames,
          subscribedTopicRegex: v.subscribedTopicRegex,
          rebalanceTimeoutMs: v.rebalanceTimeoutMs,
          serverAssignor: v.serverAssignor,
        });
        if (v.instanceId !== null) g.staticMembers.set(v.instanceId, m.memberId);
        return;
      }
      case 'cg-target': {
        const g = this.groups.get(rec.groupId);
        if (!g) return;
        if (rec.partitions === null) g.target.delete(rec.memberId);
        else g.target.set(rec.memberId, toAssignment(rec.partitions));
        return;
      }
      case 'cg-current': {
        const g = this.groups.get(rec.groupId);
        if (!g || rec.value === null) return;
        const m = g.members.get(rec.memberId);
        if (!m) return;
        m.memberEpoch = rec.value.memberEpoch;
        m.previousMemberEpoch = rec.value.previousMemberEpoch;
        m.state = rec.value.state as MemberState;
        m.assigned = toAssignment(rec.value.assignedPartitions);
        m.pendingRevocation = toAssignment(rec.value.partitionsPendingRevocation);
        return;
      }
    }
  }

  /** After replay: every member gets a session timeout, as after a coordinator failover in Kafka. */
  loaded(which: (groupId: string) => boolean = () => true): void {
    for (const g of this.groups.values()) {
      if (!which(g.groupId)) continue;
      for (const m of g.members.values()) {
        this.touchSession(g, m);
        this.watchRevocation(g, m);
      }
    }
  }
}

export { ConsumerGroupState };
