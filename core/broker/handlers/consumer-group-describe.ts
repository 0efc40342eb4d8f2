// ConsumerGroupDescribe (key 69), v0: state, epochs, assignor and members
// (subscriptions, current and target assignments) of consumer-protocol groups;
// GROUP_ID_NOT_FOUND for unknown and classic groups, as Kafka.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type {
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponseInput,
} from '../../protocol/messages/consumer-group-describe.ts';

export function handleConsumerGroupDescribe(
  broker: Broker,
  req: ConsumerGroupDescribeRequest,
  _version: number,
  _ctx: RequestContext,
): ConsumerGroupDescribeResponseInput {
  return {
    throttleTimeMs: 0,
    groups: req.groupIds.map((id) => broker.groups.consumer.describe(id, req.includeAuthorizedOperations)),
  };
}
