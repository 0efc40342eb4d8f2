// AlterConfigs (v0–2): replaces the whole override set of each resource — a
// topic, a broker's dynamic configs, or the cluster-wide dynamic broker
// defaults (resource name '') — carried out by the controller; every broker
// makes the new values effective when it applies the change.
import type { AlterConfigsRequest, AlterConfigsResponseInput } from '../../protocol/messages/alter-configs.ts';
import type { RequestContext } from '../api-table.ts';
import type { Broker } from '../broker.ts';
import { forwardToController } from './forward.ts';

export function handleAlterConfigs(
  broker: Broker,
  req: AlterConfigsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<AlterConfigsResponseInput> {
  return forwardToController(
    broker,
    req,
    version,
    ctx,
    undefined,
    (errorCode, errorMessage): AlterConfigsResponseInput => ({
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
