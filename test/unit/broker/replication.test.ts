// Replication between three in-process brokers following one in-process
// controller, with the replica manager: acks=all waits for the followers,
// followers hold the leader's bytes, consumers see only replicated records,
// lagging followers leave and rejoin the ISR, min.insync.replicas, a
// former leader's unreplicated history is truncated away, and after a leader
// change acks=all answers without waiting for a follower's long poll.
// replica.fetch.wait.max.ms is long here (FETCH_WAIT_MS): progress must come
// from wake-ups, never from a long poll running out.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../../core/broker/broker.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { ReplicaManager } from '../../../core/broker/replica-manager.ts';
import { Controller } from '../../../core/cluster/controller.ts';
import { InProcessChannel } from '../../../core/cluster/in-process-channel.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { buildRecordBatch, decodeAllRecords } from '../../../core/protocol/record-batch.ts';
import * as ct from '../../../core/protocol/messages/create-topics.ts';
import * as ofle from '../../../core/protocol/messages/offset-for-leader-epoch.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';

const LAG_MS = 1500;
const FETCH_WAIT_MS = 4000;
const CreateTopics = {
  apiKey: 19,
  flexibleMin: 5,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};
const OffsetForLeaderEpoch = {
  apiKey: 23,
  flexibleMin: 4,
  encode: ofle.encodeOffsetForLeaderEpochRequest,
  decode: ofle.decodeOffsetForLeaderEpochResponse,
};

let dataDir: string;
let controller: Controller;
const brokers = new Map<number, Broker>();
const clients: KafkaClient[] = [];
const logged: string[] = [];

function startBroker(id: number): Promise<{ host: string; port: number }> {
  const b = new Broker({
    brokerId: id,
    port: 0,
    dataDir,
    config: new BrokerConfig({ 'node.id': String(id), 'replica.lag.time.max.ms': String(LAG_MS) }),
    controller: new InProcessChannel(controller),
    log: (m) => logged.push(m),
    replication: (broker) => ReplicaManager.forBroker(broker, { fetch: { backoffMs: 100, waitMaxMs: FETCH_WAIT_MS } }),
  });
  brokers.set(id, b);
  return b.start();
}

const rm = (id: number) => brokers.get(id)!.replication as ReplicaManager;

async function client(id: number): Promise<KafkaClient> {
  const c = await KafkaClient.connect(brokers.get(id)!.advertisedPort);
  clients.push(c);
  return c;
}

