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
import { partitionForGroup } from '../../../../core/broker/group/group-log.ts';
import { batchPositions, decodeRecords } from '../../../../core/protocol/record-batch.ts';
import { decodeOffsetCommitValue } from '../../../../core/protocol/records/offset-commit-value.ts';
import { Reader } from '../../../../core/protocol/reader.ts';

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

describe('OffsetCommit v2–v4 with a retention time', () => {
  /** The value bytes of every offset-commit record for `group` in __consumer_offsets, in log order. */
  async function offsetValues(harness: GroupHarness, group: string): Promise<(Buffer | null)[]> {
    const p = partitionForGroup(group, 3);
    const log = harness.broker.topics.partition('__consumer_offsets', p)!.log;
    await log.writesIdle();
    const r = await log.read(log.logStartOffset, 1 << 20, Number.MAX_SAFE_INTEGER, true);
    if ('error' in r) throw new Error(String(r.error));
    const buf = Buffer.concat(r.chunks);
    const out: (Buffer | null)[] = [];
    for (const pos of batchPositions(buf))
      for (const rec of decodeRecords(buf, pos)) if (rec.key!.readInt16BE(0) === 1) out.push(rec.value);
    return out;
  }

  function commitV2(c: KafkaClient, group: string, offset: number, retentionTimeMs: number) {
    return c.send(G.OffsetCommit, 2, {
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
  }

  it('keeps the offset that long from its commit (value v1 with its expire timestamp), across a restart', async () => {
    // The broker's own retention is left at its default (7 days): only the client's retention applies.
    h = await startGroupBroker();
    await h.broker.topics.create({ name: 't', numPartitions: 1, replicationFactor: 1, configs: {} });
    const c = await h.client();
    const before = Date.now();
    expect((await commitV2(c, 'kept-2m', 11, 2 * MINUTE)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect((await commitV2(c, 'default', 12, -1)).topics[0]!.partitions[0]!.errorCode).toBe(0);

    // As Kafka writes them: value v1 (commit and expire timestamps) with a retention, v3 without.
    const [v1] = await offsetValues(h, 'kept-2m');
    expect(v1!.readInt16BE(0)).toBe(1);
    const value = decodeOffsetCommitValue(new Reader(v1!, 2), 1);
    expect(value.expireTimestamp - value.commitTimestamp).toBe(2 * MINUTE);
    expect(value.commitTimestamp).toBeGreaterThanOrEqual(before);
    const [v3] = await offsetValues(h, 'default');
    expect(v3!.readInt16BE(0)).toBe(3);

    // The expiry survives a restart (replayed from the record) and is kept to.
    await h.restart();
    const c2 = await h.client();
    expect(await h.broker.groups.expireOffsets(value.expireTimestamp - 1)).toBe(0);
    expect([await committed(c2, 'kept-2m'), await committed(c2, 'default')]).toEqual([11, 12]);
    expect(await h.broker.groups.expireOffsets(value.expireTimestamp)).toBe(1);
    expect([await committed(c2, 'kept-2m'), await committed(c2, 'default')]).toEqual([-1, 12]);
  });

  it('expires the offsets of a topic a Stable group no longer subscribes to, and keeps the subscribed ones', async () => {
    h = await startGroupBroker();
    await h.broker.topics.create({ name: 't', numPartitions: 1, replicationFactor: 1, configs: {} });
    await h.broker.topics.create({ name: 'other', numPartitions: 1, replicationFactor: 1, configs: {} });
    const c = await h.client();
    const m = await joinAndSync(c, 'g'); // subscribes to 't' only
    const r = await c.send(G.OffsetCommit, 2, {
      groupId: 'g',
      generationIdOrMemberEpoch: m.generationId,
      memberId: m.memberId,
      groupInstanceId: null,
      retentionTimeMs: MINUTE,
      topics: ['t', 'other'].map((name) => ({
        name,
        partitions: [{ partitionIndex: 0, committedOffset: 4, committedLeaderEpoch: -1, committedMetadata: null }],
      })),
    });
    expect(r.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([0, 0]);
    expect(await h.broker.groups.expireOffsets(Date.now() + 2 * MINUTE)).toBe(1);
    expect(h.broker.groups.offsets.get('g', 'other', 0)).toBeUndefined();
    expect(h.broker.groups.offsets.get('g', 't', 0)?.offset).toBe(4);
  });
});
