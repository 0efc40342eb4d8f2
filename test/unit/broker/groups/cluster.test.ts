// Consumer groups in a cluster: three in-process brokers following one
// in-process controller, with the replica manager. A group's coordinator is
// the leader of its `__consumer_offsets` partition: every broker's
// FindCoordinator names it, the others answer NOT_COORDINATOR, commits are on
// every in-sync replica before they are answered, and when that broker stops
// (controlled shutdown) the group moves to the new leader with its committed
// offsets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { Broker } from '../../../../core/broker/broker.ts';
import { BrokerConfig } from '../../../../core/broker/configs.ts';
import { ReplicaManager } from '../../../../core/broker/replica-manager.ts';
import { partitionForGroup } from '../../../../core/broker/group/group-log.ts';
import { Controller } from '../../../../core/cluster/controller.ts';
import { InProcessChannel } from '../../../../core/cluster/in-process-channel.ts';
import { ErrorCode } from '../../../../core/protocol/errors.ts';
import { KafkaClient } from '../../../helpers/kafka-client.ts';
import { G } from './group-harness.ts';

const { Kafka, logLevel } = kafkajs;
const OFFSETS_PARTITIONS = 5;
const TOPIC = 'orders';
const GROUP = 'billing';

let dataDir: string;
let controller: Controller;
const brokers = new Map<number, Broker>();
const clients: KafkaClient[] = [];
const logged: string[] = [];

function config(id: number): BrokerConfig {
  return new BrokerConfig({
    'node.id': String(id),
    'offsets.topic.num.partitions': String(OFFSETS_PARTITIONS),
    'group.initial.rebalance.delay.ms': '0',
    'group.min.session.timeout.ms': '100',
  });
}

async function startBroker(id: number): Promise<void> {
  const b = new Broker({
    brokerId: id,
    port: 0,
    dataDir,
    config: config(id),
    controller: new InProcessChannel(controller),
    log: (m) => logged.push(m),
    replication: (broker) => ReplicaManager.forBroker(broker, { fetch: { backoffMs: 100 } }),
  });
  brokers.set(id, b);
  await b.start();
}

async function client(id: number): Promise<KafkaClient> {
  const c = await KafkaClient.connect(brokers.get(id)!.advertisedPort);
  clients.push(c);
  return c;
}

