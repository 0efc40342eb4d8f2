// On open, finishing what a crash interrupted in the log cleaner's swap
// (Kafka's LogLoader does the same): a `<base>.log.swap` is a complete cleaned
// segment that replaces every `.log` segment whose base offset lies in
// [base, its next offset); those are deleted (with their indexes, which are
// rebuilt for the swapped-in segment) and the swap file is renamed into place.
// `.cleaned` files are incomplete and deleted by the loader; so are `.deleted`.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { BATCH, batchSize, readInt64 } from '../../protocol/record-batch.ts';

const SWAP_FILE = /^(\d{20})\.log\.swap$/;
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;
const INDEX_SWAP = /^\d{20}\.(index|timeindex)\.swap$/;

/** Offset after the last whole batch of a segment file (its base offset when it has none). */
function nextOffsetOf(path: string, base: number): number {
  const buf = fs.readFileSync(path);
  let next = base;
  let p = 0;
  while (p + BATCH.HEADER_SIZE <= buf.length) {
    const size = batchSize(buf, p);
    if (size < BATCH.HEADER_SIZE || p + size > buf.length) break;
    next = readInt64(buf, p) + buf.readInt32BE(p + BATCH.LAST_OFFSET_DELTA) + 1;
    p += size;
  }
  return next;
}

/** Completes interrupted swaps in a partition directory; returns how many. */
export function completeSwaps(dir: string): number {
  const names = fs.readdirSync(dir);
  let done = 0;
  for (const name of names) {
    if (INDEX_SWAP.test(name)) {
      fs.rmSync(join(dir, name), { force: true });
      continue;
    }
    const m = SWAP_FILE.exec(name);
    if (!m) continue;
    const base = Number(m[1]);
    const swapPath = join(dir, name);
    const end = nextOffsetOf(swapPath, base);
    if (end === base) {
      fs.rmSync(swapPath, { force: true });
      continue;
    } // nothing in it: the old segments stay
    for (const other of names) {
      const s = SEGMENT_FILE.exec(other);
      if (!s) continue;
      const b = Number(s[1]);
      if (b >= base && b < end) fs.rmSync(join(dir, other), { force: true });
    }
    fs.renameSync(swapPath, join(dir, `${m[1]}.log`));
    done++;
  }
  if (done > 0) {
    try {
      const fd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      /* directories cannot be opened on Windows */
    }
  }
  return done;
}
