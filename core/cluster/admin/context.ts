// What the controller's admin request handlers see of the controller: the
// current metadata (read-only: handlers build new records, never mutate these),
// the live brokers, and `commit` for their changes.
import type { BrokerConfig } from '../../broker/configs.ts';
import type { BrokerInfo, MetadataChange, PartitionInfo, TopicInfo } from '../../metadata/types.ts';

export interface AdminContext {
  /** The controller's broker config, with the cluster-wide dynamic defaults ('') applied. */
  readonly config: BrokerConfig;
  topic(name: string): TopicInfo | undefined;
  topicById(topicId: string): TopicInfo | undefined;
  topics(): Iterable<TopicInfo>;
  /** The partitions of a topic, indexed by partition id. */
  partitions(topicId: string): readonly PartitionInfo[];
  broker(id: number): BrokerInfo | undefined;
  /** Brokers that may host new replicas and lead: registered, unfenced, not shutting down. Sorted. */
  liveBrokerIds(): number[];
  isLive(id: number): boolean;
  /** The existing topic whose name collides with `name` ('.' vs '_'), if any. */
  collidingTopic(name: string): string | undefined;
  /** Dynamic broker configs of a resource ('' = cluster default, or a broker id). */
  brokerConfigs(resource: string): Record<string, string>;
  /** Whether unclean leader election is enabled for the topic (its override, else the broker configs). */
  uncleanElection(topic: TopicInfo): boolean;
  /** Writes the changes (one transaction) and applies them; returns the seq of the last one. */
  commit(changes: MetadataChange[]): number;
  /** The current seq. */
  readonly seq: number;
  /**
   * A partition record after an ISR change: when a reassignment is in progress
   * and every target replica is now in the ISR, the completed record; else `p`.
   */
  maybeCompleteReassignment(p: PartitionInfo): PartitionInfo;
}

/** A handler's answer: the response, and the seq every live broker must reach before it goes out. */
export interface AdminResult {
  response: unknown;
  /** 0: nothing changed, answer at once. */
  seq: number;
  /** How long to wait for the brokers at most (the request's timeoutMs, else 30 s). */
  timeoutMs: number;
}

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The default wait for brokers when a request has no timeout of its own. */
export const DEFAULT_PROPAGATION_TIMEOUT_MS = 30_000;

/** A new partition record (leader = first replica, ISR = all replicas, epochs 0). */
export function newPartition(t: TopicInfo, partition: number, replicas: number[]): PartitionInfo {
  return {
    topicId: t.topicId,
    topic: t.name,
    partition,
    replicas: [...replicas],
    isr: [...replicas],
    leader: replicas[0] ?? -1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    addingReplicas: [],
    removingReplicas: [],
  };
}

export function replicationFactorError(rf: number, live: number): string {
  return `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${live} broker(s) are registered.`;
}
