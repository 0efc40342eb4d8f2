// Kafka's broker and topic configs as data: names, types, defaults as Kafka prints them,
// documentation, bounds and allowed values, and for each topic config the broker configs it
// falls back to (its synonyms, in order). configs.ts validates values against these
// definitions and resolves what applies (BrokerConfig, effectiveTopicConfigs).

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

/** Kafka's ConfigType ids (DescribeConfigs v3+). */
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

const LONG_MAX = '9223372036854775807';

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Default as Kafka prints it; null means "no default" (falls through to another synonym). */
  default: string | null;
  doc: string;
  /** Lower bound for numbers. */
  min?: number;
  /** Allowed values for strings and lists (lower-case compare for strings). */
  oneOf?: readonly string[];
  /** Broker configs only: how a value in another unit maps to this one (ms ← hours). */
  scale?: number;
  sensitive?: boolean;
  readOnly?: boolean;
}

/** A topic config and, in order of precedence, the broker configs it falls back to. */
export interface TopicConfigDef extends ConfigDef {
  synonyms: readonly string[];
}

function topic(
  name: string,
  type: ConfigType,
  def: string | null,
  synonyms: string[],
  doc: string,
  extra: Partial<ConfigDef> = {},
): TopicConfigDef {
  return { name, type, default: def, synonyms, doc, ...extra };
}

