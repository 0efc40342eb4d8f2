// The one interface the console's renderer knows. Types only: the renderer imports this file with
// `import type`, so nothing here may pull in Node code. Everything that crosses the bridge is plain
// JSON (offsets as decimal strings, record bytes as text or base64), so the same operations can be
// carried over a WebSocket (the headless host) or Electron IPC (the desktop shell).

/** Offsets are int64 in Kafka; they cross the bridge as decimal strings. */
export type OffsetString = string;

/** Record bytes: UTF-8 text when the bytes are valid UTF-8, else base64. */
export interface Payload {
  encoding: 'utf8' | 'base64';
  data: string;
  /** Size in bytes. */
  size: number;
}

/** A broker as the Cluster view shows it: 'online' when the cluster's metadata lists it; the local cluster's supervisor adds process states. */
export type BrokerStatus = 'online' | 'offline' | 'starting' | 'running' | 'stopping' | 'stopped' | 'dead' | 'fenced';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  isController: boolean;
  partitionsLed: number;
  status: BrokerStatus;
  /** Bytes of partition data on this broker (DescribeLogDirs, or the supervisor's count); null when unknown. */
  diskBytes: number | null;
  /** Process id, for brokers of the local cluster. */
  pid: number | null;
  /** Runs inside the `samsa start` process (a single-broker local cluster): it cannot be stopped or started on its own. */
  inProcess: boolean;
}

export type BrokerAction = 'stop' | 'kill' | 'start';

export interface ClusterOverview {
  bootstrap: string;
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topicCount: number;
  internalTopicCount: number;
  partitionCount: number;
  underReplicatedPartitions: number;
  /** Partitions without a leader. */
  offlinePartitions: number;
  /** Brokers can be stopped, killed, started and added (the local cluster, when its supervisor is at hand). */
  controllable: boolean;
}

export interface TopicSummary {
  name: string;
  partitions: number;
  replicationFactor: number;
  internal: boolean;
  underReplicatedPartitions: number;
  /** Sum over partitions of high watermark − start offset; null when the offsets could not be read. */
  recordCount: OffsetString | null;
  /** Bytes of one copy of the topic (the largest replica of each partition, from DescribeLogDirs); null when unknown. */
  sizeBytes: number | null;
}

export interface CreateTopicArgs {
  name: string;
  /** -1 (or absent): the broker's num.partitions. */
  partitions?: number;
  /** -1 (or absent): the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface PartitionDetail {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  startOffset: OffsetString;
  highWatermark: OffsetString;
  /** Bytes of the leader's copy (DescribeLogDirs); null when unknown. */
  sizeBytes: number | null;
}

/** A partition being moved to new replicas (ListPartitionReassignments). */
export interface ReassignmentView {
  partition: number;
  /** Current replicas: the target plus those still being removed. */
  replicas: number[];
  adding: number[];
  removing: number[];
}

export interface ReassignmentsResult {
  topic: string;
  /** Partitions still being reassigned; empty when done. */
  partitions: ReassignmentView[];
}

export type ConfigSourceName =
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'UNKNOWN';

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSourceName;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
}

export interface TopicDetail {
  name: string;
  id: string;
  internal: boolean;
  partitions: PartitionDetail[];
  /** Total records between start offsets and high watermarks (compaction may make it smaller). */
  recordCount: OffsetString;
  configs: ConfigEntry[];
}

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface HeaderInput {
  key: string;
  value: string;
}

/** 0: no acknowledgement, 1: the leader, 'all': every in-sync replica. */
export type Acks = 0 | 1 | 'all';

/** How records pick a partition: by key hash, round robin over the partitions, or one fixed partition. */
export type Partitioning = 'key' | 'roundRobin' | 'fixed';

export interface ProduceArgs {
  topic: string;
  /** A partition number (implies 'fixed'); absent: by key hash (or spread when there is no key). */
  partition?: number;
  /** Absent: 'fixed' when a partition is given, else 'key'. */
  partitioning?: Partitioning;
  /** Absent: 'all'. */
  acks?: Acks;
  key?: string | null;
  value: string | null;
  /** 'json' validates the value as JSON before sending. */
  valueFormat?: 'text' | 'json';
  headers?: HeaderInput[];
  compression?: Compression;
}

/** One batch of records generated from templates: `{{i}}` becomes the record's counter, `{{now}}` the time in ms. */
export interface ProduceManyArgs extends Omit<ProduceArgs, 'key' | 'value'> {
  keyTemplate?: string | null;
  valueTemplate: string;
  /** The counter of the first record of this batch. */
  from: number;
  /** Records in this batch (at most 5,000). */
  count: number;
}

