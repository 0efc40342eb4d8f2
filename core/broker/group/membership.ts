// Membership and rebalancing of classic groups: JoinGroup, SyncGroup,
// Heartbeat and LeaveGroup as Kafka's classic protocol defines them, with the
// timers that drive it:
//   - session: a member that neither heartbeats nor rejoins within its session
//     timeout is removed (while it waits for a join or sync answer it is kept);
//   - pending member: a member told MEMBER_ID_REQUIRED must rejoin within its session timeout;
//   - join: a rebalance completes when every member has rejoined, or after the
//     largest rebalance timeout (members that did not rejoin are removed); an
//     empty group's first rebalance waits `group.initial.rebalance.delay.ms`,
//     extended while new members keep arriving, up to the rebalance timeout;
//   - sync: members of a new generation that send no SyncGroup within the
//     rebalance timeout are removed.
// Every timer is keyed by group (and member) and cancelled on broker stop.

import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.ts';
import type { JoinGroupRequest, JoinGroupResponseInput } from '../../protocol/messages/join-group.ts';
import type { SyncGroupRequest, SyncGroupResponseInput } from '../../protocol/messages/sync-group.ts';
import { ClassicGroup, GroupState, type Member } from './group.ts';
import { Timers } from './timers.ts';
import { writeErrorCode } from './group-log.ts';
import { EMPTY, joinError, joinResponse, syncError, syncResponse, validateMember } from './classic-answers.ts';

export { joinError, syncError, validateMember } from './classic-answers.ts';

export interface MembershipHost {
  initialRebalanceDelayMs(): number;
  /** Writes the group's metadata record (assignments included); resolves when written. */
  persistGroup(group: ClassicGroup, assignments?: ReadonlyMap<string, Buffer>): Promise<void>;
  log(msg: string): void;
}

export interface JoinContext {
  clientId: string;
  clientHost: string;
}

export class Membership {
  private readonly host: MembershipHost;
  readonly timers = new Timers();
  /** Groups whose current rebalance is the initial delayed one (completes only on its timer). */
  private readonly initialJoin = new Set<ClassicGroup>();

  constructor(host: MembershipHost) {
    this.host = host;
  }

  // ------------------------------------------------------------------ JoinGroup

