// Writes Kafka wire-protocol primitives.
//
// Small values go into an internal buffer that is never copied on growth:
// when it fills up, the written part is kept as a chunk (a view) and writing
// continues in a fresh buffer twice the size. Large Buffers passed to raw()
// are appended by reference as their own chunk (no copy), which is how fetch
// responses carry record bytes straight from disk. toChunks() hands the list
// to socket.writev/cork; toBuffer() concatenates (one copy) when needed.

const TWO_POW_32 = 0x1_0000_0000;
/** raw() buffers at least this large are appended by reference, smaller ones copied. */
const RAW_COPY_LIMIT = 512;

/** A reserved int32 slot, filled later (e.g. the frame size prefix). */
export interface Int32Slot {
  readonly buf: Buffer;
  readonly offset: number;
  /** Writer.length right after the slot. */
  readonly end: number;
}

export class Writer {
  private buf: Buffer;
  private pos = 0;
  private segStart = 0;
  private chunks: Buffer[] = [];
  private flushed = 0; // bytes in `chunks`

  constructor(initialCapacity = 1024) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushed + (this.pos - this.segStart);
  }

  private flushSegment(): void {
    if (this.pos > this.segStart) {
      this.chunks.push(this.buf.subarray(this.segStart, this.pos));
      this.flushed += this.pos - this.segStart;
    }
    this.segStart = this.pos;
  }

  /** Makes room for n more bytes in the current buffer. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushSegment();
    let size = this.buf.length * 2;
    while (size < n) size *= 2;
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
    this.segStart = 0;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  boolean(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** int64 from a number (exact up to 2^53) or a bigint. */
  int64(v: number | bigint): this {
    this.ensure(8);
    if (typeof v === 'bigint') {
      this.buf.writeBigInt64BE(v, this.pos);
    } else {
      const hi = Math.floor(v / TWO_POW_32);
      const lo = v - hi * TWO_POW_32;
      this.buf.writeInt32BE(hi, this.pos);
      this.buf.writeUInt32BE(lo, this.pos + 4);
    }
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** Unsigned LEB128 varint (32-bit). */
  uvarint(v: number): this {
    this.ensure(5);
    let u = v >>> 0;
    const buf = this.buf;
    while (u >= 0x80) {
      buf[this.pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[this.pos++] = u;
    return this;
  }

  /** Zig-zag signed varint (32-bit). */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zig-zag signed varlong (64-bit), from a number or bigint. */
  varlong(v: number | bigint): this {
    this.ensure(10);
    const buf = this.buf;
    if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 52) {
      // zig-zag in exact float arithmetic (|n| < 2^52): n >= 0 → 2n, n < 0 → -2n - 1
      let u = v >= 0 ? v * 2 : -v * 2 - 1;
      while (u >= 0x80) {
        buf[this.pos++] = (u % 0x80) | 0x80;
        u = Math.floor(u / 0x80);
      }
      buf[this.pos++] = u;
      return this;
    }
    const n = BigInt.asIntN(64, BigInt(v));
    let u = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
    while (u >= 0x80n) {
      buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    buf[this.pos++] = Number(u);
    return this;
  }

  private utf8(s: string, len: number): void {
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
  }

  /** int16 length + UTF-8. */
  string(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    this.int16(len);
    this.utf8(s, len);
    return this;
  }

  nullableString(s: string | null | undefined): this {
    if (s == null) return this.int16(-1);
    return this.string(s);
  }

  /** uvarint (length + 1) + UTF-8. */
  compactString(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    this.uvarint(len + 1);
    this.utf8(s, len);
    return this;
  }

  compactNullableString(s: string | null | undefined): this {
    if (s == null) return this.uvarint(0);
    return this.compactString(s);
  }

  /** int32 length + bytes. */
  bytes(b: Buffer): this {
    this.int32(b.length);
    return this.raw(b);
  }

  nullableBytes(b: Buffer | null | undefined): this {
    if (b == null) return this.int32(-1);
    return this.bytes(b);
  }

  compactBytes(b: Buffer): this {
    this.uvarint(b.length + 1);
    return this.raw(b);
  }

  compactNullableBytes(b: Buffer | null | undefined): this {
    if (b == null) return this.uvarint(0);
    return this.compactBytes(b);
  }

  /** Kafka's text UUID (22-char URL-safe base64) → 16 bytes. */
  uuid(s: string): this {
    this.ensure(16);
    const n = this.buf.write(s, this.pos, 16, 'base64url');
    if (n !== 16 || s.length !== 22) throw new TypeError(`invalid uuid ${JSON.stringify(s)}`);
    this.pos += 16;
    return this;
  }

  /** int32 array length, -1 for null. */
  arrayLength(n: number): this {
    return this.int32(n);
  }

  /** Compact array length: uvarint (n + 1), 0 for null (pass -1). */
  compactArrayLength(n: number): this {
    return this.uvarint(n + 1);
  }

  /**
   * Appends bytes. Large buffers are kept by reference as a separate chunk
   * (the caller must not modify them afterwards); small ones are copied.
   */
  raw(b: Buffer): this {
    const len = b.length;
    if (len === 0) return this;
    if (len < RAW_COPY_LIMIT) {
      this.ensure(len);
      b.copy(this.buf, this.pos);
      this.pos += len;
      return this;
    }
    this.flushSegment();
    this.chunks.push(b);
    this.flushed += len;
    return this;
  }

  /** Appends everything written to another Writer (by reference where it kept references). */
  append(other: Writer): this {
    for (const c of other.toChunks()) this.raw(c);
    return this;
  }

  /**
   * A `records` field: nullable bytes whose content may be given as several
   * Buffers (e.g. file-read chunks of a fetch response); each is appended by
   * reference, never concatenated.
   */
  records(v: Buffer | Buffer[] | null | undefined, compact: boolean): this {
    if (v == null) return compact ? this.uvarint(0) : this.int32(-1);
    if (Buffer.isBuffer(v)) return compact ? this.compactBytes(v) : this.bytes(v);
    let total = 0;
    for (const b of v) total += b.length;
    if (compact) this.uvarint(total + 1);
    else this.int32(total);
    for (const b of v) this.raw(b);
    return this;
  }

  /** Reserves 4 bytes to be filled later with fillInt32/fillSize. */
  reserveInt32(): Int32Slot {
    this.ensure(4);
    const slot = { buf: this.buf, offset: this.pos, end: this.length + 4 };
    this.pos += 4;
    return slot;
  }

  fillInt32(slot: Int32Slot, v: number): void {
    slot.buf.writeInt32BE(v, slot.offset);
  }

  /** Fills the slot with the number of bytes written after it (a size prefix). */
  fillSize(slot: Int32Slot): void {
    slot.buf.writeInt32BE(this.length - slot.end, slot.offset);
  }

  /** The written bytes as a list of buffers (views; no copy). */
  toChunks(): Buffer[] {
    this.flushSegment();
    return this.chunks.slice();
  }

  /** The written bytes as one Buffer (copies only when there are several chunks). */
  toBuffer(): Buffer {
    this.flushSegment();
    if (this.chunks.length === 1) return this.chunks[0]!;
    if (this.chunks.length === 0) return Buffer.alloc(0);
    return Buffer.concat(this.chunks, this.flushed);
  }
}
