// Small promise wrappers over node:fs callbacks on raw file descriptors
// (positional reads/writes, so concurrent reads and appends never share a cursor).
// The asynchronous whole-file writes (checkpoints, snapshots) take one of a few
// slots first: a thousand partitions writing their leader-epoch checkpoints at
// once must not open a thousand files at once (open-files.ts keeps a reserve
// for these, not one per partition).
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';

export function readAt(fd: number, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      fs.read(fd, buf, done, length - done, position + done, (err, n) => {
        if (err) return reject(err);
        if (n === 0 || done + n === length) return resolve(done + n === length ? buf : buf.subarray(0, done + n));
        step(done + n);
      });
    };
    step(0);
  });
}

const MAX_IOV = 1024;

/** Writes every buffer at position, looping over partial writes. */
export function writevAt(fd: number, bufs: Buffer[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let i = 0;
    let pos = position;
    const next = (): void => {
      if (i >= bufs.length) return resolve();
      const slice = bufs.slice(i, i + MAX_IOV);
      fs.writev(fd, slice, pos, (err, written) => {
        if (err) return reject(err);
        pos += written;
        // drop fully written buffers; keep the unwritten tail of a partial one
        let left = written;
        while (i < bufs.length && left >= bufs[i]!.length) {
          left -= bufs[i]!.length;
          i++;
        }
        if (left > 0) bufs[i] = bufs[i]!.subarray(left);
        next();
      });
    };
    next();
  });
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

/** Asynchronous opens of short-lived files in flight at most (part of open-files.ts's reserve). */
export const TRANSIENT_OPENS = 16;
let transientInFlight = 0;
const transientWaiters: (() => void)[] = [];

async function withTransientSlot<T>(fn: () => Promise<T>): Promise<T> {
  while (transientInFlight >= TRANSIENT_OPENS) await new Promise<void>((r) => transientWaiters.push(r));
  transientInFlight++;
  try {
    return await fn();
  } finally {
    transientInFlight--;
    transientWaiters.shift()?.();
  }
}

/** fsync a directory so a rename/create in it is durable (no-op where unsupported). */
export function fsyncDir(dir: string): Promise<void> {
  return withTransientSlot(() => fsyncDirNow(dir));
}

async function fsyncDirNow(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open directories: nothing to do there.
  } finally {
    await fh?.close();
  }
}

/** Kafka's atomic file replacement: write <file>.tmp, fsync, rename over <file>, fsync the dir. */
export function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  return withTransientSlot(() => writeFileAtomicNow(path, data));
}

async function writeFileAtomicNow(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
  await fsyncDirNow(dirname(path));
}

export function writeFileAtomicSync(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}
