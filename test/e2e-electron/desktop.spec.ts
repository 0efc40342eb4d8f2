// The desktop app end to end: launch it (the packaged app when SAMSA_APP_PATH names its
// executable, else the built app under the project's Electron), see the console and where the
// cluster listens, check the page has no Node and a CSP, use the Bridge, and quit cleanly.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The Electron executable to launch, or why there is none. */
function electronExecutable(): { path: string; args: string[] } | { reason: string } {
  const packaged = process.env.SAMSA_APP_PATH;
  if (packaged)
    return existsSync(packaged)
      ? { path: packaged, args: [] }
      : { reason: `SAMSA_APP_PATH ${packaged} does not exist` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return { reason: 'no display (set DISPLAY, e.g. under xvfb-run)' };
  const pathFile = join(root, 'node_modules/electron/path.txt');
  const exe = existsSync(pathFile)
    ? join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim())
    : undefined;
  if (!exe || !existsSync(exe))
    return { reason: 'no Electron binary (run `node node_modules/electron/install.js` where it can be downloaded)' };
  if (!existsSync(join(root, 'out/main/index.js'))) return { reason: 'the app is not built (npm run build)' };
  return { path: exe, args: [root] };
}

const runtime = electronExecutable();
if ('reason' in runtime) console.log(`Desktop app tests skipped: ${runtime.reason}`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

test.describe('desktop app', () => {
  test.skip('reason' in runtime, 'reason' in runtime ? runtime.reason : '');

  let app: ElectronApplication;
  let page: Page;
  let port: number;
  let work: string;

  test.beforeAll(async () => {
    if ('reason' in runtime) return;
    work = mkdtempSync(join(tmpdir(), 'samsa-desktop-'));
    const userData = join(work, 'user-data');
    mkdirSync(userData, { recursive: true });
    port = await freePort();
    writeFileSync(
      join(userData, 'settings.json'),
      JSON.stringify({ port, controllerPort: await freePort(), dataDir: join(work, 'data') }),
    );
    app = await electron.launch({
      executablePath: runtime.path,
      args: runtime.args,
      env: { ...process.env, SAMSA_USER_DATA_DIR: userData } as Record<string, string>,
    });
    page = await app.firstWindow();
  });

  test.afterAll(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('opens the console and shows where the cluster listens', async () => {
    await expect.poll(() => page.title()).toBe(`Samsa — listening on 127.0.0.1:${port}`);
    await expect(page.locator('#app')).not.toBeEmpty();
    expect(await listening(port)).toBe(true);
  });

  test('the page has no Node, a CSP that forbids eval, and only the Bridge from the preload', async () => {
    const probe = await page.evaluate(() => {
      let evalBlocked = false;
      try {
        (0, eval)('1');
      } catch {
        evalBlocked = true;
      }
      const w = globalThis as unknown as Record<string, unknown> & { location: { origin: string; pathname: string } };
      return {
        require: typeof w.require,
        process: typeof w.process,
        ipc: typeof w.samsaIpc,
        evalBlocked,
        origin: w.location.origin + w.location.pathname,
      };
    });
    expect(probe).toEqual({
      require: 'undefined',
      process: 'undefined',
      ipc: 'object',
      evalBlocked: true,
      origin: 'app://samsa/index.html',
    });
  });

  test('the Bridge creates and lists a topic on the local cluster', async () => {
    const created = await page.evaluate(() =>
      (globalThis as unknown as { samsaIpc: { invoke(m: string, a: unknown): Promise<unknown> } }).samsaIpc.invoke(
        'createTopic',
        { name: 'desktop-e2e', partitions: 3 },
      ),
    );
    expect(created).toMatchObject({ ok: true, result: { name: 'desktop-e2e', partitions: 3 } });
    const listed = await page.evaluate(() =>
      (
        globalThis as unknown as {
          samsaIpc: { invoke(m: string, a: unknown): Promise<{ result: { name: string }[] }> };
        }
      ).samsaIpc.invoke('listTopics', {}),
    );
    expect(listed.result.map((t) => t.name)).toContain('desktop-e2e');
  });

  test('new windows are denied', async () => {
    const before = app.windows().length;
    await page.evaluate(() => {
      (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/');
    });
    await page.waitForTimeout(500);
    expect(app.windows().length).toBe(before);
  });

  test('quitting stops the brokers', async () => {
    await app.evaluate(({ app: a }) => {
      a.quit();
    });
    await app.waitForEvent('close', { timeout: 40_000 }).catch(() => undefined);
    await expect.poll(() => listening(port), { timeout: 30_000 }).toBe(false);
  });
});
