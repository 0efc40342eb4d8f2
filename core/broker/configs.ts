// Broker and topic configuration: every config of Kafka 4 by Kafka's name, its layers and the
// values that apply.
//
// A broker config's value comes, as in Kafka, from the first layer that has one: this broker's
// dynamic configs (AlterConfigs on its id), the cluster-wide dynamic defaults (AlterConfigs on
// ''), the static configs (`--override`), Kafka's default. Topic configs fall back to broker
// configs ("synonyms"): a topic's `retention.ms` comes from its own override, else from the
// broker's `log.retention.ms` / `log.retention.minutes` / `log.retention.hours`, else the default.
// Like Kafka 4 with eligible leader replicas, a cluster starts with a cluster-wide dynamic
// min.insync.replicas (the static value), which can be changed but not removed.
import { BROKER_CONFIGS, ConfigSource, LISTENER_CONFIG, MINUTE, TOPIC_CONFIGS, baseConfigName } from './config-defs.ts';
import { BOOTSTRAP_CLUSTER_CONFIGS } from './config-defs.generated.ts';
import { canonicalValue, configValueError } from './config-values.ts';

export {
  ConfigSource,
  ConfigTypeId,
  TOPIC_CONFIGS,
  BROKER_CONFIGS,
  type ConfigType,
  type ConfigDef,
  type TopicConfigDef,
  LISTENER_CONFIG,
  baseConfigName,
} from './config-defs.ts';
export { canonicalValue, configValueError, javaHashOrder, javaList } from './config-values.ts';
export { topicConfigsError } from './config-rules.ts';

// Kafka's topic-name rule lives in core/protocol (the console checks names with it too).
export { topicNameError } from '../protocol/topic-name.ts';

/** The same rule in Kafka 4.4's words (Topic.validate), as the config APIs report an invalid topic name. */
export function invalidTopicNameMessage(name: string): string | null {
  if (name.length === 0) return 'Topic name is invalid: the empty string is not allowed';
  if (name === '.' || name === '..') return `Topic name is invalid: '${name}' is not allowed`;
  if (name.length > 249)
    return `Topic name is invalid: the length of '${name}' is longer than the max allowed length 249`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name is invalid: '${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Topics whose names differ only in '.' vs '_' collide in metric names; Kafka refuses the second. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

/** A broker config name Samsa takes at start: a config of Kafka's (or Samsa's), or one prefixed with a listener. */
export function isKnownBrokerConfig(name: string): boolean {
  return BROKER_CONFIGS.has(name) || (LISTENER_CONFIG.test(name) && BROKER_CONFIGS.has(baseConfigName(name)));
}

/**
 * The broker's configuration: defaults overridden by `--override k=v` (static) and by the dynamic
 * broker configs the controller holds. Typed getters for what the code uses.
 */
export class BrokerConfig {
  /** The static configs, as given. */
  readonly values: ReadonlyMap<string, string>;

  constructor(overrides: Record<string, string> = {}) {
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(overrides)) {
      if (!isKnownBrokerConfig(k)) throw new Error(`Unknown broker config: ${k}`);
      const def = BROKER_CONFIGS.get(baseConfigName(k))!;
      const err = configValueError(def, v);
      if (err) throw new Error(err);
      values.set(k, v);
    }
    // A KRaft broker always has its id, as Kafka's server.properties gives node.id (and Kafka sets
    // broker.id to it): 1 unless --brokers or an override says otherwise, reported as static.
    const given = values.get('node.id') ?? values.get('broker.id');
    const id = given !== undefined && Number(given) >= 0 ? given : '1';
    if (!values.has('node.id')) values.set('node.id', id);
    if (!values.has('broker.id')) values.set('broker.id', values.get('node.id')!);
    this.values = values;
    this.setDynamic('default', {});
  }

  /**
   * A static config the broker takes from its flags rather than its configs (listeners, log.dirs):
   * set once it is known, so DescribeConfigs reports what the broker runs with, as Kafka does.
   */
  setStartup(name: string, value: string): void {
    (this.values as Map<string, string>).set(name, value);
  }

  /** Dynamic broker configs (AlterConfigs): the cluster-wide defaults ('') and this broker's own. */
  private dynamicDefault = new Map<string, string>();
  private readonly dynamicBroker = new Map<string, string>();

  /**
   * Replaces one dynamic layer: 'default' is the resource '', 'broker' this broker's id. The
   * cluster-wide layer always has the configs a Kafka cluster starts with (min.insync.replicas, at
   * the static value), unless set otherwise.
   */
  setDynamic(level: 'default' | 'broker', configs: Record<string, string>): void {
    if (level === 'broker') {
      this.dynamicBroker.clear();
      for (const [k, v] of Object.entries(configs)) this.dynamicBroker.set(k, v);
      return;
    }
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(BOOTSTRAP_CLUSTER_CONFIGS)) m.set(k, this.values.get(k) ?? v);
    for (const [k, v] of Object.entries(configs)) m.set(k, v);
    this.dynamicDefault = m;
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

  /** The value that applies (as Kafka shows it: `TRUE` is `true`, ` 5 ` is `5`), or null. */
  get(name: string): string | null {
    const v = this.lookup(name)?.value ?? BROKER_CONFIGS.get(name)?.default ?? null;
    const def = BROKER_CONFIGS.get(baseConfigName(name));
    return v === null || !def ? v : canonicalValue(def, v);
  }

  private num(name: string): number {
    return Number(this.get(name));
  }

  /**
   * node.id, else broker.id, else 1: Kafka's node.id has no default (a Kafka broker must be given
   * one) and its broker.id default is -1 (none); a Samsa broker started without either is broker 1.
   */
  get nodeId(): number {
    if (this.isSet('node.id')) return this.num('node.id');
    return this.isSet('broker.id') && this.num('broker.id') >= 0 ? this.num('broker.id') : 1;
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
   * The value a topic config inherits from the broker: the first synonym set explicitly, else the
   * first synonym with a default (scaled to the topic's unit), else the topic config's default.
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
  const def = BROKER_CONFIGS.get(brokerName);
  const v = def ? canonicalValue(def, value) : value;
  if (!def?.scale) return v;
  return String(BigInt(v) * BigInt(def.scale));
}

/**
 * The effective value of every topic config for a topic with these overrides (Kafka's shape of
 * each value). `internal.segment.bytes`, Kafka's internal config for small test segments, stands
 * for segment.bytes when set.
 */
export function effectiveTopicConfigs(broker: BrokerConfig, overrides: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, def] of TOPIC_CONFIGS) {
    const own = overrides[name];
    out[name] = own !== undefined ? canonicalValue(def, own) : (broker.topicDefault(name).value ?? '');
  }
  if (overrides['internal.segment.bytes'] !== undefined) out['segment.bytes'] = out['internal.segment.bytes']!;
  return out;
}
