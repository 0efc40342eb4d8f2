// IncrementalAlterConfigs (v0–1): SET, DELETE, APPEND and SUBTRACT on a
// resource's overrides — a topic, a broker's dynamic configs, or the
// cluster-wide dynamic broker defaults ('') — carried out by the controller;
// every broker makes the new values effective when it applies the change.
import {
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponseInput,
  decodeIncrementalAlterConfigsRequest,
  encodeIncrementalAlterConfigsResponse,
} from '../../protocol/messages/incremental-alter-configs.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleIncrementalAlterConfigs(
  broker: HandlerContext,
  req: IncrementalAlterConfigsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<IncrementalAlterConfigsResponseInput> {
  return forwardToController(
    broker,
    req,
    version,
    ctx,
    undefined,
    (errorCode, errorMessage): IncrementalAlterConfigsResponseInput => ({
      throttleTimeMs: 0,
      responses: req.resources.map((r) => ({
        errorCode,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    }),
  );
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
