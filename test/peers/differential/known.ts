// The known differences between Samsa's answers and Kafka's, each with its reason. A deliberate
// one (`reason`) is accepted by test/peers/differential.test.ts; a bug (`bug`) is listed so its
// failure says what is known of it and where the cause is, but it still fails the test until
// Samsa is fixed. test/peers/README.md ("Differences from Kafka") holds the same table for readers.
import type { Difference } from './compare.ts';
import type { Case, Mode } from './runner.ts';

export interface Known {
  api: string;
  /** The cases it applies to, as a pattern over the case name; every case of the API when absent. */
  cases?: RegExp;
  /** The difference's path. */
  path: RegExp;
  /** Kafka's value (as shown in the difference). */
  kafka?: RegExp;
  /** Samsa's value. */
  samsa?: RegExp;
  modes?: Mode[];
  /** Why the difference is kept (a deliberate one). */
  reason?: string;
  /** What is wrong, and where (a bug): the test still fails. */
  bug?: string;
}

// ---- deliberate: kept, with the reason --------------------------------------------------------

const SCOPE =
  'Samsa serves the APIs it implements, at the versions of the Kafka 4.0 schemas its codecs are generated from (no SASL, ACLs, transactions, delegation tokens, quotas, SCRAM, share or streams groups, KRaft controller APIs)';

