// kcat (librdkafka) against a real broker process: metadata, produce with every codec,
// consume back byte-identical, offsets by timestamp. kcat has no admin API: its topics are
// auto-created with the broker's num.partitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker, caps } from '../helpers/spawn-broker.ts';
import { keyOf, PartitionDigest, runKcat, uniqueTopic, valueOf } from '../helpers/clients.ts';
import { CODEC_PLAN, expectAllRecords, PARTITIONS } from './scenario.ts';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({ overrides: { 'num.partitions': PARTITIONS } });
});
afterAll(async () => {
  await broker?.dispose();
});

interface KcatMetadata {
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{
    topic: string;
    error?: string;
    partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }> }>;
  }>;
}

async function metadata(topic?: string): Promise<KcatMetadata> {
  const args = ['-b', broker.bootstrap, '-L', '-J', '-m', '10'];
  if (topic) args.push('-t', topic);
  const r = await runKcat(args, { timeoutMs: 20_000 });
  return JSON.parse(r.stdout) as KcatMetadata;
}

async function produce(topic: string, count: number, codec: string): Promise<void> {
  // One kcat per partition (-p), fed "key<TAB>value" lines in order.
  for (let p = 0; p < PARTITIONS; p++) {
    const lines: string[] = [];
    for (let i = p; i < count; i += PARTITIONS) lines.push(`${keyOf(i)}\t${valueOf(i)}`);
    const args = ['-b', broker.bootstrap, '-P', '-t', topic, '-p', String(p), '-K', '\t', '-X', 'acks=all'];
    if (codec !== 'none') args.push('-z', codec);
    await runKcat(args, { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
  }
}

async function consume(
  topic: string,
): Promise<
  Record<
    string,
    { count: number; digest: string; first_offset: number; last_offset: number; offsets_increasing: boolean }
  >
> {
  const r = await runKcat(
    ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\n'],
    { timeoutMs: 90_000 },
  );
  const parts = new Map<number, { d: PartitionDigest; first: number; last: number; inc: boolean }>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [ps, os, k, v] = line.split('\t') as [string, string, string, string];
    const p = Number(ps),
      o = Number(os);
    let s = parts.get(p);
    if (!s) {
      s = { d: new PartitionDigest(), first: o, last: -1, inc: true };
      parts.set(p, s);
    }
    if (o <= s.last) s.inc = false;
    s.last = o;
    s.d.add(k, v);
  }
  const out: Record<
    string,
    { count: number; digest: string; first_offset: number; last_offset: number; offsets_increasing: boolean }
  > = {};
  for (const [p, s] of [...parts].sort((a, b) => a[0] - b[0])) {
    out[String(p)] = {
      count: s.d.count,
      digest: s.d.hex(),
      first_offset: s.first,
      last_offset: s.last,
      offsets_increasing: s.inc,
    };
  }
  return out;
}

describe('kcat', () => {
  it('lists brokers, and an auto-created topic with its partitions and leaders', async () => {
    const topic = uniqueTopic('kcat-md');
    // Asking for a topic's metadata auto-creates it.
    await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0'], { input: 'hello\n', timeoutMs: 20_000 });
    const md = await metadata();
    expect(md.brokers.length).toBe(1);
    expect(md.brokers[0]!.name).toBe(`${broker.host}:${broker.port}`);
    const t = md.topics.find((x) => x.topic === topic);
    expect(t, `topic ${topic} in metadata`).toBeDefined();
    expect(t!.partitions.length).toBe(caps.autoCreatePartitions(PARTITIONS));
    for (const p of t!.partitions) {
      expect(p.leader).toBe(md.brokers[0]!.id);
      expect(p.replicas.map((r) => r.id)).toEqual([md.brokers[0]!.id]);
    }
  });

  for (const { codec, count } of CODEC_PLAN) {
    it(`produces ${count} keyed records with ${codec} and consumes them back intact`, async () => {
      const topic = uniqueTopic(`kcat-${codec}`);
      const before = Date.now();
      await produce(topic, count, codec);
      expectAllRecords(await consume(topic), count);

      // Offsets by timestamp (-Q): before the first record -> 0; far in the future -> end (-1).
      if (codec !== 'none') return;
      if (!caps.listOffsetsByTime) {
        console.log('[skip] offsets-by-time: target lacks listOffsetsByTime');
        return;
      }
      const q = async (ts: number) => {
        const args = ['-b', broker.bootstrap, '-Q'];
        for (let p = 0; p < PARTITIONS; p++) args.push('-t', `${topic}:${p}:${ts}`);
        const r = await runKcat(args, { timeoutMs: 20_000 });
        const res: Record<number, number> = {};
        for (const m of r.stdout.matchAll(/\[(\d+)\]\s+offset\s+(-?\d+)/g)) res[Number(m[1])] = Number(m[2]);
        return res;
      };
      const early = await q(before - 60_000);
      const late = await q(Date.now() + 3_600_000);
      for (let p = 0; p < PARTITIONS; p++) {
        expect(early[p], `partition ${p} early`).toBe(0);
        expect(late[p], `partition ${p} late`).toBe(-1);
      }
    }, 180_000);
  }
});
