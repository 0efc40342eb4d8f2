// AlterConfigs (v0–2) and IncrementalAlterConfigs (v0–1) at the controller.
// A resource is a topic, a broker id, or the cluster-wide dynamic broker
// defaults (resource name ''). The resulting override set is validated as a
// whole and committed as one record; `validateOnly` checks only.
//
// Errors as Kafka reports them: topic configs → INVALID_CONFIG with the config
// parser's message (e.g. "Invalid value abc for configuration retention.ms: Not a
// number of type LONG"); broker configs → INVALID_REQUEST (Kafka wraps dynamic
// broker config failures so, KAFKA-13609), including configs that cannot be
// updated dynamically.
import type {
  AlterConfigsRequest,
  AlterConfigsResponseAlterConfigsResourceResponseInput,
  AlterConfigsResponseInput,
} from '../../protocol/messages/alter-configs.ts';
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponseAlterConfigsResourceResponseInput,
  IncrementalAlterConfigsResponseInput,
} from '../../protocol/messages/incremental-alter-configs.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import {
  BROKER_CONFIGS,
  TOPIC_CONFIGS,
  configValueError,
  topicConfigsError,
  type ConfigDef,
} from '../../broker/configs.ts';
import type { MetadataChange, TopicInfo } from '../../metadata/types.ts';
import { type AdminContext, type AdminResult, DEFAULT_PROPAGATION_TIMEOUT_MS, ResourceType } from './context.ts';

type Target =
  | { kind: 'topic'; topic: TopicInfo; current: Record<string, string> }
  | { kind: 'broker'; resource: string; current: Record<string, string> };

/** Kafka's AlterConfigOp.OpType ids. */
export const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

/**
 * The resource a request names, with its current overrides; throws KafkaError.
 * `viaBroker`: the broker the client sent the request to (a broker accepts only
 * its own id or ''), undefined when unknown (then any registered broker id).
 */
function resolveTarget(
  ctx: AdminContext,
  resourceType: number,
  resourceName: string,
  viaBroker: number | undefined,
): Target {
  if (resourceType === ResourceType.TOPIC) {
    const t = ctx.topic(resourceName);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
    return { kind: 'topic', topic: t, current: { ...t.configs } };
  }
  if (resourceType === ResourceType.BROKER) {
    if (resourceName !== '') {
      if (viaBroker !== undefined && resourceName !== String(viaBroker)) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `Unexpected broker id, expected ${viaBroker} or empty string, but received ${resourceName}`,
        );
      }
      if (viaBroker === undefined && (!/^\d+$/.test(resourceName) || !ctx.broker(Number(resourceName)))) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `Unexpected broker id, expected a registered broker id or empty string, but received ${resourceName}`,
        );
      }
    }
    return { kind: 'broker', resource: resourceName, current: { ...ctx.brokerConfigs(resourceName) } };
  }
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
}

function configDef(target: Target, name: string): ConfigDef | null {
  return (target.kind === 'topic' ? TOPIC_CONFIGS.get(name) : BROKER_CONFIGS.get(name)) ?? null;
}

