// The idempotent producer over a real socket: an in-process Broker with
// production wiring (metadata store, logs on disk), and a spawned broker
// process for SIGKILL.
import { waitFor } from '../helpers/clients.ts';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../core/broker/broker.ts';
import { singleNodeBroker } from '../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../core/broker/configs.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { BATCH, buildRecordBatch } from '../../core/protocol/record-batch.ts';
import * as ip from '../../core/protocol/messages/init-producer-id.ts';
import * as dp from '../../core/protocol/messages/describe-producers.ts';
import * as ct from '../../core/protocol/messages/create-topics.ts';
import { Api, KafkaClient, fetchAllValues, type ClientCodec } from '../helpers/kafka-client.ts';
import { startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { listSnapshots } from '../../core/storage/producer-state.ts';
import type { LogManager } from '../../core/storage/log-manager.ts';

const InitProducerId = {
  apiKey: 22,
  flexibleMin: ip.InitProducerIdRequestVersions.flexibleMin,
  encode: ip.encodeInitProducerIdRequest,
  decode: ip.decodeInitProducerIdResponse,
} satisfies ClientCodec<any, any>;
const DescribeProducers = {
  apiKey: 61,
  flexibleMin: dp.DescribeProducersRequestVersions.flexibleMin,
  encode: dp.encodeDescribeProducersRequest,
  decode: dp.decodeDescribeProducersResponse,
} satisfies ClientCodec<any, any>;
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

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-idem-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function startInProcess(
  dataDir: string,
  overrides: Record<string, string> = {},
): Promise<{ broker: Broker; client: KafkaClient }> {
  const broker = singleNodeBroker({ port: 0, dataDir, config: new BrokerConfig(overrides) });
  await broker.start();
  const client = await KafkaClient.connect(broker.advertisedPort);
  return { broker, client };
}

async function createTopic(
  c: KafkaClient,
  name: string,
  partitions = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  const r = await c.send(CreateTopics, 7, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(r.topics[0]!.errorCode).toBe(0);
}

async function initPid(c: KafkaClient, version = 4, body: Partial<ip.InitProducerIdRequestInput> = {}) {
  return c.send(InitProducerId, version, {
    transactionalId: null,
    transactionTimeoutMs: 60000,
    producerId: -1,
    producerEpoch: -1,
    ...body,
  });
}

interface Sent {
  errorCode: number;
  baseOffset: number;
}

async function produce(
  c: KafkaClient,
  topic: string,
  pid: number,
  epoch: number,
  seq: number,
  values: string[],
  partition = 0,
): Promise<Sent> {
  const batch = buildRecordBatch(
    values.map((v) => ({ key: v, value: v })),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq },
  );
  const r = await c.send(Api.Produce, 11, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  });
  const p = r.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: p.baseOffset };
}

async function describe1(c: KafkaClient, topic: string) {
  const r = await c.send(DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0, 7] }] });
  return r.topics[0]!.partitions;
}

describe('InitProducerId', () => {
  it('allocates distinct ids with epoch 0, never reused after a restart; transactional ids are refused', async () => {
    const dir = tmp();
    let { broker, client } = await startInProcess(dir);
    const versions = await client.send(Api.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.find((k) => k.apiKey === 22)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(versions.apiKeys.find((k) => k.apiKey === 61)).toMatchObject({ minVersion: 0, maxVersion: 0 });
    const ids = new Set<number>();
    for (const v of [0, 1, 2, 3, 4, 5]) {
      const r = await initPid(client, v);
      expect(r).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      ids.add(r.producerId);
    }
    expect(ids.size).toBe(6);
    // KIP-360 re-initialisation of an idempotent producer: Kafka hands out a new id.
    const first = [...ids][0]!;
    const again = await initPid(client, 4, { producerId: first, producerEpoch: 0 });
    expect(again.errorCode).toBe(0);
    expect(ids.has(again.producerId)).toBe(false);
    ids.add(again.producerId);
    const txn = await initPid(client, 4, { transactionalId: 'tx-1' });
    expect(txn).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 });
    // An empty transactional id is refused as Kafka's transaction coordinator does.
    expect(await initPid(client, 4, { transactionalId: '' })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      producerId: -1,
    });

    client.close();
    await broker.stop();
    ({ broker, client } = await startInProcess(dir));
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    const after = await initPid(client);
    expect(after.errorCode).toBe(0);
    expect(after.producerId).toBeGreaterThan(Math.max(...ids));
  });
});

