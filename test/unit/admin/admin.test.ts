// CreateTopics / DeleteTopics / DescribeConfigs against a broker wired as in
// production (SQLite metadata store, real logs on disk), over a real socket.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import * as ct from '../../../core/protocol/messages/create-topics.ts';
import * as dt from '../../../core/protocol/messages/delete-topics.ts';
import * as dc from '../../../core/protocol/messages/describe-configs.ts';
import { buildRecordBatch, decodeBatchHeader } from '../../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};
const DeleteTopics = {
  apiKey: 20,
  flexibleMin: dt.DeleteTopicsRequestVersions.flexibleMin,
  encode: dt.encodeDeleteTopicsRequest,
  decode: dt.decodeDeleteTopicsResponse,
};
const DescribeConfigs = {
  apiKey: 32,
  flexibleMin: dc.DescribeConfigsRequestVersions.flexibleMin,
  encode: dc.encodeDescribeConfigsRequest,
  decode: dc.decodeDescribeConfigsResponse,
};

let dataDir: string;
let broker: Broker;
let client: KafkaClient;

async function boot(overrides: Record<string, string> = {}) {
  broker = singleNodeBroker({ port: 0, dataDir, config: new BrokerConfig(overrides), log: (m) => console.error(m) });
  const { port } = await broker.start();
  client = await KafkaClient.connect(port);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-'));
  await boot({ 'log.retention.hours': '24' });
});
afterAll(async () => {
  client.close?.();
  client.socket.destroy();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function topic(name: string, numPartitions = 1, replicationFactor = 1, configs: Record<string, string> = {}) {
  return {
    name,
    numPartitions,
    replicationFactor,
    assignments: [],
    configs: Object.entries(configs).map(([n, v]) => ({ name: n, value: v })),
  };
}

describe('CreateTopics', () => {
  it('creates topics and reports partitions, replication factor, configs and the topic id (v7)', async () => {
    const res = await client.send(CreateTopics, 7, {
      topics: [topic('orders', 3, 1, { 'retention.ms': '1000' })],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const t = res.topics[0]!;
    expect(t.errorCode).toBe(0);
    expect(t.numPartitions).toBe(3);
    expect(t.replicationFactor).toBe(1);
    expect(t.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(t.topicId).not.toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(t.configs!.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '1000', configSource: 1 });
    expect(t.configs!.find((c) => c.name === 'segment.bytes')).toMatchObject({ value: '1073741824', configSource: 5 });
    for (let p = 0; p < 3; p++)
      expect(existsSync(join(dataDir, 'broker-1', `orders-${p}`, 'partition.metadata'))).toBe(true);
  });

  it("answers each bad entry with Kafka's error code and creates nothing", async () => {
    const res = await client.send(CreateTopics, 5, {
      topics: [
        topic('bad name!'),
        topic('orders'),
        topic('zero', 0),
        topic('rf3', 1, 3),
        topic('badcfg', 1, 1, { 'retention.ms': 'abc' }),
        topic('dup'),
        topic('dup'),
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const codes = Object.fromEntries(res.topics.map((t) => [t.name, [t.errorCode, t.errorMessage]]));
    expect(codes['bad name!']![0]).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(codes.orders![0]).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(codes.zero![0]).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(codes.rf3).toEqual([ErrorCode.INVALID_REPLICATION_FACTOR, expect.stringContaining('only 1 broker(s)')]);
    expect(codes.badcfg).toEqual([
      ErrorCode.INVALID_CONFIG,
      'Invalid value abc for configuration retention.ms: Not a number of type LONG',
    ]);
    expect(res.topics.filter((t) => t.name === 'dup').map((t) => t.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
    expect(broker.topics.get('zero')).toBeUndefined();
    expect(broker.topics.get('badcfg')).toBeUndefined();
  });

  it('collides topics differing only in . and _', async () => {
    await client.send(CreateTopics, 5, { topics: [topic('a.b')], timeoutMs: 5000, validateOnly: false });
    const res = await client.send(CreateTopics, 5, { topics: [topic('a_b')], timeoutMs: 5000, validateOnly: false });
    expect(res.topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('validateOnly checks without creating; -1 means the broker defaults', async () => {
    const res = await client.send(CreateTopics, 7, {
      topics: [topic('dry', -1, -1)],
      timeoutMs: 5000,
      validateOnly: true,
    });
    expect(res.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 1, replicationFactor: 1 });
    expect(broker.topics.get('dry')).toBeUndefined();
    expect(existsSync(join(dataDir, 'broker-1', 'dry-0'))).toBe(false);
  });
});

describe('DescribeConfigs', () => {
  it('describes topic configs with sources and synonyms', async () => {
    const res = await client.send(DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'retention.bytes'] }],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const r = res.results[0]!;
    expect(r.errorCode).toBe(0);
    const byName = Object.fromEntries(r.configs.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['retention.bytes', 'retention.ms']);
    expect(byName['retention.ms']).toMatchObject({ value: '1000', configSource: 1, configType: 5, isSensitive: false });
    expect(byName['retention.ms']!.synonyms.map((s) => [s.name, s.value, s.source])).toEqual([
      ['retention.ms', '1000', 1],
      ['log.retention.hours', '24', 4],
      ['log.retention.hours', '168', 5],
    ]);
    expect(byName['retention.bytes']).toMatchObject({ value: '-1', configSource: 5 });
    expect(byName['retention.bytes']!.documentation).toMatch(/size/);
  });

  it('describes the broker, and errors for unknown resources', async () => {
    const res = await client.send(DescribeConfigs, 1, {
      resources: [
        { resourceType: 4, resourceName: '1', configurationKeys: null },
        { resourceType: 2, resourceName: 'nope', configurationKeys: null },
        { resourceType: 4, resourceName: '7', configurationKeys: null },
      ],
      includeSynonyms: false,
    });
    const [b, unknownTopic, otherBroker] = res.results;
    const hours = b!.configs.find((c) => c.name === 'log.retention.hours')!;
    expect(hours).toMatchObject({ value: '24', configSource: 4, readOnly: false });
    expect(b!.configs.find((c) => c.name === 'num.partitions')).toMatchObject({ value: '1', configSource: 5 });
    expect(unknownTopic!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(otherBroker!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('LogAppendTime topics', () => {
  it('stamps the broker time into the batch and keeps it valid', async () => {
    await client.send(CreateTopics, 7, {
      topics: [topic('lat', 1, 1, { 'message.timestamp.type': 'LogAppendTime' })],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const before = Date.now();
    const batch = buildRecordBatch([{ key: 'k', value: 'v', timestamp: 1000 }], { baseTimestamp: 1000 });
    const pr = await client.send(Api.Produce, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: 'lat', partitionData: [{ index: 0, records: batch }] }],
    });
    const part = pr.responses[0]!.partitionResponses[0]!;
    expect(part.errorCode).toBe(0);
    expect(part.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    const fr = await client.send(Api.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'lat',
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const records = fr.responses[0]!.partitions[0]!.records!;
    const h = decodeBatchHeader(records, 0);
    expect(h.timestampType).toBe('LogAppendTime');
    expect(h.maxTimestamp).toBe(part.logAppendTimeMs);
  });
});

describe('internal topics', () => {
  it('refuses produce to __consumer_offsets from ordinary clients (INVALID_TOPIC_EXCEPTION), nothing appended', async () => {
    const t =
      broker.topics.get('__consumer_offsets') ??
      (await broker.topics.create({
        name: '__consumer_offsets',
        numPartitions: 1,
        replicationFactor: 1,
        configs: { 'cleanup.policy': 'compact' },
      }));
    expect(t!.internal).toBe(true);
    const log = t!.partitions[0]!.log;
    const end = log.logEndOffset;
    const pr = await client.send(Api.Produce, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [
        {
          name: '__consumer_offsets',
          partitionData: [{ index: 0, records: buildRecordBatch([{ key: 'k', value: 'garbage' }]) }],
        },
      ],
    });
    expect(pr.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(log.logEndOffset).toBe(end);
    // A user topic whose name merely starts with "__" is not internal.
    const res = await client.send(CreateTopics, 7, { topics: [topic('__mine')], timeoutMs: 5000, validateOnly: false });
    expect(res.topics[0]!.errorCode).toBe(0);
    expect(broker.topics.get('__mine')!.internal).toBe(false);
  });
});

describe('DeleteTopics', () => {
  it('deletes by name (v5) and by id (v6), removing the files; unknown ones get errors', async () => {
    await client.send(CreateTopics, 7, {
      topics: [topic('gone1', 2), topic('gone2')],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const id2 = broker.topics.get('gone2')!.topicId;
    const r5 = await client.send(DeleteTopics, 5, { topicNames: ['gone1', 'never'], topics: [], timeoutMs: 5000 });
    expect(r5.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['gone1', 0],
      ['never', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const r6 = await client.send(DeleteTopics, 6, {
      topicNames: [],
      topics: [
        { name: null, topicId: id2 },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      ],
      timeoutMs: 5000,
    });
    expect(r6.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['gone2', 0],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    expect(existsSync(join(dataDir, 'broker-1', 'gone1-0'))).toBe(false);
    expect(existsSync(join(dataDir, 'broker-1', 'gone2-0'))).toBe(false);
    expect(broker.topics.get('gone1')).toBeUndefined();
  });
});

describe('restart', () => {
  it('topics, ids and configs come back from metadata.db', async () => {
    const id = broker.topics.get('orders')!.topicId;
    client.socket.destroy();
    await broker.stop();
    await boot({ 'log.retention.hours': '24' });
    const t = broker.topics.get('orders')!;
    expect(t.topicId).toBe(id);
    expect(t.partitions.length).toBe(3);
    expect(t.configs).toEqual({ 'retention.ms': '1000' });
    expect(broker.topics.get('gone1')).toBeUndefined();
    expect(existsSync(join(dataDir, 'broker-1', '.kafka_cleanshutdown'))).toBe(false);
  });
});
