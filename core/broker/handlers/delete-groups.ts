// DeleteGroups (key 42), v0–2: deletes empty groups and their offsets
// (tombstones in __consumer_offsets); NON_EMPTY_GROUP while members remain,
// GROUP_ID_NOT_FOUND for unknown groups.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type DeleteGroupsRequest,
  type DeleteGroupsResponseInput,
  decodeDeleteGroupsRequest,
  encodeDeleteGroupsResponse,
} from '../../protocol/messages/delete-groups.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export async function handleDeleteGroups(
  broker: HandlerContext,
  req: DeleteGroupsRequest,
  _version: number,
  _ctx: RequestContext,
): Promise<DeleteGroupsResponseInput> {
  return { throttleTimeMs: 0, results: await broker.groups.deleteGroups(req.groupsNames) };
}

export const deleteGroupsApi: ApiEntry<DeleteGroupsRequest, DeleteGroupsResponseInput> = {
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  min: 0,
  max: 2,
  decodeRequest: decodeDeleteGroupsRequest,
  encodeResponse: encodeDeleteGroupsResponse,
  handle: handleDeleteGroups,
  errorResponse: (req, errorCode) => ({
    results: req.groupsNames.map((groupId) => ({ groupId, errorCode })),
  }),
};
