// Consumer groups (classic protocol) with real clients: kafkajs members sharing
// partitions across a rebalance, kcat's balanced consumer, a confluent-kafka
// consumer resuming at its committed offset after a broker restart, and an
// @platformatic/kafka group consumer.
import kafkajs from 'kafkajs';
import type { Consumer as KConsumer, Kafka as KafkaT } from 'kafkajs';
import { Consumer as PConsumer, stringDeserializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker, needsSamsa } from '../helpers/spawn-broker.ts';
import { runKcat, runPython, uniqueTopic, waitFor, withTimeout } from '../helpers/clients.ts';

const { Kafka, logLevel } = kafkajs;
const OVERRIDES = { 'group.initial.rebalance.delay.ms': 100, 'group.min.session.timeout.ms': 1000 };

let broker: RunningBroker;
let kafka: KafkaT;

beforeAll(async () => {
  broker = await startBroker({ overrides: OVERRIDES });
  kafka = new Kafka({
    clientId: 'samsa-groups',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
});
afterAll(async () => {
  await broker?.dispose();
});

async function createTopic(topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

async function produce(topic: string, partitions: number, from: number, to: number, k: KafkaT = kafka): Promise<void> {
  const p = k.producer();
  await p.connect();
  try {
    const messages = [];
    for (let i = from; i < to; i++) messages.push({ partition: i % partitions, key: `k${i}`, value: `v${i}` });
    await p.send({ topic, messages });
  } finally {
    await p.disconnect();
  }
}

describe.skipIf(needsSamsa('consumer group coordination'))('consumer groups with real clients', () => {
  it('kafkajs: three members share 12 partitions; one leaves; every record consumed exactly once', async () => {
    const topic = uniqueTopic('grp-kjs');
    const groupId = uniqueTopic('grp-kjs-g');
    await createTopic(topic, 12);
    const seen = new Map<string, number>();
    const assigned: Record<string, number[]> = {};
    const consumers = new Map<string, KConsumer>();
    const start = async (name: string) => {
      const c = kafka.consumer({
        groupId,
        sessionTimeout: 6000,
        heartbeatInterval: 300,
        rebalanceTimeout: 3000,
        maxWaitTimeInMs: 200,
      });
      c.on(c.events.GROUP_JOIN, (e) => {
        assigned[name] = (e.payload.memberAssignment[topic] ?? []) as number[];
      });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        autoCommitInterval: 100,
        eachMessage: async ({ partition, message }) => {
          const key = `${partition}:${message.offset}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        },
      });
      consumers.set(name, c);
      return c;
    };
    try {
      await Promise.all(['a', 'b', 'c'].map(start));
      await waitFor(
        () => Object.keys(assigned).length === 3 && Object.values(assigned).reduce((n, a) => n + a.length, 0) === 12,
        20_000,
        'three members assigned',
      );
      expect(Object.values(assigned).every((a) => a.length === 4)).toBe(true);
      await produce(topic, 12, 0, 600);
      await waitFor(() => seen.size >= 600, 20_000, 'first 600 records');
      // One member leaves (committing its offsets); the others take its partitions.
      const leaving = consumers.get('c')!;
      consumers.delete('c');
      await leaving.disconnect();
      await waitFor(
        () =>
          Object.entries(assigned)
            .filter(([n]) => n !== 'c')
            .reduce((s, [, a]) => s + a.length, 0) === 12,
        20_000,
        'rebalance to two members',
      );
      await produce(topic, 12, 600, 1200);
      await waitFor(() => seen.size >= 1200, 20_000, 'all 1200 records');
      await new Promise((r) => setTimeout(r, 300));
      expect(seen.size).toBe(1200);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    } finally {
      for (const c of consumers.values()) await c.disconnect().catch(() => {});
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = offsets[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
      expect(total).toBe(1200);
      const groups = await admin.describeGroups([groupId]);
      expect(groups.groups[0]!.state).toBe('Empty');
    } finally {
      await admin.disconnect();
    }
  }, 90_000);

  it('kcat -G: balanced consumer resumes from the group commit', async () => {
    const topic = uniqueTopic('grp-kcat');
    const group = uniqueTopic('grp-kcat-g');
    await createTopic(topic, 3);
    await produce(topic, 3, 0, 90);
    const args = [
      '-b',
      broker.bootstrap,
      '-G',
      group,
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'session.timeout.ms=6000',
      '-f',
      '%p:%o:%s\n',
      '-q',
    ];
    const first = await runKcat([...args, '-c', '90', topic], { timeoutMs: 30_000 });
    const lines1 = first.stdout.trim().split('\n');
    expect(new Set(lines1).size).toBe(90);
    await produce(topic, 3, 90, 120);
    const second = await runKcat([...args, '-c', '30', topic], { timeoutMs: 30_000 });
    const values = second.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(':')[2])
      .sort();
    expect(values).toEqual(Array.from({ length: 30 }, (_, i) => `v${90 + i}`).sort());
  }, 60_000);

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'confluent-kafka: commits, broker stopped with %s and restarted, consumer resumes at the committed offset',
    async (signal) => {
      const own = await startBroker({ overrides: OVERRIDES });
      try {
        const k = new Kafka({
          clientId: 'samsa-groups-ck',
          brokers: [own.bootstrap],
          logLevel: logLevel.NOTHING,
          retry: { retries: 5 },
        });
        const topic = uniqueTopic('grp-ck');
        const group = uniqueTopic('grp-ck-g');
        const admin = k.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
        await admin.disconnect();
        await produce(topic, 1, 0, 100, k);
        const r1 = await runPython<{ records: [number, number, string][] }>('groups_ck.py', {
          bootstrap: own.bootstrap,
          topic,
          group,
          count: 40,
        });
        expect(r1.records.map((r) => r[1])).toEqual(Array.from({ length: 40 }, (_, i) => i));
        if (signal === 'SIGKILL') {
          await own.kill(); // every commit was answered only after its write: none may be lost
        } else {
          const { code } = await own.stop();
          expect(code).toBe(0);
        }
        const again = await startBroker({ overrides: OVERRIDES, dataDir: own.dataDir, port: own.port });
        try {
          const r2 = await runPython<{ records: [number, number, string][] }>('groups_ck.py', {
            bootstrap: again.bootstrap,
            topic,
            group,
            count: 60,
          });
          expect(r2.records[0]![1]).toBe(40);
          expect(r2.records.map((r) => r[2])).toEqual(Array.from({ length: 60 }, (_, i) => `v${40 + i}`));
        } finally {
          await again.stop();
        }
      } finally {
        await own.dispose();
      }
    },
    90_000,
  );

  it('@platformatic/kafka: group consumer (classic protocol) reads everything', async () => {
    const topic = uniqueTopic('grp-pk');
    await createTopic(topic, 3);
    await produce(topic, 3, 0, 300);
    const consumer = new PConsumer({
      clientId: 'samsa-groups-pk',
      groupId: uniqueTopic('grp-pk-g'),
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
      maxWaitTime: 200,
      timeout: 15_000,
      retries: 2,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
    });
    const values = new Set<string>();
    try {
      const stream = await withTimeout(consumer.consume({ topics: [topic], mode: 'earliest' }), 30_000, 'consume');
      await withTimeout(
        (async () => {
          for await (const m of stream) {
            values.add(m.value as string);
            if (values.size >= 300) break;
          }
        })(),
        30_000,
        'reading 300 records',
      );
      await stream.close().catch(() => {});
    } finally {
      await consumer.close(true).catch(() => {});
    }
    expect(values.size).toBe(300);
  }, 60_000);
});
