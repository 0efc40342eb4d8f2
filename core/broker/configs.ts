// Broker and topic configuration: Kafka's names, types, defaults and validation.
//
// Topic configs fall back to broker configs ("synonyms"), as in Kafka: a topic's
// `retention.ms` comes from its own override, else from the broker's
// `log.retention.ms` / `log.retention.minutes` / `log.retention.hours`, else the default.

import { ConfigSource, TOPIC_CONFIGS, BROKER_CONFIGS, MINUTE, type ConfigDef } from './config-defs.ts';
export {
  ConfigSource,
  ConfigTypeId,
  TOPIC_CONFIGS,
  BROKER_CONFIGS,
  type ConfigType,
  type ConfigDef,
  type TopicConfigDef,
} from './config-defs.ts';

// Kafka's topic-name rule lives in core/protocol (the console checks names with it too).
export { topicNameError } from '../protocol/topic-name.ts';

/** Topics whose names differ only in '.' vs '_' collide in metric names; Kafka refuses the second. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

/** Checks a value against a definition; returns an error message or null. */
export function configValueError(def: ConfigDef, value: string | null): string | null {
  if (value === null) return def.default === null ? null : null;
  const bad = (why: string) => `Invalid value ${value} for configuration ${def.name}: ${why}`;
  switch (def.type) {
    case 'boolean':
      if (!/^(true|false)$/i.test(value.trim())) return bad('Expected value to be either true or false');
      return null;
    case 'int':
    case 'short':
    case 'long': {
      const v = value.trim();
      if (!/^-?\d+$/.test(v)) return bad(`Not a number of type ${def.type.toUpperCase()}`);
      const n = BigInt(v);
      const bits = def.type === 'short' ? 15n : def.type === 'int' ? 31n : 63n;
      if (n >= 1n << bits || n < -(1n << bits)) return bad(`Not a number of type ${def.type.toUpperCase()}`);
      if (def.min !== undefined && n < BigInt(def.min)) return bad(`Value must be at least ${def.min}`);
      return null;
    }
    case 'double': {
      const n = Number(value.trim());
      if (value.trim() === '' || !Number.isFinite(n)) return bad('Not a number of type DOUBLE');
      if (def.min !== undefined && n < def.min) return bad(`Value must be at least ${def.min}`);
      if (def.name.endsWith('cleanable.dirty.ratio') || def.name.endsWith('cleanable.ratio')) {
        if (n > 1) return bad('Value must be no more than 1');
      }
      return null;
    }
    case 'list': {
      if (!def.oneOf) return null;
      const items = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (def.name.endsWith('cleanup.policy') && items.length === 0) return bad('List must not be empty');
      for (const it of items) {
        if (!def.oneOf.includes(it)) return bad(`String must be one of: ${def.oneOf.join(', ')}`);
      }
      return null;
    }
    default:
      if (def.oneOf && !def.oneOf.includes(value)) return bad(`String must be one of: ${def.oneOf.join(', ')}`);
      return null;
  }
}

/**
 * The broker's static configuration: defaults overridden by `--override k=v`
 * (and later by dynamic broker configs). Typed getters for what the code uses.
 */
export class BrokerConfig {
  readonly values: ReadonlyMap<string, string>;

