// FindCoordinator (key 10), v0–6. A group's coordinator is the leader of its
// partition of `__consumer_offsets` (abs(hash(groupId)) %
// offsets.topic.num.partitions), answered with that broker's advertised
// address. As in Kafka, the topic is created on first need, and a partition
// without a leader (or whose leader is not a live registered broker)
// answers COORDINATOR_NOT_AVAILABLE; clients retry. Transaction keys
// (type 1) get COORDINATOR_NOT_AVAILABLE until the transaction coordinator
// exists. v4+ batches keys in `coordinatorKeys` and answers per key.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type FindCoordinatorRequest,
  type FindCoordinatorResponseInput,
  decodeFindCoordinatorRequest,
  encodeFindCoordinatorResponse,
} from '../../protocol/messages/find-coordinator.ts';
import { ErrorCode, errorMessage } from '../../protocol/errors.ts';
import { OFFSETS_TOPIC } from '../group/group-log.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const GROUP = 0;
const TRANSACTION = 1;

/** A live broker's advertised address, or undefined when it is unknown or fenced. */
function brokerAddress(broker: HandlerContext, id: number): { host: string; port: number } | undefined {
  if (id === broker.brokerId) return { host: broker.advertisedHost, port: broker.advertisedPort };
  if (!broker.hasMetadata) return undefined;
  const b = broker.image.brokers.get(id);
  return b && !b.fenced ? { host: b.host, port: b.port } : undefined;
}

/** The leader of a `__consumer_offsets` partition in the cluster metadata (-1: none). */
function offsetsLeader(broker: HandlerContext): ((partition: number) => number) | undefined {
  if (!broker.hasMetadata) return undefined;
  return (partition) => {
    const t = broker.image.topic(OFFSETS_TOPIC);
    return (t && broker.image.partition(t.topicId, partition)?.leader) ?? -1;
  };
}

export async function handleFindCoordinator(
  broker: HandlerContext,
  req: FindCoordinatorRequest,
  version: number,
  _ctx: RequestContext,
): Promise<FindCoordinatorResponseInput> {
  const keyType = version >= 1 ? req.keyType : GROUP;
  const find = async (key: string) => {
    let errorCode: number = ErrorCode.NONE;
    let node: { id: number; host: string; port: number } | undefined;
    if (keyType === GROUP) {
      const c = await broker.groups.findGroupCoordinator(key, offsetsLeader(broker));
      errorCode = c.errorCode;
      if (errorCode === ErrorCode.NONE) {
        const addr = brokerAddress(broker, c.leader);
        if (addr) node = { id: c.leader, ...addr };
        else errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
    } else if (keyType === TRANSACTION) {
      errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    } else {
      errorCode = ErrorCode.INVALID_REQUEST;
    }
    return {
      key,
      errorCode,
      errorMessage: node ? null : errorMessage(errorCode),
      nodeId: node?.id ?? -1,
      host: node?.host ?? '',
      port: node?.port ?? -1,
    };
  };
  if (version >= 4) {
    return { throttleTimeMs: 0, coordinators: await Promise.all(req.coordinatorKeys.map(find)) };
  }
  const c = await find(req.key);
  return {
    throttleTimeMs: 0,
    errorCode: c.errorCode,
    errorMessage: c.errorMessage,
    nodeId: c.nodeId,
    host: c.host,
    port: c.port,
  };
}

export const findCoordinatorApi: ApiEntry<FindCoordinatorRequest, FindCoordinatorResponseInput> = {
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  min: 0,
  max: 6,
  decodeRequest: decodeFindCoordinatorRequest,
  encodeResponse: encodeFindCoordinatorResponse,
  handle: handleFindCoordinator,
  errorResponse: (req, errorCode, version) =>
    version >= 4
      ? { coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode })) }
      : { errorCode, nodeId: -1, host: '', port: -1 },
};
