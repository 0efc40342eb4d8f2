// Group configs (the GROUP config resource, KIP-848, Kafka 4): which names there are (GroupConfig,
// from the generated table), how a set of them is validated — the names, then each value's type and
// range in definition order, then each value against this broker's group coordinator bounds
// (group.consumer.min/max.session.timeout.ms, …), with Kafka's messages — and what DescribeConfigs
// reports of a group: every group config that is not internal, its own value (GROUP_CONFIG) or the
// broker config it falls back to (DEFAULT_CONFIG, with the broker config's value).
import { ConfigSource, ConfigTypeId, GROUP_CONFIGS } from './config-defs.ts';
import { canonicalValue, configValueError, javaHashOrder, parseValue } from './config-values.ts';
import type { ConfigEntry } from './config-describe.ts';
import type { BrokerConfig } from './configs.ts';

/** DescribeConfigs' ConfigSource of a group's own config (Kafka's GROUP_CONFIG). */
export const GROUP_CONFIG_SOURCE = 8;

/** The broker configs bounding a group config: group.<kind>.min.<rest> / group.<kind>.max.<rest>. */
function bounds(name: string): { min?: string; max?: string } {
  const special: Record<string, { min?: string; max?: string }> = {
    'streams.num.standby.replicas': { max: 'group.streams.max.standby.replicas' },
    'streams.num.warmup.replicas': { max: 'group.streams.max.warmup.replicas' },
  };
  if (special[name]) return special[name];
  const synonym = GROUP_CONFIGS.get(name)?.synonyms[0];
  const m = synonym ? /^group\.(consumer|share|streams)\.(.*)$/.exec(synonym) : null;
  if (!m) return {};
  const [, kind, rest] = m;
  const min = `group.${kind}.min.${rest}`;
  const max = `group.${kind}.max.${rest}`;
  return { min: GROUP_CONFIG_BOUNDS.has(min) ? min : undefined, max: GROUP_CONFIG_BOUNDS.has(max) ? max : undefined };
}

/** The broker configs that are some group config's bound (the names bounds() may return). */
const GROUP_CONFIG_BOUNDS = new Set([
  'group.consumer.min.session.timeout.ms',
  'group.consumer.max.session.timeout.ms',
  'group.consumer.min.heartbeat.interval.ms',
  'group.consumer.max.heartbeat.interval.ms',
  'group.consumer.min.assignment.interval.ms',
  'group.consumer.max.assignment.interval.ms',
  'group.share.min.session.timeout.ms',
  'group.share.max.session.timeout.ms',
  'group.share.min.heartbeat.interval.ms',
  'group.share.max.heartbeat.interval.ms',
  'group.share.min.assignment.interval.ms',
  'group.share.max.assignment.interval.ms',
  'group.share.min.record.lock.duration.ms',
  'group.share.max.record.lock.duration.ms',
  'group.share.min.delivery.count.limit',
  'group.share.max.delivery.count.limit',
  'group.share.min.partition.max.record.locks',
  'group.share.max.partition.max.record.locks',
  'group.streams.min.session.timeout.ms',
  'group.streams.max.session.timeout.ms',
  'group.streams.min.heartbeat.interval.ms',
  'group.streams.max.heartbeat.interval.ms',
  'group.streams.min.assignment.interval.ms',
  'group.streams.max.assignment.interval.ms',
  'group.streams.min.task.offset.interval.ms',
]);

