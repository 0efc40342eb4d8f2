// The bounded cache of segment file handles (core/storage/handle-cache.ts): files opened on first
// use, the least recently used idle handle closed when the cache is full, a pinned handle never
// closed (a new open waits for a release instead), a renamed file reopened under its new name, and
// every read returning the right bytes while handles come and go. The open handles are counted
// from /proc/self/fd where there is one.
import { existsSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAt } from '../../../core/storage/file-io.ts';
import { CachedFile, HandleCache } from '../../../core/storage/handle-cache.ts';
import { tempDir } from '../../helpers/storage.ts';

const procFd = existsSync('/proc/self/fd');
const openFds = () => (procFd ? readdirSync('/proc/self/fd').length : 0);

describe('HandleCache', () => {
  it('keeps at most its capacity open while 50 files are read in turn, and reads stay right', async () => {
    const dir = tempDir();
    const cache = new HandleCache(4);
    const files = Array.from({ length: 50 }, (_, i) => {
      const path = join(dir, `f${i}`);
      writeFileSync(path, `file-${i}`);
      return new CachedFile(path, cache);
    });
    const before = openFds();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        files.map(async (f, i) => {
          const buf = await f.use((fd) => readAt(fd, 64, 0));
          expect(buf.toString()).toBe(`file-${i}`);
          expect(cache.size).toBeLessThanOrEqual(4);
        }),
      );
    }
    expect(cache.size).toBe(4);
    if (procFd) expect(openFds() - before).toBeLessThanOrEqual(4);
    expect(cache.opens).toBe(150); // 50 files, 4 handles: every round misses
    for (const f of files) f.close();
    expect(cache.size).toBe(0);
  });

  it('serves the recently used files from open handles, and reopens a renamed file by its new name', async () => {
    const dir = tempDir();
    const cache = new HandleCache(2);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => {
      writeFileSync(join(dir, n), n);
      return new CachedFile(join(dir, n), cache);
    });
    await a!.use(() => {});
    await b!.use(() => {});
    await a!.use(() => {}); // a is now the most recent
    await c!.use(() => {}); // evicts b, not a
    expect([a!.fd >= 0, b!.fd >= 0, c!.fd >= 0]).toEqual([true, false, true]);
    expect(cache.evictions).toBe(1);
    renameSync(join(dir, 'b'), join(dir, 'b.deleted'));
    b!.moveTo(join(dir, 'b.deleted'));
    expect((await b!.use((fd) => readAt(fd, 8, 0))).toString()).toBe('b');
  });

  it('never closes a pinned handle: an open past capacity waits for a release', async () => {
    const dir = tempDir();
    const cache = new HandleCache(2);
    const files = ['x', 'y', 'z'].map((n) => {
      writeFileSync(join(dir, n), n);
      return new CachedFile(join(dir, n), cache);
    });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const p0 = files[0]!.use(() => held);
    const p1 = files[1]!.use(() => held);
    await new Promise((r) => setImmediate(r));
    let third = false;
    const p2 = files[2]!.use((fd) => {
      third = true;
      return readAt(fd, 4, 0);
    });
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    expect(cache.size).toBe(2);
    release();
    await Promise.all([p0, p1]);
    expect((await p2).toString()).toBe('z');
    expect(cache.size).toBeLessThanOrEqual(2);
  });
});
