// ListGroups (key 16), v0–5: the groups this broker coordinates (those of the
// `__consumer_offsets` partitions it leads; COORDINATOR_LOAD_IN_PROGRESS while
// one loads) with their protocol type; v4 adds the state (and a state filter),
// v5 the type, "classic" or "consumer" (and a type filter).

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { ListGroupsRequest, ListGroupsResponseInput } from '../../protocol/messages/list-groups.ts';

export function handleListGroups(
  broker: Broker,
  req: ListGroupsRequest,
  version: number,
  _ctx: RequestContext,
): ListGroupsResponseInput {
  const r = broker.groups.listGroups(version >= 4 ? req.statesFilter : [], version >= 5 ? req.typesFilter : []);
  return { throttleTimeMs: 0, errorCode: r.errorCode, groups: r.groups };
}
