// kafkajs ships only gzip; register snappy (kafkajs-snappy, pure JS), lz4 (lz4js, pure JS,
// LZ4 frame format) and zstd (Node 24's built-in zlib zstd). No native binaries needed.
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import * as lz4js from 'lz4js';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';

const { CompressionCodecs, CompressionTypes } = kafkajs;

const Lz4Codec = () => ({
  async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
    return Buffer.from(lz4js.compress(encoder.buffer));
  },
  async decompress(buffer: Buffer): Promise<Buffer> {
    return Buffer.from(lz4js.decompress(buffer));
  },
});

const ZstdCodec = () => ({
  async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
    return zstdCompressSync(encoder.buffer);
  },
  async decompress(buffer: Buffer): Promise<Buffer> {
    return zstdDecompressSync(buffer);
  },
});

let registered = false;
export function registerKafkajsCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = Lz4Codec;
  CompressionCodecs[CompressionTypes.ZSTD] = ZstdCodec;
}

export const KAFKAJS_COMPRESSION = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
} as const;
