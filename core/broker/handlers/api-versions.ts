// ApiVersions (key 18): the versions this broker serves, and (v3+) its
// feature levels. Clients pick versions from this; KIP-511 adds the client's
// software name/version (v3+), which must match Kafka's allowed pattern.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type ApiVersionsRequest,
  type ApiVersionsResponseInput as ApiVersionsResponse,
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from '../../protocol/messages/api-versions.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

/**
 * Kafka 4.0's metadata.version range (3.3-IV3 = 7 … 4.0-IV3 = 25). Clients
 * read `metadata.version` from the finalized features; we advertise no
 * transaction.version/group.version, so clients keep Produce ≤ v11 and the
 * classic group protocol (KIP-890, KIP-848).
 */
const METADATA_VERSION_MIN = 7;
const METADATA_VERSION_LEVEL = 25;

/** group.version 1: the consumer group protocol (KIP-848) is enabled; clients read it before using ConsumerGroupHeartbeat. */
const GROUP_VERSION_SUPPORTED = { name: 'group.version', minVersion: 0, maxVersion: 1 };
const GROUP_VERSION_FINALIZED = { name: 'group.version', maxVersionLevel: 1, minVersionLevel: 1 };

/** KIP-511: client software name and version must match this. */
const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export function apiVersionsList(broker: HandlerContext): NonNullable<ApiVersionsResponse['apiKeys']> {
  return broker.apis.entries().map((e) => ({ apiKey: e.apiKey, minVersion: e.min, maxVersion: e.max }));
}

/** The v0 answer to an ApiVersions request with a version we don't serve. */
export function unsupportedApiVersionsResponse(broker: HandlerContext): ApiVersionsResponse {
  return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: apiVersionsList(broker) };
}

export function handleApiVersions(
  broker: HandlerContext,
  req: ApiVersionsRequest,
  version: number,
  _ctx: RequestContext,
): ApiVersionsResponse {
  let errorCode: number = ErrorCode.NONE;
  if (version >= 3) {
    const name = req.clientSoftwareName ?? '';
    const ver = req.clientSoftwareVersion ?? '';
    if (!SOFTWARE_PATTERN.test(name) || !SOFTWARE_PATTERN.test(ver)) errorCode = ErrorCode.INVALID_REQUEST;
  }
  const resp: ApiVersionsResponse = {
    errorCode,
    // Kafka answers an invalid request with the error alone, no version list.
    apiKeys: errorCode === ErrorCode.NONE ? apiVersionsList(broker) : [],
    throttleTimeMs: 0,
  };
  if (version >= 3) {
    resp.supportedFeatures = [
      { name: 'metadata.version', minVersion: METADATA_VERSION_MIN, maxVersion: METADATA_VERSION_LEVEL },
      GROUP_VERSION_SUPPORTED,
    ];
    resp.finalizedFeaturesEpoch = 0;
    resp.finalizedFeatures = [
      { name: 'metadata.version', maxVersionLevel: METADATA_VERSION_LEVEL, minVersionLevel: METADATA_VERSION_LEVEL },
      GROUP_VERSION_FINALIZED,
    ];
    resp.zkMigrationReady = false;
  }
  return resp;
}

export const apiVersionsApi: ApiEntry<ApiVersionsRequest, ApiVersionsResponse> = {
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  min: 0,
  max: 4,
  decodeRequest: decodeApiVersionsRequest,
  encodeResponse: encodeApiVersionsResponse,
  handle: handleApiVersions,
};
