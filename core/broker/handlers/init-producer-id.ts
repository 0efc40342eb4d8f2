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

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { InitProducerIdRequest, InitProducerIdResponseInput } from '../../protocol/messages/init-producer-id.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ControllerBlocks } from '../producer/producer-ids.ts';

/** The controller's producer-id blocks, when this broker follows a controller. */
function controllerBlocks(broker: Broker): ControllerBlocks | undefined {
  const controller = broker.controller;
  return controller ? { controller, brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch } : undefined;
}

export async function handleInitProducerId(
  broker: Broker,
  req: InitProducerIdRequest,
  _version: number,
  _ctx: RequestContext,
): Promise<InitProducerIdResponseInput> {
  if (req.transactionalId != null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
  }
  try {
    const producerId = await broker.producerIds.generate(controllerBlocks(broker));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  } catch (err) {
    broker.log(`producer id allocation failed: ${(err as Error)?.message ?? String(err)}`);
    const errorCode = err instanceof KafkaError ? err.code : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
  }
}
