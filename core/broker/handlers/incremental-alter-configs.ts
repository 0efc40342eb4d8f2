// IncrementalAlterConfigs (v0–1): SET, DELETE, APPEND and SUBTRACT on a
// resource's overrides — a topic, a broker's dynamic configs, or the
// cluster-wide dynamic broker defaults ('') — carried out by the controller;
// every broker makes the new values effective when it applies the change.
// BROKER_LOGGER resources are this broker's own, as in Kafka: answered here
// (core/broker/broker-loggers.ts), the rest forwarded.
import {
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponseInput,
  decodeIncrementalAlterConfigsRequest,
  encodeIncrementalAlterConfigsResponse,
} from '../../protocol/messages/incremental-alter-configs.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';
import { alterLoggers } from '../broker-loggers.ts';

const BROKER_LOGGER = 8;

type Resource = IncrementalAlterConfigsRequest['resources'][number];
type Response = NonNullable<IncrementalAlterConfigsResponseInput['responses']>[number];

export async function handleIncrementalAlterConfigs(
  broker: HandlerContext,
  req: IncrementalAlterConfigsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<IncrementalAlterConfigsResponseInput> {
  const forwarded = req.resources.filter((r) => r.resourceType !== BROKER_LOGGER);
  const errorResponse = (resources: readonly Resource[]) => (errorCode: number, errorMessage: string) => ({
    throttleTimeMs: 0,
    responses: resources.map((r) => ({
      errorCode,
      errorMessage,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    })),
  });
  if (forwarded.length === req.resources.length) {
    return forwardToController(broker, req, version, ctx, undefined, errorResponse(req.resources));
  }
  const answered =
    forwarded.length === 0
      ? { throttleTimeMs: 0, responses: [] }
      : await forwardToController<IncrementalAlterConfigsResponseInput>(
          broker,
          { ...req, resources: forwarded },
          version,
          ctx,
          undefined,
          errorResponse(forwarded),
        );
  const fromController = [...(answered.responses ?? [])];
  const responses = req.resources.map((r): Response => {
    if (r.resourceType !== BROKER_LOGGER) return fromController.shift()!;
    const result = alterLoggers(broker, broker.brokerId, r.resourceName, r.configs, req.validateOnly);
    return { ...result, resourceType: r.resourceType, resourceName: r.resourceName };
  });
  return { throttleTimeMs: answered.throttleTimeMs ?? 0, responses };
}

export const incrementalAlterConfigsApi: ApiEntry<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponseInput
> = {
  apiKey: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  min: 0,
  max: 1,
  decodeRequest: decodeIncrementalAlterConfigsRequest,
  encodeResponse: encodeIncrementalAlterConfigsResponse,
  handle: handleIncrementalAlterConfigs,
};
