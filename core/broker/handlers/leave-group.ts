// LeaveGroup (key 13), v0–5: one member (v0–2) or a batch of members by id or
// group.instance.id (v3+), each answered with its own error.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { LeaveGroupRequest, LeaveGroupResponseInput } from '../../protocol/messages/leave-group.ts';

export function handleLeaveGroup(
  broker: Broker,
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
