// Topic auto-creation: a metadata request or a produce for an unknown topic creates it with
// num.partitions; with auto.create.topics.enable=false the client gets UNKNOWN_TOPIC_OR_PARTITION.
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caps, lacks, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { runPython, uniqueTopic, withTimeout } from '../helpers/clients.ts';

const { Kafka, logLevel } = kafkajs;
const NUM_PARTITIONS = 3;
const expectedPartitions = caps.autoCreatePartitions(NUM_PARTITIONS);

interface CkMetadata {
  topics: Record<string, { error: number; partitions: Record<string, { leader: number }> }>;
}

describe('auto-create on', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': NUM_PARTITIONS, 'auto.create.topics.enable': true } });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('a librdkafka metadata request for a new topic creates it with num.partitions', async () => {
    const topic = uniqueTopic('ac-md');
    const md = await runPython<CkMetadata>('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic });
    // The first answer is UNKNOWN_TOPIC_OR_PARTITION (3) while the topic is being created, as
    // on Kafka 4 (or already the topic, if librdkafka asked again); ask again.
    const again = await runPython<CkMetadata>('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap });
    expect([0, 3]).toContain(md.topics[topic]?.error);
    expect(again.topics[topic]?.error).toBe(0);
    expect(Object.keys(again.topics[topic]!.partitions).length).toBe(expectedPartitions);
  });

  it('kafkajs producing to a new topic creates it, and the record can be read back', async () => {
    const topic = uniqueTopic('ac-kjs');
    const kafka = new Kafka({
      clientId: 'samsa-it',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 5 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await withTimeout(producer.connect(), 15_000, 'connect');
    try {
      const res = await withTimeout(
        producer.send({ topic, messages: [{ key: 'key-0', value: 'value-0', partition: 0 }] }),
        30_000,
        'send',
      );
      expect(res[0]!.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
    const md = await runPython<CkMetadata>('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic });
    expect(Object.keys(md.topics[topic]!.partitions).length).toBe(expectedPartitions);
    const cons = await runPython<{ total: number; partitions: Record<string, { count: number }> }>('ck.py', {
      cmd: 'consume',
      bootstrap: broker.bootstrap,
      topic,
      partitions: expectedPartitions,
      expected: 1,
      timeout_s: 30,
    });
    expect(cons.total).toBe(1);
    expect(cons.partitions['0']!.count).toBe(1);
  });

  it('kafka-python producing to a new topic creates it', async () => {
    const topic = uniqueTopic('ac-kp');
    const prod = await runPython<{ acked: number; errors: unknown[] }>('kp.py', {
      cmd: 'produce',
      bootstrap: broker.bootstrap,
      topic,
      count: 10,
      partitions: 1,
    });
    expect(prod).toEqual({ acked: 10, errors: [] });
    const md = await runPython<CkMetadata>('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic });
    expect(Object.keys(md.topics[topic]!.partitions).length).toBe(expectedPartitions);
  });
});

describe.skipIf(lacks('autoCreateOff'))('auto-create off', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'auto.create.topics.enable': false } });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('metadata for an unknown topic answers UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    const topic = uniqueTopic('noac-md');
    const md = await runPython<CkMetadata>('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic });
    expect(md.topics[topic]?.error).toBe(3);
    const all = await runPython<CkMetadata>('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap });
    expect(all.topics[topic]).toBeUndefined();
  });

  it('kafkajs producing to an unknown topic fails with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const topic = uniqueTopic('noac-kjs');
    const kafka = new Kafka({
      clientId: 'samsa-it',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await withTimeout(producer.connect(), 15_000, 'connect');
    try {
      const err = await withTimeout(
        producer.send({ topic, messages: [{ value: 'x' }] }).then(
          () => null,
          (e: unknown) => e,
        ),
        30_000,
        'send',
      );
      expect(err, 'send must fail').not.toBeNull();
      const e = err as { type?: string; name?: string; originalError?: { type?: string }; message?: string };
      // kafkajs reports the error by type, or (after its retries) by the protocol error's text.
      expect(JSON.stringify([e.type, e.originalError?.type, e.message])).toMatch(
        /UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/,
      );
    } finally {
      await producer.disconnect();
    }
  });
});
