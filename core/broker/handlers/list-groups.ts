// ListGroups (key 16), v0–5: every group with its protocol type; v4 adds the
// state (and a state filter), v5 the type (and a type filter: all are "classic").

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { ListGroupsRequest, ListGroupsResponseInput } from '../../protocol/messages/list-groups.ts';

export function handleListGroups(
  broker: Broker, req: ListGroupsRequest, version: number, _ctx: RequestContext,
): ListGroupsResponseInput {
  const r = broker.groups.listGroups(version >= 4 ? req.statesFilter : [], version >= 5 ? req.typesFilter : []);
  return { throttleTimeMs: 0, errorCode: r.errorCode, groups: r.groups };
}
