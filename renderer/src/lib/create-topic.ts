// The create-topic form's checks, live as the user types: the name as Kafka checks it (and not
// taken), partitions, and a replication factor no larger than the live brokers.
import { topicNameError } from './topic-name.ts';

export interface CreateTopicChecks {
  name: string | null;
  partitions: string | null;
  replicationFactor: string | null;
  minInsyncReplicas: string | null;
}

export interface CreateTopicInput {
  name: string;
  partitions: number | null;
  replicationFactor: number | null;
  minInsyncReplicas: number | null;
}

/** Why a replication factor cannot be used with this many live brokers, or null. */
export function replicationFactorError(rf: number | null, liveBrokers: number | null): string | null {
  if (rf === null) return null;
  if (!Number.isInteger(rf) || rf < 1) return 'The replication factor must be at least 1.';
  if (liveBrokers !== null && rf > liveBrokers) {
    return `Replication factor ${rf} needs ${rf} live brokers; the cluster has ${liveBrokers} live broker${liveBrokers === 1 ? '' : 's'}.`;
  }
  return null;
}

export function checkCreateTopic(
  input: CreateTopicInput,
  existing: ReadonlySet<string>,
  liveBrokers: number | null,
): CreateTopicChecks {
  const name = input.name.trim();
  const rf = input.replicationFactor;
  let minIsr: string | null = null;
  if (input.minInsyncReplicas !== null) {
    if (!Number.isInteger(input.minInsyncReplicas) || input.minInsyncReplicas < 1)
      minIsr = 'min.insync.replicas must be at least 1.';
    else if (rf !== null && input.minInsyncReplicas > rf) {
      minIsr = `min.insync.replicas ${input.minInsyncReplicas} is more than the replication factor ${rf}: producers with acks=all could never write.`;
    }
  }
  return {
    name: topicNameError(name) ?? (existing.has(name) ? `Topic '${name}' already exists.` : null),
    partitions:
      input.partitions !== null && (!Number.isInteger(input.partitions) || input.partitions < 1)
        ? 'A topic needs at least 1 partition.'
        : null,
    replicationFactor: replicationFactorError(rf, liveBrokers),
    minInsyncReplicas: minIsr,
  };
}

export function hasProblems(c: CreateTopicChecks): boolean {
  return Object.values(c).some((v) => v !== null);
}
