// Topics on one broker: the metadata store's records joined with the partition
// logs. Creates, deletes and auto-creates topics with Kafka's validation rules.
import type { MetadataStore, TopicRecord } from '../cluster/metadata-store.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { Log, LogManager } from '../storage/log-manager.ts';
import type { LogConfig } from '../storage/log-config.ts';
import {
  type BrokerConfig, collisionKey, effectiveTopicConfigs, topicConfigsError, topicNameError,
} from './configs.ts';

/** Kafka's internal topics (a user topic may also start with "__"; that doesn't make it internal). */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

export interface PartitionState {
  topic: string;
  partition: number;
  topicId: string;
  log: Log;
  leaderEpoch: number;
}

export interface TopicState {
  name: string;
  topicId: string;
  internal: boolean;
  replicationFactor: number;
  partitions: PartitionState[];
  /** Overrides only; effective values come from `effectiveConfigs`. */
  configs: Record<string, string>;
}

export interface CreateTopicSpec {
  name: string;
  /** -1: the broker's num.partitions. */
  numPartitions: number;
  /** -1: the broker's default.replication.factor. */
  replicationFactor: number;
  configs: Record<string, string | null>;
}

/** Maps effective topic configs (Kafka names) to the storage layer's LogConfig. */
export function toLogConfig(eff: Record<string, string>): LogConfig {
  const n = (k: string) => Number(eff[k]);
  return {
    segmentBytes: n('segment.bytes'),
    segmentMs: n('segment.ms'),
    segmentIndexBytes: n('segment.index.bytes'),
    indexIntervalBytes: n('index.interval.bytes'),
    retentionMs: n('retention.ms'),
    retentionBytes: n('retention.bytes'),
    maxMessageBytes: n('max.message.bytes'),
    messageTimestampType: eff['message.timestamp.type'] === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    cleanupPolicy: eff['cleanup.policy'] ?? 'delete',
    fileDeleteDelayMs: n('file.delete.delay.ms'),
    flushMessages: n('flush.messages'),
    flushMs: n('flush.ms'),
    minCleanableDirtyRatio: n('min.cleanable.dirty.ratio'),
    minCompactionLagMs: n('min.compaction.lag.ms'),
    maxCompactionLagMs: n('max.compaction.lag.ms'),
    deleteRetentionMs: n('delete.retention.ms'),
  };
}

export class TopicManager {
  private readonly byName = new Map<string, TopicState>();
  private readonly byId = new Map<string, TopicState>();
  private readonly collisions = new Map<string, string>();
  /** Serializes creations so two requests for one name can't race. */
  private pending: Promise<unknown> = Promise.resolve();
  private readonly metadata: MetadataStore;
  private readonly logs: LogManager;
  private readonly config: BrokerConfig;
  /** Partition directories on disk that belong to no known topic. */
  readonly strays: string[] = [];
  /** Number of live brokers (1 for a single node): the ceiling of replication factors. */
  liveBrokers = 1;

  private constructor(metadata: MetadataStore, logs: LogManager, config: BrokerConfig) {
    this.metadata = metadata;
    this.logs = logs;
    this.config = config;
  }

  /** Loads every topic of the store, creating any missing partition logs. */
  static async open(metadata: MetadataStore, logs: LogManager, config: BrokerConfig): Promise<TopicManager> {
    const tm = new TopicManager(metadata, logs, config);
    config.setDynamic('default', metadata.brokerConfigs(''));
    config.setDynamic('broker', metadata.brokerConfigs(String(config.nodeId)));
    for (const rec of metadata.listTopics()) await tm.materialize(rec);
    // Logs on disk that the store does not know are left untouched (never delete
    // data on a guess, e.g. when metadata.db was removed by hand) but reported.
    for (const log of logs.all()) {
      const t = tm.byName.get(log.topic);
      if (!t) tm.strays.push(`${log.topic}-${log.partition}`);
    }
    return tm;
  }

  get(name: string): TopicState | undefined { return this.byName.get(name); }
  getById(topicId: string): TopicState | undefined { return this.byId.get(topicId); }
  all(): Iterable<TopicState> { return this.byName.values(); }

  partition(topic: string, partition: number): PartitionState | undefined {
    return this.byName.get(topic)?.partitions[partition];
  }

  effectiveConfigs(t: TopicState): Record<string, string> {
    return effectiveTopicConfigs(this.config, t.configs);
  }

