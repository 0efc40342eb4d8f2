// CreatePartitions (v0–3): raises topics' partition counts, carried out by the
// controller (placement of the new partitions' replicas, manual assignments,
// `validateOnly`); the replicas create their logs when they apply the change.
import {
  type CreatePartitionsRequest,
  type CreatePartitionsResponseInput,
  decodeCreatePartitionsRequest,
  encodeCreatePartitionsResponse,
} from '../../protocol/messages/create-partitions.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleCreatePartitions(
  broker: HandlerContext,
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

export const createPartitionsApi: ApiEntry<CreatePartitionsRequest, CreatePartitionsResponseInput> = {
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  min: 0,
  max: 3,
  decodeRequest: decodeCreatePartitionsRequest,
  encodeResponse: encodeCreatePartitionsResponse,
  handle: handleCreatePartitions,
};
