// SyncGroup (key 14), v0–5: the leader hands out assignments, every member
// gets its own; protocolType/protocolName are checked from v5.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type SyncGroupRequest,
  type SyncGroupResponseInput,
  decodeSyncGroupRequest,
  encodeSyncGroupResponse,
} from '../../protocol/messages/sync-group.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleSyncGroup(
  broker: HandlerContext,
  req: SyncGroupRequest,
  version: number,
  _ctx: RequestContext,
): Promise<SyncGroupResponseInput> {
  return broker.groups.sync(req, version);
}

export const syncGroupApi: ApiEntry<SyncGroupRequest, SyncGroupResponseInput> = {
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  min: 0,
  max: 5,
  decodeRequest: decodeSyncGroupRequest,
  encodeResponse: encodeSyncGroupResponse,
  handle: handleSyncGroup,
  errorResponse: (_req, errorCode) => ({ errorCode }),
};
