// CreatePartitions, DeleteRecords, AlterConfigs, IncrementalAlterConfigs,
// DescribeCluster and DescribeLogDirs against a broker wired as in production
// (SQLite metadata store, real logs on disk), over a real socket.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type { LogManager } from '../../../core/storage/log-manager.ts';
import * as ct from '../../../core/protocol/messages/create-topics.ts';
import * as cp from '../../../core/protocol/messages/create-partitions.ts';
import * as dr from '../../../core/protocol/messages/delete-records.ts';
import * as ac from '../../../core/protocol/messages/alter-configs.ts';
import * as iac from '../../../core/protocol/messages/incremental-alter-configs.ts';
import * as dc from '../../../core/protocol/messages/describe-configs.ts';
import * as dcl from '../../../core/protocol/messages/describe-cluster.ts';
import * as dld from '../../../core/protocol/messages/describe-log-dirs.ts';
import { buildRecordBatch } from '../../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};
const CreatePartitions = {
  apiKey: 37,
  flexibleMin: cp.CreatePartitionsRequestVersions.flexibleMin,
  encode: cp.encodeCreatePartitionsRequest,
  decode: cp.decodeCreatePartitionsResponse,
};
const DeleteRecords = {
  apiKey: 21,
  flexibleMin: dr.DeleteRecordsRequestVersions.flexibleMin,
  encode: dr.encodeDeleteRecordsRequest,
  decode: dr.decodeDeleteRecordsResponse,
};
const AlterConfigs = {
  apiKey: 33,
  flexibleMin: ac.AlterConfigsRequestVersions.flexibleMin,
  encode: ac.encodeAlterConfigsRequest,
  decode: ac.decodeAlterConfigsResponse,
};
const IncrementalAlterConfigs = {
  apiKey: 44,
  flexibleMin: iac.IncrementalAlterConfigsRequestVersions.flexibleMin,
  encode: iac.encodeIncrementalAlterConfigsRequest,
  decode: iac.decodeIncrementalAlterConfigsResponse,
};
const DescribeConfigs = {
  apiKey: 32,
  flexibleMin: dc.DescribeConfigsRequestVersions.flexibleMin,
  encode: dc.encodeDescribeConfigsRequest,
  decode: dc.decodeDescribeConfigsResponse,
};
const DescribeCluster = {
  apiKey: 60,
  flexibleMin: dcl.DescribeClusterRequestVersions.flexibleMin,
  encode: dcl.encodeDescribeClusterRequest,
  decode: dcl.decodeDescribeClusterResponse,
};
const DescribeLogDirs = {
  apiKey: 35,
  flexibleMin: dld.DescribeLogDirsRequestVersions.flexibleMin,
  encode: dld.encodeDescribeLogDirsRequest,
  decode: dld.decodeDescribeLogDirsResponse,
};

const TOPIC = 2;
const BROKER = 4;
const SET = 0,
  DELETE = 1,
  APPEND = 2,
  SUBTRACT = 3;

let dataDir: string;
let broker: Broker;
let client: KafkaClient;

async function boot() {
  broker = singleNodeBroker({
    port: 0,
    dataDir,
    config: new BrokerConfig({ 'log.retention.hours': '24' }),
    log: (m) => console.error(m),
  });
  const { port } = await broker.start();
  client = await KafkaClient.connect(port);
}