  join(group: ClassicGroup, req: JoinGroupRequest, version: number, ctx: JoinContext): Promise<JoinGroupResponseInput> {
    return new Promise((resolve) => {
      const memberId = req.memberId;
      const instanceId = version >= 5 ? req.groupInstanceId : null;
      if (group.is(GroupState.Dead)) return resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId));
      if (
        !group.supportsProtocols(
          req.protocolType,
          req.protocols.map((p) => p.name),
        )
      ) {
        return resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId));
      }
      if (memberId === '') this.joinUnknown(group, req, version, instanceId, ctx, resolve);
      else this.joinKnown(group, req, instanceId, ctx, resolve);
    });
  }

  private joinUnknown(
    group: ClassicGroup,
    req: JoinGroupRequest,
    version: number,
    instanceId: string | null,
    ctx: JoinContext,
    resolve: (r: JoinGroupResponseInput) => void,
  ): void {
    const newId = `${instanceId ?? ctx.clientId}-${randomUUID()}`;
    if (instanceId !== null) {
      const existing = group.staticMemberId(instanceId);
      if (existing !== undefined) this.replaceStaticMember(group, req, instanceId, existing, newId, resolve);
      else this.addMemberAndRebalance(group, req, newId, instanceId, ctx, resolve);
    } else if (version >= 4) {
      // KIP-394: the member must come back with this id; until then it is pending.
      group.pendingMembers.add(newId);
      this.timers.set(pendingKey(group, newId), req.sessionTimeoutMs, () => this.removePendingMember(group, newId));
      resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, newId));
    } else {
      this.addMemberAndRebalance(group, req, newId, null, ctx, resolve);
    }
  }

  private joinKnown(
    group: ClassicGroup,
    req: JoinGroupRequest,
    instanceId: string | null,
    ctx: JoinContext,
    resolve: (r: JoinGroupResponseInput) => void,
  ): void {
    const memberId = req.memberId;
    if (group.pendingMembers.has(memberId)) {
      this.timers.clear(pendingKey(group, memberId));
      this.addMemberAndRebalance(group, req, memberId, instanceId, ctx, resolve);
      return;
    }
    const err = validateMember(group, memberId, instanceId);
    if (err !== ErrorCode.NONE) return resolve(joinError(err, memberId));
    const m = group.get(memberId)!;
    switch (group.state) {
      case GroupState.PreparingRebalance:
        this.updateMemberAndRebalance(group, m, req, resolve);
        return;
      case GroupState.CompletingRebalance:
        if (ClassicGroup.sameProtocols(m.protocols, req.protocols)) {
          // Its join response was lost: answer it again.
          this.touch(group, m);
          resolve(joinResponse(group, m, false));
        } else {
          this.updateMemberAndRebalance(group, m, req, resolve);
        }
        return;
      case GroupState.Stable:
        if (group.isLeader(memberId) || !ClassicGroup.sameProtocols(m.protocols, req.protocols)) {
          this.updateMemberAndRebalance(group, m, req, resolve);
        } else {
          this.touch(group, m);
          resolve(joinResponse(group, m, false));
        }
        return;
      default:
        resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    }
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    req: JoinGroupRequest,
    memberId: string,
    instanceId: string | null,
    ctx: JoinContext,
    resolve: (r: JoinGroupResponseInput) => void,
  ): void {
    const m: Member = {
      memberId,
      groupInstanceId: instanceId,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      assignment: EMPTY,
      awaitingJoin: resolve,
      awaitingSync: null,
      isNew: true,
      lastHeartbeatMs: Date.now(),
    };
    group.add(m);
    group.newMemberAdded = true;
    this.scheduleSession(group, m);
    this.maybePrepareRebalance(group, `adding new member ${memberId}`);
    this.checkJoinComplete(group);
  }

  private updateMemberAndRebalance(
    group: ClassicGroup,
    m: Member,
    req: JoinGroupRequest,
    resolve: (r: JoinGroupResponseInput) => void,
  ): void {
    m.protocols = req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs;
    // A second join while one is pending supersedes it.
    m.awaitingJoin?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
    m.awaitingJoin = resolve;
    this.touch(group, m);
    this.maybePrepareRebalance(group, `member ${m.memberId} rejoined`);
    this.checkJoinComplete(group);
  }

  /** A static member rejoins without its member id: it gets a new one and the old one is fenced. */
  private replaceStaticMember(
    group: ClassicGroup,
    req: JoinGroupRequest,
    instanceId: string,
    oldId: string,
    newId: string,
    resolve: (r: JoinGroupResponseInput) => void,
  ): void {
    const m = group.get(oldId)!;
    m.awaitingJoin?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldId));
    m.awaitingJoin = null;
    m.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    m.awaitingSync = null;
    this.timers.clear(sessionKey(group, oldId));
    const oldProtocols = m.protocols;
    const selectedBefore = group.protocolName;
    group.replaceStaticMember(instanceId, oldId, newId);
    m.protocols = req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs;
    this.touch(group, m);
    switch (group.state) {
      case GroupState.Stable: {
        const changed = group.selectProtocol() !== selectedBefore;
        if (changed) {
          m.awaitingJoin = resolve;
          this.prepareRebalance(group, `static member ${instanceId} rejoined with other protocols`);
          return;
        }
        const generation = group.generationId;
        this.host.persistGroup(group).then(
          () => resolve(joinResponse(group, m, group.isLeader(newId))),
          () => {
            // Undo: the old member id stays the group's.
            if (group.get(newId) && group.generationId === generation) {
              group.replaceStaticMember(instanceId, newId, oldId);
              m.protocols = oldProtocols;
            }
            resolve(joinError(ErrorCode.UNKNOWN_SERVER_ERROR, newId));
          },
        );
        return;
      }
      case GroupState.CompletingRebalance:
        m.awaitingJoin = resolve;
        this.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`);
        return;
      default: // PreparingRebalance
        m.awaitingJoin = resolve;
        this.checkJoinComplete(group);
    }
  }

  private removePendingMember(group: ClassicGroup, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.timers.clear(pendingKey(group, memberId));
    this.checkJoinComplete(group);
  }

  // ------------------------------------------------------------------ rebalance

  maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance) || group.is(GroupState.Empty)) {
      this.prepareRebalance(group, reason);
    }
  }

  private prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is(GroupState.CompletingRebalance)) this.resetAssignments(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.timers.clear(syncKey(group));
    const initial = group.is(GroupState.Empty);
    group.transitionTo(GroupState.PreparingRebalance, Date.now());
    this.host.log(`group ${group.groupId}: preparing to rebalance (generation ${group.generationId}): ${reason}`);
    if (initial) {
      const delay = this.host.initialRebalanceDelayMs();
      const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
      group.newMemberAdded = false;
      this.initialJoin.add(group);
      this.scheduleInitialJoin(group, delay, remaining);
    } else {
      this.initialJoin.delete(group);
      this.timers.set(joinKey(group), group.rebalanceTimeoutMs(), () => this.completeJoin(group));
    }
  }

  private scheduleInitialJoin(group: ClassicGroup, delay: number, remaining: number): void {
    this.timers.set(joinKey(group), delay, () => {
      if (group.newMemberAdded && remaining > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.host.initialRebalanceDelayMs(), remaining);
        this.scheduleInitialJoin(group, next, remaining - next);
      } else {
        this.completeJoin(group);
      }
    });
  }

  private checkJoinComplete(group: ClassicGroup): void {
    if (group.is(GroupState.PreparingRebalance) && !this.initialJoin.has(group) && group.hasAllMembersJoined()) {
      this.completeJoin(group);
    }
  }

  private completeJoin(group: ClassicGroup): void {
    if (!group.is(GroupState.PreparingRebalance)) return;
    this.timers.clear(joinKey(group));
    this.initialJoin.delete(group);
    for (const m of group.notYetRejoined()) {
      this.host.log(`group ${group.groupId}: member ${m.memberId} did not rejoin in time; removed`);
      this.removeMember(group, m.memberId);
    }
    const now = Date.now();
    group.initNextGeneration(now);
    if (group.is(GroupState.Empty)) {
      this.host
        .persistGroup(group)
        .catch((e: unknown) => this.host.log(`group ${group.groupId}: writing metadata failed: ${String(e)}`));
      return;
    }
    this.host.log(
      `group ${group.groupId}: generation ${group.generationId} with ${group.size} member(s), protocol ${group.protocolName}`,
    );
    for (const m of group.members.values()) {
      const answer = m.awaitingJoin;
      m.awaitingJoin = null;
      m.isNew = false;
      this.touch(group, m);
      answer?.(joinResponse(group, m, false));
    }
    const generation = group.generationId;
    this.timers.set(syncKey(group), group.rebalanceTimeoutMs(), () => this.expirePendingSync(group, generation));
  }

  private expirePendingSync(group: ClassicGroup, generation: number): void {
    if (group.generationId !== generation) return;
    if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return;
    const late = [...group.pendingSyncMembers];
    if (late.length === 0) return;
    for (const id of late) {
      this.host.log(`group ${group.groupId}: member ${id} sent no SyncGroup in time; removed`);
      this.removeMember(group, id);
    }
    this.maybePrepareRebalance(group, 'members did not sync in time');
    this.checkJoinComplete(group);
  }

  /** Answers every waiting SyncGroup with an error and forgets the assignments. */
  private resetAssignments(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = EMPTY;
      const answer = m.awaitingSync;
      m.awaitingSync = null;
      answer?.(syncError(errorCode));
    }
  }

  // ------------------------------------------------------------------ SyncGroup

  sync(group: ClassicGroup, req: SyncGroupRequest, version: number): Promise<SyncGroupResponseInput> {
    return new Promise((resolve) => {
      if (group.is(GroupState.Dead)) return resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      const instanceId = version >= 3 ? req.groupInstanceId : null;
      const err = validateMember(group, req.memberId, instanceId);
      if (err !== ErrorCode.NONE) return resolve(syncError(err));
      if (req.generationId !== group.generationId) return resolve(syncError(ErrorCode.ILLEGAL_GENERATION));
      if (version >= 5) {
        if (
          (req.protocolType !== null && req.protocolType !== group.protocolType) ||
          (req.protocolName !== null && req.protocolName !== group.protocolName)
        ) {
          return resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
        }
      }
      const m = group.get(req.memberId)!;
      switch (group.state) {
        case GroupState.Empty:
          return resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
        case GroupState.PreparingRebalance:
          return resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        case GroupState.Stable:
          group.pendingSyncMembers.delete(m.memberId);
          this.touch(group, m);
          return resolve(syncResponse(group, m));
        default: // CompletingRebalance
          m.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          m.awaitingSync = resolve;
          group.pendingSyncMembers.delete(m.memberId);
          this.touch(group, m);
          if (group.isLeader(m.memberId)) this.applyLeaderAssignment(group, req);
      }
    });
  }

  private applyLeaderAssignment(group: ClassicGroup, req: SyncGroupRequest): void {
    const assignments = new Map<string, Buffer>();
    for (const a of req.assignments) if (group.has(a.memberId)) assignments.set(a.memberId, Buffer.from(a.assignment));
    for (const id of group.members.keys()) if (!assignments.has(id)) assignments.set(id, EMPTY);
    const generation = group.generationId;
    this.host.persistGroup(group, assignments).then(
      () => {
        if (!group.is(GroupState.CompletingRebalance) || group.generationId !== generation) return;
        for (const [id, a] of assignments) {
          const m = group.get(id);
          if (m) m.assignment = a;
        }
        group.transitionTo(GroupState.Stable, Date.now());
        this.host.log(`group ${group.groupId}: stable at generation ${generation}`);
        for (const m of group.members.values()) {
          const answer = m.awaitingSync;
          m.awaitingSync = null;
          answer?.(syncResponse(group, m));
        }
      },
      (e: unknown) => {
        this.host.log(`group ${group.groupId}: writing assignment failed: ${String(e)}`);
        if (!group.is(GroupState.CompletingRebalance) || group.generationId !== generation) return;
        this.resetAssignments(group, writeErrorCode(e));
        this.prepareRebalance(group, 'writing the assignment failed');
      },
    );
  }

  // ------------------------------------------------------------------ Heartbeat

  heartbeat(group: ClassicGroup, memberId: string, instanceId: string | null, generationId: number): number {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.is(GroupState.Empty)) return ErrorCode.UNKNOWN_MEMBER_ID;
    const err = validateMember(group, memberId, instanceId);
    if (err !== ErrorCode.NONE) return err;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(group, group.get(memberId)!);
    // Heartbeats right after the join answer (CompletingRebalance) are normal.
    return group.is(GroupState.PreparingRebalance) ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  // ------------------------------------------------------------------ LeaveGroup

  /** Removes the members; returns each one's error code. */
  leave(group: ClassicGroup, members: readonly { memberId: string; groupInstanceId: string | null }[]): number[] {
    return members.map(({ memberId, groupInstanceId }) => {
      if (groupInstanceId !== null) {
        const existing = group.staticMemberId(groupInstanceId);
        if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
        if (memberId !== '' && memberId !== existing) return ErrorCode.FENCED_INSTANCE_ID;
        this.removeMemberAndUpdateGroup(group, existing, `static member ${groupInstanceId} left`);
        return ErrorCode.NONE;
      }
      if (group.pendingMembers.has(memberId)) {
        this.removePendingMember(group, memberId);
        return ErrorCode.NONE;
      }
      if (!group.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMemberAndUpdateGroup(group, memberId, `member ${memberId} left`);
      return ErrorCode.NONE;
    });
  }

  // ------------------------------------------------------------------ members and timers

  private removeMember(group: ClassicGroup, memberId: string): void {
    const m = group.remove(memberId);
    if (!m) return;
    this.timers.clear(sessionKey(group, memberId));
    const join = m.awaitingJoin;
    const sync = m.awaitingSync;
    m.awaitingJoin = null;
    m.awaitingSync = null;
    join?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    sync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  }

  removeMemberAndUpdateGroup(group: ClassicGroup, memberId: string, reason: string): void {
    this.removeMember(group, memberId);
    if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) this.prepareRebalance(group, reason);
    this.checkJoinComplete(group);
  }

  /** Records a sign of life and restarts the member's session timer. */
  private touch(group: ClassicGroup, m: Member): void {
    m.lastHeartbeatMs = Date.now();
    this.scheduleSession(group, m);
  }

  private scheduleSession(group: ClassicGroup, m: Member): void {
    const key = sessionKey(group, m.memberId);
    this.timers.set(key, m.sessionTimeoutMs, () => {
      const current = group.get(m.memberId);
      if (current !== m) return;
      // A member waiting for its join or sync answer is kept; the join/sync timers bound the wait.
      if (m.awaitingJoin || m.awaitingSync) {
        this.scheduleSession(group, m);
        return;
      }
      this.host.log(`group ${group.groupId}: member ${m.memberId} session expired`);
      this.removeMemberAndUpdateGroup(group, m.memberId, `member ${m.memberId} session expired`);
    });
  }

  /** Forgets a deleted group's timers. */
  forget(group: ClassicGroup): void {
    this.timers.clearPrefix(`${group.groupId}\u0000`);
    this.initialJoin.delete(group);
  }

  /**
   * The coordinator gave up the group (its partition moved to another
   * broker): its timers stop and every waiting JoinGroup and SyncGroup is
   * answered with `errorCode`.
   */
  unload(group: ClassicGroup, errorCode: number): void {
    this.forget(group);
    for (const m of group.members.values()) {
      const join = m.awaitingJoin;
      const sync = m.awaitingSync;
      m.awaitingJoin = null;
      m.awaitingSync = null;
      join?.(joinError(errorCode, m.memberId));
      sync?.(syncError(errorCode));
    }
  }

  /** Broker stop: cancels every timer and answers every waiting request. */
  shutdown(groups: Iterable<ClassicGroup>): void {
    this.timers.clearAll();
    this.initialJoin.clear();
    for (const g of groups) {
      for (const m of g.members.values()) {
        const join = m.awaitingJoin;
        const sync = m.awaitingSync;
        m.awaitingJoin = null;
        m.awaitingSync = null;
        join?.(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.memberId));
        sync?.(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      }
    }
  }
}

function sessionKey(g: ClassicGroup, memberId: string): string {
  return `${g.groupId}\u0000session\u0000${memberId}`;
}
function pendingKey(g: ClassicGroup, memberId: string): string {
  return `${g.groupId}\u0000pending\u0000${memberId}`;
}
function joinKey(g: ClassicGroup): string {
  return `${g.groupId}\u0000join`;
}
function syncKey(g: ClassicGroup): string {
  return `${g.groupId}\u0000sync`;
}
