// ElectLeaders (v0–2) at the controller: PREFERRED moves leadership back to
// the first replica when it is live and in sync; UNCLEAN elects a leader for a
// partition that has none, from the live ISR members else any live replica.
// Per-partition codes as Kafka: ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
// ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION. A null topic list
// means every partition; then partitions that need no election are left out.
import type {
  ElectLeadersRequest,
  ElectLeadersResponseInput,
  ElectLeadersResponsePartitionResultInput,
  ElectLeadersResponseReplicaElectionResultInput,
} from '../../protocol/messages/elect-leaders.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { MetadataChange, PartitionInfo } from '../../metadata/types.ts';
import { chooseLeader, chooseUncleanLeader } from '../placement.ts';
import type { AdminContext, AdminResult } from './context.ts';

/** Kafka's ElectionType ids. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

/** The new record for a preferred election, or an error code. */
function electPreferred(ctx: AdminContext, p: PartitionInfo): PartitionInfo | number {
  const pref = p.replicas[0];
  if (pref === undefined) return ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE;
  if (p.leader === pref) return ErrorCode.ELECTION_NOT_NEEDED;
  if (!p.isr.includes(pref) || !ctx.isLive(pref)) return ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE;
  return { ...copy(p), leader: pref, leaderEpoch: p.leaderEpoch + 1, partitionEpoch: p.partitionEpoch + 1 };
}

function electUnclean(ctx: AdminContext, p: PartitionInfo): PartitionInfo | number {
  if (p.leader >= 0 && ctx.isLive(p.leader)) return ErrorCode.ELECTION_NOT_NEEDED;
  const live = (r: number) => ctx.isLive(r);
  let isr = p.isr;
  let leader = chooseLeader(p.replicas, isr, live);
  if (leader < 0) {
    leader = chooseUncleanLeader(p.replicas, live);
    isr = [leader];
  }
  if (leader < 0) return ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE;
  return { ...copy(p), isr: [...isr], leader, leaderEpoch: p.leaderEpoch + 1, partitionEpoch: p.partitionEpoch + 1 };
}

const MESSAGES: Record<number, string> = {
  [ErrorCode.ELECTION_NOT_NEEDED]: 'Leader election not needed for topic partition.',
  [ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]:
    'Failed to elect leader for partition under strategy PreferredReplicaPartitionLeaderElectionStrategy: the preferred replica is not live or not in sync.',
  [ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE]:
    'Failed to elect leader for partition under strategy UncleanPartitionLeaderElectionStrategy: no replica is live.',
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: 'The partition does not exist.',
};

/** Preferred-leader changes for the partitions where the election is possible (the periodic rebalance). */
export function preferredElectionChanges(ctx: AdminContext, partitions: readonly PartitionInfo[]): MetadataChange[] {
  const out: MetadataChange[] = [];
  for (const p of partitions) {
    const r = electPreferred(ctx, p);
    if (typeof r !== 'number') out.push({ type: 'partition', partition: r });
  }
  return out;
}

export function electLeaders(ctx: AdminContext, req: ElectLeadersRequest, version: number): AdminResult {
  const type = version >= 1 ? req.electionType : ElectionType.PREFERRED;
  if (type !== ElectionType.PREFERRED && type !== ElectionType.UNCLEAN) {
    const response: ElectLeadersResponseInput = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_REQUEST,
      replicaElectionResults: [],
    };
    return { response, seq: 0, timeoutMs: 0 };
  }
  const all = req.topicPartitions === null;
  const wanted: { topic: string; partitions: number[] }[] = all
    ? [...ctx.topics()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((t) => ({ topic: t.name, partitions: ctx.partitions(t.topicId).map((p) => p.partition) }))
    : req.topicPartitions!.map((t) => ({ topic: t.topic, partitions: t.partitions }));
  const changes: MetadataChange[] = [];
  const results: ElectLeadersResponseReplicaElectionResultInput[] = [];
  for (const w of wanted) {
    const t = ctx.topic(w.topic);
    const partitionResult: ElectLeadersResponsePartitionResultInput[] = [];
    for (const id of w.partitions) {
      const p = t ? ctx.partitions(t.topicId)[id] : undefined;
      const r = !p
        ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        : type === ElectionType.PREFERRED
          ? electPreferred(ctx, p)
          : electUnclean(ctx, p);
      if (typeof r === 'number') {
        if (all && r === ErrorCode.ELECTION_NOT_NEEDED) continue;
        partitionResult.push({ partitionId: id, errorCode: r, errorMessage: MESSAGES[r] ?? null });
      } else {
        changes.push({ type: 'partition', partition: r });
        partitionResult.push({ partitionId: id, errorCode: ErrorCode.NONE, errorMessage: null });
      }
    }
    if (partitionResult.length > 0 || !all) results.push({ topic: w.topic, partitionResult });
  }
  const seq = changes.length > 0 ? ctx.commit(changes) : 0;
  const response: ElectLeadersResponseInput = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    replicaElectionResults: results,
  };
  return { response, seq, timeoutMs: req.timeoutMs };
}

function copy(p: PartitionInfo): PartitionInfo {
  return {
    ...p,
    replicas: [...p.replicas],
    isr: [...p.isr],
    addingReplicas: [...p.addingReplicas],
    removingReplicas: [...p.removingReplicas],
  };
}
