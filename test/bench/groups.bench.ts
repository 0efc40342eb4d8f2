// Group coordinator benchmark (part of `npm run bench`; also runs alone:
// `node test/bench/groups.bench.ts`). Against a `samsa start` child process
// with group.initial.rebalance.delay.ms=100 (so the two set-up members form their
// first generation together, as Kafka's delay is meant to do; the measured
// rebalance is not an initial one and has no delay), over the project's protocol client:
//   - rebalance time for 3 members (classic protocol): two members are Stable;
//     the third sends JoinGroup; the time until all three have their SyncGroup
//     answers (the two others learn of the rebalance from a heartbeat, rejoin,
//     the leader assigns, everybody syncs);
//   - OffsetCommit throughput: commits of 8 partitions each, pipelined on one
//     connection; each is answered once its records are written to
//     `__consumer_offsets` (as the broker always does).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from './broker-process.ts';
import { int, median, ms, table } from './report.ts';
import { KafkaClient } from '../helpers/kafka-client.ts';
import { G, subscription } from '../helpers/group-harness.ts';
import * as ct from '../../core/protocol/messages/create-topics.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};

const REBALANCES = 10;
const COMMITS = 20_000;
const PIPELINE = 64;
const PARTITIONS = 8;

async function join3(clients: KafkaClient[], group: string, ids: string[], generation: { n: number }): Promise<void> {
  const joinReq = (memberId: string) => ({
    groupId: group,
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['bench-groups']) }],
    reason: null,
  });
  const joins = await Promise.all(clients.map((c, i) => c.send(G.JoinGroup, 9, joinReq(ids[i]!))));
  for (const j of joins) if (j.errorCode !== 0) throw new Error(`JoinGroup error ${j.errorCode}`);
  generation.n = joins[0]!.generationId;
  const leader = joins.find((j) => j.leader === j.memberId)!;
  const syncs = await Promise.all(
    clients.map((c, i) =>
      c.send(G.SyncGroup, 5, {
        groupId: group,
        generationId: generation.n,
        memberId: ids[i]!,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments:
          ids[i] === leader.memberId ? ids.map((memberId) => ({ memberId, assignment: Buffer.alloc(0) })) : [],
      }),
    ),
  );
  for (const s of syncs) if (s.errorCode !== 0) throw new Error(`SyncGroup error ${s.errorCode}`);
}

/** One rebalance of a 2-member Stable group when a third member joins; ms from its JoinGroup to the last SyncGroup answer. */
async function rebalanceOnce(port: number, group: string): Promise<number> {
  const clients = await Promise.all([0, 1, 2].map(() => KafkaClient.connect(port)));
  try {
    const joinReq = (memberId: string) => ({
      groupId: group,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 10_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['bench-groups']) }],
      reason: null,
    });
    // Member ids (v4+: MEMBER_ID_REQUIRED first).
    const ids: string[] = [];
    for (const c of clients) ids.push((await c.send(G.JoinGroup, 9, joinReq(''))).memberId);
    const gen = { n: 0 };
    await join3(clients.slice(0, 2), group, ids.slice(0, 2), gen);
    const t0 = performance.now();
    const third = clients[2]!.send(G.JoinGroup, 9, joinReq(ids[2]!));
    // The two Stable members learn of the rebalance through their heartbeat and rejoin.
    const rejoin = clients.slice(0, 2).map(async (c, i) => {
      for (;;) {
        const hb = await c.send(G.Heartbeat, 4, {
          groupId: group,
          generationId: gen.n,
          memberId: ids[i]!,
          groupInstanceId: null,
        });
        if (hb.errorCode === 27) return c.send(G.JoinGroup, 9, joinReq(ids[i]!)); // REBALANCE_IN_PROGRESS
        if (hb.errorCode !== 0) throw new Error(`Heartbeat error ${hb.errorCode}`);
      }
    });
    const joins = await Promise.all([...rejoin, third]);
    const order = [0, 1, 2];
    const leader = joins.find((j) => j.leader === j.memberId)!;
    const syncs = await Promise.all(
      order.map((i) =>
        clients[i]!.send(G.SyncGroup, 5, {
          groupId: group,
          generationId: joins[i]!.generationId,
          memberId: ids[i]!,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocolName: 'range',
          assignments:
            ids[i] === leader.memberId ? ids.map((memberId) => ({ memberId, assignment: Buffer.alloc(0) })) : [],
        }),
      ),
    );
    const elapsed = performance.now() - t0;
    for (const s of syncs) if (s.errorCode !== 0) throw new Error(`SyncGroup error ${s.errorCode}`);
    return elapsed;
  } finally {
    for (const c of clients) c.close();
  }
}

