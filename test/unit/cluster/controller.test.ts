// The controller through its in-process channel: registration and unfencing,
// snapshot and deltas, long polls, the forwarded admin requests with Kafka's
// errors, the wait for brokers to apply a change, and the metadata store's
// migration of a single-broker database.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { Controller } from '../../../core/cluster/controller.ts';
import { InProcessChannel } from '../../../core/cluster/in-process-channel.ts';
import { MetadataStore } from '../../../core/cluster/metadata-store.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type * as ac from '../../../core/protocol/messages/alter-configs.ts';
import type * as cp from '../../../core/protocol/messages/create-partitions.ts';
import type * as ct from '../../../core/protocol/messages/create-topics.ts';
import type * as dt from '../../../core/protocol/messages/delete-topics.ts';
import type * as iac from '../../../core/protocol/messages/incremental-alter-configs.ts';
import { makeTmpDir } from '../../helpers/tmp.ts';
import { FakeBroker, createTopicsRequest } from './cluster-harness.ts';

const open: Controller[] = [];
const brokers: FakeBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  for (const c of open.splice(0)) c.close();
});

function controller(overrides: Record<string, string> = {}, dir = makeTmpDir('samsa-coord-')): Controller {
  const c = Controller.open(dir, new BrokerConfig(overrides), { timers: false });
  open.push(c);
  return c;
}

async function startBrokers(c: Controller, ids: number[]): Promise<FakeBroker[]> {
  const out: FakeBroker[] = [];
  for (const id of ids) {
    const b = new FakeBroker(new InProcessChannel(c), id);
    await b.start();
    brokers.push(b);
    out.push(b);
  }
  return out;
}

const createTopics = (c: Controller, req: ct.CreateTopicsRequest, version = 7) =>
  c.forward(19, version, req, { clientId: 't' }) as Promise<ct.CreateTopicsResponseInput>;