/** The rules of one value beyond its type and validator (GroupConfig.validate); Kafka's message or null. */
function ruleError(config: BrokerConfig, name: string, value: string): string | null {
  const def = GROUP_CONFIGS.get(name)!;
  if (name === 'streams.assignor.name') {
    const registered = (config.get('group.streams.assignors') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const v = canonicalValue(def, value);
    if (registered.includes(v)) return null;
    return `${name} '${v}' is not a registered task assignor. Registered assignors are: [${registered.join(', ')}].`;
  }
  if (name === 'streams.rack.aware.assignment.tags') {
    const p = parseValue(def, value);
    if ('value' in p && Array.isArray(p.value) && new Set(p.value).size !== p.value.length) {
      return `${name} must not contain duplicate tag keys.`;
    }
    return null;
  }
  const { min, max } = bounds(name);
  if (!min && !max) return null;
  const n = Number(canonicalValue(def, value));
  const lo = min ? Number(config.get(min)) : undefined;
  const hi = max ? Number(config.get(max)) : undefined;
  if (lo !== undefined && hi !== undefined) {
    return n < lo || n > hi ? `${name} must be in the range ${lo} to ${hi} inclusive.` : null;
  }
  if (hi !== undefined) return n > hi ? `${name} must be less than or equal to ${hi}` : null;
  return n < lo! ? `${name} must be greater than or equal to ${lo}` : null;
}

/** Validates a group's complete set of configs as Kafka does (INVALID_CONFIG with the message), or null. */
export function groupConfigsError(configs: Record<string, string>, config: BrokerConfig): string | null {
  const unknown = javaHashOrder(Object.keys(configs)).find((k) => !GROUP_CONFIGS.has(k));
  if (unknown !== undefined) return `Unknown group config name: ${unknown}`;
  // A list of tag keys naming one twice ("a,a", or "," which is two empty keys) is refused as a
  // duplicate before its items are checked, as Kafka's verdicts show.
  const tags = configs['streams.rack.aware.assignment.tags'];
  if (tags !== undefined) {
    const err = ruleError(config, 'streams.rack.aware.assignment.tags', tags);
    if (err) return err;
  }
  for (const [name, def] of GROUP_CONFIGS) {
    const v = configs[name];
    if (v === undefined) continue;
    const err = configValueError(def, v, { duplicatesAllowed: true });
    if (err) return err;
  }
  for (const name of GROUP_CONFIGS.keys()) {
    const v = configs[name];
    if (v === undefined) continue;
    const err = ruleError(config, name, v);
    if (err) return err;
  }
  return null;
}

/** A group's value of a config: its own, else the broker config it falls back to, else Kafka's default. */
export function groupConfigValue(
  config: BrokerConfig,
  own: Readonly<Record<string, string>>,
  name: string,
): string | null {
  const v = own[name];
  if (v !== undefined) return v;
  const def = GROUP_CONFIGS.get(name);
  const synonym = def?.synonyms[0];
  return (synonym ? config.get(synonym) : undefined) ?? def?.default ?? null;
}

/** The synonym a group config falls back to: its broker config's value (with its source), else Kafka's default. */
function fallback(config: BrokerConfig, name: string): { name: string; value: string | null; source: number } {
  const def = GROUP_CONFIGS.get(name);
  const synonym = def?.synonyms[0];
  if (!synonym) return { name, value: def?.default ?? null, source: ConfigSource.DEFAULT_CONFIG };
  const found = config.lookup(synonym);
  return { name: synonym, value: config.get(synonym), source: found?.source ?? ConfigSource.DEFAULT_CONFIG };
}

/** What DescribeConfigs reports of a group with these configs. */
export function groupConfigEntries(config: BrokerConfig, own: Readonly<Record<string, string>>): ConfigEntry[] {
  const names = new Set<string>();
  for (const d of GROUP_CONFIGS.values()) if (!d.hidden) names.add(d.name);
  for (const n of Object.keys(own)) names.add(n);
  return [...names].map((name) => {
    const def = GROUP_CONFIGS.get(name);
    const set = own[name] !== undefined;
    const value = groupConfigValue(config, own, name);
    return {
      name,
      value: def && value !== null ? canonicalValue(def, value) : value,
      readOnly: false,
      source: set ? GROUP_CONFIG_SOURCE : ConfigSource.DEFAULT_CONFIG,
      sensitive: false,
      type: def ? ConfigTypeId[def.type] : 0,
      synonyms: [...(set ? [{ name, value, source: GROUP_CONFIG_SOURCE }] : []), fallback(config, name)],
      doc: def?.doc ?? null,
    };
  });
}
