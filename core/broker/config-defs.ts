// Kafka's broker and topic configs as Samsa knows them: the table generated from real Kafka
// (config-defs.generated.ts: every name, type, default, validator, dynamic update mode, synonym
// and Kafka's documentation), the group configs (KIP-848), which of them Samsa acts on, and
// Samsa's one config of its own.
// Samsa accepts, validates and reports every Kafka config as Kafka does; those it does not act
// on are kept and shown, and change nothing (README, "Configuration"). configs.ts validates
// values against these definitions and resolves what applies.
import { KAFKA_BROKER_CONFIGS, KAFKA_GROUP_CONFIGS, KAFKA_TOPIC_CONFIGS } from './config-defs.generated.ts';

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

/** Kafka's ConfigSource ids, as DescribeConfigs reports them. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** Kafka's ConfigType ids (DescribeConfigs v3+); 0 is UNKNOWN. */
export const ConfigTypeId: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** A ConfigDef validator, as KafkaConfigDefs.java reads it from Kafka's runtime. */
export type Validator =
  | { kind: 'range'; min: string | null; max: string | null }
  | { kind: 'in' | 'inIgnoreCase'; values: readonly string[] }
  | { kind: 'list'; values: readonly string[] | null; emptyAllowed: boolean; nullAllowed: boolean }
  | { kind: 'all'; of: readonly Validator[] }
  | { kind: 'listSize'; max: number }
  /** A validator known only by its class and description (Kafka's toString). */
  | { kind: 'other'; class: string; description: string };

/** Kafka's dynamic update mode of a broker config; none means read-only. */
export type DynamicMode = 'per-broker' | 'cluster-wide';

/** One broker config of the generated table. */
export interface KafkaConfigEntry {
  name: string;
  type: ConfigType;
  default: string | null;
  dynamic?: DynamicMode;
  /** Kafka's brokerConfigSynonyms, when there is more than the name itself (log.retention.ms/minutes/hours). */
  synonyms?: readonly string[];
  /** Kafka's internal configs: accepted, not listed by DescribeConfigs. */
  internal?: boolean;
  /** Dynamic-only (the replication quotas): not a KafkaConfig, listed only when set. */
  unlisted?: boolean;
  validator?: Validator;
  doc: string;
}

/** One topic config of the generated table, with the broker configs it falls back to. */
export interface KafkaTopicConfigEntry {
  name: string;
  type: ConfigType;
  default: string | null;
  /** Broker configs, in precedence order, and the factor that turns their unit into the topic config's. */
  synonyms: readonly { name: string; scale: number }[];
  internal?: boolean;
  validator?: Validator;
  doc: string;
}

/** One group config of the generated table (GroupConfig, KIP-848), with the broker config it falls back to. */
export interface KafkaGroupConfigEntry {
  name: string;
  type: ConfigType;
  default: string | null;
  /** The broker config whose value a group without its own takes (group.consumer.session.timeout.ms, …). */
  synonym?: string;
  /** GroupConfig.isInternal: accepted, not listed by DescribeConfigs. */
  internal?: boolean;
  validator?: Validator;
  doc: string;
}

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Default as Kafka prints it; null means none (a broker config then falls through to a synonym). */
  default: string | null;
  doc: string;
  validator?: Validator;
  /** PASSWORD configs: DescribeConfigs shows no value. */
  sensitive: boolean;
  /** Broker configs: cannot be changed dynamically (AlterConfigs refuses it). */
  readOnly: boolean;
  dynamic?: DynamicMode;
  /** Not listed by DescribeConfigs unless set: Kafka's internal configs, the dynamic-only ones, Samsa's own. */
  hidden: boolean;
  /** Broker configs that are dynamic only (not KafkaConfig's: the replication quotas): no default layer, no documentation. */
  dynamicOnly: boolean;
  /**
   * Broker configs: the configs standing for the same setting, most precise first (Kafka's
   * brokerConfigSynonyms, this one included). Topic configs: the broker configs the topic config
   * falls back to, in precedence order.
   */
  synonyms: readonly string[];
  /** Broker configs only: the factor that turns a value into milliseconds when a topic config falls back to it. */
  scale?: number;
  /** Samsa acts on it; the others are accepted, validated, stored and reported, and change nothing. */
  applies: boolean;
}

export type TopicConfigDef = ConfigDef;

/** The topic configs Samsa acts on (its log, the log cleaner, produce validation, acks=all, elections). */
const APPLIED_TOPIC_CONFIGS = new Set([
  'cleanup.policy',
  'delete.retention.ms',
  'file.delete.delay.ms',
  'flush.messages',
  'flush.ms',
  'index.interval.bytes',
  'internal.segment.bytes',
  'max.compaction.lag.ms',
  'max.message.bytes',
  'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.type',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
  'min.insync.replicas',
  'retention.bytes',
  'retention.ms',
  'segment.bytes',
  'segment.index.bytes',
  'segment.ms',
  'unclean.leader.election.enable',
]);

/**
 * The broker configs Samsa acts on besides the broker synonyms of the topic configs above (which
 * give every topic its defaults: log.retention.hours, log.segment.bytes, message.max.bytes, …).
 */
