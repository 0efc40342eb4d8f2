// ConsumerGroupHeartbeat, the one request of the consumer group protocol
// (KIP-848; Kafka's GroupMetadataManager.consumerGroupHeartbeat): join with
// epoch 0, heartbeat, leave with -1, static leave with -2. The request is
// checked as Kafka checks it (with its error messages), then served in steps:
// a member leaving; the group (created by a first join); the member (joining,
// rejoining, a static member coming back, or known and at its epoch); its
// metadata; the group epoch and target assignment; this member's
// reconciliation. The records of every change go to `__consumer_offsets`
// before the answer. The groups, their target assignment and the members'
// timers are ConsumerGroups' (consumer-groups.ts), reached through
// HeartbeatHost.

import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.ts';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponseInput,
} from '../../protocol/messages/consumer-group-heartbeat.ts';
import { writeErrorCode } from './group-log.ts';
import type { KeyValue } from './coordinator-record.ts';
import {
  ASSIGNORS,
  ConsumerGroup,
  LEAVE_EPOCH,
  LEAVE_STATIC_EPOCH,
  MemberState,
  cloneAssignment,
  fromAssignment,
  newMember,
  reconcile,
  sameAssignment,
  toAssignment,
  type Assignment,
  type ConsumerMember,
} from './consumer-group.ts';
import { currentAssignmentRecord, memberMetadataRecord, targetMemberRecord } from './consumer-records.ts';

/** What a heartbeat needs of the consumer groups and of the coordinator (ConsumerGroups provides it). */
export interface HeartbeatHost {
  readonly groups: Map<string, ConsumerGroup>;
  num(name: string): number;
  append(groupId: string, records: KeyValue[]): Promise<void>;
  log(msg: string): void;
  /** NONE when this broker coordinates the group, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  coordinatorError(groupId: string): number;
  /** 'busy' when a classic group with members has this id; 'empty' when an empty classic group has it. */
  classicGroup(groupId: string): 'busy' | 'empty' | undefined;
  /** Removes an empty classic group that becomes a consumer group; returns its tombstone. */
  dropClassicGroup(groupId: string): KeyValue;
  /** Whether a subscription regex compiles. */
  validRegex(source: string): boolean;
  /** Whether the subscribed topics' metadata differs from what the group last recorded. */
  topicsChanged(g: ConsumerGroup): boolean;
  /** Bumps the group epoch and recomputes the target assignment. */
  bump(g: ConsumerGroup, records: KeyValue[]): void;
  /** Recomputes the target assignment at the group epoch. */
  computeTarget(g: ConsumerGroup, records: KeyValue[]): void;
  removeMember(g: ConsumerGroup, m: ConsumerMember, records: KeyValue[]): void;
  /** Cancels a member's session and revocation timers. */
  clearMemberTimers(g: ConsumerGroup, memberId: string): void;
  touchSession(g: ConsumerGroup, m: ConsumerMember): void;
  watchRevocation(g: ConsumerGroup, m: ConsumerMember): void;
}

export interface HeartbeatContext {
  clientId: string;
  clientHost: string;
}

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

export class ConsumerGroupHeartbeat {
  private readonly c: HeartbeatHost;

  constructor(host: HeartbeatHost) {
    this.c = host;
  }

  /**
   * ConsumerGroupHeartbeat (Kafka's consumerGroupHeartbeat), in the steps
   * below: the request's checks; a member leaving; the group; the member
   * (joining or known); its metadata; the group epoch and target assignment;
   * this member's reconciliation. The records of every change are written to
   * `__consumer_offsets` before the answer.
   */
  async handle(
    req: ConsumerGroupHeartbeatRequest,
    version: number,
    ctx: HeartbeatContext,
  ): Promise<ConsumerGroupHeartbeatResponseInput> {
    const bad = this.validate(req, version);
    if (bad) return bad;
    const notHere = this.c.coordinatorError(req.groupId);
    if (notHere !== ErrorCode.NONE) return hbError(notHere);
    const records: KeyValue[] = [];
    const interval = this.c.num('group.consumer.heartbeat.interval.ms');
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

  /** Heartbeat step, the request's checks (Kafka's, with its error messages); null when it is valid. */
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
    if (
      req.subscribedTopicRegex !== null &&
      req.subscribedTopicRegex !== '' &&
      !this.c.validRegex(req.subscribedTopicRegex)
    ) {
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

  /** Heartbeat step, leaving (epoch -1; -2 for a static member leaving for a while): answered once written. */
  private async leave(
    req: ConsumerGroupHeartbeatRequest,
    records: KeyValue[],
  ): Promise<ConsumerGroupHeartbeatResponseInput> {
    const g = this.c.groups.get(req.groupId);
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
      this.c.touchSession(g, m);
    } else {
      this.c.removeMember(g, m, records);
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
    let g = this.c.groups.get(req.groupId);
    if (!g) {
      const classic = this.c.classicGroup(req.groupId);
      if (classic === 'busy')
        return hbError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
      if (req.memberEpoch !== 0)
        return hbError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${req.groupId} not found.`);
      if (classic === 'empty') records.push(this.c.dropClassicGroup(req.groupId));
      g = new ConsumerGroup(req.groupId);
      this.c.groups.set(req.groupId, g);
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
      if (g.members.size >= this.c.num('group.consumer.max.size')) {
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
    this.c.clearMemberTimers(g, old.memberId);
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

  /**
   * Heartbeat step, the member's metadata: subscription, assignor, rebalance timeout, rack and
   * client, as the request has them.
   */
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
    if (!changed && this.c.topicsChanged(g)) changed = true;
    if (changed) this.c.bump(g, records);
    else if (g.groupEpoch > g.assignmentEpoch) this.c.computeTarget(g, records);
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
    this.c.watchRevocation(g, m);
    this.c.touchSession(g, m);
    return { owned, before };
  }

  private async write(groupId: string, records: KeyValue[]): Promise<ConsumerGroupHeartbeatResponseInput | null> {
    try {
      await this.c.append(groupId, records);
      return null;
    } catch (e) {
      this.c.log(`consumer group ${groupId}: writing failed: ${String(e)}`);
      return hbError(writeErrorCode(e));
    }
  }
}

function isSubset(a: Assignment, b: Assignment): boolean {
  for (const [t, ps] of a) for (const p of ps) if (!b.get(t)?.has(p)) return false;
  return true;
}