describe('registration and metadata', () => {
  it('registers fenced, unfences once the broker has fetched up to the current seq', async () => {
    const c = controller();
    const b = new FakeBroker(new InProcessChannel(c), 1);
    expect(await b.register()).toBe(ErrorCode.NONE);
    expect(b.epoch).toBeGreaterThan(0);
    expect(c.broker(1)!.fenced).toBe(true);
    expect(c.liveBrokerIds()).toEqual([]);
    const d = await b.fetchOnce();
    expect(d.snapshot!.brokers.map((x) => [x.id, x.fenced])).toEqual([[1, true]]);
    expect(c.broker(1)!.fenced).toBe(true); // fromSeq 0 means nothing applied yet
    const hb = await b.heartbeat();
    expect(hb).toMatchObject({ errorCode: 0, isFenced: false });
    expect(c.liveBrokerIds()).toEqual([1]);
    // The unfencing is itself a change the broker sees.
    const d2 = await b.fetchOnce();
    expect(d2.changes).toContainEqual({ type: 'broker', broker: expect.objectContaining({ id: 1, fenced: false }) });
    // Another process with the same id is refused while this one's session lives.
    const other = new FakeBroker(new InProcessChannel(c), 1);
    expect(await other.register()).toBe(ErrorCode.DUPLICATE_BROKER_REGISTRATION);
    // The same process registering again gets a new epoch; the old epoch is stale.
    const old = b.epoch;
    expect(await b.register()).toBe(ErrorCode.NONE);
    expect(b.epoch).toBeGreaterThan(old);
    expect(
      (
        await b.channel.heartbeat({
          brokerId: 1,
          brokerEpoch: old,
          metadataOffset: 0,
          wantFence: false,
          wantShutDown: false,
        })
      ).errorCode,
    ).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(
      (
        await b.channel.heartbeat({
          brokerId: 7,
          brokerEpoch: 1,
          metadataOffset: 0,
          wantFence: false,
          wantShutDown: false,
        })
      ).errorCode,
    ).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED);
  });

  it('a heartbeat asking to stay fenced keeps the broker fenced', async () => {
    const c = controller();
    const b = new FakeBroker(new InProcessChannel(c), 1);
    await b.register();
    await b.fetchOnce();
    expect((await b.heartbeat({ wantFence: true })).isFenced).toBe(true);
    expect((await b.heartbeat()).isFenced).toBe(false);
  });

  it('serves a snapshot from 0 and deltas after a seq', async () => {
    const c = controller();
    const [b1] = await startBrokers(c, [1]);
    b1!.paused = true;
    const watcher = new FakeBroker(new InProcessChannel(c), 99); // not registered: reads only
    await watcher.fetchOnce();
    const before = watcher.seq;
    const res = await createTopics(
      c,
      createTopicsRequest([{ name: 'orders', numPartitions: 3, replicationFactor: 1 }], { timeoutMs: 0 }),
    );
    expect(res.topics![0]!.errorCode).toBe(0);
    const d = await watcher.fetchOnce();
    expect(d.snapshot).toBeUndefined();
    expect(d.seq).toBeGreaterThan(before);
    const topic = d.changes.find((x) => x.type === 'topic');
    expect(topic).toMatchObject({ topic: { name: 'orders', numPartitions: 3, replicationFactor: 1, internal: false } });
    const parts = d.changes.filter((x) => x.type === 'partition');
    expect(parts).toHaveLength(3);
    for (const p of parts)
      expect(p).toMatchObject({
        partition: { topic: 'orders', replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
      });
    // A fresh follower gets the same state as one snapshot.
    const fresh = new FakeBroker(new InProcessChannel(c), 98);
    const s = await fresh.fetchOnce();
    expect(s.seq).toBe(c.seq);
    expect(s.snapshot!.topics.map((t) => t.name)).toEqual(['orders']);
    expect(s.snapshot!.partitions).toHaveLength(3);
    expect(s.snapshot!.clusterId).toBe(c.clusterId);
  });

  it('a long poll waits for a change and wakes as soon as one is committed', async () => {
    const c = controller();
    const [b1] = await startBrokers(c, [1]);
    b1!.paused = true;
    const w = new FakeBroker(new InProcessChannel(c), 50);
    await w.fetchOnce();
    const t0 = Date.now();
    const empty = await w.fetchOnce(150);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(empty.changes).toEqual([]);
    const t1 = Date.now();
    const pending = w.fetchOnce(5000);
    setTimeout(() => {
      void c.forward(
        44,
        1,
        {
          validateOnly: false,
          resources: [
            {
              resourceType: 4,
              resourceName: '',
              configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1000' }],
            },
          ],
        },
        { clientId: null },
      );
    }, 50);
    const d = await pending;
    expect(Date.now() - t1).toBeLessThan(2000);
    expect(d.changes).toEqual([{ type: 'brokerConfigs', resource: '', configs: { 'log.retention.ms': '1000' } }]);
  });

  it('hands out producer id blocks of 1000 that survive a restart', async () => {
    const dir = makeTmpDir('samsa-coord-');
    const c = controller({}, dir);
    const [b] = await startBrokers(c, [1]);
    const a1 = await b!.channel.allocateProducerIds({ brokerId: 1, brokerEpoch: b!.epoch });
    const a2 = await b!.channel.allocateProducerIds({ brokerId: 1, brokerEpoch: b!.epoch });
    expect(a1).toEqual({ errorCode: 0, producerIdStart: 0, producerIdLen: 1000 });
    expect(a2.producerIdStart).toBe(1000);
    expect((await b!.channel.allocateProducerIds({ brokerId: 1, brokerEpoch: 12345 })).errorCode).toBe(
      ErrorCode.STALE_BROKER_EPOCH,
    );
    await b!.stop();
    brokers.splice(0);
    c.close();
    const c2 = controller({}, dir);
    const [b2] = await startBrokers(c2, [1]);
    expect((await b2!.channel.allocateProducerIds({ brokerId: 1, brokerEpoch: b2!.epoch })).producerIdStart).toBe(2000);
  });
});

