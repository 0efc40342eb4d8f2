// Malformed input must end in ProtocolError — never a hang, a huge
// allocation, or another kind of exception.

import { describe, expect, it } from 'vitest';
import { allFixtures } from './fixtures.ts';
import { apis, getApi, ApiKey } from '../../../core/protocol/messages/index.ts';
import { decodeProduceRequest } from '../../../core/protocol/messages/produce.ts';
import { decodeMetadataRequest } from '../../../core/protocol/messages/metadata.ts';
import { Reader, ProtocolError } from '../../../core/protocol/reader.ts';

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodeWith(apiKey: number, kind: 'request' | 'response', version: number, b: Buffer): void {
  const api = getApi(apiKey)!;
  const r = new Reader(b);
  if (kind === 'request') api.decodeRequest(r, version);
  else api.decodeResponse(r, version);
}

/** Runs f; passes if it returns or throws ProtocolError. */
function onlyProtocolErrors(f: () => void): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof ProtocolError) return false;
    throw e;
  }
}

const fixtures = allFixtures().filter((f) => f.bytes.length < 5000);

describe('decoder robustness', () => {
  it('every strict prefix of a fixture fails with ProtocolError', () => {
    let checked = 0;
    for (const f of fixtures) {
      const step = Math.max(1, Math.floor(f.bytes.length / 40));
      for (let len = 0; len < f.bytes.length; len += step) {
        // (a few kafkajs captures carry one extra header byte, see kafkajs-fixtures.test.ts;
        //  for them decoding fails on any length, which still must be a ProtocolError)
        expect(() => decodeWith(f.apiKey, f.kind, f.version, f.bytes.subarray(0, len))).toThrow(ProtocolError);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('corrupted fixtures decode or fail with ProtocolError only', () => {
    const rand = rng(42);
    let failures = 0;
    for (const f of fixtures) {
      for (let k = 0; k < 20; k++) {
        const b = Buffer.from(f.bytes);
        const flips = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < flips; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        if (!onlyProtocolErrors(() => decodeWith(f.apiKey, f.kind, f.version, b))) failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  it('random bytes against every API and version decode or fail with ProtocolError only', () => {
    const rand = rng(7);
    for (const api of apis) {
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        for (let k = 0; k < 10; k++) {
          const b = Buffer.alloc(Math.floor(rand() * 64));
          for (let i = 0; i < b.length; i++) b[i] = rand() < 0.3 ? 0xff : Math.floor(rand() * 256);
          onlyProtocolErrors(() => decodeWith(api.apiKey, 'request', v, b));
          onlyProtocolErrors(() => decodeWith(api.apiKey, 'response', v, b));
        }
      }
    }
  });

  it('a huge array count is rejected immediately (no allocation, no loop)', () => {
    // ProduceRequest v3: transactionalId null, acks, timeout, then topic count 2^31-1
    const b = Buffer.from([0xff, 0xff, 0, 1, 0, 0, 0x75, 0x30, 0x7f, 0xff, 0xff, 0xff]);
    const t0 = performance.now();
    expect(() => decodeProduceRequest(new Reader(b), 3)).toThrow(ProtocolError);
    expect(performance.now() - t0).toBeLessThan(50);
    // compact (v9): uvarint 2^32-1
    const c = Buffer.from([0, 0, 1, 0, 0, 0x75, 0x30, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => decodeProduceRequest(new Reader(c), 9)).toThrow(ProtocolError);
  });

  it('negative array counts: -1 is null only where nullable; below -1 is rejected', () => {
    expect(() =>
      decodeProduceRequest(new Reader(Buffer.from([0xff, 0xff, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])), 3),
    ).toThrow(ProtocolError);
    expect(() =>
      decodeProduceRequest(new Reader(Buffer.from([0xff, 0xff, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xf0])), 3),
    ).toThrow(ProtocolError);
    // MetadataRequest v1+: topics is nullable
    expect(decodeMetadataRequest(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])), 1).topics).toBeNull();
    expect(() => decodeMetadataRequest(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])), 0)).toThrow(ProtocolError);
  });

  it('a tagged field whose size runs past the end is rejected', () => {
    // ApiVersionsRequest v3 with a tagged section claiming 100 bytes
    const b = Buffer.from([2, 0x61, 2, 0x31, 1, 0, 100, 1, 2]);
    expect(() => decodeWith(ApiKey.ApiVersions, 'request', 3, b)).toThrow(ProtocolError);
  });
});