export interface ProduceManyResult {
  count: number;
  /** Per partition used: first and last offset written (null with acks 0). */
  partitions: { partition: number; count: number; firstOffset: OffsetString | null; lastOffset: OffsetString | null }[];
}

export interface ProduceResult {
  topic: string;
  partition: number;
  offset: OffsetString;
  timestamp: number;
}

export interface RecordHeader {
  key: string;
  value: Payload | null;
}

export interface RecordView {
  partition: number;
  offset: OffsetString;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Payload | null;
  value: Payload | null;
  headers: RecordHeader[];
}

export type StartPosition =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: OffsetString }
  | { kind: 'timestamp'; timestamp: number }
  | { kind: 'lastN'; n: number };

export interface TailArgs {
  stream?: 'records';
  topic: string;
  /** Absent or empty: all partitions. */
  partitions?: number[];
  start: StartPosition;
  /** Most records per push (capped by the service). */
  maxPerPush?: number;
}

export interface TailOpened {
  subscription: string;
  partitions: number[];
  /** Where reading starts, per partition. */
  positions: Record<number, OffsetString>;
}

/**
 * A metrics stream: the service samples high watermarks and group lag every `intervalMs` while the
 * stream is open (opened with `openTail`, ended with `tailCancel`, like a record tail).
 */
export interface MetricsArgs {
  stream: 'metrics';
  /** Topics whose summed high watermark is sampled; '*' for every non-internal topic. */
  topics?: string[] | '*';
  /** Consumer groups whose total lag is sampled. */
  groups?: string[];
  /** Default 2000, at least 500. */
  intervalMs?: number;
}

export interface MetricsSample {
  /** ms since the epoch. */
  at: number;
  /** Per topic: the sum of its partitions' high watermarks. */
  topics: Record<string, OffsetString>;
  /** Per group: total lag over its committed partitions. */
  groups: Record<string, OffsetString>;
}

export type StreamArgs = TailArgs | MetricsArgs;

export type TailEvent =
  | { type: 'records'; records: RecordView[] }
  | { type: 'sample'; sample: MetricsSample }
  | { type: 'seeked'; positions: Record<number, OffsetString> }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'error'; message: string }
  | { type: 'closed' };

export interface FetchPageArgs {
  topic: string;
  partition: number;
  offset: OffsetString;
  limit: number;
}

export interface GroupSummary {
  groupId: string;
  state: string;
  protocolType: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  assignments: { topic: string; partitions: number[] }[];
}

export interface GroupOffset {
  topic: string;
  partition: number;
  committed: OffsetString | null;
  logEnd: OffsetString | null;
  lag: OffsetString | null;
  memberId: string | null;
}

export interface GroupDetail {
  groupId: string;
  state: string;
  protocol: string;
  protocolType: string;
  members: GroupMember[];
  offsets: GroupOffset[];
  totalLag: OffsetString;
}

export interface AlterTopicConfigsArgs {
  name: string;
  /** Overrides to set (IncrementalAlterConfigs SET). */
  set?: Record<string, string>;
  /** Overrides to delete, so the config falls back to its default (IncrementalAlterConfigs DELETE). */
  remove?: string[];
}

export interface DeleteRecordsArgs {
  name: string;
  /** Delete every record before `offset` in each listed partition. */
  partitions: { partition: number; offset: OffsetString }[];
}

export interface DeleteRecordsResult {
  /** The new start offset (low watermark) of each partition. */
  partitions: { partition: number; startOffset: OffsetString }[];
}

/** Where a group's committed offsets move to. */
export type ResetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'timestamp'; timestamp: number }
  | { kind: 'offset'; offset: OffsetString };

export interface ResetOffsetsArgs {
  groupId: string;
  /** Only this topic; absent: every topic the group has committed offsets for. */
  topic?: string;
  to: ResetTarget;
}

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** TLS settings of a connection: an optional CA (PEM) and whether to skip verifying the broker's certificate. */
export interface TlsSettings {
  ca: string | null;
  skipVerify: boolean;
}

/** A connection as the user edits it. */
export interface ConnectionInput {
  /** Absent: a new connection. */
  id?: string;
  name: string;
  bootstrap: string;
  /** On an existing connection, an absent password keeps the one already known. */
  sasl: { mechanism: SaslMechanism; username: string; password?: string } | null;
  tls: TlsSettings | null;
  /** Store the password in the settings file (mode 0600); otherwise it is kept only while the console runs. */
  rememberPassword: boolean;
}

