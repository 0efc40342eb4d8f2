import { describe, expect, it } from 'vitest';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../core/protocol/header.ts';
import { Reader, ProtocolError } from '../../../core/protocol/reader.ts';
import { Writer } from '../../../core/protocol/writer.ts';
import { ErrorCode, KafkaError, errorMessage, errorName, isRetriable } from '../../../core/protocol/errors.ts';
import { ApiKey, apis, getApi } from '../../../core/protocol/messages/index.ts';

describe('headers', () => {
  it('header versions follow each API’s flexible versions', () => {
    expect(requestHeaderVersion(ApiKey.Produce, 8)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Produce, 9)).toBe(2);
    expect(responseHeaderVersion(ApiKey.Produce, 8)).toBe(0);
    expect(responseHeaderVersion(ApiKey.Produce, 9)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Metadata, 12)).toBe(2);
    expect(responseHeaderVersion(ApiKey.Metadata, 12)).toBe(1);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 3)).toBe(2);
    // ApiVersions responses always use header v0 (KIP-511)
    expect(responseHeaderVersion(ApiKey.ApiVersions, 3)).toBe(0);
    expect(responseHeaderVersion(ApiKey.ApiVersions, 4)).toBe(0);
    expect(requestHeaderVersion(ApiKey.ControlledShutdown, 0)).toBe(0);
    expect(requestHeaderVersion(9999, 0)).toBe(1);
  });

  it('request header v2 (flexible): hand-computed bytes and round-trip', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 7, clientId: 'c' });
    const b = w.toBuffer();
    // clientId keeps the classic int16 length even in header v2
    expect([...b]).toEqual([0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 0x63, 0]);
    const r = new Reader(Buffer.concat([b, Buffer.from([0xee])]));
    expect(decodeRequestHeader(r)).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'c' });
    expect(r.int8()).toBe(-18); // the body starts right after
  });

  it('request header v1: null client id, no tagged fields', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: ApiKey.Fetch, apiVersion: 11, correlationId: -5, clientId: null });
    expect([...w.toBuffer()]).toEqual([0, 1, 0, 11, 0xff, 0xff, 0xff, 0xfb, 0xff, 0xff]);
    expect(decodeRequestHeader(new Reader(w.toBuffer()))).toEqual({
      apiKey: 1,
      apiVersion: 11,
      correlationId: -5,
      clientId: null,
    });
  });

  it('request header v2 with unknown tagged fields is skipped correctly', () => {
    const b = Buffer.from([0, 3, 0, 12, 0, 0, 0, 1, 0xff, 0xff, 1, 5, 1, 9, 0x42]);
    const r = new Reader(b);
    expect(decodeRequestHeader(r).clientId).toBeNull();
    expect(r.int8()).toBe(0x42);
  });

  it('truncated headers throw ProtocolError', () => {
    expect(() => decodeRequestHeader(new Reader(Buffer.from([0, 3, 0])))).toThrow(ProtocolError);
    expect(() => decodeRequestHeader(new Reader(Buffer.from([0, 3, 0, 12, 0, 0, 0, 1, 0, 9, 0x61])))).toThrow(
      ProtocolError,
    );
  });

  it('response headers v0 and v1', () => {
    const w0 = new Writer();
    encodeResponseHeader(w0, 258, 0);
    expect([...w0.toBuffer()]).toEqual([0, 0, 1, 2]);
    const w1 = new Writer();
    encodeResponseHeader(w1, 258, 1);
    expect([...w1.toBuffer()]).toEqual([0, 0, 1, 2, 0]);
    expect(decodeResponseHeader(new Reader(w1.toBuffer()), 1)).toEqual({ correlationId: 258 });
  });
});

describe('API table', () => {
  it('covers every API key from the schemas with codecs', () => {
    expect(apis.length).toBe(88);
    expect(ApiKey.Produce).toBe(0);
    expect(ApiKey.Fetch).toBe(1);
    expect(ApiKey.ListOffsets).toBe(2);
    expect(ApiKey.ApiVersions).toBe(18);
    expect(ApiKey.DescribeTopicPartitions).toBe(75);
    const fetch = getApi(1)!;
    expect(fetch).toMatchObject({ name: 'Fetch', minVersion: 0, maxVersion: 17, flexibleMin: 12 });
    expect(getApi(ApiKey.Produce)!.flexibleMin).toBe(9);
    expect(getApi(ApiKey.SaslHandshake)!.flexibleMin).toBe(-1);
    expect(getApi(12345)).toBeUndefined();
    for (const a of apis) {
      expect(getApi(a.apiKey)).toBe(a);
      expect(typeof a.decodeRequest).toBe('function');
    }
  });
});

describe('error codes', () => {
  it('has Kafka’s codes and names', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.INVALID_REQUEST).toBe(42);
    expect(ErrorCode.UNKNOWN_TOPIC_ID).toBe(100);
    expect(ErrorCode.TRANSACTION_ABORTABLE).toBe(120);
    expect(ErrorCode.REBOOTSTRAP_REQUIRED).toBe(129);
    // contiguous from -1 to 129
    const codes = Object.values(ErrorCode).sort((a, b) => a - b);
    expect(codes).toEqual(Array.from({ length: 131 }, (_, i) => i - 1));
    expect(errorName(27)).toBe('REBALANCE_IN_PROGRESS');
    expect(errorName(5000)).toBe('UNKNOWN_ERROR_5000');
  });

  it('retriability and messages', () => {
    expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
    expect(isRetriable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)).toBe(true);
    expect(isRetriable(ErrorCode.TOPIC_ALREADY_EXISTS)).toBe(false);
    expect(isRetriable(ErrorCode.NONE)).toBe(false);
    for (const code of Object.values(ErrorCode)) {
      if (code !== 0) expect(errorMessage(code).length).toBeGreaterThan(10);
    }
  });

  it('KafkaError carries the code and defaults its message', () => {
    const e = new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(36);
    expect(e.message).toBe(errorMessage(36));
    expect(e.errorName).toBe('TOPIC_ALREADY_EXISTS');
    expect(new KafkaError(3, "Topic 'x' not found").message).toBe("Topic 'x' not found");
  });
});
