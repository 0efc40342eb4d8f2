// ListPartitionReassignments (v0): the reassignments in progress, from the
// controller.
import {
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponseInput,
  decodeListPartitionReassignmentsRequest,
  encodeListPartitionReassignmentsResponse,
} from '../../protocol/messages/list-partition-reassignments.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleListPartitionReassignments(
  broker: HandlerContext,
  req: ListPartitionReassignmentsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<ListPartitionReassignmentsResponseInput> {
  return forwardToController(
    broker,
    req,
    version,
    ctx,
    req.timeoutMs,
    (errorCode, errorMessage): ListPartitionReassignmentsResponseInput => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      topics: [],
    }),
  );
}

export const listPartitionReassignmentsApi: ApiEntry<
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponseInput
> = {
  apiKey: ApiKey.ListPartitionReassignments,
  name: 'ListPartitionReassignments',
  min: 0,
  max: 0,
  decodeRequest: decodeListPartitionReassignmentsRequest,
  encodeResponse: encodeListPartitionReassignmentsResponse,
  handle: handleListPartitionReassignments,
};
