// DescribeGroups (key 15), v0–5: state, protocol and members of each group;
// member metadata/assignment and the protocol name only once Stable (as Kafka).
// An unknown group is described as Dead. authorizedOperations (v3+) is
// Integer.MIN_VALUE unless asked for; then READ, DELETE and DESCRIBE (no ACLs here).

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { DescribeGroupsRequest, DescribeGroupsResponseInput } from '../../protocol/messages/describe-groups.ts';

const NOT_REQUESTED = -2147483648;
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8); // READ, DELETE, DESCRIBE

export function handleDescribeGroups(
  broker: Broker,
  req: DescribeGroupsRequest,
  version: number,
  _ctx: RequestContext,
): DescribeGroupsResponseInput {
  const ops = version >= 3 && req.includeAuthorizedOperations ? GROUP_OPERATIONS : NOT_REQUESTED;
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((id) => ({ ...broker.groups.describeGroup(id), authorizedOperations: ops })),
  };
}
