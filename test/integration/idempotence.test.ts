// The idempotent producer with real clients: confluent-kafka (librdkafka,
// enable.idempotence=true, acks=all) keeps producing while the broker process
// is SIGKILLed and restarted on the same port and data dir; afterwards every
// acknowledged record is in the log exactly once, in sequence order per
// partition. And kafkajs with `idempotent: true`.
//
// The SIGKILL test alone cannot tell whether the broker detects duplicates:
// librdkafka rarely resends a batch the broker already stored. So another test
// puts a TCP proxy between the client and the broker (which advertises the
// proxy's port) that cuts the connection instead of forwarding some Produce
// responses — after the broker appended the batch — so librdkafka resends the
// same batches with the same sequence numbers.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker, needsSamsa } from '../helpers/spawn-broker.ts';
import { CLIENTS_DIR, PYTHON, uniqueTopic, withTimeout } from '../helpers/clients.ts';
import { Api, KafkaClient, fetchAllValues, type ClientCodec } from '../helpers/kafka-client.ts';
import * as ct from '../../core/protocol/messages/create-topics.ts';
import { decodeProduceRequest, decodeProduceResponse } from '../../core/protocol/messages/produce.ts';
import { decodeRequestHeader, responseHeaderVersion } from '../../core/protocol/header.ts';
import { Reader } from '../../core/protocol/reader.ts';
import { BATCH, readInt64 } from '../../core/protocol/record-batch.ts';

const { Kafka, logLevel } = kafkajs;
const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
} satisfies ClientCodec<any, any>;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function createTopic(port: number, name: string, partitions: number): Promise<void> {
  const c = await KafkaClient.connect(port);
  try {
    const r = await c.send(CreateTopics, 7, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
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
    return await fetchAllValues(c, topic, partition);
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

/** Reads length-prefixed Kafka frames from a byte stream. */
function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      onFrame(buf.subarray(0, 4 + size));
      buf = buf.subarray(4 + size);
    }
  };
}

interface ProduceAck {
  batch: string;
  errorCode: number;
  baseOffset: number;
}

/**
 * A TCP proxy in front of a broker. It forwards every frame, except that for
 * every `dropEvery`-th Produce response (up to `maxDrops`) it closes both
 * connections instead: the broker has appended the batches, the client never
 * hears so. It notes the batches (partition:producerId:baseSequence) of the
 * dropped requests and the answers to their resends.
 */
