// The app's log: one file in the platform's log folder (~/Library/Logs/Samsa on macOS), with the
// brokers' output interleaved, prefixed by their id.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type Log = (msg: string) => void;

const MAX_BYTES = 10 * 1024 * 1024;

export function fileLog(dir: string, name = 'samsa.log'): { log: Log; file: string } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  try {
    // Keep one previous log when it grew large.
    if (statSync(file).size > MAX_BYTES) renameSync(file, `${file}.1`);
  } catch {
    /* no log yet */
  }
  const log: Log = (msg) => {
    const line = `${new Date().toISOString()} ${msg}\n`;
    try {
      appendFileSync(file, line);
    } catch {
      /* a full disk must not stop the app */
    }
    if (process.env.SAMSA_LOG_STDERR) process.stderr.write(line);
  };
  return { log, file };
}