/** Validates a complete new override set for the target; throws KafkaError. */
function validateConfigs(target: Target, configs: Record<string, string | null>): void {
  if (target.kind === 'topic') {
    const err = topicConfigsError(configs);
    if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err);
    return;
  }
  const fixed: string[] = [];
  for (const [name, value] of Object.entries(configs)) {
    const def = BROKER_CONFIGS.get(name);
    if (!def) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown broker config: ${name}`);
    if (def.readOnly) {
      fixed.push(name);
      continue;
    }
    if (value === null)
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for broker config: ${name}`);
    const err = configValueError(def, value);
    if (err) throw new KafkaError(ErrorCode.INVALID_REQUEST, err);
  }
  if (fixed.length > 0) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Cannot update these configs dynamically: Set(${fixed.join(', ')})`,
    );
  }
}

function apply(ctx: AdminContext, target: Target, configs: Record<string, string>): number {
  const change: MetadataChange =
    target.kind === 'topic'
      ? { type: 'topic', topic: { ...target.topic, configs: { ...configs } } }
      : { type: 'brokerConfigs', resource: target.resource, configs: { ...configs } };
  return ctx.commit([change]);
}

const resourceKey = (r: { resourceType: number; resourceName: string }) => `${r.resourceType}:${r.resourceName}`;

function duplicateResources(resources: readonly { resourceType: number; resourceName: string }[]): Set<string> {
  const seen = new Map<string, number>();
  for (const r of resources) seen.set(resourceKey(r), (seen.get(resourceKey(r)) ?? 0) + 1);
  return new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
}

export function alterConfigs(ctx: AdminContext, req: AlterConfigsRequest, viaBroker: number | undefined): AdminResult {
  const dups = duplicateResources(req.resources);
  let seq = 0;
  const responses = req.resources.map((res): AlterConfigsResponseAlterConfigsResourceResponseInput => {
    const out = {
      errorCode: ErrorCode.NONE as number,
      errorMessage: null as string | null,
      resourceType: res.resourceType,
      resourceName: res.resourceName,
    };
    try {
      if (dups.has(resourceKey(res))) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.');
      const target = resolveTarget(ctx, res.resourceType, res.resourceName, viaBroker);
      const configs: Record<string, string | null> = {};
      for (const c of res.configs) {
        if (Object.hasOwn(configs, c.name))
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${c.name}`);
        configs[c.name] = c.value;
      }
      validateConfigs(target, configs);
      if (!req.validateOnly) seq = apply(ctx, target, configs as Record<string, string>);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      out.errorCode = e.code;
      out.errorMessage = e.message;
    }
    return out;
  });
  const response: AlterConfigsResponseInput = { throttleTimeMs: 0, responses };
  return { response, seq, timeoutMs: DEFAULT_PROPAGATION_TIMEOUT_MS };
}

const items = (v: string | null | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

export function incrementalAlterConfigs(
  ctx: AdminContext,
  req: IncrementalAlterConfigsRequest,
  viaBroker: number | undefined,
): AdminResult {
  const dups = duplicateResources(req.resources);
  let seq = 0;
  const responses = req.resources.map((res): IncrementalAlterConfigsResponseAlterConfigsResourceResponseInput => {
    const out = {
      errorCode: ErrorCode.NONE as number,
      errorMessage: null as string | null,
      resourceType: res.resourceType,
      resourceName: res.resourceName,
    };
    try {
      if (dups.has(resourceKey(res))) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.');
      const target = resolveTarget(ctx, res.resourceType, res.resourceName, viaBroker);
      const names = new Set<string>();
      const next: Record<string, string | null> = { ...target.current };
      for (const c of res.configs) {
        if (names.has(c.name))
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${c.name}`);
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
              throw new KafkaError(
                ErrorCode.INVALID_CONFIG,
                `Can't ${OP_NAMES[c.configOperation]} to key ${c.name} because its type is not LIST.`,
              );
            }
            // Unknown names fall through to validation, which names them.
            const base = items(Object.hasOwn(next, c.name) ? next[c.name] : def?.default);
            const given = items(c.value);
            const result =
              c.configOperation === OpType.APPEND
                ? [...base, ...given.filter((v) => !base.includes(v))]
                : base.filter((v) => !given.includes(v));
            next[c.name] = result.join(',');
            break;
          }
          default:
            throw new KafkaError(
              ErrorCode.INVALID_REQUEST,
              `Unknown alter config operation type: ${c.configOperation}`,
            );
        }
      }
      validateConfigs(target, next);
      if (!req.validateOnly) seq = apply(ctx, target, next as Record<string, string>);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      out.errorCode = e.code;
      out.errorMessage = e.message;
    }
    return out;
  });
  const response: IncrementalAlterConfigsResponseInput = { throttleTimeMs: 0, responses };
  return { response, seq, timeoutMs: DEFAULT_PROPAGATION_TIMEOUT_MS };
}
