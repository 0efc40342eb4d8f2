// The ControllerChannel of a broker process: one TCP connection to the
// controller's loopback listener (core/cluster/controller-server.ts), Kafka
// framing and Kafka's own RPCs — BrokerRegistration, BrokerHeartbeat,
// AlterPartition, AllocateProducerIds, Envelope for forwarded admin requests —
// plus Samsa's metadata long poll (SAMSA_METADATA_FETCH_KEY, a JSON body).
//
// Requests are matched to responses by correlation id (the controller answers
// a long poll after later requests). When the connection drops, the calls in
// flight reject; the next call reconnects, retrying with backoff for up to
// `connectTimeoutMs` (the controller may be restarting). After a reconnect the
// broker has to register again (the controller's sessions do not survive it);
// `onReconnect` says when.
import net from 'node:net';
import type { MetadataDelta } from '../metadata/types.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import { decodeResponseHeader, encodeRequestHeader, responseHeaderVersion } from '../protocol/header.ts';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import * as ap from '../protocol/messages/alter-partition.ts';
import * as apid from '../protocol/messages/allocate-producer-ids.ts';
import * as bh from '../protocol/messages/broker-heartbeat.ts';
import * as br from '../protocol/messages/broker-registration.ts';
import * as env from '../protocol/messages/envelope.ts';
import * as ac from '../protocol/messages/alter-configs.ts';
import * as apr from '../protocol/messages/alter-partition-reassignments.ts';
import * as cp from '../protocol/messages/create-partitions.ts';
import * as ct from '../protocol/messages/create-topics.ts';
import * as dt from '../protocol/messages/delete-topics.ts';
import * as el from '../protocol/messages/elect-leaders.ts';
import * as iac from '../protocol/messages/incremental-alter-configs.ts';
import * as lpr from '../protocol/messages/list-partition-reassignments.ts';
import { FrameParser } from './frame-parser.ts';
import type {
  BrokerRegistration,
  ControllerChannel,
  ForwardContext,
  HeartbeatRequest,
  HeartbeatResponse,
} from '../metadata/controller-channel.ts';

/**
 * Samsa's metadata long poll on the controller listener: an API key outside
 * Kafka's range, version 0, request header v1, response header v0. Both bodies
 * are one int32-length byte string holding JSON: the request
 * `{ brokerId, brokerEpoch, fromSeq, maxWaitMs }`, the response a MetadataDelta.
 */
export const SAMSA_METADATA_FETCH_KEY = 20_000;

/** The API versions this client speaks (the server accepts every version of the codecs). */
export const ControllerApiVersion = {
  AlterPartition: 3,
  Envelope: 0,
  BrokerRegistration: 4,
  BrokerHeartbeat: 1,
  AllocateProducerIds: 0,
} as const;

interface Codec {
  encodeRequest: (w: Writer, version: number, m: never) => void;
  decodeRequest: (r: Reader, version: number) => unknown;
  encodeResponse: (w: Writer, version: number, m: never) => void;
  decodeResponse: (r: Reader, version: number) => unknown;
  versions: { min: number; max: number };
}

