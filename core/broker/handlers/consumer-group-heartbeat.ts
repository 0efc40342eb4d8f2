// ConsumerGroupHeartbeat (key 68), v0–1: the consumer group protocol of
// KIP-848 — join (epoch 0), heartbeat, leave (-1, or -2 for a static member);
// the coordinator answers with the member's epoch and, when it changed, its
// assignment. v1 lets the client choose its member id and subscribe by regex.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponseInput,
  decodeConsumerGroupHeartbeatRequest,
  encodeConsumerGroupHeartbeatResponse,
} from '../../protocol/messages/consumer-group-heartbeat.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleConsumerGroupHeartbeat(
  broker: HandlerContext,
  req: ConsumerGroupHeartbeatRequest,
  version: number,
  ctx: RequestContext,
): Promise<ConsumerGroupHeartbeatResponseInput> {
  return broker.groups.consumerHeartbeat(req, version, {
    clientId: ctx.clientId ?? '',
    clientHost: `/${ctx.conn.socket.remoteAddress ?? ''}`,
  });
}

export const consumerGroupHeartbeatApi: ApiEntry<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponseInput> = {
  apiKey: ApiKey.ConsumerGroupHeartbeat,
  name: 'ConsumerGroupHeartbeat',
  min: 0,
  max: 1,
  decodeRequest: decodeConsumerGroupHeartbeatRequest,
  encodeResponse: encodeConsumerGroupHeartbeatResponse,
  handle: handleConsumerGroupHeartbeat,
  errorResponse: (_req, errorCode) => ({ errorCode, memberEpoch: -1 }),
};
