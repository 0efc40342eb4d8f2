// offsets.retention.minutes / offsets.retention.check.interval.ms: committed
// offsets of groups without members expire (KIP-211: from when the group
// became Empty; a standalone group's from the commit), tombstones are written
// to __consumer_offsets, and a group left Empty without offsets is Dead and
// gone from ListGroups. The coordinator's clock is moved forward instead of
// waiting the one-minute minimum retention; the periodic check runs for real.

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../core/protocol/errors.ts';
import type { KafkaClient } from '../../../helpers/kafka-client.ts';
import { G, startGroupBroker, subscription, type GroupHarness } from './group-harness.ts';

let h: GroupHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const MINUTE = 60_000;

function commit(c: KafkaClient, group: string, offset: number, gen = -1, member = '') {
  return c.send(G.OffsetCommit, 9, {
    groupId: group,
    generationIdOrMemberEpoch: gen,
    memberId: member,
    groupInstanceId: null,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }],
      },
    ],
  });
}

async function committed(c: KafkaClient, group: string): Promise<number> {
  const r = await c.send(G.OffsetFetch, 8, {
    groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] }],
    requireStable: false,
  });
  return Number(r.groups[0]!.topics[0]!.partitions[0]!.committedOffset);
}

async function listed(c: KafkaClient): Promise<string[]> {
  const r = await c.send(G.ListGroups, 5, { statesFilter: [], typesFilter: [] });
  return r.groups.map((g) => `${g.groupId}:${g.groupState}`).sort();
}

async function joinAndSync(c: KafkaClient, group: string): Promise<{ memberId: string; generationId: number }> {
  const body = (memberId: string) => ({
    groupId: group,
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 5_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
  });
  const first = await c.send(G.JoinGroup, 9, body(''));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const j = await c.send(G.JoinGroup, 9, body(first.memberId));
  expect(j.errorCode).toBe(0);
  const s = await c.send(G.SyncGroup, 5, {
    groupId: group,
    generationId: j.generationId,
    memberId: j.memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [],
  });
  expect(s.errorCode).toBe(0);
  return { memberId: j.memberId, generationId: j.generationId };
}

const until = async (cond: () => Promise<boolean>, ms = 3000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('offsets.retention.minutes', () => {
  it('expires offsets of empty and standalone groups after the retention, keeps those of groups with members, and removes the emptied groups', async () => {
    h = await startGroupBroker({ 'offsets.retention.minutes': '2', 'offsets.retention.check.interval.ms': '50' });
    await h.broker.topics.create({ name: 't', numPartitions: 1, replicationFactor: 1, configs: {} });
    const c = await h.client();
    let skew = 0;
    h.broker.groups.clock = () => Date.now() + skew;

    // A standalone group (commits only), a group whose member left (Empty), a group with a member (Stable).
    expect((await commit(c, 'solo', 5)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    const left = await joinAndSync(c, 'left');
    expect((await commit(c, 'left', 7, left.generationId, left.memberId)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(
      (
        await c.send(G.LeaveGroup, 5, {
          groupId: 'left',
          memberId: '',
          members: [{ memberId: left.memberId, groupInstanceId: null, reason: null }],
        })
      ).errorCode,
    ).toBe(0);
    const busy = await joinAndSync(c, 'busy');
    expect((await commit(c, 'busy', 9, busy.generationId, busy.memberId)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(await listed(c)).toEqual(['busy:Stable', 'left:Empty', 'solo:Empty']);

    // Before the retention has passed, nothing expires.
    skew = 1.5 * MINUTE;
    await new Promise((r) => setTimeout(r, 200));
    expect([await committed(c, 'solo'), await committed(c, 'left'), await committed(c, 'busy')]).toEqual([5, 7, 9]);

    // After it: the periodic check expires 'solo' and 'left'; 'busy' has a member.
    skew = 2 * MINUTE + 1000;
    await until(async () => (await committed(c, 'left')) === -1 && (await committed(c, 'solo')) === -1);
    expect(await committed(c, 'busy')).toBe(9);
    expect(await listed(c)).toEqual(['busy:Stable']);
    const d = await c.send(G.DescribeGroups, 5, { groups: ['left', 'solo'], includeAuthorizedOperations: false });
    expect(d.groups.map((g) => g.groupState)).toEqual(['Dead', 'Dead']);

    // The tombstones are in __consumer_offsets: a restart does not bring them back.
    await h.restart();
    const c2 = await h.client();
    expect([await committed(c2, 'solo'), await committed(c2, 'left')]).toEqual([-1, -1]);
    expect(await committed(c2, 'busy')).toBe(9);
    expect((await listed(c2)).filter((g) => !g.startsWith('busy'))).toEqual([]);
  });

  it("counts an empty group's retention from when it became Empty, not from its commits", async () => {
    h = await startGroupBroker({ 'offsets.retention.minutes': '2', 'offsets.retention.check.interval.ms': '50' });
    await h.broker.topics.create({ name: 't', numPartitions: 1, replicationFactor: 1, configs: {} });
    const c = await h.client();
    const m = await joinAndSync(c, 'g');
    expect((await commit(c, 'g', 3, m.generationId, m.memberId)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    // The commit is three minutes old by the time the member leaves...
    const stored = h.broker.groups.offsets.get('g', 't', 0)!;
    stored.commitTimestampMs -= 3 * MINUTE;
    expect(
      (
        await c.send(G.LeaveGroup, 5, {
          groupId: 'g',
          memberId: '',
          members: [{ memberId: m.memberId, groupInstanceId: null, reason: null }],
        })
      ).errorCode,
    ).toBe(0);
    // ...but the group has been Empty for less than the retention: kept.
    expect(await h.broker.groups.expireOffsets(Date.now() + MINUTE)).toBe(0);
    expect(await committed(c, 'g')).toBe(3);
    expect(await h.broker.groups.expireOffsets(Date.now() + 2 * MINUTE + 1000)).toBe(1);
    expect(await committed(c, 'g')).toBe(-1);
  });
});
