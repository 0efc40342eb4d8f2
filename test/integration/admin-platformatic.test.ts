// The admin APIs through real clients against a broker process: @platformatic/kafka's
// Admin (partitions, configs, records, groups and their offsets), kafkajs's admin and
// confluent-kafka Python's AdminClient.
import {
  Admin,
  ConfigResourceTypes,
  IncrementalAlterConfigOperationTypes,
  Producer,
  stringSerializers,
} from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import type { Admin as KafkajsAdmin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { runPython, uniqueTopic, withTimeout } from '../helpers/clients.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const { Kafka, logLevel, ConfigResourceTypes: KjsResourceTypes } = kafkajs;

let broker: RunningBroker;
let admin: Admin;
let kjs: KafkajsAdmin;

beforeAll(async () => {
  broker = await startBroker();
  admin = new Admin({ clientId: 'samsa-it-admin', bootstrapBrokers: [broker.bootstrap], retries: 2, timeout: 15_000 });
  kjs = new Kafka({
    clientId: 'samsa-it-kjs',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  }).admin();
  await kjs.connect();
});
afterAll(async () => {
  await admin?.close().catch(() => {});
  await kjs?.disconnect().catch(() => {});
  await broker?.dispose();
});

async function produce(topic: string, perPartition: number, partitions: number): Promise<void> {
  const producer = new Producer({
    clientId: 'samsa-it-admin-producer',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
    acks: -1,
    autocreateTopics: false,
    retries: 2,
    timeout: 15_000,
  });
  try {
    const messages = [];
    for (let p = 0; p < partitions; p++) {
      for (let i = 0; i < perPartition; i++) messages.push({ topic, partition: p, key: `k${i}`, value: `v${p}-${i}` });
    }
    await withTimeout(producer.send({ messages }), 30_000, 'producer.send');
  } finally {
    await producer.close();
  }
}

async function topicConfigs(
  topic: string,
  keys: string[],
): Promise<Record<string, { value: string | null; configSource: number }>> {
  const [desc] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: keys }],
  });
  return Object.fromEntries(
    desc!.configs.map((c) => [c.name, { value: c.value ?? null, configSource: c.configSource as number }]),
  );
}

