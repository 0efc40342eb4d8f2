// Type declarations for the small untyped codec packages the kafkajs tests use.
declare module 'kafkajs-snappy' {
  const SnappyCodec: () => {
    compress(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  };
  export default SnappyCodec;
}
declare module 'lz4js' {
  export function compress(src: Uint8Array | Buffer): Uint8Array | number[];
  export function decompress(src: Uint8Array | Buffer): Uint8Array | number[];
}
