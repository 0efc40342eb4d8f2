// ListOffsets (key 2), v1–8: offsets for special timestamps and real ones.
//   -2 earliest → log start offset;  -1 latest → high watermark
//   (read_committed: last stable offset, = high watermark until transactions);
//   -3 max timestamp (v7+, KIP-734) → the record with the largest timestamp;
//   -4 earliest local (v8, KIP-405) → log start offset (no tiered storage);
//   t ≥ 0 → first offset whose timestamp ≥ t, if below the high watermark;
//   none → offset -1, timestamp -1.
// Special timestamps answer timestamp -1; a negative timestamp the request's
// version does not define (-3 before v7, -4 before v8, -5 and below) is
// UNSUPPORTED_VERSION, and a partition listed twice is answered once with
// INVALID_REQUEST, both before the partition is looked up (Kafka's
// ReplicaManager.fetchOffset). Leader epochs (v4+) are the
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
  // One answer per partition, in the order first asked (Kafka keys its answers by partition).
  const counts = new Map<string, number>();
  const grouped = new Map<string, RequestPartition[]>();
  for (const t of req.topics) {
    const list = grouped.get(t.name) ?? [];
    grouped.set(t.name, list);
    for (const rp of t.partitions) {
      const key = `${t.name}\u0000${rp.partitionIndex}`;
      const n = counts.get(key) ?? 0;
      counts.set(key, n + 1);
      if (n === 0) list.push(rp);
    }
  }
  const topics = await Promise.all(
    [...grouped].map(async ([name, partitions]) => ({
      name,
      partitions: await Promise.all(
        partitions.map(async (rp) => {
          if (counts.get(`${name}\u0000${rp.partitionIndex}`)! > 1)
            return answer(rp.partitionIndex, ErrorCode.INVALID_REQUEST, -1, -1, -1);
          if (timestampUnsupported(rp.timestamp, version))
            return answer(rp.partitionIndex, ErrorCode.UNSUPPORTED_VERSION, -1, -1, -1);
          const p = broker.topics.partition(name, rp.partitionIndex);
          if (!p) return answer(rp.partitionIndex, notLeader(broker, name, rp.partitionIndex).errorCode, -1, -1, -1);
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

type RequestPartition = ListOffsetsRequest['topics'][number]['partitions'][number];

/** The first version that defines each special timestamp (Kafka's timestampMinSupportedVersion). */
const SPECIAL_SINCE = new Map<number, number>([
  [LATEST, 0],
  [EARLIEST, 0],
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL, 8],
  [-5, 9], // latest tiered (KIP-1005)
  [-6, 11], // earliest pending upload
]);

function timestampUnsupported(timestamp: number, version: number): boolean {
  if (timestamp >= 0) return false;
  const since = SPECIAL_SINCE.get(timestamp);
  return since === undefined || version < since;
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
      const found = await log.offsetForTimestamp(timestamp);
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
