// AlterPartitionReassignments (v0) and ListPartitionReassignments (v0) at the
// controller: how the replicas of an existing partition move, and how a
// topic's replication factor changes.
//
// Starting a reassignment to `target` writes replicas = target followed by the
// current replicas not in it, addingReplicas = target − current,
// removingReplicas = current − target. New replicas catch up from the leader,
// which adds them to the ISR (AlterPartition); once every target replica is in
// the ISR the reassignment completes: replicas = target, ISR ∩ target, a new
// leader from the target if the old one is removed. A null target cancels a
// reassignment in progress (back to the original replicas).
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponseInput,
  AlterPartitionReassignmentsResponseReassignablePartitionResponseInput,
  AlterPartitionReassignmentsResponseReassignableTopicResponseInput,
} from '../../protocol/messages/alter-partition-reassignments.ts';
import type {
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponseInput,
  ListPartitionReassignmentsResponseOngoingTopicReassignmentInput,
} from '../../protocol/messages/list-partition-reassignments.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { MetadataChange, PartitionInfo, TopicInfo } from '../../metadata/types.ts';
import { chooseLeader } from '../placement.ts';
import type { AdminContext, AdminResult } from './context.ts';

const inProgress = (p: PartitionInfo) => p.addingReplicas.length > 0 || p.removingReplicas.length > 0;

function copy(p: PartitionInfo): PartitionInfo {
  return {
    ...p,
    replicas: [...p.replicas],
    isr: [...p.isr],
    addingReplicas: [...p.addingReplicas],
    removingReplicas: [...p.removingReplicas],
  };
}

/** The replicas before the reassignment in progress (all of them when none is). */
function originalReplicas(p: PartitionInfo): number[] {
  return p.replicas.filter((r) => !p.addingReplicas.includes(r));
}

/** Replicas = `target`, ISR ∩ target, a leader from the target; reassignment fields cleared. */
function switchTo(ctx: AdminContext, p: PartitionInfo, target: readonly number[]): PartitionInfo {
  let isr = p.isr.filter((r) => target.includes(r));
  let leader = p.leader;
  let leaderEpoch = p.leaderEpoch;
  if (!target.includes(leader)) {
    const live = (r: number) => ctx.isLive(r);
    if (isr.length === 0) isr = target.filter(live).slice(0, 1);
    leader = chooseLeader(target, isr, live);
    leaderEpoch++;
    if (isr.length === 0) isr = [...p.isr];
  }
  return {
    ...copy(p),
    replicas: [...target],
    isr,
    leader,
    leaderEpoch,
    partitionEpoch: p.partitionEpoch + 1,
    addingReplicas: [],
    removingReplicas: [],
  };
}

/**
 * `p` after an ISR change: completed when a reassignment is in progress and
 * every target replica is in the ISR, else unchanged. (The caller bumps the
 * partition epoch for the ISR change itself; completion is part of the same record.)
 */
export function completeReassignment(ctx: AdminContext, p: PartitionInfo): PartitionInfo {
  if (!inProgress(p)) return p;
  const target = p.replicas.filter((r) => !p.removingReplicas.includes(r));
  if (!target.every((r) => p.isr.includes(r))) return p;
  const done = switchTo(ctx, p, target);
  done.partitionEpoch = p.partitionEpoch; // one change, one epoch bump
  return done;
}

/** The topic record when a completed reassignment changed the replica count. */
export function replicationFactorChange(
  ctx: AdminContext,
  before: PartitionInfo,
  after: PartitionInfo,
): MetadataChange | null {
  if (!inProgress(before) || inProgress(after)) return null;
  const t: TopicInfo | undefined = ctx.topicById(after.topicId);
  if (!t || t.replicationFactor === after.replicas.length) return null;
  return { type: 'topic', topic: { ...t, configs: { ...t.configs }, replicationFactor: after.replicas.length } };
}

function validateTarget(ctx: AdminContext, target: readonly number[]): void {
  if (target.length === 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes an empty replica list.',
    );
  }
  const seen = new Set<number>();
  for (const id of target) {
    if (seen.has(id)) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes the broker ${id} more than once.`,
      );
    }
    seen.add(id);
    if (!ctx.isLive(id)) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${id}, but no such broker is registered.`,
      );
    }
  }
}

