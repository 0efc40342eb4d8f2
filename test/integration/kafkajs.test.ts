// kafkajs against a real broker process: admin metadata/create/delete, produce with every
// codec (snappy/lz4/zstd codecs registered from npm packages and node:zlib), consume back
// intact through a consumer group, fetchTopicOffsetsByTimestamp.
import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaT } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caps, lacks, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import {
  keyOf,
  PartitionDigest,
  partitionOf,
  runPython,
  uniqueTopic,
  valueOf,
  waitFor,
  withTimeout,
} from '../helpers/clients.ts';
import { KAFKAJS_COMPRESSION, registerKafkajsCodecs } from '../helpers/kafkajs-codecs.ts';
import {
  CODEC_PLAN,
  expectAllRecords,
  expectedOffsetForTime,
  PARTITIONS,
  TIME_PROBES,
  timestampBase,
} from './scenario.ts';

const { Kafka, logLevel } = kafkajs;
registerKafkajsCodecs();

let broker: RunningBroker;
let kafka: KafkaT;
let admin: Admin;

beforeAll(async () => {
  broker = await startBroker();
  kafka = new Kafka({
    clientId: 'samsa-it',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
  admin = kafka.admin();
  await withTimeout(admin.connect(), 15_000, 'admin.connect');
});
afterAll(async () => {
  await admin?.disconnect().catch(() => {});
  await broker?.dispose();
});

async function makeTopic(topic: string): Promise<void> {
  if (caps.createTopics) {
    const ok = await withTimeout(
      admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
      20_000,
      'createTopics',
    );
    expect(ok).toBe(true);
  } else {
    await runPython('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic }); // auto-create
  }
}

describe('kafkajs', () => {
  it('lists brokers, topics, partitions and leaders', async () => {
    const topic = uniqueTopic('kjs-md');
    await makeTopic(topic);
    const cluster = await withTimeout(admin.describeCluster(), 15_000, 'describeCluster');
    expect(cluster.brokers).toEqual([{ nodeId: cluster.brokers[0]!.nodeId, host: broker.host, port: broker.port }]);
    expect(await admin.listTopics()).toContain(topic);
    const md = await withTimeout(admin.fetchTopicMetadata({ topics: [topic] }), 15_000, 'fetchTopicMetadata');
    const parts = md.topics[0]!.partitions;
    expect(parts.map((p) => p.partitionId).sort((a, b) => a - b)).toEqual([...Array(PARTITIONS).keys()]);
    for (const p of parts) {
      expect(p.partitionErrorCode).toBe(0);
      expect(p.leader).toBe(cluster.brokers[0]!.nodeId);
      expect(p.replicas).toEqual([cluster.brokers[0]!.nodeId]);
    }
  });

  it.skipIf(lacks('createTopics') ?? lacks('deleteTopics'))('creates and deletes topics', async () => {
    const a = uniqueTopic('kjs-adm');
    expect(await admin.createTopics({ topics: [{ topic: a, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: a, numPartitions: 3 }] })).toBe(false); // already exists
    const md = await admin.fetchTopicMetadata({ topics: [a] });
    expect(md.topics[0]!.partitions.length).toBe(3);
    await admin.deleteTopics({ topics: [a], timeout: 10_000 });
    await waitFor(async () => !(await admin.listTopics()).includes(a), 10_000, 'topic gone from listTopics');
    await expect(admin.deleteTopics({ topics: [a], timeout: 5_000 })).rejects.toThrow();
  });

  for (const { codec, count } of CODEC_PLAN) {
    it(`produces ${count} keyed records with ${codec} and consumes them back intact`, async () => {
      const topic = uniqueTopic(`kjs-${codec}`);
      await makeTopic(topic);
      const base = timestampBase();
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await withTimeout(producer.connect(), 15_000, 'producer.connect');
      try {
        // Per partition in order, in sends of 5k records (one batch per partition each).
        const CHUNK = 5_000;
        for (let s = 0; s < count; s += CHUNK) {
          const messages = [];
          for (let i = s; i < Math.min(count, s + CHUNK); i++) {
            messages.push({
              key: keyOf(i),
              value: valueOf(i),
              partition: partitionOf(i, PARTITIONS),
              timestamp: String(base + i),
            });
          }
          await withTimeout(
            producer.send({ topic, messages, acks: -1, compression: KAFKAJS_COMPRESSION[codec] }),
            30_000,
            'producer.send',
          );
        }
      } finally {
        await producer.disconnect();
      }

      const digests = Array.from({ length: PARTITIONS }, () => new PartitionDigest());
      const lastOffset = Array.from({ length: PARTITIONS }, () => -1);
      let dense = true;
      let total = 0;
      const consumer = kafka.consumer({
        groupId: uniqueTopic('kjs-group'),
        maxBytesPerPartition: 4 << 20,
        retry: { retries: 2 },
      });
      let crash: unknown;
      consumer.on(consumer.events.CRASH, (e) => {
        crash = e.payload.error;
      });
      await withTimeout(consumer.connect(), 15_000, 'consumer.connect');
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const o = Number(m.offset);
              if (o !== lastOffset[batch.partition]! + 1) dense = false;
              lastOffset[batch.partition] = o;
              digests[batch.partition]!.add(m.key ?? Buffer.alloc(0), m.value ?? Buffer.alloc(0));
              total++;
            }
          },
        });
        // Fail fast when the consumer crashed or made no progress for 30 s.
        let last = -1,
          lastChange = Date.now();
        const deadline = Date.now() + 120_000;
        while (total < count) {
          if (crash) throw new Error(`consumer crashed at ${total} records: ${String(crash)}`);
          if (total !== last) {
            last = total;
            lastChange = Date.now();
          }
          if (Date.now() - lastChange > 30_000 || Date.now() > deadline)
            throw new Error(`consumer stalled at ${total} of ${count} records`);
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 500)); // anything extra (duplicates) would arrive now
      } finally {
        await consumer.disconnect();
      }
      expect(total).toBe(count);
      expect(dense, 'offsets start at 0 and are dense per partition').toBe(true);
      const got: Record<string, { count: number; digest: string }> = {};
      digests.forEach((d, p) => {
        got[String(p)] = { count: d.count, digest: d.hex() };
      });
      expectAllRecords(got, count);

      if (codec !== 'none') return;
      if (!caps.listOffsetsByTime) {
        console.log('[skip] fetchTopicOffsetsByTimestamp: target lacks listOffsetsByTime');
        return;
      }
      for (const j of TIME_PROBES) {
        const offs = await withTimeout(
          admin.fetchTopicOffsetsByTimestamp(topic, base + j),
          15_000,
          'fetchTopicOffsetsByTimestamp',
        );
        for (const { partition, offset } of offs) {
          // kafkajs substitutes the high watermark when the broker answers -1.
          const exp = expectedOffsetForTime(j, partition, count);
          expect(Number(offset), `ts base+${j} partition ${partition}`).toBe(exp === -1 ? count / PARTITIONS : exp);
        }
      }
    }, 180_000);
  }
});
