// Liveness and leadership at the controller: fencing on a missed session or a
// process exit, leader election from the ISR (and the unclean rule), controlled
// shutdown, AlterPartition, ElectLeaders, the preferred-leader rebalance,
// partition reassignments, and a controller restart.
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { Controller } from '../../../core/cluster/controller.ts';
import { InProcessChannel } from '../../../core/cluster/in-process-channel.ts';
import type { PartitionInfo } from '../../../core/metadata/types.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type * as apr from '../../../core/protocol/messages/alter-partition-reassignments.ts';
import type { AlterPartitionRequest } from '../../../core/protocol/messages/alter-partition.ts';
import type * as ct from '../../../core/protocol/messages/create-topics.ts';
import type * as el from '../../../core/protocol/messages/elect-leaders.ts';
import type * as lpr from '../../../core/protocol/messages/list-partition-reassignments.ts';
import { makeTmpDir } from '../../helpers/tmp.ts';
import { FakeBroker, createTopicsRequest } from './cluster-harness.ts';

const open: Controller[] = [];
const brokers: FakeBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  for (const c of open.splice(0)) c.close();
});

function controller(overrides: Record<string, string> = {}, opts: { timers?: boolean; dir?: string } = {}): Controller {
  const c = Controller.open(opts.dir ?? makeTmpDir('samsa-lead-'), new BrokerConfig(overrides), {
    timers: opts.timers ?? false,
  });
  open.push(c);
  return c;
}

async function startBrokers(c: Controller, ids: number[]): Promise<FakeBroker[]> {
  const out: FakeBroker[] = [];
  for (const id of ids) {
    const b = new FakeBroker(new InProcessChannel(c), id);
    await b.start();
    brokers.push(b);
    out.push(b);
  }
  return out;
}

/** A topic with exactly these replica lists. */
async function topic(
  c: Controller,
  name: string,
  replicas: number[][],
  configs: Record<string, string> = {},
): Promise<string> {
  const r = (await c.forward(
    19,
    7,
    createTopicsRequest(
      [
        {
          name,
          assignments: replicas.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
          configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
        },
      ],
      { timeoutMs: 2000 },
    ),
    { clientId: null },
  )) as ct.CreateTopicsResponseInput;
  expect(r.topics![0]!.errorCode).toBe(0);
  return c.topic(name)!.topicId;
}

const part = (c: Controller, name: string, i: number): PartitionInfo => c.partitions(c.topic(name)!.topicId)[i]!;

