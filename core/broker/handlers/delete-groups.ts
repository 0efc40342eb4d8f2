// DeleteGroups (key 42), v0–2: deletes empty groups and their offsets
// (tombstones in __consumer_offsets); NON_EMPTY_GROUP while members remain,
// GROUP_ID_NOT_FOUND for unknown groups.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { DeleteGroupsRequest, DeleteGroupsResponseInput } from '../../protocol/messages/delete-groups.ts';

export async function handleDeleteGroups(
  broker: Broker,
  req: DeleteGroupsRequest,
  _version: number,
  _ctx: RequestContext,
): Promise<DeleteGroupsResponseInput> {
  return { throttleTimeMs: 0, results: await broker.groups.deleteGroups(req.groupsNames) };
}
