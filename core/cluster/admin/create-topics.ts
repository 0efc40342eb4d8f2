// CreateTopics (v0–7) at the controller: Kafka's validation (names, collisions,
// partition counts, replication factors against the live brokers, manual
// assignments, configs), replica placement, and one commit per created topic.
// The request's size is bounded first, as Kafka's controller bounds it
// (limits.ts): nothing is placed for a request that asks for too much.
// Internal topics (core/protocol/internal-topics.ts) come through here too,
// when a broker needs one: allowed, marked internal, their replication factor
// clamped to the live brokers.
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponseCreatableTopicResultInput,
  CreateTopicsResponseInput,
} from '../../protocol/messages/create-topics.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { GROUP_METADATA_TOPIC, isInternalTopic } from '../../protocol/internal-topics.ts';
import { ConfigSource, TOPIC_CONFIGS, topicConfigsError, topicNameError } from '../../broker/configs.ts';
import { newUuid } from '../metadata-store.ts';
import type { MetadataChange, TopicInfo } from '../../metadata/types.ts';
import { placeReplicas } from '../placement.ts';
import { type AdminContext, type AdminResult, ZERO_UUID, newPartition, replicationFactorError } from './context.ts';
import {
  MAX_PARTITIONS_PER_REQUEST,
  MAX_RECORDS_PER_USER_OP,
  TOO_MANY_PARTITIONS,
  TOO_MANY_RECORDS,
  replicasPerBroker,
  reserveReplicas,
} from './limits.ts';

