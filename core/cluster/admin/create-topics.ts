// CreateTopics (v0–7) at the controller: Kafka's validation (names, collisions,
// partition counts, replication factors against the live brokers, manual
// assignments, configs), replica placement, and one commit per created topic.
// As Kafka 4.4's controller: a name given twice is answered once, first, with
// INVALID_REQUEST "Duplicate topic name."; the messages are Kafka's (Topic.validate
// for names, ReplicationControlManager for assignments); a v5+ answer lists the
// new topic's configs sorted by name, and none ([]) for a topic that failed. The
// request's size is bounded first, as Kafka's controller bounds it (limits.ts):
// nothing is placed for a request that asks for too much.
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
import { TOPIC_CONFIGS, canonicalValue, topicConfigsError } from '../../broker/configs.ts';
import { topicConfigEntries } from '../../broker/config-describe.ts';
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
  const failed = (name: string, errorCode: number, errorMessage: string | null) => ({
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  });
  const topics: CreateTopicsResponseCreatableTopicResultInput[] = [];
  for (const [name, n] of seen)
    if (n > 1) topics.push(failed(name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
  // The topics that reach validation (a name given twice is answered before the controller sees it).
  const asked: { t: CreateTopicsRequestCreatableTopic; result: CreateTopicsResponseCreatableTopicResultInput }[] = [];
  for (const t of req.topics) {
    if ((seen.get(t.name) ?? 0) > 1) continue;
    // v5+: the new topic's configs; none for a topic that fails.
    const result: CreateTopicsResponseCreatableTopicResultInput = {
      ...failed(t.name, ErrorCode.NONE, null),
      configs: version >= 5 ? [] : null,
    };
    topics.push(result);
    asked.push({ t, result });
  }
  const response: CreateTopicsResponseInput = { throttleTimeMs: 0, topics };
  const failAll = (message: string): AdminResult => {
    for (const { t, result } of asked) Object.assign(result, failed(t.name, ErrorCode.POLICY_VIOLATION, message));
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
        // As DescribeConfigs reports them, sorted by name as Kafka does.
        result.configs = topicConfigEntries(ctx.config, plan.configs)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((e) => ({
            name: e.name,
            value: e.value,
            readOnly: e.readOnly,
            configSource: e.source,
            isSensitive: e.sensitive,
          }));
      }
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      Object.assign(result, failed(t.name, e.code, e.message));
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

/** Kafka's Topic.validate: why a topic name is invalid (its InvalidTopicException message), or null. */
export function kafkaTopicNameError(name: string): string | null {
  const why =
    name.length === 0
      ? 'the empty string is not allowed'
      : name === '.' || name === '..'
        ? `'${name}' is not allowed`
        : name.length > 249
          ? `the length of '${name}' is longer than the max allowed length 249`
          : !/^[a-zA-Z0-9._-]+$/.test(name)
            ? `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`
            : null;
  return why === null ? null : `Topic name is invalid: ${why}`;
}

function validate(ctx: AdminContext, t: CreateTopicsRequestCreatableTopic): Plan {
  // Kafka checks the name, existence and collisions of every topic before its partitions.
  const nameErr = kafkaTopicNameError(t.name);
  if (nameErr) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameErr);
  if (ctx.topic(t.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
  const other = ctx.collidingTopic(t.name);
  if (other !== undefined) {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${other}`);
  }
  const manual = t.assignments.length > 0;
  if (manual) {
    if (t.replicationFactor !== -1) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'A manual partition assignment was specified, but replication factor was not set to -1.',
      );
    }
    if (t.numPartitions !== -1) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'A manual partition assignment was specified, but numPartitions was not set to -1.',
      );
    }
    validateAssignments(ctx, t.assignments);
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
  const cfgErr = topicConfigsError(given, ctx.config);
  if (cfgErr) throw new KafkaError(ErrorCode.INVALID_CONFIG, cfgErr);
  // Kept as Kafka shows them (` 5 ` as `5`).
  const configs: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) configs[k] = canonicalValue(TOPIC_CONFIGS.get(k)!, v!);
  const assignment = manual
    ? t.assignments.map((a) => [...a.brokerIds])
    : placeReplicas(live, numPartitions, replicationFactor);
  return { assignment, replicationFactor, configs };
}

/** Kafka's checks of a manual assignment (ReplicationControlManager.createTopic). */
function validateAssignments(ctx: AdminContext, assignments: CreateTopicsRequestCreatableTopic['assignments']): void {
  const partitions = new Set<number>();
  let rf: number | undefined;
  for (const a of assignments) {
    if (partitions.has(a.partitionIndex)) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Found multiple manual partition assignments for partition ${a.partitionIndex}`,
      );
    }
    validateManualAssignment(ctx, a.brokerIds, rf);
    rf = a.brokerIds.length;
    partitions.add(a.partitionIndex);
  }
  for (let i = 0; i < partitions.size; i++) {
    if (!partitions.has(i)) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'partitions should be a consecutive 0-based integer sequence',
      );
    }
  }
}

/**
 * One partition's manual assignment, as Kafka's validateManualPartitionAssignment (CreateTopics,
 * CreatePartitions): not empty, each broker registered and named once, as many replicas as the
 * partitions before it. Samsa also wants each broker live (Kafka places a fenced one out of the ISR).
 */
export function validateManualAssignment(ctx: AdminContext, brokerIds: readonly number[], rf?: number): void {
  if (brokerIds.length === 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'The manual partition assignment includes an empty replica list.',
    );
  }
  const ids = new Set<number>();
  for (const id of brokerIds) {
    if (!ctx.broker(id)) {
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
  if (rf !== undefined && brokerIds.length !== rf) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${rf} replica(s).`,
    );
  }
  for (const id of brokerIds) {
    if (!ctx.isLive(id)) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${id}, but it is fenced or in controlled shutdown.`,
      );
    }
  }
}
