// JoinGroup (key 11), v0–9: classic group membership; the rules are in
// ../group/membership.ts (MEMBER_ID_REQUIRED from v4, static members from v5,
// `reason` from v8 is only logged).

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { JoinGroupRequest, JoinGroupResponseInput } from '../../protocol/messages/join-group.ts';

export function handleJoinGroup(
  broker: Broker,
  req: JoinGroupRequest,
  version: number,
  ctx: RequestContext,
): Promise<JoinGroupResponseInput> {
  // v0 has no rebalance timeout: it equals the session timeout.
  if (version === 0) req.rebalanceTimeoutMs = req.sessionTimeoutMs;
  return broker.groups.join(req, version, {
    clientId: ctx.clientId ?? '',
    clientHost: `/${ctx.conn.socket.remoteAddress ?? ''}`,
  });
}