describe('producer state on produce', () => {
  it('accepts in-order batches, answers a retry with the original offset without storing it twice, refuses gaps and stale epochs', async () => {
    const dir = tmp();
    const { broker, client } = await startInProcess(dir);
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    await createTopic(client, 'idem');
    const { producerId: pid } = await initPid(client);

    expect(await produce(client, 'idem', pid, 0, 0, ['a0', 'a1'])).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await produce(client, 'idem', pid, 0, 2, ['b2'])).toEqual({ errorCode: 0, baseOffset: 2 });
    // Another producer in between.
    const { producerId: other } = await initPid(client);
    expect(await produce(client, 'idem', other, 0, 0, ['x0'])).toEqual({ errorCode: 0, baseOffset: 3 });
    // Retries of both earlier batches: original offsets, nothing appended.
    expect(await produce(client, 'idem', pid, 0, 0, ['a0', 'a1'])).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await produce(client, 'idem', pid, 0, 2, ['b2'])).toEqual({ errorCode: 0, baseOffset: 2 });
    // A gap.
    expect((await produce(client, 'idem', pid, 0, 5, ['gap'])).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // Overlapping but not equal to a stored batch: out of order too.
    expect((await produce(client, 'idem', pid, 0, 1, ['a1', 'b2'])).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(await produce(client, 'idem', pid, 0, 3, ['c3'])).toEqual({ errorCode: 0, baseOffset: 4 });
    // A new epoch must start at 0; then the old epoch is fenced.
    expect((await produce(client, 'idem', pid, 1, 4, ['e1'])).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(client, 'idem', pid, 1, 0, ['e1-0'])).toEqual({ errorCode: 0, baseOffset: 5 });
    expect((await produce(client, 'idem', pid, 0, 4, ['old'])).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // A producer id the partition has no state for is accepted at any sequence (Kafka 4).
    expect(await produce(client, 'idem', 999_999, 0, 17, ['u'])).toEqual({ errorCode: 0, baseOffset: 6 });

    expect(await fetchAllValues(client, 'idem')).toEqual(['a0', 'a1', 'b2', 'x0', 'c3', 'e1-0', 'u']);

    const parts = await describe1(client, 'idem');
    expect(parts[0]!.errorCode).toBe(0);
    const byId = new Map(parts[0]!.activeProducers.map((p) => [p.producerId, p]));
    expect(byId.get(pid)).toMatchObject({
      producerEpoch: 1,
      lastSequence: 0,
      coordinatorEpoch: -1,
      currentTxnStartOffset: -1,
    });
    expect(byId.get(other)).toMatchObject({ producerEpoch: 0, lastSequence: 0 });
    expect(byId.get(999_999)).toMatchObject({ lastSequence: 17 });
    expect(byId.get(pid)!.lastTimestamp).toBeGreaterThan(Date.now() - 60_000);
    // A partition of a known topic: no message (the replica manager's error); an unknown topic: the default one.
    expect(parts[1]).toMatchObject({
      partitionIndex: 7,
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: null,
    });
    const unknown = await client.send(DescribeProducers, 0, { topics: [{ name: 'idem-none', partitionIndexes: [0] }] });
    expect(unknown.topics[0]!.partitions[0]).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: 'This server does not host this topic-partition.',
    });
  });

  it("answers a duplicate with the original batch's timestamp in logAppendTimeMs, as Kafka", async () => {
    const dir = tmp();
    const { broker, client } = await startInProcess(dir);
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    await createTopic(client, 'idem-ts');
    const { producerId: pid } = await initPid(client);
    const send = () =>
      client.send(Api.Produce, 11, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          {
            name: 'idem-ts',
            partitionData: [
              {
                index: 0,
                records: buildRecordBatch([{ value: 'a', timestamp: 1_700_000_000_123 }], {
                  producerId: pid,
                  producerEpoch: 0,
                  baseSequence: 0,
                }),
              },
            ],
          },
        ],
      });
    const first = (await send()).responses[0]!.partitionResponses[0]!;
    expect(first).toMatchObject({ errorCode: 0, baseOffset: 0, logAppendTimeMs: -1 });
    const dup = (await send()).responses[0]!.partitionResponses[0]!;
    expect(dup).toMatchObject({ errorCode: 0, baseOffset: 0, logAppendTimeMs: 1_700_000_000_123, logStartOffset: 0 });
  });

  it('detects a duplicate that arrives while the original is still being written, answering after it', async () => {
    const dir = tmp();
    const { broker, client } = await startInProcess(dir);
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    await createTopic(client, 'inflight');
    const { producerId: pid } = await initPid(client);
    const second = await KafkaClient.connect(broker.advertisedPort);
    cleanups.push(() => second.close());
    // Both requests are written before either is answered; the second is processed
    // in the same burst, before the first's write has completed.
    const big = Array.from({ length: 200 }, (_, i) => `v${i}-${'x'.repeat(500)}`);
    const [a, b] = await Promise.all([
      produce(client, 'inflight', pid, 0, 0, big),
      produce(second, 'inflight', pid, 0, 0, big),
    ]);
    expect(a).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(b).toEqual({ errorCode: 0, baseOffset: 0 });
    expect((await fetchAllValues(client, 'inflight')).length).toBe(200);
  });

  it('wraps sequences at Int32 max', async () => {
    const dir = tmp();
    const { broker, client } = await startInProcess(dir);
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    await createTopic(client, 'wrap');
    const { producerId: pid } = await initPid(client);
    expect((await produce(client, 'wrap', pid, 0, 2147483646, ['m1', 'm2'])).errorCode).toBe(0);
    expect((await produce(client, 'wrap', pid, 0, 0, ['w0'])).errorCode).toBe(0);
    expect(await produce(client, 'wrap', pid, 0, 2147483646, ['m1', 'm2'])).toEqual({ errorCode: 0, baseOffset: 0 });
    expect((await produce(client, 'wrap', pid, 0, 2, ['gap'])).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await fetchAllValues(client, 'wrap')).toEqual(['m1', 'm2', 'w0']);
  });
});

