// ListPartitionReassignments (v0): the reassignments in progress, from the
// controller.
import type {
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponseInput,
} from '../../protocol/messages/list-partition-reassignments.ts';
import type { RequestContext } from '../api-table.ts';
import type { Broker } from '../broker.ts';
import { forwardToController } from './forward.ts';

export function handleListPartitionReassignments(
  broker: Broker,
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
