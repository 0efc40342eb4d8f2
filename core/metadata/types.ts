// The cluster metadata as the controller publishes it and brokers follow it:
// plain JSON-safe records (they cross process boundaries), a numbered change
// log of them, and a snapshot for a broker that starts from nothing.

/** A registered broker as the controller knows it. */
export interface BrokerInfo {
  id: number;
  host: string;
  port: number;
  rack: string | null;
  /** Assigned by the controller at each registration (Kafka's broker epoch). */
  epoch: number;
  /** Random per process start; a new one means the broker restarted. */
  incarnationId: string;
  /** Fenced: registered but not serving (not caught up, heartbeats stopped, or shut down). */
  fenced: boolean;
  /** In a controlled shutdown: leaderships are being moved away. */
  shuttingDown: boolean;
}

export interface TopicInfo {
  name: string;
  /** Kafka's Uuid text form. */
  topicId: string;
  internal: boolean;
  numPartitions: number;
  replicationFactor: number;
  /** Overrides only. */
  configs: Record<string, string>;
}

/** One partition's replication state (Kafka's PartitionRecord / PartitionChangeRecord). */
export interface PartitionInfo {
  topicId: string;
  topic: string;
  partition: number;
  /** Replica broker ids; replicas[0] is the preferred leader. During a reassignment: target ∪ current. */
  replicas: number[];
  isr: number[];
  /** -1 when no eligible replica is alive (offline partition). */
  leader: number;
  /** Bumped on every leader change. */
  leaderEpoch: number;
  /** Bumped on every change of this record. */
  partitionEpoch: number;
  /** Reassignment in progress: replicas being added / removed. Empty otherwise. */
  addingReplicas: number[];
  removingReplicas: number[];
}

export type MetadataChange =
  | { type: 'broker'; broker: BrokerInfo }
  | { type: 'brokerRemoved'; id: number }
  | { type: 'topic'; topic: TopicInfo }
  | { type: 'topicRemoved'; name: string; topicId: string }
  | { type: 'partition'; partition: PartitionInfo }
  /** resource '' = the cluster-wide default; otherwise a broker id. Replaces the whole layer. */
  | { type: 'brokerConfigs'; resource: string; configs: Record<string, string> };

export interface MetadataSnapshot {
  clusterId: string;
  brokers: BrokerInfo[];
  topics: TopicInfo[];
  partitions: PartitionInfo[];
  /** resource ('' or a broker id) → dynamic configs. */
  brokerConfigs: Record<string, Record<string, string>>;
}

/**
 * The answer to a broker's metadata fetch: every change after the broker's
 * `fromSeq`, or a snapshot (when `fromSeq` is 0 or older than the retained log)
 * followed by the changes after it. `seq` is the last change included.
 */
export interface MetadataDelta {
  seq: number;
  snapshot?: MetadataSnapshot;
  changes: MetadataChange[];
}
