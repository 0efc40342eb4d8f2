// Open segment files, bounded: a segment's `.log` is opened when it is first
// read or written, and the least recently used idle handles are closed when the
// cache is full, so the number of open files does not grow with the number of
// partitions or segments (Kafka opens its index files lazily for the same
// reason). A handle in use (pinned) is never closed; when every handle is
// pinned, a new open waits for one to be released. The capacity comes from the
// process's open-files limit (open-files.ts), less a reserve for connections.
//
// The hot path stays cheap: a read or write of an open file is a pin and an
// unpin (two Map operations); only a miss makes a system call.
import * as fs from 'node:fs';
import { openFilesLimit, reservedHandles } from './open-files.ts';

export class HandleCache {
  readonly capacity: number;
  /** Handles open now. */
  private openCount = 0;
  /** Open handles nobody uses, least recently used first (Map keeps insertion order). */
  private readonly idle = new Map<CachedFile, true>();
  private readonly waiters: (() => void)[] = [];
  /** Opens done (misses) and handles closed to make room, for tests and metrics. */
  opens = 0;
  evictions = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(2, capacity);
  }

  get size(): number {
    return this.openCount;
  }

  /** Pins the file's handle, opening it (after closing idle ones, or waiting) when needed. */
  pin(f: CachedFile): number | Promise<number> {
    if (f.fd >= 0) {
      if (f.pins++ === 0) this.idle.delete(f);
      return f.fd;
    }
    return this.openPinned(f);
  }

  private async openPinned(f: CachedFile): Promise<number> {
    for (;;) {
      if (f.closed) throw new Error(`${f.path} is closed`);
      if (f.fd >= 0) return this.pin(f) as number;
      if (this.openCount < this.capacity || this.evictOne()) break;
      await new Promise<void>((r) => this.waiters.push(r));
    }
    f.fd = fs.openSync(f.path, 'r+');
    this.openCount++;
    this.opens++;
    f.pins++;
    return f.fd;
  }

  unpin(f: CachedFile): void {
    if (--f.pins > 0) return;
    if (f.fd < 0) return;
    if (f.closed || this.openCount > this.capacity) {
      this.closeHandle(f);
    } else {
      this.idle.set(f, true);
    }
    this.waiters.shift()?.();
  }

  /** Closes the least recently used idle handle; false when every open handle is pinned. */
  private evictOne(): boolean {
    const oldest = this.idle.keys().next();
    if (oldest.done) return false;
    this.idle.delete(oldest.value);
    this.closeHandle(oldest.value);
    this.evictions++;
    return true;
  }

  private closeHandle(f: CachedFile): void {
    const fd = f.fd;
    f.fd = -1;
    this.openCount--;
    try {
      fs.closeSync(fd);
    } catch {
      /* already gone */
    }
  }

  /** Forgets the file: closes its handle now if idle, else when its last user unpins it. */
  close(f: CachedFile): void {
    f.closed = true;
    if (f.fd >= 0 && f.pins === 0) {
      this.idle.delete(f);
      this.closeHandle(f);
      this.waiters.shift()?.();
    }
  }
}

/** One file whose handle lives in a HandleCache. */
export class CachedFile {
  fd = -1;
  pins = 0;
  closed = false;
  path: string;
  private readonly cache: HandleCache;

  constructor(path: string, cache: HandleCache = defaultHandleCache()) {
    this.path = path;
    this.cache = cache;
  }

  /** Runs fn with the file's handle pinned. */
  async use<T>(fn: (fd: number) => T | Promise<T>): Promise<T> {
    const fd = await this.cache.pin(this);
    try {
      return await fn(fd);
    } finally {
      this.cache.unpin(this);
    }
  }

  /** After the file was renamed: the next open uses the new name (an open handle follows the file by itself). */
  moveTo(path: string): void {
    this.path = path;
  }

  close(): void {
    this.cache.close(this);
  }
}

let shared: HandleCache | undefined;

/** The process's cache: the open-files limit less the reserve (no bound where the limit is unknown). */
export function defaultHandleCache(): HandleCache {
  if (!shared) {
    const limit = openFilesLimit();
    shared = new HandleCache(limit === null ? Number.POSITIVE_INFINITY : limit - reservedHandles(limit));
  }
  return shared;
}