/** An AlterPartition from the partition's current leader, with its current epochs unless overridden. */
function alterIsr(
  c: Controller,
  name: string,
  i: number,
  isr: number[],
  o: {
    brokerId?: number;
    leaderEpoch?: number;
    partitionEpoch?: number;
    brokerEpoch?: number;
    withEpochs?: boolean;
  } = {},
) {
  const p = part(c, name, i);
  const brokerId = o.brokerId ?? p.leader;
  const req: AlterPartitionRequest = {
    brokerId,
    brokerEpoch: o.brokerEpoch ?? c.broker(brokerId)!.epoch,
    topics: [
      {
        topicName: '',
        topicId: p.topicId,
        partitions: [
          {
            partitionIndex: i,
            leaderEpoch: o.leaderEpoch ?? p.leaderEpoch,
            partitionEpoch: o.partitionEpoch ?? p.partitionEpoch,
            newIsr: o.withEpochs ? [] : isr,
            newIsrWithEpochs: o.withEpochs
              ? isr.map((id) => ({ brokerId: id, brokerEpoch: c.broker(id)?.epoch ?? -1 }))
              : [],
            leaderRecoveryState: 0,
          },
        ],
      },
    ],
  };
  return c.alterPartition(req);
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('fencing', () => {
  it('fences a broker whose heartbeats stop: it leaves the ISRs, its partitions get the next in-sync leader', async () => {
    const c = controller(
      { 'broker.session.timeout.ms': '400', 'broker.heartbeat.interval.ms': '100' },
      { timers: true },
    );
    const bs = await startBrokers(c, [1, 2, 3]);
    for (const b of bs) b.heartbeatEvery(100);
    await topic(c, 't', [
      [2, 1, 3],
      [1, 2, 3],
      [3, 1, 2],
    ]);
    await new Promise((r) => setTimeout(r, 600));
    expect(c.liveBrokerIds()).toEqual([1, 2, 3]); // heartbeats keep them alive past the session timeout
    const t0 = Date.now();
    bs[1]!.stopHeartbeats();
    await until(() => c.broker(2)!.fenced);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(part(c, 't', 0)).toMatchObject({ leader: 1, isr: [1, 3], leaderEpoch: 1, partitionEpoch: 1 });
    expect(part(c, 't', 1)).toMatchObject({ leader: 1, isr: [1, 3], leaderEpoch: 0, partitionEpoch: 1 });
    expect(part(c, 't', 2)).toMatchObject({ leader: 3, isr: [3, 1], leaderEpoch: 0, partitionEpoch: 1 });
    expect(c.liveBrokerIds()).toEqual([1, 3]);
    // Heartbeating again (caught up) unfences it; it is not put back into ISRs by the controller.
    await bs[1]!.fetchOnce();
    expect((await bs[1]!.heartbeat()).isFenced).toBe(false);
    expect(part(c, 't', 0).isr).toEqual([1, 3]);
  });

  it('keeps the last in-sync replica; offline without unclean election, another replica leads with it', async () => {
    const c = controller();
    const [b1] = await startBrokers(c, [1, 2]);
    await topic(c, 'a', [[1, 2]]);
    await topic(c, 'u', [[1, 2]], { 'unclean.leader.election.enable': 'true' });
    expect(alterIsr(c, 'a', 0, [1]).topics![0]!.partitions![0]!.errorCode).toBe(0);
    expect(alterIsr(c, 'u', 0, [1]).topics![0]!.partitions![0]!.errorCode).toBe(0);
    c.brokerExited(1);
    expect(c.broker(1)!.fenced).toBe(true);
    expect(part(c, 'a', 0)).toMatchObject({ leader: -1, isr: [1], leaderEpoch: 1, partitionEpoch: 2 });
    expect(part(c, 'u', 0)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 1, partitionEpoch: 2 });
    // Broker 1 comes back: it is the last in-sync replica of 'a', so it leads again.
    await b1!.stop();
    const again = new FakeBroker(new InProcessChannel(c), 1);
    await again.start();
    brokers.push(again);
    expect(c.broker(1)!.fenced).toBe(false);
    expect(part(c, 'a', 0)).toMatchObject({ leader: 1, isr: [1], leaderEpoch: 2 });
    expect(part(c, 'u', 0)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('the unclean rule also follows the cluster-wide dynamic config', async () => {
    const c = controller();
    await startBrokers(c, [1, 2]);
    await topic(c, 'a', [[1, 2]]);
    alterIsr(c, 'a', 0, [1]);
    await c.forward(
      44,
      1,
      {
        validateOnly: false,
        resources: [
          {
            resourceType: 4,
            resourceName: '',
            configs: [{ name: 'unclean.leader.election.enable', configOperation: 0, value: 'true' }],
          },
        ],
      },
      { clientId: null },
    );
    c.brokerExited(1);
    expect(part(c, 'a', 0)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('controlled shutdown moves leaderships first, then lets the broker go', async () => {
    const c = controller();
    const [b1] = await startBrokers(c, [1, 2, 3]);
    await topic(c, 't', [
      [1, 2],
      [2, 1],
      [1, 3],
    ]);
    await topic(c, 'solo', [[1]]);
    const first = await b1!.channel.heartbeat({
      brokerId: 1,
      brokerEpoch: b1!.epoch,
      metadataOffset: 0,
      wantFence: false,
      wantShutDown: true,
    });
    expect(first).toMatchObject({ errorCode: 0, shouldShutDown: false, isFenced: false });
    expect(c.broker(1)!.shuttingDown).toBe(true);
    expect(part(c, 't', 0)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 1 });
    expect(part(c, 't', 1)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 0 });
    expect(part(c, 't', 2)).toMatchObject({ leader: 3, isr: [3], leaderEpoch: 1 });
    expect(part(c, 'solo', 0)).toMatchObject({ leader: 1, isr: [1] }); // nobody else can lead it
    // Not eligible for new replicas while shutting down.
    expect(c.liveBrokerIds()).toEqual([2, 3]);
    await b1!.fetchOnce();
    const done = await b1!.heartbeat({ wantShutDown: true });
    expect(done).toMatchObject({ shouldShutDown: true, isFenced: true });
    expect(part(c, 'solo', 0)).toMatchObject({ leader: -1, isr: [1] });
  });
});

describe('AlterPartition', () => {
  it("applies ISR changes from the current leader at the current epochs, with Kafka's errors otherwise", async () => {
    const c = controller();
    await startBrokers(c, [1, 2, 3]);
    await topic(c, 't', [[1, 2, 3]]);
    const code = (r: ReturnType<Controller['alterPartition']>) => r.topics![0]!.partitions![0]!.errorCode;
    expect(code(alterIsr(c, 't', 0, [1, 2], { brokerId: 2 }))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(code(alterIsr(c, 't', 0, [1, 2], { leaderEpoch: 5 }))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(code(alterIsr(c, 't', 0, [1, 2], { partitionEpoch: 7 }))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect(code(alterIsr(c, 't', 0, [1, 4]))).toBe(ErrorCode.INELIGIBLE_REPLICA);
    expect(alterIsr(c, 't', 0, [1, 2], { brokerEpoch: 999 }).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    const ok = alterIsr(c, 't', 0, [1, 2]);
    expect(ok.topics![0]!.partitions![0]).toMatchObject({
      errorCode: 0,
      leaderId: 1,
      leaderEpoch: 0,
      isr: [1, 2],
      partitionEpoch: 1,
    });
    expect(part(c, 't', 0)).toMatchObject({ isr: [1, 2], partitionEpoch: 1, leaderEpoch: 0 });
    // A stale partition epoch after the change.
    expect(code(alterIsr(c, 't', 0, [1, 2, 3], { partitionEpoch: 0 }))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    // A fenced broker may not join the ISR.
    c.brokerExited(3);
    expect(code(alterIsr(c, 't', 0, [1, 2, 3]))).toBe(ErrorCode.INELIGIBLE_REPLICA);
    // v3 form (broker epochs).
    const v3 = alterIsr(c, 't', 0, [1], { withEpochs: true });
    expect(v3.topics![0]!.partitions![0]).toMatchObject({ errorCode: 0, isr: [1], partitionEpoch: 2 });
    // Unknown topic id.
    const unknown = c.alterPartition({
      brokerId: 1,
      brokerEpoch: c.broker(1)!.epoch,
      topics: [
        {
          topicName: '',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: 0,
              partitionEpoch: 0,
              newIsr: [1],
              newIsrWithEpochs: [],
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    });
    expect(unknown.topics![0]!.partitions![0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });
});

describe('ElectLeaders and the preferred-leader rebalance', () => {
  const elect = (c: Controller, type: number, topicPartitions: el.ElectLeadersRequest['topicPartitions']) =>
    c.forward(
      43,
      2,
      { electionType: type, topicPartitions, timeoutMs: 2000 },
      { clientId: null },
    ) as Promise<el.ElectLeadersResponseInput>;
  const codes = (r: el.ElectLeadersResponseInput) =>
    Object.fromEntries(
      r.replicaElectionResults!.flatMap((t) =>
        t.partitionResult!.map((p) => [`${t.topic}-${p.partitionId}`, p.errorCode]),
      ),
    );

  it('PREFERRED moves leadership back when the preferred replica is live and in sync', async () => {
    const c = controller();
    const [b1] = await startBrokers(c, [1, 2]);
    await topic(c, 't', [
      [1, 2],
      [2, 1],
    ]);
    c.brokerExited(1);
    expect(part(c, 't', 0).leader).toBe(2);
    expect(
      codes(
        await elect(c, 0, [
          { topic: 't', partitions: [0, 1, 5] },
          { topic: 'nope', partitions: [0] },
        ]),
      ),
    ).toEqual({
      't-0': ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
      't-1': ErrorCode.ELECTION_NOT_NEEDED,
      't-5': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      'nope-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
    await b1!.stop();
    const back = new FakeBroker(new InProcessChannel(c), 1);
    await back.start();
    brokers.push(back);
    // Live but not in sync yet.
    expect(codes(await elect(c, 0, [{ topic: 't', partitions: [0] }]))).toEqual({
      't-0': ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
    });
    alterIsr(c, 't', 0, [2, 1]);
    // null = every partition; those that need no election are left out.
    expect(codes(await elect(c, 0, null))).toEqual({ 't-0': 0 });
    expect(part(c, 't', 0)).toMatchObject({ leader: 1, leaderEpoch: 2 });
    expect(codes(await elect(c, 0, null))).toEqual({});
  });

  it('UNCLEAN elects a leader for an offline partition from any live replica', async () => {
    const c = controller();
    await startBrokers(c, [1, 2, 3]);
    await topic(c, 'o', [
      [1, 2],
      [3, 2],
    ]);
    await topic(c, 's', [[1]]);
    alterIsr(c, 'o', 0, [1]);
    c.brokerExited(1);
    expect(part(c, 'o', 0)).toMatchObject({ leader: -1, isr: [1] });
    expect(codes(await elect(c, 0, [{ topic: 'o', partitions: [0] }]))).toEqual({
      'o-0': ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
    });
    expect(
      codes(
        await elect(c, 1, [
          { topic: 'o', partitions: [0, 1] },
          { topic: 's', partitions: [0] },
        ]),
      ),
    ).toEqual({
      'o-0': 0,
      'o-1': ErrorCode.ELECTION_NOT_NEEDED,
      's-0': ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
    });
    expect(part(c, 'o', 0)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 2 });
  });

  it('the periodic rebalance moves leadership back to preferred replicas', async () => {
    const c = controller();
    const [b1] = await startBrokers(c, [1, 2]);
    await topic(c, 't', [
      [1, 2],
      [1, 2],
      [2, 1],
    ]);
    c.brokerExited(1);
    await b1!.stop();
    const back = new FakeBroker(new InProcessChannel(c), 1);
    await back.start();
    brokers.push(back);
    alterIsr(c, 't', 0, [2, 1]);
    alterIsr(c, 't', 1, [2, 1]);
    expect([0, 1, 2].map((i) => part(c, 't', i).leader)).toEqual([2, 2, 2]);
    c.rebalanceLeaders();
    expect([0, 1, 2].map((i) => part(c, 't', i).leader)).toEqual([1, 1, 2]);
  });

  it('the rebalance leaves an imbalance under leader.imbalance.per.broker.percentage alone', async () => {
    const c = controller({ 'leader.imbalance.per.broker.percentage': '60' });
    const [b1] = await startBrokers(c, [1, 2]);
    await topic(c, 't', [
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    alterIsr(c, 't', 0, [1]);
    c.brokerExited(1); // partition 0 offline, 1 and 2 move to broker 2: 2/3 of broker 1's partitions elsewhere
    await b1!.stop();
    const back = new FakeBroker(new InProcessChannel(c), 1);
    await back.start();
    brokers.push(back);
    expect(part(c, 't', 0).leader).toBe(1); // the offline one came back at once
    alterIsr(c, 't', 1, [2, 1]);
    alterIsr(c, 't', 2, [2, 1]);
    c.rebalanceLeaders(); // 2 of 3 = 67 % > 60 %
    expect([0, 1, 2].map((i) => part(c, 't', i).leader)).toEqual([1, 1, 1]);
    const c2 = controller({ 'leader.imbalance.per.broker.percentage': '70' });
    const [d1] = await startBrokers(c2, [1, 2]);
    await topic(c2, 't', [
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    alterIsr(c2, 't', 0, [1]);
    c2.brokerExited(1);
    await d1!.stop();
    const back2 = new FakeBroker(new InProcessChannel(c2), 1);
    await back2.start();
    brokers.push(back2);
    alterIsr(c2, 't', 1, [2, 1]);
    alterIsr(c2, 't', 2, [2, 1]);
    c2.rebalanceLeaders(); // 67 % ≤ 70 %
    expect([0, 1, 2].map((i) => part(c2, 't', i).leader)).toEqual([1, 2, 2]);
  });
});

describe('partition reassignments', () => {
  const reassign = (c: Controller, name: string, parts: [number, number[] | null][]) =>
    c.forward(
      45,
      0,
      {
        timeoutMs: 2000,
        topics: [{ name, partitions: parts.map(([partitionIndex, replicas]) => ({ partitionIndex, replicas })) }],
      },
      { clientId: null },
    ) as Promise<apr.AlterPartitionReassignmentsResponseInput>;
  const list = (c: Controller, topics: lpr.ListPartitionReassignmentsRequest['topics'] = null) =>
    c.forward(
      46,
      0,
      { timeoutMs: 2000, topics },
      { clientId: null },
    ) as Promise<lpr.ListPartitionReassignmentsResponseInput>;
  const codes = (r: apr.AlterPartitionReassignmentsResponseInput) =>
    r.responses!.flatMap((t) => t.partitions!.map((p) => p.errorCode));

  it('moves replicas: target ∪ current while adding, the target once in sync (with a new leader when needed)', async () => {
    const c = controller();
    await startBrokers(c, [1, 2, 3]);
    await topic(c, 'r', [[1, 2]]);
    expect(codes(await reassign(c, 'r', [[0, [2, 3]]]))).toEqual([0]);
    expect(part(c, 'r', 0)).toMatchObject({
      replicas: [2, 3, 1],
      addingReplicas: [3],
      removingReplicas: [1],
      isr: [1, 2],
      leader: 1,
      partitionEpoch: 1,
    });
    expect((await list(c)).topics).toEqual([
      {
        name: 'r',
        partitions: [{ partitionIndex: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }],
      },
    ]);
    expect((await list(c, [{ name: 'r', partitionIndexes: [0] }])).topics).toHaveLength(1);
    // The leader adds the new replica to the ISR: the reassignment completes in the same change.
    const r = alterIsr(c, 'r', 0, [1, 2, 3]);
    expect(r.topics![0]!.partitions![0]).toMatchObject({
      errorCode: 0,
      leaderId: 2,
      leaderEpoch: 1,
      isr: [2, 3],
      partitionEpoch: 2,
    });
    expect(part(c, 'r', 0)).toMatchObject({
      replicas: [2, 3],
      isr: [2, 3],
      leader: 2,
      addingReplicas: [],
      removingReplicas: [],
    });
    expect((await list(c)).topics).toEqual([]);
    expect(c.topic('r')!.replicationFactor).toBe(2);
  });

  it('changes the replication factor up and down', async () => {
    const c = controller();
    await startBrokers(c, [1, 2, 3]);
    await topic(c, 'r', [[1, 2]]);
    await reassign(c, 'r', [[0, [1, 2, 3]]]);
    expect(part(c, 'r', 0)).toMatchObject({ replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [] });
    expect(c.topic('r')!.replicationFactor).toBe(2);
    alterIsr(c, 'r', 0, [1, 2, 3]);
    expect(part(c, 'r', 0)).toMatchObject({
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      leader: 1,
      leaderEpoch: 0,
      addingReplicas: [],
    });
    expect(c.topic('r')!.replicationFactor).toBe(3);
    // Down: the target is already in sync, so it switches at once.
    expect(codes(await reassign(c, 'r', [[0, [3]]]))).toEqual([0]);
    expect(part(c, 'r', 0)).toMatchObject({
      replicas: [3],
      isr: [3],
      leader: 3,
      leaderEpoch: 1,
      addingReplicas: [],
      removingReplicas: [],
    });
    expect(c.topic('r')!.replicationFactor).toBe(1);
  });

  it("cancels a reassignment and reports Kafka's errors", async () => {
    const c = controller();
    await startBrokers(c, [1, 2, 3]);
    await topic(c, 'r', [[3]]);
    await reassign(c, 'r', [[0, [1, 2]]]);
    expect(part(c, 'r', 0)).toMatchObject({
      replicas: [1, 2, 3],
      addingReplicas: [1, 2],
      removingReplicas: [3],
      leader: 3,
    });
    expect(codes(await reassign(c, 'r', [[0, null]]))).toEqual([0]);
    expect(part(c, 'r', 0)).toMatchObject({
      replicas: [3],
      isr: [3],
      leader: 3,
      addingReplicas: [],
      removingReplicas: [],
    });
    const again = await reassign(c, 'r', [[0, null]]);
    expect(again.responses![0]!.partitions![0]!.errorCode).toBe(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
    expect(
      codes(
        await reassign(c, 'r', [
          [0, [1, 1]],
          [0, [9]],
          [4, [1]],
        ]),
      ),
    ).toEqual([
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(codes(await reassign(c, 'nope', [[0, [1]]]))).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });
});

describe('controller restart', () => {
  it('comes back with everything from SQLite, every broker fenced until it registers again', async () => {
    const dir = makeTmpDir('samsa-lead-');
    const c = controller({}, { dir });
    const [b1, b2] = await startBrokers(c, [1, 2]);
    await topic(
      c,
      't',
      [
        [1, 2],
        [2, 1],
      ],
      { 'retention.ms': '1000' },
    );
    alterIsr(c, 't', 0, [1]);
    await c.forward(
      44,
      1,
      {
        validateOnly: false,
        resources: [
          {
            resourceType: 4,
            resourceName: '',
            configs: [{ name: 'log.retention.ms', configOperation: 0, value: '5000' }],
          },
        ],
      },
      { clientId: null },
    );
    const before = {
      seq: c.seq,
      clusterId: c.clusterId,
      parts: c.partitions(c.topic('t')!.topicId).map((p) => ({ ...p })),
      epoch1: b1!.epoch,
    };
    for (const b of brokers.splice(0)) await b.stop();
    c.close();
    open.splice(0);
    const c2 = controller({}, { dir });
    expect(c2.clusterId).toBe(before.clusterId);
    expect(c2.seq).toBeGreaterThanOrEqual(before.seq);
    expect(c2.brokers().map((b) => [b.id, b.fenced])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(c2.liveBrokerIds()).toEqual([]);
    expect(c2.topic('t')!.configs).toEqual({ 'retention.ms': '1000' });
    expect(c2.partitions(c2.topic('t')!.topicId)).toEqual(before.parts);
    expect(c2.brokerConfigs('')).toEqual({ 'log.retention.ms': '5000' });
    expect(c2.config.topicDefault('retention.ms').value).toBe('5000');
    // The old session is gone: the broker must register again.
    const hb = await new InProcessChannel(c2).heartbeat({
      brokerId: 1,
      brokerEpoch: before.epoch1,
      metadataOffset: c2.seq,
      wantFence: false,
      wantShutDown: false,
    });
    expect(hb.errorCode).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED);
    const n1 = new FakeBroker(new InProcessChannel(c2), 1);
    n1.seq = b1!.seq;
    await n1.start();
    brokers.push(n1);
    expect(n1.epoch).toBeGreaterThan(before.epoch1);
    expect(c2.liveBrokerIds()).toEqual([1]);
    void b2;
  });

  it('moves the leaderships of a broker that does not come back within a session timeout after the restart', async () => {
    const dir = makeTmpDir('samsa-lead-');
    const c = controller({}, { dir });
    await startBrokers(c, [1, 2]);
    await topic(c, 't', [
      [1, 2],
      [2, 1],
    ]);
    for (const b of brokers.splice(0)) await b.stop();
    c.close();
    open.splice(0);
    const c2 = controller({ 'broker.session.timeout.ms': '300' }, { dir, timers: true });
    const [n1] = await startBrokers(c2, [1]);
    n1!.heartbeatEvery(50);
    expect(part(c2, 't', 1).leader).toBe(2); // not yet: broker 2 may still come back
    await until(() => part(c2, 't', 1).leader === 1);
    expect(part(c2, 't', 1)).toMatchObject({ leader: 1, isr: [1], leaderEpoch: 1 });
    expect(part(c2, 't', 0)).toMatchObject({ leader: 1, isr: [1] });
  });
});
