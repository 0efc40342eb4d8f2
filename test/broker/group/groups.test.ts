import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { partitionForGroup, javaStringHashCode } from '../../../core/broker/group/group-log.ts';
import type { KafkaClient } from '../../helpers/kafka-client.ts';
import { G, startGroupBroker, subscription, type GroupHarness } from '../../helpers/group-harness.ts';

let h: GroupHarness;
let c: KafkaClient;

beforeEach(async () => {
  h = await startGroupBroker({}, undefined, process.env.GDEBUG ? (m) => console.log(m) : undefined);
  c = await h.client();
  await h.broker.topics.create({ name: 't1', numPartitions: 4, replicationFactor: 1, configs: {} });
  await h.broker.topics.create({ name: 't2', numPartitions: 2, replicationFactor: 1, configs: {} });
});
afterEach(async () => {
  await h.stop();
});

const protocols = (topics = ['t1'], names = ['range']) =>
  names.map((name) => ({ name, metadata: subscription(topics) }));

function join(
  client: KafkaClient,
  group: string,
  memberId = '',
  o: {
    v?: number;
    instance?: string | null;
    names?: string[];
    topics?: string[];
    session?: number;
    rebalance?: number;
    type?: string;
  } = {},
) {
  return client.send(G.JoinGroup, o.v ?? 9, {
    groupId: group,
    sessionTimeoutMs: o.session ?? 10_000,
    rebalanceTimeoutMs: o.rebalance ?? 5_000,
    memberId,
    groupInstanceId: o.instance ?? null,
    protocolType: o.type ?? 'consumer',
    protocols: protocols(o.topics, o.names),
    reason: null,
  });
}

/** Joins a dynamic member the v4+ way: MEMBER_ID_REQUIRED, then rejoin with the id. */
async function joinDynamic(client: KafkaClient, group: string, o: Parameters<typeof join>[3] = {}) {
  const first = await join(client, group, '', o);
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId).not.toBe('');
  return join(client, group, first.memberId, o);
}

function sync(
  client: KafkaClient,
  group: string,
  generationId: number,
  memberId: string,
  assignments: { memberId: string; assignment: Buffer }[] = [],
  v = 5,
) {
  return client.send(G.SyncGroup, v, {
    groupId: group,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments,
  });
}

const heartbeat = (
  client: KafkaClient,
  group: string,
  generationId: number,
  memberId: string,
  instance: string | null = null,
) => client.send(G.Heartbeat, 4, { groupId: group, generationId, memberId, groupInstanceId: instance });

function commit(
  client: KafkaClient,
  group: string,
  offsets: Record<string, Record<number, number>>,
  o: { gen?: number; member?: string; metadata?: string; v?: number } = {},
) {
  return client.send(G.OffsetCommit, o.v ?? 9, {
    groupId: group,
    generationIdOrMemberEpoch: o.gen ?? -1,
    memberId: o.member ?? '',
    groupInstanceId: null,
    topics: Object.entries(offsets).map(([name, ps]) => ({
      name,
      partitions: Object.entries(ps).map(([p, off]) => ({
        partitionIndex: Number(p),
        committedOffset: off,
        committedLeaderEpoch: 3,
        committedMetadata: o.metadata ?? `m${p}`,
      })),
    })),
  });
}

const errors = (r: { topics: { partitions: { errorCode: number }[] }[] }) =>
  r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

