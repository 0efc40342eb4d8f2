// Error responses for requests whose handler failed unexpectedly. Kafka
// answers such a request with UNKNOWN_SERVER_ERROR in every error code the
// response carries (top level and per topic/partition/group), so the client
// sees an error it understands and the connection stays usable. An API
// without an entry here falls back to closing the connection.
//
// Omitted response fields are encoded as their defaults.

import { ApiKey } from '../protocol/messages/api-keys.ts';
import type { ProduceRequest, ProduceResponseInput } from '../protocol/messages/produce.ts';
import type { FetchRequest, FetchResponseInput } from '../protocol/messages/fetch.ts';
import type { MetadataRequest, MetadataResponseInput } from '../protocol/messages/metadata.ts';
import type { ListOffsetsRequest, ListOffsetsResponseInput } from '../protocol/messages/list-offsets.ts';
import type { CreateTopicsRequest, CreateTopicsResponseInput } from '../protocol/messages/create-topics.ts';
import type { DeleteTopicsRequest, DeleteTopicsResponseInput } from '../protocol/messages/delete-topics.ts';
import type { DescribeConfigsRequest, DescribeConfigsResponseInput } from '../protocol/messages/describe-configs.ts';
import type { FindCoordinatorRequest, FindCoordinatorResponseInput } from '../protocol/messages/find-coordinator.ts';
import type { LeaveGroupRequest, LeaveGroupResponseInput } from '../protocol/messages/leave-group.ts';
import type { OffsetCommitRequest, OffsetCommitResponseInput } from '../protocol/messages/offset-commit.ts';
import type { OffsetFetchRequest, OffsetFetchResponseInput } from '../protocol/messages/offset-fetch.ts';
import type { DescribeGroupsRequest, DescribeGroupsResponseInput } from '../protocol/messages/describe-groups.ts';
import type { DeleteGroupsRequest, DeleteGroupsResponseInput } from '../protocol/messages/delete-groups.ts';

/** Builds a response to `req` (decoded at `version`) with every error code set to `code`. */
export type ErrorResponseFn = (req: any, code: number, version: number) => unknown;

/** Responses whose only error is one top-level error code. */
const topLevel: ErrorResponseFn = (_req, errorCode) => ({ errorCode });

export const ERROR_RESPONSES: ReadonlyMap<number, ErrorResponseFn> = new Map<number, ErrorResponseFn>([
  [
    ApiKey.Produce,
    (req: ProduceRequest, errorCode): ProduceResponseInput => ({
      responses: req.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => ({
          index: p.index,
          errorCode,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
        })),
      })),
    }),
  ],
  [
    ApiKey.Fetch,
    (req: FetchRequest, errorCode): FetchResponseInput => ({
      errorCode,
      sessionId: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          errorCode,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          records: null,
        })),
      })),
    }),
  ],
  [
    ApiKey.Metadata,
    (req: MetadataRequest, errorCode): MetadataResponseInput => ({
      brokers: [],
      controllerId: -1,
      topics: (req.topics ?? []).map((t) => ({ errorCode, name: t.name, topicId: t.topicId, partitions: [] })),
    }),
  ],
  [
    ApiKey.ListOffsets,
    (req: ListOffsetsRequest, errorCode): ListOffsetsResponseInput => ({
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
  ],
  [
    ApiKey.CreateTopics,
    (req: CreateTopicsRequest, errorCode): CreateTopicsResponseInput => ({
      topics: req.topics.map((t) => ({
        name: t.name,
        errorCode,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      })),
    }),
  ],
  [
    ApiKey.DeleteTopics,
    (req: DeleteTopicsRequest, errorCode, version): DeleteTopicsResponseInput => ({
      responses:
        version >= 6
          ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode }))
          : req.topicNames.map((name) => ({ name, errorCode })),
    }),
  ],
  [
    ApiKey.DescribeConfigs,
    (req: DescribeConfigsRequest, errorCode): DescribeConfigsResponseInput => ({
      results: req.resources.map((r) => ({
        errorCode,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      })),
    }),
  ],
  [
    ApiKey.FindCoordinator,
    (req: FindCoordinatorRequest, errorCode, version): FindCoordinatorResponseInput =>
      version >= 4
        ? { coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode })) }
        : { errorCode, nodeId: -1, host: '', port: -1 },
  ],
  [
    ApiKey.JoinGroup,
    (_req, errorCode) => ({ errorCode, generationId: -1, protocolName: null, leader: '', memberId: '', members: [] }),
  ],
  [ApiKey.SyncGroup, topLevel],
  [ApiKey.Heartbeat, topLevel],
  [
    ApiKey.LeaveGroup,
    (req: LeaveGroupRequest, errorCode): LeaveGroupResponseInput => ({
      errorCode,
      members: req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode })),
    }),
  ],
  [
    ApiKey.OffsetCommit,
    (req: OffsetCommitRequest, errorCode): OffsetCommitResponseInput => ({
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    }),
  ],
  [
    ApiKey.OffsetFetch,
    (req: OffsetFetchRequest, errorCode, version): OffsetFetchResponseInput =>
      version >= 8
        ? { groups: req.groups.map((g) => ({ groupId: g.groupId, errorCode, topics: [] })) }
        : { errorCode, topics: [] },
  ],
  [ApiKey.ListGroups, (_req, errorCode) => ({ errorCode, groups: [] })],
  [
    ApiKey.DescribeGroups,
    (req: DescribeGroupsRequest, errorCode): DescribeGroupsResponseInput => ({
      groups: req.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
      })),
    }),
  ],
  [
    ApiKey.DeleteGroups,
    (req: DeleteGroupsRequest, errorCode): DeleteGroupsResponseInput => ({
      results: req.groupsNames.map((groupId) => ({ groupId, errorCode })),
    }),
  ],
  [ApiKey.InitProducerId, (_req, errorCode) => ({ errorCode, producerId: -1, producerEpoch: -1 })],
  [ApiKey.ConsumerGroupHeartbeat, (_req, errorCode) => ({ errorCode, memberEpoch: -1 })],
]);
