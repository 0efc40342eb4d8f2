// Zig-zag varints as the v2 record format writes them (a record's length, timestamp and offset
// deltas, key/value/header lengths; Kafka's ByteUtils.readVarint/readVarlong). Values are JS
// numbers, exact up to 2^53. The record decoder, the batch builder, the log validator and the
// compaction code all use these.

/** Reads the zig-zag varlong at `pos`; returns [value, position after it]. Throws when truncated. */
export function readVarlong(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [result % 2 === 0 ? result / 2 : -(result + 1) / 2, pos];
    mul *= 128;
  }
  throw new Error('varint too long');
}

/** Bytes the zig-zag varlong encoding of `v` takes. */
export function varlongSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

/** Writes `v` as a zig-zag varlong at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}
