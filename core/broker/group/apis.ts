// The group coordinator's entries in the API table (Kafka 4.0 version floors).

import type { ApiTable } from '../api-table.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';
import {
  decodeFindCoordinatorRequest,
  encodeFindCoordinatorResponse,
} from '../../protocol/messages/find-coordinator.ts';
import { decodeJoinGroupRequest, encodeJoinGroupResponse } from '../../protocol/messages/join-group.ts';
import { decodeSyncGroupRequest, encodeSyncGroupResponse } from '../../protocol/messages/sync-group.ts';
import { decodeHeartbeatRequest, encodeHeartbeatResponse } from '../../protocol/messages/heartbeat.ts';
import { decodeLeaveGroupRequest, encodeLeaveGroupResponse } from '../../protocol/messages/leave-group.ts';
import { decodeOffsetCommitRequest, encodeOffsetCommitResponse } from '../../protocol/messages/offset-commit.ts';
import { decodeOffsetFetchRequest, encodeOffsetFetchResponse } from '../../protocol/messages/offset-fetch.ts';
import { decodeListGroupsRequest, encodeListGroupsResponse } from '../../protocol/messages/list-groups.ts';
import { decodeDescribeGroupsRequest, encodeDescribeGroupsResponse } from '../../protocol/messages/describe-groups.ts';
import { decodeDeleteGroupsRequest, encodeDeleteGroupsResponse } from '../../protocol/messages/delete-groups.ts';
import { decodeOffsetDeleteRequest, encodeOffsetDeleteResponse } from '../../protocol/messages/offset-delete.ts';
import { handleFindCoordinator } from '../handlers/find-coordinator.ts';
import { handleJoinGroup } from '../handlers/join-group.ts';
import { handleSyncGroup } from '../handlers/sync-group.ts';
import { handleHeartbeat } from '../handlers/heartbeat.ts';
import { handleLeaveGroup } from '../handlers/leave-group.ts';
import { handleOffsetCommit } from '../handlers/offset-commit.ts';
import { handleOffsetFetch } from '../handlers/offset-fetch.ts';
import { handleListGroups } from '../handlers/list-groups.ts';
import { handleDescribeGroups } from '../handlers/describe-groups.ts';
import { handleDeleteGroups } from '../handlers/delete-groups.ts';
import { handleOffsetDelete } from '../handlers/offset-delete.ts';
import {
  decodeConsumerGroupHeartbeatRequest,
  encodeConsumerGroupHeartbeatResponse,
} from '../../protocol/messages/consumer-group-heartbeat.ts';
import {
  decodeConsumerGroupDescribeRequest,
  encodeConsumerGroupDescribeResponse,
} from '../../protocol/messages/consumer-group-describe.ts';
import { handleConsumerGroupHeartbeat } from '../handlers/consumer-group-heartbeat.ts';
import { handleConsumerGroupDescribe } from '../handlers/consumer-group-describe.ts';

export function registerGroupApis(table: ApiTable): void {
  table
    .register({
      apiKey: ApiKey.OffsetCommit,
      name: 'OffsetCommit',
      min: 2,
      max: 9,
      decodeRequest: decodeOffsetCommitRequest,
      encodeResponse: encodeOffsetCommitResponse,
      handle: handleOffsetCommit,
    })
    .register({
      apiKey: ApiKey.OffsetFetch,
      name: 'OffsetFetch',
      min: 1,
      max: 9,
      decodeRequest: decodeOffsetFetchRequest,
      encodeResponse: encodeOffsetFetchResponse,
      handle: handleOffsetFetch,
    })
    .register({
      apiKey: ApiKey.FindCoordinator,
      name: 'FindCoordinator',
      min: 0,
      max: 6,
      decodeRequest: decodeFindCoordinatorRequest,
      encodeResponse: encodeFindCoordinatorResponse,
      handle: handleFindCoordinator,
    })
    .register({
      apiKey: ApiKey.JoinGroup,
      name: 'JoinGroup',
      min: 0,
      max: 9,
      decodeRequest: decodeJoinGroupRequest,
      encodeResponse: encodeJoinGroupResponse,
      handle: handleJoinGroup,
    })
    .register({
      apiKey: ApiKey.Heartbeat,
      name: 'Heartbeat',
      min: 0,
      max: 4,
      decodeRequest: decodeHeartbeatRequest,
      encodeResponse: encodeHeartbeatResponse,
      handle: handleHeartbeat,
    })
    .register({
      apiKey: ApiKey.LeaveGroup,
      name: 'LeaveGroup',
      min: 0,
      max: 5,
      decodeRequest: decodeLeaveGroupRequest,
      encodeResponse: encodeLeaveGroupResponse,
      handle: handleLeaveGroup,
    })
    .register({
      apiKey: ApiKey.SyncGroup,
      name: 'SyncGroup',
      min: 0,
      max: 5,
      decodeRequest: decodeSyncGroupRequest,
      encodeResponse: encodeSyncGroupResponse,
      handle: handleSyncGroup,
    })
    .register({
      apiKey: ApiKey.DescribeGroups,
      name: 'DescribeGroups',
      min: 0,
      max: 5,
      decodeRequest: decodeDescribeGroupsRequest,
      encodeResponse: encodeDescribeGroupsResponse,
      handle: handleDescribeGroups,
    })
    .register({
      apiKey: ApiKey.ListGroups,
      name: 'ListGroups',
      min: 0,
      max: 5,
      decodeRequest: decodeListGroupsRequest,
      encodeResponse: encodeListGroupsResponse,
      handle: handleListGroups,
    })
    .register({
      apiKey: ApiKey.DeleteGroups,
      name: 'DeleteGroups',
      min: 0,
      max: 2,
      decodeRequest: decodeDeleteGroupsRequest,
      encodeResponse: encodeDeleteGroupsResponse,
      handle: handleDeleteGroups,
    })
    .register({
      apiKey: ApiKey.OffsetDelete,
      name: 'OffsetDelete',
      min: 0,
      max: 0,
      decodeRequest: decodeOffsetDeleteRequest,
      encodeResponse: encodeOffsetDeleteResponse,
      handle: handleOffsetDelete,
    })
    .register({
      apiKey: ApiKey.ConsumerGroupHeartbeat,
      name: 'ConsumerGroupHeartbeat',
      min: 0,
      max: 1,
      decodeRequest: decodeConsumerGroupHeartbeatRequest,
      encodeResponse: encodeConsumerGroupHeartbeatResponse,
      handle: handleConsumerGroupHeartbeat,
    })
    .register({
      apiKey: ApiKey.ConsumerGroupDescribe,
      name: 'ConsumerGroupDescribe',
      min: 0,
      max: 0,
      decodeRequest: decodeConsumerGroupDescribeRequest,
      encodeResponse: encodeConsumerGroupDescribeResponse,
      handle: handleConsumerGroupDescribe,
    });
}
