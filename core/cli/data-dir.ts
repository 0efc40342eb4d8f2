// Where Samsa keeps its data, and a lock so two processes never share a data dir.
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
  accessSync,
  constants,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The platform's app-data folder for Samsa; `SAMSA_DATA_DIR` overrides it. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SAMSA_DATA_DIR) return env.SAMSA_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Samsa');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Samsa');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'samsa');
}

export class DataDirError extends Error {}

/**
 * Who may read the data: by default only the user who runs Samsa (the data dir 0700, every
 * file in it 0600, as `console.json` and `cluster.json` always were); with `shared` also the
 * user's group (0750 / 0640), for a data dir a team reads from.
 */
export interface DataDirAccess {
  shared?: boolean;
}

/**
 * Creates the data dir if needed, checks it is a writable directory, and makes it private (or
 * group-readable): its mode is set, and the process's umask makes everything this process and
 * the broker processes it starts create there private too (logs, indexes, checkpoints,
 * metadata.db). Other users could otherwise read records straight out of the `.log` files.
 */
export function prepareDataDir(dir: string, access: DataDirAccess = {}): void {
  try {
    process.umask(access.shared ? 0o027 : 0o077);
    mkdirSync(dir, { recursive: true });
    if (process.platform !== 'win32') chmodSync(dir, access.shared ? 0o750 : 0o700);
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataDirError(
      `data dir ${dir} is unusable: ${err.code === 'EEXIST' || err.code === 'ENOTDIR' ? 'not a directory' : (err.code ?? err.message)}`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/.lock` (holding our pid). A lock left by a process that no
 * longer runs (a crash) is taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new DataDirError(`data dir ${dir} is unusable: ${(e as Error).message}`);
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DataDirError(`data dir ${dir} is in use by another Samsa process (pid ${pid})`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirError(`data dir ${dir}: could not take the lock`);
}
