// Metadata (key 3), v0–12: brokers, cluster id, controller, and topics with
// their partitions, from the broker's metadata image: brokers are the
// registered, unfenced ones with their advertised address; per partition the
// leader and its epoch, replicas, ISR and offline replicas (those on fenced or
// unregistered brokers); LEADER_NOT_AVAILABLE when it has no live leader. The
// controller id is the lowest live broker: clients send admin requests there,
// and any broker forwards them to the controller.
//
// Kafka's rules followed here:
//  - v0: an empty topic list means all topics; v1+: null means all topics.
//  - v12+: topics may be requested by id; an unknown id → UNKNOWN_TOPIC_ID.
//    v10–11 carry the id field but Kafka refuses a request that uses it (or
//    leaves a name null): the whole answer is INVALID_REQUEST, every topic
//    named "" with its id, no brokers, no cluster id, controller -1.
//  - A topic named twice is answered once.
//  - An unknown name is auto-created when the request allows it (v4+ flag,
//    always for v0–3) and `auto.create.topics.enable` is true (the broker
//    forwards a CreateTopics to the controller and waits). Like Kafka 4 (whose
//    KRaft broker answers before the controller has made the topic), the
//    answer for a topic created by this request is UNKNOWN_TOPIC_OR_PARTITION
//    with no partitions; the client retries and then sees the topic. An
//    invalid name gives INVALID_TOPIC_EXCEPTION; otherwise (auto-creation not
//    allowed) UNKNOWN_TOPIC_OR_PARTITION too.
//  - Authorized-operations fields are -2147483648 unless asked for (v8+).

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import type { TopicState } from '../topic-manager.ts';
import {
  type MetadataRequest,
  type MetadataResponseInput as MetadataResponse,
  type MetadataResponseTopicInput as MetadataResponseTopic,
  decodeMetadataRequest,
  encodeMetadataResponse,
} from '../../protocol/messages/metadata.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { controllerId, liveBroker, liveBrokers, partitionViews } from './cluster-view.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const OPS_NOT_REQUESTED = -2147483648;
/** With no authorizer every operation is allowed: READ…DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (AclOperation codes 3–8, 10, 11). */
const ALL_TOPIC_OPS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE (5, 7–12). */
const ALL_CLUSTER_OPS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

export async function handleMetadata(
  broker: HandlerContext,
  req: MetadataRequest,
  version: number,
  _ctx: RequestContext,
): Promise<MetadataResponse> {
  const topicOps = version >= 8 && req.includeTopicAuthorizedOperations ? ALL_TOPIC_OPS : OPS_NOT_REQUESTED;
  const allowAutoCreate = (version < 4 || req.allowAutoTopicCreation !== false) && broker.config.autoCreateTopicsEnable;

  const topics: MetadataResponseTopic[] = [];
  const requested = req.topics;
  if (requested === null || requested === undefined || (version === 0 && requested.length === 0)) {
    for (const t of broker.topics.all()) topics.push(describeTopic(broker, t, topicOps));
  } else {
    if (version >= 10 && version < 12 && requested.some((rt) => rt.name == null || isTopicId(rt.topicId))) {
      return invalidRequest(req, version);
    }
    const seen = new Set<string>();
    for (const rt of requested) {
      const key = `${rt.name ?? ''}\u0000${rt.topicId ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const byId = version >= 12 && isTopicId(rt.topicId);
      if (byId && rt.name != null) {
        topics.push(errorTopic(rt.name, rt.topicId!, ErrorCode.INVALID_REQUEST, topicOps));
      } else if (byId) {
        const t = broker.topics.getById(rt.topicId!);
        topics.push(
          t ? describeTopic(broker, t, topicOps) : errorTopic(null, rt.topicId!, ErrorCode.UNKNOWN_TOPIC_ID, topicOps),
        );
      } else if (rt.name == null) {
        topics.push(errorTopic(null, ZERO_UUID, ErrorCode.INVALID_REQUEST, topicOps));
      } else {
        const t = broker.topics.get(rt.name);
        if (t) topics.push(describeTopic(broker, t, topicOps));
        else topics.push(await unknownTopic(broker, rt.name, allowAutoCreate, topicOps));
      }
    }
  }

  const resp: MetadataResponse = {
    throttleTimeMs: 0,
    brokers: liveBrokers(broker).map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack })),
    clusterId: broker.clusterId,
    controllerId: controllerId(broker),
    topics,
  };
  if (version >= 8 && version <= 10) {
    resp.clusterAuthorizedOperations = req.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPS : OPS_NOT_REQUESTED;
  }
  return resp;
}

function isTopicId(id: string | undefined): boolean {
  return id !== undefined && id !== ZERO_UUID;
}

/** Kafka's answer to a request it refuses as a whole (MetadataRequest.getErrorResponse). */
function invalidRequest(req: MetadataRequest, version: number): MetadataResponse {
  const resp: MetadataResponse = {
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => ({
      ...errorTopic(t.name ?? '', t.topicId ?? ZERO_UUID, ErrorCode.INVALID_REQUEST, OPS_NOT_REQUESTED),
    })),
  };
  if (version >= 8 && version <= 10) resp.clusterAuthorizedOperations = OPS_NOT_REQUESTED;
  return resp;
}

async function unknownTopic(
  broker: HandlerContext,
  name: string,
  allowAutoCreate: boolean,
  ops: number,
): Promise<MetadataResponseTopic> {
  if (!allowAutoCreate) return errorTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ops);
  try {
    const created = await broker.topics.autoCreate(name);
    // Kafka 4 answers the request that triggered creation with UNKNOWN_TOPIC_OR_PARTITION.
    return { ...errorTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ops), isInternal: created.internal };
  } catch (err) {
    if (err instanceof KafkaError) return errorTopic(name, ZERO_UUID, err.code, ops);
    throw err;
  }
}

function errorTopic(name: string | null, topicId: string, errorCode: number, ops: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: ops };
}

function describeTopic(broker: HandlerContext, t: TopicState, ops: number): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions: partitionViews(broker, t).map((p) => {
      const live = p.leader >= 0 && liveBroker(broker, p.leader) !== undefined;
      return {
        errorCode: live ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p.partition,
        leaderId: live ? p.leader : -1,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: p.replicas,
        isrNodes: p.isr,
        offlineReplicas: p.offlineReplicas,
      };
    }),
    topicAuthorizedOperations: ops,
  };
}

export const metadataApi: ApiEntry<MetadataRequest, MetadataResponse> = {
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  min: 0,
  max: 12,
  decodeRequest: decodeMetadataRequest,
  encodeResponse: encodeMetadataResponse,
  handle: handleMetadata,
  errorResponse: (req, errorCode) => ({
    brokers: [],
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => ({ errorCode, name: t.name, topicId: t.topicId, partitions: [] })),
  }),
};
