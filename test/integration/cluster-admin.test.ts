// Admin requests on `samsa start --brokers 3` with its default settings are answered as soon as
// the cluster has carried them out, at every version clients use: CreateTopics below v7 (sarama
// v2, kafka-python v3, librdkafka v4) names no topic id in its answer, and the broker once waited
// for an id it could never see until the request's timeout. Each request here allows 60 s; an
// answer that only comes at the timeout fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/protocol/errors.ts';
import * as ct from '../../core/protocol/messages/create-topics.ts';
import { runPython, uniqueTopic } from '../helpers/clients.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';
import { removeAllTmpDirs } from '../helpers/tmp.ts';
import { G } from '../unit/broker/groups/group-harness.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};

/** Far longer than any answer should take: an answer given at the timeout shows up as > ANSWERED_WITHIN_MS. */
const REQUEST_TIMEOUT_MS = 60_000;
const ANSWERED_WITHIN_MS = 10_000;

let cluster: RunningCluster;
beforeAll(async () => {
  cluster = await startCluster({ brokers: 3 });
});
afterAll(async () => {
  await cluster?.dispose();
  removeAllTmpDirs();
});

describe('CreateTopics on a 3-broker cluster with default settings', () => {
  for (let version = ct.CreateTopicsRequestVersions.min; version <= ct.CreateTopicsRequestVersions.max; version++) {
    if (version < 2) continue;
    it(`v${version} is answered once the topic exists, through any broker`, async () => {
      for (const id of [1, 2, 3]) {
        const c = await KafkaClient.connect(cluster.ports.get(id)!);
        try {
          const name = uniqueTopic(`admin-v${version}-b${id}`);
          const started = Date.now();
          const res = await c.send(CreateTopics, version, {
            topics: [{ name, numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
            timeoutMs: REQUEST_TIMEOUT_MS,
            validateOnly: false,
          });
          const took = Date.now() - started;
          expect(res.topics[0]!.errorCode, res.topics[0]!.errorMessage ?? '').toBe(ErrorCode.NONE);
          expect(took, `CreateTopics v${version} through broker ${id} took ${took} ms`).toBeLessThan(
            ANSWERED_WITHIN_MS,
          );
          const md = await c.send(Api.Metadata, 12, {
            topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name }],
            allowAutoTopicCreation: false,
            includeTopicAuthorizedOperations: false,
          });
          expect(md.topics[0]!.errorCode).toBe(ErrorCode.NONE);
          expect(md.topics[0]!.partitions).toHaveLength(3);
        } finally {
          c.close();
        }
      }
    });
  }

  it("kafka-python's admin client (CreateTopics v3) creates a topic without waiting for its timeout", async () => {
    const name = uniqueTopic('admin-kp');
    const started = Date.now();
    // kp.py asks with a 15 s timeout: an answer given at the timeout fails the bound below.
    const r = await runPython<{ results: Record<string, { code: number }> }>('kp.py', {
      cmd: 'create_topics',
      bootstrap: cluster.bootstrap,
      topics: [name],
      partitions: 3,
    });
    const took = Date.now() - started;
    expect(r.results).toEqual({ [name]: { code: 0 } });
    expect(took, `kafka-python create_topics took ${took} ms`).toBeLessThan(ANSWERED_WITHIN_MS);
  });
});

describe('offset commits on a 3-broker cluster', () => {
  it('are accepted for every partition of a topic, wherever its replicas are', async () => {
    // RF 1 over 3 brokers: at most one partition of three lives on the group coordinator's broker.
    const topic = uniqueTopic('commits');
    const admin = await KafkaClient.connect(cluster.ports.get(1)!);
    const group = uniqueTopic('group');
    try {
      const created = await admin.send(CreateTopics, 7, {
        topics: [{ name: topic, numPartitions: 6, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: REQUEST_TIMEOUT_MS,
        validateOnly: false,
      });
      expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
      const found = await admin.send(G.FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: [group] });
      const coordinator = found.coordinators[0]!;
      expect(coordinator.errorCode).toBe(ErrorCode.NONE);
      const c = await KafkaClient.connect(coordinator.port);
      try {
        const partitions = [0, 1, 2, 3, 4, 5];
        const r = await c.send(G.OffsetCommit, 9, {
          groupId: group,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [
            {
              name: topic,
              partitions: partitions.map((p) => ({
                partitionIndex: p,
                committedOffset: 10 + p,
                committedLeaderEpoch: -1,
                committedMetadata: null,
              })),
            },
          ],
        });
        expect(r.topics[0]!.partitions.map((p) => p.errorCode)).toEqual(partitions.map(() => ErrorCode.NONE));
        // A partition past the topic's count is still unknown.
        const past = await c.send(G.OffsetCommit, 9, {
          groupId: group,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [
            {
              name: topic,
              partitions: [
                { partitionIndex: 6, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null },
              ],
            },
          ],
        });
        expect(past.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        const fetched = await c.send(G.OffsetFetch, 8, {
          groups: [
            {
              groupId: group,
              memberId: null,
              memberEpoch: -1,
              topics: [{ name: topic, partitionIndexes: partitions }],
            },
          ],
          requireStable: false,
        });
        expect(fetched.groups[0]!.topics[0]!.partitions.map((p) => Number(p.committedOffset))).toEqual(
          partitions.map((p) => 10 + p),
        );
      } finally {
        c.close();
      }
    } finally {
      admin.close();
    }
  });
});
