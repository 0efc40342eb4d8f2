// CreateTopics (v2–7): validates every entry with Kafka's rules and creates the
// topics that pass; `validateOnly` checks without creating.
import type { CreateTopicsRequest, CreateTopicsResponse, CreateTopicsResponseCreatableTopicResult } from '../../protocol/messages/create-topics.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { Broker } from '../broker.ts';
import { ConfigSource, TOPIC_CONFIGS } from '../configs.ts';

export async function handleCreateTopics(broker: Broker, req: CreateTopicsRequest, version: number): Promise<CreateTopicsResponse> {
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);

  const topics: CreateTopicsResponseCreatableTopicResult[] = [];
  for (const t of req.topics) {
    const result: CreateTopicsResponseCreatableTopicResult = {
      name: t.name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: 0, errorMessage: null,
      numPartitions: -1, replicationFactor: -1, configs: null,
    } as CreateTopicsResponseCreatableTopicResult;
    topics.push(result);
    if ((seen.get(t.name) ?? 0) > 1) {
      result.errorCode = ErrorCode.INVALID_REQUEST;
      result.errorMessage = `Create topics request from client contains multiple entries for the following topics: ${t.name}`;
      continue;
    }
    try {
      if (t.assignments.length > 0) {
        if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
        }
        validateAssignments(broker, t.assignments);
      }
      const configs: Record<string, string | null> = {};
      for (const c of t.configs) configs[c.name] = c.value;
      const spec = {
        name: t.name,
        numPartitions: t.assignments.length > 0 ? t.assignments.length : t.numPartitions,
        replicationFactor: t.assignments.length > 0 ? t.assignments[0]!.brokerIds.length : t.replicationFactor,
        configs,
      };
      const v = broker.topics.validate(spec);
      const created = await broker.topics.create(spec, req.validateOnly);
      result.numPartitions = v.numPartitions;
      result.replicationFactor = v.replicationFactor;
      if (created) result.topicId = created.topicId;
      if (version >= 5) {
        const overrides = v.configs;
        result.configs = [...TOPIC_CONFIGS.keys()].map((name) => {
          const inherited = broker.config.topicDefault(name);
          const own = overrides[name];
          return {
            name,
            value: own ?? inherited.value,
            readOnly: false,
            configSource: own !== undefined ? ConfigSource.DYNAMIC_TOPIC_CONFIG : inherited.source,
            isSensitive: false,
          };
        });
      }
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      result.errorCode = e.code;
      result.errorMessage = e.message;
    }
  }
  return { throttleTimeMs: 0, topics } as CreateTopicsResponse;
}

function validateAssignments(broker: Broker, assignments: CreateTopicsRequest['topics'][number]['assignments']): void {
  const rf = assignments[0]!.brokerIds.length;
  assignments.forEach((a, i) => {
    if (a.partitionIndex !== i) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence.');
    }
    if (a.brokerIds.length !== rf) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions should have the same number of replicas.');
    }
    if (new Set(a.brokerIds).size !== a.brokerIds.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${a.brokerIds.join(', ')} for partition id ${i}.`);
    }
    for (const id of a.brokerIds) {
      if (id !== broker.brokerId) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker ${id} in replica assignment for partition ${i}.`);
      }
    }
  });
}