async function startDroppingProxy(upstreamPort: () => number, dropEvery: number, maxDrops: number) {
  const stats = { produceResponses: 0, dropped: 0, droppedBatches: new Set<string>(), resentAcks: [] as ProduceAck[] };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort() });
    const requests = new Map<number, { apiKey: number; version: number; batches: string[] }>();
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.on(
      'data',
      frames((frame) => {
        const r = new Reader(frame.subarray(4));
        const h = decodeRequestHeader(r);
        const batches: string[] = [];
        if (h.apiKey === Api.Produce.apiKey) {
          for (const t of decodeProduceRequest(r, h.apiVersion).topicData) {
            for (const p of t.partitionData) {
              const rec = p.records!;
              batches.push(`${p.index}:${readInt64(rec, BATCH.PRODUCER_ID)}:${rec.readInt32BE(BATCH.BASE_SEQUENCE)}`);
            }
          }
        }
        requests.set(h.correlationId, { apiKey: h.apiKey, version: h.apiVersion, batches });
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      frames((frame) => {
        const corr = frame.readInt32BE(4);
        const req = requests.get(corr);
        requests.delete(corr);
        if (req?.apiKey === Api.Produce.apiKey) {
          stats.produceResponses++;
          if (stats.dropped < maxDrops && stats.produceResponses % dropEvery === 0) {
            stats.dropped++;
            for (const b of req.batches) stats.droppedBatches.add(b);
            closeBoth();
            return;
          }
          const r = new Reader(frame.subarray(8));
          if (responseHeaderVersion(req.apiKey, req.version) === 1) r.skipTaggedFields();
          const res = decodeProduceResponse(r, req.version);
          const parts = res.responses.flatMap((t) => t.partitionResponses);
          req.batches.forEach((b, i) => {
            if (stats.droppedBatches.has(b))
              stats.resentAcks.push({
                batch: b,
                errorCode: parts[i]!.errorCode,
                baseOffset: Number(parts[i]!.baseOffset),
              });
          });
        }
        client.write(frame);
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
      }),
  };
}

describe.skipIf(needsSamsa('the idempotent producer with persistence'))('idempotent producer with real clients', () => {
  it('confluent-kafka through a proxy that drops Produce responses: resent batches are stored once', async () => {
    let brokerPort = 0;
    const proxy = await startDroppingProxy(() => brokerPort, 7, 12);
    cleanups.push(() => proxy.close());
    // The broker tells clients to connect to the proxy.
    const broker = await startBroker({ args: ['--advertised-port', String(proxy.port)] });
    cleanups.push(() => broker.dispose());
    brokerPort = broker.port;
    const topic = uniqueTopic('idem-proxy');
    const partitions = 3;
    const count = 2000;
    await createTopic(broker.port, topic, partitions);

    const child = spawn(
      PYTHON,
      [
        join(CLIENTS_DIR, 'idempotent_ck.py'),
        JSON.stringify({ bootstrap: `127.0.0.1:${proxy.port}`, topic, count, partitions, request_timeout_ms: 5000 }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = await withTimeout(
      new Promise<number | null>((r) => child.once('exit', (c) => r(c))),
      60_000,
      'idempotent producer',
    );
    expect(code, stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      acked: number[];
      errors: string[];
      errorCount: number;
      remaining: number;
    };
    expect(result.errorCount, result.errors.join('\n')).toBe(0);
    expect(result.remaining).toBe(0);
    expect(new Set(result.acked).size).toBe(count);

    // The proxy cut connections after the broker had stored batches, and the
    // client resent some of those batches (same producer id and sequence): the
    // broker acknowledged them without error.
    expect(proxy.stats.dropped).toBeGreaterThan(0);
    expect(proxy.stats.resentAcks.length, 'no dropped batch was resent').toBeGreaterThan(0);
    for (const a of proxy.stats.resentAcks) expect(a.errorCode, a.batch).toBe(0);

    // Every acknowledged record is in the log exactly once, in sequence order.
    const parts = await Promise.all(Array.from({ length: partitions }, (_, p) => readPartition(broker.port, topic, p)));
    const stored = checkPartitions(parts, partitions);
    for (const i of result.acked) expect(stored.has(i), `acknowledged seq ${i} missing`).toBe(true);
    expect(parts.flat().length).toBe(count);
  }, 90_000);

  it('confluent-kafka: SIGKILL and restart while producing leaves no duplicates and no gaps', async () => {
    let broker: RunningBroker = await startBroker({});
    const dataDir = broker.dataDir;
    const port = broker.port;
    cleanups.push(() => broker.dispose());
    const topic = uniqueTopic('idem-ck');
    const partitions = 3;
    const count = 3000;
    await createTopic(port, topic, partitions);

    const child = spawn(
      PYTHON,
      [
        join(CLIENTS_DIR, 'idempotent_ck.py'),
        JSON.stringify({ bootstrap: broker.bootstrap, topic, count, partitions, request_timeout_ms: 1000 }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // At a third of the acknowledgements the broker is paused (SIGSTOP) for
    // longer than the producer's request timeout, so librdkafka resends batches
    // that the broker still reads from the old connection when it resumes; at
    // two thirds it is SIGKILLed and restarted on the same port and data dir.
    let paused: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    await withTimeout(
      new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          const m = /progress (\d+)/g;
          let n = 0;
          for (let x = m.exec(stdout); x; x = m.exec(stdout)) n = Number(x[1]);
          if (!paused && n >= count / 3) {
            process.kill(broker.pid, 'SIGSTOP');
            paused = new Promise((r) =>
              setTimeout(() => {
                process.kill(broker.pid, 'SIGCONT');
                r();
              }, 2500),
            );
          }
          if (paused && !restarted && n >= (2 * count) / 3) {
            restarted = (async () => {
              await broker.kill();
              broker = await startBroker({ dataDir, port });
            })();
            resolve();
          }
        });
      }),
      40_000,
      'producer progress before the kill',
    );
    await withTimeout(restarted!, 20_000, 'broker restart');
    const code = await withTimeout(exited, 60_000, 'idempotent producer');
    expect(code, stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      acked: number[];
      errors: string[];
      errorCount: number;
      remaining: number;
    };
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
    const kafka = new Kafka({
      clientId: 'samsa-idem',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let b = 0; b < 10; b++) {
        const messages = [];
        for (let i = b * 50; i < (b + 1) * 50; i++)
          messages.push({ partition: i % partitions, key: `k-${i}`, value: `seq-${i}` });
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
    const { decodeDescribeProducersResponse, encodeDescribeProducersRequest, DescribeProducersRequestVersions } =
      await import('../../core/protocol/messages/describe-producers.ts');
    const d = await c.send(
      {
        apiKey: 61,
        flexibleMin: DescribeProducersRequestVersions.flexibleMin,
        encode: encodeDescribeProducersRequest,
        decode: decodeDescribeProducersResponse,
      },
      0,
      { topics: [{ name: topic, partitionIndexes: [0, 1] }] },
    );
    for (const p of d.topics[0]!.partitions) {
      expect(p.activeProducers).toHaveLength(1);
      expect(p.activeProducers[0]!.lastSequence).toBe(249);
    }
  }, 30_000);
});