  /** Validates a CreateTopics entry; throws KafkaError with Kafka's code and message. */
  validate(spec: CreateTopicSpec): { numPartitions: number; replicationFactor: number; configs: Record<string, string> } {
    const nameErr = topicNameError(spec.name);
    if (nameErr) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameErr);
    if (this.byName.has(spec.name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
    }
    const other = this.collisions.get(collisionKey(spec.name));
    if (other !== undefined) {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION,
        `Topic '${spec.name}' collides with existing topic: ${other}`);
    }
    const numPartitions = spec.numPartitions === -1 ? this.config.numPartitions : spec.numPartitions;
    if (numPartitions < 1) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
    }
    const replicationFactor = spec.replicationFactor === -1 ? this.config.defaultReplicationFactor : spec.replicationFactor;
    if (replicationFactor < 1) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
    }
    if (replicationFactor > this.liveBrokers) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${this.liveBrokers} broker(s) are registered.`);
    }
    const cfgErr = topicConfigsError(spec.configs);
    if (cfgErr) throw new KafkaError(ErrorCode.INVALID_CONFIG, cfgErr);
    return { numPartitions, replicationFactor, configs: spec.configs as Record<string, string> };
  }

  /** Creates a topic (or only validates it); throws KafkaError. */
  create(spec: CreateTopicSpec, validateOnly = false): Promise<TopicState | null> {
    const run = async () => {
      const v = this.validate(spec);
      if (validateOnly) return null;
      const rec = this.metadata.createTopic({
        name: spec.name,
        partitions: v.numPartitions,
        replicationFactor: v.replicationFactor,
        internal: INTERNAL_TOPICS.has(spec.name),
        configs: v.configs,
      });
      return this.materialize(rec);
    };
    const p = this.pending.then(run, run);
    this.pending = p.catch(() => undefined);
    return p;
  }

  /**
   * Metadata-driven auto-creation (Kafka creates topics when a Metadata request
   * names an unknown one and auto.create.topics.enable is true).
   */
  async autoCreate(name: string): Promise<TopicState> {
    const existing = this.byName.get(name);
    if (existing) return existing;
    const nameErr = topicNameError(name);
    if (nameErr) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameErr);
    if (!this.config.autoCreateTopicsEnable) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist and auto-creation is disabled.`);
    }
    try {
      const t = await this.create({ name, numPartitions: -1, replicationFactor: -1, configs: {} });
      return t!;
    } catch (e) {
      // A concurrent request created it first.
      const t = this.byName.get(name);
      if (t) return t;
      throw e;
    }
  }

  async delete(name: string): Promise<void> {
    const t = this.byName.get(name);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    if (!this.config.deleteTopicEnable) {
      throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
    }
    this.metadata.deleteTopic(name);
    this.byName.delete(name);
    this.byId.delete(t.topicId);
    this.collisions.delete(collisionKey(name));
    for (const p of t.partitions) await this.logs.delete(name, p.partition);
  }

  /** Applies changed overrides to the running logs. */
  setConfigs(name: string, configs: Record<string, string>): void {
    const t = this.byName.get(name);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    this.metadata.setTopicConfigs(name, configs);
    t.configs = { ...configs };
    const lc = toLogConfig(this.effectiveConfigs(t));
    for (const p of t.partitions) p.log.updateConfig(lc);
  }

  /**
   * Raises a topic's partition count (CreatePartitions): the store first, then
   * the new partition logs. Serialized with creations.
   */
  addPartitions(name: string, count: number): Promise<TopicState> {
    const run = async () => {
      const t = this.byName.get(name);
      if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
      if (count <= t.partitions.length) return t;
      this.metadata.setPartitionCount(name, count);
      const lc = toLogConfig(this.effectiveConfigs(t));
      for (let p = t.partitions.length; p < count; p++) {
        const log = await this.logs.create(name, p, t.topicId, lc);
        t.partitions.push({ topic: name, partition: p, topicId: t.topicId, log, leaderEpoch: 0 });
      }
      return t;
    };
    const p = this.pending.then(run, run);
    this.pending = p.catch(() => undefined);
    return p;
  }

  /**
   * Replaces a layer of dynamic broker configs ('default' = resource '', 'broker'
   * = this broker): persisted, then pushed into every running log.
   */
  setBrokerConfigs(level: 'default' | 'broker', configs: Record<string, string>): void {
    this.metadata.setBrokerConfigs(level === 'default' ? '' : String(this.config.nodeId), configs);
    this.config.setDynamic(level, configs);
    for (const t of this.byName.values()) {
      const lc = toLogConfig(this.effectiveConfigs(t));
      for (const p of t.partitions) p.log.updateConfig(lc);
    }
  }

  private async materialize(rec: TopicRecord): Promise<TopicState> {
    const state: TopicState = {
      name: rec.name,
      topicId: rec.topicId,
      internal: rec.internal,
      replicationFactor: rec.replicationFactor,
      partitions: [],
      configs: rec.configs,
    };
    const lc = toLogConfig(this.effectiveConfigs(state));
    for (let p = 0; p < rec.partitions; p++) {
      let log = this.logs.get(rec.name, p);
      if (log && log.topicId !== rec.topicId) {
        // Left over from an earlier topic of the same name: the store is the truth.
        await this.logs.delete(rec.name, p);
        log = undefined;
      }
      log ??= await this.logs.create(rec.name, p, rec.topicId, lc);
      log.updateConfig(lc);
      state.partitions.push({ topic: rec.name, partition: p, topicId: rec.topicId, log, leaderEpoch: 0 });
    }
    this.byName.set(rec.name, state);
    this.byId.set(rec.topicId, state);
    this.collisions.set(collisionKey(rec.name), rec.name);
    return state;
  }
}
