// The idempotent producer with real clients: confluent-kafka (librdkafka,
// enable.idempotence=true, acks=all) keeps producing while the broker process
// is SIGKILLed and restarted on the same port and data dir; afterwards every
// acknowledged record is in the log exactly once, in sequence order per
// partition. And kafkajs with `idempotent: true`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, TARGET, type RunningBroker } from '../helpers/spawn-broker.ts';
import { CLIENTS_DIR, PYTHON, uniqueTopic, withTimeout } from '../helpers/clients.ts';
import { Api, KafkaClient, type ClientCodec } from '../helpers/kafka-client.ts';
import { decodeAllRecords } from '../../core/protocol/record-batch.ts';
import * as ct from '../../core/protocol/messages/create-topics.ts';

const { Kafka, logLevel } = kafkajs;
const CreateTopics = { apiKey: 19, flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin, encode: ct.encodeCreateTopicsRequest, decode: ct.decodeCreateTopicsResponse } satisfies ClientCodec<any, any>;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function createTopic(port: number, name: string, partitions: number): Promise<void> {
  const c = await KafkaClient.connect(port);
  try {
    const r = await c.send(CreateTopics, 7, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
    });
    expect(r.topics[0]!.errorCode).toBe(0);
  } finally {
    c.close();
  }
}

/** Every record value of a partition, in offset order. */
async function readPartition(port: number, topic: string, partition: number): Promise<string[]> {
  const c = await KafkaClient.connect(port);
  try {
    const out: string[] = [];
    for (let offset = 0; ;) {
      const r = await c.send(Api.Fetch, 12, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 50 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 50 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      });
      const p = r.responses[0]!.partitions[0]!;
      expect(p.errorCode).toBe(0);
      const buf = !p.records ? Buffer.alloc(0) : Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records as Buffer[]);
      const recs = decodeAllRecords(buf);
      for (const x of recs) out.push(x.value!.toString());
      if (recs.length === 0) return out;
      offset = recs[recs.length - 1]!.offset + 1;
      if (offset >= Number(p.highWatermark)) return out;
    }
  } finally {
    c.close();
  }
}

/** Checks: no value twice, each partition's sequence numbers strictly increasing. */
function checkPartitions(parts: string[][], partitions: number): Set<number> {
  const seen = new Set<number>();
  parts.forEach((values, p) => {
    let prev = -1;
    for (const v of values) {
      const i = Number(v.split('-')[1]);
      expect(seen.has(i), `seq ${i} stored twice`).toBe(false);
      seen.add(i);
      expect(i % partitions).toBe(p);
      expect(i, `partition ${p}: ${i} after ${prev}`).toBeGreaterThan(prev);
      prev = i;
    }
  });
  return seen;
}

describe.skipIf(TARGET !== 'samsa')('idempotent producer with real clients', () => {
  it('confluent-kafka: SIGKILL and restart while producing leaves no duplicates and no gaps', async () => {
    let broker: RunningBroker = await startBroker({});
    const dataDir = broker.dataDir;
    const port = broker.port;
    cleanups.push(() => broker.dispose());
    const topic = uniqueTopic('idem-ck');
    const partitions = 3;
    const count = 3000;
    await createTopic(port, topic, partitions);

    const child = spawn(PYTHON, [join(CLIENTS_DIR, 'idempotent_ck.py'), JSON.stringify({ bootstrap: broker.bootstrap, topic, count, partitions, request_timeout_ms: 1000 })],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // At a third of the acknowledgements the broker is paused (SIGSTOP) for
    // longer than the producer's request timeout, so librdkafka resends batches
    // that the broker still reads from the old connection when it resumes; at
    // two thirds it is SIGKILLed and restarted on the same port and data dir.
    let paused: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    await withTimeout(new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const m = /progress (\d+)/g;
        let n = 0;
        for (let x = m.exec(stdout); x; x = m.exec(stdout)) n = Number(x[1]);
        if (!paused && n >= count / 3) {
          process.kill(broker.pid, 'SIGSTOP');
          paused = new Promise((r) => setTimeout(() => { process.kill(broker.pid, 'SIGCONT'); r(); }, 2500));
        }
        if (paused && !restarted && n >= (2 * count) / 3) {
          restarted = (async () => {
            await broker.kill();
            broker = await startBroker({ dataDir, port });
          })();
          resolve();
        }
      });
    }), 40_000, 'producer progress before the kill');
    await withTimeout(restarted!, 20_000, 'broker restart');
    const code = await withTimeout(exited, 60_000, 'idempotent producer');
    expect(code, stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { acked: number[]; errors: string[]; errorCount: number; remaining: number };
    expect(result.errorCount, result.errors.join('\n')).toBe(0);
    expect(result.remaining).toBe(0);
    expect(result.acked.length).toBe(count);

    const parts = await Promise.all(Array.from({ length: partitions }, (_, p) => readPartition(port, topic, p)));
    const stored = checkPartitions(parts, partitions);
    for (const i of result.acked) expect(stored.has(i), `acknowledged seq ${i} missing`).toBe(true);
    expect(stored.size).toBe(count);
  }, 90_000);

  it('kafkajs: idempotent producer, clean consume', async () => {
    const broker = await startBroker({});
    cleanups.push(() => broker.dispose());
    const topic = uniqueTopic('idem-kjs');
    const partitions = 2;
    await createTopic(broker.port, topic, partitions);
    const kafka = new Kafka({ clientId: 'samsa-idem', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let b = 0; b < 10; b++) {
        const messages = [];
        for (let i = b * 50; i < (b + 1) * 50; i++) messages.push({ partition: i % partitions, key: `k-${i}`, value: `seq-${i}` });
        await withTimeout(producer.send({ topic, acks: -1, messages }), 10_000, 'kafkajs send');
      }
    } finally {
      await producer.disconnect();
    }
    const parts = await Promise.all(Array.from({ length: partitions }, (_, p) => readPartition(broker.port, topic, p)));
    expect(checkPartitions(parts, partitions).size).toBe(500);
    const c = await KafkaClient.connect(broker.port);
    cleanups.push(() => c.close());
    // The broker saw the producer id kafkajs got from InitProducerId.
    const { decodeDescribeProducersResponse, encodeDescribeProducersRequest, DescribeProducersRequestVersions } = await import('../../core/protocol/messages/describe-producers.ts');
    const d = await c.send({ apiKey: 61, flexibleMin: DescribeProducersRequestVersions.flexibleMin, encode: encodeDescribeProducersRequest, decode: decodeDescribeProducersResponse },
      0, { topics: [{ name: topic, partitionIndexes: [0, 1] }] });
    for (const p of d.topics[0]!.partitions) {
      expect(p.activeProducers).toHaveLength(1);
      expect(p.activeProducers[0]!.lastSequence).toBe(249);
    }
  }, 30_000);
});
