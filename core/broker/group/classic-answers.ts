// The answers of the classic group APIs that do not depend on the rebalance in progress: error
// answers, a member's JoinGroup answer (the member list goes to the leader only) and its
// SyncGroup answer, and the member checks JoinGroup, SyncGroup, Heartbeat and OffsetCommit share.
import { ErrorCode } from '../../protocol/errors.ts';
import type { JoinGroupResponseInput } from '../../protocol/messages/join-group.ts';
import type { SyncGroupResponseInput } from '../../protocol/messages/sync-group.ts';
import type { ClassicGroup, Member } from './group.ts';

export const EMPTY = Buffer.alloc(0);

export function joinError(errorCode: number, memberId = ''): JoinGroupResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncError(errorCode: number): SyncGroupResponseInput {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export function joinResponse(group: ClassicGroup, m: Member, skipAssignment: boolean): JoinGroupResponseInput {
  const leader = group.isLeader(m.memberId);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    skipAssignment,
    memberId: m.memberId,
    members: leader
      ? [...group.members.values()].map((o) => ({
          memberId: o.memberId,
          groupInstanceId: o.groupInstanceId,
          metadata: group.metadataOf(o),
        }))
      : [],
  };
}

export function syncResponse(group: ClassicGroup, m: Member): SyncGroupResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    assignment: m.assignment,
  };
}

/** UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks shared by the member APIs. */
export function validateMember(group: ClassicGroup, memberId: string, instanceId: string | null): number {
  if (instanceId !== null) {
    const existing = group.staticMemberId(instanceId);
    if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return group.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
}
