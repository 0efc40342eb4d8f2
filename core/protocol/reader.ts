// Reads Kafka wire-protocol primitives from a Buffer.
//
// Every read is bounds-checked: reading past the end throws ProtocolError,
// never returns garbage. Lengths read from the wire (strings, bytes, arrays)
// are validated against the remaining bytes *before* anything is allocated,
// so a hostile length cannot cause a huge allocation or a long loop.
// Bytes fields are returned as zero-copy subarrays of the input buffer.

/** Malformed or truncated input. The broker closes the connection on it. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const TWO_POW_32 = 0x1_0000_0000;

export class Reader {
  readonly buf: Buffer;
  offset: number;

  constructor(buf: Buffer, offset = 0) {
    this.buf = buf;
    this.offset = offset;
  }

  remaining(): number {
    return this.buf.length - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  ensure(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new ProtocolError(
        `truncated input: need ${n} bytes at offset ${this.offset}, have ${this.buf.length - this.offset}`,
      );
    }
  }

  skip(n: number): void {
    this.ensure(n);
    this.offset += n;
  }

  int8(): number {
    this.ensure(1);
    return this.buf.readInt8(this.offset++);
  }

  uint8(): number {
    this.ensure(1);
    return this.buf[this.offset++]!;
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.ensure(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.ensure(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.ensure(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.ensure(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** int64 as a JS number: exact up to 2^53, approximate beyond (accepted). */
  int64(): number {
    this.ensure(8);
    const hi = this.buf.readInt32BE(this.offset);
    const lo = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return hi * TWO_POW_32 + lo;
  }

  /** int64 as an exact bigint. */
  int64n(): bigint {
    this.ensure(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  float64(): number {
    this.ensure(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits). */
  uvarint(): number {
    const buf = this.buf;
    let offset = this.offset;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (offset >= buf.length) throw new ProtocolError('truncated varint');
      const b = buf[offset++]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        this.offset = offset;
        if (value > 0xffffffff) throw new ProtocolError('varint overflows 32 bits');
        return value;
      }
    }
    throw new ProtocolError('varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (32-bit). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Unsigned varlong (up to 10 bytes) as a number; precision beyond 2^53 is lost. */
  uvarlong(): number {
    const buf = this.buf;
    let offset = this.offset;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (offset >= buf.length) throw new ProtocolError('truncated varlong');
      const b = buf[offset++]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        this.offset = offset;
        return value;
      }
    }
    throw new ProtocolError('varlong longer than 10 bytes');
  }

  /** Zig-zag signed varlong as a number; precision beyond 2^53 is lost. */
  varlong(): number {
    const start = this.offset;
    const u = this.uvarlong();
    if (u <= Number.MAX_SAFE_INTEGER) {
      // zig-zag decode: even → u/2, odd → -(u+1)/2
      return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    }
    // Too large for exact float arithmetic: redo with bigint.
    this.offset = start;
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.offset++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return Number((v >> 1n) ^ -(v & 1n));
  }

  private utf8(len: number): string {
    this.ensure(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  private slice(len: number): Buffer {
    this.ensure(len);
    const b = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  /** int16 length + UTF-8. A null (-1) is a protocol error here. */
  string(): string {
    const len = this.int16();
    if (len < 0) throw new ProtocolError('non-nullable string was null');
    return this.utf8(len);
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    return this.utf8(len);
  }

  /** uvarint (length + 1) + UTF-8. */
  compactString(): string {
    const n = this.uvarint();
    if (n === 0) throw new ProtocolError('non-nullable compact string was null');
    return this.utf8(n - 1);
  }

  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.utf8(n - 1);
  }

  /** int32 length + bytes, zero-copy. */
  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) throw new ProtocolError('non-nullable bytes was null');
    return this.slice(len);
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    return this.slice(len);
  }

  compactBytes(): Buffer {
    const n = this.uvarint();
    if (n === 0) throw new ProtocolError('non-nullable compact bytes was null');
    return this.slice(n - 1);
  }

  compactNullableBytes(): Buffer | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.slice(n - 1);
  }

  /** `n` raw bytes, zero-copy. */
  raw(n: number): Buffer {
    return this.slice(n);
  }

  /** 16 bytes → Kafka's text form: URL-safe base64 without padding (22 chars). */
  uuid(): string {
    this.ensure(16);
    const s = this.buf.toString('base64url', this.offset, this.offset + 16);
    this.offset += 16;
    return s;
  }

  /**
   * int32 array length; -1 means null. Rejects lengths larger than the
   * remaining bytes (every element takes at least one byte on the wire... or
   * zero bytes for degenerate empty structs, which Kafka rejects the same way).
   */
  arrayLength(): number {
    const len = this.int32();
    if (len < -1) throw new ProtocolError(`invalid array length ${len}`);
    if (len > this.buf.length - this.offset) {
      throw new ProtocolError(`array length ${len} exceeds remaining ${this.buf.length - this.offset} bytes`);
    }
    return len;
  }

  /** Compact array length: uvarint (length + 1); returns -1 for null. */
  compactArrayLength(): number {
    const len = this.uvarint() - 1;
    if (len > this.buf.length - this.offset) {
      throw new ProtocolError(`array length ${len} exceeds remaining ${this.buf.length - this.offset} bytes`);
    }
    return len;
  }

  /** Validates a tagged field's size and returns the offset where it ends. */
  taggedFieldEnd(size: number): number {
    this.ensure(size);
    return this.offset + size;
  }

  /**
   * Moves to the end of a tagged field: skips what the decoder did not read
   * (unknown tags), rejects a field that was read past its declared size.
   */
  endTaggedField(end: number): void {
    if (this.offset > end) throw new ProtocolError('tagged field overran its declared size');
    this.offset = end;
  }

  /** Skips a whole tagged-field section (flexible versions). */
  skipTaggedFields(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint(); // tag
      this.skip(this.uvarint());
    }
  }
}
