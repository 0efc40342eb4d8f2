// What AlterConfigs and IncrementalAlterConfigs share: resolving a config
// resource (a topic, this broker, or the cluster-wide broker default ''),
// validating a whole new override set for it, and applying it (persisted in the
// metadata store, pushed into the running logs).
//
// Errors as Kafka reports them: topic configs → INVALID_CONFIG with the config
// parser's message (e.g. "Invalid value abc for configuration retention.ms: Not a
// number of type LONG"); broker configs → INVALID_REQUEST (Kafka wraps dynamic
// broker config failures so, KAFKA-13609), including configs that cannot be
// updated dynamically.
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { Broker } from './broker.ts';
import { BROKER_CONFIGS, TOPIC_CONFIGS, configValueError, topicConfigsError, type ConfigDef } from './configs.ts';
import { ResourceType } from './handlers/describe-configs.ts';

export type ConfigTarget =
  | { kind: 'topic'; name: string; current: Record<string, string> }
  | { kind: 'broker'; level: 'default' | 'broker'; current: Record<string, string> };

/** The resource a request names, with its current override set; throws KafkaError. */
export function resolveTarget(broker: Broker, resourceType: number, resourceName: string): ConfigTarget {
  if (resourceType === ResourceType.TOPIC) {
    const t = broker.topics.get(resourceName);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
    return { kind: 'topic', name: resourceName, current: { ...t.configs } };
  }
  if (resourceType === ResourceType.BROKER) {
    if (resourceName !== '' && resourceName !== String(broker.brokerId)) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST,
        `Unexpected broker id, expected ${broker.brokerId} or empty string, but received ${resourceName}`);
    }
    const level = resourceName === '' ? 'default' : 'broker';
    return { kind: 'broker', level, current: Object.fromEntries(broker.config.dynamic(level)) };
  }
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
}

/** The definition of a config of the target, or null when there is none. */
export function configDef(target: ConfigTarget, name: string): ConfigDef | null {
  return (target.kind === 'topic' ? TOPIC_CONFIGS.get(name) : BROKER_CONFIGS.get(name)) ?? null;
}

/** Validates a complete new override set for the target; throws KafkaError. */
export function validateConfigs(target: ConfigTarget, configs: Record<string, string | null>): void {
  if (target.kind === 'topic') {
    const err = topicConfigsError(configs);
    if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err);
    return;
  }
  const fixed: string[] = [];
  for (const [name, value] of Object.entries(configs)) {
    const def = BROKER_CONFIGS.get(name);
    if (!def) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown broker config: ${name}`);
    if (def.readOnly) { fixed.push(name); continue; }
    if (value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for broker config: ${name}`);
    const err = configValueError(def, value);
    if (err) throw new KafkaError(ErrorCode.INVALID_REQUEST, err);
  }
  if (fixed.length > 0) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${fixed.join(', ')})`);
  }
}

/** Persists the new override set and makes it effective. */
export function applyConfigs(broker: Broker, target: ConfigTarget, configs: Record<string, string>): void {
  if (target.kind === 'topic') broker.topics.setConfigs(target.name, configs);
  else broker.topics.setBrokerConfigs(target.level, configs);
}

/** Rejects a second entry for the same resource, as Kafka does. */
export function duplicateResources(resources: readonly { resourceType: number; resourceName: string }[]): Set<string> {
  const seen = new Map<string, number>();
  for (const r of resources) seen.set(resourceKey(r), (seen.get(resourceKey(r)) ?? 0) + 1);
  return new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
}

export function resourceKey(r: { resourceType: number; resourceName: string }): string {
  return `${r.resourceType}:${r.resourceName}`;
}
