// The APIs this broker serves, sorted by api key: ApiVersions advertises exactly this list, and
// the dispatcher (dispatch.ts) finds each request's entry here. Every entry lives in its
// handler's file (handlers/<api>.ts: key, versions, codecs, handler, error response); adding an
// API means writing that file, its test, its row in the README's "Supported Kafka APIs" table,
// and one line below.
import type { ApiEntry } from './handlers/context.ts';
import { produceApi } from './handlers/produce.ts';
import { fetchApi } from './handlers/fetch.ts';
import { listOffsetsApi } from './handlers/list-offsets.ts';
import { metadataApi } from './handlers/metadata.ts';
import { offsetCommitApi } from './handlers/offset-commit.ts';
import { offsetFetchApi } from './handlers/offset-fetch.ts';
import { findCoordinatorApi } from './handlers/find-coordinator.ts';
import { joinGroupApi } from './handlers/join-group.ts';
import { heartbeatApi } from './handlers/heartbeat.ts';
import { leaveGroupApi } from './handlers/leave-group.ts';
import { syncGroupApi } from './handlers/sync-group.ts';
import { describeGroupsApi } from './handlers/describe-groups.ts';
import { listGroupsApi } from './handlers/list-groups.ts';
import { apiVersionsApi } from './handlers/api-versions.ts';
import { createTopicsApi } from './handlers/create-topics.ts';
import { deleteTopicsApi } from './handlers/delete-topics.ts';
import { deleteRecordsApi } from './handlers/delete-records.ts';
import { initProducerIdApi } from './handlers/init-producer-id.ts';
import { offsetForLeaderEpochApi } from './handlers/offset-for-leader-epoch.ts';
import { describeConfigsApi } from './handlers/describe-configs.ts';
import { alterConfigsApi } from './handlers/alter-configs.ts';
import { describeLogDirsApi } from './handlers/describe-log-dirs.ts';
import { createPartitionsApi } from './handlers/create-partitions.ts';
import { deleteGroupsApi } from './handlers/delete-groups.ts';
import { electLeadersApi } from './handlers/elect-leaders.ts';
import { incrementalAlterConfigsApi } from './handlers/incremental-alter-configs.ts';
import { alterPartitionReassignmentsApi } from './handlers/alter-partition-reassignments.ts';
import { listPartitionReassignmentsApi } from './handlers/list-partition-reassignments.ts';
import { offsetDeleteApi } from './handlers/offset-delete.ts';
import { describeClusterApi } from './handlers/describe-cluster.ts';
import { describeProducersApi } from './handlers/describe-producers.ts';
import { consumerGroupHeartbeatApi } from './handlers/consumer-group-heartbeat.ts';
import { consumerGroupDescribeApi } from './handlers/consumer-group-describe.ts';

export const API_ENTRIES: readonly ApiEntry[] = [
  produceApi, // 0
  fetchApi, // 1
  listOffsetsApi, // 2
  metadataApi, // 3
  offsetCommitApi, // 8
  offsetFetchApi, // 9
  findCoordinatorApi, // 10
  joinGroupApi, // 11
  heartbeatApi, // 12
  leaveGroupApi, // 13
  syncGroupApi, // 14
  describeGroupsApi, // 15
  listGroupsApi, // 16
  apiVersionsApi, // 18
  createTopicsApi, // 19
  deleteTopicsApi, // 20
  deleteRecordsApi, // 21
  initProducerIdApi, // 22
  offsetForLeaderEpochApi, // 23
  describeConfigsApi, // 32
  alterConfigsApi, // 33
  describeLogDirsApi, // 35
  createPartitionsApi, // 37
  deleteGroupsApi, // 42
  electLeadersApi, // 43
  incrementalAlterConfigsApi, // 44
  alterPartitionReassignmentsApi, // 45
  listPartitionReassignmentsApi, // 46
  offsetDeleteApi, // 47
  describeClusterApi, // 60
  describeProducersApi, // 61
  consumerGroupHeartbeatApi, // 68
  consumerGroupDescribeApi, // 69
];

export class ApiTable {
  private readonly byKey = new Map<number, ApiEntry>();
  private readonly sorted: readonly ApiEntry[];

  constructor(entries: readonly ApiEntry[] = API_ENTRIES) {
    for (const e of entries) {
      if (this.byKey.has(e.apiKey)) throw new Error(`api key ${e.apiKey} ({e.name}) is listed twice`);
      this.byKey.set(e.apiKey, e);
    }
    this.sorted = [...entries].sort((a, b) => a.apiKey - b.apiKey);
  }

  get(apiKey: number): ApiEntry | undefined {
    return this.byKey.get(apiKey);
  }

  /** Entries sorted by api key. */
  entries(): readonly ApiEntry[] {
    return this.sorted;
  }

  /** Swaps in another entry for a listed api key (fault injection in tests). */
  replace(entry: ApiEntry): void {
    if (!this.byKey.has(entry.apiKey)) throw new Error(`api key ${entry.apiKey} is not listed`);
    this.byKey.set(entry.apiKey, entry);
  }
}