  constructor(overrides: Record<string, string> = {}) {
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(overrides)) {
      const def = BROKER_CONFIGS.get(k);
      if (!def) throw new Error(`Unknown broker config: ${k}`);
      const err = configValueError(def, v);
      if (err) throw new Error(err);
      values.set(k, v);
    }
    this.values = values;
  }

  /** Dynamic broker configs (AlterConfigs): the cluster-wide defaults ('') and this broker's own. */
  private readonly dynamicDefault = new Map<string, string>();
  private readonly dynamicBroker = new Map<string, string>();

  /** Replaces one dynamic layer: 'default' is the resource '', 'broker' this broker's id. */
  setDynamic(level: 'default' | 'broker', configs: Record<string, string>): void {
    const m = level === 'default' ? this.dynamicDefault : this.dynamicBroker;
    m.clear();
    for (const [k, v] of Object.entries(configs)) m.set(k, v);
  }

  /** One dynamic layer's values. */
  dynamic(level: 'default' | 'broker'): ReadonlyMap<string, string> {
    return level === 'default' ? this.dynamicDefault : this.dynamicBroker;
  }

  /** Where the value of a broker config comes from, and the value, dynamic layers first. */
  lookup(name: string): { value: string; source: number } | null {
    const b = this.dynamicBroker.get(name);
    if (b !== undefined) return { value: b, source: ConfigSource.DYNAMIC_BROKER_CONFIG };
    const d = this.dynamicDefault.get(name);
    if (d !== undefined) return { value: d, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
    const s = this.values.get(name);
    if (s !== undefined) return { value: s, source: ConfigSource.STATIC_BROKER_CONFIG };
    return null;
  }

  /** Parses `k=v` strings, as given to `--override`. */
  static fromOverrides(pairs: readonly string[]): BrokerConfig {
    const o: Record<string, string> = {};
    for (const p of pairs) {
      const i = p.indexOf('=');
      if (i <= 0) throw new Error(`Expected key=value, got "${p}"`);
      o[p.slice(0, i).trim()] = p.slice(i + 1).trim();
    }
    return new BrokerConfig(o);
  }

  /** True when the value was set explicitly (a STATIC_BROKER_CONFIG in DescribeConfigs). */
  isSet(name: string): boolean {
    return this.values.has(name);
  }

  /** The explicit or default value, or null. */
  get(name: string): string | null {
    const v = this.lookup(name)?.value;
    if (v !== undefined) return v;
    return BROKER_CONFIGS.get(name)?.default ?? null;
  }

  private num(name: string): number {
    return Number(this.get(name));
  }

  get nodeId(): number {
    return this.isSet('node.id') ? this.num('node.id') : this.num('broker.id');
  }
  get autoCreateTopicsEnable(): boolean {
    return this.get('auto.create.topics.enable') === 'true';
  }
  get deleteTopicEnable(): boolean {
    return this.get('delete.topic.enable') === 'true';
  }
  get numPartitions(): number {
    return this.num('num.partitions');
  }
  get defaultReplicationFactor(): number {
    return this.num('default.replication.factor');
  }
  get socketRequestMaxBytes(): number {
    return this.num('socket.request.max.bytes');
  }
  get messageMaxBytes(): number {
    return this.num('message.max.bytes');
  }
  get fetchMaxBytes(): number {
    return this.num('fetch.max.bytes');
  }
  get queuedMaxRequests(): number {
    return this.num('queued.max.requests');
  }
  get logRetentionCheckIntervalMs(): number {
    return this.num('log.retention.check.interval.ms');
  }
  get offsetsTopicNumPartitions(): number {
    return this.num('offsets.topic.num.partitions');
  }
  get offsetsRetentionMs(): number {
    return this.num('offsets.retention.minutes') * MINUTE;
  }
  get offsetsRetentionCheckIntervalMs(): number {
    return this.num('offsets.retention.check.interval.ms');
  }
  get producerIdExpirationMs(): number {
    return this.num('producer.id.expiration.ms');
  }
  get producerIdExpirationCheckIntervalMs(): number {
    return this.num('producer.id.expiration.check.interval.ms');
  }

  /**
   * The value a topic config inherits from the broker: the first synonym set
   * explicitly, else the first synonym with a default (scaled to the topic's unit).
   */
  topicDefault(topicConfig: string): { value: string | null; source: number; synonym: string | null } {
    const def = TOPIC_CONFIGS.get(topicConfig);
    if (!def) return { value: null, source: ConfigSource.UNKNOWN, synonym: null };
    for (const s of def.synonyms) {
      const found = this.lookup(s);
      if (found) return { value: scaled(s, found.value), source: found.source, synonym: s };
    }
    for (const s of def.synonyms) {
      const d = BROKER_CONFIGS.get(s)?.default;
      if (d !== undefined && d !== null)
        return { value: scaled(s, d), source: ConfigSource.DEFAULT_CONFIG, synonym: s };
    }
    return { value: def.default, source: ConfigSource.DEFAULT_CONFIG, synonym: null };
  }
}

function scaled(brokerName: string, value: string): string {
  const scale = BROKER_CONFIGS.get(brokerName)?.scale;
  if (!scale) return value;
  return String(Number(value) * scale);
}

/** Validates topic config overrides (CreateTopics, AlterConfigs); returns the first error message or null. */
export function topicConfigsError(configs: Record<string, string | null>): string | null {
  for (const [name, value] of Object.entries(configs)) {
    const def = TOPIC_CONFIGS.get(name);
    if (!def) return `Unknown topic config name: ${name}`;
    if (value === null) return `Null value not supported for topic configs: ${name}`;
    const err = configValueError(def, value);
    if (err) return err;
  }
  return null;
}

/** The effective value of every topic config for a topic with these overrides. */
export function effectiveTopicConfigs(broker: BrokerConfig, overrides: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TOPIC_CONFIGS.keys()) {
    out[name] = overrides[name] ?? broker.topicDefault(name).value ?? '';
  }
  return out;
}
