// Codecs of record batch v2 (attributes bits 0-2, Kafka "Message format"):
// 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. Only the records section of a batch
// (everything after the 61-byte header) is compressed. Not on the hot path:
// the broker stores compressed batches as they arrive; this module serves the
// record decoder (tests, ListOffsets by timestamp, compaction, the GUI) and the builder.
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { createRequire } from 'node:module';

// The native snappy and lz4 addons load on first use: the broker's hot path
// never (de)compresses, so a broker that is not asked to decode records keeps
// them out of its memory.
const require = createRequire(import.meta.url);
type Snappy = typeof import('snappy');
type Lz4 = typeof import('lz4-napi');
let snappyModule: Snappy | undefined;
let lz4Module: Lz4 | undefined;
const snappy = {
  uncompressSync: (b: Buffer) => (snappyModule ??= require('snappy') as Snappy).uncompressSync(b),
  compressSync: (b: Buffer) => (snappyModule ??= require('snappy') as Snappy).compressSync(b),
};
const compressFrameSync = (b: Buffer) => (lz4Module ??= require('lz4-napi') as Lz4).compressFrameSync(b);
const decompressFrameSync = (b: Buffer) => (lz4Module ??= require('lz4-napi') as Lz4).decompressFrameSync(b);

export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
export type CompressionType = (typeof Compression)[keyof typeof Compression];

export const compressionNames: Record<number, string> = {
  0: 'none',
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
};

// Java clients (snappy-java) send snappy in the "Xerial" stream framing:
// an 8-byte magic, int32 version, int32 min-compatible version, then blocks of
// int32 big-endian length + a raw snappy block. librdkafka and others send raw snappy.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

export function isXerialSnappy(buf: Buffer): boolean {
  return buf.length >= XERIAL_HEADER_BYTES && buf.subarray(0, 8).equals(XERIAL_MAGIC);
}

function snappyDecompress(buf: Buffer): Buffer {
  if (!isXerialSnappy(buf)) return snappy.uncompressSync(buf) as Buffer;
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER_BYTES;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) throw new Error('truncated xerial snappy block length');
    const len = buf.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > buf.length) throw new Error('truncated xerial snappy block');
    blocks.push(snappy.uncompressSync(buf.subarray(pos, pos + len)) as Buffer);
    pos += len;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}

/** Xerial-framed snappy, as snappy-java's SnappyOutputStream writes it (32 KiB blocks). */
export function xerialSnappyCompress(buf: Buffer, blockSize = 32 * 1024): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let pos = 0; pos < buf.length; pos += blockSize) {
    const block = snappy.compressSync(buf.subarray(pos, Math.min(buf.length, pos + blockSize))) as Buffer;
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      return gunzipSync(data);
    case Compression.SNAPPY:
      return snappyDecompress(data);
    case Compression.LZ4:
      return decompressFrameSync(data); // LZ4 frame format (KIP-57)
    case Compression.ZSTD:
      return zstdDecompressSync(data);
    default:
      throw new Error(`unknown compression codec ${codec}`);
  }
}

export function compress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      return gzipSync(data);
    case Compression.SNAPPY:
      return snappy.compressSync(data) as Buffer;
    case Compression.LZ4:
      return compressFrameSync(data);
    case Compression.ZSTD:
      return zstdCompressSync(data);
    default:
      throw new Error(`unknown compression codec ${codec}`);
  }
}