function kafka(bootstrapId: number) {
  return new Kafka({
    clientId: 'group-cluster-test',
    brokers: [`127.0.0.1:${brokers.get(bootstrapId)!.advertisedPort}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

async function eventually<T>(
  get: () => T | false | undefined | Promise<T | false | undefined>,
  ms = 15_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The controller's record of the group's `__consumer_offsets` partition. */
function offsetsPartition() {
  const t = controller.topic('__consumer_offsets');
  if (!t) return undefined;
  return controller.partitions(t.topicId)[partitionForGroup(GROUP, OFFSETS_PARTITIONS)];
}

async function findCoordinator(id: number) {
  const c = await client(id);
  return c
    .send(G.FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: [GROUP] })
    .then((r) => r.coordinators[0]!);
}

async function committed(id: number): Promise<{ errorCode: number; offsets: number[] }> {
  const c = await client(id);
  const r = await c.send(G.OffsetFetch, 8, {
    groupId: '',
    topics: null,
    requireStable: false,
    groups: [{ groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }] }],
  });
  const g = r.groups[0]!;
  return { errorCode: g.errorCode, offsets: g.topics[0]?.partitions.map((p) => p.committedOffset) ?? [] };
}

async function produce(from: number, values: string[]): Promise<void> {
  const producer = kafka(from).producer();
  await producer.connect();
  try {
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: values.map((v, i) => ({ key: `k${i}`, value: v, partition: i % 3 })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Runs a kafkajs consumer of GROUP until `count` messages arrived; commits them; returns the values. */
async function consume(from: number, count: number): Promise<string[]> {
  const consumer = kafka(from).consumer({
    groupId: GROUP,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    rebalanceTimeout: 6000,
  });
  const got: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            got.push(message.value!.toString());
            await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
            if (got.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-group-cluster-'));
  controller = Controller.open(dataDir, config(0));
  await Promise.all([1, 2, 3].map((id) => startBroker(id)));
  const admin = kafka(1).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const b of brokers.values()) await b.stop();
  controller?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('consumer groups across three brokers', () => {
  let firstLeader = -1;

  it("every broker names the leader of the group's __consumer_offsets partition; the others answer NOT_COORDINATOR", async () => {
    // The first FindCoordinator creates __consumer_offsets (replication factor 3); clients retry meanwhile.
    await eventually(async () => (await findCoordinator(2)).errorCode === ErrorCode.NONE, 20_000, 'a coordinator');
    const p = await eventually(() => offsetsPartition(), 5000, '__consumer_offsets');
    expect(p.replicas).toHaveLength(3);
    firstLeader = p.leader;
    expect(firstLeader).toBeGreaterThan(0);
    for (const id of [1, 2, 3]) {
      const c = await findCoordinator(id);
      expect(c).toMatchObject({
        errorCode: ErrorCode.NONE,
        nodeId: firstLeader,
        host: '127.0.0.1',
        port: brokers.get(firstLeader)!.advertisedPort,
      });
    }
    for (const id of [1, 2, 3]) {
      expect((await committed(id)).errorCode).toBe(id === firstLeader ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR);
    }
    // Each broker coordinates the partitions it leads, and only those.
    const t = controller.topic('__consumer_offsets')!;
    for (const id of [1, 2, 3]) {
      const led = controller
        .partitions(t.topicId)
        .filter((x) => x.leader === id)
        .map((x) => x.partition);
      await eventually(
        () => JSON.stringify(brokers.get(id)!.groups.ledPartitions()) === JSON.stringify(led),
        5000,
        `broker ${id} leads ${led}`,
      );
    }
  }, 40_000);

  it('a kafkajs group commits through the leader; the commits are on every replica', async () => {
    await produce(
      1,
      Array.from({ length: 30 }, (_, i) => `a${i}`),
    );
    const got = await consume(1, 30);
    expect(new Set(got).size).toBe(30);
    expect(await committed(firstLeader)).toEqual({ errorCode: ErrorCode.NONE, offsets: [10, 10, 10] });
    // acks=all: the followers' copies of the group's partition reach the leader's end.
    const idx = partitionForGroup(GROUP, OFFSETS_PARTITIONS);
    const end = brokers.get(firstLeader)!.topics.partition('__consumer_offsets', idx)!.log.logEndOffset;
    expect(end).toBeGreaterThan(0);
    for (const id of [1, 2, 3]) {
      expect(brokers.get(id)!.topics.partition('__consumer_offsets', idx)!.log.logEndOffset).toBe(end);
    }
  }, 60_000);

  it("after the coordinator's broker stops, the group moves to the new leader with its committed offsets", async () => {
    await brokers.get(firstLeader)!.stop();
    brokers.delete(firstLeader);
    const survivor = [...brokers.keys()][0]!;
    const moved = await eventually(
      async () => {
        const c = await findCoordinator(survivor);
        return c.errorCode === ErrorCode.NONE && c.nodeId !== firstLeader && c;
      },
      20_000,
      'a new coordinator',
    );
    expect(brokers.has(moved.nodeId)).toBe(true);
    expect(moved.port).toBe(brokers.get(moved.nodeId)!.advertisedPort);
    expect(offsetsPartition()!.leader).toBe(moved.nodeId);
    // The new leader loaded the partition: the commits made through the old one are there.
    const fetched = await eventually(
      async () => {
        const r = await committed(moved.nodeId);
        return r.errorCode === ErrorCode.NONE && r;
      },
      10_000,
      'offsets on the new coordinator',
    );
    expect(fetched.offsets).toEqual([10, 10, 10]);
    const other = [...brokers.keys()].find((id) => id !== moved.nodeId)!;
    expect((await committed(other)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);

    // A consumer of the group resumes after the committed offsets: only the new records.
    await produce(
      survivor,
      Array.from({ length: 9 }, (_, i) => `b${i}`),
    );
    const got = await consume(survivor, 9);
    expect(got.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `b${i}`).sort());
    expect((await committed(moved.nodeId)).offsets).toEqual([13, 13, 13]);
  }, 60_000);
});
