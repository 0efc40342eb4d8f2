// DescribeConfigs (v1–4) for topics, brokers, the cluster-wide broker defaults (''), broker
// loggers and groups (KIP-848's GROUP resource, core/broker/config-group.ts): values, sources, synonyms, types and documentation, as Kafka reports them
// (core/broker/config-describe.ts), with Kafka's checks of the resource names.
import {
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResult,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  decodeDescribeConfigsRequest,
  encodeDescribeConfigsResponse,
  type DescribeConfigsResponseInput,
} from '../../protocol/messages/describe-configs.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiEntry, HandlerContext } from './context.ts';
import { invalidTopicNameMessage } from '../configs.ts';
import { brokerConfigEntries, topicConfigEntries, type ConfigEntry } from '../config-describe.ts';
import { describeLoggersError, loggerEntries } from '../broker-loggers.ts';
import { groupConfigEntries } from '../config-group.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

/** Kafka's ConfigResource.Type ids. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, GROUP: 32 } as const;

type Entry = DescribeConfigsResponseDescribeConfigsResourceResult;
type Result = DescribeConfigsResponseDescribeConfigsResult;

/** The entries of one resource, or its error. */
function describe(
  broker: HandlerContext,
  type: number,
  name: string,
): ConfigEntry[] | Pick<Result, 'errorCode' | 'errorMessage'> {
  const error = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage });
  switch (type) {
    case ResourceType.TOPIC: {
      const invalid = invalidTopicNameMessage(name);
      if (invalid) return error(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
      const t = broker.topics.get(name);
      if (!t) return error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, '');
      return topicConfigEntries(broker.config, t.configs);
    }
    case ResourceType.BROKER:
      if (name === '') return brokerConfigEntries(broker.config, false);
      if (!/^[+-]?\d+$/.test(name)) {
        return error(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
      }
      if (Number(name) !== broker.brokerId) {
        return error(
          ErrorCode.INVALID_REQUEST,
          `Unexpected broker id, expected ${broker.brokerId} or empty string, but received ${name}`,
        );
      }
      return brokerConfigEntries(broker.config, true);
    case ResourceType.BROKER_LOGGER:
      return describeLoggersError(name, broker.brokerId) ?? loggerEntries(broker);
    case ResourceType.GROUP:
      if (name === '') return error(ErrorCode.INVALID_REQUEST, 'Group name must not be empty');
      return groupConfigEntries(broker.config, broker.image.groupConfigs.get(name) ?? {});
    default:
      return error(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${type}`);
  }
}

export function handleDescribeConfigs(broker: HandlerContext, req: DescribeConfigsRequest): DescribeConfigsResponse {
  const results = req.resources.map((res): Result => {
    const out = {
      errorCode: ErrorCode.NONE as number,
      errorMessage: '' as string | null,
      resourceType: res.resourceType,
      resourceName: res.resourceName,
      configs: [] as Entry[],
    } as Result;
    const found = describe(broker, res.resourceType, res.resourceName);
    if (!Array.isArray(found)) return { ...out, ...found };
    const keys = res.configurationKeys === null ? null : new Set(res.configurationKeys);
    for (const e of found) {
      if (keys && !keys.has(e.name)) continue;
      out.configs.push({
        name: e.name,
        value: e.value,
        readOnly: e.readOnly,
        isDefault: false,
        configSource: e.source,
        isSensitive: e.sensitive,
        synonyms: req.includeSynonyms ? e.synonyms : [],
        configType: e.type,
        documentation: req.includeDocumentation || res.resourceType === ResourceType.BROKER_LOGGER ? e.doc : null,
      } as Entry);
    }
    return out;
  });
  return { throttleTimeMs: 0, results } as DescribeConfigsResponse;
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
