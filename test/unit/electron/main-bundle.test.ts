// The built desktop main process (out/main/index.js), run under Node with a stand-in `electron`
// module: it must start real broker processes, register exactly the Bridge's IPC handlers (each
// refusing foreign senders), create the window with secure webPreferences and serve the renderer
// with a CSP, deny navigation and new windows, and stop the brokers on quit.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Module, { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TailEvent } from '../../../core/console/bridge.ts';
import type { IpcOutcome } from '../../../electron/shared/ipc.ts';
import { bridgeMethodsFromSource } from './bridge-methods.ts';
import { bundleImports, packagedFilter } from './packaging.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Node 24 (the project's own), as the app's Electron embeds.
const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
const driver = fileURLToPath(new URL('./drive-main.mjs', import.meta.url));

interface Report {
  errors: string[];
  [k: string]: unknown;
  record: {
    singleInstanceLockRequested: number;
    privilegedSchemes: { scheme: string; privileges: Record<string, boolean> }[];
    protocolSchemes: string[];
    handleCalls: string[];
    onChannels: string[];
    windows: {
      options: { webPreferences: Record<string, unknown>; title?: string };
      titles: string[];
      loaded: string[];
      visible: boolean;
      hasWindowOpenHandler: boolean;
      navigationListeners: number;
    }[];
    applicationMenu:
      { label?: string; role?: string; submenu?: { label?: string; role?: string; accelerator?: string }[] }[] | null;
    trays: { tooltip: string; menu: { label?: string; submenu?: { label: string }[] }[] | null; template: boolean }[];
    dialogs: { message: string; buttons: string[] }[];
    errorBoxes: unknown[];
    forks: {
      modulePath: string;
      args: string[];
      serviceName: string;
      pid: number;
      exit: { code: number | null; signal: string | null } | null;
    }[];
    quitCompleted: boolean;
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function runMain(env: Record<string, string>, report: string): Report {
  const r = spawnSync(node, ['--import', driver, join(root, 'out/main/index.js')], {
    cwd: root,
    env: { ...process.env, ...env, FAKE_REPORT: report },
    encoding: 'utf8',
    timeout: 150_000,
  });
  if (!existsSync(report)) throw new Error(`no report (exit ${r.status}): ${r.stderr}\n${r.stdout}`);
  return JSON.parse(readFileSync(report, 'utf8')) as Report;
}

const work = mkdtempSync(join(tmpdir(), 'samsa-electron-'));
let blocker: Server | undefined;
let report: Report;
let takenPort = 0;

beforeAll(async () => {
  execFileSync(join(root, 'node_modules/.bin/electron-vite'), ['build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'pipe',
  });
  // The configured port is taken by another program: the app must offer another one, not crash.
  takenPort = await freePort();
  blocker = createServer().listen(takenPort, '127.0.0.1');
  await new Promise((r) => blocker!.once('listening', r));
  const userData = join(work, 'user-data');
  const dataDir = join(work, 'data');
  const settings = {
    brokers: 2,
    port: takenPort,
    controllerPort: await freePort(),
    host: '127.0.0.1',
    dataDir,
    topicDefaults: { partitions: 1, replicationFactor: 1, retentionHours: 168, autoCreateTopics: true },
  };
  execFileSync('mkdir', ['-p', userData]);
  writeFileSync(join(userData, 'settings.json'), JSON.stringify(settings));
  report = runMain({ FAKE_USERDATA: userData, FAKE_DIALOG_RESPONSE: '0' }, join(work, 'report.json'));
}, 240_000);

afterAll(() => {
  blocker?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('desktop main bundle under a stand-in electron', () => {
  it('ran without errors', () => {
    expect(report.errors).toEqual([]);
    expect(report.record.errorBoxes).toEqual([]);
  });

  it('takes the single-instance lock and registers the app:// scheme before ready', () => {
    expect(report.record.singleInstanceLockRequested).toBe(1);
    expect(report.record.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(report.record.protocolSchemes).toEqual(['app']);
  });

  it('offers another port when the configured one is taken, and starts there', () => {
    const d = report.record.dialogs.find((x) => x.message.includes(`Port ${takenPort}`));
    expect(d, JSON.stringify(report.record.dialogs)).toBeDefined();
    const chosen = Number(/Use Port (\d+)/.exec(d!.buttons[0]!)?.[1]);
    expect(chosen).toBeGreaterThan(takenPort);
    const forks = report.record.forks;
    expect(forks.map((f) => f.args[f.args.indexOf('--port') + 1])).toEqual([String(chosen), String(chosen + 1)]);
    expect((report.connection as { result: { bootstrap: string } }).result.bootstrap).toBe(
      `127.0.0.1:${chosen},127.0.0.1:${chosen + 1}`,
    );
  });

  it('starts the controller here and each broker as a utility process of the bundled broker entry (samsa broker-node), which clients reach', () => {
    expect(report.record.forks).toHaveLength(2);
    report.record.forks.forEach((fork, i) => {
      expect(fork.modulePath).toBe(join(root, 'out/main/broker-process.js'));
      expect(fork.args.slice(0, 3)).toEqual(['broker-node', '--id', String(i + 1)]);
      expect(fork.args[fork.args.indexOf('--controller') + 1]).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(fork.serviceName).toBe(`Samsa broker ${i + 1}`);
    });
    expect(report.connection).toEqual({ ok: true, result: expect.objectContaining({ connected: true }) });
    expect(report.createTopic).toMatchObject({ ok: true, result: { name: 'desktop-topic', partitions: 2 } });
    expect((report.listTopics as { result: { name: string }[] }).result.map((t) => t.name)).toContain('desktop-topic');
    expect(report.clusterStatus).toMatchObject({
      ok: true,
      result: {
        brokers: [
          { id: 1, status: 'running', inProcess: false },
          { id: 2, status: 'running', inProcess: false },
        ],
      },
    });
    expect(report.overview).toMatchObject({ ok: true, result: { brokers: [{ nodeId: 1 }, { nodeId: 2 }] } });
  });

  it('registers exactly one handler per Bridge method, plus the shell methods', () => {
    const calls = report.record.handleCalls;
    expect(new Set(calls).size).toBe(calls.length);
    const bridge = calls
      .filter((c) => c.startsWith('samsa:bridge:'))
      .map((c) => c.slice('samsa:bridge:'.length))
      .sort();
    expect(bridge).toEqual(bridgeMethodsFromSource().sort());
    const shell = calls.filter((c) => c.startsWith('samsa:shell:')).sort();
    expect(shell).toEqual([
      'samsa:shell:clusterStatus',
      'samsa:shell:getSettings',
      'samsa:shell:openDataFolder',
      'samsa:shell:saveSettings',
    ]);
    expect(calls.length).toBe(bridge.length + shell.length);
    expect(report.record.onChannels).toEqual(['samsa:stream-ack']);
  });

  it('every handler refuses foreign frames, subframes, other origins and missing frames', () => {
    const refusals = report.refusals as Record<string, string[]>;
    expect(Object.keys(refusals).sort()).toEqual([...report.record.handleCalls].sort());
    for (const [channel, outcomes] of Object.entries(refusals)) {
      expect(outcomes, channel).toHaveLength(4);
      for (const o of outcomes) expect(o, channel).toMatch(/^rejected: .*not the app's page/);
    }
  });

  it('validates arguments before they reach the service', () => {
    expect(report.unknownArgs).toEqual({ ok: false, error: { message: 'name must be a string', field: 'name' } });
    expect(report.nonPlainArgs).toMatchObject({ ok: false, error: { message: 'arguments must be JSON data' } });
    expect(report.saveBadSettings).toMatchObject({ ok: false, error: { field: 'brokers' } });
  });

  it('streams a tail over webContents.send and cancels it', () => {
    expect(report.openTail).toMatchObject({ ok: true });
    expect(report.produce).toMatchObject({ ok: true });
    expect(report.tailRecords).toEqual([{ partition: 1, value: 'hello from the desktop' }]);
    expect(report.tailCancel).toEqual({ ok: true, result: { ok: true } });
    expect(report.tailClosedEvent).toBe(true);
  });

  it('creates the window with secure webPreferences and shows where the cluster listens', () => {
    const main = report.record.windows[0]!;
    const wp = main.options.webPreferences;
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.webSecurity).not.toBe(false);
    expect(wp.allowRunningInsecureContent).not.toBe(true);
    expect(wp.webviewTag).not.toBe(true);
    expect(wp.preload).toBe(join(root, 'out/preload/index.cjs'));
    expect(existsSync(wp.preload as string)).toBe(true);
    expect(main.loaded).toEqual(['app://samsa/index.html']);
    expect(main.visible).toBe(true);
    const chosen = Number(
      /127\.0\.0\.1:(\d+)/.exec(String((report.connection as { result: { bootstrap: string } }).result.bootstrap))![1],
    );
    expect(main.titles.at(-1)).toBe(`Samsa — listening on 127.0.0.1:${chosen}–${chosen + 1}`);
    expect(report.record.trays[0]!.tooltip).toContain(`127.0.0.1:${chosen}`);
    expect(report.secondInstanceNewWindow).toBe(false);
  });

  it('serves the renderer with a strict CSP and nothing outside it', () => {
    const index = report.index as { status: number; csp: string; hasApp: boolean };
    expect(index.status).toBe(200);
    expect(index.hasApp).toBe(true);
    expect(index.csp).toContain("default-src 'none'");
    expect(index.csp).toContain("script-src 'self'");
    expect(index.csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(report.traversal).toBe(404);
    expect(report.otherHost).toBe(404);
    expect(report.settingsPage).toEqual({ status: 200, csp: index.csp });
  });

  it('denies navigation, new windows, webviews and permissions; allowlisted links open in the browser', () => {
    expect(report.navigationPrevented).toBe(true);
    expect(report.allowlistedNavigation).toEqual({
      prevented: true,
      openedExternal: ['https://kafka.apache.org/documentation/'],
    });
    expect(report.windowOpen).toEqual([{ action: 'deny' }, { action: 'deny' }]);
    expect(report.openedExternal).toEqual(['https://kafka.apache.org/documentation/', 'https://kafka.apache.org/']);
    expect(report.webviewPrevented).toBe(true);
    expect(report.permission).toBe(false);
  });

  it('has macOS-style menus: Edit for copy/paste and Settings on Cmd+,', () => {
    const menu = report.record.applicationMenu!;
    expect(menu.some((m) => m.role === 'editMenu')).toBe(true);
    const items = menu.flatMap((m) => m.submenu ?? []);
    expect(items.find((i) => i.accelerator === 'CmdOrCtrl+,')?.label).toMatch(/^Settings/);
    const tray = report.record.trays[0]!;
    expect(tray.template).toBe(true);
    expect(tray.menu!.map((i) => i.label)).toEqual(expect.arrayContaining(['Open Samsa', 'Brokers', 'Quit Samsa']));
    const brokersItem = (menu: typeof tray.menu) => menu!.find((i) => i.label === 'Brokers')!.submenu![0]!.label;
    const before = (report.trayBeforeQuit as { menu: typeof tray.menu }[])[0]!;
    expect(brokersItem(before.menu)).toMatch(/^Broker 1 — 127\.0\.0\.1:\d+ — running$/);
    expect(before.menu!.find((i) => i.label === 'Brokers')!.submenu!.map((i) => i.label)).toHaveLength(2);
    // After quit the tray shows the brokers stopped.
    expect(brokersItem(tray.menu)).toMatch(/^Broker 1 — 127\.0\.0\.1:\d+ — stopped$/);
  });

  it('quitting stops the brokers cleanly (SIGTERM, exit code 0) and releases the data folder', () => {
    expect(report.record.quitCompleted).toBe(true);
    expect(report.brokerExits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    expect(report.brokersAliveAfterQuit).toEqual([false, false]);
    expect(existsSync(join(work, 'data', '.lock'))).toBe(false);
    expect(existsSync(join(work, 'data', 'cluster.json'))).toBe(false);
    expect(report.clusterFileWhileRunning).toMatchObject({
      pid: expect.any(Number),
      bootstrap: expect.stringContaining('127.0.0.1:'),
    });
  });
});

describe('a second launch', () => {
  it('quits at once without a window or brokers when another instance holds the lock', () => {
    const userData = join(work, 'second');
    execFileSync('mkdir', ['-p', userData]);
    const r = runMain({ FAKE_USERDATA: userData, FAKE_SECOND_INSTANCE: '1' }, join(work, 'second.json'));
    expect(r.record.singleInstanceLockRequested).toBe(1);
    expect(r.record.quitCompleted).toBe(true);
    expect(r.record.windows).toEqual([]);
    expect(r.record.forks).toEqual([]);
    expect(r.record.handleCalls).toEqual([]);
  });
});

describe('built preload (out/preload/index.cjs) under a stand-in electron', () => {
  const preloadPath = join(root, 'out/preload/index.cjs');
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const exposed = new Map<string, Record<string, (...a: unknown[]) => unknown>>();
  const invoked: [string, unknown[]][] = [];
  const sent: [string, unknown[]][] = [];
  const listeners = new Map<string, Listener[]>();
  let answer: (channel: string, args: unknown[]) => IpcOutcome = () => ({ ok: true, result: null });
  const fakeElectron = {
    contextBridge: {
      exposeInMainWorld: (name: string, api: Record<string, (...a: unknown[]) => unknown>) => {
        exposed.set(name, api);
      },
    },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push([channel, args]);
        return answer(channel, args);
      },
      send: (channel: string, ...args: unknown[]) => {
        sent.push([channel, args]);
      },
      on: (channel: string, l: Listener) => {
        listeners.set(channel, [...(listeners.get(channel) ?? []), l]);
      },
    },
  };
  const load = () => {
    const M = Module as unknown as { _load: (req: string, parent: unknown, isMain: boolean) => unknown };
    const original = M._load;
    M._load = function (req, parent, isMain) {
      return req === 'electron' ? fakeElectron : original.call(this, req, parent, isMain);
    };
    try {
      createRequire(import.meta.url)(preloadPath);
    } finally {
      M._load = original;
    }
    return exposed.get('samsaIpc')!;
  };
  const push = (sub: string, event: TailEvent, seq: number) => {
    for (const l of listeners.get('samsa:stream') ?? []) l({}, sub, event, seq);
  };

  it('exposes only samsaIpc, with invoke, openTail, onState and shell', () => {
    const api = load();
    expect([...exposed.keys()]).toEqual(['samsaIpc']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onState', 'openTail', 'shell']);
  });

  it('sends each call on its method channel and refuses odd method names without IPC', async () => {
    const api = exposed.get('samsaIpc')!;
    invoked.length = 0;
    await api.invoke!('topicDetail', { name: 't' });
    expect(invoked).toEqual([['samsa:bridge:topicDetail', [{ name: 't' }]]]);
    for (const bad of ['../x', 'a:b', '', 'openTail', 42]) {
      await expect(api.invoke!(bad, {})).resolves.toMatchObject({ ok: false });
    }
    await expect(api.shell!('deleteEverything', {})).resolves.toMatchObject({ ok: false });
    await api.shell!('getSettings');
    expect(invoked.map((c) => c[0])).toEqual(['samsa:bridge:topicDetail', 'samsa:shell:getSettings']);
  });

  it('delivers tail events (also those before openTail answered), acknowledges them, and drops closed tails', async () => {
    const api = exposed.get('samsaIpc')!;
    const events: TailEvent[] = [];
    answer = (channel) => {
      if (channel === 'samsa:bridge:openTail') push('t9', { type: 'paused' }, 1); // arrives before the answer
      return { ok: true, result: { subscription: 't9', partitions: [0], positions: {} } };
    };
    await api.openTail!({ topic: 'x', start: { kind: 'latest' } }, (e: TailEvent) => events.push(e));
    await new Promise((r) => setTimeout(r, 0));
    push('t9', { type: 'resumed' }, 2);
    push('t9', { type: 'closed' }, 3);
    push('t9', { type: 'paused' }, 4);
    push('unknown', { type: 'paused' }, 5);
    expect(events).toEqual([{ type: 'paused' }, { type: 'resumed' }, { type: 'closed' }]);
    expect(sent.filter(([c]) => c === 'samsa:stream-ack').map(([, a]) => a[1])).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('runtime imports of the built bundles are packaged', () => {
  const files = (dir: string): string[] =>
    readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(c|m)?js$/.test(e.name))
      .map((e) => join(e.parentPath, e.name));

  it('the sandboxed preload requires nothing but electron', () => {
    const code = readFileSync(join(root, 'out/preload/index.cjs'), 'utf8');
    const requires = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect([...new Set(requires)]).toEqual(['electron']);
  });

  it('every package the main bundles import is a production dependency, and its entry is packaged', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const f of files('out/main'))
      for (const name of bundleImports(readFileSync(f, 'utf8'))) if (!builtinModules.includes(name)) imported.add(name);
    // The broker and the console service need these at runtime.
    expect([...imported]).toEqual(expect.arrayContaining(['better-sqlite3', '@platformatic/kafka', '@node-rs/crc32']));
    // snappy and lz4-napi load lazily through a created require.
    const sources = files('out/main')
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const lazy of ['snappy', 'lz4-napi']) {
      expect(sources).toContain(`("${lazy}")`);
      imported.add(lazy);
    }
    const require = createRequire(join(root, 'out/main/index.js'));
    for (const os of ['mac', 'linux'] as const) {
      const f = packagedFilter(os, 'x64');
      for (const name of imported) {
        expect(pkg.dependencies[name], `${name} must be in dependencies`).toBeDefined();
        const entry = require.resolve(name).slice(root.length);
        expect(f.nodeModules(entry), `${os}: ${entry}`).toBe(true);
      }
    }
  });
});
