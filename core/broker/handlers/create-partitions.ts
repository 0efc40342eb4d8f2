// CreatePartitions (v0–3): raises topics' partition counts, carried out by the
// controller (placement of the new partitions' replicas, manual assignments,
// `validateOnly`); the replicas create their logs when they apply the change.
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponseInput,
} from '../../protocol/messages/create-partitions.ts';
import type { RequestContext } from '../api-table.ts';
import type { Broker } from '../broker.ts';
import { forwardToController } from './forward.ts';

export function handleCreatePartitions(
  broker: Broker,
  req: CreatePartitionsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<CreatePartitionsResponseInput> {
  return forwardToController(
    broker,
    req,
    version,
    ctx,
    req.timeoutMs,
    (errorCode, errorMessage): CreatePartitionsResponseInput => ({
      throttleTimeMs: 0,
      results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage })),
    }),
  );
}
