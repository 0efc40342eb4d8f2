// Topics on one broker: the controller's metadata (the broker's MetadataImage)
// joined with the partition logs this broker hosts. A broker hosts a partition
// iff its id is among the partition's replicas: applying the metadata creates
// (or keeps) those logs, deletes a partition's directory when its topic is
// removed or this broker left its replica set, tells replication about role
// changes, and pushes changed topic and broker configs into the running logs.
//
// Topics are created only by the controller: `create` and `autoCreate` send
// it a CreateTopics request and wait until this broker has the new topic.
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import { ApiKey } from '../protocol/messages/api-keys.ts';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/messages/create-topics.ts';
import type { Log, LogManager } from '../storage/log-manager.ts';
import type { LogConfig } from '../storage/log-config.ts';
import type { PartitionInfo, TopicInfo } from '../metadata/types.ts';
import { type BrokerConfig, effectiveTopicConfigs, topicNameError } from './configs.ts';
import type { ImageChanges, MetadataImage } from '../metadata/image.ts';
import type { Replication } from './replication.ts';

/** A partition hosted on this broker (leader or follower). */
export interface PartitionState {
  topic: string;
  partition: number;
  topicId: string;
  log: Log;
  /** The controller's state: leader id (-1 none), epochs, replicas and in-sync replicas. */
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicState {
  name: string;
  topicId: string;
  internal: boolean;
  replicationFactor: number;
  numPartitions: number;
  /**
   * The partitions hosted here, indexed by partition id, `length` =
   * `numPartitions`. Partitions this broker holds no replica of are holes
   * (undefined) — on a single broker there are none.
   */
  partitions: PartitionState[];
  /** Overrides only; effective values come from `effectiveConfigs`. */
  configs: Record<string, string>;
  /** The effective min.insync.replicas (acks=all), kept with the configs. */
  minInsyncReplicas: number;
}

/**
 * What the group coordinator and the handlers read of the topics: the TopicManager, or a small
 * in-memory stand-in in tests.
 */
export interface TopicRegistry {
  get(name: string): TopicState | undefined;
  getById(topicId: string): TopicState | undefined;
  all(): Iterable<TopicState>;
  /** A partition hosted on this broker. */
  partition(topic: string, partition: number): PartitionState | undefined;
  /** Throws KafkaError (INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION, ...). */
  autoCreate(name: string): Promise<TopicState>;
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
    messageTimestampBeforeMaxMs: n('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: n('message.timestamp.after.max.ms'),
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

export interface TopicManagerOptions {
  logs: LogManager;
  config: BrokerConfig;
  brokerId: number;
  image: MetadataImage;
  replication: Replication;
  /** Sends an admin request to the controller; rejects when it cannot be reached. */
  forward(apiKey: number, version: number, request: unknown): Promise<unknown>;
  /** Called when this broker gains or loses the leadership of a hosted partition, or its leader epoch changes. */
  onLeadership?(p: PartitionState, isLeader: boolean): void;
  log?(msg: string): void;
}

/** How long `create`/`autoCreate` wait for the controller's answer and then for the topic to arrive here. */
const CREATE_TIMEOUT_MS = 30_000;

export class TopicManager {
  private readonly byName = new Map<string, TopicState>();
  private readonly byId = new Map<string, TopicState>();
  private readonly logs: LogManager;
  private readonly config: BrokerConfig;
  private readonly brokerId: number;
  private readonly replication: Replication;
  private readonly opts: TopicManagerOptions;
  readonly image: MetadataImage;
  /** Partition directories on disk that this broker does not host; left untouched. */
  readonly strays: string[] = [];
  /** Hosted partitions whose log cannot be trusted (partition.metadata): `<topic>-<p>` → why. Not served. */
  readonly offline = new Map<string, string>();
  /** Serializes `apply` calls. */
  private applying: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();

  private constructor(opts: TopicManagerOptions) {
    this.opts = opts;
    this.logs = opts.logs;
    this.config = opts.config;
    this.brokerId = opts.brokerId;
    this.replication = opts.replication;
    this.image = opts.image;
  }

  /**
   * Builds the topics from the image (after its first snapshot), creating or
   * adopting the partition logs this broker hosts.
   */
  static async open(opts: TopicManagerOptions): Promise<TopicManager> {
    const tm = new TopicManager(opts);
    const img = opts.image;
    tm.applyBrokerConfigs();
    for (const t of img.topics()) tm.upsertTopic(t);
    // Logs on disk that the metadata does not place here are left untouched
    // (never delete data on a guess, e.g. when metadata.db was removed by hand,
    // or the broker was reassigned away while down) but reported. A hosted log
    // whose partition.metadata does not match is never deleted (checkIdentity).
    for (const log of [...opts.logs.all()]) {
      const t = img.topic(log.topic);
      const info = t ? img.partition(t.topicId, log.partition) : undefined;
      if (!t || !info?.replicas.includes(tm.brokerId)) tm.strays.push(`${log.topic}-${log.partition}`);
      else await tm.checkIdentity(log, t);
    }
    for (const t of img.topics()) {
      for (const info of img.partitions(t.topicId)) if (info) await tm.applyPartition(info);
    }
    tm.notify();
    return tm;
  }

  get(name: string): TopicState | undefined {
    return this.byName.get(name);
  }
  getById(topicId: string): TopicState | undefined {
    return this.byId.get(topicId);
  }
  all(): Iterable<TopicState> {
    return this.byName.values();
  }

  /** A partition hosted on this broker. */
  partition(topic: string, partition: number): PartitionState | undefined {
    return this.byName.get(topic)?.partitions[partition];
  }

  /** Live brokers (registered, unfenced): the ceiling of replication factors. */
  get liveBrokers(): number {
    return this.image.liveBrokers().length;
  }

  effectiveConfigs(t: { configs: Record<string, string> }): Record<string, string> {
    return effectiveTopicConfigs(this.config, t.configs);
  }

  // ---- following the metadata ----

  /** Applies what an image update changed; calls are serialized. */
  apply(changes: ImageChanges): Promise<void> {
    const run = () => this.applyNow(changes);
    const p = this.applying.then(run, run);
    this.applying = p.catch((e: unknown) =>
      this.opts.log?.(`applying metadata failed: ${(e as Error)?.stack ?? String(e)}`),
    );
    return p;
  }

  private async applyNow(ch: ImageChanges): Promise<void> {
    const img = this.image;
    let pushAll = false;
    const own = String(this.brokerId);
    if (ch.brokerConfigs.has('') || ch.brokerConfigs.has(own)) {
      this.applyBrokerConfigs();
      pushAll = true;
    }
    for (const r of ch.removedTopics) await this.removeTopic(r.name, r.topicId);
    if (ch.snapshot) {
      // Topics the snapshot does not have are in removedTopics; refresh the rest.
      for (const t of img.topics()) this.upsertTopic(t);
      for (const t of img.topics()) {
        for (const info of img.partitions(t.topicId)) if (info) await this.applyPartition(info);
      }
    } else {
      for (const t of ch.topics.values()) if (img.topic(t.name)?.topicId === t.topicId) this.upsertTopic(t);
      for (const info of ch.partitions.values()) {
        if (img.partition(info.topicId, info.partition) === info) await this.applyPartition(info);
      }
    }
    if (pushAll) {
      for (const t of this.byName.values()) this.pushConfigs(t);
    }
    if (ch.brokers) this.replication.applyBrokers(img.brokers);
    this.notify();
  }

  /** Sets the dynamic broker config layers from the image. */
  private applyBrokerConfigs(): void {
    this.config.setDynamic('default', this.image.brokerConfigs.get('') ?? {});
    this.config.setDynamic('broker', this.image.brokerConfigs.get(String(this.brokerId)) ?? {});
  }

  private upsertTopic(info: TopicInfo): TopicState {
    let t = this.byName.get(info.name);
    if (t && t.topicId !== info.topicId) t = undefined; // replaced; the old one was removed first
    if (!t) {
      t = {
        name: info.name,
        topicId: info.topicId,
        internal: info.internal,
        replicationFactor: info.replicationFactor,
        numPartitions: info.numPartitions,
        partitions: [],
        configs: { ...info.configs },
        minInsyncReplicas: 1,
      };
      t.partitions.length = info.numPartitions;
      t.minInsyncReplicas = Number(this.effectiveConfigs(t)['min.insync.replicas']) || 1;
      this.byName.set(t.name, t);
      this.byId.set(t.topicId, t);
      return t;
    }
    t.internal = info.internal;
    t.replicationFactor = info.replicationFactor;
    if (info.numPartitions > t.partitions.length) t.partitions.length = info.numPartitions;
    t.numPartitions = info.numPartitions;
    if (!sameConfigs(t.configs, info.configs)) {
      t.configs = { ...info.configs };
      this.pushConfigs(t);
    }
    return t;
  }

  /** Makes the running logs of a topic follow its effective configs. */
  private pushConfigs(t: TopicState): void {
    const eff = this.effectiveConfigs(t);
    t.minInsyncReplicas = Number(eff['min.insync.replicas']) || 1;
    const lc = toLogConfig(eff);
    for (const p of t.partitions) if (p) p.log.updateConfig(lc);
  }

  private async applyPartition(info: PartitionInfo): Promise<void> {
    const t = this.byId.get(info.topicId);
    if (!t) return;
    const n = info.partition;
    const existing = t.partitions[n];
    if (!info.replicas.includes(this.brokerId)) {
      if (existing) await this.dropPartition(t, existing);
      return;
    }
    let p = existing;
    if (!p) {
      const lc = toLogConfig(this.effectiveConfigs(t));
      if (this.offline.has(`${t.name}-${n}`)) return;
      const found = this.logs.get(t.name, n);
      if (found && !(await this.checkIdentity(found, t))) return;
      const log = this.logs.get(t.name, n) ?? (await this.logs.create(t.name, n, t.topicId, lc));
      log.updateConfig(lc);
      // The topic may have gone while the log was being opened.
      if (this.byId.get(info.topicId) !== t) return;
      p = {
        topic: t.name,
        partition: n,
        topicId: t.topicId,
        log,
        leader: -1,
        leaderEpoch: info.leaderEpoch,
        partitionEpoch: info.partitionEpoch,
        replicas: [],
        isr: [],
      };
      t.partitions[n] = p;
      if (n >= t.partitions.length) t.partitions.length = n + 1;
    }
    const wasLeader = existing !== undefined && existing.leader === this.brokerId;
    const oldEpoch = existing?.leaderEpoch;
    p.leader = info.leader;
    p.leaderEpoch = info.leaderEpoch;
    p.partitionEpoch = info.partitionEpoch;
    p.replicas = [...info.replicas];
    p.isr = [...info.isr];
    this.replication.applyPartition(p, info);
    const isLeader = info.leader === this.brokerId;
    if (isLeader !== wasLeader || (isLeader && oldEpoch !== info.leaderEpoch)) this.opts.onLeadership?.(p, isLeader);
  }

  /**
   * Whether a log on disk may serve partition `log.partition` of topic `t`
   * (Kafka's Partition.checkLogTopicId). Its partition.metadata is damaged, or
   * names another topic that exists: the partition stays offline on this
   * broker with its files untouched (Kafka's InconsistentTopicIdException).
   * It names a topic the metadata no longer has (deleted and re-created while
   * this broker was down): the log is moved aside as a stray, kept, and a new
   * one takes its place. Each case is logged once.
   */
  private async checkIdentity(log: Log, t: { name: string; topicId: string }): Promise<boolean> {
    const key = `${log.topic}-${log.partition}`;
    if (this.offline.has(key)) return false;
    const offline = (why: string): false => {
      this.offline.set(key, why);
      this.opts.log?.(
        `partition ${key} is offline on this broker: ${why}. Its files are kept as they are in ${log.dir}; repair or remove partition.metadata and restart the broker`,
      );
      return false;
    };
    if (log.metadataDamage) return offline(`its ${log.metadataDamage}`);
    if (!log.topicId || log.topicId === t.topicId) return true;
    const other = this.image.topicById(log.topicId);
    if (other) {
      return offline(
        `its partition.metadata names topic id ${log.topicId} (topic '${other.name}'), not ${t.topicId} (InconsistentTopicIdException)`,
      );
    }
    const renamed = await this.logs.moveAside(log.topic, log.partition);
    this.opts.log?.(
      `partition ${key} on disk belongs to topic id ${log.topicId}, which no longer exists (topic '${t.name}' is now ${t.topicId}): moved aside to ${renamed} with its records, and a new log created`,
    );
    return true;
  }

  private async dropPartition(t: TopicState, p: PartitionState): Promise<void> {
    delete t.partitions[p.partition];
    const wasLeader = p.leader === this.brokerId;
    this.replication.removePartition(p);
    if (wasLeader) this.opts.onLeadership?.(p, false);
    await this.logs.delete(p.topic, p.partition);
  }

  private async removeTopic(name: string, topicId: string): Promise<void> {
    const t = this.byId.get(topicId);
    if (!t) return;
    this.byId.delete(topicId);
    if (this.byName.get(name) === t) this.byName.delete(name);
    for (const p of [...t.partitions]) if (p) await this.dropPartition(t, p);
  }

  // ---- waiting for the metadata ----

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves true once `cond()` holds after an apply, false after `timeoutMs`. */
  waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!cond()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(cond());
      }, timeoutMs);
      timer.unref?.();
      this.waiters.add(check);
    });
  }

  /** Resolves once every apply queued so far has finished. */
  settled(): Promise<void> {
    return this.applying;
  }

  // ---- creating topics through the controller ----

  /**
   * Creates a topic (or only validates it) through the controller and waits
   * until this broker has it; throws KafkaError with Kafka's code and message.
   */
  async create(spec: CreateTopicSpec, validateOnly = false): Promise<TopicState | null> {
    const req: CreateTopicsRequest = {
      topics: [
        {
          name: spec.name,
          numPartitions: spec.numPartitions,
          replicationFactor: spec.replicationFactor,
          assignments: [],
          configs: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
        },
      ],
      timeoutMs: CREATE_TIMEOUT_MS,
      validateOnly,
    };
    let res: CreateTopicsResponse;
    try {
      res = (await this.opts.forward(ApiKey.CreateTopics, 7, req)) as CreateTopicsResponse;
    } catch (e) {
      if (e instanceof KafkaError) throw e;
      throw new KafkaError(
        ErrorCode.REQUEST_TIMED_OUT,
        `Could not reach the controller: ${(e as Error)?.message ?? String(e)}`,
      );
    }
    const r = res.topics[0];
    if (!r) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'The controller answered without a result.');
    if (r.errorCode !== ErrorCode.NONE) throw new KafkaError(r.errorCode, r.errorMessage ?? undefined);
    if (validateOnly) return null;
    return this.awaitTopic(spec.name, r.topicId);
  }

  /** Waits until the topic (with this id, when known) is here. */
  private async awaitTopic(name: string, topicId: string | undefined): Promise<TopicState> {
    const has = () => {
      const t = this.byName.get(name);
      return t !== undefined && (!topicId || topicId === ZERO_UUID || t.topicId === topicId);
    };
    if (!(await this.waitFor(has, CREATE_TIMEOUT_MS))) {
      throw new KafkaError(
        ErrorCode.REQUEST_TIMED_OUT,
        `Topic ${name} was created but has not reached this broker yet.`,
      );
    }
    return this.byName.get(name)!;
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
      throw new KafkaError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `Topic ${name} does not exist and auto-creation is disabled.`,
      );
    }
    try {
      return (await this.create({ name, numPartitions: -1, replicationFactor: -1, configs: {} }))!;
    } catch (e) {
      // A concurrent request (here or on another broker) created it first.
      if (e instanceof KafkaError && e.code === ErrorCode.TOPIC_ALREADY_EXISTS) return this.awaitTopic(name, undefined);
      throw e;
    }
  }
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function sameConfigs(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}
