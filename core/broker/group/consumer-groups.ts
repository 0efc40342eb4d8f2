// The consumer group protocol (KIP-848) on this broker's group coordinator:
// ConsumerGroupHeartbeat (join with epoch 0, heartbeat, leave with -1, static
// leave with -2), server-side assignment, reconciliation in steps, member
// session and revocation timeouts, ConsumerGroupDescribe, and the checks
// OffsetCommit/OffsetFetch make for members of such groups.
//
// Every change is written to `__consumer_offsets` (consumer-records.ts)
// before the heartbeat is answered; when this broker takes the leadership of
// the group's `__consumer_offsets` partition the records are replayed and
// every member gets a fresh session timeout: members that come back keep
// their epoch and assignment, the others expire as in Kafka.

import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.ts';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponseInput,
} from '../../protocol/messages/consumer-group-heartbeat.ts';
import type { ConsumerGroupDescribeResponseDescribedGroupInput } from '../../protocol/messages/consumer-group-describe.ts';
import type { TopicRegistry } from '../broker-types.ts';
import { writeErrorCode } from './group-log.ts';
import type { KeyValue } from './coordinator-record.ts';
import { Timers } from './timers.ts';
import {
  ASSIGNORS,
  ConsumerGroup,
  ConsumerGroupState,
  LEAVE_EPOCH,
  LEAVE_STATIC_EPOCH,
  MemberState,
  cloneAssignment,
  fromAssignment,
  newMember,
  reconcile,
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

export interface HeartbeatContext {
  clientId: string;
  clientHost: string;
}

const NOT_REQUESTED = -2147483648;
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8); // READ, DELETE, DESCRIBE

/** A member id as Kafka makes them (a random UUID in URL-safe base64). */
function newMemberId(): string {
  return randomBytes(16).toString('base64url');
}

function hbError(errorCode: number, errorMessage: string | null = null): ConsumerGroupHeartbeatResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

/** What one heartbeat changed so far (its steps set them). */
interface HeartbeatChanges {
  /** The subscription or the assignor changed: the group epoch is bumped. */
  epoch: boolean;
  /** The member's metadata changed: its metadata and current-assignment records are written. */
  metadata: boolean;
}