export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDef> = new Map(
  [
    topic(
      'cleanup.policy',
      'list',
      'delete',
      ['log.cleanup.policy'],
      'Retention policy for old log segments: "delete", "compact", or both.',
      { oneOf: ['delete', 'compact'] },
    ),
    topic(
      'compression.type',
      'string',
      'producer',
      ['compression.type'],
      'Final compression type for the topic; "producer" keeps what the producer sent.',
      { oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
    ),
    topic('compression.gzip.level', 'int', '-1', ['compression.gzip.level'], 'Compression level for gzip.', {
      min: -1,
    }),
    topic('compression.lz4.level', 'int', '9', ['compression.lz4.level'], 'Compression level for lz4.', { min: 1 }),
    topic('compression.zstd.level', 'int', '3', ['compression.zstd.level'], 'Compression level for zstd.', {
      min: -131072,
    }),
    topic(
      'delete.retention.ms',
      'long',
      '86400000',
      ['log.cleaner.delete.retention.ms'],
      'How long delete tombstones are retained on compacted topics.',
      { min: 0 },
    ),
    topic(
      'file.delete.delay.ms',
      'long',
      '60000',
      ['log.segment.delete.delay.ms'],
      'Time to wait before deleting a file from the filesystem.',
      { min: 0 },
    ),
    topic(
      'flush.messages',
      'long',
      LONG_MAX,
      ['log.flush.interval.messages'],
      'Messages accumulated before the log is fsynced.',
      { min: 1 },
    ),
    topic('flush.ms', 'long', LONG_MAX, ['log.flush.interval.ms'], 'Maximum time before the log is fsynced.', {
      min: 0,
    }),
    topic(
      'follower.replication.throttled.replicas',
      'list',
      '',
      ['follower.replication.throttled.replicas'],
      'Replicas whose log replication should be throttled on the follower side.',
    ),
    topic('index.interval.bytes', 'int', '4096', ['log.index.interval.bytes'], 'Bytes between offset index entries.', {
      min: 0,
    }),
    topic(
      'leader.replication.throttled.replicas',
      'list',
      '',
      ['leader.replication.throttled.replicas'],
      'Replicas whose log replication should be throttled on the leader side.',
    ),
    topic(
      'local.retention.bytes',
      'long',
      '-2',
      ['log.local.retention.bytes'],
      'Local (non-tiered) retention size; -2 means retention.bytes.',
      { min: -2 },
    ),
    topic(
      'local.retention.ms',
      'long',
      '-2',
      ['log.local.retention.ms'],
      'Local (non-tiered) retention time; -2 means retention.ms.',
      { min: -2 },
    ),
    topic(
      'max.compaction.lag.ms',
      'long',
      LONG_MAX,
      ['log.cleaner.max.compaction.lag.ms'],
      'Maximum time a message stays ineligible for compaction.',
      { min: 1 },
    ),
    topic('max.message.bytes', 'int', '1048588', ['message.max.bytes'], 'Largest record batch size allowed.', {
      min: 0,
    }),
    topic(
      'message.timestamp.after.max.ms',
      'long',
      '3600000',
      ['log.message.timestamp.after.max.ms'],
      'Allowed timestamp lead of a record over the broker clock.',
      { min: 0 },
    ),
    topic(
      'message.timestamp.before.max.ms',
      'long',
      LONG_MAX,
      ['log.message.timestamp.before.max.ms'],
      'Allowed timestamp lag of a record behind the broker clock.',
      { min: 0 },
    ),
    topic(
      'message.timestamp.type',
      'string',
      'CreateTime',
      ['log.message.timestamp.type'],
      'Whether record timestamps are the create time or the log append time.',
      { oneOf: ['CreateTime', 'LogAppendTime'] },
    ),
    topic(
      'min.cleanable.dirty.ratio',
      'double',
      '0.5',
      ['log.cleaner.min.cleanable.ratio'],
      'Dirty ratio at which the log is eligible for cleaning.',
      { min: 0 },
    ),
    topic(
      'min.compaction.lag.ms',
      'long',
      '0',
      ['log.cleaner.min.compaction.lag.ms'],
      'Minimum time a message stays uncompacted.',
      { min: 0 },
    ),
    topic('min.insync.replicas', 'int', '1', ['min.insync.replicas'], 'Minimum in-sync replicas for acks=all writes.', {
      min: 1,
    }),
    topic(
      'preallocate',
      'boolean',
      'false',
      ['log.preallocate'],
      'Preallocate the file on disk when creating a new segment.',
    ),
    topic('remote.storage.enable', 'boolean', 'false', [], 'Tiered storage for this topic.'),
    topic(
      'retention.bytes',
      'long',
      '-1',
      ['log.retention.bytes'],
      'Maximum size of a partition before old segments are discarded; -1 for no limit.',
    ),
    topic(
      'retention.ms',
      'long',
      '604800000',
      ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
      'Maximum time a log segment is retained; -1 for no limit.',
      { min: -1 },
    ),
    topic('segment.bytes', 'int', '1073741824', ['log.segment.bytes'], 'Segment file size.', { min: 14 }),
    topic('segment.index.bytes', 'int', '10485760', ['log.index.size.max.bytes'], 'Size of the offset index file.', {
      min: 4,
    }),
    topic(
      'segment.jitter.ms',
      'long',
      '0',
      ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
      'Maximum random jitter subtracted from segment.ms.',
      { min: 0 },
    ),
    topic(
      'segment.ms',
      'long',
      '604800000',
      ['log.roll.ms', 'log.roll.hours'],
      'Time after which a segment is rolled even if not full.',
      { min: 1 },
    ),
    topic(
      'unclean.leader.election.enable',
      'boolean',
      'false',
      ['unclean.leader.election.enable'],
      'Whether replicas outside the ISR may be elected leader.',
    ),
  ].map((d) => [d.name, d]),
);

function broker(
  name: string,
  type: ConfigType,
  def: string | null,
  doc: string,
  extra: Partial<ConfigDef> = {},
): ConfigDef {
  return { name, type, default: def, doc, ...extra };
}

const HOUR = 3_600_000;
export const MINUTE = 60_000;

export const BROKER_CONFIGS: ReadonlyMap<string, ConfigDef> = new Map(
  [
    broker('node.id', 'int', '1', 'The id of this broker.', { readOnly: true, min: 0 }),
    broker('broker.id', 'int', '1', 'The id of this broker (alias of node.id).', { readOnly: true, min: 0 }),
    broker('listeners', 'list', 'PLAINTEXT://127.0.0.1:9092', 'Listener addresses.', { readOnly: true }),
    broker('advertised.listeners', 'list', null, 'Listener addresses given to clients.', { readOnly: true }),
    broker('log.dirs', 'list', null, 'Directory where the log data is kept.', { readOnly: true }),
    broker('num.partitions', 'int', '1', 'Default number of partitions of auto-created topics.', {
      min: 1,
      readOnly: true,
    }),
    broker('default.replication.factor', 'short', '1', 'Default replication factor of automatically created topics.', {
      min: 1,
      readOnly: true,
    }),
    broker('auto.create.topics.enable', 'boolean', 'true', 'Enable auto creation of topics on the server.', {
      readOnly: true,
    }),
    broker('delete.topic.enable', 'boolean', 'true', 'Enable topic deletion.', { readOnly: true }),
    broker('message.max.bytes', 'int', '1048588', 'Largest record batch size allowed.', { min: 0 }),
    broker('socket.request.max.bytes', 'int', '104857600', 'Maximum number of bytes in a socket request.', {
      min: 1,
      readOnly: true,
    }),
    broker('fetch.max.bytes', 'int', '57671680', 'Maximum bytes returned for a fetch request.', {
      min: 1024,
      readOnly: true,
    }),
    broker('queued.max.requests', 'int', '500', 'Requests allowed in flight per connection before reading pauses.', {
      min: 1,
      readOnly: true,
    }),
    broker('connections.max.idle.ms', 'long', '600000', 'Idle connections are closed after this many milliseconds.', {
      readOnly: true,
    }),
    broker('compression.type', 'string', 'producer', 'Final compression type for topics.', {
      oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    }),
    broker('compression.gzip.level', 'int', '-1', 'Compression level for gzip.', { min: -1 }),
    broker('compression.lz4.level', 'int', '9', 'Compression level for lz4.', { min: 1 }),
    broker('compression.zstd.level', 'int', '3', 'Compression level for zstd.', { min: -131072 }),
    broker('log.cleanup.policy', 'list', 'delete', 'Default cleanup policy for segments beyond the retention window.', {
      oneOf: ['delete', 'compact'],
    }),
    broker('log.cleaner.delete.retention.ms', 'long', '86400000', 'How long delete tombstones are retained.', {
      min: 0,
    }),
    broker('log.cleaner.min.compaction.lag.ms', 'long', '0', 'Minimum time a message stays uncompacted.', { min: 0 }),
    broker(
      'log.cleaner.max.compaction.lag.ms',
      'long',
      LONG_MAX,
      'Maximum time a message stays ineligible for compaction.',
      { min: 1 },
    ),
    broker('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'Minimum dirty ratio for a log to be cleaned.', {
      min: 0,
    }),
    broker(
      'log.cleaner.enable',
      'boolean',
      'true',
      'Run the log cleaner (compaction of cleanup.policy=compact topics).',
      { readOnly: true },
    ),
    broker('log.cleaner.backoff.ms', 'long', '15000', 'Time the log cleaner sleeps when no log needs cleaning.', {
      min: 0,
      readOnly: true,
    }),
    broker('log.segment.delete.delay.ms', 'long', '60000', 'Time to wait before deleting a file from the filesystem.', {
      min: 0,
    }),
    broker('log.flush.interval.messages', 'long', LONG_MAX, 'Messages accumulated before the log is fsynced.', {
      min: 1,
    }),
    broker('log.flush.interval.ms', 'long', null, 'Maximum time before the log is fsynced.', { min: 0 }),
    broker('log.index.interval.bytes', 'int', '4096', 'Bytes between offset index entries.', { min: 0 }),
    broker('log.index.size.max.bytes', 'int', '10485760', 'Maximum size of an offset index file.', { min: 4 }),
    broker('log.message.timestamp.type', 'string', 'CreateTime', 'Default timestamp type of records.', {
      oneOf: ['CreateTime', 'LogAppendTime'],
    }),
    broker('log.message.timestamp.after.max.ms', 'long', '3600000', 'Allowed timestamp lead over the broker clock.', {
      min: 0,
    }),
    broker('log.message.timestamp.before.max.ms', 'long', LONG_MAX, 'Allowed timestamp lag behind the broker clock.', {
      min: 0,
    }),
    broker('log.local.retention.bytes', 'long', '-2', 'Local retention size.', { min: -2 }),
    broker('log.local.retention.ms', 'long', '-2', 'Local retention time.', { min: -2 }),
    broker('log.preallocate', 'boolean', 'false', 'Preallocate segment files.'),
    broker('log.retention.bytes', 'long', '-1', 'Maximum size of a partition before deleting old segments.'),
    broker('log.retention.ms', 'long', null, 'Hours to keep a log file, in milliseconds.', { min: -1 }),
    broker('log.retention.minutes', 'int', null, 'Minutes to keep a log file.', { scale: MINUTE }),
    broker('log.retention.hours', 'int', '168', 'Hours to keep a log file.', { scale: HOUR }),
    broker('log.retention.check.interval.ms', 'long', '300000', 'How often retention is checked.', {
      min: 1,
      readOnly: true,
    }),
    broker('log.roll.ms', 'long', null, 'Maximum time before a new segment is rolled out.', { min: 1 }),
    broker('log.roll.hours', 'int', '168', 'Maximum time before a new segment is rolled out, in hours.', {
      min: 1,
      scale: HOUR,
    }),
    broker('log.roll.jitter.ms', 'long', null, 'Maximum jitter subtracted from the roll time.', { min: 0 }),
    broker('log.roll.jitter.hours', 'int', '0', 'Maximum jitter subtracted from the roll time, in hours.', {
      min: 0,
      scale: HOUR,
    }),
    broker('log.segment.bytes', 'int', '1073741824', 'Maximum size of a single segment file.', { min: 14 }),
    broker('min.insync.replicas', 'int', '1', 'Minimum in-sync replicas for acks=all writes.', { min: 1 }),
    broker(
      'unclean.leader.election.enable',
      'boolean',
      'false',
      'Whether replicas outside the ISR may be elected leader.',
    ),
    broker('follower.replication.throttled.replicas', 'list', '', 'Throttled follower replicas.'),
    broker('leader.replication.throttled.replicas', 'list', '', 'Throttled leader replicas.'),
    broker('offsets.topic.num.partitions', 'int', '50', 'Partitions of the offset commit topic.', {
      min: 1,
      readOnly: true,
    }),
    broker('offsets.topic.replication.factor', 'short', '3', 'Replication factor of the offsets topic.', {
      min: 1,
      readOnly: true,
    }),
    broker('offsets.retention.minutes', 'int', '10080', 'How long committed offsets of an empty group are kept.', {
      min: 1,
      readOnly: true,
    }),
    broker(
      'offsets.retention.check.interval.ms',
      'long',
      '600000',
      'How often expired committed offsets are looked for.',
      { min: 1, readOnly: true },
    ),
    broker(
      'producer.id.expiration.ms',
      'int',
      '86400000',
      'Time a producer id is remembered after its last write (its sequence state then expires).',
      { min: 1, readOnly: true },
    ),
    broker('producer.id.expiration.check.interval.ms', 'int', '600000', 'How often expired producer ids are removed.', {
      min: 1,
      readOnly: true,
    }),
    broker('group.initial.rebalance.delay.ms', 'int', '3000', 'Delay of the first rebalance of an empty group.', {
      readOnly: true,
    }),
    broker('group.min.session.timeout.ms', 'int', '6000', 'Minimum allowed session timeout for group members.', {
      readOnly: true,
    }),
    broker('group.max.session.timeout.ms', 'int', '1800000', 'Maximum allowed session timeout for group members.', {
      readOnly: true,
    }),
    broker('group.max.size', 'int', '2147483647', 'Maximum number of members in a consumer group.', {
      min: 1,
      readOnly: true,
    }),
    broker('offset.metadata.max.bytes', 'int', '4096', 'Maximum size of the metadata string of an offset commit.', {
      readOnly: true,
    }),
    broker('replica.lag.time.max.ms', 'long', '30000', 'Time a follower may lag before it leaves the ISR.', {
      readOnly: true,
    }),
    broker(
      'group.consumer.heartbeat.interval.ms',
      'int',
      '5000',
      'Heartbeat interval of consumer-protocol (KIP-848) group members.',
      { min: 1, readOnly: true },
    ),
    broker(
      'group.consumer.session.timeout.ms',
      'int',
      '45000',
      'Session timeout of consumer-protocol (KIP-848) group members.',
      { min: 1, readOnly: true },
    ),
    broker(
      'group.consumer.max.size',
      'int',
      '2147483647',
      'Maximum number of members in a consumer-protocol (KIP-848) group.',
      { min: 1, readOnly: true },
    ),
    broker('broker.session.timeout.ms', 'int', '9000', 'Time without heartbeats before a broker is fenced.', {
      readOnly: true,
    }),
    broker('broker.heartbeat.interval.ms', 'int', '2000', "Time between a broker's heartbeats to the controller.", {
      min: 1,
      readOnly: true,
    }),
    broker(
      'auto.leader.rebalance.enable',
      'boolean',
      'true',
      'Periodically move leadership back to the preferred replicas.',
      { readOnly: true },
    ),
    broker(
      'leader.imbalance.check.interval.seconds',
      'long',
      '300',
      'How often the controller checks the leader balance.',
      { min: 1, readOnly: true },
    ),
    broker('replica.fetch.wait.max.ms', 'int', '500', "Longest a follower's fetch waits at the leader for new data.", {
      min: 0,
      readOnly: true,
    }),
    broker('replica.fetch.min.bytes', 'int', '1', "Bytes a follower's fetch waits for before the leader answers.", {
      min: 1,
      readOnly: true,
    }),
    broker('replica.fetch.max.bytes', 'int', '1048576', 'Bytes a follower fetches per partition and request.', {
      min: 0,
      readOnly: true,
    }),
    broker('replica.fetch.response.max.bytes', 'int', '10485760', 'Bytes a follower fetches per request.', {
      min: 0,
      readOnly: true,
    }),
    broker('replica.fetch.backoff.ms', 'int', '1000', "Pause of a follower's fetcher after an error.", {
      min: 0,
      readOnly: true,
    }),
    broker('replica.socket.timeout.ms', 'int', '30000', "Socket timeout of a follower's connection to its leader.", {
      readOnly: true,
    }),
    broker(
      'leader.imbalance.per.broker.percentage',
      'int',
      '10',
      "Share of a broker's preferred partitions led elsewhere that triggers a rebalance.",
      { min: 0, readOnly: true },
    ),
  ].map((d) => [d.name, d]),
);

/** Kafka's legal topic names: [a-zA-Z0-9._-], at most 249 characters, not "." or "..". */
