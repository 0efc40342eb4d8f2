// DescribeTopicPartitions (KIP-966) over a real socket against a broker wired as in production:
// every topic or the named ones, in name order; paging by the partition budget with NextCursor
// (a topic cut short, or the next topic when the budget is spent exactly); unknown and invalid
// names; a cursor the request's topics do not contain. Kafka's Admin client and kafka-topics use
// it in test/peers (java-client, kafka-tools) against real Kafka and Samsa.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../core/broker/broker.ts';
import { BrokerConfig } from '../../core/broker/configs.ts';
import { singleNodeBroker } from '../../core/cluster/single-node.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import * as ct from '../../core/protocol/messages/create-topics.ts';
import * as dtp from '../../core/protocol/messages/describe-topic-partitions.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};
const DescribeTopicPartitions = {
  apiKey: 75,
  flexibleMin: dtp.DescribeTopicPartitionsRequestVersions.flexibleMin,
  encode: dtp.encodeDescribeTopicPartitionsRequest,
  decode: dtp.decodeDescribeTopicPartitionsResponse,
};

let dataDir: string;
let broker: Broker;
let client: KafkaClient;
const describeTopics = (req: dtp.DescribeTopicPartitionsRequestInput) => client.send(DescribeTopicPartitions, 0, req);
/** The answer as (topic, partitions) pairs and the cursor, the shape a paging client reads. */
const pages = (r: dtp.DescribeTopicPartitionsResponse) => ({
  topics: r.topics.map((t) => [t.name, t.errorCode, t.partitions.map((p) => p.partitionIndex)]),
  next: r.nextCursor,
});

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-dtp-'));
  broker = singleNodeBroker({ port: 0, dataDir, config: new BrokerConfig({}) });
  const { port } = await broker.start();
  client = await KafkaClient.connect(port);
  const created = await client.send(CreateTopics, 7, {
    topics: [
      { name: 'dtp-b', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'dtp-a', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'dtp-c', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0, 0]);
});
afterAll(async () => {
  client?.close();
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DescribeTopicPartitions', () => {
  it('is advertised at v0', async () => {
    const res = await client.send(Api.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    expect(res.apiKeys.find((k) => k.apiKey === 75)).toMatchObject({ minVersion: 0, maxVersion: 0 });
  });

  it('describes the named topics in name order, with leaders, replicas, ISR, empty ELR and the topic id', async () => {
    const r = await describeTopics({ topics: [{ name: 'dtp-b' }, { name: 'dtp-a' }] });
    expect(pages(r)).toEqual({
      topics: [
        ['dtp-a', 0, [0, 1]],
        ['dtp-b', 0, [0, 1, 2]],
      ],
      next: null,
    });
    const a = r.topics[0]!;
    expect(a.topicId).toBe(broker.topics.get('dtp-a')!.topicId);
    expect(a.isInternal).toBe(false);
    expect(a.topicAuthorizedOperations).not.toBe(-2147483648);
    expect(a.partitions[0]).toMatchObject({
      errorCode: 0,
      leaderId: 1,
      replicaNodes: [1],
      isrNodes: [1],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: [],
    });
  });

  it('answers an unknown name UNKNOWN_TOPIC_OR_PARTITION and an invalid one INVALID_TOPIC_EXCEPTION', async () => {
    const r = await describeTopics({ topics: [{ name: 'dtp-missing' }, { name: 'bad name' }, { name: 'dtp-c' }] });
    expect(pages(r).topics).toEqual([
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION, []],
      ['dtp-c', 0, [0]],
      ['dtp-missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []],
    ]);
    expect(r.topics[2]!.topicId).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('with no topics named, describes every topic, the internal ones too', async () => {
    const r = await describeTopics({ topics: [] });
    const names = r.topics.map((t) => t.name!);
    expect(names.filter((n) => n.startsWith('dtp-'))).toEqual(['dtp-a', 'dtp-b', 'dtp-c']);
    expect(names).toEqual([...names].sort());
    expect(r.topics.every((t) => t.errorCode === 0)).toBe(true);
  });

  it('pages by the partition budget: a topic cut short ends the page with the cursor at its next partition', async () => {
    const topics = [{ name: 'dtp-a' }, { name: 'dtp-b' }, { name: 'dtp-c' }];
    const first = await describeTopics({ topics, responsePartitionLimit: 3 });
    expect(pages(first)).toEqual({
      topics: [
        ['dtp-a', 0, [0, 1]],
        ['dtp-b', 0, [0]],
      ],
      next: { topicName: 'dtp-b', partitionIndex: 1 },
    });
    const second = await describeTopics({ topics, responsePartitionLimit: 3, cursor: first.nextCursor });
    expect(pages(second)).toEqual({
      topics: [
        ['dtp-b', 0, [1, 2]],
        ['dtp-c', 0, [0]],
      ],
      next: null,
    });
    // The budget is spent exactly by dtp-b: the cursor names the next topic at partition 0.
    const third = await describeTopics({ topics, responsePartitionLimit: 2, cursor: first.nextCursor });
    expect(pages(third)).toEqual({
      topics: [['dtp-b', 0, [1, 2]]],
      next: { topicName: 'dtp-c', partitionIndex: 0 },
    });
    const last = await describeTopics({ topics, responsePartitionLimit: 2, cursor: third.nextCursor });
    expect(pages(last)).toEqual({ topics: [['dtp-c', 0, [0]]], next: null });
  });

  it('takes at least one partition per page, whatever the limit', async () => {
    const r = await describeTopics({ topics: [{ name: 'dtp-a' }], responsePartitionLimit: 0 });
    expect(pages(r)).toEqual({ topics: [['dtp-a', 0, [0]]], next: { topicName: 'dtp-a', partitionIndex: 1 } });
  });

  it('refuses a cursor on a topic the request does not name, or on a negative partition, with INVALID_REQUEST', async () => {
    const notNamed = await describeTopics({
      topics: [{ name: 'dtp-a' }],
      cursor: { topicName: 'dtp-b', partitionIndex: 0 },
    });
    expect(pages(notNamed)).toEqual({ topics: [['dtp-a', ErrorCode.INVALID_REQUEST, []]], next: null });
    const negative = await describeTopics({ topics: [], cursor: { topicName: 'dtp-a', partitionIndex: -1 } });
    expect(pages(negative)).toEqual({ topics: [], next: null });
    // The broker still answers normally afterwards.
    expect(pages(await describeTopics({ topics: [{ name: 'dtp-c' }] })).topics).toEqual([['dtp-c', 0, [0]]]);
  });
});
