// In-memory copy of the most recently appended batches (the very Buffers handed
// to append), so fetches near the log end are served with zero I/O and zero copy.
// Bounded in bytes; entries whose write is still in flight are never evicted
// (they are referenced by the write queue anyway), so cold reads from the file
// only ever touch written bytes.
//
// A TailCacheBudget may be shared by the caches of many logs (the LogManager
// shares one across all its partitions) to bound their total: each partition
// keeps its own cap, and when the sum goes over the budget the oldest written
// entries, in broker-wide write order, are evicted from their caches.
import { BATCH, batchSize, readInt64 } from '../protocol/record-batch.ts';

export interface Entry {
  buf: Buffer;
  firstOffset: number;
  lastOffset: number;
  written: boolean;
  /** Dropped from its cache (reads of its range go to the files). */
  evicted: boolean;
  /** Queued in the budget's eviction order (written and not yet evicted). */
  queued: boolean;
  cache: TailCache;
}

/**
 * The byte budget shared by a set of tail caches. It counts every cached byte
 * (written or not) and keeps the written entries in the order their writes
 * completed, which within one log is append order; going over the budget
 * evicts from the front of that order, each entry taking its log's older
 * entries with it so every cache stays a contiguous tail of its log. Unwritten
 * entries are counted but never evicted: they are the only copy of their bytes
 * until the write lands, after which they join the order. Each entry is queued
 * and dequeued at most once, so the work is amortized O(1) per append.
 */
export class TailCacheBudget {
  readonly limitBytes: number;
  private used = 0;
  private order: (Entry | undefined)[] = [];
  private head = 0;
  /** Entries of `order` not yet evicted. */
  private live = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  /** Bytes held by all the caches sharing this budget. */
  get bytes(): number {
    return this.used;
  }

  /** @internal a cache added bytes */
  charge(n: number): void {
    this.used += n;
    this.evict();
  }

  /** @internal a cache dropped an entry */
  release(e: Entry): void {
    this.used -= e.buf.length;
    if (e.queued) {
      e.queued = false;
      this.live--;
    }
  }

  /** @internal an entry's write completed: it may now be evicted */
  written(e: Entry): void {
    e.queued = true;
    this.order.push(e);
    this.live++;
    this.evict();
    // Entries evicted by their own cache's cap stay in `order` until reached;
    // drop them in bulk when they outnumber the live ones.
    const pending = this.order.length - this.head;
    if (pending > 1024 && pending > 2 * this.live) {
      this.order = this.order.slice(this.head).filter((x) => x!.queued);
      this.head = 0;
    }
  }

  private evict(): void {
    while (this.used > this.limitBytes && this.head < this.order.length) {
      const e = this.order[this.head]!;
      this.order[this.head] = undefined;
      this.head++;
      if (!e.queued) continue;
      if (!e.cache.evictThrough(e)) {
        // An older entry of its log is still unwritten (not expected: a log's
        // writes complete in order); it stays queued, at the back.
        this.order.push(e);
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}

const NO_BYTES = Buffer.alloc(0);

export interface ReadLimits {
  maxBytes: number;
  maxOffset: number;
  minOneBatch: boolean;
}

export class TailCache {
  private entries: Entry[] = [];
  private head = 0;
  private size = 0;
  readonly limitBytes: number;
  private readonly budget: TailCacheBudget | undefined;

  /** `limitBytes` caps this cache; `budget`, when given, is shared with other caches. */
  constructor(limitBytes: number, budget?: TailCacheBudget) {
    this.limitBytes = limitBytes;
    this.budget = budget;
  }

  /** Bytes held by this cache. */
  get bytes(): number {
    return this.size;
  }

  get firstOffset(): number {
    return this.head < this.entries.length ? this.entries[this.head]!.firstOffset : Number.POSITIVE_INFINITY;
  }

  add(buf: Buffer, firstOffset: number, lastOffset: number): Entry {
    const e: Entry = { buf, firstOffset, lastOffset, written: false, evicted: false, queued: false, cache: this };
    this.entries.push(e);
    this.size += buf.length;
    this.budget?.charge(buf.length);
    return e;
  }

  markWritten(e: Entry): void {
    e.written = true;
    this.evict();
    if (this.budget && !e.evicted) this.budget.written(e);
  }

  clear(): void {
    for (let i = this.head; i < this.entries.length; i++) this.drop(this.entries[i]!);
    this.entries = [];
    this.head = 0;
    this.size = 0;
  }

  /**
   * Evicts the entries from the oldest through `target` (for the shared budget).
   * False, evicting nothing, when one of them is still unwritten.
   */
  evictThrough(target: Entry): boolean {
    let i = this.head;
    while (i < this.entries.length && this.entries[i] !== target) {
      if (!this.entries[i]!.written) return false;
      i++;
    }
    if (i === this.entries.length || !target.written) return false;
    while (this.head <= i) this.removeHead();
    this.compact();
    return true;
  }

  private drop(e: Entry): void {
    e.evicted = true;
    this.budget?.release(e);
    // The budget's eviction order may still hold the entry until its next
    // clean-out: let go of the bytes now, so they can be collected.
    e.buf = NO_BYTES;
  }

  private removeHead(): void {
    const e = this.entries[this.head]!;
    this.size -= e.buf.length;
    this.drop(e);
    this.entries[this.head] = undefined as unknown as Entry;
    this.head++;
  }

  private evict(): void {
    while (this.size > this.limitBytes && this.head < this.entries.length && this.entries[this.head]!.written)
      this.removeHead();
    this.compact();
  }

  private compact(): void {
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
    let lo = this.head,
      hi = this.entries.length - 1,
      idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.lastOffset >= fetchOffset) {
        idx = mid;
        hi = mid - 1;
      } else lo = mid + 1;
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
        if (last < fetchOffset) {
          p += size;
          continue;
        }
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