const deliberate: Known[] = [
  {
    api: 'ApiVersions',
    path: /^apiKeys(\[apiKey=\d+\]\.maxVersion|\(only in Kafka\))$/,
    reason: SCOPE,
  },
  {
    api: 'ApiVersions',
    path: /^(supportedFeatures|finalizedFeatures)(\[name=metadata\.version\]\.(maxVersion|maxVersionLevel|minVersionLevel)|\(only in Kafka\))$/,
    reason:
      'Samsa implements metadata.version up to 4.0’s level and has no kraft, transaction, share, streams or eligible-leader-replicas features to advertise',
  },
  {
    api: 'ApiVersions',
    path: /^(supportedFeatures|finalizedFeatures)\(order\)$/,
    reason: 'Kafka lists features in its hash map’s order; clients look features up by name',
  },
  {
    api: 'Metadata',
    cases: /every topic/,
    path: /^topics\(order\)$/,
    reason: 'Kafka lists all topics in its hash map’s order; no client relies on it',
  },
  {
    api: 'ListGroups',
    path: /^groups\(order\)$/,
    reason: 'Kafka lists groups in its hash map’s order; no client relies on it',
  },
  {
    api: 'DescribeConfigs',
    path: /configs\(order\)$/,
    reason: 'Kafka lists a topic’s or broker’s configs in its hash map’s order; tools sort or look configs up by name',
  },
  {
    api: 'DescribeLogDirs',
    path: /partitions\(order\)$/,
    reason: 'Kafka lists a log dir’s partitions in its hash map’s order',
  },
  {
    api: 'Produce',
    path: /^\(response\)$/,
    kafka: /^no response \(connection closed\)$/,
    samsa: /errorCode":35/,
    reason:
      'Produce v0-2: Kafka 4 still advertises them (for old librdkafka’s sake) but drops the connection; Samsa refuses them with UNSUPPORTED_VERSION per partition, which tells the client why',
  },
  {
    api: 'Produce',
    cases: /bad CRC|larger than max\.message\.bytes|sequence gap|stale epoch|internal topic/,
    path: /partitionResponses\[0\]\.errorMessage$/,
    kafka: /^null$/,
    reason: 'Samsa explains the error in errorMessage where Kafka leaves it null; clients print it when set',
  },
  {
    api: 'Produce',
    cases: /several topics/,
    path: /^responses\(order\)$/,
    reason: 'Kafka orders a produce response’s topics by its own map, not as requested; clients match them by name',
  },
  {
    api: 'Produce',
    cases: /null records/,
    path: /^\(response\)$/,
    reason:
      'Kafka never answers a produce without records (v3+) and drops the connection (v0-2); Samsa answers INVALID_RECORD',
  },
  {
    api: 'Produce',
    cases: /transactional batch outside a transaction/,
    path: /partitionResponses\[0\]\.(errorCode|errorMessage)$/,
    reason:
      'Samsa has no transactions: it refuses transactional batches (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) where Kafka fails to verify the transaction',
  },
  {
    api: 'Fetch',
    cases: /open a fetch session/,
    path: /^sessionId$/,
    reason:
      'Samsa does not keep incremental fetch sessions (KIP-227): sessionId 0 tells clients to send full fetches, which they do',
  },
  {
    api: 'FindCoordinator',
    cases: /transaction coordinator/,
    path: /./,
    reason: 'Samsa has no transaction coordinator: it answers COORDINATOR_NOT_AVAILABLE for transactional ids',
  },
  {
    api: 'InitProducerId',
    cases: /transactional producer/,
    path: /./,
    reason: 'Samsa has no transaction coordinator: a transactional id gets COORDINATOR_NOT_AVAILABLE',
  },
  {
    api: 'FindCoordinator',
    cases: /share coordinator/,
    path: /errorCode$|errorMessage$/,
    reason: 'Samsa has no share groups: key type 2 is INVALID_REQUEST where Kafka’s share coordinator is still loading',
  },
  {
    api: 'FindCoordinator',
    cases: /unknown key type/,
    path: /errorMessage$/,
    kafka: /^'This most likely occurs/,
    reason: 'Default error messages are in Samsa’s own words (core/protocol/errors.ts), not copied from Kafka',
  },
  {
    api: 'DescribeConfigs',
    cases: /unknown type/,
    path: /errorMessage$/,
    kafka: /^'This most likely occurs/,
    reason: 'Default error messages are in Samsa’s own words (core/protocol/errors.ts), not copied from Kafka',
  },
  {
    api: 'ConsumerGroupHeartbeat',
    cases: /^join a consumer-protocol group$/,
    path: /^memberEpoch$/,
    reason:
      'Epochs are opaque counters: Kafka bumps a new group’s epoch twice on the first join (member, then subscription metadata), Samsa once; clients only echo them back',
  },
  {
    api: 'ConsumerGroupDescribe',
    path: /(groupEpoch|assignmentEpoch|memberEpoch)$/,
    reason: 'Epochs are opaque counters (see ConsumerGroupHeartbeat)',
  },
  {
    api: 'DescribeConfigs',
    cases: /broker/,
    path: /configs\[name=(node\.id|broker\.id|offsets\.topic\.replication\.factor|transaction\.state\.log\.(replication\.factor|min\.isr)|share\.coordinator\.state\.topic\.(replication\.factor|min\.isr)|listeners|advertised\.listeners|log\.dirs|controller\.listener\.names|inter\.broker\.listener\.name|listener\.security\.protocol\.map|process\.roles|controller\.quorum\.voters)\]\.(value|configSource|synonyms.*)$/,
    reason:
      'The Kafka peer is configured through server.properties (node id, listeners, log dirs, the quorum, and internal topics at replication factor 1 as Kafka’s config/server.properties does for one broker); Samsa takes these from its flags',
  },
  {
    api: 'DescribeConfigs',
    cases: /broker/,
    path: /configs\[name=share\.controller\.state\.topic\.(replication\.factor|min\.isr)\]$/,
    reason:
      'The Kafka peer’s server.properties sets share.controller.state.topic.* (names Kafka 4.4 does not know, so it lists them as UNKNOWN static configs); Samsa is given no such names',
  },
  {
    api: 'AlterConfigs',
    path: /^after\(order\)$/,
    reason:
      'As DescribeConfigs: Kafka lists a topic’s configs in its hash map’s order; tools sort or look configs up by name',
  },
  {
    api: 'IncrementalAlterConfigs',
    path: /^after\w*\(order\)$/,
    reason:
      'As DescribeConfigs: Kafka lists a topic’s configs in its hash map’s order; tools sort or look configs up by name',
  },
  {
    api: 'IncrementalAlterConfigs',
    cases: /unknown operation/,
    path: /^responses\[resourceName=d-configs\]\.(errorCode|errorMessage)$/,
    kafka: /^-1 UNKNOWN_SERVER_ERROR$|^null$/,
    reason:
      'Kafka fails with UNKNOWN_SERVER_ERROR (an unhandled exception); Samsa answers INVALID_REQUEST and says why',
  },
  {
    api: 'CreateTopics',
    cases: /zero timeout/,
    path: /./,
    reason:
      'Samsa creates topics synchronously, so a zero timeout has nothing to time out; Kafka answers REQUEST_TIMED_OUT yet creates the topic',
  },
  {
    api: 'CreateTopics',
    cases: /validate a topic creation only/,
    path: /\.topicId$/,
    reason: 'Kafka makes up a topic id for a topic it only validated; Samsa answers the zero id',
  },
];

