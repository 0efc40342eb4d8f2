// The console service against a three-broker `samsa start --brokers 3`: a replication-factor change
// starts partition reassignments (AlterPartitionReassignments), lists their progress and cancels them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterOverview, ReassignmentsResult, TopicDetail } from '../../../core/console/bridge.ts';
import { ConsoleError, ConsoleService, type Session } from '../../../core/console/service.ts';
import { startCluster, type RunningCluster } from '../../helpers/spawn-cluster.ts';

let cluster: RunningCluster;
let service: ConsoleService;
const session: Session = { emit: async () => undefined };
const call = <T>(op: string, args: unknown = {}) => service.call(op, args, session) as Promise<T>;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3 });
  service = new ConsoleService({ bootstrap: cluster.bootstrap });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await cluster?.dispose();
});

describe('replication factor through reassignments', () => {
  it('starts moving a topic to 3 replicas, lists the progress, and cancels it', async () => {
    const overview = await call<ClusterOverview>('clusterOverview');
    expect(overview.brokers.map((b) => b.status)).toEqual(['online', 'online', 'online']);
    await call('createTopic', { name: 'grow', partitions: 3, replicationFactor: 1 });
    await call('produceMany', { topic: 'grow', partitioning: 'roundRobin', valueTemplate: 'v{{i}}', from: 0, count: 300 });
    const before = await call<TopicDetail>('topicDetail', { name: 'grow' });

    const started = await call<ReassignmentsResult>('alterReplicationFactor', { name: 'grow', replicationFactor: 3 });
    expect(started.topic).toBe('grow');
    const listed = await call<ReassignmentsResult>('listReassignments', { name: 'grow' });
    // Either still moving (every target broker listed, the new ones as adding) or already done.
    for (const p of listed.partitions) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      const original = before.partitions.find((x) => x.partition === p.partition)!.replicas;
      expect([...p.adding].sort()).toEqual([1, 2, 3].filter((b) => !original.includes(b)));
    }
    const detail = await call<TopicDetail>('topicDetail', { name: 'grow' });
    for (const p of detail.partitions) expect(p.replicas).toContain(before.partitions.find((x) => x.partition === p.partition)!.leader);

    const cancelled = await call<ReassignmentsResult>('cancelReassignments', { name: 'grow' });
    expect(cancelled.partitions).toEqual([]);
    expect((await call<ReassignmentsResult>('listReassignments', { name: 'grow' })).partitions).toEqual([]);

    try {
      await call('alterReplicationFactor', { name: 'grow', replicationFactor: 4 });
      throw new Error('expected a failure');
    } catch (e) {
      expect(e).toBeInstanceOf(ConsoleError);
      expect((e as ConsoleError).message).toBe('Replication factor 4 is more than the 3 live brokers.');
    }
  });
});
