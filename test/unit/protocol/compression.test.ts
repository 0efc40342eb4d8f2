import { describe, expect, it } from 'vitest';
import {
  Compression,
  compress,
  decompress,
  isXerialSnappy,
  xerialSnappyCompress,
} from '../../../core/protocol/compression.ts';

const sample = Buffer.from('kafka record payload '.repeat(5000));

describe('compression codecs', () => {
  for (const [name, codec] of Object.entries(Compression)) {
    it(`round-trips ${name}`, () => {
      const c = compress(codec, sample);
      if (codec !== Compression.NONE) expect(c.length).toBeLessThan(sample.length);
      expect(decompress(codec, c).equals(sample)).toBe(true);
    });
  }

  it('decodes Xerial-framed snappy (Java clients) with several blocks', () => {
    const framed = xerialSnappyCompress(sample, 8192);
    expect(isXerialSnappy(framed)).toBe(true);
    expect(framed.subarray(0, 8)).toEqual(Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]));
    expect(decompress(Compression.SNAPPY, framed).equals(sample)).toBe(true);
    expect(isXerialSnappy(compress(Compression.SNAPPY, sample))).toBe(false);
  });

  it('lz4 uses the LZ4 frame format (magic 0x184D2204)', () => {
    const c = compress(Compression.LZ4, sample);
    expect(c.readUInt32LE(0)).toBe(0x184d2204);
    expect(decompress(Compression.LZ4, c).equals(sample)).toBe(true);
  });

  it('zstd output carries the zstd frame magic', () => {
    const c = compress(Compression.ZSTD, sample);
    expect(c.readUInt32LE(0)).toBe(0xfd2fb528);
  });

  it('rejects corrupt input and unknown codecs', () => {
    expect(() => decompress(Compression.GZIP, Buffer.from('not gzip'))).toThrow();
    expect(() => decompress(7, sample)).toThrow();
  });
});
