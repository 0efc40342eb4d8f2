// DescribeGroups (key 15), v0–5: state, protocol and members of each group;
// member metadata/assignment and the protocol name only once Stable (as Kafka).
// An unknown group is described as Dead. authorizedOperations (v3+) is
// Integer.MIN_VALUE unless asked for; then READ, DELETE and DESCRIBE (no ACLs here).

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type DescribeGroupsRequest,
  type DescribeGroupsResponseInput,
  decodeDescribeGroupsRequest,
  encodeDescribeGroupsResponse,
} from '../../protocol/messages/describe-groups.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const NOT_REQUESTED = -2147483648;
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8); // READ, DELETE, DESCRIBE

export function handleDescribeGroups(
  broker: HandlerContext,
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

export const describeGroupsApi: ApiEntry<DescribeGroupsRequest, DescribeGroupsResponseInput> = {
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  min: 0,
  max: 5,
  decodeRequest: decodeDescribeGroupsRequest,
  encodeResponse: encodeDescribeGroupsResponse,
  handle: handleDescribeGroups,
  errorResponse: (req, errorCode) => ({
    groups: req.groups.map((groupId) => ({
      errorCode,
      groupId,
      groupState: '',
      protocolType: '',
      protocolData: '',
      members: [],
    })),
  }),
};
