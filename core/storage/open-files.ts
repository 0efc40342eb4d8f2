// How many files this process may hold open (RLIMIT_NOFILE), and the share of
// them the storage layer may use. Node raises the soft limit to the hard one at
// start-up, so the number read here is what the process can really open. Kafka
// needs one handle per segment file it has open; Samsa opens segments lazily and
// closes idle ones (handle-cache.ts), so the limit bounds the handle cache and,
// through the controller, the partitions one broker may be given.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let cached: number | null | undefined;

/** The open-files limit of this process; null when the platform has none we can read (Windows). */
export function openFilesLimit(): number | null {
  if (cached !== undefined) return cached;
  cached = readLimit();
  return cached;
}

function readLimit(): number | null {
  if (process.platform === 'win32') return null;
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft !== undefined) return soft === 'unlimited' ? null : Number(soft);
  } catch {
    // not Linux: ask the shell, which reports the same limit to its children
  }
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** Handles kept back from partitions: client connections, checkpoints, index writes, the runtime's own files. */
export function reservedHandles(limit: number): number {
  return Math.max(64, Math.floor(limit / 8));
}

/**
 * The most partition replicas one broker may hold: one handle per partition
 * (its active segment) within the limit, less the reserve. Null when unbounded.
 */
export function maxPartitionsPerBroker(limit: number | null = openFilesLimit()): number | null {
  if (limit === null) return null;
  return Math.max(1, limit - reservedHandles(limit));
}
