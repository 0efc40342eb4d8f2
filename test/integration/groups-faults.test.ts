// Consumer groups across broker restarts and crashes, with real clients:
//   - kafka-python group consumer (classic protocol) commits, leaves, and a
//     second run resumes exactly after its commits;
//   - @platformatic/kafka KIP-848 consumers commit, the broker stops (SIGTERM)
//     and starts on the same data dir, the group resumes from its commits;
//   - SIGKILL of the broker while kafkajs consumers join (a rebalance) and
//     commit: after the restart the coordinator replays `__consumer_offsets`,
//     no acknowledged commit is lost, and the consumers finish reading every
//     record exactly once relative to the committed offsets.
import kafkajs from 'kafkajs';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import type { MessagesStream } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker, needsSamsa } from '../helpers/spawn-broker.ts';
import { runPython, uniqueTopic, waitFor, withTimeout } from '../helpers/clients.ts';
import { KafkaClient } from '../helpers/kafka-client.ts';
import { G } from '../helpers/group-harness.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';

const { Kafka, logLevel } = kafkajs;
const OVERRIDES = {
  'group.initial.rebalance.delay.ms': 100,
  'group.min.session.timeout.ms': 1000,
  'group.consumer.heartbeat.interval.ms': 300,
  'offsets.topic.num.partitions': 3,
};

const brokers: RunningBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.dispose().catch(() => {});
});

async function start(dataDir?: string, port?: number): Promise<RunningBroker> {
  const b = await startBroker({ overrides: OVERRIDES, dataDir, port });
  brokers.push(b);
  return b;
}

