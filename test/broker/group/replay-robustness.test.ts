// A record in __consumer_offsets that cannot be decoded (a newer format, a bad
// disk) must not stop the other groups from loading.
import { afterEach, expect, it } from 'vitest';
import { partitionForGroup } from '../../../core/broker/group/group-log.ts';
import { buildRecordBatch, isBatchError, validateRecordBatches } from '../../../core/protocol/record-batch.ts';
import { G, startGroupBroker, TEST_OVERRIDES, type GroupHarness } from '../../helpers/group-harness.ts';

let h: GroupHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('skips an unreadable record during replay and loads every other commit', async () => {
  const logged: string[] = [];
  h = await startGroupBroker({}, undefined, (m) => logged.push(m));
  await h.broker.topics.create({ name: 't', numPartitions: 1, replicationFactor: 1, configs: {} });
  const c = await h.client();
  const commitAt = async (offset: number) => {
    const r = await c.send(G.OffsetCommit, 9, {
      groupId: 'survivor',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' },
          ],
        },
      ],
    });
    expect(r.topics[0]!.partitions[0]!.errorCode).toBe(0);
  };
  await commitAt(41);

  // An OffsetCommitKey (version 1: group, topic, partition) whose value is truncated,
  // written straight into the partition that holds the group.
  const key = Buffer.alloc(2 + 2 + 6 + 2 + 1 + 4);
  let p = key.writeInt16BE(1, 0);
  p = key.writeInt16BE(6, p);
  p += key.write('broken', p);
  p = key.writeInt16BE(1, p);
  p += key.write('t', p);
  key.writeInt32BE(0, p);
  const batch = buildRecordBatch([{ key, value: Buffer.from([0, 3, 0]) }]);
  const info = validateRecordBatches(batch, { maxMessageBytes: 1 << 20 });
  if (isBatchError(info)) throw new Error(info.message);
  const partition = partitionForGroup('survivor', Number(TEST_OVERRIDES['offsets.topic.num.partitions']));
  const log = h.broker.topics.partition('__consumer_offsets', partition)!.log;
  await log.append(batch, info, 0, Date.now()).written;
  await commitAt(42); // after the broken record: only a replay that goes on past it sees 42

  await h.restart();
  const c2 = await h.client();
  const f = await c2.send(G.OffsetFetch, 9, {
    groups: [{ groupId: 'survivor', memberId: null, memberEpoch: -1, topics: null }],
    requireStable: false,
  });
  expect(f.groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(42);
  expect(logged.some((m) => /unreadable record skipped/.test(m))).toBe(true);
});
