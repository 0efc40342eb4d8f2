// Temporary directories for integration tests: created under os.tmpdir(), removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();

export function makeTmpDir(prefix = 'samsa-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

export function removeTmpDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  created.delete(dir);
}

/** Removes every directory made by makeTmpDir in this process (call from afterAll). */
export function removeAllTmpDirs(): void {
  for (const dir of [...created]) removeTmpDir(dir);
}

process.once('exit', removeAllTmpDirs);
