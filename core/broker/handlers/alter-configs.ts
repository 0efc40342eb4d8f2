// AlterConfigs (v0–2): replaces the whole override set of each resource — a
// topic's configs, this broker's dynamic configs, or the cluster-wide dynamic
// broker defaults (resource name ''). Validated as a whole, persisted, and
// effective at once; `validateOnly` checks without changing anything.
import type {
  AlterConfigsRequest, AlterConfigsResponse, AlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/messages/alter-configs.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { Broker } from '../broker.ts';
import { applyConfigs, duplicateResources, resolveTarget, resourceKey, validateConfigs } from '../config-changes.ts';

export function handleAlterConfigs(broker: Broker, req: AlterConfigsRequest): AlterConfigsResponse {
  const dups = duplicateResources(req.resources);
  const responses = req.resources.map((res): AlterConfigsResponseAlterConfigsResourceResponse => {
    const out = { errorCode: ErrorCode.NONE as number, errorMessage: null as string | null, resourceType: res.resourceType, resourceName: res.resourceName };
    try {
      if (dups.has(resourceKey(res))) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.');
      const target = resolveTarget(broker, res.resourceType, res.resourceName);
      const configs: Record<string, string | null> = {};
      for (const c of res.configs) {
        if (Object.hasOwn(configs, c.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${c.name}`);
        configs[c.name] = c.value;
      }
      validateConfigs(target, configs);
      if (!req.validateOnly) applyConfigs(broker, target, configs as Record<string, string>);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      out.errorCode = e.code;
      out.errorMessage = e.message;
    }
    return out;
  });
  return { throttleTimeMs: 0, responses };
}