async function commitThroughput(port: number): Promise<{ perSec: number; errors: number }> {
  const c = await KafkaClient.connect(port);
  try {
    let next = 0;
    let errors = 0;
    const one = async () => {
      while (next < COMMITS) {
        const i = next++;
        const r = await c.send(G.OffsetCommit, 9, {
          groupId: 'bench-commits',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1,
          topics: [
            {
              name: 'bench-groups',
              partitions: Array.from({ length: PARTITIONS }, (_, p) => ({
                partitionIndex: p,
                committedOffset: i,
                committedLeaderEpoch: -1,
                committedMetadata: '',
              })),
            },
          ],
        });
        for (const t of r.topics) for (const p of t.partitions) if (p.errorCode !== 0) errors++;
      }
    };
    // Warm-up (creates __consumer_offsets).
    await c.send(G.FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: ['bench-commits'] });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: PIPELINE }, one));
    return { perSec: COMMITS / ((performance.now() - t0) / 1000), errors };
  } finally {
    c.close();
  }
}

/** Runs both measurements; returns the markdown section for the README. */
export async function groupBench(log: (m: string) => void = () => {}): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-bench-groups-'));
  const b = await startBroker('samsa', {
    dataDir,
    overrides: { 'group.initial.rebalance.delay.ms': 100, 'offsets.topic.num.partitions': 50 },
  });
  try {
    const admin = await KafkaClient.connect(b.port);
    await admin.send(CreateTopics, 7, {
      topics: [{ name: 'bench-groups', numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    admin.close();
    const times: number[] = [];
    await rebalanceOnce(b.port, 'bench-rebalance-warmup');
    for (let i = 0; i < REBALANCES; i++) times.push(await rebalanceOnce(b.port, `bench-rebalance-${i}`));
    log(`groups: rebalance of 3 members, median ${ms(median(times))} ms`);
    const commits = await commitThroughput(b.port);
    log(`groups: ${int(commits.perSec)} commits/s`);
    return [
      `**Consumer groups** (test/bench/groups.bench.ts; Samsa child process, group.initial.rebalance.delay.ms=100 for the set-up, offsets.topic.num.partitions=50)`,
      '',
      table(
        ['measurement', 'result', 'how'],
        [
          [
            'rebalance, 3 members (classic)',
            `${ms(median(times))} ms median (${ms(Math.min(...times))}–${ms(Math.max(...times))})`,
            `${REBALANCES} groups: 2 members Stable, a 3rd joins; from its JoinGroup until all three SyncGroup answers (the others rejoin after a Heartbeat says REBALANCE_IN_PROGRESS)`,
          ],
          [
            'OffsetCommit throughput',
            `${int(commits.perSec)} commits/s (${int(commits.perSec * PARTITIONS)} partition offsets/s), ${commits.errors} errors`,
            `${int(COMMITS)} OffsetCommit v9 of ${PARTITIONS} partitions each, ${PIPELINE} in flight on one connection, each answered after its write to __consumer_offsets`,
          ],
        ],
      ),
    ].join('\n');
  } finally {
    await b.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  groupBench((m) => console.error(m)).then(
    (s) => console.log(s),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
