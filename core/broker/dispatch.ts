// The request pipeline for one frame: read the header, check the api key and
// version against the table, decode the body, run the handler, encode the
// response frame (size prefix, response header, body) as chunks.
//
// Kafka's rules: an unknown api key or a request it cannot parse closes the
// connection; so does an unsupported version, except for ApiVersions, which
// is answered with a v0 body carrying UNSUPPORTED_VERSION and the supported
// versions so the client can pick one (KIP-511). The ApiVersions response
// always uses response header v0. A handler that fails unexpectedly gets
// UNKNOWN_SERVER_ERROR in its API's response (its entry's errorResponse); the stack
// is logged.

import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import { decodeRequestHeader, encodeResponseHeader, responseHeaderVersion } from '../protocol/header.ts';
import { ApiKey } from '../protocol/messages/api-keys.ts';
import type { ApiTable } from './api-table.ts';
import type { ApiEntry, HandlerContext, RequestContext } from './handlers/context.ts';
import type { Connection, Dispatch, DispatchOutcome } from './connection.ts';
import { unsupportedApiVersionsResponse } from './handlers/api-versions.ts';
import { ErrorCode } from '../protocol/errors.ts';

/** Encodes a complete response frame; record buffers are kept by reference. */
export function encodeResponseFrame(
  entry: ApiEntry,
  version: number,
  correlationId: number,
  headerVersion: number,
  body: unknown,
): Buffer[] {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeResponseHeader(w, correlationId, headerVersion);
  entry.encodeResponse(w, version, body);
  w.fillSize(size);
  return w.toChunks();
}

function close(reason: string): DispatchOutcome {
  return { kind: 'close', reason };
}

/** What the pipeline needs of its broker: the handlers' context, the API table and the start-up gate. */
export interface DispatchHost extends HandlerContext {
  readonly apis: ApiTable;
  /** Settles once the broker may answer requests; undefined when it may now. */
  readonly notReady: Promise<void> | undefined;
}

export function createDispatch(broker: DispatchHost): Dispatch {
  const dispatch = (frame: Buffer, conn: Connection): DispatchOutcome => {
    // api key (int16), api version (int16), correlation id (int32) start every request header.
    if (frame.length < 8) return close(`request of ${frame.length} bytes is shorter than a header`);
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const entry = broker.apis.get(apiKey);
    if (!entry) return close(`unknown api key ${apiKey}`);
    if (apiVersion < entry.min || apiVersion > entry.max) {
      if (apiKey === ApiKey.ApiVersions) {
        return {
          kind: 'response',
          response: encodeResponseFrame(entry, 0, correlationId, 0, unsupportedApiVersionsResponse(broker)),
        };
      }
      return close(`unsupported version ${apiVersion} of api key ${apiKey}`);
    }
    if (broker.stopping) return close('broker is shutting down');

    let req: unknown;
    let clientId: string | null;
    try {
      const r = new Reader(frame);
      clientId = decodeRequestHeader(r).clientId ?? null;
      req = entry.decodeRequest(r, apiVersion);
    } catch (err) {
      return close(`malformed ${entry.name} v${apiVersion} request: ${(err as Error).message}`);
    }
    const ctx: RequestContext = { conn, correlationId, clientId, apiKey, apiVersion };

    // Before the broker has the cluster metadata, requests wait for it (the
    // answers would be wrong: no topics, no leaders); ApiVersions needs none.
    const notReady = apiKey === ApiKey.ApiVersions ? undefined : broker.notReady;
    if (notReady) {
      const held = notReady.then(() => {
        if (broker.stopping) {
          // Stopped before it was ready: the request is not answered.
          conn.close();
          throw new Error('broker is shutting down');
        }
        return handleRequest(entry, req, apiVersion, ctx);
      });
      if (entry.noResponse?.(req))
        return { kind: 'none', done: held.then((o) => (o.kind === 'none' ? o.done : undefined)) };
      return {
        kind: 'response',
        response: held.then((o) => {
          if (o.kind === 'response') return o.response;
          throw new Error(`${entry.name} v${apiVersion} expected a response`);
        }),
      };
    }
    return handleRequest(entry, req, apiVersion, ctx);
  };
  return dispatch;

  function handleRequest(entry: ApiEntry, req: unknown, apiVersion: number, ctx: RequestContext): DispatchOutcome {
    const { conn, correlationId, apiKey } = ctx;
    if (entry.noResponse?.(req)) {
      const done = (async () => {
        const res = await entry.handle(broker, req, apiVersion, ctx);
        if (entry.closeWhenUnanswered?.(res)) conn.close();
      })();
      return { kind: 'none', done };
    }

    const headerVersion = responseHeaderVersion(apiKey, apiVersion);
    const encode = (body: unknown) => encodeResponseFrame(entry, apiVersion, correlationId, headerVersion, body);
    // A handler failure becomes UNKNOWN_SERVER_ERROR where the API can carry
    // it; otherwise the error propagates and the connection closes.
    const onFailure = (err: unknown): Buffer[] => {
      const build = entry.errorResponse;
      if (!build) throw err;
      broker.log(
        `${entry.name} v${apiVersion} handler failed; answering UNKNOWN_SERVER_ERROR: ${(err as Error)?.stack ?? String(err)}`,
      );
      return encode(build(req, ErrorCode.UNKNOWN_SERVER_ERROR, apiVersion));
    };
    let res: unknown;
    try {
      res = entry.handle(broker, req, apiVersion, ctx);
    } catch (err) {
      return { kind: 'response', response: onFailure(err) };
    }
    if (res instanceof Promise) return { kind: 'response', response: res.then(encode, onFailure) };
    return { kind: 'response', response: encode(res) };
  }
}