/** The admin APIs a broker forwards to the controller, by API key. */
export const FORWARDED_CODECS: ReadonlyMap<number, Codec> = new Map<number, Codec>([
  [
    19,
    {
      encodeRequest: ct.encodeCreateTopicsRequest,
      decodeRequest: ct.decodeCreateTopicsRequest,
      encodeResponse: ct.encodeCreateTopicsResponse,
      decodeResponse: ct.decodeCreateTopicsResponse,
      versions: ct.CreateTopicsRequestVersions,
    },
  ],
  [
    20,
    {
      encodeRequest: dt.encodeDeleteTopicsRequest,
      decodeRequest: dt.decodeDeleteTopicsRequest,
      encodeResponse: dt.encodeDeleteTopicsResponse,
      decodeResponse: dt.decodeDeleteTopicsResponse,
      versions: dt.DeleteTopicsRequestVersions,
    },
  ],
  [
    33,
    {
      encodeRequest: ac.encodeAlterConfigsRequest,
      decodeRequest: ac.decodeAlterConfigsRequest,
      encodeResponse: ac.encodeAlterConfigsResponse,
      decodeResponse: ac.decodeAlterConfigsResponse,
      versions: ac.AlterConfigsRequestVersions,
    },
  ],
  [
    37,
    {
      encodeRequest: cp.encodeCreatePartitionsRequest,
      decodeRequest: cp.decodeCreatePartitionsRequest,
      encodeResponse: cp.encodeCreatePartitionsResponse,
      decodeResponse: cp.decodeCreatePartitionsResponse,
      versions: cp.CreatePartitionsRequestVersions,
    },
  ],
  [
    43,
    {
      encodeRequest: el.encodeElectLeadersRequest,
      decodeRequest: el.decodeElectLeadersRequest,
      encodeResponse: el.encodeElectLeadersResponse,
      decodeResponse: el.decodeElectLeadersResponse,
      versions: el.ElectLeadersRequestVersions,
    },
  ],
  [
    44,
    {
      encodeRequest: iac.encodeIncrementalAlterConfigsRequest,
      decodeRequest: iac.decodeIncrementalAlterConfigsRequest,
      encodeResponse: iac.encodeIncrementalAlterConfigsResponse,
      decodeResponse: iac.decodeIncrementalAlterConfigsResponse,
      versions: iac.IncrementalAlterConfigsRequestVersions,
    },
  ],
  [
    45,
    {
      encodeRequest: apr.encodeAlterPartitionReassignmentsRequest,
      decodeRequest: apr.decodeAlterPartitionReassignmentsRequest,
      encodeResponse: apr.encodeAlterPartitionReassignmentsResponse,
      decodeResponse: apr.decodeAlterPartitionReassignmentsResponse,
      versions: apr.AlterPartitionReassignmentsRequestVersions,
    },
  ],
  [
    46,
    {
      encodeRequest: lpr.encodeListPartitionReassignmentsRequest,
      decodeRequest: lpr.decodeListPartitionReassignmentsRequest,
      encodeResponse: lpr.encodeListPartitionReassignmentsResponse,
      decodeResponse: lpr.decodeListPartitionReassignmentsResponse,
      versions: lpr.ListPartitionReassignmentsRequestVersions,
    },
  ],
]);

/** A broker's incarnation id in Kafka's Uuid text form (a dashed UUID is converted). */
export function incarnationUuid(id: string): string {
  if (id.length === 22) return id;
  const hex = id.replaceAll('-', '');
  if (/^[0-9a-fA-F]{32}$/.test(hex)) return Buffer.from(hex, 'hex').toString('base64url');
  throw new TypeError(`incarnation id ${JSON.stringify(id)} is not a UUID`);
}

export interface ControllerClientOptions {
  host: string;
  port: number;
  /** How long a call keeps trying to (re)connect before it rejects. Default 10 s. */
  connectTimeoutMs?: number;
  /** How long a call waits for its answer (a metadata fetch: plus its maxWaitMs). Default 30 s. */
  requestTimeoutMs?: number;
  /** Called after the connection was re-established (not on the first connect). */
  onReconnect?: () => void;
  clientId?: string;
}

