// The controller's controller listener: loopback TCP with Kafka framing,
// serving broker processes (core/broker/controller-client.ts) with Kafka's own
// RPCs — BrokerRegistration (62), BrokerHeartbeat (63), AlterPartition (56),
// AllocateProducerIds (67), Envelope (58) carrying a forwarded admin request
// (header + body of CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs,
// IncrementalAlterConfigs, ElectLeaders, AlterPartitionReassignments,
// ListPartitionReassignments) — and Samsa's metadata long poll under
// SAMSA_METADATA_FETCH_KEY (20000, version 0, a JSON body; see the client).
//
// Responses carry the request's correlation id and may go out in another order
// than the requests came (a long poll must not hold up a heartbeat behind it).
import net from 'node:net';
import { FORWARDED_CODECS, SAMSA_METADATA_FETCH_KEY } from '../broker/controller-client.ts';
import { FrameParser } from '../broker/frame-parser.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import {
  type RequestHeader,
  decodeRequestHeader,
  encodeResponseHeader,
  responseHeaderVersion,
} from '../protocol/header.ts';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import * as ap from '../protocol/messages/alter-partition.ts';
import * as apid from '../protocol/messages/allocate-producer-ids.ts';
import * as bh from '../protocol/messages/broker-heartbeat.ts';
import * as br from '../protocol/messages/broker-registration.ts';
import * as env from '../protocol/messages/envelope.ts';
import type { Controller } from './controller.ts';

export { SAMSA_METADATA_FETCH_KEY };

export interface ControllerServerOptions {
  /** Largest accepted frame. Default 100 MiB. */
  maxFrameBytes?: number;
  log?: (msg: string) => void;
}

interface ConnState {
  /** The broker that registered over this connection, if any. */
  brokerId: number | undefined;
}

export class ControllerServer {
  private readonly controller: Controller;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly maxFrameBytes: number;
  private readonly log: (msg: string) => void;
  private address: { host: string; port: number } | null = null;

  constructor(controller: Controller, opts: ControllerServerOptions = {}) {
    this.controller = controller;
    this.maxFrameBytes = opts.maxFrameBytes ?? 100 * 1024 * 1024;
    this.log = opts.log ?? (() => {});
    this.server = net.createServer({ noDelay: true }, (s) => this.accept(s));
    this.server.on('error', (e) => this.log(`controller listener error: ${e.message}`));
  }