describe('@platformatic/kafka admin', () => {
  it('creates partitions, and refuses a count that is no increase', async () => {
    const topic = uniqueTopic('pa-parts');
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await admin.createPartitions({ topics: [{ name: topic, count: 5 }] });
    expect((await admin.metadata({ topics: [topic] })).topics.get(topic)!.partitionsCount).toBe(5);
    await expect(admin.createPartitions({ topics: [{ name: topic, count: 3 }] })).rejects.toThrow();
    await produce(topic, 2, 5);
    const dirs = await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0, 4] }] });
    const parts = dirs[0]!.results[0]!.topics.find((t) => t.name === topic)!.partitions;
    expect(parts.map((p) => p.partitionIndex).sort()).toEqual([0, 4]);
    for (const p of parts) expect(Number(p.partitionSize)).toBeGreaterThan(0);
  });

  it('alters and describes configs (incrementalAlterConfigs, alterConfigs), with bad values refused', async () => {
    const topic = uniqueTopic('pa-cfg');
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [
            { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '3600000' },
            { name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.APPEND, value: 'compact' },
          ],
        },
      ],
    });
    let c = await topicConfigs(topic, ['retention.ms', 'cleanup.policy', 'segment.bytes']);
    expect(c['retention.ms']).toEqual({ value: '3600000', configSource: 1 });
    expect(c['cleanup.policy']).toEqual({ value: 'delete,compact', configSource: 1 });
    expect(c['segment.bytes']!.configSource).toBe(5);

    // alterConfigs replaces the whole set: retention.ms and cleanup.policy fall back.
    await admin.alterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [{ name: 'segment.bytes', value: '1048576' }],
        },
      ],
    });
    c = await topicConfigs(topic, ['retention.ms', 'cleanup.policy', 'segment.bytes']);
    expect(c['segment.bytes']).toEqual({ value: '1048576', configSource: 1 });
    expect(c['retention.ms']!.configSource).not.toBe(1);
    expect(c['cleanup.policy']).toMatchObject({ value: 'delete' });

    await expect(
      admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configs: [
              { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: 'abc' },
            ],
          },
        ],
      }),
    ).rejects.toThrow();
    expect((await topicConfigs(topic, ['retention.ms']))['retention.ms']!.configSource).not.toBe(1);

    // A dynamic broker config, described with its source.
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configs: [
            { name: 'log.retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '86400000' },
          ],
        },
      ],
    });
    const [b] = await admin.describeConfigs({
      resources: [
        { resourceType: ConfigResourceTypes.BROKER, resourceName: '1', configurationKeys: ['log.retention.ms'] },
      ],
    });
    expect(b!.configs[0]).toMatchObject({ name: 'log.retention.ms', value: '86400000', configSource: 2 });
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configs: [{ name: 'log.retention.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE }],
        },
      ],
    });
  });

  it('deletes records: the low watermark moves and earliest offsets follow', async () => {
    const topic = uniqueTopic('pa-del');
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await produce(topic, 10, 2);
    const res = await admin.deleteRecords({
      topics: [
        {
          name: topic,
          partitions: [
            { partition: 0, offset: 4n },
            { partition: 1, offset: -1n },
          ],
        },
      ],
    });
    const lw = Object.fromEntries(res[0]!.partitions.map((p) => [p.partition, p.lowWatermark]));
    expect(lw).toEqual({ 0: 4n, 1: 10n });
    const listed = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: [
            { partitionIndex: 0, timestamp: -2n },
            { partitionIndex: 1, timestamp: -2n },
          ],
        },
      ],
    });
    const earliest = Object.fromEntries(listed[0]!.partitions.map((p) => [p.partitionIndex, p.offset]));
    expect(earliest).toEqual({ 0: 4n, 1: 10n });
    await expect(
      admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 99n }] }] }),
    ).rejects.toThrow();
  });

  it('lists, describes and deletes groups; lists and alters their offsets', async () => {
    const topic = uniqueTopic('pa-grp');
    const group = uniqueTopic('pa-group');
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await produce(topic, 5, 2);
    await admin.alterConsumerGroupOffsets({
      groupId: group,
      topics: [
        {
          name: topic,
          partitionOffsets: [
            { partition: 0, offset: 3n },
            { partition: 1, offset: 5n },
          ],
        },
      ],
    });
    const offsets = await admin.listConsumerGroupOffsets({ groups: [group] });
    const committed = Object.fromEntries(
      offsets[0]!.topics.find((t) => t.name === topic)!.partitions.map((p) => [p.partitionIndex, p.committedOffset]),
    );
    expect(committed).toEqual({ 0: 3n, 1: 5n });

    await admin.alterConsumerGroupOffsets({
      groupId: group,
      topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 1n }] }],
    });
    const again = await admin.listConsumerGroupOffsets({
      groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: [0] }] }],
    });
    expect(again[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(1n);

    const groups = await admin.listGroups();
    expect(groups.has(group)).toBe(true);
    const described = await admin.describeGroups({ groups: [group] });
    expect(described.get(group)!.state).toBe('Empty');
    await admin.deleteGroups({ groups: [group] });
    expect((await admin.listGroups()).has(group)).toBe(false);
  });
});