export function createTopics(ctx: AdminContext, req: CreateTopicsRequest, version: number): AdminResult {
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  let seq = 0;
  const topics: CreateTopicsResponseCreatableTopicResultInput[] = [];
  // The topics that reach validation (Kafka answers a name given twice before its controller sees it).
  const asked: { t: CreateTopicsRequestCreatableTopic; result: CreateTopicsResponseCreatableTopicResultInput }[] = [];
  for (const t of req.topics) {
    const result: CreateTopicsResponseCreatableTopicResultInput = {
      name: t.name,
      topicId: ZERO_UUID,
      errorCode: 0,
      errorMessage: null,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    };
    topics.push(result);
    if ((seen.get(t.name) ?? 0) > 1) {
      result.errorCode = ErrorCode.INVALID_REQUEST;
      result.errorMessage = `Create topics request from client contains multiple entries for the following topics: ${t.name}`;
      continue;
    }
    asked.push({ t, result });
  }
  const response: CreateTopicsResponseInput = { throttleTimeMs: 0, topics };
  const failAll = (message: string): AdminResult => {
    for (const { result } of asked) {
      result.errorCode = ErrorCode.POLICY_VIOLATION;
      result.errorMessage = message;
      result.numPartitions = -1;
      result.replicationFactor = -1;
      result.configs = null;
    }
    return { response, seq: 0, timeoutMs: req.timeoutMs };
  };
  // Bounded before anything is placed: a count of 2^31-1 costs nothing.
  let requested = 0;
  for (const { t } of asked) requested += Math.max(0, partitionCount(ctx, t));
  if (requested > MAX_PARTITIONS_PER_REQUEST) return failAll(TOO_MANY_PARTITIONS);

  const plans: { t: CreateTopicsRequestCreatableTopic; result: (typeof asked)[number]['result']; plan: Plan }[] = [];
  let records = 0;
  for (const { t, result } of asked) {
    try {
      const plan = validate(ctx, t);
      records += 1 + Object.keys(plan.configs).length + plan.assignment.length;
      plans.push({ t, result, plan });
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      result.errorCode = e.code;
      result.errorMessage = e.message;
    }
  }
  if (records > MAX_RECORDS_PER_USER_OP) return failAll(TOO_MANY_RECORDS);

  const load = replicasPerBroker(ctx);
  for (const { t, result, plan } of plans) {
    try {
      reserveReplicas(load, plan.assignment);
      result.numPartitions = plan.assignment.length;
      result.replicationFactor = plan.replicationFactor;
      if (!req.validateOnly) {
        const info: TopicInfo = {
          name: t.name,
          topicId: newUuid(),
          internal: isInternalTopic(t.name),
          numPartitions: plan.assignment.length,
          replicationFactor: plan.replicationFactor,
          configs: plan.configs,
        };
        const changes: MetadataChange[] = [{ type: 'topic', topic: info }];
        plan.assignment.forEach((replicas, i) =>
          changes.push({ type: 'partition', partition: newPartition(info, i, replicas) }),
        );
        seq = ctx.commit(changes);
        result.topicId = info.topicId;
      }
      if (version >= 5) {
        result.configs = [...TOPIC_CONFIGS.keys()].map((name) => {
          const inherited = ctx.config.topicDefault(name);
          const own = plan.configs[name];
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
  return { response, seq, timeoutMs: req.timeoutMs };
}

/** The partitions a topic asks for: its manual assignments, its count, or the default count. */
function partitionCount(ctx: AdminContext, t: CreateTopicsRequestCreatableTopic): number {
  if (t.assignments.length > 0) return t.assignments.length;
  if (t.numPartitions !== -1) return t.numPartitions;
  return t.name === GROUP_METADATA_TOPIC ? ctx.config.offsetsTopicNumPartitions : ctx.config.numPartitions;
}

interface Plan {
  assignment: number[][];
  replicationFactor: number;
  configs: Record<string, string>;
}

function validate(ctx: AdminContext, t: CreateTopicsRequestCreatableTopic): Plan {
  const manual = t.assignments.length > 0;
  if (manual) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    }
    validateAssignments(ctx, t.assignments);
  }
  const nameErr = topicNameError(t.name);
  if (nameErr) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameErr);
  if (ctx.topic(t.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
  const other = ctx.collidingTopic(t.name);
  if (other !== undefined) {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${other}`);
  }
  const internal = isInternalTopic(t.name);
  const cfg = ctx.config;
  const numPartitions = partitionCount(ctx, t);
  if (numPartitions < 1) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      'Number of partitions was set to an invalid non-positive value.',
    );
  }
  const live = ctx.liveBrokerIds();
  let replicationFactor = manual
    ? t.assignments[0]!.brokerIds.length
    : t.replicationFactor !== -1
      ? t.replicationFactor
      : t.name === GROUP_METADATA_TOPIC
        ? Number(cfg.get('offsets.topic.replication.factor'))
        : cfg.defaultReplicationFactor;
  if (replicationFactor < 1) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Replication factor must be larger than 0, or -1 to use the default value.',
    );
  }
  if (internal && !manual && live.length > 0) replicationFactor = Math.min(replicationFactor, live.length);
  if (replicationFactor > live.length) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, replicationFactorError(replicationFactor, live.length));
  }
  const given: Record<string, string | null> = {};
  for (const c of t.configs) given[c.name] = c.value;
  const cfgErr = topicConfigsError(given);
  if (cfgErr) throw new KafkaError(ErrorCode.INVALID_CONFIG, cfgErr);
  const assignment = manual
    ? t.assignments.map((a) => [...a.brokerIds])
    : placeReplicas(live, numPartitions, replicationFactor);
  return { assignment, replicationFactor, configs: given as Record<string, string> };
}

function validateAssignments(ctx: AdminContext, assignments: CreateTopicsRequestCreatableTopic['assignments']): void {
  const rf = assignments[0]!.brokerIds.length;
  assignments.forEach((a, i) => {
    if (a.partitionIndex !== i) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Partitions should be a consecutive 0-based integer sequence.',
      );
    }
    if (a.brokerIds.length !== rf) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'All partitions should have the same number of replicas.',
      );
    }
    if (rf === 0) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes an empty replica list.',
      );
    }
    if (new Set(a.brokerIds).size !== a.brokerIds.length) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Duplicate brokers not allowed in replica assignment: ${a.brokerIds.join(', ')} for partition id ${i}.`,
      );
    }
    for (const id of a.brokerIds) {
      if (!ctx.isLive(id)) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `Unknown broker ${id} in replica assignment for partition ${i}.`,
        );
      }
    }
  });
}
