// The consumer group protocol (KIP-848) over a socket against an in-process
// broker on a real data dir: join/heartbeat/leave, epochs, server-side
// assignment, reconciliation (revoke before assign), static members, errors,
// OffsetCommit/OffsetFetch with member epochs, classic/consumer exclusivity,
// ListGroups/DescribeGroups/ConsumerGroupDescribe, and replay after restart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../core/protocol/errors.ts';
import * as cgh from '../../../../core/protocol/messages/consumer-group-heartbeat.ts';
import * as cgd from '../../../../core/protocol/messages/consumer-group-describe.ts';
import type { ClientCodec, KafkaClient } from '../../../helpers/kafka-client.ts';
import { Api } from '../../../helpers/kafka-client.ts';
import { G, startGroupBroker, subscription, type GroupHarness } from './group-harness.ts';

const CG = {
  Heartbeat: {
    apiKey: 68,
    flexibleMin: cgh.ConsumerGroupHeartbeatRequestVersions.flexibleMin,
    encode: cgh.encodeConsumerGroupHeartbeatRequest,
    decode: cgh.decodeConsumerGroupHeartbeatResponse,
  },
  Describe: {
    apiKey: 69,
    flexibleMin: cgd.ConsumerGroupDescribeRequestVersions.flexibleMin,
    encode: cgd.encodeConsumerGroupDescribeRequest,
    decode: cgd.decodeConsumerGroupDescribeResponse,
  },
} as const satisfies Record<string, ClientCodec<any, any>>;

let h: GroupHarness;
let c: KafkaClient;
let t1: string; // topic id of t1 (4 partitions)

beforeEach(async () => {
  h = await startGroupBroker(
    { 'group.consumer.heartbeat.interval.ms': '200' },
    undefined,
    process.env.GDEBUG ? (m) => console.log(m) : undefined,
  );
  c = await h.client();
  await h.broker.topics.create({ name: 't1', numPartitions: 4, replicationFactor: 1, configs: {} });
  await h.broker.topics.create({ name: 't2', numPartitions: 2, replicationFactor: 1, configs: {} });
  t1 = h.broker.topics.get('t1')!.topicId;
});
afterEach(async () => {
  await h.stop();
});

type Owned = { topicId: string; partitions: number[] }[];
interface HbOpts {
  v?: number;
  epoch?: number;
  instance?: string | null;
  topics?: string[] | null;
  regex?: string | null;
  assignor?: string | null;
  owned?: Owned | null;
  rebalance?: number;
}

function hb(client: KafkaClient, group: string, memberId: string, o: HbOpts = {}) {
  const epoch = o.epoch ?? 0;
  return client.send(CG.Heartbeat, o.v ?? 1, {
    groupId: group,
    memberId,
    memberEpoch: epoch,
    instanceId: o.instance ?? null,
    rackId: null,
    rebalanceTimeoutMs: o.rebalance ?? (epoch === 0 ? 5000 : -1),
    subscribedTopicNames: o.topics !== undefined ? o.topics : epoch === 0 ? ['t1'] : null,
    subscribedTopicRegex: o.regex ?? null,
    serverAssignor: o.assignor ?? null,
    topicPartitions: o.owned !== undefined ? o.owned : epoch === 0 ? [] : null,
  });
}

const parts = (a: { topicPartitions: Owned } | null | undefined) =>
  (a?.topicPartitions ?? [])
    .flatMap((t) => t.partitions.map((p) => `${t.topicId === t1 ? 't1' : t.topicId}-${p}`))
    .sort();
const owned = (a: { topicPartitions: Owned } | null | undefined): Owned =>
  a?.topicPartitions.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] })) ?? [];

