// OffsetForLeaderEpoch (key 23), v2–4 (Kafka 4 dropped v0–1, KIP-896).
//
// A follower (or a consumer validating its position after a leader change,
// KIP-320) asks the leader where a leader epoch ends: the largest epoch <= the
// requested one in the leader's epoch history, and the start offset of the
// next epoch (the log end for the latest). (-1, -1) when the epoch is newer
// than every known one. Only the leader answers (NOT_LEADER_OR_FOLLOWER
// elsewhere, as Kafka); CurrentLeaderEpoch is checked first (FENCED_LEADER_EPOCH
// when older than ours, UNKNOWN_LEADER_EPOCH when newer).

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponseInput as Response,
  type OffsetForLeaderEpochResponseEpochEndOffsetInput as EpochEndOffset,
  decodeOffsetForLeaderEpochRequest,
  encodeOffsetForLeaderEpochResponse,
} from '../../protocol/messages/offset-for-leader-epoch.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { leaderEpochError } from './fetch.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleOffsetForLeaderEpoch(
  broker: HandlerContext,
  req: OffsetForLeaderEpochRequest,
  _version: number,
  _ctx: RequestContext,
): Response {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((rp): EpochEndOffset => {
        const answer = (errorCode: number, leaderEpoch = -1, endOffset = -1): EpochEndOffset => ({
          errorCode,
          partition: rp.partition,
          leaderEpoch,
          endOffset,
        });
        const p = broker.topics.partition(t.topic, rp.partition);
        if (!p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        const epochError = leaderEpochError(rp.currentLeaderEpoch, p.leaderEpoch);
        if (epochError !== ErrorCode.NONE) return answer(epochError);
        if (p.leader !== broker.brokerId) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        const r = p.log.endOffsetForEpoch(rp.leaderEpoch);
        return answer(ErrorCode.NONE, r.epoch, r.endOffset);
      }),
    })),
  };
}

export const offsetForLeaderEpochApi: ApiEntry<OffsetForLeaderEpochRequest, Response> = {
  apiKey: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  min: 2,
  max: 4,
  decodeRequest: decodeOffsetForLeaderEpochRequest,
  encodeResponse: encodeOffsetForLeaderEpochResponse,
  handle: handleOffsetForLeaderEpoch,
};
