// An in-process Broker on a real data dir (real TopicManager and logs, so
// __consumer_offsets is persisted) plus codecs and helpers for the group APIs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Broker } from '../../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../../core/broker/configs.ts';
import { Writer } from '../../../../core/protocol/writer.ts';
import { KafkaClient, type ClientCodec } from '../../../helpers/kafka-client.ts';
import * as fc from '../../../../core/protocol/messages/find-coordinator.ts';
import * as jg from '../../../../core/protocol/messages/join-group.ts';
import * as sg from '../../../../core/protocol/messages/sync-group.ts';
import * as hb from '../../../../core/protocol/messages/heartbeat.ts';
import * as lg from '../../../../core/protocol/messages/leave-group.ts';
import * as oc from '../../../../core/protocol/messages/offset-commit.ts';
import * as of from '../../../../core/protocol/messages/offset-fetch.ts';
import * as li from '../../../../core/protocol/messages/list-groups.ts';
import * as dg from '../../../../core/protocol/messages/describe-groups.ts';
import * as dl from '../../../../core/protocol/messages/delete-groups.ts';
import * as od from '../../../../core/protocol/messages/offset-delete.ts';
import { encodeConsumerProtocolSubscription } from '../../../../core/protocol/messages/consumer-protocol-subscription.ts';

export const G = {
  FindCoordinator: {
    apiKey: 10,
    flexibleMin: fc.FindCoordinatorRequestVersions.flexibleMin,
    encode: fc.encodeFindCoordinatorRequest,
    decode: fc.decodeFindCoordinatorResponse,
  },
  JoinGroup: {
    apiKey: 11,
    flexibleMin: jg.JoinGroupRequestVersions.flexibleMin,
    encode: jg.encodeJoinGroupRequest,
    decode: jg.decodeJoinGroupResponse,
  },
  SyncGroup: {
    apiKey: 14,
    flexibleMin: sg.SyncGroupRequestVersions.flexibleMin,
    encode: sg.encodeSyncGroupRequest,
    decode: sg.decodeSyncGroupResponse,
  },
  Heartbeat: {
    apiKey: 12,
    flexibleMin: hb.HeartbeatRequestVersions.flexibleMin,
    encode: hb.encodeHeartbeatRequest,
    decode: hb.decodeHeartbeatResponse,
  },
  LeaveGroup: {
    apiKey: 13,
    flexibleMin: lg.LeaveGroupRequestVersions.flexibleMin,
    encode: lg.encodeLeaveGroupRequest,
    decode: lg.decodeLeaveGroupResponse,
  },
  OffsetCommit: {
    apiKey: 8,
    flexibleMin: oc.OffsetCommitRequestVersions.flexibleMin,
    encode: oc.encodeOffsetCommitRequest,
    decode: oc.decodeOffsetCommitResponse,
  },
  OffsetFetch: {
    apiKey: 9,
    flexibleMin: of.OffsetFetchRequestVersions.flexibleMin,
    encode: of.encodeOffsetFetchRequest,
    decode: of.decodeOffsetFetchResponse,
  },
  ListGroups: {
    apiKey: 16,
    flexibleMin: li.ListGroupsRequestVersions.flexibleMin,
    encode: li.encodeListGroupsRequest,
    decode: li.decodeListGroupsResponse,
  },
  DescribeGroups: {
    apiKey: 15,
    flexibleMin: dg.DescribeGroupsRequestVersions.flexibleMin,
    encode: dg.encodeDescribeGroupsRequest,
    decode: dg.decodeDescribeGroupsResponse,
  },
  DeleteGroups: {
    apiKey: 42,
    flexibleMin: dl.DeleteGroupsRequestVersions.flexibleMin,
    encode: dl.encodeDeleteGroupsRequest,
    decode: dl.decodeDeleteGroupsResponse,
  },
  OffsetDelete: {
    apiKey: 47,
    flexibleMin: od.OffsetDeleteRequestVersions.flexibleMin,
    encode: od.encodeOffsetDeleteRequest,
    decode: od.decodeOffsetDeleteResponse,
  },
} as const satisfies Record<string, ClientCodec<any, any>>;

export interface GroupHarness {
  broker: Broker;
  dataDir: string;
  client(): Promise<KafkaClient>;
  /** Stops the broker and starts a new one on the same data dir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_OVERRIDES = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '100',
  'offsets.topic.num.partitions': '3',
};

export async function startGroupBroker(
  overrides: Record<string, string> = {},
  dataDir?: string,
  log?: (m: string) => void,
): Promise<GroupHarness> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-groups-'));
  const config = new BrokerConfig({ ...TEST_OVERRIDES, ...overrides });
  const clients: KafkaClient[] = [];
  const h: GroupHarness = {
    broker: undefined as unknown as Broker,
    dataDir: dir,
    async client() {
      const c = await KafkaClient.connect(h.broker.advertisedPort);
      clients.push(c);
      return c;
    },
    async restart() {
      for (const c of clients.splice(0)) c.close();
      await h.broker.stop();
      h.broker = singleNodeBroker({ port: 0, dataDir: dir, config, log });
      await h.broker.start();
      await h.broker.groups.ready;
    },
    async stop() {
      for (const c of clients.splice(0)) c.close();
      await h.broker.stop();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  h.broker = singleNodeBroker({ port: 0, dataDir: dir, config, log });
  await h.broker.start();
  await h.broker.groups.ready;
  return h;
}

/** ConsumerProtocolSubscription bytes (int16 version + struct). */
export function subscription(topics: string[], version = 1): Buffer {
  const w = new Writer().int16(version);
  encodeConsumerProtocolSubscription(w, version, { topics, userData: null, ownedPartitions: [] });
  return w.toBuffer();
}