/** A heartbeat step's error answer, rather than the group or member it looked for. */
function isAnswer<T extends object>(
  x: T | ConsumerGroupHeartbeatResponseInput,
): x is ConsumerGroupHeartbeatResponseInput {
  return 'errorCode' in x;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class ConsumerGroups {
  readonly groups = new Map<string, ConsumerGroup>();
  private readonly host: ConsumerGroupsHost;
  private readonly timers = new Timers();
  private readonly regexes = new Map<string, RegExp>();

  constructor(host: ConsumerGroupsHost) {
    this.host = host;
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

  /** The existing topics the group's members subscribe to, by name or by regex (internal topics only by name). */
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
      for (const t of this.host.topics.all())
        if (!t.internal && patterns.some((re) => re.test(t.name))) addTopic(t.name);
    }
    return out;
  }

  private memberTopics(m: ConsumerMember, topics: Map<string, TopicInfo>): Set<string> {
    const out = new Set(m.subscribedTopicNames.filter((n) => topics.has(n)));
    const re = m.subscribedTopicRegex ? this.regex(m.subscribedTopicRegex) : null;
    if (re) for (const [name] of topics) if (!this.host.topics.get(name)?.internal && re.test(name)) out.add(name);
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

  private validate(req: ConsumerGroupHeartbeatRequest, version: number): ConsumerGroupHeartbeatResponseInput | null {
    const invalid = (msg: string) => hbError(ErrorCode.INVALID_REQUEST, msg);
    if (req.groupId === '') return invalid("GroupId can't be empty.");
    if (req.instanceId !== null && req.instanceId === '') return invalid("InstanceId can't be empty.");
    if (req.rackId !== null && req.rackId === '') return invalid("RackId can't be empty.");
    if (version >= 1 && req.memberId === '') return invalid("MemberId can't be empty.");
    if (req.memberEpoch < LEAVE_STATIC_EPOCH) return invalid('MemberEpoch is invalid.');
    if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.');
      if (req.topicPartitions === null || req.topicPartitions.length > 0)
        return invalid('TopicPartitions must be empty when (re-)joining.');
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) {
        return invalid('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
      }
    } else if (req.memberId === '') {
      return invalid("MemberId can't be empty.");
    }
    if (req.memberEpoch === LEAVE_STATIC_EPOCH && req.instanceId === null) return invalid("InstanceId can't be null.");
    if (
      req.subscribedTopicNames !== null &&
      req.subscribedTopicNames.length > 0 &&
      req.subscribedTopicRegex !== null &&
      req.subscribedTopicRegex !== ''
    ) {
      return invalid('SubscribedTopicNames and SubscribedTopicRegex cannot both be set.');
    }
    if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '' && !this.regex(req.subscribedTopicRegex)) {
      return hbError(
        ErrorCode.INVALID_REGULAR_EXPRESSION,
        `SubscribedTopicRegex \`${req.subscribedTopicRegex}\` is not a valid regular expression.`,
      );
    }
    if (req.serverAssignor !== null && !(ASSIGNORS as readonly string[]).includes(req.serverAssignor)) {
      return hbError(
        ErrorCode.UNSUPPORTED_ASSIGNOR,
        `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${ASSIGNORS.join(', ')}.`,
      );
    }
    return null;
  }

  /**
   * ConsumerGroupHeartbeat (Kafka's consumerGroupHeartbeat), in the steps
   * below: the request's checks; a member leaving; the group; the member
   * (joining or known); its metadata; the group epoch and target assignment;
   * this member's reconciliation. The records of every change are written to
   * `__consumer_offsets` before the answer.
   */
  async heartbeat(
    req: ConsumerGroupHeartbeatRequest,
    version: number,
    ctx: HeartbeatContext,
  ): Promise<ConsumerGroupHeartbeatResponseInput> {
    const bad = this.validate(req, version);
    if (bad) return bad;
    const notHere = this.host.coordinatorError(req.groupId);
    if (notHere !== ErrorCode.NONE) return hbError(notHere);
    const records: KeyValue[] = [];
    const interval = this.host.num('group.consumer.heartbeat.interval.ms');
    if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === LEAVE_STATIC_EPOCH) return this.leave(req, records);
    const g = this.groupFor(req, records);
    if (isAnswer(g)) return g;
    const changes: HeartbeatChanges = { epoch: false, metadata: false };
    const m = req.memberEpoch === 0 ? this.joiningMember(g, req, version, changes, records) : this.knownMember(g, req);
    if (isAnswer(m)) return m;
    this.updateMemberMetadata(g, m, req, ctx, changes, records);
    this.updateTargetAssignment(g, changes.epoch, records);
    const { owned, before } = this.reconcileMember(g, m, req, changes.metadata, records);

    const err = await this.write(g.groupId, records);
    if (err) return err;
    const sendAssignment =
      req.memberEpoch === 0 ||
      !sameAssignment(before, m.assigned) ||
      (owned !== null && !sameAssignment(owned, m.assigned));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: m.memberId,
      memberEpoch: m.memberEpoch,
      heartbeatIntervalMs: interval,
      assignment: sendAssignment ? { topicPartitions: fromAssignment(m.assigned) } : null,
    };
  }

  /** Heartbeat step, leaving (epoch -1; -2 for a static member leaving for a while): answered once written. */
  private async leave(
    req: ConsumerGroupHeartbeatRequest,
    records: KeyValue[],
  ): Promise<ConsumerGroupHeartbeatResponseInput> {
    const g = this.groups.get(req.groupId);
    if (!g) return hbError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${req.groupId} not found.`);
    let m: ConsumerMember | undefined;
    if (req.instanceId !== null) {
      const id = g.staticMembers.get(req.instanceId);
      if (id === undefined) return hbError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
      if (id !== req.memberId)
        return hbError(ErrorCode.FENCED_INSTANCE_ID, `Instance id ${req.instanceId} belongs to another member.`);
      m = g.members.get(id);
    } else {
      m = g.members.get(req.memberId);
    }
    if (!m)
      return hbError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    if (req.memberEpoch === LEAVE_STATIC_EPOCH) {
      // A static member leaving for a while keeps its assignment until its session ends.
      m.memberEpoch = LEAVE_STATIC_EPOCH;
      records.push(currentAssignmentRecord(g.groupId, m.memberId, m));
      this.touchSession(g, m);
    } else {
      this.removeMember(g, m, records);
    }
    const err = await this.write(g.groupId, records);
    if (err) return err;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
  }

  /** Heartbeat step, the group: created by a first join (taking over an empty classic group of the same id). */
  private groupFor(
    req: ConsumerGroupHeartbeatRequest,
    records: KeyValue[],
  ): ConsumerGroup | ConsumerGroupHeartbeatResponseInput {
    let g = this.groups.get(req.groupId);
    if (!g) {
      const classic = this.host.classicGroup(req.groupId);
      if (classic === 'busy')
        return hbError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
      if (req.memberEpoch !== 0)
        return hbError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${req.groupId} not found.`);
      if (classic === 'empty') records.push(this.host.dropClassicGroup(req.groupId));
      g = new ConsumerGroup(req.groupId);
      this.groups.set(req.groupId, g);
    }
    return g;
  }

  /**
   * Heartbeat step, the member joining (epoch 0): a static member coming back
   * (under a new member id it takes over the old one's assignment), a member
   * rejoining (it owns nothing any more), or a new member.
   */
  private joiningMember(
    g: ConsumerGroup,
    req: ConsumerGroupHeartbeatRequest,
    version: number,
    changes: HeartbeatChanges,
    records: KeyValue[],
  ): ConsumerMember | ConsumerGroupHeartbeatResponseInput {
    let m: ConsumerMember | undefined;
    const memberId = version >= 1 ? req.memberId : req.memberId !== '' ? req.memberId : newMemberId();
    if (req.instanceId !== null) {
      const oldId = g.staticMembers.get(req.instanceId);
      const old = oldId !== undefined ? g.members.get(oldId) : undefined;
      if (old && old.memberId !== memberId) {
        if (old.memberEpoch !== LEAVE_STATIC_EPOCH) {
          return hbError(
            ErrorCode.UNRELEASED_INSTANCE_ID,
            `Static member ${old.memberId} with instance id ${req.instanceId} is not released yet.`,
          );
        }
        m = this.replaceStaticMember(g, old, memberId, records);
        changes.metadata = true;
      } else if (old) {
        m = old;
      }
      if (m) g.staticMembers.set(req.instanceId, memberId);
    }
    m ??= g.members.get(memberId);
    if (m && m.memberEpoch !== LEAVE_STATIC_EPOCH && m.memberEpoch !== 0 && !changes.metadata) {
      // Rejoining (e.g. after being fenced): it owns nothing any more.
      m.assigned = new Map();
      m.pendingRevocation = new Map();
      m.state = MemberState.Stable;
      m.memberEpoch = 0;
    }
    if (!m) {
      if (g.members.size >= this.host.num('group.consumer.max.size')) {
        return hbError(
          ErrorCode.GROUP_MAX_SIZE_REACHED,
          `The consumer group has reached its maximum capacity of ${g.members.size} members.`,
        );
      }
      m = newMember(memberId);
      m.instanceId = req.instanceId;
      g.members.set(memberId, m);
      if (req.instanceId !== null) g.staticMembers.set(req.instanceId, memberId);
      changes.epoch = true;
      changes.metadata = true;
    }
    return m;
  }

  /** The static member comes back under a new member id: it takes over the old one's assignment. */
  private replaceStaticMember(
    g: ConsumerGroup,
    old: ConsumerMember,
    memberId: string,
    records: KeyValue[],
  ): ConsumerMember {
    const m: ConsumerMember = {
      ...old,
      memberId,
      assigned: cloneAssignment(old.assigned),
      pendingRevocation: cloneAssignment(old.pendingRevocation),
    };
    const target = g.target.get(old.memberId);
    g.members.delete(old.memberId);
    g.target.delete(old.memberId);
    this.timers.clearPrefix(`${g.groupId}\u0000${old.memberId}\u0000`);
    records.push(
      currentAssignmentRecord(g.groupId, old.memberId, null),
      targetMemberRecord(g.groupId, old.memberId, null),
      memberMetadataRecord(g.groupId, old.memberId, null),
    );
    g.members.set(memberId, m);
    if (target) {
      g.target.set(memberId, target);
      records.push(targetMemberRecord(g.groupId, memberId, target));
    }
    return m;
  }

  /**
   * Heartbeat step, a known member (epoch > 0): its epoch must be the current
   * one, or the previous one with owned partitions it still has (a lost answer).
   */
  private knownMember(
    g: ConsumerGroup,
    req: ConsumerGroupHeartbeatRequest,
  ): ConsumerMember | ConsumerGroupHeartbeatResponseInput {
    const m = g.members.get(req.memberId);
    if (!m)
      return hbError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    if (req.instanceId !== null && g.staticMembers.get(req.instanceId) !== m.memberId) {
      return hbError(ErrorCode.FENCED_INSTANCE_ID, `Instance id ${req.instanceId} belongs to another member.`);
    }
    if (req.memberEpoch !== m.memberEpoch) {
      const owned = req.topicPartitions !== null ? toAssignment(req.topicPartitions) : null;
      const ok =
        req.memberEpoch === m.previousMemberEpoch &&
        req.memberEpoch < m.memberEpoch &&
        owned !== null &&
        isSubset(owned, m.assigned);
      if (!ok) {
        return hbError(
          ErrorCode.FENCED_MEMBER_EPOCH,
          `The member epoch ${req.memberEpoch} does not match the expected epoch ${m.memberEpoch}.`,
        );
      }
    }
    return m;
  }

  /** Heartbeat step, the member's metadata: what the request changed (subscription, assignor, timeouts, rack, client). */
  private updateMemberMetadata(
    g: ConsumerGroup,
    m: ConsumerMember,
    req: ConsumerGroupHeartbeatRequest,
    ctx: HeartbeatContext,
    changes: HeartbeatChanges,
    records: KeyValue[],
  ): void {
    if (req.subscribedTopicNames !== null && !sameList(req.subscribedTopicNames, m.subscribedTopicNames)) {
      m.subscribedTopicNames = [...req.subscribedTopicNames];
      changes.epoch = changes.metadata = true;
    }
    if (req.subscribedTopicRegex !== null) {
      const re = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
      if (re !== m.subscribedTopicRegex) {
        m.subscribedTopicRegex = re;
        changes.epoch = changes.metadata = true;
      }
    }
    if (req.serverAssignor !== null && req.serverAssignor !== m.serverAssignor) {
      m.serverAssignor = req.serverAssignor;
      changes.epoch = changes.metadata = true;
    }
    if (req.rebalanceTimeoutMs !== -1 && req.rebalanceTimeoutMs !== m.rebalanceTimeoutMs) {
      m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
      changes.metadata = true;
    }
    if (req.rackId !== null && req.rackId !== m.rackId) {
      m.rackId = req.rackId;
      changes.metadata = true;
    }
    if (m.clientId !== ctx.clientId || m.clientHost !== ctx.clientHost) {
      m.clientId = ctx.clientId;
      m.clientHost = ctx.clientHost;
      changes.metadata = true;
    }
    if (changes.metadata) records.push(memberMetadataRecord(g.groupId, m.memberId, m));
  }

  /**
   * Heartbeat step, the group epoch and target assignment: bumped when a
   * subscription or the subscribed topics' metadata changed; a target behind
   * the group epoch is recomputed.
   */
  private updateTargetAssignment(g: ConsumerGroup, subscriptionChanged: boolean, records: KeyValue[]): void {
    let changed = subscriptionChanged;
    if (!changed && ConsumerGroups.signature(this.subscribedTopics(g).values()) !== g.metadataSignature) changed = true;
    if (changed) this.bump(g, records);
    else if (g.groupEpoch > g.assignmentEpoch) this.computeTarget(g, this.subscribedTopics(g), records);
  }

  /**
   * Heartbeat step, reconciliation of this member: one step towards its
   * target (see reconcile), and its session and revocation timers. Returns
   * the partitions it says it owns and those it had before the step.
   */
  private reconcileMember(
    g: ConsumerGroup,
    m: ConsumerMember,
    req: ConsumerGroupHeartbeatRequest,
    metadataChanged: boolean,
    records: KeyValue[],
  ): { owned: Assignment | null; before: Assignment } {
    const owned = req.topicPartitions !== null ? toAssignment(req.topicPartitions) : null;
    const before = cloneAssignment(m.assigned);
    const stepped = reconcile(g, m, owned);
    if (stepped || metadataChanged) records.push(currentAssignmentRecord(g.groupId, m.memberId, m));
    this.watchRevocation(g, m);
    this.touchSession(g, m);
    return { owned, before };
  }

  private async write(groupId: string, records: KeyValue[]): Promise<ConsumerGroupHeartbeatResponseInput | null> {
    try {
      await this.host.append(groupId, records);
      return null;
    } catch (e) {
      this.host.log(`consumer group ${groupId}: writing failed: ${String(e)}`);
      return hbError(writeErrorCode(e));
    }
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

function isSubset(a: Assignment, b: Assignment): boolean {
  for (const [t, ps] of a) for (const p of ps) if (!b.get(t)?.has(p)) return false;
  return true;
}

export { ConsumerGroupState };
