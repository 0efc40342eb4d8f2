// DescribeTopicPartitions (key 75, v0; KIP-966): topics and their partitions from the metadata
// image, paged by a partition budget — what Kafka's Admin client (3.8+) and `kafka-topics
// --describe` use in place of Metadata when the broker offers it. Kafka's rules followed here:
//  - No topics named: every topic, internal ones too, and names that do not exist are not
//    answered. Topics named: each one, an unknown name as UNKNOWN_TOPIC_OR_PARTITION (an invalid
//    one as INVALID_TOPIC_EXCEPTION) with the zero topic id.
//  - Topics are answered in name order, starting at the cursor's topic (and its partition
//    index); a named list must contain the cursor's topic, and the cursor's partition must not
//    be negative, or the whole request fails with INVALID_REQUEST.
//  - At most min(ResponsePartitionLimit, max.request.partition.size.limit (2000)) partitions, at
//    least 1. A topic cut short ends the answer with NextCursor at its next partition; when the
//    budget is spent exactly, NextCursor names the next topic at partition 0.
//  - A partition without a live leader: LEADER_NOT_AVAILABLE, leader -1. Without ELR (KIP-966's
//    eligible leader replicas, off by default) both ELR lists are empty.
//  - With no authorizer, every topic operation is authorized.
import type { ApiEntry, HandlerContext } from './context.ts';
import type { TopicState } from '../topic-manager.ts';
import {
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponseInput,
  type DescribeTopicPartitionsResponseTopicInput,
  decodeDescribeTopicPartitionsRequest,
  encodeDescribeTopicPartitionsResponse,
} from '../../protocol/messages/describe-topic-partitions.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';
import { isInternalTopic } from '../../protocol/internal-topics.ts';
import { topicNameError } from '../configs.ts';
import { liveBroker, partitionViews } from './cluster-view.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
/** READ…DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (AclOperation codes 3–8, 10, 11). */
const ALL_TOPIC_OPS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
const DEFAULT_PARTITION_LIMIT = 2000;

export function handleDescribeTopicPartitions(
  broker: HandlerContext,
  req: DescribeTopicPartitionsRequest,
): DescribeTopicPartitionsResponseInput {
  const all = req.topics.length === 0;
  const cursor = req.cursor;
  const from = cursor?.topicName ?? '';
  const names = new Set<string>();
  if (all) {
    for (const t of broker.topics.all()) if (t.name >= from) names.add(t.name);
  } else {
    for (const t of req.topics) if (t.name >= from) names.add(t.name);
    // Kafka: "DescribeTopicPartitionsRequest topic list should contain the cursor topic".
    if (cursor && !names.has(cursor.topicName)) return failed(req, ErrorCode.INVALID_REQUEST);
  }
  // Kafka: "DescribeTopicPartitionsRequest cursor partition must be valid".
  if (cursor && cursor.partitionIndex < 0) return failed(req, ErrorCode.INVALID_REQUEST);
  const brokerLimit = Number(broker.config.get('max.request.partition.size.limit') ?? DEFAULT_PARTITION_LIMIT);
  let remaining = Math.max(Math.min(brokerLimit, req.responsePartitionLimit), 1);

  const res: DescribeTopicPartitionsResponseInput = { throttleTimeMs: 0, topics: [], nextCursor: null };
  for (const name of [...names].sort()) {
    if (remaining === 0) {
      res.nextCursor = { topicName: name, partitionIndex: 0 };
      break;
    }
    const t = broker.topics.get(name);
    if (!t) {
      if (!all) res.topics!.push(unknownTopic(name));
      continue;
    }
    const start = name === cursor?.topicName ? cursor.partitionIndex : 0;
    const { topic, next } = describeTopic(broker, t, start, remaining);
    res.topics!.push(topic);
    if (next >= 0) {
      res.nextCursor = { topicName: name, partitionIndex: next };
      break;
    }
    remaining -= topic.partitions!.length;
  }
  return res;
}

/** Kafka's answer to a request that fails as a whole: every named topic with the error, no partitions. */
function failed(req: DescribeTopicPartitionsRequest, errorCode: number): DescribeTopicPartitionsResponseInput {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ errorCode, name: t.name, topicId: ZERO_UUID, partitions: [] })),
    nextCursor: null,
  };
}

function unknownTopic(name: string): DescribeTopicPartitionsResponseTopicInput {
  return {
    errorCode: topicNameError(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    name,
    topicId: ZERO_UUID,
    isInternal: isInternalTopic(name),
    partitions: [],
    topicAuthorizedOperations: ALL_TOPIC_OPS,
  };
}

/** The partitions of `t` from index `start`, at most `max` of them; `next` is the first left out, or -1. */
function describeTopic(
  broker: HandlerContext,
  t: TopicState,
  start: number,
  max: number,
): { topic: DescribeTopicPartitionsResponseTopicInput; next: number } {
  const views = partitionViews(broker, t).filter((p) => p.partition >= start);
  const shown = views.slice(0, max);
  return {
    topic: {
      errorCode: ErrorCode.NONE,
      name: t.name,
      topicId: t.topicId,
      isInternal: t.internal,
      partitions: shown.map((p) => {
        const live = p.leader >= 0 && liveBroker(broker, p.leader) !== undefined;
        return {
          errorCode: live ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
          partitionIndex: p.partition,
          leaderId: live ? p.leader : -1,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: p.replicas,
          isrNodes: p.isr,
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: p.offlineReplicas,
        };
      }),
      topicAuthorizedOperations: ALL_TOPIC_OPS,
    },
    next: views.length > max ? views[max]!.partition : -1,
  };
}

export const describeTopicPartitionsApi: ApiEntry<
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponseInput
> = {
  apiKey: ApiKey.DescribeTopicPartitions,
  name: 'DescribeTopicPartitions',
  min: 0,
  max: 0,
  decodeRequest: decodeDescribeTopicPartitionsRequest,
  encodeResponse: encodeDescribeTopicPartitionsResponse,
  handle: handleDescribeTopicPartitions,
  errorResponse: failed,
};
