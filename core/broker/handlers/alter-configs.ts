// AlterConfigs (v0–2): replaces the whole override set of each resource — a
// topic, a broker's dynamic configs, or the cluster-wide dynamic broker
// defaults (resource name '') — carried out by the controller; every broker
// makes the new values effective when it applies the change.
import {
  type AlterConfigsRequest,
  type AlterConfigsResponseInput,
  decodeAlterConfigsRequest,
  encodeAlterConfigsResponse,
} from '../../protocol/messages/alter-configs.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleAlterConfigs(
  broker: HandlerContext,
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

export const alterConfigsApi: ApiEntry<AlterConfigsRequest, AlterConfigsResponseInput> = {
  apiKey: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  min: 0,
  max: 2,
  decodeRequest: decodeAlterConfigsRequest,
  encodeResponse: encodeAlterConfigsResponse,
  handle: handleAlterConfigs,
};