function kafkaFor(b: RunningBroker) {
  return new Kafka({
    clientId: 'samsa-faults',
    brokers: [b.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

async function createAndFill(b: RunningBroker, topic: string, partitions: number, count: number): Promise<void> {
  const k = kafkaFor(b);
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const p = k.producer();
  await p.connect();
  const messages = [];
  for (let i = 0; i < count; i++) messages.push({ partition: i % partitions, key: `k${i}`, value: `v${i}` });
  await p.send({ topic, messages });
  await p.disconnect();
}

/** Committed offsets of a group over the protocol (OffsetFetch v8, every partition). */
async function committed(b: RunningBroker, group: string, topic: string, partitions: number): Promise<number[]> {
  const c = await KafkaClient.connect(b.port);
  try {
    // Right after a restart the coordinator may still be replaying __consumer_offsets.
    for (let attempt = 0; ; attempt++) {
      const r = await c.send(G.OffsetFetch, 8, {
        groupId: '',
        topics: null,
        requireStable: false,
        groups: [
          {
            groupId: group,
            topics: [{ name: topic, partitionIndexes: Array.from({ length: partitions }, (_, i) => i) }],
          },
        ],
      });
      if (r.groups[0]!.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && attempt < 100) {
        await new Promise((res) => setTimeout(res, 50));
        continue;
      }
      expect(r.groups[0]!.errorCode).toBe(0);
      return r.groups[0]!.topics[0]!.partitions.map((p) => p.committedOffset);
    }
  } finally {
    c.close();
  }
}

describe.skipIf(needsSamsa('group coordination with persistence across restarts'))(
  'consumer groups across restarts and crashes',
  () => {
    it('kafka-python group consumer commits and a second run resumes after its commits', async () => {
      const b = await start();
      const topic = uniqueTopic('kpg');
      const group = uniqueTopic('kpg-g');
      await createAndFill(b, topic, 3, 300);
      const first = await runPython<{ values: string[] }>(
        'kp_group.py',
        { bootstrap: b.bootstrap, topic, group, max: 120, timeout_s: 40 },
        60_000,
      );
      expect(first.values).toHaveLength(120);
      expect((await committed(b, group, topic, 3)).reduce((a, x) => a + Math.max(0, x), 0)).toBe(120);
      const second = await runPython<{ values: string[] }>(
        'kp_group.py',
        { bootstrap: b.bootstrap, topic, group, max: 180, timeout_s: 40 },
        60_000,
      );
      const all = [...first.values, ...second.values];
      expect(all).toHaveLength(300);
      expect(new Set(all).size).toBe(300);
    }, 120_000);

    it('KIP-848 consumers (@platformatic/kafka) resume from their commits after a broker restart', async () => {
      const b = await start();
      const topic = uniqueTopic('cgp-rs');
      const group = uniqueTopic('cgp-rs-g');
      await createAndFill(b, topic, 4, 400);
      const read = async (bootstrap: string, until: (seen: string[]) => boolean) => {
        const consumer = new Consumer({
          clientId: 'samsa-cgp-rs',
          groupId: group,
          bootstrapBrokers: [bootstrap],
          groupProtocol: 'consumer',
          deserializers: stringDeserializers,
          maxWaitTime: 200,
          timeout: 10_000,
          retries: 3,
          autocommit: false,
        });
        const seen: string[] = [];
        let stream: MessagesStream<string, string, string, string> | undefined;
        try {
          stream = await withTimeout(
            consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest' }),
            20_000,
            'consume',
          );
          await withTimeout(
            (async () => {
              for await (const m of stream!) {
                seen.push(m.value as string);
                await m.commit();
                if (until(seen)) break;
              }
            })(),
            30_000,
            'reading',
          );
        } finally {
          await stream?.close().catch(() => {});
          await consumer.close(true).catch(() => {});
        }
        return seen;
      };
      const first = await read(b.bootstrap, (s) => s.length >= 150);
      expect(first.length).toBe(150);
      const dataDir = b.dataDir;
      const port = b.port;
      await b.stop();
      const b2 = await start(dataDir, port);
      const before = await committed(b2, group, topic, 4);
      expect(before.reduce((a, x) => a + Math.max(0, x), 0)).toBe(150);
      const second = await read(b2.bootstrap, (s) => s.length >= 250);
      const all = [...first, ...second];
      expect(all).toHaveLength(400);
      expect(new Set(all).size).toBe(400);
    }, 120_000);

    it('SIGKILL during a rebalance and during commits: acknowledged commits survive, consumers finish exactly once from them', async () => {
      const b = await start();
      const topic = uniqueTopic('kill-grp');
      const group = uniqueTopic('kill-grp-g');
      const PARTS = 6;
      const TOTAL = 1200;
      await createAndFill(b, topic, PARTS, TOTAL);

      // Phase 1: three kafkajs consumers join one after the other (rebalances) and commit every message.
      const acked = new Map<number, number>(); // partition → highest offset+1 whose commit was acknowledged
      const seenBeforeKill: { partition: number; offset: number }[] = [];
      const k1 = kafkaFor(b);
      const consumers = [0, 1, 2].map(() =>
        k1.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 300 }),
      );
      let killed = false;
      for (const [i, c] of consumers.entries()) {
        await c.connect();
        await c.subscribe({ topic, fromBeginning: true });
        void c
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              if (killed) throw new Error('broker gone');
              seenBeforeKill.push({ partition, offset: Number(message.offset) });
              const next = Number(message.offset) + 1;
              await c.commitOffsets([{ topic, partition, offset: String(next) }]);
              if (!killed) acked.set(partition, Math.max(acked.get(partition) ?? 0, next));
              await new Promise((r) => setTimeout(r, 2)); // keep the run going while members join
            },
          })
          .catch(() => {});
        if (i < 2)
          await waitFor(() => seenBeforeKill.length > 50 * (i + 1), 20_000, `consumption before member ${i + 2} joins`);
      }
      // Kill while the third member's join is rebalancing the group and commits are in flight.
      await new Promise((r) => setTimeout(r, 150));
      const snapshot = new Map(acked);
      killed = true;
      await b.kill();
      for (const c of consumers) c.disconnect().catch(() => {});
      expect([...snapshot.values()].reduce((a, x) => a + x, 0)).toBeGreaterThan(0);

      // Restart on the same data dir: every acknowledged commit is there.
      const b2 = await start(b.dataDir, b.port);
      const after = await committed(b2, group, topic, PARTS);
      for (const [p, off] of snapshot) expect(after[p]!, `partition ${p}`).toBeGreaterThanOrEqual(off);

      // Phase 2: consumers rejoin and read from the committed offsets to the end, each record once.
      const k2 = kafkaFor(b2);
      const rest: string[] = [];
      const again = [0, 1].map(() => k2.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 300 }));
      try {
        for (const c of again) {
          await c.connect();
          await c.subscribe({ topic, fromBeginning: true });
          void c.run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              rest.push(`${partition}:${message.offset}`);
              await c.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
            },
          });
        }
        const expected = TOTAL - after.reduce((a, x) => a + Math.max(0, x), 0);
        await waitFor(() => rest.length >= expected, 40_000, `${expected} remaining records`);
        await new Promise((r) => setTimeout(r, 500));
        expect(rest).toHaveLength(expected);
        expect(new Set(rest).size).toBe(expected);
        for (const r of rest) {
          const [p, o] = r.split(':').map(Number) as [number, number];
          expect(o).toBeGreaterThanOrEqual(after[p]!);
        }
      } finally {
        for (const c of again) await c.disconnect().catch(() => {});
      }
      expect(await committed(b2, group, topic, PARTS)).toEqual(Array(PARTS).fill(TOTAL / PARTS));
    }, 150_000);
  },
);