async function restart() {
  client.socket.destroy();
  await broker.stop();
  await boot();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-alter-'));
  await boot();
});
afterAll(async () => {
  client.socket.destroy();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function createTopic(name: string, numPartitions = 1, configs: Record<string, string> = {}) {
  const res = await client.send(CreateTopics, 7, {
    topics: [
      {
        name,
        numPartitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([n, v]) => ({ name: n, value: v })),
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(res.topics[0]!.errorCode).toBe(0);
}

async function produce(topic: string, partition: number, n: number, timestamp?: number): Promise<number> {
  let base = -1;
  for (let i = 0; i < n; i++) {
    const batch = buildRecordBatch(
      [{ key: `k${i}`, value: `value-${i}`, timestamp }],
      timestamp === undefined ? {} : { baseTimestamp: timestamp },
    );
    const res = await client.send(Api.Produce, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
    });
    const p = res.responses[0]!.partitionResponses[0]!;
    expect(p.errorCode).toBe(0);
    if (base < 0) base = Number(p.baseOffset);
  }
  return base;
}

async function fetchAt(topic: string, offset: number) {
  const fr = await client.send(Api.Fetch, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  return fr.responses[0]!.partitions[0]!;
}

async function earliest(topic: string): Promise<number> {
  const r = await client.send(Api.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }],
  });
  const p = r.topics[0]!.partitions[0]!;
  expect(p.errorCode).toBe(0);
  return Number(p.offset);
}

async function describeTopic(name: string, keys: string[] | null = null) {
  const res = await client.send(DescribeConfigs, 4, {
    resources: [{ resourceType: TOPIC, resourceName: name, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  return Object.fromEntries(res.results[0]!.configs.map((c) => [c.name, c]));
}

describe('CreatePartitions', () => {
  it('adds partitions with logs on disk, visible in Metadata at once, surviving a restart', async () => {
    await createTopic('grow', 2);
    const res = await client.send(CreatePartitions, 3, {
      topics: [{ name: 'grow', count: 5, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(res.results).toEqual([{ name: 'grow', errorCode: 0, errorMessage: null }]);
    const md = await client.send(Api.Metadata, 12, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'grow' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(md.topics[0]!.partitions.map((p) => p.partitionIndex).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await produce('grow', 4, 1)).toBe(0);
    await restart();
    expect(broker.topics.get('grow')!.partitions.length).toBe(5);
    expect(broker.topics.get('grow')!.partitions[4]!.log.logEndOffset).toBe(1);
  });

  it('validateOnly changes nothing; manual assignments to broker 1 are accepted (v0)', async () => {
    await createTopic('grow2', 1);
    const v = await client.send(CreatePartitions, 1, {
      topics: [{ name: 'grow2', count: 3, assignments: null }],
      timeoutMs: 5000,
      validateOnly: true,
    });
    expect(v.results[0]!.errorCode).toBe(0);
    expect(broker.topics.get('grow2')!.partitions.length).toBe(1);
    const r = await client.send(CreatePartitions, 0, {
      topics: [{ name: 'grow2', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(r.results[0]!.errorCode).toBe(0);
    expect(broker.topics.get('grow2')!.partitions.length).toBe(3);
  });

  it("answers Kafka's errors", async () => {
    await createTopic('fixed', 3);
    const res = await client.send(CreatePartitions, 2, {
      topics: [
        { name: 'fixed', count: 2, assignments: null },
        { name: 'nope', count: 4, assignments: null },
        { name: 'dup', count: 4, assignments: null },
        { name: 'dup', count: 5, assignments: null },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(res.results.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      [
        'fixed',
        ErrorCode.INVALID_PARTITIONS,
        'Topic currently has 3 partitions, which is higher than the requested 2.',
      ],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, expect.any(String)],
      ['dup', ErrorCode.INVALID_REQUEST, expect.any(String)],
      ['dup', ErrorCode.INVALID_REQUEST, expect.any(String)],
    ]);
    const same = await client.send(CreatePartitions, 3, {
      topics: [{ name: 'fixed', count: 3, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(same.results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Topic already has 3 partitions.',
    });
    for (const assignments of [
      [{ brokerIds: [2] }],
      [{ brokerIds: [1, 1] }],
      [{ brokerIds: [1] }, { brokerIds: [1] }],
      [{ brokerIds: [] }],
    ]) {
      const bad = await client.send(CreatePartitions, 3, {
        topics: [{ name: 'fixed', count: 4, assignments }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      expect(bad.results[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    }
    expect(broker.topics.get('fixed')!.partitions.length).toBe(3);
  });
});

describe('DeleteRecords', () => {
  it('advances the log start offset: fetches below get OFFSET_OUT_OF_RANGE, ListOffsets earliest moves, old segments go', async () => {
    await createTopic('trim', 1, { 'segment.bytes': '200', 'file.delete.delay.ms': '0' });
    await produce('trim', 0, 20);
    const log = broker.topics.get('trim')!.partitions[0]!.log;
    const segmentsBefore = log.segmentCount;
    expect(segmentsBefore).toBeGreaterThan(3);
    const res = await client.send(DeleteRecords, 2, {
      topics: [{ name: 'trim', partitions: [{ partitionIndex: 0, offset: 12 }] }],
      timeoutMs: 5000,
    });
    expect(res.topics[0]!.partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: 12, errorCode: 0 });
    expect(log.segmentCount).toBeLessThan(segmentsBefore);
    expect(log.segmentBaseOffsets()[0]).toBeLessThanOrEqual(12);
    expect((await fetchAt('trim', 11)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const ok = await fetchAt('trim', 12);
    expect(ok.errorCode).toBe(0);
    expect(Number(ok.logStartOffset)).toBe(12);
    expect(await earliest('trim')).toBe(12);
    // Written to the checkpoint before the answer: a crash now would not lose it.
    const cp = readFileSync(join(dataDir, 'broker-1', 'log-start-offset-checkpoint'), 'utf8');
    expect(cp).toMatch(/^trim 0 12$/m);

    // A lower offset is a no-op; -1 means the high watermark; beyond it is out of range.
    const again = await client.send(DeleteRecords, 1, {
      topics: [{ name: 'trim', partitions: [{ partitionIndex: 0, offset: 5 }] }],
      timeoutMs: 5000,
    });
    expect(again.topics[0]!.partitions[0]).toMatchObject({ lowWatermark: 12, errorCode: 0 });
    const beyond = await client.send(DeleteRecords, 0, {
      topics: [{ name: 'trim', partitions: [{ partitionIndex: 0, offset: 21 }] }],
      timeoutMs: 5000,
    });
    expect(beyond.topics[0]!.partitions[0]).toMatchObject({
      lowWatermark: -1,
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
    });
    const unknown = await client.send(DeleteRecords, 2, {
      topics: [
        { name: 'trim', partitions: [{ partitionIndex: 7, offset: 1 }] },
        { name: 'none', partitions: [{ partitionIndex: 0, offset: 1 }] },
      ],
      timeoutMs: 5000,
    });
    expect(unknown.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);

    await restart();
    expect(await earliest('trim')).toBe(12);
    expect((await fetchAt('trim', 11)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const hw = await client.send(DeleteRecords, 2, {
      topics: [{ name: 'trim', partitions: [{ partitionIndex: 0, offset: -1 }] }],
      timeoutMs: 5000,
    });
    expect(hw.topics[0]!.partitions[0]).toMatchObject({ lowWatermark: 20, errorCode: 0 });
    expect(await earliest('trim')).toBe(20);
    await produce('trim', 0, 1);
    expect((await fetchAt('trim', 20)).errorCode).toBe(0);
  });
});

describe('IncrementalAlterConfigs', () => {
  it('SET / DELETE / APPEND / SUBTRACT on a topic, persisted and described', async () => {
    await createTopic('cfg', 1, { 'retention.ms': '1000' });
    const res = await client.send(IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'cfg',
          configs: [
            { name: 'retention.ms', configOperation: DELETE, value: null },
            { name: 'segment.ms', configOperation: SET, value: '60000' },
            { name: 'cleanup.policy', configOperation: APPEND, value: 'compact' },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(res.responses).toEqual([{ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 'cfg' }]);
    expect(broker.topics.get('cfg')!.configs).toEqual({ 'segment.ms': '60000', 'cleanup.policy': 'delete,compact' });
    const d = await describeTopic('cfg', ['retention.ms', 'segment.ms', 'cleanup.policy']);
    expect(d['retention.ms']).toMatchObject({ value: '86400000', configSource: 4 });
    expect(d['segment.ms']).toMatchObject({ value: '60000', configSource: 1 });
    expect(d['cleanup.policy']).toMatchObject({ value: 'delete,compact', configSource: 1 });

    const sub = await client.send(IncrementalAlterConfigs, 0, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'cfg',
          configs: [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }],
        },
      ],
      validateOnly: false,
    });
    expect(sub.responses[0]!.errorCode).toBe(0);
    expect(broker.topics.get('cfg')!.configs['cleanup.policy']).toBe('compact');

    await restart();
    expect(broker.topics.get('cfg')!.configs).toEqual({ 'segment.ms': '60000', 'cleanup.policy': 'compact' });
    expect(broker.topics.get('cfg')!.partitions[0]!.log.config.segmentMs).toBe(60000);
  });

  it('rejects bad values, APPEND to non-lists, unknown topics and names; validateOnly changes nothing', async () => {
    const res = await client.send(IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'cfg',
          configs: [{ name: 'retention.ms', configOperation: SET, value: 'abc' }],
        },
        {
          resourceType: TOPIC,
          resourceName: 'nope',
          configs: [{ name: 'retention.ms', configOperation: SET, value: '1' }],
        },
        {
          resourceType: TOPIC,
          resourceName: 'grow',
          configs: [{ name: 'retention.ms', configOperation: APPEND, value: '1' }],
        },
        {
          resourceType: TOPIC,
          resourceName: 'grow2',
          configs: [{ name: 'no.such.config', configOperation: SET, value: '1' }],
        },
        {
          resourceType: TOPIC,
          resourceName: 'fixed',
          configs: [{ name: 'cleanup.policy', configOperation: SET, value: 'shred' }],
        },
      ],
      validateOnly: false,
    });
    expect(res.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage])).toEqual([
      ['cfg', ErrorCode.INVALID_CONFIG, 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, expect.any(String)],
      ['grow', ErrorCode.INVALID_CONFIG, "Can't APPEND to key retention.ms because its type is not LIST."],
      ['grow2', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such.config'],
      ['fixed', ErrorCode.INVALID_CONFIG, expect.stringContaining('String must be one of: delete, compact')],
    ]);
    const v = await client.send(IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'cfg',
          configs: [{ name: 'retention.ms', configOperation: SET, value: '5' }],
        },
      ],
      validateOnly: true,
    });
    expect(v.responses[0]!.errorCode).toBe(0);
    expect(broker.topics.get('cfg')!.configs['retention.ms']).toBeUndefined();
    const dup = await client.send(IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'cfg',
          configs: [
            { name: 'retention.ms', configOperation: SET, value: '5' },
            { name: 'retention.ms', configOperation: DELETE, value: null },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(dup.responses[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('a changed segment.bytes and retention.ms take effect on the running log', async () => {
    await createTopic('live', 1, { 'retention.ms': '-1', 'file.delete.delay.ms': '0' });
    const log = broker.topics.get('live')!.partitions[0]!.log;
    const logs = broker.logs as unknown as LogManager;
    const alter = async (name: string, value: string) => {
      const r = await client.send(IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: TOPIC, resourceName: 'live', configs: [{ name, configOperation: SET, value }] }],
        validateOnly: false,
      });
      expect(r.responses[0]!.errorCode).toBe(0);
    };
    // Records stamped in 1970: only retention.ms=-1 keeps them.
    await produce('live', 0, 5, 1000);
    expect(log.segmentCount).toBe(1);
    await alter('segment.bytes', '100');
    await produce('live', 0, 5, 1000);
    expect(log.segmentCount).toBeGreaterThan(3);
    await logs.runRetention();
    expect(log.logStartOffset).toBe(0);
    await alter('retention.ms', '1000');
    await logs.runRetention();
    expect(log.logStartOffset).toBeGreaterThan(0);
  });
});

describe('AlterConfigs', () => {
  it('replaces the whole override set of a topic (v0–2)', async () => {
    await createTopic('whole', 1, { 'retention.ms': '1000', 'segment.ms': '60000' });
    const res = await client.send(AlterConfigs, 2, {
      resources: [
        { resourceType: TOPIC, resourceName: 'whole', configs: [{ name: 'max.message.bytes', value: '2048' }] },
      ],
      validateOnly: false,
    });
    expect(res.responses[0]).toMatchObject({ errorCode: 0, errorMessage: null, resourceName: 'whole' });
    expect(broker.topics.get('whole')!.configs).toEqual({ 'max.message.bytes': '2048' });
    expect(broker.topics.get('whole')!.partitions[0]!.log.config.maxMessageBytes).toBe(2048);
    const bad = await client.send(AlterConfigs, 0, {
      resources: [{ resourceType: TOPIC, resourceName: 'whole', configs: [{ name: 'retention.ms', value: 'abc' }] }],
      validateOnly: false,
    });
    expect(bad.responses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Invalid value abc for configuration retention.ms: Not a number of type LONG',
    });
    const v = await client.send(AlterConfigs, 1, {
      resources: [{ resourceType: TOPIC, resourceName: 'whole', configs: [] }],
      validateOnly: true,
    });
    expect(v.responses[0]!.errorCode).toBe(0);
    expect(broker.topics.get('whole')!.configs).toEqual({ 'max.message.bytes': '2048' });
    const dup = await client.send(AlterConfigs, 1, {
      resources: [
        { resourceType: TOPIC, resourceName: 'whole', configs: [] },
        { resourceType: TOPIC, resourceName: 'whole', configs: [] },
      ],
      validateOnly: false,
    });
    expect(dup.responses.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });
});

describe('dynamic broker configs', () => {
  it('per-broker and cluster-default values layer over static ones, reach the logs, and persist', async () => {
    const r = await client.send(IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: BROKER,
          resourceName: '1',
          configs: [{ name: 'log.retention.ms', configOperation: SET, value: '7200000' }],
        },
        {
          resourceType: BROKER,
          resourceName: '',
          configs: [{ name: 'log.segment.bytes', configOperation: SET, value: '5000000' }],
        },
      ],
      validateOnly: false,
    });
    expect(r.responses.map((x) => x.errorCode)).toEqual([0, 0]);
    const check = async () => {
      const d = await describeTopic('grow', ['retention.ms', 'segment.bytes']);
      expect(d['retention.ms']).toMatchObject({ value: '7200000', configSource: 2 });
      expect(d['retention.ms']!.synonyms.map((s) => [s.name, s.source])).toEqual([
        ['log.retention.ms', 2],
        ['log.retention.hours', 4],
        ['log.retention.hours', 5],
      ]);
      expect(d['segment.bytes']).toMatchObject({ value: '5000000', configSource: 3 });
      expect(broker.topics.get('grow')!.partitions[0]!.log.config.retentionMs).toBe(7200000);
      expect(broker.topics.get('grow')!.partitions[0]!.log.config.segmentBytes).toBe(5000000);
      const b = await client.send(DescribeConfigs, 4, {
        resources: [
          {
            resourceType: BROKER,
            resourceName: '1',
            configurationKeys: ['log.retention.ms', 'log.segment.bytes', 'num.partitions'],
          },
          { resourceType: BROKER, resourceName: '', configurationKeys: null },
        ],
        includeSynonyms: true,
        includeDocumentation: false,
      });
      const one = Object.fromEntries(b.results[0]!.configs.map((c) => [c.name, c]));
      expect(one['log.retention.ms']).toMatchObject({ value: '7200000', configSource: 2 });
      expect(one['log.segment.bytes']).toMatchObject({ value: '5000000', configSource: 3 });
      expect(one['log.segment.bytes']!.synonyms.map((s) => [s.value, s.source])).toEqual([
        ['5000000', 3],
        ['1073741824', 5],
      ]);
      expect(one['num.partitions']).toMatchObject({ value: '1', configSource: 5 });
      expect(b.results[1]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
        ['log.segment.bytes', '5000000', 3],
      ]);
    };
    await check();
    await restart();
    await check();

    // AlterConfigs replaces the broker's whole dynamic set.
    const clear = await client.send(AlterConfigs, 1, {
      resources: [{ resourceType: BROKER, resourceName: '1', configs: [] }],
      validateOnly: false,
    });
    expect(clear.responses[0]!.errorCode).toBe(0);
    expect((await describeTopic('grow', ['retention.ms']))['retention.ms']).toMatchObject({
      value: '86400000',
      configSource: 4,
    });
    expect(broker.topics.get('grow')!.partitions[0]!.log.config.retentionMs).toBe(86400000);
  });

  it('refuses read-only configs, bad values and other brokers with INVALID_REQUEST', async () => {
    const res = await client.send(IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: BROKER,
          resourceName: '1',
          configs: [
            { name: 'auto.create.topics.enable', configOperation: SET, value: 'false' },
            { name: 'num.partitions', configOperation: SET, value: '3' },
          ],
        },
        {
          resourceType: BROKER,
          resourceName: '',
          configs: [{ name: 'log.retention.ms', configOperation: SET, value: 'abc' }],
        },
        {
          resourceType: BROKER,
          resourceName: '2',
          configs: [{ name: 'log.retention.ms', configOperation: SET, value: '1' }],
        },
        { resourceType: 99, resourceName: 'x', configs: [] },
      ],
      validateOnly: false,
    });
    expect(res.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([
      [
        ErrorCode.INVALID_REQUEST,
        'Cannot update these configs dynamically: Set(auto.create.topics.enable, num.partitions)',
      ],
      [ErrorCode.INVALID_REQUEST, 'Invalid value abc for configuration log.retention.ms: Not a number of type LONG'],
      [ErrorCode.INVALID_REQUEST, expect.any(String)],
      [ErrorCode.INVALID_REQUEST, expect.any(String)],
    ]);
    expect(broker.config.autoCreateTopicsEnable).toBe(true);
    expect(broker.config.numPartitions).toBe(1);
  });
});

describe('DescribeCluster', () => {
  it('describes this one-broker cluster (v0, v1)', async () => {
    const v0 = await client.send(DescribeCluster, 0, { includeClusterAuthorizedOperations: true });
    expect(v0).toMatchObject({
      errorCode: 0,
      clusterId: broker.clusterId,
      controllerId: 1,
      brokers: [{ brokerId: 1, host: '127.0.0.1', port: broker.advertisedPort, rack: null }],
    });
    expect(v0.clusterAuthorizedOperations).toBeGreaterThan(0);
    const v1 = await client.send(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    expect(v1).toMatchObject({ errorCode: 0, endpointType: 1, clusterAuthorizedOperations: -2147483648 });
    const ctl = await client.send(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    expect(ctl.errorCode).toBe(ErrorCode.MISMATCHED_ENDPOINT_TYPE);
  });
});

describe('DescribeLogDirs', () => {
  it('reports the log dir with per-partition sizes (v1) and disk space (v4)', async () => {
    const all = await client.send(DescribeLogDirs, 4, { topics: null });
    expect(all.errorCode).toBe(0);
    const dir = all.results[0]!;
    expect(dir.logDir).toBe(join(dataDir, 'broker-1'));
    expect(dir.totalBytes).toBeGreaterThan(0);
    expect(dir.usableBytes).toBeGreaterThan(0);
    expect(dir.usableBytes).toBeLessThanOrEqual(dir.totalBytes);
    const grow = dir.topics.find((t) => t.name === 'grow')!;
    expect(grow.partitions.length).toBe(5);
    const p4 = grow.partitions.find((p) => p.partitionIndex === 4)!;
    expect(p4).toEqual({
      partitionIndex: 4,
      partitionSize: broker.topics.get('grow')!.partitions[4]!.log.size(),
      offsetLag: 0,
      isFutureKey: false,
    });
    expect(p4.partitionSize).toBeGreaterThan(0);
    const some = await client.send(DescribeLogDirs, 1, {
      topics: [
        { topic: 'grow', partitions: [0, 9] },
        { topic: 'nope', partitions: [0] },
      ],
    });
    expect(some.results[0]!.topics).toEqual([
      { name: 'grow', partitions: [expect.objectContaining({ partitionIndex: 0 })] },
    ]);
  });
});