describe('producer state snapshots and recovery', () => {
  it('writes .snapshot files at roll and shutdown; a retry after a clean restart is still a duplicate', async () => {
    const dir = tmp();
    let { broker, client } = await startInProcess(dir);
    await createTopic(client, 'snap', 1, { 'internal.segment.bytes': '2000' });
    const { producerId: pid } = await initPid(client);
    const payload = (i: number) => [`r${i}-${'y'.repeat(600)}`];
    for (let i = 0; i < 8; i++) expect((await produce(client, 'snap', pid, 0, i, payload(i))).errorCode).toBe(0);
    const partDir = join(dir, 'broker-1', 'snap-0');
    // Segments rolled: a snapshot per roll, named by the new segment's base offset.
    const segs = readdirSync(partDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => Number(f.slice(0, 20)));
    expect(segs.length).toBeGreaterThan(2);
    // Each roll's snapshot is written in the background: wait for the files, not for a fixed time.
    const wanted = segs.slice(1);
    await waitFor(() => wanted.every((base) => listSnapshots(partDir).includes(base)), 10_000, 'snapshots at roll');
    for (const base of wanted) expect(listSnapshots(partDir)).toContain(base);
    client.close();
    await broker.stop();
    expect(listSnapshots(partDir)).toContain(8); // the log end at shutdown
    expect(existsSync(join(partDir, '00000000000000000008.snapshot'))).toBe(true);

    ({ broker, client } = await startInProcess(dir));
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    // The last batch is a duplicate, the next sequence goes on, a gap is refused.
    expect(await produce(client, 'snap', pid, 0, 7, payload(7))).toEqual({ errorCode: 0, baseOffset: 7 });
    expect((await produce(client, 'snap', pid, 0, 9, payload(9))).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(await produce(client, 'snap', pid, 0, 8, payload(8))).toEqual({ errorCode: 0, baseOffset: 8 });
    const parts = await describe1(client, 'snap');
    expect(parts[0]!.activeProducers).toEqual([
      expect.objectContaining({ producerId: pid, producerEpoch: 0, lastSequence: 8 }),
    ]);
    expect((await fetchAllValues(client, 'snap')).length).toBe(9);
  });

  it('rebuilds the state from the log after SIGKILL of the broker process, and drops snapshots past the log end', async () => {
    let b: RunningBroker = await startBroker({});
    const dataDir = b.dataDir;
    cleanups.push(async () => {
      await b.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });
    let client = await KafkaClient.connect(b.port);
    await createTopic(client, 'crash');
    const { producerId: pid } = await initPid(client);
    for (let i = 0; i < 5; i++)
      expect((await produce(client, 'crash', pid, 0, i * 2, [`k${i}a`, `k${i}b`])).errorCode).toBe(0);
    client.close();
    await b.kill();
    // A snapshot beyond the log end (as if the log lost its tail) must be ignored and removed.
    const partDir = join(dataDir, 'broker-1', 'crash-0');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(partDir, '00000000000000000500.snapshot'), Buffer.alloc(10));

    b = await startBroker({ dataDir });
    client = await KafkaClient.connect(b.port);
    cleanups.push(() => client.close());
    // Every one of the last five batches is still recognised.
    for (let i = 0; i < 5; i++)
      expect(await produce(client, 'crash', pid, 0, i * 2, [`k${i}a`, `k${i}b`])).toEqual({
        errorCode: 0,
        baseOffset: i * 2,
      });
    expect((await produce(client, 'crash', pid, 0, 11, ['gap'])).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(await produce(client, 'crash', pid, 0, 10, ['next'])).toEqual({ errorCode: 0, baseOffset: 10 });
    expect((await fetchAllValues(client, 'crash')).length).toBe(11);
    expect(listSnapshots(partDir)).not.toContain(500);
  });
});

describe('producer state and compaction', () => {
  it('keeps an empty batch for a producer whose last batch was compacted away; its retry is still a duplicate after a restart', async () => {
    const dir = tmp();
    let { broker, client } = await startInProcess(dir);
    // Tiny segments: every batch rolls one, so all but the last are cleanable.
    await createTopic(client, 'cpid', 1, {
      'cleanup.policy': 'compact',
      'internal.segment.bytes': '100',
      'min.cleanable.dirty.ratio': '0.01',
    });
    const { producerId: pid } = await initPid(client);
    expect(await produce(client, 'cpid', pid, 0, 0, ['a', 'b'])).toEqual({ errorCode: 0, baseOffset: 0 });
    // Another producer supersedes both keys; then one more record fills the active segment.
    expect((await produce(client, 'cpid', -1, -1, -1, ['a', 'b'])).errorCode).toBe(0);
    expect((await produce(client, 'cpid', -1, -1, -1, ['c'])).errorCode).toBe(0);
    const cleaned = await (broker.logs as LogManager).cleaner.cleanNow();
    expect(cleaned.map((r) => r.topic)).toContain('cpid');
    expect(await fetchAllValues(client, 'cpid')).toEqual(['a', 'b', 'c']);
    // The producer's batch (offsets 0-1) now holds no records but is still in the log.
    const partDir = join(dir, 'broker-1', 'cpid-0');
    const first = readFileSync(join(partDir, '00000000000000000000.log'));
    expect(first.length).toBe(BATCH.HEADER_SIZE);
    expect(first.readInt32BE(BATCH.RECORD_COUNT)).toBe(0);
    expect(Number(first.readBigInt64BE(BATCH.PRODUCER_ID))).toBe(pid);
    client.close();
    await broker.stop();
    // Without snapshots (lost, or corrupt) the state is rebuilt from the batch headers alone.
    for (const o of listSnapshots(partDir)) rmSync(join(partDir, `${String(o).padStart(20, '0')}.snapshot`));

    ({ broker, client } = await startInProcess(dir));
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    expect(await produce(client, 'cpid', pid, 0, 0, ['a', 'b'])).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await fetchAllValues(client, 'cpid')).toEqual(['a', 'b', 'c']);
    expect((await produce(client, 'cpid', pid, 0, 3, ['gap'])).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(client, 'cpid', pid, 0, 2, ['d'])).toEqual({ errorCode: 0, baseOffset: 5 });
    expect(await fetchAllValues(client, 'cpid')).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('producer.id.expiration.ms', () => {
  it('forgets a producer idle longer than the expiration: a later sequence is then accepted', async () => {
    const dir = tmp();
    const { broker, client } = await startInProcess(dir, {
      'producer.id.expiration.ms': '300',
      'producer.id.expiration.check.interval.ms': '100',
    });
    cleanups.push(async () => {
      client.close();
      await broker.stop();
    });
    await createTopic(client, 'exp');
    const { producerId: pid } = await initPid(client);
    expect((await produce(client, 'exp', pid, 0, 0, ['x'])).errorCode).toBe(0);
    // While remembered, a gap is refused and DescribeProducers lists it.
    expect((await produce(client, 'exp', pid, 0, 5, ['gap'])).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await describe1(client, 'exp'))[0]!.activeProducers).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    // Expired: the producer id is unknown again, so any sequence starts it afresh (Kafka 4).
    expect((await produce(client, 'exp', pid, 0, 5, ['after'])).errorCode).toBe(0);
    expect((await describe1(client, 'exp'))[0]!.activeProducers).toEqual([
      expect.objectContaining({ producerId: pid, lastSequence: 5 }),
    ]);
  });

  it("is a broker config with Kafka's default", () => {
    const c = new BrokerConfig({});
    expect(c.producerIdExpirationMs).toBe(86400000);
    expect(new BrokerConfig({ 'producer.id.expiration.ms': '1000' }).producerIdExpirationMs).toBe(1000);
    expect(() => new BrokerConfig({ 'producer.id.expiration.ms': 'abc' })).toThrow();
  });
});
