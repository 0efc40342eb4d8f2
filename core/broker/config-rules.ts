// The rules Kafka applies to a whole set of configs, with Kafka's messages: a topic's overrides
// (LogConfig.validate: the names, then each value in definition order, then the rules between
// values and the broker's) and a resource's dynamic broker configs (DynamicBrokerConfig's
// validateConfigs: configs that are not dynamic, security configs without a listener prefix,
// each value, per-broker configs at the cluster level; then the reconfiguration checks of the
// thread pools).
import { BROKER_CONFIGS, LISTENER_CONFIG, TOPIC_CONFIGS, baseConfigName } from './config-defs.ts';
import { DYNAMIC_CHECK_ORDER, PER_LISTENER_ONLY } from './config-defs.generated.ts';
import { canonicalValue, configValueError, javaHashOrder, javaList } from './config-values.ts';
import type { BrokerConfig } from './configs.ts';

/** What a broker config resolves to, for the rules that compare a new value with the current one. */
export type CurrentValue = (name: string) => string | null;

/**
 * Validates a topic's complete set of overrides (CreateTopics, and AlterConfigs after its own
 * null check); returns Kafka's message (INVALID_CONFIG) or null. `broker` gives the values a topic
 * falls back to (for the rules between values) and remote.log.storage.system.enable.
 */
export function topicConfigsError(configs: Record<string, string | null>, broker?: BrokerConfig): string | null {
  const nulls = Object.keys(configs).filter((k) => configs[k] === null);
  if (nulls.length > 0) return `Null value not supported for topic configs: ${nulls.join(',')}`;
  const unknown = javaHashOrder(Object.keys(configs)).find((k) => !TOPIC_CONFIGS.has(k));
  if (unknown !== undefined) return `Unknown topic config name: ${unknown}`;
  for (const [name, def] of TOPIC_CONFIGS) {
    const v = configs[name];
    if (v === undefined || v === null) continue;
    const err = configValueError(def, v, { duplicatesAllowed: true });
    if (err) return err;
  }
  const effective = (name: string): bigint | null => {
    const own = configs[name];
    const v =
      own != null
        ? canonicalValue(TOPIC_CONFIGS.get(name)!, own)
        : (broker?.topicDefault(name).value ?? TOPIC_CONFIGS.get(name)!.default);
    return v === null ? null : BigInt(v);
  };
  const minLag = effective('min.compaction.lag.ms');
  const maxLag = effective('max.compaction.lag.ms');
  if (minLag !== null && maxLag !== null && minLag > maxLag) {
    return `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`;
  }
  const remote = configs['remote.storage.enable'];
  if (remote != null && canonicalValue(TOPIC_CONFIGS.get('remote.storage.enable')!, remote) === 'true') {
    if ((broker?.get('remote.log.storage.system.enable') ?? 'false') !== 'true') {
      return 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.';
    }
  }
  return null;
}

/** The thread pools Kafka resizes at runtime, each by at most double or half its current size. */
const THREAD_POOLS = new Set([
  'num.io.threads',
  'num.network.threads',
  'num.replica.fetchers',
  'num.recovery.threads.per.data.dir',
  'background.threads',
  'remote.log.reader.threads',
  'remote.log.manager.copier.thread.pool.size',
  'remote.log.manager.expiration.thread.pool.size',
  'remote.log.manager.follower.thread.pool.size',
]);

/** How Kafka reports a failed reconfiguration check (a ConfigException wrapped in another). */
const reconfigurationError = (why: string) =>
  `Invalid value org.apache.kafka.common.config.ConfigException: ${why} for configuration Invalid dynamic configuration`;

/**
 * Validates a resource's complete set of dynamic broker configs as Kafka does (Kafka answers
 * INVALID_REQUEST with the message). `perBroker`: a broker's own configs (false: the cluster-wide
 * defaults). Names Kafka does not know are taken as they are (custom configs), as are configs
 * prefixed with a listener whose base config is not dynamic.
 */
export function brokerConfigsError(
  configs: Record<string, string>,
  perBroker: boolean,
  current: CurrentValue,
): string | null {
  const names = Object.keys(configs);
  const fixed = names.filter((n) => BROKER_CONFIGS.get(n)?.readOnly === true);
  if (fixed.length > 0) return `Cannot update these configs dynamically: ${javaList(javaHashOrder(fixed))}`;
  const unprefixed = names.filter((n) => PER_LISTENER_ONLY.includes(n));
  if (unprefixed.length > 0) {
    return `These security configs can be dynamically updated only per-listener using the listener prefix: ${javaList(javaHashOrder(unprefixed))}`;
  }
  for (const dynamicName of DYNAMIC_CHECK_ORDER) {
    const def = BROKER_CONFIGS.get(dynamicName)!;
    for (const n of names) {
      if (baseConfigName(n) !== dynamicName) continue;
      const err = configValueError(def, configs[n]!);
      if (err) return err;
    }
  }
  if (!perBroker) {
    const own = names.filter((n) => LISTENER_CONFIG.test(n) || BROKER_CONFIGS.get(n)?.dynamic === 'per-broker');
    if (own.length > 0) {
      return `Cannot update these configs at default cluster level, broker id must be specified: ${javaList(javaHashOrder(own))}`;
    }
  }
  for (const n of names) {
    if (!THREAD_POOLS.has(n) && n !== 'log.cleaner.threads') continue;
    const now = current(n);
    if (now === null) continue;
    const next = Number(canonicalValue(BROKER_CONFIGS.get(n)!, configs[n]!));
    const cur = Number(now);
    if (THREAD_POOLS.has(n)) {
      const why = `Dynamic thread count update validation failed for ${n}=${next}, value should`;
      if (next > cur * 2) return reconfigurationError(`${why} not be greater than double the current value ${cur}`);
      if (next < Math.trunc(cur / 2)) return reconfigurationError(`${why} be at least half the current value ${cur}`);
    } else if (next > cur * 2) {
      return reconfigurationError(
        `Log cleaner threads cannot be increased to more than double the current value ${cur}`,
      );
    }
  }
  return null;
}