const APPLIED_BROKER_CONFIGS = new Set([
  'auto.create.topics.enable',
  'auto.leader.rebalance.enable',
  'broker.heartbeat.interval.ms',
  'broker.id',
  'broker.session.timeout.ms',
  'default.replication.factor',
  'delete.topic.enable',
  'group.consumer.heartbeat.interval.ms',
  'group.consumer.max.size',
  'group.consumer.session.timeout.ms',
  'group.initial.rebalance.delay.ms',
  'group.max.session.timeout.ms',
  'group.max.size',
  'group.min.session.timeout.ms',
  'leader.imbalance.check.interval.seconds',
  'leader.imbalance.per.broker.percentage',
  'listeners',
  'log.cleaner.backoff.ms',
  'log.cleaner.enable',
  'log.dirs',
  'log.retention.check.interval.ms',
  'max.request.partition.size.limit',
  'node.id',
  'num.partitions',
  'offset.metadata.max.bytes',
  'offsets.retention.check.interval.ms',
  'offsets.retention.minutes',
  'offsets.topic.num.partitions',
  'offsets.topic.replication.factor',
  'producer.id.expiration.check.interval.ms',
  'producer.id.expiration.ms',
  'replica.fetch.backoff.ms',
  'replica.fetch.max.bytes',
  'replica.fetch.min.bytes',
  'replica.fetch.response.max.bytes',
  'replica.fetch.wait.max.ms',
  'replica.lag.time.max.ms',
  'replica.socket.timeout.ms',
  'socket.request.max.bytes',
]);

/**
 * Samsa's own broker configs, which Kafka 4 does not have: set at start (--override), not
 * dynamically, not listed by DescribeConfigs.
 */
const SAMSA_BROKER_CONFIGS: readonly KafkaConfigEntry[] = [
  {
    name: 'leader.imbalance.per.broker.percentage',
    type: 'int',
    default: '10',
    internal: true,
    validator: { kind: 'range', min: '0', max: null },
    doc: "Kafka 3's setting, which Samsa's controller keeps: the share of a broker's preferred partitions led elsewhere that makes the periodic rebalance move their leadership back.",
  },
];

export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDef> = new Map(
  KAFKA_TOPIC_CONFIGS.map((e): [string, TopicConfigDef] => [
    e.name,
    {
      name: e.name,
      type: e.type,
      default: e.default,
      doc: e.doc,
      validator: e.validator,
      sensitive: e.type === 'password',
      readOnly: false,
      hidden: e.internal === true,
      dynamicOnly: false,
      synonyms: e.synonyms.map((s) => s.name),
      applies: APPLIED_TOPIC_CONFIGS.has(e.name),
    },
  ]),
);

/** The unit factors of the broker configs topic configs fall back to (log.retention.hours → ms). */
const SCALES = new Map(
  KAFKA_TOPIC_CONFIGS.flatMap((e) => e.synonyms.filter((s) => s.scale !== 1)).map((s) => [s.name, s.scale]),
);

export const BROKER_CONFIGS: ReadonlyMap<string, ConfigDef> = new Map(
  [...KAFKA_BROKER_CONFIGS, ...SAMSA_BROKER_CONFIGS].map((e): [string, ConfigDef] => [
    e.name,
    {
      name: e.name,
      type: e.type,
      default: e.default,
      doc: e.doc,
      validator: e.validator,
      sensitive: e.type === 'password',
      readOnly: e.dynamic === undefined,
      dynamic: e.dynamic,
      hidden: e.internal === true || e.unlisted === true,
      dynamicOnly: e.unlisted === true,
      synonyms: e.synonyms ?? [e.name],
      scale: SCALES.get(e.name),
      applies:
        APPLIED_BROKER_CONFIGS.has(e.name) ||
        [...TOPIC_CONFIGS.values()].some((t) => t.applies && t.synonyms.includes(e.name)),
    },
  ]),
);

/**
 * The group configs Samsa's KIP-848 consumer groups act on; the share and streams group ones
 * (Samsa has neither kind of group) are accepted, validated, stored and reported.
 */
const APPLIED_GROUP_CONFIGS = new Set(['consumer.session.timeout.ms', 'consumer.heartbeat.interval.ms']);

export const GROUP_CONFIGS: ReadonlyMap<string, ConfigDef> = new Map(
  KAFKA_GROUP_CONFIGS.map((e): [string, ConfigDef] => [
    e.name,
    {
      name: e.name,
      type: e.type,
      default: e.default,
      doc: e.doc,
      validator: e.validator,
      sensitive: e.type === 'password',
      readOnly: false,
      hidden: e.internal === true,
      dynamicOnly: false,
      synonyms: e.synonym ? [e.synonym] : [],
      applies: APPLIED_GROUP_CONFIGS.has(e.name),
    },
  ]),
);

/** `listener.name.<listener>.<config>`: a broker config for one listener; the base config gives its type. */
export const LISTENER_CONFIG = /^listener\.name\.[^.]*\.(.*)$/;

/** The broker config a name is checked as: the name, or a listener-prefixed name's base config. */
export function baseConfigName(name: string): string {
  return LISTENER_CONFIG.exec(name)?.[1] ?? name;
}

export const MINUTE = 60_000;
