// IncrementalAlterConfigs (v0–1): SET, DELETE, APPEND and SUBTRACT (the last two
// for list configs) applied to a resource's current overrides — a topic, this
// broker's dynamic configs, or the cluster-wide dynamic broker defaults ('').
// The resulting set is validated as a whole, persisted and effective at once;
// `validateOnly` checks without changing anything.
import type {
  IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
  IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/messages/incremental-alter-configs.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { Broker } from '../broker.ts';
import {
  applyConfigs, configDef, duplicateResources, resolveTarget, resourceKey, validateConfigs,
} from '../config-changes.ts';

/** Kafka's AlterConfigOp.OpType ids. */
export const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

const items = (v: string | null | undefined): string[] =>
  (v ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

export function handleIncrementalAlterConfigs(broker: Broker, req: IncrementalAlterConfigsRequest): IncrementalAlterConfigsResponse {
  const dups = duplicateResources(req.resources);
  const responses = req.resources.map((res): IncrementalAlterConfigsResponseAlterConfigsResourceResponse => {
    const out = { errorCode: ErrorCode.NONE as number, errorMessage: null as string | null, resourceType: res.resourceType, resourceName: res.resourceName };
    try {
      if (dups.has(resourceKey(res))) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.');
      const target = resolveTarget(broker, res.resourceType, res.resourceName);
      const names = new Set<string>();
      const next: Record<string, string | null> = { ...target.current };
      for (const c of res.configs) {
        if (names.has(c.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${c.name}`);
        names.add(c.name);
        switch (c.configOperation) {
          case OpType.SET:
            next[c.name] = c.value;
            break;
          case OpType.DELETE:
            delete next[c.name];
            break;
          case OpType.APPEND:
          case OpType.SUBTRACT: {
            const def = configDef(target, c.name);
            if (def && def.type !== 'list') {
              throw new KafkaError(ErrorCode.INVALID_CONFIG,
                `Can't ${OP_NAMES[c.configOperation]} to key ${c.name} because its type is not LIST.`);
            }
            // Unknown names fall through to validation, which names them.
            const base = items(Object.hasOwn(next, c.name) ? next[c.name] : def?.default);
            const given = items(c.value);
            const result = c.configOperation === OpType.APPEND
              ? [...base, ...given.filter((v) => !base.includes(v))]
              : base.filter((v) => !given.includes(v));
            next[c.name] = result.join(',');
            break;
          }
          default:
            throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown alter config operation type: ${c.configOperation}`);
        }
      }
      validateConfigs(target, next);
      if (!req.validateOnly) applyConfigs(broker, target, next as Record<string, string>);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      out.errorCode = e.code;
      out.errorMessage = e.message;
    }
    return out;
  });
  return { throttleTimeMs: 0, responses };
}
