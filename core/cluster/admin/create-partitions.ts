// CreatePartitions (v0–3) at the controller: raises topics' partition counts,
// placing the new partitions' replicas (or taking the request's manual
// assignments). Errors as Kafka: INVALID_PARTITIONS when the count is no
// increase, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT for bad
// manual assignments, INVALID_REPLICATION_FACTOR when too few brokers are live,
// INVALID_REQUEST "Duplicate topic name." for a topic named twice (answered
// once, as Kafka's ControllerApis.createPartitions), POLICY_VIOLATION when the
// request adds more than Kafka's 10,000 partitions or a broker would hold more
// than its open files allow (limits.ts), checked before anything is placed. The
// messages are Kafka 4.4's (ReplicationControlManager.createPartitions); an
// unknown topic has none. `validateOnly` checks only.
import type {
  CreatePartitionsRequest,
  CreatePartitionsRequestCreatePartitionsTopic,
  CreatePartitionsResponseCreatePartitionsTopicResultInput,
  CreatePartitionsResponseInput,
} from '../../protocol/messages/create-partitions.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { MetadataChange, TopicInfo } from '../../metadata/types.ts';
import { placeReplicas } from '../placement.ts';
import { type AdminContext, type AdminResult, newPartition, replicationFactorError } from './context.ts';
import { MAX_PARTITIONS_PER_REQUEST, TOO_MANY_ADDED_PARTITIONS, replicasPerBroker, reserveReplicas } from './limits.ts';

export function createPartitions(ctx: AdminContext, req: CreatePartitionsRequest): AdminResult {
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  let seq = 0;
  const results: CreatePartitionsResponseCreatePartitionsTopicResultInput[] = [];
  const answered = new Set<string>();
  // Bounded before anything is placed, as Kafka's controller does: the partitions the request adds in all.
  let added = 0;
  for (const t of req.topics) {
    const topic = (seen.get(t.name) ?? 0) === 1 ? ctx.topic(t.name) : undefined;
    if (topic && t.count > topic.numPartitions) added += t.count - topic.numPartitions;
  }
  const tooMany = added > MAX_PARTITIONS_PER_REQUEST;
  const load = tooMany ? new Map<number, number>() : replicasPerBroker(ctx);
  for (const t of req.topics) {
    if (answered.has(t.name)) continue;
    answered.add(t.name);
    const result: CreatePartitionsResponseCreatePartitionsTopicResultInput = {
      name: t.name,
      errorCode: 0,
      errorMessage: null,
    };
    results.push(result);
    if ((seen.get(t.name) ?? 0) > 1) {
      result.errorCode = ErrorCode.INVALID_REQUEST;
      result.errorMessage = 'Duplicate topic name.';
      continue;
    }
    if (!ctx.topic(t.name)) {
      // Kafka answers an unknown topic with the code alone.
      result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      continue;
    }
    if (tooMany) {
      result.errorCode = ErrorCode.POLICY_VIOLATION;
      result.errorMessage = TOO_MANY_ADDED_PARTITIONS;
      continue;
    }
    try {
      const { topic, assignment } = validate(ctx, t);
      reserveReplicas(load, assignment);
      if (!req.validateOnly) {
        const next: TopicInfo = { ...topic, configs: { ...topic.configs }, numPartitions: t.count };
        const changes: MetadataChange[] = [{ type: 'topic', topic: next }];
        assignment.forEach((replicas, i) =>
          changes.push({ type: 'partition', partition: newPartition(next, topic.numPartitions + i, replicas) }),
        );
        seq = ctx.commit(changes);
      }
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      result.errorCode = e.code;
      result.errorMessage = e.message;
    }
  }
  const response: CreatePartitionsResponseInput = { throttleTimeMs: 0, results };
  return { response, seq, timeoutMs: req.timeoutMs };
}

function validate(
  ctx: AdminContext,
  t: CreatePartitionsRequestCreatePartitionsTopic,
): { topic: TopicInfo; assignment: number[][] } {
  const topic = ctx.topic(t.name);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${t.name} does not exist.`);
  const current = topic.numPartitions;
  if (t.count === current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  }
  if (t.count < current) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`,
    );
  }
  const added = t.count - current;
  const rf = topic.replicationFactor;
  if (t.assignments === null) {
    const live = ctx.liveBrokerIds();
    if (rf > live.length)
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, replicationFactorError(rf, live.length));
    return { topic, assignment: placeReplicas(live, added, rf, { firstPartition: current }) };
  }
  if (t.assignments.length !== added) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Attempted to add ${added} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
    );
  }
  for (const a of t.assignments) {
    if (a.brokerIds.length === 0) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes an empty replica list.',
      );
    }
    const ids = new Set<number>();
    for (const id of a.brokerIds) {
      if (!ctx.isLive(id)) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes broker ${id}, but no such broker is registered.`,
        );
      }
      if (ids.has(id)) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes the broker ${id} more than once.`,
        );
      }
      ids.add(id);
    }
    if (a.brokerIds.length !== rf) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Inconsistent replication factor between partitions, partition 0 has ${rf} while partitions [${current}] have replication factors [${a.brokerIds.length}], respectively.`,
      );
    }
  }
  return { topic, assignment: t.assignments.map((a) => [...a.brokerIds]) };
}
