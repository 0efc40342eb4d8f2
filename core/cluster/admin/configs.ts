// AlterConfigs (v0–2) and IncrementalAlterConfigs (v0–1) at the controller.
// A resource is a topic, a broker id, or the cluster-wide dynamic broker
// defaults (resource name ''). The resulting override set is validated as a
// whole and committed as one record; `validateOnly` checks only. Values are
// stored as Kafka shows them (` 5 ` as `5`, `TRUE` as `true`).
//
// Errors as Kafka 4 reports them: a null value → INVALID_REQUEST ("Null value
// not supported for : retention.ms"); topic configs → INVALID_CONFIG with
// LogConfig's message (e.g. "Invalid value abc for configuration retention.ms:
// Not a number of type LONG"); broker configs → INVALID_REQUEST (Kafka wraps
// dynamic broker config failures so, KAFKA-13609), including configs that
// cannot be updated dynamically. Broker config names Kafka does not know are
// taken as custom configs, as Kafka does. The cluster-wide min.insync.replicas
// cannot be removed (Kafka 4 with eligible leader replicas). BROKER_LOGGER
// resources are the receiving broker's own (core/broker/broker-loggers.ts). GROUP resources
// (KIP-848) hold a group's configs, validated against the broker's group coordinator bounds
// (core/broker/config-group.ts, INVALID_CONFIG); a group need not exist to have configs.
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
  canonicalValue,
  invalidTopicNameMessage,
  topicConfigsError,
  type ConfigDef,
} from '../../broker/configs.ts';
import { brokerConfigsError } from '../../broker/config-rules.ts';
import { groupConfigsError } from '../../broker/config-group.ts';
import { GROUP_CONFIGS } from '../../broker/config-defs.ts';
import type { MetadataChange, TopicInfo } from '../../metadata/types.ts';
import { type AdminContext, type AdminResult, DEFAULT_PROPAGATION_TIMEOUT_MS, ResourceType } from './context.ts';

type Target =
  | { kind: 'topic'; topic: TopicInfo; current: Record<string, string> }
  | { kind: 'broker'; resource: string; current: Record<string, string> }
  | { kind: 'group'; group: string; current: Record<string, string> };

/** Kafka's AlterConfigOp.OpType ids. */
export const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

/** The cluster-wide config Kafka 4 keeps while eligible leader replicas are enabled. */
const ELR_CONFIG = 'min.insync.replicas';
const ELR_ERROR = 'Cluster-level min.insync.replicas cannot be removed while ELR is enabled.';

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
    if (resourceName === '')
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Default topic resources are not allowed.');
    const invalid = invalidTopicNameMessage(resourceName);
    if (invalid) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
    const t = ctx.topic(resourceName);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${resourceName}' does not exist.`);
    return { kind: 'topic', topic: t, current: { ...t.configs } };
  }
  if (resourceType === ResourceType.BROKER) {
    if (resourceName !== '') {
      if (!/^[+-]?\d+$/.test(resourceName) || Math.abs(Number(resourceName)) > 2 ** 31) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${resourceName}`);
      }
      if (viaBroker !== undefined && Number(resourceName) !== viaBroker) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `Unexpected broker id, expected ${viaBroker}, but received ${resourceName}`,
        );
      }
      if (viaBroker === undefined && !ctx.broker(Number(resourceName))) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `Unexpected broker id, expected a registered broker id or empty string, but received ${resourceName}`,
        );
      }
    }
    const resource = resourceName === '' ? '' : String(Number(resourceName));
    return { kind: 'broker', resource, current: { ...ctx.brokerConfigs(resource) } };
  }
  if (resourceType === ResourceType.GROUP) {
    if (resourceName === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Group name must not be empty');
    return { kind: 'group', group: resourceName, current: { ...ctx.groupConfigs(resourceName) } };
  }
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown resource type ${resourceType}`);
}

function configDef(target: Target, name: string): ConfigDef | null {
  const defs = target.kind === 'topic' ? TOPIC_CONFIGS : target.kind === 'group' ? GROUP_CONFIGS : BROKER_CONFIGS;
  return defs.get(name) ?? null;
}

