// SyncGroup (key 14), v0–5: the leader hands out assignments, every member
// gets its own; protocolType/protocolName are checked from v5.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { SyncGroupRequest, SyncGroupResponseInput } from '../../protocol/messages/sync-group.ts';

export function handleSyncGroup(
  broker: Broker,
  req: SyncGroupRequest,
  version: number,
  _ctx: RequestContext,
): Promise<SyncGroupResponseInput> {
  return broker.groups.sync(req, version);
}
