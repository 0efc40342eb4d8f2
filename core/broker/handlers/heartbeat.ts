// Heartbeat (key 12), v0–4: keeps a member's session alive; tells it to
// rejoin (REBALANCE_IN_PROGRESS) while the group rebalances.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { HeartbeatRequest, HeartbeatResponseInput } from '../../protocol/messages/heartbeat.ts';

export function handleHeartbeat(
  broker: Broker,
  req: HeartbeatRequest,
  version: number,
  _ctx: RequestContext,
): HeartbeatResponseInput {
  const instanceId = version >= 3 ? req.groupInstanceId : null;
  return {
    throttleTimeMs: 0,
    errorCode: broker.groups.heartbeat(req.groupId, req.memberId, instanceId, req.generationId),
  };
}
