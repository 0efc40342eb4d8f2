// OffsetCommit (key 8), v2–9: group commits are checked against the member and
// generation; a "simple" commit (generation -1, no member) is accepted for a
// group without members; members of consumer-protocol groups (KIP-848) commit
// with their member epoch (v9+). Only the group's coordinator accepts them
// (NOT_COORDINATOR elsewhere); answered once the records are in
// __consumer_offsets on every in-sync replica. Topics and partitions are checked against the
// cluster's metadata (UNKNOWN_TOPIC_OR_PARTITION), wherever their replicas are. v2–4 carry a
// retention time: such an offset is kept that long from its commit (value v1, with its expire
// timestamp, as Kafka writes it), whatever the group does.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type OffsetCommitRequest,
  type OffsetCommitResponseInput,
  decodeOffsetCommitRequest,
  encodeOffsetCommitResponse,
} from '../../protocol/messages/offset-commit.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export async function handleOffsetCommit(
  broker: HandlerContext,
  req: OffsetCommitRequest,
  version: number,
  _ctx: RequestContext,
): Promise<OffsetCommitResponseInput> {
  const topics = await broker.groups.commitOffsets({
    groupId: req.groupId,
    generationId: req.generationIdOrMemberEpoch,
    memberId: req.memberId,
    groupInstanceId: version >= 7 ? req.groupInstanceId : null,
    apiVersion: version,
    retentionTimeMs: version <= 4 ? req.retentionTimeMs : -1,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        committedOffset: p.committedOffset,
        committedLeaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
        committedMetadata: p.committedMetadata,
      })),
    })),
  });
  return { throttleTimeMs: 0, topics };
}

export const offsetCommitApi: ApiEntry<OffsetCommitRequest, OffsetCommitResponseInput> = {
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  min: 2,
  max: 9,
  decodeRequest: decodeOffsetCommitRequest,
  encodeResponse: encodeOffsetCommitResponse,
  handle: handleOffsetCommit,
  errorResponse: (req, errorCode) => ({
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  }),
};