describe('ConsumerGroupHeartbeat', () => {
  it('join: epoch 1, every partition, heartbeat interval; v0 gets a member id from the broker', async () => {
    const r = await hb(c, 'g', 'm1');
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.memberId).toBe('m1');
    expect(r.memberEpoch).toBe(1);
    expect(r.heartbeatIntervalMs).toBe(200);
    expect(parts(r.assignment)).toEqual(['t1-0', 't1-1', 't1-2', 't1-3']);
    const r0 = await hb(c, 'g0', '', { v: 0 });
    expect(r0.errorCode).toBe(ErrorCode.NONE);
    expect(r0.memberId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // A steady heartbeat gets no assignment (nothing changed).
    const again = await hb(c, 'g', 'm1', { epoch: 1, owned: owned(r.assignment) });
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.memberEpoch).toBe(1);
    expect(again.assignment).toBeNull();
  });

  it('a second member: partitions are revoked from the first before the second gets them', async () => {
    const a = await hb(c, 'g', 'a');
    expect(parts(a.assignment)).toHaveLength(4);
    const b = await hb(c, 'g', 'b');
    expect(b.memberEpoch).toBe(2);
    expect(parts(b.assignment)).toEqual([]); // its partitions are still owned by a
    // a learns it must give up two partitions; its epoch stays until it has.
    const a2 = await hb(c, 'g', 'a', { epoch: 1, owned: owned(a.assignment) });
    expect(a2.memberEpoch).toBe(1);
    expect(parts(a2.assignment)).toHaveLength(2);
    // b still waits: a has not confirmed yet.
    const b2 = await hb(c, 'g', 'b', { epoch: 2, owned: [] });
    expect(b2.assignment).toBeNull();
    // a confirms the revocation and moves to epoch 2.
    const a3 = await hb(c, 'g', 'a', { epoch: 1, owned: owned(a2.assignment) });
    expect(a3.memberEpoch).toBe(2);
    const b3 = await hb(c, 'g', 'b', { epoch: 2, owned: [] });
    expect(parts(b3.assignment)).toHaveLength(2);
    expect([...parts(a2.assignment), ...parts(b3.assignment)].sort()).toEqual(['t1-0', 't1-1', 't1-2', 't1-3']);

    const d = await c.send(CG.Describe, 0, { groupIds: ['g', 'nope'], includeAuthorizedOperations: false });
    const g = d.groups[0]!;
    expect(g.errorCode).toBe(ErrorCode.NONE);
    expect({
      state: g.groupState,
      epoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignor: g.assignorName,
    }).toEqual({ state: 'Stable', epoch: 2, assignmentEpoch: 2, assignor: 'uniform' });
    expect(
      g.members.map((m) => [m.memberId, m.memberEpoch, m.assignment.topicPartitions[0]?.topicName]).sort(),
    ).toEqual([
      ['a', 2, 't1'],
      ['b', 2, 't1'],
    ]);
    expect(d.groups[1]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);

    // Leaving (-1): the other member gets everything.
    const left = await hb(c, 'g', 'b', { epoch: -1 });
    expect(left.errorCode).toBe(ErrorCode.NONE);
    expect(left.memberEpoch).toBe(-1);
    const a4 = await hb(c, 'g', 'a', { epoch: 2, owned: owned(a2.assignment) });
    expect(a4.memberEpoch).toBe(3);
    expect(parts(a4.assignment)).toHaveLength(4);
  });

  it('range assignor, regex subscription, and the group state in ListGroups/DescribeGroups', async () => {
    const r = await hb(c, 'g', 'a', { topics: null, regex: 't[12]', assignor: 'range' });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(parts(r.assignment)).toHaveLength(6);
    const b = await hb(c, 'g', 'b', { topics: ['t2'], assignor: 'range' });
    expect(b.errorCode).toBe(ErrorCode.NONE);
    const d = await c.send(CG.Describe, 0, { groupIds: ['g'], includeAuthorizedOperations: false });
    const target = Object.fromEntries(
      d.groups[0]!.members.map((m) => [
        m.memberId,
        m.targetAssignment.topicPartitions.map((t) => `${t.topicName}:${t.partitions.join(',')}`).sort(),
      ]),
    );
    expect(target).toEqual({ a: ['t1:0,1,2,3', 't2:0'], b: ['t2:1'] });
    expect(d.groups[0]!.assignorName).toBe('range');
    const list = await c.send(G.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] });
    expect(list.groups).toEqual([
      { groupId: 'g', protocolType: 'consumer', groupState: 'Reconciling', groupType: 'consumer' },
    ]);
    expect((await c.send(G.ListGroups, 5, { statesFilter: [], typesFilter: ['classic'] })).groups).toEqual([]);
    const dg = await c.send(G.DescribeGroups, 5, { groups: ['g'], includeAuthorizedOperations: false });
    expect(dg.groups[0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      groupState: 'Dead',
      protocolType: '',
      members: [],
    });
  });

  it('a regex subscription matches internal topics too, as Kafka matches every topic name', async () => {
    // __consumer_offsets exists once a group coordinator has loaded (3 partitions in this harness).
    const r = await hb(c, 'gi', 'a', { topics: null, regex: '__consumer_offsets|t2' });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    const d = await c.send(CG.Describe, 0, { groupIds: ['gi'], includeAuthorizedOperations: false });
    const topics = d.groups[0]!.members[0]!.targetAssignment.topicPartitions.map(
      (t) => `${t.topicName}:${[...t.partitions].sort().join(',')}`,
    );
    expect(topics.sort()).toEqual(['__consumer_offsets:0,1,2', 't2:0,1']);
  });

  it('errors: bad first heartbeats, unknown members, fenced epochs, assignors, group size', async () => {
    expect((await hb(c, 'g', 'm', { topics: null })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await hb(c, 'g', 'm', { owned: null })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await hb(c, 'g', 'm', { rebalance: -1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await hb(c, 'g', '', { v: 1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await hb(c, '', 'm')).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await hb(c, 'g', 'm', { epoch: -2 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await hb(c, 'g', 'm', { topics: null, regex: '(' })).errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    expect((await hb(c, 'g', 'm', { assignor: 'sticky' })).errorCode).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
    expect((await hb(c, 'nogroup', 'm', { epoch: 3 })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const m = await hb(c, 'g', 'm');
    expect(m.memberEpoch).toBe(1);
    expect((await hb(c, 'g', 'x', { epoch: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await hb(c, 'g', 'm', { epoch: 7 })).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect((await hb(c, 'g', 'x', { epoch: -1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    const small = await startGroupBroker({ 'group.consumer.max.size': '1' });
    try {
      const sc = await small.client();
      await small.broker.topics.create({ name: 't1', numPartitions: 1, replicationFactor: 1, configs: {} });
      expect((await hb(sc, 'g', 'a')).errorCode).toBe(ErrorCode.NONE);
      expect((await hb(sc, 'g', 'b')).errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    } finally {
      await small.stop();
    }
  });

  it('static members: -2 keeps the assignment for the next instance; a live instance id is not released', async () => {
    const a = await hb(c, 'g', 'a1', { instance: 'i1' });
    expect(parts(a.assignment)).toHaveLength(4);
    expect((await hb(c, 'g', 'a2', { instance: 'i1' })).errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    const leave = await hb(c, 'g', 'a1', { epoch: -2, instance: 'i1' });
    expect(leave.errorCode).toBe(ErrorCode.NONE);
    expect(leave.memberEpoch).toBe(-2);
    const back = await hb(c, 'g', 'a2', { instance: 'i1' });
    expect(back.errorCode).toBe(ErrorCode.NONE);
    expect(back.memberEpoch).toBe(1); // no rebalance: same epoch, same partitions
    expect(parts(back.assignment)).toHaveLength(4);
    expect((await hb(c, 'g', 'a1', { epoch: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('members whose session ends are removed (group.consumer.session.timeout.ms)', async () => {
    const h2 = await startGroupBroker({ 'group.consumer.session.timeout.ms': '300' });
    try {
      const c2 = await h2.client();
      await h2.broker.topics.create({ name: 't1', numPartitions: 2, replicationFactor: 1, configs: {} });
      await hb(c2, 'g', 'a');
      await new Promise((r) => setTimeout(r, 700));
      expect((await hb(c2, 'g', 'a', { epoch: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const list = await c2.send(G.ListGroups, 5, { statesFilter: [], typesFilter: [] });
      expect(list.groups.map((g) => g.groupState)).toEqual(['Empty']);
    } finally {
      await h2.stop();
    }
  });
});

describe('offsets and group types', () => {
  const commit = (client: KafkaClient, group: string, memberId: string, epoch: number, v = 9, partition = 0) =>
    client.send(G.OffsetCommit, v, {
      groupId: group,
      generationIdOrMemberEpoch: epoch,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: partition, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: 'md' },
          ],
        },
      ],
    });
  const fetch = (client: KafkaClient, group: string, memberId: string | null, epoch: number) =>
    client.send(G.OffsetFetch, 9, {
      groupId: '',
      topics: null,
      requireStable: false,
      groups: [{ groupId: group, memberId, memberEpoch: epoch, topics: [{ name: 't1', partitionIndexes: [0] }] }],
    });

  it('OffsetCommit/OffsetFetch check the member epoch (STALE_MEMBER_EPOCH), v9+ only', async () => {
    await hb(c, 'g', 'm');
    expect((await commit(c, 'g', 'm', 1)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await commit(c, 'g', 'm', 0)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect((await commit(c, 'g', 'x', 1)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await commit(c, 'g', 'm', 1, 8)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await commit(c, 'g', '', -1)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID); // group has members
    expect((await commit(c, 'g', 'm', 1, 9, 99)).topics[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    const ok = await fetch(c, 'g', 'm', 1);
    expect(ok.groups[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(ok.groups[0]!.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 42, metadata: 'md' });
    expect((await fetch(c, 'g', 'm', 5)).groups[0]!.errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect((await fetch(c, 'g', 'zz', 1)).groups[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await fetch(c, 'g', null, -1)).groups[0]!.errorCode).toBe(ErrorCode.NONE); // admin
  });

  it('a group is classic or consumer: JoinGroup to a consumer group, heartbeat to a classic one', async () => {
    await hb(c, 'cg', 'm');
    const join = (group: string, type = 'consumer') =>
      c.send(G.JoinGroup, 9, {
        groupId: group,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 5_000,
        memberId: '',
        groupInstanceId: null,
        protocolType: type,
        protocols: [{ name: 'range', metadata: subscription(['t1']) }],
        reason: null,
      });
    expect((await join('cg')).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect((await join('cg', 'connect')).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join('classic')).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED); // a classic group with a pending member
    const j = await join('classic2');
    await c.send(G.JoinGroup, 9, {
      groupId: 'classic2',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 5_000,
      memberId: j.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['t1']) }],
      reason: null,
    });
    expect((await hb(c, 'classic2', 'm')).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    // Once empty, a consumer group can become classic (and the other way round).
    expect((await hb(c, 'cg', 'm', { epoch: -1 })).errorCode).toBe(ErrorCode.NONE);
    expect((await join('cg')).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const d = await c.send(CG.Describe, 0, { groupIds: ['cg'], includeAuthorizedOperations: false });
    expect(d.groups[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('DeleteGroups: non-empty consumer group refused, empty one deleted with its offsets', async () => {
    await hb(c, 'g', 'm');
    await commit(c, 'g', 'm', 1);
    expect((await c.send(G.DeleteGroups, 2, { groupsNames: ['g'] })).results[0]!.errorCode).toBe(
      ErrorCode.NON_EMPTY_GROUP,
    );
    await hb(c, 'g', 'm', { epoch: -1 });
    expect((await c.send(G.DeleteGroups, 2, { groupsNames: ['g'] })).results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await fetch(c, 'g', null, -1)).groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(-1);
    await h.restart();
    const c2 = await h.client();
    expect((await c2.send(G.ListGroups, 5, { statesFilter: [], typesFilter: [] })).groups).toEqual([]);
  });

  it('restart: members, epochs, assignments and offsets come back from __consumer_offsets', async () => {
    const a = await hb(c, 'g', 'a');
    await hb(c, 'g', 'b');
    const a2 = await hb(c, 'g', 'a', { epoch: 1, owned: owned(a.assignment) });
    await hb(c, 'g', 'a', { epoch: 1, owned: owned(a2.assignment) });
    const b2 = await hb(c, 'g', 'b', { epoch: 2, owned: [] });
    expect(parts(b2.assignment)).toHaveLength(2);
    await commit(c, 'g', 'b', 2, 9, b2.assignment!.topicPartitions[0]!.partitions[0]!);
    const before = (await c.send(CG.Describe, 0, { groupIds: ['g'], includeAuthorizedOperations: false })).groups[0]!;
    await h.restart();
    const c2 = await h.client();
    const after = (await c2.send(CG.Describe, 0, { groupIds: ['g'], includeAuthorizedOperations: false })).groups[0]!;
    const shape = (g: typeof before) => ({
      ...g,
      members: g.members.map((m) => ({ ...m, clientHost: '' })).sort((x, y) => (x.memberId < y.memberId ? -1 : 1)),
    });
    expect(shape(after)).toEqual(shape(before));
    expect(after.groupState).toBe('Stable');
    // The member carries on with its epoch.
    const b3 = await hb(c2, 'g', 'b', { epoch: 2, owned: owned(b2.assignment) });
    expect(b3.errorCode).toBe(ErrorCode.NONE);
    expect(b3.memberEpoch).toBe(2);
    const f = await fetch(c2, 'g', 'b', 2);
    expect(f.groups[0]!.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('ApiVersions', () => {
  it('advertises ConsumerGroupHeartbeat 0–1, ConsumerGroupDescribe 0 and group.version 1', async () => {
    const r = await c.send(Api.ApiVersions, 3, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1' });
    expect(r.apiKeys.find((k) => k.apiKey === 68)).toMatchObject({ minVersion: 0, maxVersion: 1 });
    expect(r.apiKeys.find((k) => k.apiKey === 69)).toMatchObject({ minVersion: 0, maxVersion: 0 });
    expect(r.finalizedFeatures.find((f) => f.name === 'group.version')).toMatchObject({
      minVersionLevel: 1,
      maxVersionLevel: 1,
    });
    expect(r.supportedFeatures.find((f) => f.name === 'group.version')).toMatchObject({ minVersion: 0, maxVersion: 1 });
  });
});
