// Request and response headers.
//
// Request header v1: apiKey int16, apiVersion int16, correlationId int32,
// clientId nullable string (always the classic int16-length form, even in
// flexible versions). v2 = v1 + a tagged-field section; it is used for the
// flexible versions of each API (KIP-482). v0 (no clientId) only existed for
// ControlledShutdown v0.
// Response header v0: correlationId int32; v1 adds a tagged-field section and
// is used for flexible versions — except ApiVersions, whose response header is
// always v0 so that a client can parse it before knowing the broker's
// versions (KIP-511).

import { ProtocolError, type Reader } from './reader.ts';
import type { Writer } from './writer.ts';
import { ApiKey, flexibleMinByKey } from './messages/api-keys.ts';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const flexibleMin = flexibleMinByKey[apiKey];
  return flexibleMin !== undefined && flexibleMin >= 0 && apiVersion >= flexibleMin;
}

/** 0, 1 or 2. Unknown API keys get v1 (enough to read the correlation id and reply). */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/** 0 or 1. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

/** Reads a request header; the header version follows from its apiKey/apiVersion. */
export function decodeRequestHeader(r: Reader): RequestHeader {
  if (r.remaining() < 8) throw new ProtocolError('request shorter than its header');
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const version = requestHeaderVersion(apiKey, apiVersion);
  const clientId = version >= 1 ? r.nullableString() : null;
  if (version >= 2) r.skipTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Writes a request header (for tools and tests). */
export function encodeRequestHeader(w: Writer, h: RequestHeader): void {
  const version = requestHeaderVersion(h.apiKey, h.apiVersion);
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  if (version >= 1) w.nullableString(h.clientId);
  if (version >= 2) w.uvarint(0);
}

export function encodeResponseHeader(w: Writer, correlationId: number, version: number): void {
  w.int32(correlationId);
  if (version >= 1) w.uvarint(0);
}

export function decodeResponseHeader(r: Reader, version: number): { correlationId: number } {
  const correlationId = r.int32();
  if (version >= 1) r.skipTaggedFields();
  return { correlationId };
}