async function eventually(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A 1-partition RF 3 topic; `replicas` places it (the first is the preferred leader). */
async function createTopic(name: string, configs: Record<string, string> = {}, replicas?: number[]): Promise<void> {
  const c = await client(1);
  const res = await c.send(CreateTopics, 7, {
    topics: [
      {
        name,
        numPartitions: replicas ? -1 : 1,
        replicationFactor: replicas ? -1 : 3,
        assignments: replicas ? [{ partitionIndex: 0, brokerIds: replicas }] : [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(res.topics[0]!.errorCode).toBe(0);
  await eventually(
    () =>
      [...brokers.values()].every((b) => {
        const p = b.topics.partition(name, 0);
        return p !== undefined && p.leader >= 0 && rm(b.brokerId).state(p)?.role !== undefined;
      }),
    10_000,
    `${name} on every broker`,
  );
}

const part = (id: number, topic: string) => brokers.get(id)!.topics.partition(topic, 0)!;
const anyBroker = () => [...brokers.values()][0]!;
const leaderOf = (topic: string) => anyBroker().topics.partition(topic, 0)!.leader;
const followersOf = (topic: string) => [1, 2, 3].filter((id) => id !== leaderOf(topic));

function records(n: number, tag: string): Buffer {
  return buildRecordBatch(
    Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${tag}-${i}`, timestamp: Date.now() })),
  );
}

async function produce(id: number, topic: string, acks: number, n = 5, tag = 'v', timeoutMs = 10_000) {
  const c = await client(id);
  const res = await c.send(Api.Produce, 11, {
    transactionalId: null,
    acks,
    timeoutMs,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: records(n, tag) }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

async function consumerFetch(id: number, topic: string, offset: number, maxWaitMs = 0) {
  const c = await client(id);
  const res = await c.send(Api.Fetch, 13, {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topicId: part(id, topic).topicId,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const pd = res.responses[0]!.partitions[0]!;
  return {
    ...pd,
    offsets: pd.records && pd.records.length > 0 ? decodeAllRecords(pd.records).map((r) => r.offset) : [],
  };
}

function logBytes(id: number, topic: string): Buffer {
  const dir = part(id, topic).log.dir;
  return Buffer.concat(
    readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => readFileSync(join(dir, f))),
  );
}

async function inSync(topic: string): Promise<void> {
  await eventually(
    () => {
      const l = part(leaderOf(topic), topic).log;
      return [1, 2, 3].every(
        (id) =>
          part(id, topic).log.logEndOffset === l.logEndOffset && part(id, topic).log.highWatermark === l.logEndOffset,
      );
    },
    10_000,
    `${topic} replicated everywhere`,
  );
  for (const id of [1, 2, 3]) await part(id, topic).log.writesIdle();
}

const isrOf = (topic: string) => [...controllerPartition(topic).isr].sort();
function controllerPartition(topic: string) {
  const t = anyBroker().topics.get(topic)!;
  return controller.partitions(t.topicId)[0]!;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-replication-'));
  controller = Controller.open(dataDir, new BrokerConfig());
  await Promise.all([1, 2, 3].map((id) => startBroker(id)));
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.socket.destroy();
  for (const b of brokers.values()) await b.stop();
  controller?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('replication factor 3', () => {
  it('acks=all answers once the followers have the records; their logs are byte-identical to the leader', async () => {
    await createTopic('r1');
    const leader = leaderOf('r1');
    expect(isrOf('r1')).toEqual([1, 2, 3]);
    let end = 0;
    for (let i = 0; i < 5; i++) {
      const r = await produce(leader, 'r1', -1, 5, `b${i}`);
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.baseOffset).toBe(end);
      end += 5;
      // The answer came after the high watermark passed the write: every follower has it.
      for (const f of followersOf('r1')) expect(part(f, 'r1').log.logEndOffset).toBeGreaterThanOrEqual(end);
      expect(part(leader, 'r1').log.highWatermark).toBeGreaterThanOrEqual(end);
    }
    await inSync('r1');
    const bytes = logBytes(leader, 'r1');
    expect(bytes.length).toBeGreaterThan(0);
    for (const f of followersOf('r1')) {
      expect(logBytes(f, 'r1').equals(bytes)).toBe(true);
      expect(part(f, 'r1').log.leaderEpochs.entries).toEqual(part(leader, 'r1').log.leaderEpochs.entries);
    }
  }, 30_000);

  it('consumers see records only once replicated; a parked consumer fetch wakes when the high watermark moves', async () => {
    await createTopic('r2');
    const leader = leaderOf('r2');
    for (const f of followersOf('r2')) rm(f).pauseFetching(true);
    try {
      const r = await produce(leader, 'r2', 1, 4);
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(part(leader, 'r2').log.logEndOffset).toBe(4);
      const now = await consumerFetch(leader, 'r2', 0);
      expect(now.errorCode).toBe(ErrorCode.NONE);
      expect(now.highWatermark).toBe(0);
      expect(now.offsets).toEqual([]);
      // A follower is not where consumers read.
      expect((await consumerFetch(followersOf('r2')[0]!, 'r2', 0)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const parked = consumerFetch(leader, 'r2', 0, 8000);
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      for (const f of followersOf('r2')) rm(f).pauseFetching(false);
      const woke = await parked;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(woke.highWatermark).toBe(4);
      expect(woke.offsets).toEqual([0, 1, 2, 3]);
    } finally {
      for (const f of followersOf('r2')) rm(f).pauseFetching(false);
    }
  }, 30_000);

  it('a stopped follower leaves the ISR after replica.lag.time.max.ms and rejoins after catching up; min.insync.replicas is enforced', async () => {
    await createTopic('r3', { 'min.insync.replicas': '3' });
    const leader = leaderOf('r3');
    const [f1, f2] = followersOf('r3') as [number, number];
    expect((await produce(leader, 'r3', -1, 2)).errorCode).toBe(ErrorCode.NONE);
    rm(f2).pauseFetching(true);
    try {
      // acks=all waits for the lagging in-sync follower until it is dropped; then the ISR is
      // below min.insync.replicas=3: NOT_ENOUGH_REPLICAS_AFTER_APPEND (the write stays).
      const started = Date.now();
      const r = await produce(leader, 'r3', -1, 3, 'late', 20_000);
      expect(r.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
      expect(Date.now() - started).toBeGreaterThanOrEqual(LAG_MS - 100);
      await eventually(() => isrOf('r3').length === 2, 10_000, 'ISR shrink committed');
      expect(isrOf('r3')).toEqual([leader, f1].sort());
      expect(part(leader, 'r3').log.highWatermark).toBe(5);
      // Now refused before appending.
      expect((await produce(leader, 'r3', -1, 1)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
      expect(part(leader, 'r3').log.logEndOffset).toBe(5);
      // acks=1 still works, and the two in-sync replicas move the high watermark.
      expect((await produce(leader, 'r3', 1, 2)).errorCode).toBe(ErrorCode.NONE);
      await eventually(
        () => part(leader, 'r3').log.highWatermark === 7,
        5000,
        'high watermark without the lagging follower',
      );
    } finally {
      rm(f2).pauseFetching(false);
    }
    await eventually(() => isrOf('r3').length === 3, 10_000, 'ISR expansion');
    expect(part(f2, 'r3').log.logEndOffset).toBe(7);
    expect((await produce(leader, 'r3', -1, 1)).errorCode).toBe(ErrorCode.NONE);
    await inSync('r3');
    expect(logBytes(f2, 'r3').equals(logBytes(leader, 'r3'))).toBe(true);
  }, 40_000);

  it('min.insync.replicas=2 with the leader alone in the ISR: NOT_ENOUGH_REPLICAS', async () => {
    await createTopic('r4', { 'min.insync.replicas': '2' });
    const leader = leaderOf('r4');
    for (const f of followersOf('r4')) rm(f).pauseFetching(true);
    try {
      await produce(leader, 'r4', 1, 1);
      await eventually(() => isrOf('r4').length === 1, 10_000, 'ISR of the leader alone');
      expect((await produce(leader, 'r4', -1, 1)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
      // The leader alone: its writes are the high watermark at once.
      expect((await produce(leader, 'r4', 1, 1)).errorCode).toBe(ErrorCode.NONE);
      expect(part(leader, 'r4').log.highWatermark).toBe(2);
    } finally {
      for (const f of followersOf('r4')) rm(f).pauseFetching(false);
    }
    await eventually(() => isrOf('r4').length === 3, 10_000, 'ISR back to three');
    expect((await produce(leader, 'r4', -1, 1)).errorCode).toBe(ErrorCode.NONE);
  }, 30_000);

  it('a fetch from a follower gets NOT_LEADER_OR_FOLLOWER with the current leader (v12+) and its endpoint (v16+)', async () => {
    const leader = leaderOf('r1');
    const follower = followersOf('r1')[0]!;
    const c = await client(follower);
    const res = await c.send(Api.Fetch, 16, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topicId: part(follower, 'r1').topicId,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const pd = res.responses[0]!.partitions[0]!;
    expect(pd.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(pd.currentLeader).toEqual({ leaderId: leader, leaderEpoch: part(leader, 'r1').leaderEpoch });
    expect(res.nodeEndpoints).toEqual([
      { nodeId: leader, host: '127.0.0.1', port: brokers.get(leader)!.advertisedPort, rack: null },
    ]);
    expect(pd.records === null || pd.records.length === 0).toBe(true);
  });

  it('OffsetForLeaderEpoch: the leader answers from its epoch history, others refuse', async () => {
    const leader = leaderOf('r1');
    const epoch = part(leader, 'r1').leaderEpoch;
    const ask = async (id: number, leaderEpoch: number, currentLeaderEpoch = -1) => {
      const res = await (
        await client(id)
      ).send(OffsetForLeaderEpoch, 4, {
        replicaId: -1,
        topics: [{ topic: 'r1', partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
      });
      return res.topics[0]!.partitions[0]!;
    };
    expect(await ask(leader, epoch)).toMatchObject({
      errorCode: 0,
      leaderEpoch: epoch,
      endOffset: part(leader, 'r1').log.logEndOffset,
    });
    expect(await ask(leader, epoch + 5)).toMatchObject({ errorCode: 0, leaderEpoch: -1, endOffset: -1 });
    expect((await ask(leader, epoch, epoch + 1)).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    if (epoch > 0) expect((await ask(leader, epoch, epoch - 1)).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect((await ask(followersOf('r1')[0]!, epoch)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const unknown = await (
      await client(leader)
    ).send(OffsetForLeaderEpoch, 4, {
      replicaId: -1,
      topics: [{ topic: 'nope', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    });
    expect(unknown.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('after a failover the new leader answers an idempotent retry with the original offsets (no duplicate)', async () => {
    await createTopic('r6');
    const old = leaderOf('r6');
    const batch = (seq: number) =>
      buildRecordBatch(
        [
          { key: 'k', value: `idem-${seq}`, timestamp: Date.now() },
          { key: 'k', value: `idem-${seq}b`, timestamp: Date.now() },
        ],
        { producerId: 4711, producerEpoch: 0, baseSequence: seq },
      );
    const send = async (id: number, records: Buffer) =>
      (
        await (
          await client(id)
        ).send(Api.Produce, 11, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 10_000,
          topicData: [{ name: 'r6', partitionData: [{ index: 0, records }] }],
        })
      ).responses[0]!.partitionResponses[0]!;
    expect((await send(old, batch(0))).baseOffset).toBe(0);
    expect((await send(old, batch(2))).baseOffset).toBe(2);
    await brokers.get(old)!.stop();
    brokers.delete(old);
    await eventually(
      () => controllerPartition('r6').leader !== old && controllerPartition('r6').leader >= 0,
      10_000,
      'new leader',
    );
    const next = controllerPartition('r6').leader;
    await eventually(() => part(next, 'r6').leader === next, 10_000, 'new leader applied');
    // The producer's retry of its last batch (its answer was lost in the failover).
    const retry = await send(next, batch(2));
    expect(retry).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect(part(next, 'r6').log.logEndOffset).toBe(4);
    // And the next batch continues the sequence.
    expect(await send(next, batch(4))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
    expect((await send(next, batch(9))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    await startBroker(old);
    await eventually(() => isrOf('r6').length === 3, 15_000, 'old leader back in the ISR');
  }, 60_000);

  it('after a leader change acks=all completes at once, though the remaining follower was parked in a long poll at the new leader', async () => {
    // Broker 1 leads r7; brokers 2 and 3 each lead a topic the other follows,
    // so whichever becomes r7's leader, the other already fetches from it.
    await createTopic('r7', { 'min.insync.replicas': '2' }, [1, 2, 3]);
    await createTopic('r7b', {}, [2, 3, 1]);
    await createTopic('r7c', {}, [3, 2, 1]);
    expect(leaderOf('r7')).toBe(1);
    expect((await produce(1, 'r7', -1, 2)).errorCode).toBe(ErrorCode.NONE);
    await inSync('r7');
    // Fresh long polls (FETCH_WAIT_MS) from 2 and 3 at each other, parked on r7b / r7c only.
    for (const [t, l] of [
      ['r7b', 2],
      ['r7c', 3],
    ] as const)
      expect((await produce(l, t, -1, 1)).errorCode).toBe(ErrorCode.NONE);
    const t0 = Date.now();
    await brokers.get(1)!.stop();
    brokers.delete(1);
    await eventually(() => controllerPartition('r7').leader > 1, 10_000, 'new leader');
    const next = controllerPartition('r7').leader;
    const other = next === 2 ? 3 : 2;
    await eventually(
      () => part(next, 'r7').leader === next && part(other, 'r7').leader === next,
      10_000,
      'new leader applied',
    );
    expect(isrOf('r7')).toEqual([2, 3]);
    const started = Date.now();
    // Well inside the long poll the follower was parked in when r7 moved to its fetcher.
    expect(started - t0).toBeLessThan(FETCH_WAIT_MS / 2);
    const r = await produce(next, 'r7', -1, 3, 'after');
    const took = Date.now() - started;
    expect(r).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect(took).toBeLessThan(1000);
    expect(part(other, 'r7').log.logEndOffset).toBe(5);
    // And the next ones too: every leader append wakes the follower's parked fetch.
    for (let i = 0; i < 5; i++) {
      const s0 = Date.now();
      expect((await produce(next, 'r7', -1, 1, `more${i}`)).errorCode).toBe(ErrorCode.NONE);
      expect(Date.now() - s0).toBeLessThan(1000);
    }
    await startBroker(1);
    await eventually(() => isrOf('r7').length === 3, 15_000, 'broker 1 back in the ISR');
  }, 60_000);

  it("a former leader's unreplicated records are truncated to the new leader's history", async () => {
    await createTopic('r5');
    const old = leaderOf('r5');
    const others = followersOf('r5');
    expect((await produce(old, 'r5', -1, 10, 'common')).errorCode).toBe(ErrorCode.NONE);
    await inSync('r5');
    const oldEpoch = part(old, 'r5').leaderEpoch;
    // The followers stop fetching: the leader's next records exist only on it.
    for (const f of others) rm(f).pauseFetching(true);
    expect((await produce(old, 'r5', 1, 5, 'lost')).errorCode).toBe(ErrorCode.NONE);
    expect(part(old, 'r5').log.logEndOffset).toBe(15);
    // The leader shuts down (controlled): leadership moves to an in-sync follower, epoch + 1.
    // (It does not fetch meanwhile: its log keeps the records only it has until it comes back.)
    rm(old).pauseFetching(true);
    await brokers.get(old)!.stop();
    brokers.delete(old);
    for (const f of others) rm(f).pauseFetching(false);
    await eventually(
      () => controllerPartition('r5').leader !== old && controllerPartition('r5').leader >= 0,
      10_000,
      'new leader',
    );
    const next = controllerPartition('r5').leader;
    await eventually(() => part(next, 'r5').leader === next, 10_000, 'new leader applied');
    expect(part(next, 'r5').leaderEpoch).toBeGreaterThan(oldEpoch);
    expect((await produce(next, 'r5', -1, 3, 'new')).errorCode).toBe(ErrorCode.NONE);
    expect(part(next, 'r5').log.logEndOffset).toBe(13);
    // The old leader comes back with offsets 10..14 of its old epoch: it must end with the new history.
    logged.length = 0;
    await startBroker(old);
    await eventually(
      () => part(old, 'r5').log.logEndOffset === 13 && part(old, 'r5').log.highWatermark === 13,
      15_000,
      'old leader caught up',
    );
    await part(old, 'r5').log.writesIdle();
    await part(next, 'r5').log.writesIdle();
    // Cut at the end of its old epoch in the new leader's history (OffsetForLeaderEpoch), then fetched.
    expect(
      logged.filter((m) => m.includes('truncating')),
      logged.join('\n'),
    ).toContain(`[broker ${old}] truncating r5-0 from 15 to 10 (leader ${next}, epoch ${oldEpoch} ends at 10)`);
    expect(logBytes(old, 'r5').equals(logBytes(next, 'r5'))).toBe(true);
    expect(part(old, 'r5').log.leaderEpochs.entries).toEqual(part(next, 'r5').log.leaderEpochs.entries);
    const tail = decodeAllRecords(logBytes(old, 'r5'))
      .slice(10)
      .map((r) => r.value?.toString());
    expect(tail).toEqual(['new-0', 'new-1', 'new-2']);
    await eventually(() => isrOf('r5').length === 3, 10_000, 'old leader back in the ISR');
  }, 60_000);
});
