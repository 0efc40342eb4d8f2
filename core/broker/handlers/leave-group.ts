// LeaveGroup (key 13), v0–5: one member (v0–2) or a batch of members by id or
// group.instance.id (v3+), each answered with its own error.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type LeaveGroupRequest,
  type LeaveGroupResponseInput,
  decodeLeaveGroupRequest,
  encodeLeaveGroupResponse,
} from '../../protocol/messages/leave-group.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleLeaveGroup(
  broker: HandlerContext,
  req: LeaveGroupRequest,
  version: number,
  _ctx: RequestContext,
): LeaveGroupResponseInput {
  if (version < 3) {
    const r = broker.groups.leave(req.groupId, [{ memberId: req.memberId, groupInstanceId: null }]);
    return { throttleTimeMs: 0, errorCode: r.errorCode !== 0 ? r.errorCode : (r.members[0] ?? 0) };
  }
  const members = req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }));
  const r = broker.groups.leave(req.groupId, members);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    members: r.errorCode !== 0 ? [] : members.map((m, i) => ({ ...m, errorCode: r.members[i]! })),
  };
}

export const leaveGroupApi: ApiEntry<LeaveGroupRequest, LeaveGroupResponseInput> = {
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  min: 0,
  max: 5,
  decodeRequest: decodeLeaveGroupRequest,
  encodeResponse: encodeLeaveGroupResponse,
  handle: handleLeaveGroup,
  errorResponse: (req, errorCode) => ({
    errorCode,
    members: req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode })),
  }),
};
