// A growable in-memory copy of an index file (Node has no mmap): entries are
// appended in memory and written to disk on roll, close and checkpoint.
import * as fs from 'node:fs';

export class IndexBuffer {
  readonly entrySize: number;
  readonly maxEntries: number;
  buf: Buffer;
  entries = 0;

  constructor(entrySize: number, maxIndexBytes: number, initial?: Buffer) {
    this.entrySize = entrySize;
    // Kafka rounds segment.index.bytes down to a whole number of entries.
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entrySize));
    const n = initial ? Math.floor(initial.length / entrySize) : 0;
    this.buf = Buffer.alloc(Math.max(64, n) * entrySize);
    if (initial) initial.copy(this.buf, 0, 0, n * entrySize);
    this.entries = n;
  }

  get isFull(): boolean {
    return this.entries >= this.maxEntries;
  }
  get byteLength(): number {
    return this.entries * this.entrySize;
  }

  /** Room for one more entry; returns its byte position. */
  reserve(): number {
    const pos = this.entries * this.entrySize;
    if (pos + this.entrySize > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, pos);
      this.buf = bigger;
    }
    this.entries++;
    return pos;
  }

  truncateEntries(n: number): void {
    this.entries = Math.min(this.entries, n);
  }

  /** The valid entries (a view, not a copy). */
  contents(): Buffer {
    return this.buf.subarray(0, this.byteLength);
  }

  /** Writes the file trimmed to its valid size (Kafka's trimToValidSize on close/roll). */
  writeFileSync(path: string, fsync: boolean): void {
    const fd = fs.openSync(path, 'w');
    try {
      fs.writeSync(fd, this.contents());
      if (fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
