// ListGroups (key 16), v0–5: the groups this broker coordinates (those of the
// `__consumer_offsets` partitions it leads; COORDINATOR_LOAD_IN_PROGRESS while
// one loads) with their protocol type; v4 adds the state (and a state filter),
// v5 the type, "classic" or "consumer" (and a type filter).

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type ListGroupsRequest,
  type ListGroupsResponseInput,
  decodeListGroupsRequest,
  encodeListGroupsResponse,
} from '../../protocol/messages/list-groups.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleListGroups(
  broker: HandlerContext,
  req: ListGroupsRequest,
  version: number,
  _ctx: RequestContext,
): ListGroupsResponseInput {
  const r = broker.groups.listGroups(version >= 4 ? req.statesFilter : [], version >= 5 ? req.typesFilter : []);
  return { throttleTimeMs: 0, errorCode: r.errorCode, groups: r.groups };
}

export const listGroupsApi: ApiEntry<ListGroupsRequest, ListGroupsResponseInput> = {
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  min: 0,
  max: 5,
  decodeRequest: decodeListGroupsRequest,
  encodeResponse: encodeListGroupsResponse,
  handle: handleListGroups,
  errorResponse: (_req, errorCode) => ({ errorCode, groups: [] }),
};
