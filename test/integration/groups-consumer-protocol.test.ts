// The consumer group protocol (KIP-848) with a real client: @platformatic/kafka
// consumers with `groupProtocol: 'consumer'` (ConsumerGroupHeartbeat, server-side
// assignment, OffsetCommit/OffsetFetch with member epochs) against a broker process.
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { MessagesStream } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker, needsSamsa } from '../helpers/spawn-broker.ts';
import { uniqueTopic, waitFor, withTimeout } from '../helpers/clients.ts';

const OVERRIDES = {
  'group.consumer.heartbeat.interval.ms': 300,
  'offsets.topic.num.partitions': 3,
};

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ overrides: OVERRIDES });
});
afterAll(async () => {
  await broker?.dispose();
});

async function createTopic(topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'samsa-cgp', bootstrapBrokers: [broker.bootstrap], retries: 2, timeout: 15_000 });
  try {
    await withTimeout(admin.createTopics({ topics: [topic], partitions, replicas: 1 }), 15_000, 'createTopics');
  } finally {
    await admin.close().catch(() => {});
  }
}

async function produce(topic: string, partitions: number, from: number, to: number): Promise<void> {
  const p = new Producer({
    clientId: 'samsa-cgp-p',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
    retries: 2,
    timeout: 15_000,
  });
  try {
    const messages = [];
    for (let i = from; i < to; i++) messages.push({ topic, partition: i % partitions, key: `k${i}`, value: `v${i}` });
    await withTimeout(p.send({ messages }), 15_000, 'produce');
  } finally {
    await p.close().catch(() => {});
  }
}

interface Member {
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
  seen: string[];
  done: Promise<void>;
}

/** A KIP-848 consumer that records every value it reads and commits each one before reading on. */
async function member(groupId: string, topic: string, bootstrap: string, assignor?: string): Promise<Member> {
  const consumer = new Consumer({
    clientId: 'samsa-cgp-c',
    groupId,
    bootstrapBrokers: [bootstrap],
    groupProtocol: 'consumer',
    ...(assignor ? { groupRemoteAssignor: assignor } : {}),
    deserializers: stringDeserializers,
    maxWaitTime: 200,
    timeout: 10_000,
    retries: 3,
    autocommit: false,
  });
  const stream = await withTimeout(
    consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest' }),
    20_000,
    'consume',
  );
  const seen: string[] = [];
  const done = (async () => {
    try {
      for await (const m of stream) {
        seen.push(m.value as string);
        await m.commit();
      }
    } catch {
      /* closed */
    }
  })();
  return { consumer, stream, seen, done };
}

async function closeMember(m: Member): Promise<void> {
  await m.stream.close().catch(() => {});
  await m.done;
  await m.consumer.close(true).catch(() => {});
}

function assigned(m: Member): number {
  return (m.consumer.assignments ?? []).reduce((n, a) => n + a.partitions.length, 0);
}

describe.skipIf(needsSamsa('the KIP-848 consumer group protocol'))(
  'consumer group protocol (KIP-848) with @platformatic/kafka',
  () => {
    it('three members share the partitions, each record is read once; one leaves and the others take over', async () => {
      const topic = uniqueTopic('cgp');
      const groupId = uniqueTopic('cgp-g');
      await createTopic(topic, 6);
      const members: Member[] = [];
      try {
        for (let i = 0; i < 3; i++) members.push(await member(groupId, topic, broker.bootstrap));
        // Reconciled: every member owns two partitions (uniform assignor).
        await waitFor(() => members.every((m) => assigned(m) === 2), 20_000, 'balanced assignment');
        const owned = members.flatMap((m) =>
          (m.consumer.assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)),
        );
        expect(new Set(owned).size).toBe(6);

        await produce(topic, 6, 0, 600);
        await waitFor(() => members.reduce((n, m) => n + m.seen.length, 0) >= 600, 30_000, '600 records');
        const first = members.flatMap((m) => m.seen);
        expect(first.length).toBe(600);
        expect(new Set(first).size).toBe(600);
        for (const m of members) expect(m.seen.length).toBe(200);

        // One member leaves (epoch -1); the two others get its partitions.
        const gone = members.pop()!;
        await closeMember(gone);
        await waitFor(() => members.every((m) => assigned(m) === 3), 20_000, 'reassignment after leave');
        await produce(topic, 6, 600, 900);
        await waitFor(
          () => members.reduce((n, m) => n + m.seen.length, 0) + gone.seen.length >= 900,
          30_000,
          '900 records',
        );
        const all = [...members.flatMap((m) => m.seen), ...gone.seen];
        expect(all.length).toBe(900);
        expect(new Set(all).size).toBe(900);
      } finally {
        for (const m of members) await closeMember(m);
      }
    }, 90_000);
  },
);
