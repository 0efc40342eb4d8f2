// Three in-process brokers on OS-chosen ports following one in-process
// controller (each through its own InProcessChannel) in one data dir: topics
// created through a real client are placed on all three, every broker answers
// Metadata alike, only leaders take writes, and deletion reaches every broker.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { Broker } from '../../../core/broker/broker.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { Controller } from '../../../core/cluster/controller.ts';
import { InProcessChannel } from '../../../core/cluster/in-process-channel.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { buildRecordBatch } from '../../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';
import type { ControllerChannel, ForwardContext } from '../../../core/metadata/controller-channel.ts';
import * as ct from '../../../core/protocol/messages/create-topics.ts';
import * as lpr from '../../../core/protocol/messages/list-partition-reassignments.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};
const ListReassignments = {
  apiKey: 46,
  flexibleMin: lpr.ListPartitionReassignmentsRequestVersions.flexibleMin,
  encode: lpr.encodeListPartitionReassignmentsRequest,
  decode: lpr.decodeListPartitionReassignmentsResponse,
};

/** Broker 2's channel: forwarded admin requests fail while `down` (the controller unreachable). */
class FlakyChannel extends InProcessChannel {
  down = false;
  override forward(apiKey: number, apiVersion: number, request: unknown, ctx: ForwardContext): Promise<unknown> {
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED'));
    return super.forward(apiKey, apiVersion, request, ctx);
  }
}
let flaky: FlakyChannel;

const { Kafka, logLevel } = kafkajs;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

let dataDir: string;
let controller: Controller;
const brokers: Broker[] = [];
const ports = new Map<number, number>();
const clients: KafkaClient[] = [];

async function client(id: number): Promise<KafkaClient> {
  const c = await KafkaClient.connect(ports.get(id)!);
  clients.push(c);
  return c;
}

