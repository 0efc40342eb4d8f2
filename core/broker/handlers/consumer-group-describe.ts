// ConsumerGroupDescribe (key 69), v0: state, epochs, assignor and members
// (subscriptions, current and target assignments) of consumer-protocol groups;
// GROUP_ID_NOT_FOUND for unknown and classic groups, as Kafka.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type ConsumerGroupDescribeRequest,
  type ConsumerGroupDescribeResponseInput,
  decodeConsumerGroupDescribeRequest,
  encodeConsumerGroupDescribeResponse,
} from '../../protocol/messages/consumer-group-describe.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleConsumerGroupDescribe(
  broker: HandlerContext,
  req: ConsumerGroupDescribeRequest,
  _version: number,
  _ctx: RequestContext,
): ConsumerGroupDescribeResponseInput {
  return {
    throttleTimeMs: 0,
    groups: req.groupIds.map((id) => broker.groups.consumer.describe(id, req.includeAuthorizedOperations)),
  };
}

export const consumerGroupDescribeApi: ApiEntry<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponseInput> = {
  apiKey: ApiKey.ConsumerGroupDescribe,
  name: 'ConsumerGroupDescribe',
  min: 0,
  max: 0,
  decodeRequest: decodeConsumerGroupDescribeRequest,
  encodeResponse: encodeConsumerGroupDescribeResponse,
  handle: handleConsumerGroupDescribe,
};
