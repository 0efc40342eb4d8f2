// In-memory copy of the most recently appended batches (the very Buffers handed
// to append), so fetches near the log end are served with zero I/O and zero copy.
// Bounded in bytes; entries whose write is still in flight are never evicted
// (they are referenced by the write queue anyway), so cold reads from the file
// only ever touch written bytes.
import { BATCH, batchSize, readInt64 } from '../protocol/record-batch.ts';

export interface Entry {
  buf: Buffer;
  firstOffset: number;
  lastOffset: number;
  written: boolean;
}

export interface ReadLimits { maxBytes: number; maxOffset: number; minOneBatch: boolean }

export class TailCache {
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  get firstOffset(): number {
    return this.head < this.entries.length ? this.entries[this.head]!.firstOffset : Number.POSITIVE_INFINITY;
  }

  add(buf: Buffer, firstOffset: number, lastOffset: number): Entry {
    const e: Entry = { buf, firstOffset, lastOffset, written: false };
    this.entries.push(e);
    this.bytes += buf.length;
    return e;
  }

  markWritten(e: Entry): void {
    e.written = true;
    this.evict();
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
  }

  private evict(): void {
    while (this.bytes > this.limitBytes && this.head < this.entries.length && this.entries[this.head]!.written) {
      this.bytes -= this.entries[this.head]!.buf.length;
      this.entries[this.head] = undefined as unknown as Entry;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Whole batches from the one containing fetchOffset; undefined when fetchOffset
   * is not cached. Contiguous batches of one entry are returned as one subarray.
   */
  read(fetchOffset: number, limits: ReadLimits): { chunks: Buffer[]; bytes: number } | undefined {
    if (fetchOffset < this.firstOffset) return undefined;
    let lo = this.head, hi = this.entries.length - 1, idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.lastOffset >= fetchOffset) { idx = mid; hi = mid - 1; } else lo = mid + 1;
    }
    if (idx < 0) return undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let first = true;
    for (let i = idx; i < this.entries.length; i++) {
      const { buf } = this.entries[i]!;
      let p = 0;
      let start = -1;
      while (p < buf.length) {
        const size = batchSize(buf, p);
        const last = readInt64(buf, p) + buf.readInt32BE(p + BATCH.LAST_OFFSET_DELTA);
        if (last < fetchOffset) { p += size; continue; }
        if (last >= limits.maxOffset) break;
        if (bytes + size > limits.maxBytes && !(first && limits.minOneBatch)) break;
        if (start < 0) start = p;
        bytes += size;
        first = false;
        p += size;
      }
      if (start >= 0) chunks.push(start === 0 && p === buf.length ? buf : buf.subarray(start, p));
      if (p < buf.length) break;
    }
    return { chunks, bytes };
  }
}
