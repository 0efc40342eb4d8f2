// confluent-kafka Python (librdkafka) against a real broker process: metadata, admin
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
  topics: Record<
    string,
    { error: number; partitions: Record<string, { leader: number; replicas: number[]; isrs: number[] }> }
  >;
}

let broker: RunningBroker;
const ck = <T>(cmd: string, args: Record<string, unknown>, timeoutMs = 90_000) =>
  runPython<T>('ck.py', { cmd, bootstrap: broker.bootstrap, ...args }, timeoutMs);

/** Creates a topic with the admin API, or (reference broker) has it auto-created. */
async function makeTopic(topic: string): Promise<void> {
  if (caps.createTopics) {
    const r = await ck<{ results: Record<string, { error: string | null }> }>('create_topics', {
      topics: [topic],
      partitions: PARTITIONS,
    });
    expect(r.results[topic]!.error).toBeNull();
  } else {
    await ck('metadata', { topic });
  }
}

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.dispose();
});

describe('confluent-kafka (librdkafka)', () => {
  it('lists brokers, topics, partitions and leaders', async () => {
    const topic = uniqueTopic('ck-md');
    await makeTopic(topic);
    const md = await ck<Metadata>('metadata', {});
    expect(md.brokers).toEqual([{ id: md.brokers[0]!.id, host: broker.host, port: broker.port }]);
    const t = md.topics[topic];
    expect(t, `topic ${topic} listed`).toBeDefined();
    expect(t!.error).toBe(0);
    expect(
      Object.keys(t!.partitions)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...Array(PARTITIONS).keys()]);
    for (const p of Object.values(t!.partitions)) {
      expect(p.leader).toBe(md.brokers[0]!.id);
      expect(p.replicas).toEqual([md.brokers[0]!.id]);
      expect(p.isrs).toEqual([md.brokers[0]!.id]);
    }
  });

  it.skipIf(lacks('createTopics') ?? lacks('deleteTopics'))(
    'creates and deletes topics with the admin API',
    async () => {
      const a = uniqueTopic('ck-adm-a'),
        b = uniqueTopic('ck-adm-b');
      const created = await ck<{ results: Record<string, { error: string | null }> }>('create_topics', {
        topics: [a, b],
        partitions: 3,
      });
      expect(created.results).toEqual({ [a]: { error: null }, [b]: { error: null } });
      const again = await ck<{ results: Record<string, { error: string | null }> }>('create_topics', {
        topics: [a],
        partitions: 3,
      });
      expect(again.results[a]!.error).toBe('TOPIC_ALREADY_EXISTS');
      let md = await ck<Metadata>('metadata', {});
      expect(Object.keys(md.topics[a]!.partitions).length).toBe(3);
      const deleted = await ck<{ results: Record<string, { error: string | null }> }>('delete_topics', { topics: [a] });
      expect(deleted.results[a]!.error).toBeNull();
      md = await ck<Metadata>('metadata', {});
      expect(md.topics[a]).toBeUndefined();
      expect(md.topics[b]).toBeDefined();
      const missing = await ck<{ results: Record<string, { error: string | null }> }>('delete_topics', { topics: [a] });
      expect(missing.results[a]!.error).toBe('UNKNOWN_TOPIC_OR_PART');
    },
  );

  for (const { codec, count } of CODEC_PLAN) {
    it(`produces ${count} keyed records with ${codec} and consumes them back intact`, async () => {
      const topic = uniqueTopic(`ck-${codec}`);
      await makeTopic(topic);
      const base = timestampBase();
      const prod = await ck<{ acked: number; errors: unknown[] }>('produce', {
        topic,
        count,
        partitions: PARTITIONS,
        codec,
        timestamp_base: base,
      });
      expect(prod.errors).toEqual([]);
      expect(prod.acked).toBe(count);
      const cons = await ck<{ partitions: Summary; total: number; errors: unknown[] }>('consume', {
        topic,
        partitions: PARTITIONS,
        expected: count,
      });
      expect(cons.errors).toEqual([]);
      expect(cons.total).toBe(count);
      expectAllRecords(cons.partitions, count);

      if (codec !== 'none') return;
      if (!caps.listOffsetsByTime) {
        console.log('[skip] offsets_for_times: target lacks listOffsetsByTime');
        return;
      }
      const probes = TIME_PROBES.map((j) => base + j);
      const r = await ck<{
        offsets: Record<string, Record<string, number>>;
        watermarks: Record<string, [number, number]>;
      }>('offsets_for_times', { topic, partitions: PARTITIONS, timestamps: probes });
      for (const j of TIME_PROBES) {
        for (let p = 0; p < PARTITIONS; p++) {
          expect(r.offsets[String(base + j)]![String(p)], `ts base+${j} partition ${p}`).toBe(
            expectedOffsetForTime(j, p, count),
          );
        }
      }
      for (let p = 0; p < PARTITIONS; p++) expect(r.watermarks[String(p)]).toEqual([0, count / PARTITIONS]);
    }, 180_000);
  }
});
