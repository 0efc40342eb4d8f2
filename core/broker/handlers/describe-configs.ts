// DescribeConfigs (v1–4) for topics and brokers: values, sources, synonyms,
// types and documentation, as Kafka reports them.
import {
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResult,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  type DescribeConfigsResponseDescribeConfigsSynonym,
  decodeDescribeConfigsRequest,
  encodeDescribeConfigsResponse,
  type DescribeConfigsResponseInput,
} from '../../protocol/messages/describe-configs.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiEntry, HandlerContext } from './context.ts';
import { BROKER_CONFIGS, ConfigSource, ConfigTypeId, TOPIC_CONFIGS, type ConfigDef } from '../configs.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

type Entry = DescribeConfigsResponseDescribeConfigsResourceResult;
type Synonym = DescribeConfigsResponseDescribeConfigsSynonym;

export function handleDescribeConfigs(
  broker: HandlerContext,
  req: DescribeConfigsRequest,
  version: number,
): DescribeConfigsResponse {
  const results: DescribeConfigsResponseDescribeConfigsResult[] = req.resources.map((res) => {
    const out = {
      errorCode: 0,
      errorMessage: null,
      resourceType: res.resourceType,
      resourceName: res.resourceName,
      configs: [] as Entry[],
    } as DescribeConfigsResponseDescribeConfigsResult;
    const keys = res.configurationKeys === null ? null : new Set(res.configurationKeys);
    if (res.resourceType === ResourceType.TOPIC) {
      const t = broker.topics.get(res.resourceName);
      if (!t) {
        out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        out.errorMessage = `Topic ${res.resourceName} does not exist.`;
        return out;
      }
      for (const def of TOPIC_CONFIGS.values()) {
        if (keys && !keys.has(def.name)) continue;
        const inherited = broker.config.topicDefault(def.name);
        const own = t.configs[def.name];
        const synonyms: Synonym[] = [];
        if (own !== undefined) synonyms.push({ name: def.name, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
        for (const s of def.synonyms) synonyms.push(...brokerSynonyms(broker, s));
        out.configs.push(
          entry(
            def,
            own ?? inherited.value,
            own !== undefined ? ConfigSource.DYNAMIC_TOPIC_CONFIG : inherited.source,
            false,
            synonyms,
            req.includeSynonyms,
            req.includeDocumentation,
            version,
          ),
        );
      }
    } else if (res.resourceType === ResourceType.BROKER) {
      if (res.resourceName !== '' && res.resourceName !== String(broker.brokerId)) {
        out.errorCode = ErrorCode.INVALID_REQUEST;
        out.errorMessage = `Unexpected broker id, expected ${broker.brokerId} or empty string, but received ${res.resourceName}`;
        return out;
      }
      // The cluster-wide default resource ('') lists only the dynamic defaults.
      if (res.resourceName === '') {
        for (const [name, value] of broker.config.dynamic('default')) {
          const def = BROKER_CONFIGS.get(name);
          if (!def || (keys && !keys.has(name))) continue;
          out.configs.push(
            entry(
              def,
              value,
              ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
              def.readOnly ?? false,
              [{ name, value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }],
              req.includeSynonyms,
              req.includeDocumentation,
              version,
            ),
          );
        }
        return out;
      }
      for (const def of BROKER_CONFIGS.values()) {
        if (keys && !keys.has(def.name)) continue;
        const found = broker.config.lookup(def.name);
        out.configs.push(
          entry(
            def,
            broker.config.get(def.name),
            found?.source ?? ConfigSource.DEFAULT_CONFIG,
            def.readOnly ?? false,
            brokerSynonyms(broker, def.name),
            req.includeSynonyms,
            req.includeDocumentation,
            version,
          ),
        );
      }
    } else {
      out.errorCode = ErrorCode.INVALID_REQUEST;
      out.errorMessage = `Unsupported resource type ${res.resourceType}`;
    }
    return out;
  });
  return { throttleTimeMs: 0, results } as DescribeConfigsResponse;
}

/** A broker config's values from every layer that has one: dynamic broker, dynamic default, static, default. */
function brokerSynonyms(broker: HandlerContext, name: string): Synonym[] {
  const out: Synonym[] = [];
  const dyn = broker.config.dynamic('broker').get(name);
  if (dyn !== undefined) out.push({ name, value: dyn, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
  const dflt = broker.config.dynamic('default').get(name);
  if (dflt !== undefined) out.push({ name, value: dflt, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
  if (broker.config.isSet(name))
    out.push({ name, value: broker.config.values.get(name)!, source: ConfigSource.STATIC_BROKER_CONFIG });
  const d = BROKER_CONFIGS.get(name)?.default;
  if (d !== undefined && d !== null) out.push({ name, value: d, source: ConfigSource.DEFAULT_CONFIG });
  return out;
}

function entry(
  def: ConfigDef,
  value: string | null,
  source: number,
  readOnly: boolean,
  synonyms: Synonym[],
  includeSynonyms: boolean,
  includeDocumentation: boolean,
  version: number,
): Entry {
  return {
    name: def.name,
    value: def.sensitive ? null : value,
    readOnly,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    configSource: source,
    isSensitive: def.sensitive ?? false,
    synonyms: includeSynonyms && version >= 1 ? synonyms : [],
    configType: ConfigTypeId[def.type],
    documentation: includeDocumentation ? def.doc : null,
  } as Entry;
}

export const describeConfigsApi: ApiEntry<DescribeConfigsRequest, DescribeConfigsResponseInput> = {
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  min: 1,
  max: 4,
  decodeRequest: decodeDescribeConfigsRequest,
  encodeResponse: encodeDescribeConfigsResponse,
  handle: handleDescribeConfigs,
  errorResponse: (req, errorCode) => ({
    results: req.resources.map((r) => ({
      errorCode,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    })),
  }),
};