// ---- bugs: listed with their cause, and still failing ------------------------------------------

const bugs: Known[] = [
  {
    api: 'ApiVersions',
    cases: /which APIs/,
    path: /^supportedFeatures\[name=group\.version\]$/,
    bug: 'v0-3 must omit features whose minVersion is 0 (the schema says so; Kafka does): core/broker/handlers/api-versions.ts handleApiVersions (GROUP_VERSION_SUPPORTED only from v4)',
  },
  {
    api: 'ApiVersions',
    cases: /does not support/,
    path: /^apiKeys/,
    bug: 'the UNSUPPORTED_VERSION answer lists only ApiVersions’ own range in Kafka, every API in Samsa: core/broker/handlers/api-versions.ts (or the version check in core/broker/dispatch.ts)',
  },
  {
    api: 'ApiVersions',
    cases: /invalid client software name/,
    path: /^(supportedFeatures|finalizedFeatures|finalizedFeaturesEpoch)$/,
    bug: 'an INVALID_REQUEST answer carries no features in Kafka (empty lists, finalizedFeaturesEpoch -1): core/broker/handlers/api-versions.ts handleApiVersions (fill the features only when errorCode is NONE)',
  },
  {
    api: 'Metadata',
    cases: /auto-creation \(creates it\)/,
    path: /\.errorCode$/,
    bug: 'Kafka 4 answers the request that auto-creates a topic with UNKNOWN_TOPIC_OR_PARTITION, not LEADER_NOT_AVAILABLE: core/broker/handlers/metadata.ts (autoCreate branch)',
  },
  {
    api: 'Metadata',
    cases: /by id/,
    path: /./,
    bug: 'Kafka refuses topic ids in Metadata (INVALID_REQUEST, name "", no brokers or cluster id) at every version; Samsa resolves them at v10-11: core/broker/handlers/metadata.ts handleMetadata',
  },
  {
    api: 'Metadata',
    cases: /same topic twice/,
    path: /^topics\[\d+\]$/,
    bug: 'Kafka answers a topic named twice once; Samsa repeats it: core/broker/handlers/metadata.ts handleMetadata (dedupe the requested names)',
  },
  {
    api: 'Produce',
    path: /partitionResponses\[0\]\.logStartOffset$/,
    kafka: /^0$/,
    samsa: /^-1$/,
    bug: 'a rejected batch still reports the partition’s logStartOffset in Kafka; Samsa sends -1: core/broker/handlers/produce.ts errorPartition (pass the log start offset when the partition exists)',
  },
  {
    api: 'Produce',
    cases: /without a key to a compacted topic/,
    path: /(batchIndexErrorMessage|errorMessage)$/,
    bug: 'the record error message ends with a period in Samsa (Kafka: "…in topic partition d-compact-0"): core/broker/handlers/produce.ts',
  },
  {
    api: 'Produce',
    cases: /two hours ahead/,
    path: /./,
    bug: 'Samsa neither enforces message.timestamp.after.max.ms / before.max.ms nor has Kafka 4’s default after.max.ms=3600000 (INVALID_TIMESTAMP with a recordErrors entry and "One or more records have been rejected due to invalid timestamp"): core/broker/configs.ts TOPIC_CONFIGS/BROKER_CONFIGS (default) and the produce validation in core/broker/handlers/produce.ts',
  },
  {
    api: 'Produce',
    cases: /min\.insync\.replicas \(2\) exceeds/,
    path: /./,
    bug: 'Kafka 4 (eligible leader replicas) caps min.insync.replicas at the replication factor, so acks=all succeeds on a 1-replica topic with min.insync.replicas=2; Samsa answers NOT_ENOUGH_REPLICAS: core/broker/replica-manager.ts checkAcksAll (use min(minIsr, replicas.length))',
  },
  {
    api: 'Produce',
    cases: /compressed batches/,
    path: /./,
    bug: 'zstd needs Produce v7+ (KIP-110): Kafka answers UNSUPPORTED_COMPRESSION_TYPE to a zstd batch at v3-6, Samsa appends it (later offsets differ from there on): core/broker/handlers/produce.ts (check the batch codec against the request version)',
  },
  {
    api: 'Produce',
    cases: /duplicate of the last idempotent batch/,
    path: /logAppendTimeMs$/,
    bug: 'a duplicate batch is answered with the original append’s timestamp in Kafka, -1 in Samsa: core/broker/producer (the duplicate path keeps only the offset)',
  },
  {
    api: 'Fetch',
    cases: /past the end|negative offset|diverging/,
    path: /\.(highWatermark|lastStableOffset|logStartOffset)$/,
    bug: 'OFFSET_OUT_OF_RANGE comes with highWatermark, lastStableOffset and logStartOffset -1 in Kafka: core/broker/handlers/fetch.ts (the out-of-range branch calls partitionData with the real values)',
  },
  {
    api: 'Fetch',
    cases: /diverging/,
    path: /\.(errorCode|records.*)$/,
    bug: 'Kafka checks a consumer’s lastFetchedEpoch (v12+) against the leader epoch cache and answers OFFSET_OUT_OF_RANGE for an unknown epoch; Samsa checks it for followers only: core/broker/handlers/fetch.ts (the lastFetchedEpoch check under `replicaId >= 0`)',
  },
  {
    api: 'Fetch',
    path: /\.abortedTransactions$/,
    kafka: /^\[\]$/,
    samsa: /^null$/,
    bug: 'abortedTransactions is [] in Kafka for read_committed fetches and for partitions in error, null in Samsa: core/broker/handlers/fetch.ts partitionData',
  },
  {
    api: 'ListOffsets',
    cases: /same partition twice/,
    path: /./,
    bug: 'Kafka answers a partition listed twice once, with INVALID_REQUEST; Samsa answers both: core/broker/handlers/list-offsets.ts',
  },
  {
    api: 'ListOffsets',
    cases: /unknown special timestamp/,
    path: /errorCode$/,
    bug: 'an unknown negative timestamp (-7) is UNSUPPORTED_VERSION in Kafka; Samsa answers as if it were a timestamp: core/broker/handlers/list-offsets.ts',
  },
  {
    api: 'FindCoordinator',
    path: /errorMessage$/,
    kafka: /^'NONE'$|^''$/,
    samsa: /^null$/,
    bug: 'a found coordinator has errorMessage "NONE" (v1-3) or "" (v4+) in Kafka, null in Samsa: core/broker/handlers/find-coordinator.ts handleFindCoordinator',
  },
  {
    api: 'OffsetCommit',
    modes: ['cluster'],
    cases: /led by different brokers/,
    path: /errorCode$/,
    bug: 'in a cluster the group coordinator answers UNKNOWN_TOPIC_OR_PARTITION for every partition it does not host a replica of, so consumers cannot commit (and OffsetDelete fails likewise): core/broker/group/coordinator.ts commitOffsets and deleteOffsets check `this.host.topics.partition(name, p)`, which holds only the partitions hosted on this broker (core/broker/topic-manager.ts partition); check the topic’s partition count instead (`topics.get(name)` and `p < partitions.length`)',
  },
  {
    api: 'OffsetCommit',
    cases: /does not exist with a generation/,
    path: /errorCode$/,
    bug: 'OffsetCommit v9 (the new coordinator) answers GROUP_ID_NOT_FOUND for a commit with a generation to a group that does not exist; Samsa ILLEGAL_GENERATION: core/broker/group/coordinator.ts commitError (`!g` → GROUP_ID_NOT_FOUND when apiVersion >= 9)',
  },
  {
    api: 'OffsetCommit',
    cases: /empty group id/,
    path: /errorCode$/,
    bug: 'Kafka 4 accepts offset commits for the empty group id (""); Samsa answers INVALID_GROUP_ID: core/broker/group/coordinator.ts commitOffsets (the empty-id check)',
  },
  {
    api: 'OffsetFetch',
    cases: /empty group id/,
    path: /./,
    bug: 'follows from OffsetCommit rejecting the empty group id (Kafka returns what was committed for "")',
  },
  {
    api: 'DescribeGroups',
    cases: /empty group id/,
    path: /groupState$/,
    bug: 'follows from OffsetCommit rejecting the empty group id (Kafka shows the group "" as Empty)',
  },
  {
    api: 'DeleteGroups',
    cases: /empty group id/,
    path: /errorCode$/,
    bug: 'Kafka deletes the group "" (and answers GROUP_ID_NOT_FOUND once it is gone); Samsa answers INVALID_GROUP_ID: core/broker/group/coordinator.ts deleteGroups (the empty-id check)',
  },
  {
    api: 'DeleteGroups',
    cases: /same group twice/,
    path: /^results\[\d+\]$/,
    bug: 'Kafka answers a group named twice once; Samsa twice: core/broker/group/coordinator.ts deleteGroups (dedupe the ids)',
  },
  {
    api: 'LeaveGroup',
    cases: /does not exist/,
    path: /^(errorCode|members)$/,
    bug: 'LeaveGroup v3+ to an unknown group: Kafka answers errorCode 0 with UNKNOWN_MEMBER_ID per member; Samsa answers the top-level error and no members: core/broker/group/coordinator.ts leave (`if (!g)`; v3+ should answer NONE with UNKNOWN_MEMBER_ID per member)',
  },
  {
    api: 'ConsumerGroupDescribe',
    path: /subscribedTopicRegex$/,
    kafka: /^''$/,
    bug: 'a member without a regex has subscribedTopicRegex "" in Kafka, null in Samsa: core/broker/handlers/consumer-group-describe.ts',
  },
  {
    api: 'ConsumerGroupHeartbeat',
    cases: /without a subscription/,
    path: /errorMessage$/,
    bug: 'message text: Kafka says "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.": core/broker/handlers/consumer-group-heartbeat.ts',
  },
  {
    api: 'ConsumerGroupHeartbeat',
    cases: /online upgrade/,
    path: /./,
    bug: 'a consumer-protocol member joining a classic group with members upgrades the group in Kafka 4 (group.consumer.migration.policy=bidirectional); Samsa answers GROUP_ID_NOT_FOUND "not a consumer group", so a rolling upgrade from the classic protocol fails: core/broker/group/consumer-coordinator.ts heartbeat (the branch for a busy classic group; Kafka converts the classic group, KIP-848 online migration)',
  },
  {
    api: 'InitProducerId',
    cases: /empty transactional id/,
    path: /errorCode$/,
    bug: 'an empty transactional id is INVALID_REQUEST in Kafka; Samsa answers COORDINATOR_NOT_AVAILABLE: core/broker/producer/apis.ts',
  },
  {
    api: 'DescribeProducers',
    path: /errorMessage$/,
    bug: 'an unknown partition has the default message ("This server does not host this topic-partition.") in Kafka, null in Samsa: core/broker/handlers/describe-producers.ts',
  },
  {
    api: 'CreateTopics',
    cases: /same topic twice in one request/,
    path: /./,
    bug: 'a topic named twice gets one answer in Kafka, INVALID_REQUEST "Duplicate topic name."; Samsa answers both entries with "Create topics request from client contains multiple entries for the following topics: …" (Kafka 3’s text): core/cluster/admin/create-topics.ts',
  },
  {
    api: 'CreateTopics',
    cases: /invalid name|named "\.{1,2}"|empty name|250-character name|more replicas than brokers/,
    path: /errorMessage$/,
    bug: "Kafka 4.4’s messages: \"Topic name is invalid: 'bad name!' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'\", \"Topic name is invalid: '.' is not allowed\", \"Topic name is invalid: the empty string is not allowed\", \"… or some brokers have all their log directories cordoned.\" (replication factor): core/cluster/admin/create-topics.ts and the topic-name validation",
  },
  {
    api: 'CreateTopics',
    cases: /assign|assignment|replica listed twice/,
    path: /errorMessage$/,
    bug: 'manual-assignment error messages differ from Kafka’s ("The manual partition assignment includes broker 99, but no such broker is registered.", "A manual partition assignment was specified, but replication factor was not set to -1.", "partitions should be a consecutive 0-based integer sequence", "The manual partition assignment includes the broker 1 more than once."): core/cluster/admin/create-topics.ts',
  },
  {
    api: 'DeleteTopics',
    path: /errorMessage$/,
    bug: 'DeleteTopics messages differ: Kafka uses the default ones ("This server does not host this topic-partition.", "This server does not host this topic ID.", "You may not specify both topic name and topic id.", "Duplicate topic name."): core/cluster/admin/delete-topics.ts',
  },
  {
    api: 'DeleteTopics',
    cases: /same topic twice/,
    path: /./,
    bug: 'a topic named twice is INVALID_REQUEST "Duplicate topic name." (one entry) in Kafka; Samsa deletes it and answers UNKNOWN_TOPIC_OR_PARTITION for the second: core/cluster/admin/delete-topics.ts',
  },
  {
    api: 'DeleteRecords',
    cases: /compacted topic/,
    path: /./,
    bug: 'Kafka refuses DeleteRecords on a compact-only topic (POLICY_VIOLATION, lowWatermark -1); Samsa deletes: core/broker/handlers/delete-records.ts',
  },
  {
    api: 'DescribeLogDirs',
    path: /partitionSize$/,
    bug: 'partition sizes differ (a follow-on of another difference: the partitions hold different records)',
  },
  {
    api: 'CreatePartitions',
    path: /errorMessage$/,
    bug: 'CreatePartitions messages differ from Kafka’s ("The topic d-data currently has 3 partition(s); 2 would not be an increase.", "Topic already has 3 partition(s).", null for an unknown topic, "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.", "Duplicate topic name."): core/cluster/admin/create-partitions.ts',
  },
  {
    api: 'CreatePartitions',
    cases: /same topic twice/,
    path: /^results\[\d+\]$/,
    bug: 'Kafka answers a topic named twice once; Samsa twice: core/cluster/admin/create-partitions.ts',
  },
  {
    api: 'ElectLeaders',
    cases: /every partition/,
    path: /./,
    bug: 'an election of every partition lists every topic (with no partition results when none needed one) in Kafka; Samsa lists none: core/cluster/admin/elect-leaders.ts',
  },
  {
    api: 'ElectLeaders',
    cases: /unknown election type/,
    path: /./,
    bug: 'Kafka also answers each requested partition with INVALID_REQUEST "Unknown election type 5"; Samsa only the top-level error: core/broker/handlers/elect-leaders.ts',
  },
  {
    api: 'ElectLeaders',
    path: /errorMessage$/,
    bug: 'message text: Kafka says "No such topic as d-no-such-topic" / "No such partition as d-data-9": core/cluster/admin/elect-leaders.ts',
  },
  {
    api: 'AlterPartitionReassignments',
    path: /errorMessage$/,
    bug: 'message text: Kafka says null (no reassignment), "Unable to find a topic named d-no-such-topic.", "Unable to find partition d-data:9.": core/cluster/admin/reassignments.ts',
  },
  {
    api: 'CreateTopics',
    modes: ['cluster'],
    path: /^\(response\)$/,
    samsa: /^no response \(no response to CreateTopics v[2-6]/,
    bug: 'in a cluster, CreateTopics v2-6 is answered only when its timeoutMs has run out: the forwarded answer decoded at v<7 has the zero topic id, and the broker waits for a topic with that id: core/broker/handlers/create-topics.ts handleCreateTopics (`s.topicId === t.topicId`: skip the id check when it is the zero UUID)',
  },
  {
    api: 'DescribeCluster',
    cases: /endpoint type/,
    path: /^(clusterId|controllerId)$/,
    bug: 'an UNSUPPORTED_ENDPOINT_TYPE answer has clusterId "" and controllerId -1 in Kafka: core/broker/handlers/describe-cluster.ts',
  },
];

export const KNOWN: Known[] = [...deliberate, ...bugs];

/** The known entry that explains a difference, if any. */
export function classify(c: Case, mode: Mode, d: Difference): Known | undefined {
  return KNOWN.find(
    (k) =>
      k.api === c.api &&
      (!k.cases || k.cases.test(c.name)) &&
      (!k.modes || k.modes.includes(mode)) &&
      k.path.test(d.path) &&
      (!k.kafka || k.kafka.test(d.kafka)) &&
      (!k.samsa || k.samsa.test(d.samsa)),
  );
}
