// CreatePartitions (v0–3): raises topics' partition counts. New partitions get
// their logs at once and show up in the next Metadata answer. Errors as Kafka:
// INVALID_PARTITIONS when the count is no increase, UNKNOWN_TOPIC_OR_PARTITION,
// INVALID_REPLICA_ASSIGNMENT for manual assignments this single-broker cluster
// cannot honour, INVALID_REQUEST for a topic named twice. `validateOnly` checks
// without changing anything.
import type {
  CreatePartitionsRequest, CreatePartitionsRequestCreatePartitionsTopic,
  CreatePartitionsResponse, CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../../protocol/messages/create-partitions.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { Broker } from '../broker.ts';

export async function handleCreatePartitions(broker: Broker, req: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
  for (const t of req.topics) {
    const result = { name: t.name, errorCode: 0, errorMessage: null } as CreatePartitionsResponseCreatePartitionsTopicResult;
    results.push(result);
    if ((seen.get(t.name) ?? 0) > 1) {
      result.errorCode = ErrorCode.INVALID_REQUEST;
      result.errorMessage = 'Duplicate topic in request.';
      continue;
    }
    try {
      validate(broker, t);
      if (!req.validateOnly) await broker.topics.addPartitions(t.name, t.count);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      result.errorCode = e.code;
      result.errorMessage = e.message;
    }
  }
  return { throttleTimeMs: 0, results };
}

function validate(broker: Broker, t: CreatePartitionsRequestCreatePartitionsTopic): void {
  const topic = broker.topics.get(t.name);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  const current = topic.partitions.length;
  if (t.count === current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
  }
  if (t.count < current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS,
      `Topic currently has ${current} partitions, which is higher than the requested ${t.count}.`);
  }
  if (t.assignments === null) return;
  const added = t.count - current;
  if (t.assignments.length !== added) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Increasing the number of partitions by ${added} but ${t.assignments.length} assignments provided.`);
  }
  for (const a of t.assignments) {
    if (a.brokerIds.length === 0) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.');
    }
    const ids = new Set<number>();
    for (const id of a.brokerIds) {
      if (id !== broker.brokerId) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes broker ${id}, but no such broker is registered.`);
      }
      if (ids.has(id)) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes the broker ${id} more than once.`);
      }
      ids.add(id);
    }
    if (a.brokerIds.length !== topic.replicationFactor) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Inconsistent replication factor between partitions, partition 0 has ${topic.replicationFactor} while partitions [${current}] have replication factors [${a.brokerIds.length}], respectively.`);
    }
  }
}
