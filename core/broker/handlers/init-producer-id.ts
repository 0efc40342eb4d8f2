// InitProducerId (key 22), versions 0–5, for idempotent producers.
//
// Without a transactional id Kafka's transaction coordinator "blindly accepts"
// the request and hands out a fresh producer id with epoch 0, also when the
// request carries the producer's current id and epoch (KIP-360, v3+): an
// idempotent producer that needs to reset its sequences gets a new identity.
// Samsa does the same. The ids come in blocks (producer/producer-ids.ts): from
// the controller (AllocateProducerIds) in a cluster, else persisted locally.
//
// Transactions are not supported: a request with a transactional id is answered
// COORDINATOR_NOT_AVAILABLE, the answer Kafka gives while it has no transaction
// coordinator (FindCoordinator for key type TRANSACTION answers the same).

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type InitProducerIdRequest,
  type InitProducerIdResponseInput,
  decodeInitProducerIdRequest,
  encodeInitProducerIdResponse,
} from '../../protocol/messages/init-producer-id.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export async function handleInitProducerId(
  broker: HandlerContext,
  req: InitProducerIdRequest,
  _version: number,
  _ctx: RequestContext,
): Promise<InitProducerIdResponseInput> {
  if (req.transactionalId != null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
  }
  try {
    const producerId = await broker.nextProducerId();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  } catch (err) {
    broker.log(`producer id allocation failed: ${(err as Error)?.message ?? String(err)}`);
    const errorCode = err instanceof KafkaError ? err.code : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
  }
}

export const initProducerIdApi: ApiEntry<InitProducerIdRequest, InitProducerIdResponseInput> = {
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  min: 0,
  max: 5,
  decodeRequest: decodeInitProducerIdRequest,
  encodeResponse: encodeInitProducerIdResponse,
  handle: handleInitProducerId,
  errorResponse: (_req, errorCode) => ({ errorCode, producerId: -1, producerEpoch: -1 }),
};
