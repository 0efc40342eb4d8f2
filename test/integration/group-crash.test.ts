// Committed offsets survive a SIGKILL of a broker process: the commit is
// answered only once written, and replay on start rebuilds it.
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClient } from '../helpers/kafka-client.ts';
import { startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { G } from '../helpers/group-harness.ts';
import * as ct from '../../core/protocol/messages/create-topics.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};
const overrides = { 'offsets.topic.num.partitions': 4, 'group.initial.rebalance.delay.ms': 0 };

let brokers: RunningBroker[] = [];
let dir = '';
afterEach(async () => {
  for (const b of brokers) await b.dispose();
  brokers = [];
  if (dir) removeTmpDir(dir);
});

describe('group coordinator after SIGKILL', () => {
  it('keeps every answered commit', async () => {
    dir = makeTmpDir('samsa-groups-crash-');
    const b1 = await startBroker({ dataDir: dir, overrides });
    brokers.push(b1);
    const c = await KafkaClient.connect(b1.port);
    await c.send(CreateTopics, 7, {
      topics: [{ name: 'ct', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const commits = [];
    for (let i = 1; i <= 50; i++) {
      commits.push(
        c.send(G.OffsetCommit, 9, {
          groupId: `g${i % 5}`,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [
            {
              name: 'ct',
              partitions: [
                { partitionIndex: i % 3, committedOffset: i, committedLeaderEpoch: -1, committedMetadata: `c${i}` },
              ],
            },
          ],
        }),
      );
    }
    const answers = await Promise.all(commits);
    expect(answers.every((a) => a.topics[0]!.partitions[0]!.errorCode === 0)).toBe(true);
    c.close();
    await b1.kill();

    const b2 = await startBroker({ dataDir: dir, overrides });
    brokers.push(b2);
    const c2 = await KafkaClient.connect(b2.port);
    let f;
    for (let tries = 0; ; tries++) {
      f = await c2.send(G.OffsetFetch, 9, {
        groups: [0, 1, 2, 3, 4].map((g) => ({ groupId: `g${g}`, memberId: null, memberEpoch: -1, topics: null })),
        requireStable: true,
      });
      if (f.groups.every((g) => g.errorCode === 0) || tries > 50) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The last commit per (group, partition) wins.
    const expected: Record<string, string> = {};
    for (let i = 1; i <= 50; i++) expected[`g${i % 5}/${i % 3}`] = `${i}:c${i}`;
    const got: Record<string, string> = {};
    for (const g of f.groups)
      for (const t of g.topics)
        for (const p of t.partitions) got[`${g.groupId}/${p.partitionIndex}`] = `${p.committedOffset}:${p.metadata}`;
    expect(got).toEqual(expected);
    c2.close();
  }, 60_000);
});
