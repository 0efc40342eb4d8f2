// Heartbeat (key 12), v0–4: keeps a member's session alive; tells it to
// rejoin (REBALANCE_IN_PROGRESS) while the group rebalances.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type HeartbeatRequest,
  type HeartbeatResponseInput,
  decodeHeartbeatRequest,
  encodeHeartbeatResponse,
} from '../../protocol/messages/heartbeat.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleHeartbeat(
  broker: HandlerContext,
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

export const heartbeatApi: ApiEntry<HeartbeatRequest, HeartbeatResponseInput> = {
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  min: 0,
  max: 4,
  decodeRequest: decodeHeartbeatRequest,
  encodeResponse: encodeHeartbeatResponse,
  handle: handleHeartbeat,
  errorResponse: (_req, errorCode) => ({ errorCode }),
};
