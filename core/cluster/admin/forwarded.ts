// The admin requests brokers forward to the controller (Kafka's Envelope, KIP-590: a broker passes
// on what only the controller may carry out): which API keys those are, and the handler of each.
import type { ForwardContext } from '../../metadata/controller-channel.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { alterConfigs, incrementalAlterConfigs } from './configs.ts';
import type { AdminContext, AdminResult } from './context.ts';
import { createPartitions } from './create-partitions.ts';
import { createTopics } from './create-topics.ts';
import { deleteTopics } from './delete-topics.ts';
import { electLeaders } from './elect-leaders.ts';
import { alterPartitionReassignments, listPartitionReassignments } from './reassignments.ts';

/** Kafka API keys the controller serves through `forward`. */
export const ForwardedApi = {
  CreateTopics: 19,
  DeleteTopics: 20,
  AlterConfigs: 33,
  CreatePartitions: 37,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
} as const;

/** Validates and commits a forwarded request; the controller answers once the brokers have the result. */
export function handleForwarded(
  ctx: AdminContext,
  apiKey: number,
  apiVersion: number,
  request: unknown,
  forward: ForwardContext,
): AdminResult {
  switch (apiKey) {
    case ForwardedApi.CreateTopics:
      return createTopics(ctx, request as never, apiVersion);
    case ForwardedApi.DeleteTopics:
      return deleteTopics(ctx, request as never, apiVersion);
    case ForwardedApi.CreatePartitions:
      return createPartitions(ctx, request as never);
    case ForwardedApi.AlterConfigs:
      return alterConfigs(ctx, request as never, forward.brokerId);
    case ForwardedApi.IncrementalAlterConfigs:
      return incrementalAlterConfigs(ctx, request as never, forward.brokerId);
    case ForwardedApi.ElectLeaders:
      return electLeaders(ctx, request as never, apiVersion);
    case ForwardedApi.AlterPartitionReassignments:
      return alterPartitionReassignments(ctx, request as never);
    case ForwardedApi.ListPartitionReassignments:
      return listPartitionReassignments(ctx, request as never);
    default:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `API key ${apiKey} cannot be forwarded to the controller.`);
  }
}
