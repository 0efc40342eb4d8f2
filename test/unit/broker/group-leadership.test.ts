// The group coordinator follows the leadership of `__consumer_offsets`
// partitions: groups of partitions this broker does not lead answer
// NOT_COORDINATOR, a partition being loaded answers
// COORDINATOR_LOAD_IN_PROGRESS, and moving a partition away and back reloads
// its groups and committed offsets from the log. Writes wait for the
// in-sync replicas when replication says so.
import { waitFor } from '../../helpers/clients.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogManager } from '../../../core/storage/log-manager.ts';
import { defaultLogConfig } from '../../../core/storage/log-config.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import {
  GroupCoordinator,
  type CoordinatorReplication,
  type OffsetCommitInput,
} from '../../../core/broker/group/coordinator.ts';
import { partitionForGroup } from '../../../core/broker/group/group-log.ts';
import type { PartitionState, TopicRegistry, TopicState } from '../../../core/broker/topic-manager.ts';
import type { JoinGroupRequest } from '../../../core/protocol/messages/join-group.ts';
import type { ConsumerGroupHeartbeatRequest } from '../../../core/protocol/messages/consumer-group-heartbeat.ts';

const PARTITIONS = 4;

/** A group id that lands on partition `p` of `__consumer_offsets`. */
function groupOn(p: number, prefix = 'g'): string {
  for (let i = 0; ; i++) if (partitionForGroup(`${prefix}${i}`, PARTITIONS) === p) return `${prefix}${i}`;
}

interface Setup {
  coordinator: GroupCoordinator;
  offsets: TopicState;
  logs: LogManager;
  dir: string;
  replication: { current: CoordinatorReplication | undefined };
  messages: string[];
}

async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-group-leadership-'));
  const logs = await LogManager.open({ dir, defaultConfig: defaultLogConfig, timers: false });
  const mkTopic = async (name: string, n: number, topicId: string): Promise<TopicState> => {
    const t = {
      name,
      topicId,
      internal: name.startsWith('__'),
      replicationFactor: 1,
      partitions: [] as PartitionState[],
      configs: {},
    } as unknown as TopicState;
    for (let p = 0; p < n; p++) {
      const log = await logs.create(name, p, topicId, defaultLogConfig);
      t.partitions.push({ topic: name, partition: p, topicId, log, leaderEpoch: 0 } as PartitionState);
    }
    return t;
  };
  const offsets = await mkTopic('__consumer_offsets', PARTITIONS, 'AAAAAAAAAAAAAAAAAAAAAQ');
  const data = await mkTopic('t', 2, 'AAAAAAAAAAAAAAAAAAAAAg');
  const byName = new Map([
    [offsets.name, offsets],
    [data.name, data],
  ]);
  const topics: TopicRegistry = {
    get: (name) => byName.get(name) as never,
    getById: (id) => [...byName.values()].find((t) => t.topicId === id) as never,
    all: () => byName.values() as never,
    partition: (name, p) => byName.get(name)?.partitions[p] as never,
    autoCreate: () => Promise.reject(new Error('no auto-creation here')),
  };
  const replication: { current: CoordinatorReplication | undefined } = { current: undefined };
  const messages: string[] = [];
  const coordinator = new GroupCoordinator({
    topics,
    config: new BrokerConfig({
      'group.initial.rebalance.delay.ms': '0',
      'group.min.session.timeout.ms': '100',
      'offsets.topic.num.partitions': String(PARTITIONS),
    }),
    partitionChanged: () => {},
    log: (m) => messages.push(m),
    brokerId: 1,
    get replication() {
      return replication.current;
    },
    persistOffsets: true,
  });
  return { coordinator, offsets, logs, dir, replication, messages };
}

function commitReq(groupId: string, offset: number, partition = 0): OffsetCommitInput {
  return {
    groupId,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    apiVersion: 9,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: partition,
            committedOffset: offset,
            committedLeaderEpoch: -1,
            committedMetadata: `m${offset}`,
          },
        ],
      },
    ],
  };
}

