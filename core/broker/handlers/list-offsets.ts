// ListOffsets (key 2), v1–8: offsets for special timestamps and real ones.
//   -2 earliest → log start offset;  -1 latest → high watermark
//   (read_committed: last stable offset, = high watermark until transactions);
//   -3 max timestamp (v7+, KIP-734) → the record with the largest timestamp;
//   -4 earliest local (v8, KIP-405) → log start offset (no tiered storage);
//   t ≥ 0 → first offset whose timestamp ≥ t, if below the high watermark;
//   none → offset -1, timestamp -1.
// Special timestamps answer timestamp -1. Leader epochs (v4+) are the
// partition's current epoch; a stale/newer currentLeaderEpoch is rejected
// (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH), then only the leader answers
// (NOT_LEADER_OR_FOLLOWER on a follower or a broker without a replica), as
// Kafka checks them.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import type { PartitionState } from '../topic-manager.ts';
import {
  type ListOffsetsRequest,
  type ListOffsetsResponseInput as ListOffsetsResponse,
  type ListOffsetsResponseListOffsetsPartitionResponseInput as PartitionResponse,
  decodeListOffsetsRequest,
  encodeListOffsetsResponse,
} from '../../protocol/messages/list-offsets.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { leaderEpochError } from './fetch.ts';
import { leads, notLeader } from './cluster-view.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const READ_COMMITTED = 1;

export async function handleListOffsets(
  broker: HandlerContext,
  req: ListOffsetsRequest,
  version: number,
  _ctx: RequestContext,
): Promise<ListOffsetsResponse> {
  const readCommitted = version >= 2 && req.isolationLevel === READ_COMMITTED;
  const topics = await Promise.all(
    req.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitions.map(async (rp) => {
          const p = broker.topics.partition(t.name, rp.partitionIndex);
          if (!p) return answer(rp.partitionIndex, notLeader(broker, t.name, rp.partitionIndex).errorCode, -1, -1, -1);
          const epochError = leaderEpochError(version >= 4 ? (rp.currentLeaderEpoch ?? -1) : -1, p.leaderEpoch);
          if (epochError !== ErrorCode.NONE) return answer(rp.partitionIndex, epochError, -1, -1, -1);
          if (!leads(broker, p)) return answer(rp.partitionIndex, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1, -1);
          return lookup(p, rp.partitionIndex, rp.timestamp, readCommitted);
        }),
      ),
    })),
  );
  return { throttleTimeMs: 0, topics };
}

async function lookup(
  p: PartitionState,
  index: number,
  timestamp: number,
  readCommitted: boolean,
): Promise<PartitionResponse> {
  const log = p.log;
  const epoch = p.leaderEpoch;
  const hw = log.highWatermark;
  const limit = readCommitted ? hw /* last stable offset */ : hw;
  switch (timestamp) {
    case EARLIEST:
    case EARLIEST_LOCAL:
      return answer(index, ErrorCode.NONE, -1, log.logStartOffset, epoch);
    case LATEST:
      return answer(index, ErrorCode.NONE, -1, limit, epoch);
    case MAX_TIMESTAMP: {
      const found = await log.maxTimestamp();
      if (!found || found.offset < 0) return answer(index, ErrorCode.NONE, -1, -1, -1);
      return answer(index, ErrorCode.NONE, found.timestamp, found.offset, epoch);
    }
    default: {
      const found = timestamp < 0 ? null : await log.offsetForTimestamp(timestamp);
      if (!found || found.offset < 0 || found.offset >= limit) return answer(index, ErrorCode.NONE, -1, -1, -1);
      return answer(index, ErrorCode.NONE, found.timestamp, found.offset, epoch);
    }
  }
}

function answer(
  partitionIndex: number,
  errorCode: number,
  timestamp: number,
  offset: number,
  leaderEpoch: number,
): PartitionResponse {
  return { partitionIndex, errorCode, timestamp, offset, leaderEpoch };
}

export const listOffsetsApi: ApiEntry<ListOffsetsRequest, ListOffsetsResponse> = {
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  min: 1,
  max: 8,
  decodeRequest: decodeListOffsetsRequest,
  encodeResponse: encodeListOffsetsResponse,
  handle: handleListOffsets,
  errorResponse: (req, errorCode) => ({
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode,
        timestamp: -1,
        offset: -1,
        leaderEpoch: -1,
      })),
    })),
  }),
};