interface Pending {
  resolve: (r: Reader) => void;
  reject: (e: Error) => void;
  responseHeaderVersion: number;
  timer: NodeJS.Timeout;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ControllerClient implements ControllerChannel {
  private readonly opts: ControllerClientOptions;
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private everConnected = false;
  private closed = false;
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(opts: ControllerClientOptions) {
    this.opts = opts;
  }

  // ---- ControllerChannel ----

  async register(req: BrokerRegistration): Promise<{ errorCode: number; brokerEpoch: number }> {
    const v = ControllerApiVersion.BrokerRegistration;
    const r = await this.call(
      62,
      v,
      (w) =>
        br.encodeBrokerRegistrationRequest(w, v, {
          brokerId: req.brokerId,
          clusterId: '',
          incarnationId: incarnationUuid(req.incarnationId),
          listeners: [{ name: 'PLAINTEXT', host: req.host, port: req.port, securityProtocol: 0 }],
          features: [],
          rack: req.rack,
          isMigratingZkBroker: false,
          logDirs: [],
          previousBrokerEpoch: req.previousBrokerEpoch,
        }),
      (rd) => br.decodeBrokerRegistrationResponse(rd, v),
    );
    return { errorCode: r.errorCode, brokerEpoch: r.brokerEpoch };
  }

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const v = ControllerApiVersion.BrokerHeartbeat;
    const r = await this.call(
      63,
      v,
      (w) =>
        bh.encodeBrokerHeartbeatRequest(w, v, {
          brokerId: req.brokerId,
          brokerEpoch: req.brokerEpoch,
          currentMetadataOffset: req.metadataOffset,
          wantFence: req.wantFence,
          wantShutDown: req.wantShutDown,
        }),
      (rd) => bh.decodeBrokerHeartbeatResponse(rd, v),
    );
    return { errorCode: r.errorCode, isCaughtUp: r.isCaughtUp, isFenced: r.isFenced, shouldShutDown: r.shouldShutDown };
  }

  async fetchMetadata(req: {
    brokerId: number;
    brokerEpoch: number;
    fromSeq: number;
    maxWaitMs: number;
  }): Promise<MetadataDelta> {
    const body = Buffer.from(
      JSON.stringify({
        brokerId: req.brokerId,
        brokerEpoch: req.brokerEpoch,
        fromSeq: req.fromSeq,
        maxWaitMs: req.maxWaitMs,
      }),
    );
    return this.call(
      SAMSA_METADATA_FETCH_KEY,
      0,
      (w) => {
        w.bytes(body);
      },
      (rd) => JSON.parse(rd.bytes().toString('utf8')) as MetadataDelta,
      Math.max(0, req.maxWaitMs),
    );
  }

  async alterPartition(req: ap.AlterPartitionRequest): Promise<ap.AlterPartitionResponseInput> {
    const v = ControllerApiVersion.AlterPartition;
    return this.call(
      56,
      v,
      (w) => ap.encodeAlterPartitionRequest(w, v, req),
      (rd) => ap.decodeAlterPartitionResponse(rd, v),
    );
  }

  async allocateProducerIds(req: {
    brokerId: number;
    brokerEpoch: number;
  }): Promise<{ errorCode: number; producerIdStart: number; producerIdLen: number }> {
    const v = ControllerApiVersion.AllocateProducerIds;
    const r = await this.call(
      67,
      v,
      (w) => apid.encodeAllocateProducerIdsRequest(w, v, req),
      (rd) => apid.decodeAllocateProducerIdsResponse(rd, v),
    );
    return { errorCode: r.errorCode, producerIdStart: r.producerIdStart, producerIdLen: r.producerIdLen };
  }

