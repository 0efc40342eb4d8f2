// The bounds on how much one admin request may create, checked before any
// placement or commit. Kafka's controller refuses a CreateTopics naming more
// than 10,000 partitions in all, and a CreatePartitions adding more than
// 10,000, with POLICY_VIOLATION ("Excessively large number of partitions per
// request."), and any operation that would write more than 10,000 metadata
// records (a topic record, one per config, one per partition) with
// POLICY_VIOLATION ("Unable to perform excessively large batch operation.").
// Samsa adds one bound of its own: no broker is given more partition replicas
// than its open-files limit can serve (core/storage/open-files.ts).
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { maxPartitionsPerBroker, openFilesLimit, reservedHandles } from '../../storage/open-files.ts';
import type { AdminContext } from './context.ts';

/** Kafka's QuorumController MAX_RECORDS_PER_USER_OP, and its partitions-per-request bound. */
export const MAX_RECORDS_PER_USER_OP = 10_000;
export const MAX_PARTITIONS_PER_REQUEST = 10_000;

export const TOO_MANY_PARTITIONS = 'Excessively large number of partitions per request.';
export const TOO_MANY_ADDED_PARTITIONS = 'Excessively large number of additional partitions per request.';
export const TOO_MANY_RECORDS = 'Unable to perform excessively large batch operation.';

export function policyViolation(message: string): KafkaError {
  return new KafkaError(ErrorCode.POLICY_VIOLATION, message);
}

/** Partition replicas per broker now, over every topic. */
export function replicasPerBroker(ctx: AdminContext): Map<number, number> {
  const load = new Map<number, number>();
  for (const t of ctx.topics()) {
    for (const p of ctx.partitions(t.topicId)) {
      for (const id of new Set([...p.replicas, ...p.addingReplicas])) load.set(id, (load.get(id) ?? 0) + 1);
    }
  }
  return load;
}

/**
 * Adds `assignment`'s replicas to `load` when no broker goes past its bound;
 * throws POLICY_VIOLATION (and leaves `load` unchanged) when one would.
 */
export function reserveReplicas(
  load: Map<number, number>,
  assignment: readonly number[][],
  limit = openFilesLimit(),
): void {
  const max = maxPartitionsPerBroker(limit);
  if (max === null) return;
  const added = new Map<number, number>();
  for (const replicas of assignment) for (const id of replicas) added.set(id, (added.get(id) ?? 0) + 1);
  for (const [id, n] of added) {
    const now = load.get(id) ?? 0;
    if (now + n > max) {
      throw policyViolation(
        `Broker ${id} would hold ${now + n} partition replicas, more than the ${max} its open-files limit of ${limit} allows (${reservedHandles(limit!)} handles are kept for connections and files). Raise the limit (ulimit -n) or use fewer partitions.`,
      );
    }
  }
  for (const [id, n] of added) load.set(id, (load.get(id) ?? 0) + n);
}
