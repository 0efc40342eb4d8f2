// The APIs this broker serves: api key → version range, codecs, handler.
// ApiVersions advertises exactly this table; later features register more
// entries (`table.register(...)`).

import type { Reader } from '../protocol/reader.ts';
import type { Writer } from '../protocol/writer.ts';
import type { Broker } from './broker.ts';
import type { Connection } from './connection.ts';
import { ApiKey } from '../protocol/messages/api-keys.ts';
import { decodeApiVersionsRequest, encodeApiVersionsResponse } from '../protocol/messages/api-versions.ts';
import { decodeMetadataRequest, encodeMetadataResponse } from '../protocol/messages/metadata.ts';
import { decodeProduceRequest, encodeProduceResponse } from '../protocol/messages/produce.ts';
import type { ProduceRequest, ProduceResponseInput as ProduceResponse } from '../protocol/messages/produce.ts';
import { decodeFetchRequest, encodeFetchResponse } from '../protocol/messages/fetch.ts';
import { decodeListOffsetsRequest, encodeListOffsetsResponse } from '../protocol/messages/list-offsets.ts';
import { handleApiVersions } from './handlers/api-versions.ts';
import { handleMetadata } from './handlers/metadata.ts';
import { handleProduce } from './handlers/produce.ts';
import { handleFetch } from './handlers/fetch.ts';
import { handleListOffsets } from './handlers/list-offsets.ts';
import {
  decodeOffsetForLeaderEpochRequest,
  encodeOffsetForLeaderEpochResponse,
} from '../protocol/messages/offset-for-leader-epoch.ts';
import { handleOffsetForLeaderEpoch } from './handlers/offset-for-leader-epoch.ts';
import { decodeCreateTopicsRequest, encodeCreateTopicsResponse } from '../protocol/messages/create-topics.ts';
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse } from '../protocol/messages/delete-topics.ts';
import { decodeDescribeConfigsRequest, encodeDescribeConfigsResponse } from '../protocol/messages/describe-configs.ts';
import { handleCreateTopics } from './handlers/create-topics.ts';
import { handleDeleteTopics } from './handlers/delete-topics.ts';
import { handleDescribeConfigs } from './handlers/describe-configs.ts';
import { registerGroupApis } from './group/apis.ts';
import { registerAdminApis } from './admin-apis.ts';
import { registerProducerApis } from './producer/apis.ts';

export interface RequestContext {
  conn: Connection;
  correlationId: number;
  clientId: string | null;
  apiKey: number;
  apiVersion: number;
}

export interface ApiEntry<Req = any, Res = any> {
  apiKey: number;
  name: string;
  /** Lowest and highest version advertised and decoded. */
  min: number;
  max: number;
  decodeRequest(r: Reader, version: number): Req;
  encodeResponse(w: Writer, version: number, m: Res): void;
  handle(broker: Broker, req: Req, version: number, ctx: RequestContext): Res | Promise<Res>;
  /** True when this request gets no response (Produce with acks=0). */
  noResponse?(req: Req): boolean;
  /**
   * For a request without a response: true when its outcome must close the
   * connection, the only way to tell the client something went wrong.
   */
  closeWhenUnanswered?(res: Res): boolean;
  /**
   * The response sent when `handle` fails unexpectedly, with every error code
   * set to `code`; defaults to the one in error-responses.ts for this api key.
   * Without either, the connection is closed.
   */
  errorResponse?(req: Req, code: number, version: number): Res;
}

export class ApiTable {
  private readonly byKey = new Map<number, ApiEntry>();

  register<Req, Res>(entry: ApiEntry<Req, Res>): this {
    this.byKey.set(entry.apiKey, entry as ApiEntry);
    return this;
  }

  /** Lets a feature module add its entries. */
  registerAll(fn: (table: ApiTable) => void): this {
    fn(this);
    return this;
  }

  get(apiKey: number): ApiEntry | undefined {
    return this.byKey.get(apiKey);
  }

  /** Entries sorted by api key. */
  entries(): ApiEntry[] {
    return [...this.byKey.values()].sort((a, b) => a.apiKey - b.apiKey);
  }
}

/** The data-path APIs (Kafka 4.0 version floors, KIP-896). */
export function createApiTable(): ApiTable {
  return new ApiTable()
    .register({
      apiKey: ApiKey.Produce,
      name: 'Produce',
      min: 0,
      max: 11,
      decodeRequest: decodeProduceRequest,
      encodeResponse: encodeProduceResponse,
      handle: handleProduce,
      noResponse: (req: ProduceRequest) => req.acks === 0,
      // Kafka closes an acks=0 producer's connection when its produce failed.
      closeWhenUnanswered: (res: ProduceResponse) =>
        (res.responses ?? []).some((t) => (t.partitionResponses ?? []).some((p) => (p.errorCode ?? 0) !== 0)),
    })
    .register({
      apiKey: ApiKey.Fetch,
      name: 'Fetch',
      min: 4,
      max: 17,
      decodeRequest: decodeFetchRequest,
      encodeResponse: encodeFetchResponse,
      handle: handleFetch,
    })
    .register({
      apiKey: ApiKey.ListOffsets,
      name: 'ListOffsets',
      min: 1,
      max: 8,
      decodeRequest: decodeListOffsetsRequest,
      encodeResponse: encodeListOffsetsResponse,
      handle: handleListOffsets,
    })
    .register({
      apiKey: ApiKey.OffsetForLeaderEpoch,
      name: 'OffsetForLeaderEpoch',
      min: 2,
      max: 4,
      decodeRequest: decodeOffsetForLeaderEpochRequest,
      encodeResponse: encodeOffsetForLeaderEpochResponse,
      handle: handleOffsetForLeaderEpoch,
    })
    .register({
      apiKey: ApiKey.Metadata,
      name: 'Metadata',
      min: 0,
      max: 12,
      decodeRequest: decodeMetadataRequest,
      encodeResponse: encodeMetadataResponse,
      handle: handleMetadata,
    })
    .register({
      apiKey: ApiKey.ApiVersions,
      name: 'ApiVersions',
      min: 0,
      max: 4,
      decodeRequest: decodeApiVersionsRequest,
      encodeResponse: encodeApiVersionsResponse,
      handle: handleApiVersions,
    })
    .register({
      apiKey: ApiKey.CreateTopics,
      name: 'CreateTopics',
      min: 2,
      max: 7,
      decodeRequest: decodeCreateTopicsRequest,
      encodeResponse: encodeCreateTopicsResponse,
      handle: handleCreateTopics,
    })
    .register({
      apiKey: ApiKey.DeleteTopics,
      name: 'DeleteTopics',
      min: 1,
      max: 6,
      decodeRequest: decodeDeleteTopicsRequest,
      encodeResponse: encodeDeleteTopicsResponse,
      handle: handleDeleteTopics,
    })
    .register({
      apiKey: ApiKey.DescribeConfigs,
      name: 'DescribeConfigs',
      min: 1,
      max: 4,
      decodeRequest: decodeDescribeConfigsRequest,
      encodeResponse: encodeDescribeConfigsResponse,
      handle: handleDescribeConfigs,
    })
    .registerAll(registerGroupApis)
    .registerAll(registerAdminApis)
    .registerAll(registerProducerApis);
}
