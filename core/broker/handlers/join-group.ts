// JoinGroup (key 11), v0–9: classic group membership; the rules are in
// ../group/membership.ts (MEMBER_ID_REQUIRED from v4, static members from v5,
// `reason` from v8 is only logged).

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type JoinGroupRequest,
  type JoinGroupResponseInput,
  decodeJoinGroupRequest,
  encodeJoinGroupResponse,
} from '../../protocol/messages/join-group.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleJoinGroup(
  broker: HandlerContext,
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

export const joinGroupApi: ApiEntry<JoinGroupRequest, JoinGroupResponseInput> = {
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  min: 0,
  max: 9,
  decodeRequest: decodeJoinGroupRequest,
  encodeResponse: encodeJoinGroupResponse,
  handle: handleJoinGroup,
  errorResponse: (_req, errorCode) => ({
    errorCode,
    generationId: -1,
    protocolName: null,
    leader: '',
    memberId: '',
    members: [],
  }),
};
