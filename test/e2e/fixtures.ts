// Starts `samsa start --ui --port 0 --ui-port 0` once per worker (a real broker in its own process,
// with a temp data dir) and hands the tests its console URL and bootstrap address.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';

export interface Samsa {
  url: string;
  bootstrap: string;
}

async function startSamsa(): Promise<{ samsa: Samsa; proc: ChildProcess; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-e2e-'));
  const proc = spawn(
    process.execPath,
    ['bin/samsa.js', 'start', '--ui', '--port', '0', '--ui-port', '0', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const samsa = await new Promise<Samsa>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`samsa did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const broker = /listening on (\S+):(\d+)/.exec(out);
      const ui = /Samsa console: (http\S+)/.exec(out);
      if (broker && ui) {
        clearTimeout(timer);
        resolve({ url: ui[1]!, bootstrap: `${broker[1]}:${broker[2]}` });
      }
      if (/Samsa console: not available/.test(out)) {
        clearTimeout(timer);
        reject(new Error(out));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`samsa exited with ${code}:\n${out}`));
    });
  });
  return { samsa, proc, dataDir };
}

export const test = base.extend<{ shot: (page: Page, name: string) => Promise<void> }, { samsa: Samsa }>({
  samsa: [
    async ({}, use) => {
      const { samsa, proc, dataDir } = await startSamsa();
      await use(samsa);
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  shot: async ({}, use) => {
    mkdirSync('test-results/screenshots', { recursive: true });
    await use(async (page, name) => {
      await page.screenshot({ path: `test-results/screenshots/${name}.png` });
    });
  },
});

export { expect } from '@playwright/test';
