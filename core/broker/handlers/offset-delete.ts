// OffsetDelete (key 47), v0: deletes committed offsets of a group, except for
// topics a member of a consumer-protocol group subscribes to
// (GROUP_SUBSCRIBED_TO_TOPIC); a non-empty group of another protocol type
// gets NON_EMPTY_GROUP.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { OffsetDeleteRequest, OffsetDeleteResponseInput } from '../../protocol/messages/offset-delete.ts';

export async function handleOffsetDelete(
  broker: Broker,
  req: OffsetDeleteRequest,
  _version: number,
  _ctx: RequestContext,
): Promise<OffsetDeleteResponseInput> {
  const r = await broker.groups.deleteOffsets(req.groupId, req.topics);
  return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
}
