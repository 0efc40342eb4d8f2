// Reassignments of a topic's partitions: changing its replication factor (a plan of new replica
// lists, sent to the controller as AlterPartitionReassignments, KIP-455), listing the partitions
// being moved, and cancelling those moves. The plan keeps each partition's current replicas in
// order, so the leader and the preferred leader stay where they are.
import { alterReassignments, listReassignments } from '../client/reassignments.ts';
import { optInt, str, type Args } from './args.ts';
import type { ReassignmentsResult } from './bridge.ts';
import type { ConsoleContext, HandlerTable } from './context.ts';
import { ConsoleError } from './errors.ts';

export function reassignmentOperations(ctx: ConsoleContext) {
  return {
    alterReplicationFactor: async (a) => alterReplicationFactor(ctx, a),
    listReassignments: async (a) => reassignments(ctx, str(a, 'name')),
    cancelReassignments: async (a) => {
      const name = str(a, 'name');
      const now = await reassignments(ctx, name);
      if (now.partitions.length === 0) return now;
      const meta = await ctx.fullMetadata();
      await alterReassignments(
        ctx.admin(),
        meta.controllerId,
        name,
        new Map(now.partitions.map((p) => [p.partition, null])),
      );
      return reassignments(ctx, name);
    },
  } satisfies Partial<HandlerTable>;
}

/** Partitions of a topic that are being moved. */
async function reassignments(ctx: ConsoleContext, name: string): Promise<ReassignmentsResult> {
  const meta = await topicMetadata(ctx, name);
  const partitions = await listReassignments(
    ctx.admin(),
    meta.controllerId,
    name,
    meta.partitions.map((p) => p.partition),
  );
  return { topic: name, partitions };
}

/** The controller, the live brokers and a topic's partitions (replicas, leader) from one Metadata request. */
async function topicMetadata(ctx: ConsoleContext, name: string) {
  const meta = await ctx.fullMetadata();
  const t = meta.topics.find((x) => x.name === name && x.errorCode === 0);
  if (!t) throw new ConsoleError(`Topic '${name}' does not exist.`, 'name', 'UNKNOWN_TOPIC_OR_PARTITION');
  return {
    controllerId: meta.controllerId,
    brokers: meta.brokers.map((b) => b.nodeId).sort((x, y) => x - y),
    partitions: t.partitions.map((p) => ({
      partition: p.partitionIndex,
      replicas: [...p.replicaNodes],
      leader: p.leaderId,
    })),
  };
}

async function alterReplicationFactor(ctx: ConsoleContext, a: Args): Promise<ReassignmentsResult> {
  const name = str(a, 'name');
  const rf = optInt(a, 'replicationFactor', 1, 32767);
  if (rf === undefined) throw new ConsoleError('Enter the new replication factor.', 'replicationFactor');
  const meta = await topicMetadata(ctx, name);
  if (rf > meta.brokers.length) {
    throw new ConsoleError(
      `Replication factor ${rf} is more than the ${meta.brokers.length} live broker${meta.brokers.length === 1 ? '' : 's'}.`,
      'replicationFactor',
      'INVALID_REPLICATION_FACTOR',
    );
  }
  const plan = planReplicas(meta.partitions, meta.brokers, rf);
  const changed = new Map(
    [...plan].filter(([p, r]) => meta.partitions.find((x) => x.partition === p)!.replicas.join() !== r.join()),
  );
  if (changed.size === 0)
    throw new ConsoleError(
      `Every partition of '${name}' already has ${rf} replica${rf === 1 ? '' : 's'}.`,
      'replicationFactor',
    );
  try {
    await alterReassignments(ctx.admin(), meta.controllerId, name, changed);
  } catch (e) {
    const f = ctx.failure(e);
    throw new ConsoleError(f.message, 'replicationFactor', f.kafkaError);
  }
  return reassignments(ctx, name);
}

/**
 * New replica lists for a replication factor: replicas kept in order (the leader and preferred
 * leader stay); added ones go to the brokers holding the fewest replicas of the topic so far;
 * removed ones are taken from the end, never the current leader.
 */
export function planReplicas(
  current: { partition: number; replicas: number[]; leader: number }[],
  brokers: readonly number[],
  rf: number,
): Map<number, number[]> {
  if (rf < 1) throw new RangeError('replication factor must be at least 1');
  if (rf > brokers.length) throw new RangeError(`replication factor ${rf} is more than the ${brokers.length} brokers`);
  const load = new Map<number, number>(brokers.map((b) => [b, 0]));
  for (const p of current) for (const r of p.replicas) if (load.has(r)) load.set(r, load.get(r)! + 1);
  const plan = new Map<number, number[]>();
  for (const p of [...current].sort((x, y) => x.partition - y.partition)) {
    let replicas = [...p.replicas];
    while (replicas.length > rf) {
      let i = replicas.length - 1;
      if (replicas[i] === p.leader) i--;
      const [gone] = replicas.splice(i, 1);
      if (load.has(gone!)) load.set(gone!, load.get(gone!)! - 1);
    }
    while (replicas.length < rf) {
      // Fewest replicas first; ties go round-robin by partition so equal brokers share the new copies.
      const start = p.partition % brokers.length;
      const rotated = [...brokers.slice(start), ...brokers.slice(0, start)];
      const best = rotated.filter((b) => !replicas.includes(b)).sort((a, b) => load.get(a)! - load.get(b)!)[0]!;
      replicas.push(best);
      load.set(best, load.get(best)! + 1);
    }
    replicas = replicas.slice(0, rf);
    plan.set(p.partition, replicas);
  }
  return plan;
}
