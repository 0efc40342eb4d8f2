// The console service against a three-broker `samsa start --brokers 3`: a replication-factor change
// starts partition reassignments (AlterPartitionReassignments), lists their progress and cancels them;
// left alone, reassignments complete: every partition ends with the new replicas, all in sync, and
// every record still readable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterOverview, RecordView, ReassignmentsResult, TopicDetail } from '../../core/console/bridge.ts';
import { ConsoleError, ConsoleService, type Session } from '../../core/console/service.ts';
import { startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';

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
    await call('produceMany', {
      topic: 'grow',
      partitioning: 'roundRobin',
      valueTemplate: 'v{{i}}',
      from: 0,
      count: 300,
    });
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
    for (const p of detail.partitions)
      expect(p.replicas).toContain(before.partitions.find((x) => x.partition === p.partition)!.leader);

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

  const RECORDS = 3000;

  /** Polls the reassignment progress until no partition is moving and every one has `rf` replicas, all in the ISR. */
  async function settled(name: string, rf: number): Promise<{ detail: TopicDetail; polls: number }> {
    const end = Date.now() + 60_000;
    for (let polls = 1; ; polls++) {
      const moving = await call<ReassignmentsResult>('listReassignments', { name });
      const detail = await call<TopicDetail>('topicDetail', { name });
      const done =
        moving.partitions.length === 0 &&
        detail.partitions.every((p) => p.replicas.length === rf && p.isr.length === rf && p.leader >= 0);
      if (done) return { detail, polls };
      if (Date.now() > end)
        throw new Error(
          `not done after 60 s: ${JSON.stringify({ moving: moving.partitions, partitions: detail.partitions })}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Every record of the topic, read partition by partition from its start offset. */
  async function readAll(detail: TopicDetail): Promise<RecordView[]> {
    const out: RecordView[] = [];
    for (const p of detail.partitions) {
      const page = await call<{ records: RecordView[] }>('fetchMessagesPage', {
        topic: detail.name,
        partition: p.partition,
        offset: p.startOffset,
        limit: 10_000,
      });
      out.push(...page.records);
    }
    return out;
  }

  it('grows a topic from 1 to 3 replicas and shrinks it to 2, to completion, with every record still there', async () => {
    await call('createTopic', { name: 'moved', partitions: 3, replicationFactor: 1 });
    await call('produceMany', {
      topic: 'moved',
      partitioning: 'roundRobin',
      valueTemplate: `v{{i}}-${'x'.repeat(200)}`,
      from: 0,
      count: RECORDS,
    });
    const before = await call<TopicDetail>('topicDetail', { name: 'moved' });
    expect(before.partitions.map((p) => p.replicas.length)).toEqual([1, 1, 1]);

    await call<ReassignmentsResult>('alterReplicationFactor', { name: 'moved', replicationFactor: 3 });
    const grown = (await settled('moved', 3)).detail;
    for (const p of grown.partitions) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
      // The original replica stays first (the preferred leader).
      expect(p.replicas[0]).toBe(before.partitions.find((x) => x.partition === p.partition)!.replicas[0]);
    }
    expect(grown.recordCount).toBe(String(RECORDS));

    await call<ReassignmentsResult>('alterReplicationFactor', { name: 'moved', replicationFactor: 2 });
    const shrunk = (await settled('moved', 2)).detail;
    for (const p of shrunk.partitions) {
      expect(new Set(p.replicas).size).toBe(2);
      expect([...p.isr].sort()).toEqual([...p.replicas].sort());
      expect(p.replicas).toContain(p.leader);
    }
    expect(shrunk.recordCount).toBe(String(RECORDS));
    const records = await readAll(shrunk);
    expect(records).toHaveLength(RECORDS);
    expect(new Set(records.map((r) => r.value?.data))).toEqual(
      new Set(Array.from({ length: RECORDS }, (_, i) => `v${i}-${'x'.repeat(200)}`)),
    );
  }, 180_000);
});