function metadata(c: KafkaClient, topic: string) {
  return c.send(Api.Metadata, 12, {
    topics: [{ topicId: ZERO_UUID, name: topic }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
}

function kafka() {
  return new Kafka({
    clientId: 'multi-broker-test',
    brokers: [`127.0.0.1:${ports.get(1)}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
}

async function eventually(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-multi-'));
  controller = Controller.open(dataDir, new BrokerConfig());
  flaky = new FlakyChannel(controller);
  for (const id of [1, 2, 3]) {
    const channel: ControllerChannel = id === 2 ? flaky : new InProcessChannel(controller);
    brokers.push(
      new Broker({
        brokerId: id,
        port: 0,
        dataDir,
        config: new BrokerConfig({ 'node.id': String(id) }),
        controller: channel,
        log: (m) => {
          if (!m.includes('ECONNREFUSED')) console.error(m);
        },
      }),
    );
  }
  const addrs = await Promise.all(brokers.map((b) => b.start()));
  addrs.forEach((a, i) => ports.set(i + 1, a.port));
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.socket.destroy();
  for (const b of brokers) await b.stop();
  controller?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('three brokers, one controller', () => {
  const topic = 'replicated';

  it('creates a topic with replication factor 3 through kafkajs; every broker describes it alike', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true }),
      ).toBe(true);
    } finally {
      await admin.disconnect();
    }
    const answers = await Promise.all([1, 2, 3].map(async (id) => metadata(await client(id), topic)));
    for (const res of answers) {
      expect(res.controllerId).toBe(1);
      expect(res.brokers.map((b) => [b.nodeId, b.port]).sort()).toEqual([
        [1, ports.get(1)],
        [2, ports.get(2)],
        [3, ports.get(3)],
      ]);
      const t = res.topics[0]!;
      expect(t.errorCode).toBe(0);
      expect(t.partitions).toHaveLength(3);
      for (const p of t.partitions) {
        expect(p.errorCode).toBe(0);
        expect([...p.replicaNodes].sort()).toEqual([1, 2, 3]);
        expect([...p.isrNodes].sort()).toEqual([1, 2, 3]);
        expect(p.replicaNodes).toContain(p.leaderId);
        expect(p.offlineReplicas).toEqual([]);
      }
    }
    const view = (i: number) =>
      answers[i]!.topics[0]!.partitions.map((p) => [
        p.partitionIndex,
        p.leaderId,
        p.leaderEpoch,
        p.replicaNodes,
        p.isrNodes,
      ]);
    expect(view(1)).toEqual(view(0));
    expect(view(2)).toEqual(view(0));
    // Placement spreads the leaders: each broker leads one of the three partitions.
    expect(answers[0]!.topics[0]!.partitions.map((p) => p.leaderId).sort()).toEqual([1, 2, 3]);
    // Every replica has the partition's log; each broker's own view agrees.
    for (const b of brokers) {
      for (let p = 0; p < 3; p++) {
        expect(existsSync(join(dataDir, `broker-${b.brokerId}`, `${topic}-${p}`, 'partition.metadata'))).toBe(true);
        const state = b.topics.partition(topic, p)!;
        expect(state.leader).toBe(answers[0]!.topics[0]!.partitions[p]!.leaderId);
        expect([...state.isr].sort()).toEqual([1, 2, 3]);
      }
    }
  });

  it('only the leader takes writes: others answer NOT_LEADER_OR_FOLLOWER with the current leader and its endpoint', async () => {
    const md = await metadata(await client(1), topic);
    const p0 = md.topics[0]!.partitions.find((p) => p.partitionIndex === 0)!;
    const leader = p0.leaderId;
    const other = [1, 2, 3].find((id) => id !== leader)!;
    const records = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: Date.now() }]);
    const produce = async (id: number) =>
      (await client(id)).send(Api.Produce, 11, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
      });

    const refused = await produce(other);
    const pr = refused.responses[0]!.partitionResponses[0]!;
    expect(pr.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(pr.currentLeader).toEqual({ leaderId: leader, leaderEpoch: p0.leaderEpoch });
    expect(refused.nodeEndpoints).toEqual([{ nodeId: leader, host: '127.0.0.1', port: ports.get(leader), rack: null }]);
    expect(brokers[other - 1]!.topics.partition(topic, 0)!.log.logEndOffset).toBe(0);

    const accepted = await produce(leader);
    expect(accepted.responses[0]!.partitionResponses[0]!).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(accepted.nodeEndpoints).toEqual([]);

    // ListOffsets is for the leader too.
    const lo = async (id: number) =>
      (await client(id)).send(Api.ListOffsets, 8, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
      });
    expect((await lo(other)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await lo(leader)).topics[0]!.partitions[0]!).toMatchObject({ errorCode: 0, offset: 1 });
  });

  it('a real producer routes every record to its partition leader', async () => {
    const producer = kafka().producer();
    await producer.connect();
    try {
      const res = await producer.send({
        topic,
        acks: 1,
        messages: [0, 1, 2].flatMap((p) =>
          Array.from({ length: 5 }, (_, i) => ({ partition: p, key: `k${i}`, value: `v${p}-${i}` })),
        ),
      });
      expect(res.every((r) => r.errorCode === 0)).toBe(true);
    } finally {
      await producer.disconnect();
    }
    const md = await metadata(await client(2), topic);
    for (const p of md.topics[0]!.partitions) {
      const leaderLog = brokers[p.leaderId - 1]!.topics.partition(topic, p.partitionIndex)!.log;
      expect(leaderLog.logEndOffset).toBe(p.partitionIndex === 0 ? 6 : 5);
    }
  });

  it('deleting the topic removes its partition directories on all three brokers', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
    const dirs = brokers.flatMap((b) => [0, 1, 2].map((p) => join(dataDir, `broker-${b.brokerId}`, `${topic}-${p}`)));
    await eventually(() => dirs.every((d) => !existsSync(d)));
    for (const d of dirs) expect(existsSync(d)).toBe(false);
    for (const b of brokers) expect(b.topics.get(topic)).toBeUndefined();
    const md = await metadata(await client(3), topic);
    expect(md.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('admin requests reach the controller through any broker, and fail with REQUEST_TIMED_OUT when it cannot be reached', async () => {
    const c = await client(2);
    const create = () =>
      c.send(CreateTopics, 7, {
        topics: [{ name: 'via-2', numPartitions: 2, replicationFactor: 2, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      });
    const list = () => c.send(ListReassignments, 0, { timeoutMs: 5000, topics: null });
    flaky.down = true;
    try {
      const refused = await create();
      expect(refused.topics[0]).toMatchObject({ name: 'via-2', errorCode: ErrorCode.REQUEST_TIMED_OUT });
      expect((await list()).errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    } finally {
      flaky.down = false;
    }
    expect(brokers.every((b) => b.topics.get('via-2') === undefined)).toBe(true);
    const created = await create();
    expect(created.topics[0]).toMatchObject({ name: 'via-2', errorCode: 0, numPartitions: 2, replicationFactor: 2 });
    // The controller answered once every live broker had the topic.
    for (const b of brokers) expect(b.topics.get('via-2')?.numPartitions).toBe(2);
    const hosted = brokers.reduce(
      (n, b) => n + b.topics.get('via-2')!.partitions.filter((p) => p !== undefined).length,
      0,
    );
    expect(hosted).toBe(4);
    expect(await list()).toMatchObject({ errorCode: 0, topics: [] });
  });

  it('a stopped broker leaves the broker list and its leaderships move to the others', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: 'moving', numPartitions: 3, replicationFactor: 2 }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    await brokers[2]!.stop();
    const c = await client(1);
    await eventually(() => brokers[0]!.image.liveBrokers().length === 2);
    const md = await metadata(c, 'moving');
    expect(md.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2]);
    for (const p of md.topics[0]!.partitions) {
      expect(p.errorCode).toBe(0);
      expect([1, 2]).toContain(p.leaderId);
      expect(p.isrNodes).not.toContain(3);
      expect(p.offlineReplicas).toEqual(p.replicaNodes.includes(3) ? [3] : []);
    }
  });
});
