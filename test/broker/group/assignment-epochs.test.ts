// KIP-1251's assignment epochs (Kafka 4.3): a member of a consumer-protocol group whose
// OffsetCommit carries an older member epoch (sent before it heard of its last epoch bump) may
// still commit the partitions it has held since at most that epoch; anything else is
// STALE_MEMBER_EPOCH for the whole commit. Driven over a socket against an in-process broker on
// a real data dir (the epochs survive a restart through __consumer_offsets), plus the
// current-assignment record's tagged field 0 (AssignmentEpochs) byte for byte and its fallback
// when absent, as Kafka reads an older record.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { Reader } from '../../../core/protocol/reader.ts';
import { Writer } from '../../../core/protocol/writer.ts';
import * as cgh from '../../../core/protocol/messages/consumer-group-heartbeat.ts';
import * as cav from '../../../core/protocol/records/consumer-group-current-member-assignment-value.ts';
import {
  assignmentEpochsOf,
  decodeCurrentAssignmentValue,
  encodeCurrentAssignmentValue,
} from '../../../core/broker/group/consumer-records.ts';
import type { ClientCodec, KafkaClient } from '../../helpers/kafka-client.ts';
import { G, startGroupBroker, type GroupHarness } from '../../helpers/group-harness.ts';

const Heartbeat = {
  apiKey: 68,
  flexibleMin: cgh.ConsumerGroupHeartbeatRequestVersions.flexibleMin,
  encode: cgh.encodeConsumerGroupHeartbeatRequest,
  decode: cgh.decodeConsumerGroupHeartbeatResponse,
} as const satisfies ClientCodec<any, any>;

type Owned = { topicId: string; partitions: number[] }[];

let h: GroupHarness;
let c: KafkaClient;

beforeEach(async () => {
  h = await startGroupBroker();
  c = await h.client();
  await h.broker.topics.create({ name: 't1', numPartitions: 4, replicationFactor: 1, configs: {} });
});
afterEach(async () => {
  await h.stop();
});

function hb(client: KafkaClient, memberId: string, epoch: number, owned: Owned | null = epoch === 0 ? [] : null) {
  return client.send(Heartbeat, 1, {
    groupId: 'g',
    memberId,
    memberEpoch: epoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: epoch === 0 ? 5000 : -1,
    subscribedTopicNames: epoch === 0 ? ['t1'] : null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: owned,
  });
}

const held = (a: { topicPartitions: Owned } | null | undefined): Owned =>
  a?.topicPartitions.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions].sort() })) ?? [];
const partitionsOf = (o: Owned) => o.flatMap((t) => t.partitions).sort();

/** Commits offset 7 for each partition of t1 listed; the error code of each. */
async function commit(client: KafkaClient, memberId: string, epoch: number, partitions: number[]): Promise<number[]> {
  const r = await client.send(G.OffsetCommit, 9, {
    groupId: 'g',
    generationIdOrMemberEpoch: epoch,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [
      {
        name: 't1',
        partitions: partitions.map((p) => ({
          partitionIndex: p,
          committedOffset: 7,
          committedLeaderEpoch: -1,
          committedMetadata: null,
        })),
      },
    ],
  });
  return r.topics[0]!.partitions.map((p) => p.errorCode);
}

