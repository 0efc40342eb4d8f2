// What DescribeConfigs (and CreateTopics v5+) report of each config, as Kafka's ConfigHelper
// computes it. A broker lists every Kafka broker config that is not internal, plus every name set
// on it (statically or dynamically: Kafka's internal configs, listener-prefixed configs, custom
// names, the dynamic-only quotas); a topic lists every topic config that is not internal, plus
// its own overrides. A config's synonyms are its values in each layer — this broker's dynamic
// configs, the cluster-wide dynamic defaults, the static configs, Kafka's defaults — for each of
// its synonym names, dropping those before the config's own name; its source is the first
// synonym's (DEFAULT_CONFIG when none). So `retention.ms` with only `log.retention.hours` set
// lists no synonym and has the DEFAULT_CONFIG source, as in Kafka. A config of unknown type
// (a custom name) is treated as sensitive: no value.
import {
  BROKER_CONFIGS,
  ConfigSource,
  ConfigTypeId,
  LISTENER_CONFIG,
  TOPIC_CONFIGS,
  type ConfigDef,
  type ConfigType,
} from './config-defs.ts';
import { canonicalValue } from './config-values.ts';
import type { BrokerConfig } from './configs.ts';

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  sensitive: boolean;
  /** Kafka's ConfigType id; 0 (UNKNOWN) for a name Kafka does not know. */
  type: number;
  synonyms: ConfigSynonym[];
  /** Kafka's documentation of the config, or null. */
  doc: string | null;
}

/** Kafka's mechanism-specific listener configs (listener.name.<l>.<mechanism>.<config>). */
const LISTENER_MECHANISM_CONFIGS = [
  'sasl.jaas.config',
  'sasl.login.callback.handler.class',
  'sasl.login.class',
  'sasl.server.callback.handler.class',
  'connections.max.reauth.ms',
];

/** Kafka's brokerConfigSynonyms(name, matchListenerOverride = true). */
function synonymNames(name: string): readonly string[] {
  const def = BROKER_CONFIGS.get(name);
  if (def) return def.synonyms;
  const m = LISTENER_CONFIG.exec(name);
  if (!m) return [name];
  const base = m[1]!;
  return [name, LISTENER_MECHANISM_CONFIGS.find((c) => base.endsWith(c)) ?? base];
}

/** The type of a broker config name: its own, else its synonyms' (a listener-prefixed name's base config). */
function brokerType(name: string): ConfigType | undefined {
  for (const n of [name, ...synonymNames(name)]) {
    const t = BROKER_CONFIGS.get(n)?.type;
    if (t) return t;
  }
  return undefined;
}

/** Kafka's default of every KafkaConfig (its staticDefaultConfigs layer). */
const DEFAULTS: ReadonlyMap<string, string> = new Map(
  [...BROKER_CONFIGS.values()].filter((d) => !d.dynamicOnly && d.default !== null).map((d) => [d.name, d.default!]),
);

/** Kafka's configSynonyms: every layer's value of each synonym name, from the config's own name on. */
function layerSynonyms(config: BrokerConfig, name: string, sensitive: boolean, perBroker: boolean): ConfigSynonym[] {
  const names = synonymNames(name);
  const layers: [ReadonlyMap<string, string>, number][] = [
    [config.dynamic('broker'), ConfigSource.DYNAMIC_BROKER_CONFIG],
    [config.dynamic('default'), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    [config.values, ConfigSource.STATIC_BROKER_CONFIG],
    [DEFAULTS, ConfigSource.DEFAULT_CONFIG],
  ];
  const all: ConfigSynonym[] = [];
  for (const [values, source] of layers) {
    for (const n of names) {
      const v = values.get(n);
      if (v !== undefined) all.push({ name: n, value: sensitive ? null : v, source });
    }
  }
  const from = all.findIndex((s) => s.name === name);
  const list = from < 0 ? [] : all.slice(from);
  // The cluster-wide defaults ('') list only their own layer, as Kafka does.
  return perBroker ? list : list.filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
}

function shown(def: ConfigDef | undefined, value: string | null): string | null {
  return value === null || !def ? value : canonicalValue(def, value);
}

function brokerEntry(config: BrokerConfig, name: string, value: string | null, perBroker: boolean): ConfigEntry {
  const type = brokerType(name);
  const sensitive = type === undefined || type === 'password';
  const synonyms = layerSynonyms(config, name, sensitive, perBroker);
  const def = BROKER_CONFIGS.get(name);
  return {
    name,
    value: sensitive ? null : shown(def, value),
    readOnly: def?.dynamic === undefined,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    sensitive,
    type: type ? ConfigTypeId[type] : 0,
    synonyms,
    doc: def && !def.dynamicOnly ? def.doc : null,
  };
}

/** A broker's configs (`perBroker`), or the cluster-wide dynamic defaults (the resource ''). */
export function brokerConfigEntries(config: BrokerConfig, perBroker: boolean): ConfigEntry[] {
  if (!perBroker) {
    return [...config.dynamic('default')].map(([name, value]) => brokerEntry(config, name, value, false));
  }
  const names = new Set<string>();
  for (const d of BROKER_CONFIGS.values()) if (!d.hidden) names.add(d.name);
  for (const layer of [config.values, config.dynamic('default'), config.dynamic('broker')]) {
    for (const n of layer.keys()) names.add(n);
  }
  return [...names].map((n) =>
    brokerEntry(config, n, config.lookup(n)?.value ?? BROKER_CONFIGS.get(n)?.default ?? null, true),
  );
}

/** A topic's configs, with these overrides. */
export function topicConfigEntries(config: BrokerConfig, overrides: Readonly<Record<string, string>>): ConfigEntry[] {
  const names = new Set<string>();
  for (const d of TOPIC_CONFIGS.values()) if (!d.hidden) names.add(d.name);
  for (const n of Object.keys(overrides)) names.add(n);
  return [...names].map((name) => {
    const def = TOPIC_CONFIGS.get(name);
    const sensitive = !def || def.sensitive;
    const own = overrides[name];
    const value = sensitive ? null : own !== undefined ? shown(def, own) : config.topicDefault(name).value;
    const synonyms: ConfigSynonym[] =
      own !== undefined ? [{ name, value, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }] : [];
    const primary = def?.synonyms[0];
    if (primary) synonyms.push(...layerSynonyms(config, primary, sensitive, true));
    return {
      name,
      value,
      readOnly: false,
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      sensitive,
      type: def ? ConfigTypeId[def.type] : 0,
      synonyms,
      doc: def?.doc ?? null,
    };
  });
}
