// The brokers of the Samsa-against-Kafka benchmark (kafka.bench.ts) as its workloads see them:
// a bootstrap address, the port of each broker and the processes to read RSS from; topics made
// with CreateTopics and waited on through Metadata (every partition led, a full ISR), the load
// client pointed at each partition's leader, and the start-up probe (the first ApiVersions
// answer, retrying connections a starting broker accepts and drops).
import { execFileSync, spawnSync } from 'node:child_process';
import { errorName } from '../../core/protocol/errors.ts';
import {
  decodeMetadataResponse,
  encodeMetadataRequest,
  MetadataRequestVersions,
  type MetadataResponse,
} from '../../core/protocol/messages/metadata.ts';
import { KCAT } from '../helpers/clients.ts';
import { JAVA } from '../helpers/kafka-peer.ts';
import { BenchConnection, createTopic, negotiate, probeStartup, runProduce, type Versions } from './load-client.ts';
import type { Side } from './kafka-measures.ts';

export const VALUE_BYTES = 100;
export const BATCH = 1000;

/** A broker (or cluster) under test. */
export interface Target {
  side: Side;
  bootstrap: string;
  /** Port of each broker, by id. */
  ports: Map<number, number>;
  /** The broker processes (for RSS). */
  pids: () => number[];
}

async function metadata(conn: BenchConnection, v: Versions, topic: string): Promise<MetadataResponse> {
  return conn.request(
    3,
    v.metadata,
    MetadataRequestVersions.flexibleMin,
    encodeMetadataRequest,
    decodeMetadataResponse,
    { topics: [{ name: topic }], allowAutoTopicCreation: false } as never,
  );
}

/** Leader and ISR of each partition, once every partition has a leader and (for rf > 1) a full ISR. */
async function waitReady(
  conn: BenchConnection,
  v: Versions,
  topic: string,
  partitions: number,
  rf: number,
  ms = 60_000,
): Promise<{ leader: number; isr: number[] }[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = await metadata(conn, v, topic).catch(() => undefined);
    const t = m?.topics.find((x) => x.name === topic);
    if (t && t.errorCode === 0 && t.partitions.length === partitions) {
      const ps = [...t.partitions]
        .sort((a, b) => a.partitionIndex - b.partitionIndex)
        .map((p) => ({ leader: p.leaderId, isr: [...p.isrNodes] }));
      if (ps.every((p) => p.leader >= 0 && p.isr.length >= rf)) return ps;
    }
    if (Date.now() > deadline)
      throw new Error(`${topic}: partitions not ready within ${ms} ms (${t ? errorName(t.errorCode) : 'missing'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function versionsOf(t: Target): Promise<Versions> {
  const conn = await BenchConnection.connect('127.0.0.1', [...t.ports.values()][0]!);
  try {
    return await negotiate(conn);
  } finally {
    conn.close();
  }
}

/** CreateTopics, then Metadata until every partition is led (and fully replicated). */
export async function makeTopic(
  t: Target,
  name: string,
  partitions: number,
  rf = 1,
  configs: Record<string, string> = {},
): Promise<{ leader: number; isr: number[] }[]> {
  const conn = await BenchConnection.connect('127.0.0.1', [...t.ports.values()][0]!);
  try {
    const v = await negotiate(conn);
    await createTopic(conn, v, name, partitions, rf, configs);
    return await waitReady(conn, v, name, partitions, rf);
  } finally {
    conn.close();
  }
}

/**
 * One batch to every partition at its leader until each is acknowledged: Metadata can name a
 * leader before that broker serves the partition (Kafka answers NOT_LEADER_OR_FOLLOWER for a
 * moment after CreateTopics), which real clients retry and the load client does not.
 */
export async function primeTopic(
  t: Target,
  v: Versions,
  topic: string,
  leaders: number[],
  acks = 1,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  const todo = new Set(leaders.map((_, i) => i));
  for (;;) {
    for (const i of [...todo]) {
      const r = await runProduce('127.0.0.1', t.ports.get(leaders[i]!)!, v.produce, {
        topics: [{ name: topic, partitions: [i] }],
        recordsPerBatch: BATCH,
        valueBytes: VALUE_BYTES,
        records: BATCH,
        connections: 1,
        inFlightPerConnection: 1,
        acks,
      });
      if (r.recordsAcked === BATCH) todo.delete(i);
    }
    if (!todo.size) return;
    if (Date.now() > deadline) throw new Error(`${topic}: partitions ${[...todo].join(', ')} refuse produce`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The load client against every partition's leader at once (one connection per leader). */
export async function loadProduce(
  t: Target,
  v: Versions,
  topic: string,
  leaders: number[],
  records: number,
  acks: number,
): Promise<{ rate: number; ends: number[]; errors: Record<string, number> }> {
  const byLeader = new Map<number, number[]>();
  leaders.forEach((l, i) => byLeader.set(l, [...(byLeader.get(l) ?? []), i]));
  const results = await Promise.all(
    [...byLeader].map(([leader, ps]) =>
      runProduce('127.0.0.1', t.ports.get(leader)!, v.produce, {
        topics: [{ name: topic, partitions: ps }],
        recordsPerBatch: BATCH,
        valueBytes: VALUE_BYTES,
        records: Math.round((records * ps.length) / leaders.length),
        connections: 1,
        inFlightPerConnection: 32,
        acks,
      }),
    ),
  );
  const errors: Record<string, number> = {};
  const ends = leaders.map(() => 0);
  for (const r of results) {
    for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
    (r.endOffsets.get(topic) ?? []).forEach((e, i) => (ends[i] = Math.max(ends[i]!, e)));
  }
  // One leader: its steady rate; several in parallel: the sum of theirs.
  const rate = results.reduce((a, r) => a + r.steadyRecordsPerSec, 0);
  return { rate, ends, errors };
}

export function throwOnErrors(errors: Record<string, number>): void {
  const errs = Object.entries(errors);
  if (errs.length) throw new Error(`errors: ${errs.map(([k, n]) => `${k}×${n}`).join(', ')}`);
}

/** ApiVersions answered, retrying connections that the broker drops while it starts. */
export async function firstAnswer(port: number, t0: number, timeoutMs = 120_000): Promise<number> {
  for (;;) {
    try {
      return (await probeStartup('127.0.0.1', port, t0, timeoutMs)).apiVersionsMs;
    } catch (e) {
      if (performance.now() - t0 > timeoutMs) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export function javaVersion(): string {
  const r = spawnSync(JAVA, ['-version'], { encoding: 'utf8' });
  return (/version "([^"]+)"/.exec(r.stderr ?? '')?.[1] ?? 'unknown').trim();
}

export function librdkafkaVersion(): string {
  try {
    const out = execFileSync(KCAT, ['-V'], { encoding: 'utf8' });
    return /librdkafka ([\d.]+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
