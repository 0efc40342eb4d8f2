// The admin APIs in the API table (Kafka 4.0 version floors): CreatePartitions,
// DeleteRecords, AlterConfigs, IncrementalAlterConfigs, DescribeCluster,
// DescribeLogDirs, and the controller's ElectLeaders,
// AlterPartitionReassignments and ListPartitionReassignments.

import type { ApiTable } from './api-table.ts';
import { ApiKey } from '../protocol/messages/api-keys.ts';
import {
  decodeCreatePartitionsRequest,
  encodeCreatePartitionsResponse,
} from '../protocol/messages/create-partitions.ts';
import { decodeDeleteRecordsRequest, encodeDeleteRecordsResponse } from '../protocol/messages/delete-records.ts';
import { decodeAlterConfigsRequest, encodeAlterConfigsResponse } from '../protocol/messages/alter-configs.ts';
import {
  decodeIncrementalAlterConfigsRequest,
  encodeIncrementalAlterConfigsResponse,
} from '../protocol/messages/incremental-alter-configs.ts';
import { decodeDescribeClusterRequest, encodeDescribeClusterResponse } from '../protocol/messages/describe-cluster.ts';
import { decodeDescribeLogDirsRequest, encodeDescribeLogDirsResponse } from '../protocol/messages/describe-log-dirs.ts';
import { handleCreatePartitions } from './handlers/create-partitions.ts';
import { handleDeleteRecords } from './handlers/delete-records.ts';
import { handleAlterConfigs } from './handlers/alter-configs.ts';
import { handleIncrementalAlterConfigs } from './handlers/incremental-alter-configs.ts';
import { handleDescribeCluster } from './handlers/describe-cluster.ts';
import { handleDescribeLogDirs } from './handlers/describe-log-dirs.ts';
import { decodeElectLeadersRequest, encodeElectLeadersResponse } from '../protocol/messages/elect-leaders.ts';
import {
  decodeAlterPartitionReassignmentsRequest,
  encodeAlterPartitionReassignmentsResponse,
} from '../protocol/messages/alter-partition-reassignments.ts';
import {
  decodeListPartitionReassignmentsRequest,
  encodeListPartitionReassignmentsResponse,
} from '../protocol/messages/list-partition-reassignments.ts';
import { handleElectLeaders } from './handlers/elect-leaders.ts';
import { handleAlterPartitionReassignments } from './handlers/alter-partition-reassignments.ts';
import { handleListPartitionReassignments } from './handlers/list-partition-reassignments.ts';

export function registerAdminApis(table: ApiTable): void {
  table
    .register({
      apiKey: ApiKey.DeleteRecords,
      name: 'DeleteRecords',
      min: 0,
      max: 2,
      decodeRequest: decodeDeleteRecordsRequest,
      encodeResponse: encodeDeleteRecordsResponse,
      handle: handleDeleteRecords,
    })
    .register({
      apiKey: ApiKey.AlterConfigs,
      name: 'AlterConfigs',
      min: 0,
      max: 2,
      decodeRequest: decodeAlterConfigsRequest,
      encodeResponse: encodeAlterConfigsResponse,
      handle: handleAlterConfigs,
    })
    .register({
      apiKey: ApiKey.DescribeLogDirs,
      name: 'DescribeLogDirs',
      min: 1,
      max: 4,
      decodeRequest: decodeDescribeLogDirsRequest,
      encodeResponse: encodeDescribeLogDirsResponse,
      handle: handleDescribeLogDirs,
    })
    .register({
      apiKey: ApiKey.CreatePartitions,
      name: 'CreatePartitions',
      min: 0,
      max: 3,
      decodeRequest: decodeCreatePartitionsRequest,
      encodeResponse: encodeCreatePartitionsResponse,
      handle: handleCreatePartitions,
    })
    .register({
      apiKey: ApiKey.IncrementalAlterConfigs,
      name: 'IncrementalAlterConfigs',
      min: 0,
      max: 1,
      decodeRequest: decodeIncrementalAlterConfigsRequest,
      encodeResponse: encodeIncrementalAlterConfigsResponse,
      handle: handleIncrementalAlterConfigs,
    })
    .register({
      apiKey: ApiKey.DescribeCluster,
      name: 'DescribeCluster',
      min: 0,
      max: 1,
      decodeRequest: decodeDescribeClusterRequest,
      encodeResponse: encodeDescribeClusterResponse,
      handle: handleDescribeCluster,
    })
    .register({
      apiKey: ApiKey.ElectLeaders,
      name: 'ElectLeaders',
      min: 0,
      max: 2,
      decodeRequest: decodeElectLeadersRequest,
      encodeResponse: encodeElectLeadersResponse,
      handle: handleElectLeaders,
    })
    .register({
      apiKey: ApiKey.AlterPartitionReassignments,
      name: 'AlterPartitionReassignments',
      min: 0,
      max: 0,
      decodeRequest: decodeAlterPartitionReassignmentsRequest,
      encodeResponse: encodeAlterPartitionReassignmentsResponse,
      handle: handleAlterPartitionReassignments,
    })
    .register({
      apiKey: ApiKey.ListPartitionReassignments,
      name: 'ListPartitionReassignments',
      min: 0,
      max: 0,
      decodeRequest: decodeListPartitionReassignmentsRequest,
      encodeResponse: encodeListPartitionReassignmentsResponse,
      handle: handleListPartitionReassignments,
    });
}
