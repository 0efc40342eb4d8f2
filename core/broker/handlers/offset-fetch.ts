// OffsetFetch (key 9), v1–9: committed offsets of one group (v1–7) or several
// (v8+). Null topics (v2+) ask for every committed partition; a partition
// without a commit answers -1. `requireStable` (v7+) would wait for pending
// transactional commits — there are none until transactions exist.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type OffsetFetchRequest,
  type OffsetFetchResponseInput,
  decodeOffsetFetchRequest,
  encodeOffsetFetchResponse,
} from '../../protocol/messages/offset-fetch.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleOffsetFetch(
  broker: HandlerContext,
  req: OffsetFetchRequest,
  version: number,
  _ctx: RequestContext,
): OffsetFetchResponseInput {
  if (version >= 8) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g) => {
        // v9: a consumer-protocol member's fetch is checked against its member epoch.
        const member = version >= 9 ? { memberId: g.memberId, memberEpoch: g.memberEpoch } : undefined;
        const r = broker.groups.fetchOffsets(g.groupId, g.topics, member);
        return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics };
      }),
    };
  }
  const r = broker.groups.fetchOffsets(req.groupId, version >= 2 ? req.topics : (req.topics ?? []));
  if (version < 2 && r.errorCode !== ErrorCode.NONE) {
    // v1 has no top-level error code: every partition carries it.
    const topics = (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => ({
        partitionIndex: p,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: r.errorCode,
      })),
    }));
    return { throttleTimeMs: 0, topics };
  }
  return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
}

export const offsetFetchApi: ApiEntry<OffsetFetchRequest, OffsetFetchResponseInput> = {
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  min: 1,
  max: 9,
  decodeRequest: decodeOffsetFetchRequest,
  encodeResponse: encodeOffsetFetchResponse,
  handle: handleOffsetFetch,
  errorResponse: (req, errorCode, version) =>
    version >= 8
      ? { groups: req.groups.map((g) => ({ groupId: g.groupId, errorCode, topics: [] })) }
      : { errorCode, topics: [] },
};
