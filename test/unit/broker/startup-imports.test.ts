// Start-up cost guard: the broker must not import the generated API index,
// which loads all ~90 message codecs (about 18 MB and 50 ms at start-up);
// it imports the modules of the APIs it serves and messages/api-keys.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/spawn-broker.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it('no module under core/broker, core/storage, core/cluster or core/cli imports messages/index.ts', () => {
  const offenders = ['broker', 'storage', 'cluster', 'cli']
    .flatMap((d) => files(join(REPO_ROOT, 'core', d)))
    .filter((f) => /from '[^']*protocol\/messages\/index\.ts'/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(REPO_ROOT, f));
  expect(offenders).toEqual([]);
});