describe('group coordinator', () => {
  it('hashes group ids like Java and places them on partitions', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    expect(partitionForGroup('my-group', 50)).toBe(Math.abs(javaStringHashCode('my-group')) % 50);
  });

  it('FindCoordinator answers this broker (v0–6) and creates __consumer_offsets', async () => {
    const r3 = await c.send(G.FindCoordinator, 3, { key: 'g', keyType: 0 });
    expect(r3.errorCode).toBe(0);
    expect(r3.nodeId).toBe(h.broker.brokerId);
    expect(r3.port).toBe(h.broker.advertisedPort);
    // Kafka's errorMessage for a found coordinator: Errors.NONE.message() up to v3, "" per key from v4.
    expect(r3.errorMessage).toBe('NONE');
    const t = h.broker.topics.get('__consumer_offsets')!;
    expect(t.partitions.length).toBe(3);
    expect(t.internal).toBe(true);
    expect(t.configs['cleanup.policy']).toBe('compact');
    const r4 = await c.send(G.FindCoordinator, 6, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect(r4.coordinators.map((x) => [x.key, x.errorCode, x.nodeId])).toEqual([
      ['a', 0, 1],
      ['b', 0, 1],
    ]);
    expect(r4.coordinators.map((x) => x.errorMessage)).toEqual(['', '']);
    const tx = await c.send(G.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['tx'] });
    expect(tx.coordinators[0]!.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it('join, sync, heartbeat, leave for one member', async () => {
    const j = await joinDynamic(c, 'g1');
    expect(j.errorCode).toBe(0);
    expect(j.generationId).toBe(1);
    expect(j.leader).toBe(j.memberId);
    expect(j.protocolName).toBe('range');
    expect(j.members.map((m) => m.memberId)).toEqual([j.memberId]);
    expect(j.members[0]!.metadata.equals(subscription(['t1']))).toBe(true);
    const s = await sync(c, 'g1', 1, j.memberId, [{ memberId: j.memberId, assignment: Buffer.from('A') }]);
    expect(s.errorCode).toBe(0);
    expect(s.assignment.toString()).toBe('A');
    expect((await heartbeat(c, 'g1', 1, j.memberId)).errorCode).toBe(0);
    expect((await heartbeat(c, 'g1', 7, j.memberId)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await heartbeat(c, 'g1', 1, 'nobody')).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const d = await c.send(G.DescribeGroups, 5, { groups: ['g1'], includeAuthorizedOperations: false });
    expect(d.groups[0]).toMatchObject({
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      authorizedOperations: -2147483648,
    });
    expect(d.groups[0]!.members[0]!.memberAssignment.toString()).toBe('A');
    const l = await c.send(G.LeaveGroup, 5, {
      groupId: 'g1',
      members: [{ memberId: j.memberId, groupInstanceId: null, reason: 'bye' }],
    });
    expect(l.errorCode).toBe(0);
    expect(l.members[0]!.errorCode).toBe(0);
    const d2 = await c.send(G.DescribeGroups, 5, { groups: ['g1'], includeAuthorizedOperations: true });
    expect(d2.groups[0]!.groupState).toBe('Empty');
    // READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, as Kafka 4 without an authorizer.
    expect(d2.groups[0]!.authorizedOperations).toBe(3400);
    const l2 = await c.send(G.LeaveGroup, 1, { groupId: 'g1', memberId: j.memberId });
    expect(l2.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('validates joins: session timeout, protocols, unknown members', async () => {
    expect((await join(c, 'g', '', { session: 10 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join(c, 'g', '', { session: 1_900_000 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join(c, 'g', 'ghost')).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await join(c, 'g', '', { type: '' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // v3 joins without MEMBER_ID_REQUIRED.
    const j = await join(c, 'g', '', { v: 3 });
    expect(j.errorCode).toBe(0);
    const c2 = await h.client();
    const other = await join(c2, 'g', '', { names: ['sticky'] });
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('two members: rebalance, protocol vote, REBALANCE_IN_PROGRESS, follower waits for the leader', async () => {
    const c2 = await h.client();
    const a = await joinDynamic(c, 'g2', { names: ['range', 'roundrobin'] });
    expect(a.generationId).toBe(1);
    await sync(c, 'g2', 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from('a1') }]);
    // b prefers roundrobin; a's first choice range; both support both → tie goes to the first candidate.
    const bFirst = await join(c2, 'g2', '', { names: ['roundrobin', 'range'] });
    expect(bFirst.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const bJoin = join(c2, 'g2', bFirst.memberId, { names: ['roundrobin', 'range'] });
    await new Promise((r) => setTimeout(r, 50));
    expect((await heartbeat(c, 'g2', 1, a.memberId)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = join(c, 'g2', a.memberId, { names: ['range', 'roundrobin'] });
    const [ra, rb] = await Promise.all([aJoin, bJoin]);
    expect(ra.generationId).toBe(2);
    expect(rb.generationId).toBe(2);
    expect(ra.leader).toBe(a.memberId);
    expect(ra.members.length).toBe(2);
    expect(rb.members.length).toBe(0);
    expect(ra.protocolName).toBe('range');
    // Old generation is refused.
    expect((await heartbeat(c, 'g2', 1, a.memberId)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const followerSync = sync(c2, 'g2', 2, rb.memberId);
    await new Promise((r) => setTimeout(r, 50));
    // (another connection: responses on c2 stay in request order behind the parked sync)
    const c3 = await h.client();
    expect((await heartbeat(c3, 'g2', 2, rb.memberId)).errorCode).toBe(0);
    const leaderSync = await sync(c, 'g2', 2, ra.memberId, [
      { memberId: ra.memberId, assignment: Buffer.from('A') },
      { memberId: rb.memberId, assignment: Buffer.from('B') },
    ]);
    expect(leaderSync.errorCode).toBe(0);
    expect(leaderSync.assignment.toString()).toBe('A');
    expect((await followerSync).assignment.toString()).toBe('B');
    // v5 protocol checks.
    const bad = await c.send(G.SyncGroup, 5, {
      groupId: 'g2',
      generationId: 2,
      memberId: ra.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'other',
      assignments: [],
    });
    expect(bad.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // Leader leaves: the follower is told to rejoin and becomes the leader.
    await c.send(G.LeaveGroup, 3, {
      groupId: 'g2',
      members: [{ memberId: ra.memberId, groupInstanceId: null, reason: null }],
    });
    expect((await heartbeat(c2, 'g2', 2, rb.memberId)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const again = await join(c2, 'g2', rb.memberId, { names: ['roundrobin', 'range'] });
    expect(again.generationId).toBe(3);
    expect(again.leader).toBe(rb.memberId);
    expect(again.protocolName).toBe('roundrobin');
  });

  it('a member that does not rejoin within the rebalance timeout is removed', async () => {
    const c2 = await h.client();
    const a = await joinDynamic(c, 'g3', { rebalance: 300 });
    await sync(c, 'g3', 1, a.memberId);
    const b1 = await join(c2, 'g3', '', { rebalance: 300 });
    const rb = await join(c2, 'g3', b1.memberId, { rebalance: 300 });
    // a never rejoined: removed, b is the only member and leader.
    expect(rb.errorCode).toBe(0);
    expect(rb.generationId).toBe(2);
    expect(rb.leader).toBe(b1.memberId);
    expect(rb.members.map((m) => m.memberId)).toEqual([b1.memberId]);
    expect((await heartbeat(c, 'g3', 1, a.memberId)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('session expiry removes a silent member', async () => {
    const j = await joinDynamic(c, 'g4', { session: 200 });
    await sync(c, 'g4', 1, j.memberId);
    await new Promise((r) => setTimeout(r, 500));
    expect((await heartbeat(c, 'g4', 1, j.memberId)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const d = await c.send(G.DescribeGroups, 0, { groups: ['g4'] });
    expect(d.groups[0]!.groupState).toBe('Empty');
    expect(d.groups[0]!.members).toEqual([]);
  });

  it('static membership: rejoin with the instance id replaces and fences the old member id', async () => {
    const j = await join(c, 'gs', '', { instance: 'i-1' });
    expect(j.errorCode).toBe(0); // static members need no MEMBER_ID_REQUIRED round
    expect(j.memberId.startsWith('i-1-')).toBe(true);
    await c.send(G.SyncGroup, 5, {
      groupId: 'gs',
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: 'i-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: j.memberId, assignment: Buffer.from('X') }],
    });
    const c2 = await h.client();
    const again = await join(c2, 'gs', '', { instance: 'i-1' });
    expect(again.errorCode).toBe(0);
    expect(again.memberId).not.toBe(j.memberId);
    expect(again.generationId).toBe(j.generationId); // no rebalance
    expect(again.skipAssignment).toBe(true);
    expect((await heartbeat(c, 'gs', j.generationId, j.memberId, 'i-1')).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await heartbeat(c2, 'gs', j.generationId, again.memberId, 'i-1')).errorCode).toBe(0);
    const s = await c2.send(G.SyncGroup, 5, {
      groupId: 'gs',
      generationId: again.generationId,
      memberId: again.memberId,
      groupInstanceId: 'i-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    });
    expect(s.assignment.toString()).toBe('X');
    const l = await c.send(G.LeaveGroup, 4, {
      groupId: 'gs',
      members: [{ memberId: j.memberId, groupInstanceId: 'i-1', reason: null }],
    });
    expect(l.members[0]!.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const l2 = await c.send(G.LeaveGroup, 4, {
      groupId: 'gs',
      members: [{ memberId: '', groupInstanceId: 'i-1', reason: null }],
    });
    expect(l2.members[0]!.errorCode).toBe(0);
  });

  it('OffsetCommit/OffsetFetch: simple and group commits, metadata, errors, multi-group fetch', async () => {
    const r = await commit(c, 'simple', { t1: { 0: 10, 1: 20 } }, { metadata: 'hello' });
    expect(errors(r)).toEqual([0, 0]);
    const f = await c.send(G.OffsetFetch, 7, {
      groupId: 'simple',
      topics: [{ name: 't1', partitionIndexes: [0, 1, 2] }],
      requireStable: true,
    });
    expect(f.errorCode).toBe(0);
    expect(f.topics[0]!.partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata])).toEqual([
      [10, 3, 'hello'],
      [20, 3, 'hello'],
      [-1, -1, ''],
    ]);
    // null topics: all committed
    const all = await c.send(G.OffsetFetch, 7, { groupId: 'simple', topics: null, requireStable: false });
    expect(all.topics.map((t) => [t.name, t.partitions.length])).toEqual([['t1', 2]]);
    // errors
    expect(errors(await commit(c, 'simple', { nope: { 0: 1 }, t1: { 9: 1 } }))).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(errors(await commit(c, 'simple', { t1: { 0: 1 } }, { metadata: 'x'.repeat(4097) }))).toEqual([
      ErrorCode.OFFSET_METADATA_TOO_LARGE,
    ]);
    // a group with members refuses simple commits and checks the generation
    const j = await joinDynamic(c, 'gc');
    await sync(c, 'gc', j.generationId, j.memberId);
    expect(errors(await commit(c, 'gc', { t1: { 0: 1 } }))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(errors(await commit(c, 'gc', { t1: { 0: 1 } }, { gen: 99, member: j.memberId }))).toEqual([
      ErrorCode.ILLEGAL_GENERATION,
    ]);
    expect(errors(await commit(c, 'gc', { t2: { 1: 5 } }, { gen: j.generationId, member: j.memberId, v: 2 }))).toEqual([
      0,
    ]);
    // A generation for a group that does not exist: GROUP_ID_NOT_FOUND from v9 (Kafka's new coordinator).
    expect(errors(await commit(c, 'nogroup', { t1: { 0: 1 } }, { gen: 3, member: 'm' }))).toEqual([
      ErrorCode.GROUP_ID_NOT_FOUND,
    ]);
    expect(errors(await commit(c, 'nogroup', { t1: { 0: 1 } }, { gen: 3, member: 'm', v: 8 }))).toEqual([
      ErrorCode.ILLEGAL_GENERATION,
    ]);
    // v8+ several groups
    const multi = await c.send(G.OffsetFetch, 9, {
      groups: [
        { groupId: 'simple', memberId: null, memberEpoch: -1, topics: [{ name: 't1', partitionIndexes: [1] }] },
        { groupId: 'gc', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'unknown', memberId: null, memberEpoch: -1, topics: [{ name: 't1', partitionIndexes: [0] }] },
      ],
      requireStable: false,
    });
    expect(
      multi.groups.map((g) => [
        g.groupId,
        g.errorCode,
        g.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)]),
      ]),
    ).toEqual([
      ['simple', 0, [['t1', [20]]]],
      ['gc', 0, [['t2', [5]]]],
      ['unknown', 0, [['t1', [-1]]]],
    ]);
    // v1: no top-level error
    const v1 = await c.send(G.OffsetFetch, 1, { groupId: 'simple', topics: [{ name: 't1', partitionIndexes: [0] }] });
    expect(v1.topics[0]!.partitions[0]!.committedOffset).toBe(10);
  });

  it('the group id "" is a group like any other for commits, fetches, describes and deletes (Kafka 4)', async () => {
    expect(errors(await commit(c, '', { t1: { 0: 3 } }, { metadata: 'meta' }))).toEqual([0]);
    const f = await c.send(G.OffsetFetch, 7, {
      groupId: '',
      topics: [{ name: 't1', partitionIndexes: [0] }],
      requireStable: false,
    });
    expect(f.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 3, metadata: 'meta', errorCode: 0 });
    const d = await c.send(G.DescribeGroups, 5, { groups: [''], includeAuthorizedOperations: false });
    expect(d.groups[0]).toMatchObject({ groupId: '', errorCode: 0, groupState: 'Empty' });
    expect((await c.send(G.DeleteGroups, 2, { groupsNames: [''] })).results).toEqual([
      expect.objectContaining({ groupId: '', errorCode: 0 }),
    ]);
    expect((await c.send(G.DeleteGroups, 2, { groupsNames: [''] })).results[0]!.errorCode).toBe(
      ErrorCode.GROUP_ID_NOT_FOUND,
    );
    // Joining still needs a group id.
    expect((await join(c, '', '')).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('DeleteGroups answers a group named twice once', async () => {
    await commit(c, 'dup-g', { t1: { 0: 1 } });
    const del = await c.send(G.DeleteGroups, 2, { groupsNames: ['dup-g', 'dup-g', 'dup-none'] });
    expect(del.results.map((r) => [r.groupId, r.errorCode])).toEqual([
      ['dup-g', 0],
      ['dup-none', ErrorCode.GROUP_ID_NOT_FOUND],
    ]);
  });

  it('LeaveGroup of an unknown group: NONE with UNKNOWN_MEMBER_ID per member (v3+), UNKNOWN_MEMBER_ID (v0-2)', async () => {
    const l = await c.send(G.LeaveGroup, 5, {
      groupId: 'no-such-group',
      members: [{ memberId: 'ghost', groupInstanceId: null, reason: null }],
    });
    expect(l.errorCode).toBe(0);
    expect(l.members).toEqual([
      expect.objectContaining({ memberId: 'ghost', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }),
    ]);
    const old = await c.send(G.LeaveGroup, 1, { groupId: 'no-such-group', memberId: 'ghost' });
    expect(old.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('ListGroups with filters, DeleteGroups and OffsetDelete', async () => {
    await commit(c, 'empty-g', { t1: { 0: 1 }, t2: { 0: 2 } });
    const j = await joinDynamic(c, 'live-g', { topics: ['t1'] });
    await sync(c, 'live-g', j.generationId, j.memberId);
    expect(
      errors(await commit(c, 'live-g', { t1: { 0: 7 }, t2: { 0: 8 } }, { gen: j.generationId, member: j.memberId })),
    ).toEqual([0, 0]);

    const l = await c.send(G.ListGroups, 5, { statesFilter: [], typesFilter: [] });
    expect(l.groups.map((g) => [g.groupId, g.groupState, g.protocolType, g.groupType]).sort()).toEqual([
      ['empty-g', 'Empty', '', 'classic'],
      ['live-g', 'Stable', 'consumer', 'classic'],
    ]);
    const stable = await c.send(G.ListGroups, 4, { statesFilter: ['stable'] });
    expect(stable.groups.map((g) => g.groupId)).toEqual(['live-g']);
    expect((await c.send(G.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups).toEqual([]);
    expect((await c.send(G.ListGroups, 0, {})).groups.length).toBe(2);

    const od = await c.send(G.OffsetDelete, 0, {
      groupId: 'live-g',
      topics: [
        { name: 't1', partitions: [{ partitionIndex: 0 }] },
        { name: 't2', partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(od.errorCode).toBe(0);
    expect(errors(od)).toEqual([ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0]);
    const f = await c.send(G.OffsetFetch, 7, { groupId: 'live-g', topics: null, requireStable: false });
    expect(f.topics.map((t) => t.name)).toEqual(['t1']);
    expect((await c.send(G.OffsetDelete, 0, { groupId: 'nope', topics: [] })).errorCode).toBe(
      ErrorCode.GROUP_ID_NOT_FOUND,
    );

    const del = await c.send(G.DeleteGroups, 2, { groupsNames: ['empty-g', 'live-g', 'nope'] });
    expect(del.results.map((r) => [r.groupId, r.errorCode])).toEqual([
      ['empty-g', 0],
      ['live-g', ErrorCode.NON_EMPTY_GROUP],
      ['nope', ErrorCode.GROUP_ID_NOT_FOUND],
    ]);
    const gone = await c.send(G.OffsetFetch, 7, { groupId: 'empty-g', topics: null, requireStable: false });
    expect(gone.topics).toEqual([]);
    const d = await c.send(G.DescribeGroups, 5, { groups: ['empty-g'], includeAuthorizedOperations: false });
    expect(d.groups[0]!.groupState).toBe('Dead');
  });

  it('persists offsets and groups across a clean restart; deletions stay deleted', async () => {
    await commit(c, 'p1', { t1: { 0: 11, 3: 33 } }, { metadata: 'meta' });
    await commit(c, 'p2', { t2: { 1: 5 } });
    const j = await joinDynamic(c, 'p3');
    await sync(c, 'p3', j.generationId, j.memberId);
    await commit(c, 'p3', { t1: { 1: 100 } }, { gen: j.generationId, member: j.memberId });
    await commit(c, 'p4', { t1: { 0: 1 } });
    await c.send(G.DeleteGroups, 2, { groupsNames: ['p4'] });
    await c.send(G.OffsetDelete, 0, { groupId: 'p2', topics: [{ name: 't2', partitions: [{ partitionIndex: 1 }] }] });

    await h.restart();
    const c2 = await h.client();
    const f = await c2.send(G.OffsetFetch, 9, {
      groups: ['p1', 'p2', 'p3', 'p4'].map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
      requireStable: false,
    });
    const got = Object.fromEntries(
      f.groups.map((g) => [
        g.groupId,
        g.topics.flatMap((t) =>
          t.partitions.map(
            (p) => `${t.name}-${p.partitionIndex}=${p.committedOffset}/${p.metadata}/${p.committedLeaderEpoch}`,
          ),
        ),
      ]),
    );
    expect(got).toEqual({ p1: ['t1-0=11/meta/3', 't1-3=33/meta/3'], p2: [], p3: ['t1-1=100/m1/3'], p4: [] });
    const d = await c2.send(G.DescribeGroups, 5, { groups: ['p3'], includeAuthorizedOperations: false });
    expect(d.groups[0]).toMatchObject({ groupState: 'Empty', protocolType: 'consumer', members: [] });
    // The old member must rejoin; the new generation continues from the stored one.
    expect((await heartbeat(c2, 'p3', j.generationId, j.memberId)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const again = await joinDynamic(c2, 'p3');
    expect(again.generationId).toBe(j.generationId + 1);
    const groups = (await c2.send(G.ListGroups, 4, { statesFilter: [] })).groups.map((g) => g.groupId).sort();
    expect(groups).toEqual(['p1', 'p2', 'p3']);
  });
});