  /** Kafka's forwarding: the request (header + body) inside an Envelope; the answer's body decoded. */
  async forward(apiKey: number, apiVersion: number, request: unknown, ctx: ForwardContext): Promise<unknown> {
    const codec = FORWARDED_CODECS.get(apiKey);
    if (!codec)
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `API key ${apiKey} cannot be forwarded to the controller.`);
    const inner = new Writer(256);
    encodeRequestHeader(inner, { apiKey, apiVersion, correlationId: 0, clientId: ctx.clientId });
    codec.encodeRequest(inner, apiVersion, request as never);
    const principal = ctx.brokerId === undefined ? null : Buffer.from(JSON.stringify({ brokerId: ctx.brokerId }));
    const v = ControllerApiVersion.Envelope;
    const timeoutMs =
      typeof (request as { timeoutMs?: unknown }).timeoutMs === 'number'
        ? (request as { timeoutMs: number }).timeoutMs
        : 30_000;
    const res = await this.call(
      58,
      v,
      (w) =>
        env.encodeEnvelopeRequest(w, v, {
          requestData: inner.toBuffer(),
          requestPrincipal: principal,
          clientHostAddress: Buffer.from([127, 0, 0, 1]),
        }),
      (rd) => env.decodeEnvelopeResponse(rd, v),
      Math.max(0, timeoutMs),
    );
    if (res.errorCode !== ErrorCode.NONE || !res.responseData) {
      throw new KafkaError(
        res.errorCode || ErrorCode.UNKNOWN_SERVER_ERROR,
        `the controller refused the forwarded request (API key ${apiKey})`,
      );
    }
    const rd = new Reader(res.responseData);
    decodeResponseHeader(rd, responseHeaderVersion(apiKey, apiVersion));
    return codec.decodeResponse(rd, apiVersion);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('controller client closed'));
    this.socket?.destroy();
    this.socket = null;
  }

  // ---- the connection ----

  private call<T>(
    apiKey: number,
    apiVersion: number,
    body: (w: Writer) => void,
    decode: (r: Reader) => T,
    extraWaitMs = 0,
  ): Promise<T> {
    return this.connect().then(
      (socket) =>
        new Promise<T>((resolve, reject) => {
          const correlationId = this.nextCorrelationId++;
          if (this.nextCorrelationId > 0x7fffffff) this.nextCorrelationId = 1;
          const w = new Writer(256);
          const size = w.reserveInt32();
          encodeRequestHeader(w, { apiKey, apiVersion, correlationId, clientId: this.opts.clientId ?? 'samsa-broker' });
          body(w);
          w.fillSize(size);
          const timeoutMs = (this.opts.requestTimeoutMs ?? 30_000) + extraWaitMs;
          const timer = setTimeout(() => {
            this.pending.delete(correlationId);
            reject(new Error(`the controller did not answer API key ${apiKey} within ${timeoutMs} ms`));
          }, timeoutMs);
          this.pending.set(correlationId, {
            resolve: (r) => {
              try {
                resolve(decode(r));
              } catch (e) {
                reject(e as Error);
              }
            },
            reject,
            timer,
            responseHeaderVersion: apiKey === SAMSA_METADATA_FETCH_KEY ? 0 : responseHeaderVersion(apiKey, apiVersion),
          });
          for (const chunk of w.toChunks()) socket.write(chunk);
        }),
    );
  }

  private connect(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new Error('controller client closed'));
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    const deadline = Date.now() + (this.opts.connectTimeoutMs ?? 10_000);
    this.connecting = (async () => {
      let delay = 50;
      for (;;) {
        try {
          const s = await this.open();
          if (this.closed) {
            s.destroy();
            throw new Error('controller client closed');
          }
          this.socket = s;
          const reconnected = this.everConnected;
          this.everConnected = true;
          if (reconnected) queueMicrotask(() => this.opts.onReconnect?.());
          return s;
        } catch (e) {
          if (this.closed || Date.now() + delay > deadline) throw e;
          await sleep(delay);
          delay = Math.min(delay * 2, 1000);
        }
      }
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private open(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.opts.host, port: this.opts.port, noDelay: true });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        const parser = new FrameParser(1 << 30);
        s.on('data', (chunk: Buffer) => {
          parser.push(chunk);
          try {
            for (let f = parser.next(); f; f = parser.next()) this.onFrame(f);
          } catch (e) {
            s.destroy(e as Error);
          }
        });
        s.on('error', () => undefined); // 'close' follows
        s.on('close', () => {
          if (this.socket === s) this.socket = null;
          this.failAll(new Error('connection to the controller closed'));
        });
        resolve(s);
      });
    });
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) return; // timed out meanwhile
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    const r = new Reader(frame);
    decodeResponseHeader(r, p.responseHeaderVersion);
    p.resolve(r);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}