function joinReq(groupId: string, memberId = ''): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    reason: null,
  };
}

function cgHeartbeat(groupId: string): ConsumerGroupHeartbeatRequest {
  return {
    groupId,
    memberId: 'm-1',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 10_000,
    subscribedTopicNames: ['t'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
  };
}

const committedOffset = (c: GroupCoordinator, groupId: string) => {
  const r = c.fetchOffsets(groupId, [{ name: 't', partitionIndexes: [0] }]);
  return { errorCode: r.errorCode, offset: r.topics[0]?.partitions[0]?.committedOffset };
};

let s: Setup;
beforeEach(async () => {
  s = await setup();
});
afterEach(async () => {
  s.coordinator.stop();
  await s.logs.close();
  rmSync(s.dir, { recursive: true, force: true });
});

describe('group coordinator and __consumer_offsets leadership', () => {
  it('answers NOT_COORDINATOR for groups of partitions it does not lead, on every group API', async () => {
    const c = s.coordinator;
    c.onPartitionLeadership(0, true, 0);
    c.onPartitionLeadership(1, true, 0);
    await c.ready;
    expect(c.ledPartitions()).toEqual([0, 1]);
    const mine = groupOn(0);
    const other = groupOn(2);
    const NC = ErrorCode.NOT_COORDINATOR;

    // Led here: everything works.
    expect((await c.commitOffsets(commitReq(mine, 5)))[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(committedOffset(c, mine)).toEqual({ errorCode: ErrorCode.NONE, offset: 5 });

    // Led elsewhere.
    expect((await c.commitOffsets(commitReq(other, 5)))[0]!.partitions[0]!.errorCode).toBe(NC);
    expect(c.fetchOffsets(other, null).errorCode).toBe(NC);
    expect(
      c.fetchOffsets(other, [{ name: 't', partitionIndexes: [0] }], { memberId: 'x', memberEpoch: 1 }).errorCode,
    ).toBe(NC);
    expect((await c.join(joinReq(other), 9, { clientId: 'c', clientHost: '/h' })).errorCode).toBe(NC);
    expect(
      (
        await c.sync(
          {
            groupId: other,
            generationId: 1,
            memberId: 'm',
            groupInstanceId: null,
            protocolType: null,
            protocolName: null,
            assignments: [],
          },
          5,
        )
      ).errorCode,
    ).toBe(NC);
    expect(c.heartbeat(other, 'm', null, 1)).toBe(NC);
    expect(c.leave(other, [{ memberId: 'm', groupInstanceId: null }]).errorCode).toBe(NC);
    expect((await c.deleteOffsets(other, [{ name: 't', partitions: [{ partitionIndex: 0 }] }])).errorCode).toBe(NC);
    expect(c.describeGroup(other).errorCode).toBe(NC);
    expect(await c.deleteGroups([other, mine])).toEqual([
      { groupId: other, errorCode: NC },
      { groupId: mine, errorCode: ErrorCode.NONE },
    ]);
    expect((await c.consumerHeartbeat(cgHeartbeat(other), 1, { clientId: 'c', clientHost: '/h' })).errorCode).toBe(NC);
    expect(c.consumer.describe(other, false).errorCode).toBe(NC);
    // Request checks that come first in Kafka still do.
    expect((await c.join(joinReq(''), 9, { clientId: 'c', clientHost: '/h' })).errorCode).toBe(
      ErrorCode.INVALID_GROUP_ID,
    );
    expect(
      (
        await c.consumerHeartbeat({ ...cgHeartbeat(other), rebalanceTimeoutMs: -1 }, 1, {
          clientId: 'c',
          clientHost: '/h',
        })
      ).errorCode,
    ).toBe(ErrorCode.INVALID_REQUEST);

    // Nothing was written to a partition led elsewhere.
    expect(s.offsets.partitions[2]!.log.logEndOffset).toBe(0);

    // ListGroups: only groups this broker coordinates.
    const mine1 = groupOn(1, 'h');
    await c.commitOffsets(commitReq(mine1, 1));
    expect(c.listGroups([], []).groups.map((g) => g.groupId)).toEqual([mine1]);

    // A KIP-848 group on a led partition joins.
    const cg = await c.consumerHeartbeat(cgHeartbeat(groupOn(1, 'cg')), 1, { clientId: 'c', clientHost: '/h' });
    expect(cg.errorCode).toBe(ErrorCode.NONE);
    expect(cg.memberEpoch).toBeGreaterThan(0);
  });

  it('unloads a partition whose leadership moves away and reloads its offsets when it comes back', async () => {
    const c = s.coordinator;
    for (let p = 0; p < PARTITIONS; p++) c.onPartitionLeadership(p, true, 0);
    await c.ready;
    const a = groupOn(3, 'a');
    const b = groupOn(1, 'b');
    for (let i = 1; i <= 20; i++) await c.commitOffsets(commitReq(a, i * 10));
    await c.commitOffsets(commitReq(b, 7));
    expect(committedOffset(c, a)).toEqual({ errorCode: ErrorCode.NONE, offset: 200 });

    // A classic member waiting for its join answer when the partition moves gets NOT_COORDINATOR.
    const live = groupOn(3, 'live');
    const first = await c.join(joinReq(live), 9, { clientId: 'c', clientHost: '/h' });
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const joined = await c.join(joinReq(live, first.memberId!), 9, { clientId: 'c', clientHost: '/h' });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    const generation = joined.generationId!;
    const memberId = joined.memberId!;
    const waitingSync = c.sync(
      {
        groupId: live,
        generationId: generation,
        memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      },
      5,
    );
    expect((await waitingSync).errorCode).toBe(ErrorCode.NONE);
    // A second member's join waits for the first to rejoin.
    const id2 = (await c.join(joinReq(live), 9, { clientId: 'c2', clientHost: '/h' })).memberId!;
    let secondAnswered = false;
    const second = c.join(joinReq(live, id2), 9, { clientId: 'c2', clientHost: '/h' }).then((r) => {
      secondAnswered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(secondAnswered).toBe(false);

    // A stale resignation (older epoch) changes nothing.
    c.onPartitionLeadership(3, true, 4);
    c.onPartitionLeadership(3, false, 2);
    expect(committedOffset(c, a).errorCode).toBe(ErrorCode.NONE);

    c.onPartitionLeadership(3, false, 5);
    expect(committedOffset(c, a).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(c.groups.has(a)).toBe(false);
    expect(c.offsets.hasOffsets(a)).toBe(false);
    expect(c.heartbeat(live, memberId, null, generation)).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await second).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    // Other partitions are untouched.
    expect(committedOffset(c, b)).toEqual({ errorCode: ErrorCode.NONE, offset: 7 });

    // Back at a newer epoch: loading, then the offsets come back from the log.
    c.onPartitionLeadership(3, true, 6);
    expect(committedOffset(c, a).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(c.listGroups([], []).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(c.isLoading).toBe(true);
    await c.ready;
    expect(c.isLoading).toBe(false);
    expect(committedOffset(c, a)).toEqual({ errorCode: ErrorCode.NONE, offset: 200 });
    expect(c.fetchOffsets(a, null).topics[0]!.partitions[0]!.metadata).toBe('m200');
    expect(c.describeGroup(live)).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Empty' });
    expect(
      c
        .listGroups([], [])
        .groups.map((g) => g.groupId)
        .sort(),
    ).toEqual([a, b, live].sort());
  });

  it('a resignation during the load drops what was read', async () => {
    const c = s.coordinator;
    c.onPartitionLeadership(2, true, 0);
    await c.ready;
    const g = groupOn(2);
    for (let i = 1; i <= 50; i++) await c.commitOffsets(commitReq(g, i));
    c.onPartitionLeadership(2, false, 1);
    c.onPartitionLeadership(2, true, 2);
    c.onPartitionLeadership(2, false, 3);
    await c.ready;
    await new Promise((r) => setTimeout(r, 50));
    expect(c.offsets.hasOffsets(g)).toBe(false);
    expect(c.groups.has(g)).toBe(false);
    expect(committedOffset(c, g).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('acknowledges a commit only once the high watermark covers it (acks=all)', async () => {
    const c = s.coordinator;
    c.onPartitionLeadership(0, true, 0);
    const g = groupOn(0);
    let release: (code: number) => void = () => {};
    const seen: { partition: number; end: number; timeout: number }[] = [];
    s.replication.current = {
      onLeaderAppend: () => {},
      awaitHighWatermark: (p, end, timeout) => {
        seen.push({ partition: p.partition, end, timeout });
        return new Promise((r) => {
          release = r;
        });
      },
    };
    let answered = false;
    const pending = c.commitOffsets(commitReq(g, 42)).then((r) => {
      answered = true;
      return r;
    });
    // Wait for the commit to reach the high-watermark wait (the event), then check it is still unanswered.
    await waitFor(() => seen.length === 1, 10_000, 'the commit waits for the high watermark');
    expect(answered).toBe(false);
    expect(seen).toEqual([{ partition: 0, end: s.offsets.partitions[0]!.log.logEndOffset, timeout: 5000 }]);
    release(ErrorCode.NONE);
    expect((await pending)[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(committedOffset(c, g).offset).toBe(42);

    // Leadership lost while waiting: NOT_COORDINATOR, and the offset is not applied.
    const lost = c.commitOffsets(commitReq(g, 43));
    await waitFor(() => seen.length === 2, 10_000, 'the second commit waits');
    release(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await lost)[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(committedOffset(c, g).offset).toBe(42);

    // The replicas did not confirm in time: COORDINATOR_NOT_AVAILABLE (clients retry).
    const slow = c.commitOffsets(commitReq(g, 44));
    await waitFor(() => seen.length === 3, 10_000, 'the third commit waits');
    release(ErrorCode.REQUEST_TIMED_OUT);
    expect((await slow)[0]!.partitions[0]!.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(committedOffset(c, g).offset).toBe(42);
  });

  it('start() takes the partitions the partition states give this broker; ready waits for their loads', async () => {
    const c = s.coordinator;
    c.onPartitionLeadership(1, true, 0);
    const g = groupOn(1);
    for (let i = 1; i <= 5; i++) await c.commitOffsets(commitReq(g, i));
    c.stop();
    await s.logs.close();

    // A new coordinator on the same logs, as after a restart: partitions 1 and 3 are led here, 0 and 2 elsewhere.
    const logs = await LogManager.open({ dir: s.dir, defaultConfig: defaultLogConfig, timers: false });
    s.logs = logs;
    const parts = [0, 1, 2, 3].map((p) => ({
      topic: '__consumer_offsets',
      partition: p,
      topicId: s.offsets.topicId,
      log: logs.get('__consumer_offsets', p)!,
      leaderEpoch: 1,
      leader: p % 2 === 1 ? 1 : 2,
    })) as unknown as PartitionState[];
    const offsets = { ...s.offsets, partitions: parts } as TopicState;
    const c2 = new GroupCoordinator({
      topics: {
        get: (n: string) => (n === '__consumer_offsets' ? offsets : undefined),
        getById: () => undefined,
        all: () => [offsets],
        partition: () => undefined,
        autoCreate: () => Promise.reject(new Error('no')),
      } as unknown as TopicRegistry,
      config: new BrokerConfig({ 'offsets.topic.num.partitions': String(PARTITIONS) }),
      partitionChanged: () => {},
      log: () => {},
      brokerId: 1,
      persistOffsets: true,
    });
    s.coordinator = c2;
    await c2.start();
    expect(c2.ledPartitions()).toEqual([1, 3]);
    expect(committedOffset(c2, g)).toEqual({ errorCode: ErrorCode.NONE, offset: 5 });
    expect(committedOffset(c2, groupOn(0)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await c2.findGroupCoordinator(groupOn(2))).leader).toBe(2);
    expect(await c2.findGroupCoordinator(g)).toEqual({ errorCode: ErrorCode.NONE, leader: 1 });
  });
});
