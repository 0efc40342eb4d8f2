// IncrementalAlterConfigs (v0–1): SET, DELETE, APPEND and SUBTRACT on a
// resource's overrides — a topic, a broker's dynamic configs, or the
// cluster-wide dynamic broker defaults ('') — carried out by the controller;
// every broker makes the new values effective when it applies the change.
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponseInput,
} from '../../protocol/messages/incremental-alter-configs.ts';
import type { RequestContext } from '../api-table.ts';
import type { Broker } from '../broker.ts';
import { forwardToController } from './forward.ts';

export function handleIncrementalAlterConfigs(
  broker: Broker,
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