describe('after SIGKILL', () => {
  it('deleted records, added partitions and altered configs stay as they were', async () => {
    const dataDir = makeTmpDir('samsa-it-admin-kill-');
    let b = await startBroker({ dataDir });
    let a = new Admin({
      clientId: 'samsa-it-admin-kill',
      bootstrapBrokers: [b.bootstrap],
      retries: 2,
      timeout: 15_000,
    });
    const topic = 'survivor';
    try {
      await a.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
      const producer = new Producer({
        clientId: 'samsa-it-kill-producer',
        bootstrapBrokers: [b.bootstrap],
        serializers: stringSerializers,
        acks: -1,
        autocreateTopics: false,
      });
      await producer.send({
        messages: Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, key: `k${i}`, value: `v${i}` })),
      });
      await producer.close();
      await a.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 7n }] }] });
      await a.createPartitions({ topics: [{ name: topic, count: 3 }] });
      await a.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configs: [
              { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '123456' },
            ],
          },
        ],
      });
      await a.close();
      await b.kill();
      b = await startBroker({ dataDir });
      a = new Admin({ clientId: 'samsa-it-admin-kill', bootstrapBrokers: [b.bootstrap], retries: 2, timeout: 15_000 });
      const listed = await a.listOffsets({
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
      });
      expect(listed[0]!.partitions[0]!.offset).toBe(7n);
      expect((await a.metadata({ topics: [topic] })).topics.get(topic)!.partitionsCount).toBe(3);
      const [d] = await a.describeConfigs({
        resources: [
          { resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['retention.ms'] },
        ],
      });
      expect(d!.configs[0]).toMatchObject({ value: '123456', configSource: 1 });
    } finally {
      await a.close().catch(() => {});
      await b.dispose();
      removeTmpDir(dataDir);
    }
  });
});

describe('kafkajs admin', () => {
  it('createPartitions, describeConfigs/alterConfigs, deleteTopicRecords, describeCluster', async () => {
    const topic = uniqueTopic('kjs-adm');
    await kjs.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await kjs.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
    const md = await kjs.fetchTopicMetadata({ topics: [topic] });
    expect(md.topics[0]!.partitions.length).toBe(3);

    await kjs.alterConfigs({
      validateOnly: false,
      resources: [
        { type: KjsResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '7200000' }] },
      ],
    });
    const desc = await kjs.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: KjsResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
    });
    expect(desc.resources[0]!.configEntries[0]).toMatchObject({
      configName: 'retention.ms',
      configValue: '7200000',
      isDefault: false,
    });
    await expect(
      kjs.alterConfigs({
        validateOnly: false,
        resources: [
          { type: KjsResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: 'abc' }] },
        ],
      }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });

    await produce(topic, 6, 1);
    await kjs.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
    const offs = await kjs.fetchTopicOffsets(topic);
    expect(offs.find((o) => o.partition === 0)).toMatchObject({ low: '4', high: '6' });

    const cluster = await kjs.describeCluster();
    expect(cluster.brokers).toEqual([{ nodeId: 1, host: broker.host, port: broker.port }]);
    expect(cluster.controller).toBe(1);
    expect(cluster.clusterId.length).toBeGreaterThan(0);
  });
});

describe('confluent-kafka Python admin', () => {
  it('create_partitions, alter_configs and describe_configs', async () => {
    const topic = uniqueTopic('ck-adm');
    const r = await runPython<Record<string, any>>('admin_ck.py', { bootstrap: broker.bootstrap, topic });
    expect(Object.values(r.create)).toEqual([null]);
    expect(Object.values(r.grow)).toEqual([null]);
    expect(Object.values(r.shrink)).toEqual([
      {
        name: 'INVALID_PARTITIONS',
        str: `The topic ${topic} currently has 4 partition(s); 3 would not be an increase.`,
      },
    ]);
    expect(r.partitions).toBe(4);
    expect(Object.values(r.alter)).toEqual([null]);
    expect(Object.values(r.alter_bad)).toEqual([
      { name: 'INVALID_CONFIG', str: 'Invalid value abc for configuration retention.ms: Not a number of type LONG' },
    ]);
    expect(r.described['retention.ms']).toEqual({ value: '3600000', source: 1, is_default: false });
    expect(r.described['cleanup.policy']).toEqual({ value: 'compact', source: 1, is_default: false });
    expect(r.described['segment.bytes']).toMatchObject({ value: '1073741824', source: 5 });
    expect(r.broker['auto.create.topics.enable']).toEqual({ value: 'true', read_only: true });
  });
});
