// @platformatic/kafka against a real broker process: admin metadata/create/delete, produce
// with every codec (it ships all of them), consume back intact through a consumer group.
import { Admin, Consumer, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caps, lacks, startBroker, TARGET, type RunningBroker } from '../helpers/spawn-broker.ts';
import {
  keyOf,
  PartitionDigest,
  partitionOf,
  runPython,
  uniqueTopic,
  valueOf,
  withTimeout,
} from '../helpers/clients.ts';
import { CODEC_PLAN, expectAllRecords, PARTITIONS, timestampBase } from './scenario.ts';

let broker: RunningBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startBroker();
  admin = new Admin({ clientId: 'samsa-it', bootstrapBrokers: [broker.bootstrap], retries: 2, timeout: 15_000 });
});
afterAll(async () => {
  await admin?.close().catch(() => {});
  await broker?.dispose();
});

async function makeTopic(topic: string, partitions = PARTITIONS): Promise<void> {
  if (caps.createTopics) {
    const created = await withTimeout(
      admin.createTopics({ topics: [topic], partitions, replicas: 1 }),
      20_000,
      'createTopics',
    );
    expect(created.map((t) => t.name)).toEqual([topic]);
  } else {
    await runPython('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic }); // auto-create
  }
}

describe('@platformatic/kafka', () => {
  it('lists brokers, topics, partitions and leaders', async () => {
    const topic = uniqueTopic('pk-md');
    await makeTopic(topic);
    const md = await withTimeout(admin.metadata({ topics: [topic] }), 15_000, 'metadata');
    const brokers = [...md.brokers.entries()];
    expect(brokers.length).toBe(1);
    const [id, b] = brokers[0]!;
    expect({ host: b.host, port: b.port }).toEqual({ host: broker.host, port: broker.port });
    const t = md.topics.get(topic);
    expect(t, `topic ${topic}`).toBeDefined();
    expect(t!.partitionsCount).toBe(PARTITIONS);
    for (const p of t!.partitions) {
      expect(p.leader).toBe(id);
      expect(p.replicas).toEqual([id]);
      expect(p.isr).toEqual([id]);
    }
    expect(await admin.listTopics()).toContain(topic);
  });

  it.skipIf(lacks('createTopics') ?? lacks('deleteTopics'))('creates and deletes topics', async () => {
    const a = uniqueTopic('pk-adm');
    await makeTopic(a, 3);
    await expect(admin.createTopics({ topics: [a], partitions: 3, replicas: 1 })).rejects.toThrow();
    expect((await admin.metadata({ topics: [a] })).topics.get(a)!.partitionsCount).toBe(3);
    await withTimeout(admin.deleteTopics({ topics: [a] }), 15_000, 'deleteTopics');
    expect(await admin.listTopics()).not.toContain(a);
    await expect(admin.deleteTopics({ topics: [a] })).rejects.toThrow();
  });

  for (const { codec, count } of CODEC_PLAN) {
    it(`produces ${count} keyed records with ${codec} and consumes them back intact`, async () => {
      const topic = uniqueTopic(`pk-${codec}`);
      await makeTopic(topic);
      const base = timestampBase();
      const producer = new Producer({
        clientId: 'samsa-it-producer',
        bootstrapBrokers: [broker.bootstrap],
        serializers: stringSerializers,
        compression: codec,
        acks: -1,
        autocreateTopics: false,
        retries: 2,
        timeout: 15_000,
      });
      try {
        const CHUNK = 5_000;
        for (let s = 0; s < count; s += CHUNK) {
          const messages = [];
          for (let i = s; i < Math.min(count, s + CHUNK); i++) {
            messages.push({
              topic,
              key: keyOf(i),
              value: valueOf(i),
              partition: partitionOf(i, PARTITIONS),
              timestamp: BigInt(base + i),
            });
          }
          await withTimeout(producer.send({ messages }), 30_000, 'producer.send');
        }
      } finally {
        await producer.close();
      }

      if (TARGET === 'reference') {
        // The reference broker (librdkafka's mock) answers the consumer's ListOffsets v5 with
        // UNKNOWN_SERVER_ERROR, so there the records are checked with librdkafka instead.
        console.log(
          '[skip] platformatic consumer: reference broker fails its ListOffsets v5; checking with confluent-kafka',
        );
        const cons = await runPython<{ partitions: Record<string, { count: number; digest: string }> }>(
          'ck.py',
          { cmd: 'consume', bootstrap: broker.bootstrap, topic, partitions: PARTITIONS, expected: count },
          90_000,
        );
        expectAllRecords(cons.partitions, count);
        return;
      }
      const digests = Array.from({ length: PARTITIONS }, () => new PartitionDigest());
      const lastOffset = Array.from({ length: PARTITIONS }, () => -1n);
      let dense = true;
      let total = 0;
      const consumer = new Consumer({
        clientId: 'samsa-it-consumer',
        groupId: uniqueTopic('pk-group'),
        bootstrapBrokers: [broker.bootstrap],
        autocommit: false,
        maxWaitTime: 500,
        timeout: 15_000,
        retries: 2,
      });
      try {
        const stream = await withTimeout(consumer.consume({ topics: [topic], mode: 'earliest' }), 30_000, 'consume');
        const reading = (async () => {
          for await (const m of stream) {
            if (m.offset !== lastOffset[m.partition]! + 1n) dense = false;
            lastOffset[m.partition] = m.offset;
            digests[m.partition]!.add(m.key ?? Buffer.alloc(0), m.value ?? Buffer.alloc(0));
            if (++total >= count) break;
          }
        })();
        await withTimeout(reading, 90_000, `consuming ${count} records`).catch((e: unknown) => {
          throw new Error(`${String(e)} (got ${total})`);
        });
        await stream.close().catch(() => {});
      } finally {
        await consumer.close(true).catch(() => {});
      }
      expect(total).toBe(count);
      expect(dense, 'offsets start at 0 and are dense per partition').toBe(true);
      const got: Record<string, { count: number; digest: string }> = {};
      digests.forEach((d, p) => {
        got[String(p)] = { count: d.count, digest: d.hex() };
      });
      expectAllRecords(got, count);
    }, 180_000);
  }
});
