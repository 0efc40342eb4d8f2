// AlterPartitionReassignments (v0): starts or cancels partition reassignments,
// carried out by the controller.
import {
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponseInput,
  decodeAlterPartitionReassignmentsRequest,
  encodeAlterPartitionReassignmentsResponse,
} from '../../protocol/messages/alter-partition-reassignments.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleAlterPartitionReassignments(
  broker: HandlerContext,
  req: AlterPartitionReassignmentsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<AlterPartitionReassignmentsResponseInput> {
  return forwardToController(
    broker,
    req,
    version,
    ctx,
    req.timeoutMs,
    (errorCode, errorMessage): AlterPartitionReassignmentsResponseInput => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      responses: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage })),
      })),
    }),
  );
}

export const alterPartitionReassignmentsApi: ApiEntry<
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponseInput
> = {
  apiKey: ApiKey.AlterPartitionReassignments,
  name: 'AlterPartitionReassignments',
  min: 0,
  max: 0,
  decodeRequest: decodeAlterPartitionReassignmentsRequest,
  encodeResponse: encodeAlterPartitionReassignmentsResponse,
  handle: handleAlterPartitionReassignments,
};
