// AlterPartitionReassignments (v0): starts or cancels partition reassignments,
// carried out by the controller.
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponseInput,
} from '../../protocol/messages/alter-partition-reassignments.ts';
import type { RequestContext } from '../api-table.ts';
import type { Broker } from '../broker.ts';
import { forwardToController } from './forward.ts';

export function handleAlterPartitionReassignments(
  broker: Broker,
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