describe('OffsetCommit with an older member epoch (KIP-1251)', () => {
  it('commits the partitions the member held at that epoch, and no other', async () => {
    // a joins alone (epoch 1, all four partitions); b joins (group epoch 2).
    const a1 = await hb(c, 'a', 0);
    expect(a1.memberEpoch).toBe(1);
    expect((await hb(c, 'b', 0)).memberEpoch).toBe(2);
    // a gives up two partitions and moves to epoch 2 keeping the other two (held since epoch 1).
    const a2 = await hb(c, 'a', 1, held(a1.assignment));
    const kept = partitionsOf(held(a2.assignment));
    expect(kept).toHaveLength(2);
    expect((await hb(c, 'a', 1, held(a2.assignment))).memberEpoch).toBe(2);
    const b2 = await hb(c, 'b', 2, []);
    const given = partitionsOf(held(b2.assignment));
    expect(given).toHaveLength(2);

    // a's commit one epoch behind: its kept partitions commit, the ones it gave b do not.
    expect(await commit(c, 'a', 1, kept)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(await commit(c, 'a', 1, [given[0]!])).toEqual([ErrorCode.STALE_MEMBER_EPOCH]);
    // One partition it does not hold refuses the whole commit.
    expect(await commit(c, 'a', 1, [kept[0]!, given[0]!])).toEqual([
      ErrorCode.STALE_MEMBER_EPOCH,
      ErrorCode.STALE_MEMBER_EPOCH,
    ]);
    // b got its partitions at epoch 2: a commit at epoch 1 is before it held them.
    expect(await commit(c, 'b', 1, given)).toEqual([ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.STALE_MEMBER_EPOCH]);
    expect(await commit(c, 'b', 2, given)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    // An epoch newer than the member's is never accepted.
    expect(await commit(c, 'a', 3, kept)).toEqual([ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.STALE_MEMBER_EPOCH]);

    // b leaves (group epoch 3): a takes b's partitions at epoch 3 and keeps its own since epoch 1.
    await hb(c, 'b', -1);
    const a3 = await hb(c, 'a', 2, held(a2.assignment));
    expect(a3.memberEpoch).toBe(3);
    expect(partitionsOf(held(a3.assignment))).toEqual([0, 1, 2, 3]);
    expect(await commit(c, 'a', 2, kept)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(await commit(c, 'a', 2, given)).toEqual([ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.STALE_MEMBER_EPOCH]);
    expect(await commit(c, 'a', 3, [0, 1, 2, 3])).toEqual(Array(4).fill(ErrorCode.NONE));

    // The epochs are written to __consumer_offsets: after a restart the same commits get the same answers.
    await h.restart();
    const c2 = await h.client();
    expect(await commit(c2, 'a', 1, kept)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(await commit(c2, 'a', 2, given)).toEqual([ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.STALE_MEMBER_EPOCH]);
    expect(await commit(c2, 'a', 3, given)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  });

  it('a partition the member does not hold is STALE_MEMBER_EPOCH; one that does not exist, UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await hb(c, 'a', 0);
    const b = await hb(c, 'b', 0);
    expect(b.memberEpoch).toBe(2);
    // b holds nothing yet (a has not revoked): at epoch 1 nothing is b's.
    expect(await commit(c, 'b', 1, [0])).toEqual([ErrorCode.STALE_MEMBER_EPOCH]);
    expect(await commit(c, 'b', 2, [0])).toEqual([ErrorCode.NONE]);
    // a holds every partition since epoch 1; partition 9 does not exist and does not fence the commit.
    expect(await commit(c, 'a', 0, [0])).toEqual([ErrorCode.STALE_MEMBER_EPOCH]);
    expect(await commit(c, 'a', 1, [0, 9])).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });
});

describe('the current-assignment record (ConsumerGroupCurrentMemberAssignmentValue v0)', () => {
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAQ'; // 00…01
  const value = {
    memberEpoch: 5,
    previousMemberEpoch: 4,
    state: 1,
    assignedPartitions: [{ topicId, partitions: [0, 2], assignmentEpochs: [3, 5] }],
    partitionsPendingRevocation: [{ topicId, partitions: [1], assignmentEpochs: [2] }],
  };

  it('carries the assignment epochs in tagged field 0 of each TopicPartitions, as Kafka 4.3 writes them', () => {
    const w = new Writer(64);
    encodeCurrentAssignmentValue(w, value);
    const uuid = Buffer.alloc(16);
    uuid[15] = 1;
    const i32 = (...n: number[]) => Buffer.concat(n.map((x) => Buffer.from([x >>> 24, x >>> 16, x >>> 8, x & 255])));
    const expected = Buffer.concat([
      i32(5, 4),
      Buffer.from([1]), // state
      Buffer.from([2]), // 1 TopicPartitions
      uuid,
      Buffer.from([3]),
      i32(0, 2), // partitions
      Buffer.from([1, 0, 9, 3]), // one tagged field: tag 0, 9 bytes: 2 epochs
      i32(3, 5),
      Buffer.from([2]),
      uuid,
      Buffer.from([2]),
      i32(1),
      Buffer.from([1, 0, 5, 2]),
      i32(2),
      Buffer.from([0]), // no top-level tagged fields
    ]);
    expect(w.toBuffer().toString('hex')).toBe(expected.toString('hex'));
    expect(decodeCurrentAssignmentValue(new Reader(w.toBuffer()))).toEqual(value);
    expect(assignmentEpochsOf(value)).toEqual(
      new Map([
        [
          topicId,
          new Map([
            [0, 3],
            [2, 5],
            [1, 2],
          ]),
        ],
      ]),
    );
  });

  it('a record without them (an older broker) reads as held since the member epoch, 0 for a negative one', () => {
    const w = new Writer(64);
    cav.encodeConsumerGroupCurrentMemberAssignmentValue(w, 0, {
      memberEpoch: 7,
      previousMemberEpoch: 6,
      state: 1,
      assignedPartitions: [{ topicId, partitions: [0, 1] }],
      partitionsPendingRevocation: [],
    });
    const v = decodeCurrentAssignmentValue(new Reader(w.toBuffer()));
    expect(v.assignedPartitions).toEqual([{ topicId, partitions: [0, 1], assignmentEpochs: null }]);
    expect(assignmentEpochsOf(v).get(topicId)).toEqual(
      new Map([
        [0, 7],
        [1, 7],
      ]),
    );
    expect(assignmentEpochsOf({ ...v, memberEpoch: -2 }).get(topicId)).toEqual(
      new Map([
        [0, 0],
        [1, 0],
      ]),
    );
    // Epochs not aligned with the partitions are ignored, as Kafka ignores them.
    const odd = { ...v, assignedPartitions: [{ topicId, partitions: [0, 1], assignmentEpochs: [1] }] };
    expect(assignmentEpochsOf(odd).get(topicId)).toEqual(
      new Map([
        [0, 7],
        [1, 7],
      ]),
    );
    // The generated decoder (which knows no tag 0) still reads what Samsa writes.
    const ours = new Writer(64);
    encodeCurrentAssignmentValue(ours, value);
    expect(cav.decodeConsumerGroupCurrentMemberAssignmentValue(new Reader(ours.toBuffer()), 0)).toMatchObject({
      memberEpoch: 5,
      assignedPartitions: [{ topicId, partitions: [0, 2] }],
    });
  });
});