/** The new partition record for a reassignment request (target null = cancel); throws KafkaError. */
function reassign(ctx: AdminContext, p: PartitionInfo, target: number[] | null): PartitionInfo | null {
  if (target === null) {
    if (!inProgress(p))
      throw new KafkaError(
        ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
        'No partition reassignment is in progress for this partition.',
      );
    return switchTo(ctx, p, originalReplicas(p));
  }
  validateTarget(ctx, target);
  const current = originalReplicas(p);
  if (!inProgress(p) && target.length === current.length && target.every((r, i) => current[i] === r)) return null;
  if (target.every((r) => p.isr.includes(r))) return switchTo(ctx, p, target);
  const merged = [...target, ...current.filter((r) => !target.includes(r))];
  return {
    ...copy(p),
    replicas: merged,
    addingReplicas: target.filter((r) => !current.includes(r)),
    removingReplicas: current.filter((r) => !target.includes(r)),
    isr: p.isr.filter((r) => merged.includes(r)),
    partitionEpoch: p.partitionEpoch + 1,
  };
}

export function alterPartitionReassignments(ctx: AdminContext, req: AlterPartitionReassignmentsRequest): AdminResult {
  const changes: MetadataChange[] = [];
  const rfChanges = new Map<string, MetadataChange>();
  const responses: AlterPartitionReassignmentsResponseReassignableTopicResponseInput[] = [];
  for (const t of req.topics) {
    const topic = ctx.topic(t.name);
    const partitions: AlterPartitionReassignmentsResponseReassignablePartitionResponseInput[] = [];
    responses.push({ name: t.name, partitions });
    for (const rp of t.partitions) {
      const out = {
        partitionIndex: rp.partitionIndex,
        errorCode: ErrorCode.NONE as number,
        errorMessage: null as string | null,
      };
      partitions.push(out);
      try {
        const p = topic ? ctx.partitions(topic.topicId)[rp.partitionIndex] : undefined;
        if (!p) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.');
        const next = reassign(ctx, p, rp.replicas);
        if (!next) continue;
        changes.push({ type: 'partition', partition: next });
        const rf =
          replicationFactorChange(ctx, p, next) ??
          (!inProgress(p) && !inProgress(next) && topic!.replicationFactor !== next.replicas.length
            ? ({
                type: 'topic',
                topic: { ...topic!, configs: { ...topic!.configs }, replicationFactor: next.replicas.length },
              } as MetadataChange)
            : null);
        if (rf) rfChanges.set(topic!.name, rf);
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        out.errorCode = e.code;
        out.errorMessage = e.message;
      }
    }
  }
  changes.push(...rfChanges.values());
  const seq = changes.length > 0 ? ctx.commit(changes) : 0;
  const response: AlterPartitionReassignmentsResponseInput = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    responses,
  };
  return { response, seq, timeoutMs: req.timeoutMs };
}

export function listPartitionReassignments(ctx: AdminContext, req: ListPartitionReassignmentsRequest): AdminResult {
  const wanted =
    req.topics === null
      ? [...ctx.topics()]
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((t) => ({ name: t.name, partitionIndexes: null as number[] | null }))
      : req.topics.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes as number[] | null }));
  const topics: ListPartitionReassignmentsResponseOngoingTopicReassignmentInput[] = [];
  for (const w of wanted) {
    const t = ctx.topic(w.name);
    if (!t) continue;
    const all = ctx.partitions(t.topicId);
    const ps = (w.partitionIndexes ?? all.map((p) => p.partition))
      .map((i) => all[i])
      .filter((p): p is PartitionInfo => p !== undefined && inProgress(p));
    if (ps.length === 0) continue;
    topics.push({
      name: t.name,
      partitions: ps.map((p) => ({
        partitionIndex: p.partition,
        replicas: [...p.replicas],
        addingReplicas: [...p.addingReplicas],
        removingReplicas: [...p.removingReplicas],
      })),
    });
  }
  const response: ListPartitionReassignmentsResponseInput = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics,
  };
  return { response, seq: 0, timeoutMs: 0 };
}