/** A connection as listed: never with its password. */
export interface ConnectionView {
  id: string;
  name: string;
  bootstrap: string;
  /** The cluster `samsa start` runs (always first, not editable). */
  local: boolean;
  sasl: { mechanism: SaslMechanism; username: string } | null;
  tls: TlsSettings | null;
  rememberPassword: boolean;
  /** A password is known (remembered, or given while the console runs). */
  hasPassword: boolean;
}

export interface ConnectionsState {
  connections: ConnectionView[];
  selected: string;
}

export interface ConnectionTestResult {
  brokers: number;
  clusterId: string | null;
  controllerId: number;
  ms: number;
}

export interface ConnectionInfo {
  bootstrap: string;
  connected: boolean;
  /** The selected connection. */
  id: string;
  name: string;
  /** Brokers of this cluster can be stopped, started and added from the console. */
  controllable: boolean;
}

/** Request and result types of every operation, by name. */
export interface Operations {
  connection: { args: Record<string, never>; result: ConnectionInfo };
  connect: { args: { bootstrap: string }; result: ConnectionInfo };
  listConnections: { args: Record<string, never>; result: ConnectionsState };
  testConnection: { args: ConnectionInput; result: ConnectionTestResult };
  saveConnection: { args: ConnectionInput; result: ConnectionsState & { saved: string } };
  deleteConnection: { args: { id: string }; result: ConnectionsState };
  /** Switches every view to this connection; `password` when it has SASL and none is known. */
  selectConnection: { args: { id: string; password?: string }; result: ConnectionInfo };
  clusterOverview: { args: Record<string, never>; result: ClusterOverview };
  brokerControl: { args: { id: number; action: BrokerAction }; result: ClusterOverview };
  addBroker: { args: Record<string, never>; result: ClusterOverview };
  listTopics: { args: { includeInternal?: boolean }; result: TopicSummary[] };
  createTopic: { args: CreateTopicArgs; result: TopicSummary };
  deleteTopic: { args: { name: string }; result: { deleted: string } };
  topicDetail: { args: { name: string }; result: TopicDetail };
  alterTopicConfigs: { args: AlterTopicConfigsArgs; result: TopicDetail };
  addPartitions: { args: { name: string; count: number }; result: TopicDetail };
  deleteRecords: { args: DeleteRecordsArgs; result: DeleteRecordsResult };
  /** Moves partitions to more or fewer replicas (AlterPartitionReassignments). */
  alterReplicationFactor: { args: { name: string; replicationFactor: number }; result: ReassignmentsResult };
  listReassignments: { args: { name: string }; result: ReassignmentsResult };
  cancelReassignments: { args: { name: string }; result: ReassignmentsResult };
  produce: { args: ProduceArgs; result: ProduceResult };
  produceMany: { args: ProduceManyArgs; result: ProduceManyResult };
  fetchMessagesPage: { args: FetchPageArgs; result: { records: RecordView[]; highWatermark: OffsetString } };
  listGroups: { args: Record<string, never>; result: GroupSummary[] };
  describeGroup: { args: { groupId: string }; result: GroupDetail };
  resetGroupOffsets: { args: ResetOffsetsArgs; result: GroupDetail };
  deleteGroup: { args: { groupId: string }; result: { deleted: string } };
  tailPause: { args: { subscription: string }; result: { ok: true } };
  tailResume: { args: { subscription: string }; result: { ok: true } };
  tailSeek: {
    args: { subscription: string; start: StartPosition };
    result: { positions: Record<number, OffsetString> };
  };
  tailCancel: { args: { subscription: string }; result: { ok: true } };
}

export type OperationName = keyof Operations;
export type OpArgs<K extends OperationName> = Operations[K]['args'];
export type OpResult<K extends OperationName> = Operations[K]['result'];

/** An error as it crosses the bridge: a readable message, the Kafka error name when there is one, and the form field it belongs to. */
export interface BridgeErrorInfo {
  message: string;
  kafkaError?: string;
  field?: string;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Bridge {
  invoke<K extends OperationName>(op: K, args: OpArgs<K>): Promise<OpResult<K>>;
  /**
   * Opens a stream: a record tail, or a metrics sampler (`stream: 'metrics'`); events arrive on
   * `listener` until tailCancel (or the bridge closes).
   */
  openTail(args: StreamArgs, listener: (event: TailEvent) => void): Promise<TailOpened>;
  /** State of the bridge transport itself (the WebSocket, or IPC which is always open). */
  onState(listener: (state: ConnectionState) => void): () => void;
}

// ---- wire format of the WebSocket transport ----------------------------------------------

export type ClientMessage =
  { id: number; op: OperationName; args: unknown } | { id: number; op: 'openTail'; args: StreamArgs };

export type ServerMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: BridgeErrorInfo }
  | { sub: string; event: TailEvent };
