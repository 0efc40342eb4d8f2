// ConsumerGroupHeartbeat (key 68), v0–1: the consumer group protocol of
// KIP-848 — join (epoch 0), heartbeat, leave (-1, or -2 for a static member);
// the coordinator answers with the member's epoch and, when it changed, its
// assignment. v1 lets the client choose its member id and subscribe by regex.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponseInput,
} from '../../protocol/messages/consumer-group-heartbeat.ts';

export function handleConsumerGroupHeartbeat(
  broker: Broker,
  req: ConsumerGroupHeartbeatRequest,
  version: number,
  ctx: RequestContext,
): Promise<ConsumerGroupHeartbeatResponseInput> {
  return broker.groups.consumerHeartbeat(req, version, {
    clientId: ctx.clientId ?? '',
    clientHost: `/${ctx.conn.socket.remoteAddress ?? ''}`,
  });
}