/** Kafka refuses a null value before anything else. */
function refuseNulls(names: string[]): void {
  if (names.length > 0) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${names.join(', ')}`);
  }
}

/** Validates a complete new override set for the target; throws KafkaError. */
function validateConfigs(ctx: AdminContext, target: Target, configs: Record<string, string>): void {
  if (target.kind === 'topic') {
    const err = topicConfigsError(configs, ctx.config);
    if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err);
    return;
  }
  if (target.kind === 'group') {
    const err = groupConfigsError(configs, ctx.config);
    if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err);
    return;
  }
  const own = target.resource === '' ? {} : ctx.brokerConfigs(target.resource);
  const err = brokerConfigsError(configs, target.resource !== '', (name) => own[name] ?? ctx.config.get(name));
  if (err) throw new KafkaError(ErrorCode.INVALID_REQUEST, err);
}

/** The values as Kafka keeps them: each known config in the form Kafka shows it. */
function stored(target: Target, configs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(configs)) {
    const def = configDef(target, k);
    out[k] = def ? canonicalValue(def, v) : v;
  }
  return out;
}

function apply(ctx: AdminContext, target: Target, configs: Record<string, string>): number {
  const values = stored(target, configs);
  const change: MetadataChange =
    target.kind === 'topic'
      ? { type: 'topic', topic: { ...target.topic, configs: values } }
      : target.kind === 'group'
        ? { type: 'groupConfigs', group: target.group, configs: values }
        : { type: 'brokerConfigs', resource: target.resource, configs: values };
  return ctx.commit([change]);
}

const resourceKey = (r: { resourceType: number; resourceName: string }) => `${r.resourceType}:${r.resourceName}`;

function duplicateResources(resources: readonly { resourceType: number; resourceName: string }[]): Set<string> {
  const seen = new Map<string, number>();
  for (const r of resources) seen.set(resourceKey(r), (seen.get(resourceKey(r)) ?? 0) + 1);
  return new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
}

function refuseDuplicateKeys(names: readonly string[]): void {
  if (new Set(names).size !== names.length) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  }
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
      refuseDuplicateKeys(res.configs.map((c) => c.name));
      refuseNulls(res.configs.filter((c) => c.value === null).map((c) => c.name));
      const configs = Object.fromEntries(res.configs.map((c) => [c.name, c.value!]));
      validateConfigs(ctx, target, configs);
      if (target.kind === 'broker' && target.resource === '' && configs[ELR_CONFIG] === undefined) {
        throw new KafkaError(ErrorCode.INVALID_CONFIG, ELR_ERROR);
      }
      if (!req.validateOnly) seq = apply(ctx, target, configs);
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

/** APPEND or SUBTRACT on a config that is not a list: Kafka's message, which differs for topics and brokers. */
function listOpError(target: Target, op: number, name: string): KafkaError | null {
  const def = configDef(target, name);
  if (target.kind !== 'broker') {
    if (def?.type === 'list') return null;
    return new KafkaError(
      ErrorCode.INVALID_CONFIG,
      `Can't ${OP_NAMES[op]} to key ${name} because its type is not LIST.`,
    );
  }
  if (!def) return new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${name}`);
  if (def.type === 'list') return null;
  const verb = op === OpType.APPEND ? 'append' : 'subtract';
  return new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${name}`);
}

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
      refuseDuplicateKeys(res.configs.map((c) => c.name));
      refuseNulls(res.configs.filter((c) => c.configOperation === OpType.SET && c.value === null).map((c) => c.name));
      const next: Record<string, string> = { ...target.current };
      for (const c of res.configs) {
        switch (c.configOperation) {
          case OpType.SET:
            next[c.name] = c.value!;
            break;
          case OpType.DELETE:
            if (target.kind === 'broker' && target.resource === '' && c.name === ELR_CONFIG) {
              throw new KafkaError(ErrorCode.INVALID_CONFIG, ELR_ERROR);
            }
            delete next[c.name];
            break;
          case OpType.APPEND:
          case OpType.SUBTRACT: {
            const err = listOpError(target, c.configOperation, c.name);
            if (err) throw err;
            const def = configDef(target, c.name);
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
      validateConfigs(ctx, target, next);
      if (!req.validateOnly) seq = apply(ctx, target, next);
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