  /** Listens (127.0.0.1 and an ephemeral port by default); resolves with the bound address. */
  listen(port = 0, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError);
        const a = this.server.address() as net.AddressInfo;
        this.address = { host: a.address, port: a.port };
        resolve(this.address);
      });
    });
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const parser = new FrameParser(this.maxFrameBytes);
    const state: ConnState = { brokerId: undefined };
    socket.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      try {
        for (let f = parser.next(); f; f = parser.next()) this.onRequest(socket, state, f);
      } catch (e) {
        this.log(`controller connection: ${(e as Error).message}`);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private onRequest(socket: net.Socket, state: ConnState, frame: Buffer): void {
    const r = new Reader(frame);
    const h = decodeRequestHeader(r);
    this.handle(h, r, state).then(
      (body) => {
        if (socket.destroyed) return;
        const w = new Writer(256);
        const size = w.reserveInt32();
        encodeResponseHeader(
          w,
          h.correlationId,
          h.apiKey === SAMSA_METADATA_FETCH_KEY ? 0 : responseHeaderVersion(h.apiKey, h.apiVersion),
        );
        body(w);
        w.fillSize(size);
        for (const c of w.toChunks()) socket.write(c);
      },
      (e: unknown) => {
        // Undecodable or unsupported: the connection is unusable.
        this.log(`controller request ${h.apiKey} v${h.apiVersion} failed: ${(e as Error)?.message ?? String(e)}`);
        socket.destroy();
      },
    );
  }

  /** Runs one request; resolves with the writer of its response body. */
  private async handle(h: RequestHeader, r: Reader, state: ConnState): Promise<(w: Writer) => void> {
    const c = this.controller;
    const v = h.apiVersion;
    switch (h.apiKey) {
      case 62: {
        const req = br.decodeBrokerRegistrationRequest(r, v);
        const l = req.listeners[0];
        const res = c.register({
          brokerId: req.brokerId,
          incarnationId: req.incarnationId,
          host: l?.host ?? '',
          port: l?.port ?? 0,
          rack: req.rack,
          previousBrokerEpoch: req.previousBrokerEpoch,
        });
        if (res.errorCode === ErrorCode.NONE) state.brokerId = req.brokerId;
        return (w) => br.encodeBrokerRegistrationResponse(w, v, { throttleTimeMs: 0, ...res });
      }
      case 63: {
        const req = bh.decodeBrokerHeartbeatRequest(r, v);
        const res = c.heartbeat({
          brokerId: req.brokerId,
          brokerEpoch: req.brokerEpoch,
          metadataOffset: req.currentMetadataOffset,
          wantFence: req.wantFence,
          wantShutDown: req.wantShutDown,
        });
        return (w) => bh.encodeBrokerHeartbeatResponse(w, v, { throttleTimeMs: 0, ...res });
      }
      case 56: {
        const req = ap.decodeAlterPartitionRequest(r, v);
        const res = c.alterPartition(req);
        return (w) => ap.encodeAlterPartitionResponse(w, v, res);
      }
      case 67: {
        const req = apid.decodeAllocateProducerIdsRequest(r, v);
        const res = c.allocateProducerIds(req);
        return (w) => apid.encodeAllocateProducerIdsResponse(w, v, { throttleTimeMs: 0, ...res });
      }
      case 58: {
        const req = env.decodeEnvelopeRequest(r, v);
        const out = await this.envelope(req, state);
        return (w) => env.encodeEnvelopeResponse(w, v, out);
      }
      case SAMSA_METADATA_FETCH_KEY: {
        const q = JSON.parse(r.bytes().toString('utf8')) as {
          brokerId: number;
          brokerEpoch: number;
          fromSeq: number;
          maxWaitMs: number;
        };
        const delta = await c.fetchMetadata({
          brokerId: Number(q.brokerId),
          brokerEpoch: Number(q.brokerEpoch),
          fromSeq: Number(q.fromSeq),
          maxWaitMs: Number(q.maxWaitMs),
        });
        const body = Buffer.from(JSON.stringify(delta));
        return (w) => {
          w.bytes(body);
        };
      }
      default:
        throw new Error(`API key ${h.apiKey} is not served on the controller listener`);
    }
  }

  /** The forwarded request inside an Envelope: decoded with its API's codec, carried out, its response encoded back. */
  private async envelope(req: env.EnvelopeRequest, state: ConnState): Promise<env.EnvelopeResponseInput> {
    let inner: RequestHeader;
    let request: unknown;
    const ir = new Reader(req.requestData);
    try {
      inner = decodeRequestHeader(ir);
      const codec = FORWARDED_CODECS.get(inner.apiKey);
      if (!codec) return { responseData: null, errorCode: ErrorCode.INVALID_REQUEST };
      if (inner.apiVersion < codec.versions.min || inner.apiVersion > codec.versions.max) {
        return { responseData: null, errorCode: ErrorCode.UNSUPPORTED_VERSION };
      }
      request = codec.decodeRequest(ir, inner.apiVersion);
    } catch {
      return { responseData: null, errorCode: ErrorCode.INVALID_REQUEST };
    }
    let brokerId = state.brokerId;
    if (req.requestPrincipal && req.requestPrincipal.length > 0) {
      try {
        const p = JSON.parse(req.requestPrincipal.toString('utf8')) as { brokerId?: unknown };
        if (typeof p.brokerId === 'number') brokerId = p.brokerId;
      } catch {
        /* not ours: ignore */
      }
    }
    let response: unknown;
    try {
      response = await this.controller.forward(inner.apiKey, inner.apiVersion, request, {
        clientId: inner.clientId,
        brokerId,
      });
    } catch (e) {
      if (e instanceof KafkaError) return { responseData: null, errorCode: e.code };
      throw e;
    }
    const w = new Writer(512);
    encodeResponseHeader(w, inner.correlationId, responseHeaderVersion(inner.apiKey, inner.apiVersion));
    FORWARDED_CODECS.get(inner.apiKey)!.encodeResponse(w, inner.apiVersion, response as never);
    return { responseData: w.toBuffer(), errorCode: ErrorCode.NONE };
  }
}