describe('CreateTopics', () => {
  it('uses num.partitions and default.replication.factor for -1 and places replicas on live brokers', async () => {
    const c = controller({ 'num.partitions': '6', 'default.replication.factor': '2' });
    await startBrokers(c, [1, 2, 3]);
    const res = await createTopics(c, createTopicsRequest([{ name: 'a' }]));
    expect(res.topics![0]).toMatchObject({ errorCode: 0, numPartitions: 6, replicationFactor: 2 });
    const t = c.topic('a')!;
    expect(res.topics![0]!.topicId).toBe(t.topicId);
    const ps = c.partitions(t.topicId);
    expect(ps).toHaveLength(6);
    const leaderCount = new Map<number, number>();
    for (const p of ps) {
      expect(p.replicas).toHaveLength(2);
      expect(new Set(p.replicas).size).toBe(2);
      expect(p.isr).toEqual(p.replicas);
      expect(p.leader).toBe(p.replicas[0]);
      leaderCount.set(p.leader, (leaderCount.get(p.leader) ?? 0) + 1);
    }
    expect([...leaderCount.values()]).toEqual([2, 2, 2]);
    // v5+ answers carry the configs.
    expect(res.topics![0]!.configs!.find((x) => x.name === 'retention.ms')).toMatchObject({
      value: '604800000',
      configSource: 5,
    });
  });

  it("refuses a replication factor above the live brokers with Kafka's message", async () => {
    const c = controller();
    await startBrokers(c, [1, 2]);
    const res = await createTopics(c, createTopicsRequest([{ name: 'a', numPartitions: 1, replicationFactor: 3 }]));
    expect(res.topics![0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage:
        'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.',
    });
    const zero = await createTopics(c, createTopicsRequest([{ name: 'b', numPartitions: 1, replicationFactor: 0 }]));
    expect(zero.topics![0]!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    const parts = await createTopics(c, createTopicsRequest([{ name: 'b', numPartitions: 0, replicationFactor: 1 }]));
    expect(parts.topics![0]!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(c.topic('a')).toBeUndefined();
  });

  it('validates explicit assignments like Kafka', async () => {
    const c = controller();
    await startBrokers(c, [1, 2]);
    const asg = (xs: number[][]) => xs.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds }));
    const cases: [ct.CreateTopicsRequestCreatableTopic['assignments'], number, string][] = [
      [
        asg([[1, 1]]),
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Duplicate brokers not allowed in replica assignment: 1, 1 for partition id 0.',
      ],
      [asg([[1, 5]]), ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Unknown broker 5 in replica assignment for partition 0.'],
      [
        asg([[1, 2], [1]]),
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'All partitions should have the same number of replicas.',
      ],
      [
        [{ partitionIndex: 1, brokerIds: [1] }],
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Partitions should be a consecutive 0-based integer sequence.',
      ],
    ];
    for (const [assignments, code, message] of cases) {
      const r = await createTopics(c, createTopicsRequest([{ name: 'm', assignments }]));
      expect(r.topics![0]).toMatchObject({ errorCode: code, errorMessage: message });
    }
    const both = await createTopics(c, createTopicsRequest([{ name: 'm', numPartitions: 2, assignments: asg([[1]]) }]));
    expect(both.topics![0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const ok = await createTopics(
      c,
      createTopicsRequest([
        {
          name: 'm',
          assignments: asg([
            [2, 1],
            [1, 2],
          ]),
        },
      ]),
    );
    expect(ok.topics![0]).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 2 });
    expect(c.partitions(c.topic('m')!.topicId).map((p) => [p.replicas, p.leader])).toEqual([
      [[2, 1], 2],
      [[1, 2], 1],
    ]);
  });

  it('checks names, duplicates, collisions and configs; validateOnly changes nothing', async () => {
    const c = controller();
    await startBrokers(c, [1]);
    const seq0 = c.seq;
    const v = await createTopics(
      c,
      createTopicsRequest([{ name: 'v', numPartitions: 2, replicationFactor: 1 }], { validateOnly: true }),
    );
    expect(v.topics![0]).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 1 });
    expect(c.seq).toBe(seq0);
    expect(c.topic('v')).toBeUndefined();
    const r = await createTopics(
      c,
      createTopicsRequest([
        { name: 'bad name' },
        { name: 'dup' },
        { name: 'dup' },
        { name: 'cfg', configs: [{ name: 'retention.ms', value: 'abc' }] },
        { name: 'cfg2', configs: [{ name: 'no.such', value: '1' }] },
        { name: 'a.b' },
      ]),
    );
    expect(r.topics!.map((t) => t.errorCode)).toEqual([
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_CONFIG,
      0,
    ]);
    expect(r.topics![3]!.errorMessage).toBe(
      'Invalid value abc for configuration retention.ms: Not a number of type LONG',
    );
    const again = await createTopics(c, createTopicsRequest([{ name: 'a.b' }, { name: 'a_b' }]));
    expect(again.topics!.map((t) => [t.errorCode, t.errorMessage])).toEqual([
      [ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'a.b' already exists."],
      [ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topic: a.b"],
    ]);
  });

  it('creates internal topics with the replication factor clamped to the live brokers', async () => {
    const c = controller({ 'offsets.topic.num.partitions': '5' });
    await startBrokers(c, [1, 2]);
    const r = await createTopics(
      c,
      createTopicsRequest([
        {
          name: '__consumer_offsets',
          numPartitions: 5,
          replicationFactor: 3,
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ]),
    );
    expect(r.topics![0]).toMatchObject({ errorCode: 0, numPartitions: 5, replicationFactor: 2 });
    expect(c.topic('__consumer_offsets')).toMatchObject({
      internal: true,
      replicationFactor: 2,
      configs: { 'cleanup.policy': 'compact' },
    });
    // A user topic is not clamped.
    const u = await createTopics(c, createTopicsRequest([{ name: '__mine', numPartitions: 1, replicationFactor: 3 }]));
    expect(u.topics![0]!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
  });
});

describe('DeleteTopics, CreatePartitions, configs', () => {
  it('deletes by name and by topic id', async () => {
    const c = controller();
    await startBrokers(c, [1]);
    await createTopics(
      c,
      createTopicsRequest([
        { name: 'a', numPartitions: 1 },
        { name: 'b', numPartitions: 2 },
      ]),
    );
    const idB = c.topic('b')!.topicId;
    const r1 = (await c.forward(
      20,
      5,
      { topicNames: ['a', 'nope'], topics: [], timeoutMs: 5000 },
      { clientId: null },
    )) as dt.DeleteTopicsResponseInput;
    expect(r1.responses!.map((x) => [x.name, x.errorCode])).toEqual([
      ['a', 0],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const r2 = (await c.forward(
      20,
      6,
      {
        topicNames: [],
        topics: [
          { name: null, topicId: idB },
          { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
        ],
        timeoutMs: 5000,
      },
      { clientId: null },
    )) as dt.DeleteTopicsResponseInput;
    expect(r2.responses!.map((x) => [x.name, x.topicId, x.errorCode])).toEqual([
      ['b', idB, 0],
      [null, 'AAAAAAAAAAAAAAAAAAAAAQ', ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    expect([...c.topics()]).toEqual([]);
    expect(c.partitions(idB)).toEqual([]);
    const off = controller({ 'delete.topic.enable': 'false' });
    await startBrokers(off, [1]);
    await createTopics(off, createTopicsRequest([{ name: 'a', numPartitions: 1 }]));
    const r3 = (await off.forward(
      20,
      5,
      { topicNames: ['a'], topics: [], timeoutMs: 5000 },
      { clientId: null },
    )) as dt.DeleteTopicsResponseInput;
    expect(r3.responses![0]!.errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
  });

  it('adds partitions with placement or explicit assignments', async () => {
    const c = controller();
    await startBrokers(c, [1, 2, 3]);
    await createTopics(c, createTopicsRequest([{ name: 't', numPartitions: 2, replicationFactor: 2 }]));
    const cpReq = (topics: cp.CreatePartitionsRequest['topics'], validateOnly = false): cp.CreatePartitionsRequest => ({
      topics,
      timeoutMs: 5000,
      validateOnly,
    });
    const r = (await c.forward(
      37,
      3,
      cpReq([
        { name: 't', count: 5, assignments: null },
        { name: 'zz', count: 2, assignments: null },
      ]),
      { clientId: null },
    )) as cp.CreatePartitionsResponseInput;
    expect(r.results!.map((x) => x.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const ps = c.partitions(c.topic('t')!.topicId);
    expect(ps.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4]);
    for (const p of ps) expect(new Set(p.replicas).size).toBe(2);
    expect(c.topic('t')!.numPartitions).toBe(5);
    const bad = (await c.forward(37, 3, cpReq([{ name: 't', count: 5, assignments: null }]), {
      clientId: null,
    })) as cp.CreatePartitionsResponseInput;
    expect(bad.results![0]).toMatchObject({
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Topic already has 5 partitions.',
    });
    const lower = (await c.forward(37, 3, cpReq([{ name: 't', count: 3, assignments: null }]), {
      clientId: null,
    })) as cp.CreatePartitionsResponseInput;
    expect(lower.results![0]!.errorMessage).toBe(
      'Topic currently has 5 partitions, which is higher than the requested 3.',
    );
    const asgBad = (await c.forward(37, 3, cpReq([{ name: 't', count: 6, assignments: [{ brokerIds: [1, 9] }] }]), {
      clientId: null,
    })) as cp.CreatePartitionsResponseInput;
    expect(asgBad.results![0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'The manual partition assignment includes broker 9, but no such broker is registered.',
    });
    const asgRf = (await c.forward(37, 3, cpReq([{ name: 't', count: 6, assignments: [{ brokerIds: [1] }] }]), {
      clientId: null,
    })) as cp.CreatePartitionsResponseInput;
    expect(asgRf.results![0]!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const vo = (await c.forward(37, 3, cpReq([{ name: 't', count: 6, assignments: [{ brokerIds: [3, 1] }] }], true), {
      clientId: null,
    })) as cp.CreatePartitionsResponseInput;
    expect(vo.results![0]!.errorCode).toBe(0);
    expect(c.topic('t')!.numPartitions).toBe(5);
    const ok = (await c.forward(37, 3, cpReq([{ name: 't', count: 6, assignments: [{ brokerIds: [3, 1] }] }]), {
      clientId: null,
    })) as cp.CreatePartitionsResponseInput;
    expect(ok.results![0]!.errorCode).toBe(0);
    expect(c.partitions(c.topic('t')!.topicId)[5]).toMatchObject({ replicas: [3, 1], leader: 3, isr: [3, 1] });
  });

  it('alters topic and broker configs with the same validation as a single broker', async () => {
    const c = controller();
    await startBrokers(c, [1, 2]);
    await createTopics(
      c,
      createTopicsRequest([{ name: 't', numPartitions: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] }]),
    );
    const alter = (resources: ac.AlterConfigsRequest['resources'], brokerId?: number) =>
      c.forward(
        33,
        1,
        { resources, validateOnly: false },
        { clientId: null, brokerId },
      ) as Promise<ac.AlterConfigsResponseInput>;
    const inc = (resources: iac.IncrementalAlterConfigsRequest['resources'], brokerId?: number, validateOnly = false) =>
      c.forward(
        44,
        1,
        { resources, validateOnly },
        { clientId: null, brokerId },
      ) as Promise<iac.IncrementalAlterConfigsResponseInput>;
    // AlterConfigs replaces the whole set.
    expect(
      (await alter([{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] }]))
        .responses![0]!.errorCode,
    ).toBe(0);
    expect(c.topic('t')!.configs).toEqual({ 'retention.ms': '1000' });
    const badT = await alter([{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: 'x' }] }]);
    expect(badT.responses![0]).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Invalid value x for configuration retention.ms: Not a number of type LONG',
    });
    const unknownT = await alter([{ resourceType: 2, resourceName: 'nope', configs: [] }]);
    expect(unknownT.responses![0]).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: 'Topic nope does not exist.',
    });
    // Incremental: SET, APPEND to a list, DELETE.
    expect(
      (
        await inc([
          {
            resourceType: 2,
            resourceName: 't',
            configs: [
              { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
              { name: 'retention.ms', configOperation: 1, value: null },
              { name: 'segment.ms', configOperation: 0, value: '5000' },
            ],
          },
        ])
      ).responses![0]!.errorCode,
    ).toBe(0);
    expect(c.topic('t')!.configs).toEqual({ 'cleanup.policy': 'delete,compact', 'segment.ms': '5000' });
    const notList = await inc([
      { resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', configOperation: 2, value: '1' }] },
    ]);
    expect(notList.responses![0]).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: "Can't APPEND to key retention.ms because its type is not LIST.",
    });
    // Broker resources: '' is the cluster default; a broker id must be the broker the request came to.
    expect(
      (
        await inc([
          {
            resourceType: 4,
            resourceName: '',
            configs: [{ name: 'log.retention.ms', configOperation: 0, value: '60000' }],
          },
        ])
      ).responses![0]!.errorCode,
    ).toBe(0);
    expect(c.brokerConfigs('')).toEqual({ 'log.retention.ms': '60000' });
    expect(c.config.topicDefault('retention.ms').value).toBe('60000');
    expect(
      (
        await inc(
          [
            {
              resourceType: 4,
              resourceName: '2',
              configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1' }],
            },
          ],
          2,
        )
      ).responses![0]!.errorCode,
    ).toBe(0);
    expect(c.brokerConfigs('2')).toEqual({ 'log.retention.ms': '1' });
    const wrong = await inc([{ resourceType: 4, resourceName: '2', configs: [] }], 1);
    expect(wrong.responses![0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Unexpected broker id, expected 1 or empty string, but received 2',
    });
    const ro = await inc([
      { resourceType: 4, resourceName: '', configs: [{ name: 'num.partitions', configOperation: 0, value: '3' }] },
    ]);
    expect(ro.responses![0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Cannot update these configs dynamically: Set(num.partitions)',
    });
    const seq = c.seq;
    const vo = await inc(
      [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '5' }] }],
      undefined,
      true,
    );
    expect(vo.responses![0]!.errorCode).toBe(0);
    expect(c.seq).toBe(seq);
    const dup = await alter([
      { resourceType: 2, resourceName: 't', configs: [] },
      { resourceType: 2, resourceName: 't', configs: [] },
    ]);
    expect(dup.responses!.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });
});

describe('waiting for the brokers', () => {
  it('answers a forwarded request only once every live broker has applied it', async () => {
    const c = controller();
    const [, b2] = await startBrokers(c, [1, 2]);
    b2!.paused = true;
    let done = false;
    const p = createTopics(
      c,
      createTopicsRequest([{ name: 'w', numPartitions: 1, replicationFactor: 2 }], { timeoutMs: 10_000 }),
    ).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    expect(c.topic('w')).toBeDefined(); // committed, just not answered
    b2!.paused = false;
    const r = await p;
    expect(r.topics![0]!.errorCode).toBe(0);
    expect(b2!.seq).toBeGreaterThanOrEqual(c.seq - 0);
  });

  it('answers after the request timeout when a broker does not catch up', async () => {
    const c = controller();
    const [, b2] = await startBrokers(c, [1, 2]);
    b2!.paused = true;
    const t0 = Date.now();
    const r = await createTopics(c, createTopicsRequest([{ name: 'w', numPartitions: 1 }], { timeoutMs: 300 }));
    const took = Date.now() - t0;
    expect(r.topics![0]!.errorCode).toBe(0);
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(3000);
  });

  it('does not wait for a fenced broker', async () => {
    const c = controller();
    const [, b2] = await startBrokers(c, [1, 2]);
    b2!.paused = true;
    c.brokerExited(2);
    const t0 = Date.now();
    await createTopics(c, createTopicsRequest([{ name: 'w', numPartitions: 1 }], { timeoutMs: 5000 }));
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('metadata store', () => {
  it('gives the topics of a single-broker database partition rows, and follows the change log from there', () => {
    const dir = makeTmpDir('samsa-meta-');
    const db = new Database(join(dir, 'metadata.db'));
    db.exec(`
      CREATE TABLE cluster (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE topics (name TEXT PRIMARY KEY, topic_id TEXT NOT NULL UNIQUE, partitions INTEGER NOT NULL,
        replication_factor INTEGER NOT NULL, internal INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);
      CREATE TABLE topic_configs (topic TEXT NOT NULL REFERENCES topics(name) ON DELETE CASCADE, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (topic, name));
      CREATE TABLE broker_configs (broker TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (broker, name));
      CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
      INSERT INTO cluster VALUES ('cluster.id', 'old-cluster-id');
      INSERT INTO topics VALUES ('events', 'AAAAAAAAAAAAAAAAAAAAAQ', 3, 1, 0, 0);
      INSERT INTO topic_configs VALUES ('events', 'retention.ms', '1000');
      INSERT INTO changes (ts_ms, kind, body) VALUES (0, 'CreateTopic', '{"name":"events"}');
    `);
    db.close();
    const store = MetadataStore.open(dir);
    expect(store.clusterId).toBe('old-cluster-id');
    expect(store.firstResumableSeq()).toBe(1); // the old record is not a MetadataChange: start after it
    const snap = store.snapshot();
    expect(snap.seq).toBe(1);
    expect(snap.snapshot.topics).toEqual([
      {
        name: 'events',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
        internal: false,
        numPartitions: 3,
        replicationFactor: 1,
        configs: { 'retention.ms': '1000' },
      },
    ]);
    expect(snap.snapshot.partitions.map((p) => [p.partition, p.replicas, p.isr, p.leader, p.leaderEpoch])).toEqual([
      [0, [1], [1], 1, 0],
      [1, [1], [1], 1, 0],
      [2, [1], [1], 1, 0],
    ]);
    store.close();
    // Opening again neither duplicates rows nor moves the floor.
    const again = MetadataStore.open(dir);
    expect(again.listPartitions()).toHaveLength(3);
    expect(again.firstResumableSeq()).toBe(1);
    again.close();
  });

  it('commits changes to the tables and the log in one step', () => {
    const dir = makeTmpDir('samsa-meta-');
    const store = MetadataStore.open(dir);
    const topic = {
      name: 't',
      topicId: 'AAAAAAAAAAAAAAAAAAAAAg',
      internal: false,
      numPartitions: 1,
      replicationFactor: 1,
      configs: {},
    };
    const seq = store.commit([
      {
        type: 'broker',
        broker: {
          id: 2,
          host: 'h',
          port: 1,
          rack: null,
          epoch: 5,
          incarnationId: 'i',
          fenced: false,
          shuttingDown: false,
        },
      },
      { type: 'topic', topic },
      {
        type: 'partition',
        partition: {
          topicId: topic.topicId,
          topic: 't',
          partition: 0,
          replicas: [2],
          isr: [2],
          leader: 2,
          leaderEpoch: 3,
          partitionEpoch: 4,
          addingReplicas: [],
          removingReplicas: [],
        },
      },
    ]);
    expect(seq).toBe(3);
    expect(store.changesAfter(1).changes.map((c) => c.type)).toEqual(['topic', 'partition']);
    expect(store.listBrokers()[0]).toMatchObject({ id: 2, epoch: 5, fenced: false });
    expect(store.listPartitions()[0]).toMatchObject({ leader: 2, leaderEpoch: 3, partitionEpoch: 4 });
    store.commit([{ type: 'topicRemoved', name: 't', topicId: topic.topicId }]);
    expect(store.listPartitions()).toEqual([]);
    expect(store.listTopics()).toEqual([]);
    store.close();
  });
});
