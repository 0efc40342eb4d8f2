// What a request handler may use of its broker (HandlerContext, which Broker implements), the
// per-request context, and the shape of an API's entry in the table (ApiEntry). Each
// handlers/<api>.ts exports its whole entry beside its handler: key, versions, codecs, whether a
// request goes unanswered, and the response sent when the handler fails; core/broker/api-table.ts
// lists them. The start-up rule holds: nothing here imports protocol/messages/index.ts.
import type { Reader } from '../../protocol/reader.ts';
import type { Writer } from '../../protocol/writer.ts';
import type { MetadataImage } from '../../metadata/image.ts';
import type { ForwardContext } from '../../metadata/controller-channel.ts';
import type { BrokerConfig } from '../configs.ts';
import type { Connection } from '../connection.ts';
import type { DelayedFetchPurgatory } from '../delayed-fetch.ts';
import type { GroupCoordinator } from '../group/coordinator.ts';
import type { Replication } from '../replication.ts';
import type { TopicManager } from '../topic-manager.ts';

/** The broker's log manager as handlers see it. */
export interface LogManagerLike {
  close(): Promise<void> | void;
  /** Writes the broker-level checkpoint files (log start offsets after DeleteRecords). */
  checkpoint?(): Promise<void>;
  /** The broker's log directory. */
  readonly dir?: string;
}

/** The broker as a request handler sees it. */
export interface HandlerContext {
  readonly brokerId: number;
  /** Assigned by the controller at each registration; -1 before. */
  readonly brokerEpoch: number;
  readonly clusterId: string;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly dataDir: string;
  readonly config: BrokerConfig;
  /** Whether the topics come from the controller's metadata (false with injected topics, in tests). */
  readonly hasMetadata: boolean;
  /** True once the broker began to stop. */
  readonly stopping: boolean;
  /** The cluster metadata as this broker last applied it. */
  readonly image: MetadataImage;
  /** The topics, with the partitions this broker hosts. */
  readonly topics: TopicManager;
  readonly logs: LogManagerLike | undefined;
  readonly replication: Replication;
  readonly groups: GroupCoordinator;
  /** Fetches parked until data arrives (the long poll). */
  readonly purgatory: DelayedFetchPurgatory;
  /** The APIs and versions this broker serves (ApiVersions). */
  readonly apis: { entries(): readonly Pick<ApiEntry, 'apiKey' | 'min' | 'max'>[] };
  /** A fresh producer id for InitProducerId: from blocks the controller allocates (AllocateProducerIds). */
  nextProducerId(): Promise<number>;
  /** A partition's log or high watermark moved: wakes the fetches parked on it. */
  partitionChanged(topicId: string, partition: number): void;
  /** Sends an admin request to the controller (Kafka's forwarding); rejects when it cannot be reached in time. */
  forward(apiKey: number, version: number, request: unknown, ctx: ForwardContext, timeoutMs?: number): Promise<unknown>;
  log(msg: string): void;
}

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
  handle(broker: HandlerContext, req: Req, version: number, ctx: RequestContext): Res | Promise<Res>;
  /** True when this request gets no response (Produce with acks=0). */
  noResponse?(req: Req): boolean;
  /**
   * For a request without a response: true when its outcome must close the
   * connection, the only way to tell the client something went wrong.
   */
  closeWhenUnanswered?(res: Res): boolean;
  /**
   * The response sent when `handle` fails unexpectedly, with every error code set to `code`
   * (Kafka answers such a request with UNKNOWN_SERVER_ERROR everywhere, so the client sees an
   * error it understands and the connection stays usable). Without one, the connection is closed.
   */
  errorResponse?(req: Req, code: number, version: number): Res;
}
