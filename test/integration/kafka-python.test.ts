// kafka-python (pure Python client) against a real broker process: metadata, admin
// create/delete, produce with every codec, consume back intact, offsets_for_times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caps, lacks, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { runPython, uniqueTopic } from '../helpers/clients.ts';
import {
  CODEC_PLAN,
  expectAllRecords,
  expectedOffsetForTime,
  PARTITIONS,
  TIME_PROBES,
  timestampBase,
} from './scenario.ts';

type Summary = Record<string, { count: number; digest: string }>;
interface Metadata {
  brokers: Array<{ id: number; host: string; port: number }>;
  topics: Record<string, { partitions: Record<string, { leader: number }> }>;
}
interface AdminResult {
  results?: Record<string, { code: number }>;
  error?: string;
  str?: string;
}

let broker: RunningBroker;
const kp = <T>(cmd: string, args: Record<string, unknown>, timeoutMs = 120_000) =>
  runPython<T>('kp.py', { cmd, bootstrap: broker.bootstrap, ...args }, timeoutMs);

async function makeTopic(topic: string): Promise<void> {
  if (caps.createTopics) {
    const r = await kp<AdminResult>('create_topics', { topics: [topic], partitions: PARTITIONS });
    expect(r).toEqual({ results: { [topic]: { code: 0 } } });
  } else {
    await runPython('ck.py', { cmd: 'metadata', bootstrap: broker.bootstrap, topic }); // auto-create
  }
}

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.dispose();
});

describe('kafka-python', () => {
  it('lists brokers, topics, partitions and leaders', async () => {
    const topic = uniqueTopic('kp-md');
    await makeTopic(topic);
    const md = await kp<Metadata>('metadata', {});
    expect(md.brokers).toEqual([{ id: md.brokers[0]!.id, host: broker.host, port: broker.port }]);
    const t = md.topics[topic];
    expect(t, `topic ${topic} listed`).toBeDefined();
    expect(
      Object.keys(t!.partitions)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...Array(PARTITIONS).keys()]);
    for (const p of Object.values(t!.partitions)) expect(p.leader).toBe(md.brokers[0]!.id);
  });

  it.skipIf(lacks('createTopics') ?? lacks('deleteTopics'))(
    'creates and deletes topics with KafkaAdminClient',
    async () => {
      const a = uniqueTopic('kp-adm-a');
      expect(await kp<AdminResult>('create_topics', { topics: [a], partitions: 2 })).toEqual({
        results: { [a]: { code: 0 } },
      });
      // kafka-python 2.0.2 raises on a topic error: TOPIC_ALREADY_EXISTS (36)
      expect(await kp<AdminResult>('create_topics', { topics: [a], partitions: 2 })).toMatchObject({
        error: 'TopicAlreadyExistsError',
      });
      let md = await kp<Metadata>('metadata', {});
      expect(Object.keys(md.topics[a]!.partitions).length).toBe(2);
      expect(await kp<AdminResult>('delete_topics', { topics: [a] })).toEqual({ results: { [a]: { code: 0 } } });
      md = await kp<Metadata>('metadata', {});
      expect(md.topics[a]).toBeUndefined();
      expect(await kp<AdminResult>('delete_topics', { topics: [a] })).toMatchObject({
        error: 'UnknownTopicOrPartitionError',
      }); // 3
    },
  );

  for (const { codec, count } of CODEC_PLAN) {
    it(`produces ${count} keyed records with ${codec} and consumes them back intact`, async () => {
      const topic = uniqueTopic(`kp-${codec}`);
      await makeTopic(topic);
      const base = timestampBase();
      const prod = await kp<{ acked: number; errors: unknown[] }>('produce', {
        topic,
        count,
        partitions: PARTITIONS,
        codec,
        timestamp_base: base,
      });
      expect(prod.errors).toEqual([]);
      expect(prod.acked).toBe(count);
      const cons = await kp<{ partitions: Summary; total: number }>('consume', {
        topic,
        partitions: PARTITIONS,
        expected: count,
      });
      expect(cons.total).toBe(count);
      expectAllRecords(cons.partitions, count);

      if (codec !== 'none') return;
      if (!caps.listOffsetsByTime) {
        console.log('[skip] offsets_for_times: target lacks listOffsetsByTime');
        return;
      }
      const r = await kp<{ offsets: Record<string, Record<string, number>> }>('offsets_for_times', {
        topic,
        partitions: PARTITIONS,
        timestamps: TIME_PROBES.map((j) => base + j),
      });
      for (const j of TIME_PROBES) {
        for (let p = 0; p < PARTITIONS; p++) {
          expect(r.offsets[String(base + j)]![String(p)], `ts base+${j} partition ${p}`).toBe(
            expectedOffsetForTime(j, p, count),
          );
        }
      }
    }, 180_000);
  }
});
