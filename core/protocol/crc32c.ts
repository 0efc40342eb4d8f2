// CRC-32C (Castagnoli), the checksum of record batch v2 (Kafka "Message format":
// it covers the bytes from the attributes field to the end of the batch).
// Backed by @node-rs/crc32, a native SIMD (SSE4.2 / ARMv8 CRC) implementation.
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C of `buf` as an unsigned 32-bit integer. */
export function crc32c(buf: Uint8Array): number {
  return nativeCrc32c(buf as Buffer) >>> 0;
}

/** CRC-32C of buf[start, end) without copying. */
export function crc32cRange(buf: Buffer, start: number, end: number): number {
  return nativeCrc32c(buf.subarray(start, end)) >>> 0;
}
