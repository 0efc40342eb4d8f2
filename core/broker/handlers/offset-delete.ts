// OffsetDelete (key 47), v0: deletes committed offsets of a group, except for
// topics a member of a consumer-protocol group subscribes to
// (GROUP_SUBSCRIBED_TO_TOPIC); a non-empty group of another protocol type
// gets NON_EMPTY_GROUP.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type OffsetDeleteRequest,
  type OffsetDeleteResponseInput,
  decodeOffsetDeleteRequest,
  encodeOffsetDeleteResponse,
} from '../../protocol/messages/offset-delete.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export async function handleOffsetDelete(
  broker: HandlerContext,
  req: OffsetDeleteRequest,
  _version: number,
  _ctx: RequestContext,
): Promise<OffsetDeleteResponseInput> {
  const r = await broker.groups.deleteOffsets(req.groupId, req.topics);
  return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
}

export const offsetDeleteApi: ApiEntry<OffsetDeleteRequest, OffsetDeleteResponseInput> = {
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  min: 0,
  max: 0,
  decodeRequest: decodeOffsetDeleteRequest,
  encodeResponse: encodeOffsetDeleteResponse,
  handle: handleOffsetDelete,
};
