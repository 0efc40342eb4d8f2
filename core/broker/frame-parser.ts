// Splits a TCP byte stream into Kafka frames: a 4-byte big-endian size, then
// that many bytes. Incoming chunks are queued, not concatenated; a frame that
// lies inside one chunk is returned as a zero-copy view, one spanning chunks
// is assembled with a single copy. So the cost is linear in the bytes read.

export class FrameTooLargeError extends Error {
  readonly size: number;
  constructor(size: number, max: number) {
    super(size < 0 ? `invalid frame size ${size}` : `frame size ${size} exceeds socket.request.max.bytes ${max}`);
    this.size = size;
  }
}

export class FrameParser {
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private head = 0; // index of the first live chunk
  private headOffset = 0; // consumed bytes of chunks[head]
  private buffered = 0; // unconsumed bytes in total
  private pendingSize = -1; // size of the frame being waited for, once its prefix is read

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete frame (without its size prefix), or null if more bytes
   * are needed. Throws FrameTooLargeError on a negative or oversized size.
   */
  next(): Buffer | null {
    if (this.pendingSize < 0) {
      if (this.buffered < 4) return null;
      const size = this.readInt32();
      if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
      this.pendingSize = size;
    }
    if (this.buffered < this.pendingSize) return null;
    const frame = this.take(this.pendingSize);
    this.pendingSize = -1;
    return frame;
  }

  private readInt32(): number {
    const first = this.chunks[this.head]!;
    if (first.length - this.headOffset >= 4) {
      const v = first.readInt32BE(this.headOffset);
      this.consume(4);
      return v;
    }
    return this.take(4).readInt32BE(0);
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head]!;
    if (first.length - this.headOffset >= n) {
      const view = first.subarray(this.headOffset, this.headOffset + n);
      this.consume(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[this.head]!;
      const len = Math.min(c.length - this.headOffset, n - filled);
      c.copy(out, filled, this.headOffset, this.headOffset + len);
      filled += len;
      this.consume(len);
    }
    return out;
  }

  private consume(n: number): void {
    this.buffered -= n;
    this.headOffset += n;
    const c = this.chunks[this.head]!;
    if (this.headOffset === c.length) {
      this.chunks[this.head] = undefined as unknown as Buffer; // release the reference
      this.head++;
      this.headOffset = 0;
      if (this.head === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
      } else if (this.head > 64) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}
