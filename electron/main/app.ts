// The desktop app's main process: single instance, settings, the local cluster (broker utility
// processes), the console service behind the IPC Bridge, the window, the tray and the menus, and a
// clean stop of the brokers on quit. Everything Electron is passed in, so the whole start-up can be
// exercised with a stand-in `electron` module. `runDesktopApp` lists the start-up's steps in order;
// each step is a function below, sharing the running app's state (`Desktop`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as ElectronModule from 'electron';
import type { Tray } from 'electron';
import type { BrokerProcessInfo, ClusterControl } from '../../core/cluster/cluster-control.ts';
import { defaultDataDir } from '../../core/cli/data-dir.ts';
import { createBridgeHandlers } from '../../core/console/handlers.ts';
import { ConsoleService } from '../../core/console/service.ts';
import { bootstrapFor, startLocalCluster, type LocalCluster } from './cluster.ts';
import { registerBridgeIpc } from './ipc.ts';
import { fileLog, type Log } from './log.ts';
import { appMenuTemplate, brokerLines, trayMenuTemplate, type MenuActions } from './menus.ts';
import { firstTaken, freeRange } from './ports.ts';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, hardenContents, rendererRequestHandler, trustedFrame } from './security.ts';
import { defaultSettings, loadSettings, saveSettings, validateSettings, type Settings } from './settings.ts';
import { utilityProcessSpawner } from './spawner.ts';
import { AppWindows } from './windows.ts';

export type Electron = typeof ElectronModule;

export interface AppPaths {
  /** The built main bundle's folder (out/main). */
  mainDir: string;
  preload: string;
  rendererDir: string;
  settingsDir: string;
  brokerEntry: string;
  trayIcon: string;
}

export function appPaths(mainDir: string): AppPaths {
  return {
    mainDir,
    preload: join(mainDir, '..', 'preload', 'index.cjs'),
    rendererDir: join(mainDir, '..', 'renderer'),
    settingsDir: join(mainDir, '..', '..', 'electron', 'settings'),
    brokerEntry: join(mainDir, 'broker-process.js'),
    trayIcon: join(mainDir, '..', '..', 'electron', 'resources', 'trayTemplate.png'),
  };
}

/** The running app, as the start-up steps, the menus and the quit share it. */
interface Desktop {
  readonly electron: Electron;
  readonly paths: AppPaths;
  readonly isMac: boolean;
  readonly log: Log;
  readonly logFile: string;
  readonly settingsFile: string;
  /** Changed by the port dialog and by Settings (which apply at the next start). */
  settings: Settings;
  readonly windows: AppWindows;
  readonly actions: MenuActions;
  tray: Tray | undefined;
  cluster: LocalCluster | undefined;
  service: ConsoleService | undefined;
  ipc: ReturnType<typeof registerBridgeIpc> | undefined;
  /** The brokers' last status, for the tray. */
  brokers: BrokerProcessInfo[];
  /** Set once the cluster has stopped on quit: later status changes are ignored. */
  clusterStopped: boolean;
  /** The console's Cluster view, told of the brokers' status changes. */
  readonly changeListeners: Set<(list: BrokerProcessInfo[]) => void>;
}

export async function runDesktopApp(electron: Electron, paths: AppPaths): Promise<void> {
  const { app } = electron;
  // A second launch hands over to the first instance (which shows its window) and ends.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const { log, file: logFile } = startLogging(app);
  electron.protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  const d = createDesktop(electron, paths, log, logFile);
  handleAppEvents(d);

  await app.whenReady();
  serveAppScheme(d);
  installMenuAndTray(d);
  refreshStatus(d);

  if (!(await choosePorts(d))) {
    app.quit();
    return;
  }
  startConsole(d);
  await startCluster(d);
  if (d.cluster) d.windows.showMain();
  refreshStatus(d);
}

/** The app's name and folders, and its log (with whatever escapes as uncaught). */
function startLogging(app: Electron['app']): { log: Log; file: string } {
  app.setName('Samsa');
  // Tests and side-by-side runs keep their settings, logs and console state apart.
  if (process.env.SAMSA_USER_DATA_DIR) app.setPath('userData', process.env.SAMSA_USER_DATA_DIR);
  app.setAppLogsPath(process.env.SAMSA_USER_DATA_DIR ? join(process.env.SAMSA_USER_DATA_DIR, 'logs') : undefined);
  const logged = fileLog(app.getPath('logs'));
  const { log } = logged;
  log(
    `Samsa ${app.getVersion()} starting (Electron ${process.versions.electron ?? '?'}, Node ${process.versions.node})`,
  );
  process.on('uncaughtException', (e) => log(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  return logged;
}

/** The settings as saved, the windows and the menus' actions; nothing runs yet. */
function createDesktop(electron: Electron, paths: AppPaths, log: Log, logFile: string): Desktop {
  const { app, shell } = electron;
  const isMac = process.platform === 'darwin';
  const settingsFile = join(app.getPath('userData'), 'settings.json');
  const d: Desktop = {
    electron,
    paths,
    isMac,
    log,
    logFile,
    settingsFile,
    settings: loadSettings(settingsFile, defaultSettings(defaultDataDir()), log),
    windows: new AppWindows({
      app,
      BrowserWindow: electron.BrowserWindow,
      isMac,
      preload: paths.preload,
      title: () => title(d),
      log,
    }),
    actions: {
      showWindow: () => d.windows.showMain(),
      openSettings: () => d.windows.openSettings(),
      openDataFolder: () => {
        void shell.openPath(d.settings.dataDir).then((err) => {
          if (err) log(`open data folder: ${err}`);
        });
      },
      openLogFolder: () => {
        void shell.openPath(app.getPath('logs'));
      },
      openExternal: (url) => {
        void shell.openExternal(url);
      },
      quit: () => app.quit(),
    },
    tray: undefined,
    cluster: undefined,
    service: undefined,
    ipc: undefined,
    brokers: [],
    clusterStopped: false,
    changeListeners: new Set(),
  };
  return d;
}

function title(d: Desktop): string {
  const listening = d.cluster?.listening;
  return listening ? `Samsa — listening on ${listening}` : 'Samsa — cluster not running';
}

/** The window title, the tray's tooltip and its menu follow the cluster's status. */
function refreshStatus(d: Desktop): void {
  d.windows.setTitle(title(d));
  if (d.tray) {
    const { Menu } = d.electron;
    d.tray.setToolTip([title(d), ...brokerLines(d.brokers)].join('\n'));
    d.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(d.cluster?.listening, d.brokers, d.actions)));
  }
}

/** A second launch, new web contents, closed windows, the dock icon, and quitting (which stops the brokers first). */
function handleAppEvents(d: Desktop): void {
  const { app, shell } = d.electron;
  let quitting = false;
  let stopped = false;
  app.on('second-instance', () => d.windows.showMain());
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, (url) => shell.openExternal(url), d.log));
  app.on('window-all-closed', () => {
    // macOS: keep running in the menu bar; elsewhere closing the last window quits.
    if (!d.isMac) app.quit();
  });
  app.on('activate', () => d.windows.showMain());
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    d.log('quitting: stopping the brokers');
    void shutdown(d).finally(() => {
      stopped = true;
      app.quit();
    });
  });
}

async function shutdown(d: Desktop): Promise<void> {
  await d.ipc?.dispose().catch(() => undefined);
  await d.service?.close().catch(() => undefined);
  await d.cluster?.stop().catch((e: unknown) => d.log(`stopping the cluster: ${(e as Error).message}`));
  // Status changes arrive asynchronously; show the final state (and ignore late ones) before the app goes.
  d.clusterStopped = true;
  if (d.cluster) d.brokers = await d.cluster.control.list().catch(() => d.brokers);
  refreshStatus(d);
  d.log('stopped');
}

/** app:// serves the renderer, and under /settings/ the settings page. */
function serveAppScheme(d: Desktop): void {
  const serveRenderer = rendererRequestHandler(d.paths.rendererDir);
  const serveSettings = rendererRequestHandler(d.paths.settingsDir);
  d.electron.protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    if (url.host === APP_HOST && url.pathname.startsWith('/settings/')) {
      return serveSettings(
        new Request(`${APP_ORIGIN}${url.pathname.slice('/settings'.length)}`, { method: request.method }),
      );
    }
    return serveRenderer(request);
  });
}

function installMenuAndTray(d: Desktop): void {
  const { app, Menu, Tray, nativeImage } = d.electron;
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(d.isMac, 'Samsa', d.actions, !app.isPackaged)));
  if (existsSync(d.paths.trayIcon)) {
    const image = nativeImage.createFromPath(d.paths.trayIcon);
    image.setTemplateImage(true);
    d.tray = new Tray(image);
    d.tray.on('click', () => {
      if (!d.isMac) d.windows.showMain();
    });
  } else d.log(`tray icon missing at ${d.paths.trayIcon}`);
}

/** Makes sure the brokers' ports are free; a taken one becomes a dialog offering free ones. False: the user chose to quit. */
async function choosePorts(d: Desktop): Promise<boolean> {
  for (;;) {
    const { settings } = d;
    const ports = Array.from({ length: settings.brokers }, (_, i) => settings.port + i);
    const taken = await firstTaken(settings.host, ports);
    if (taken === undefined) return true;
    const alternative = await freeRange(settings.host, settings.port + 1, settings.brokers, [settings.controllerPort]);
    const buttons = alternative !== undefined ? [`Use Port ${alternative}`, 'Quit'] : ['Quit'];
    const range =
      alternative !== undefined && settings.brokers > 1
        ? `${alternative}–${alternative + settings.brokers - 1}`
        : String(alternative);
    const { response } = await d.electron.dialog.showMessageBox({
      type: 'warning',
      buttons,
      defaultId: 0,
      cancelId: buttons.length - 1,
      message: `Port ${taken} is already in use`,
      detail:
        `Another program listens on ${settings.host}:${taken}, so Samsa's broker cannot.` +
        (alternative !== undefined
          ? ` Samsa can listen on ${range} instead (kept in Settings).`
          : ' No free port was found nearby; change the port in Settings.'),
    });
    if (alternative === undefined || response !== 0) return false;
    d.log(`port ${taken} in use; using ${alternative}`);
    d.settings = { ...settings, port: alternative };
    saveSettings(d.settingsFile, d.settings);
  }
}

/** The console service and the IPC Bridge to it (with the shell's own methods: settings, status, data folder). */
function startConsole(d: Desktop): void {
  const { ipcMain, shell } = d.electron;
  const running = (): ClusterControl => {
    if (!d.cluster) throw new Error('the local cluster is not running');
    return d.cluster.control;
  };
  // The console reaches the brokers' processes (Cluster view: stop, kill, start, add) through this,
  // whatever cluster is running at the time.
  const control: ClusterControl = {
    list: async () => (d.cluster ? d.cluster.control.list() : []),
    stop: async (id) => running().stop(id),
    kill: async (id) => running().kill(id),
    start: async (id) => running().start(id),
    add: async () => running().add(),
    onChange: (listener) => {
      d.changeListeners.add(listener);
      return () => d.changeListeners.delete(listener);
    },
  };
  const service = new ConsoleService({
    bootstrap: bootstrapFor(d.settings),
    clientId: 'samsa-desktop',
    settingsPath: join(d.settings.dataDir, 'console.json'),
    clusterControl: control,
  });
  d.service = service;
  d.ipc = registerBridgeIpc({
    ipcMain,
    handlers: createBridgeHandlers(service),
    trusted: (frame) => trustedFrame(frame, () => d.windows.ownFrames()),
    log: d.log,
    shell: {
      getSettings: async () => ({ settings: d.settings, running: d.cluster?.bootstrap ?? null, logFile: d.logFile }),
      saveSettings: async (args) => {
        const next = validateSettings(args);
        saveSettings(d.settingsFile, next);
        d.settings = next;
        d.log('settings saved; they apply at the next start');
        return { settings: next, restartNeeded: true };
      },
      clusterStatus: async () => ({
        bootstrap: d.cluster?.bootstrap ?? null,
        brokers: (await d.cluster?.control.list()) ?? [],
      }),
      openDataFolder: async () => {
        const err = await shell.openPath(d.settings.dataDir);
        if (err) throw new Error(err);
        return { opened: d.settings.dataDir };
      },
    },
  });
}

/** The local cluster as the settings describe it; when it does not start, a dialog says why. */
async function startCluster(d: Desktop): Promise<void> {
  const { app, dialog, shell, utilityProcess } = d.electron;
  try {
    const spawner = utilityProcessSpawner(utilityProcess.fork, d.paths.brokerEntry);
    d.cluster = await startLocalCluster(d.settings, spawner, d.log);
    d.cluster.control.onChange((list) => {
      if (d.clusterStopped) return;
      d.brokers = list;
      refreshStatus(d);
      for (const l of d.changeListeners) l(list);
    });
    d.brokers = await d.cluster.control.list();
    d.log(`cluster listening on ${d.cluster.bootstrap} (data folder ${d.settings.dataDir})`);
  } catch (e) {
    d.log(`cluster did not start: ${(e as Error).message}`);
    const { response } = await dialog.showMessageBox({
      type: 'error',
      buttons: ['Open Settings', 'Show Log', 'Quit'],
      defaultId: 0,
      cancelId: 2,
      message: 'The local cluster did not start',
      detail: `${(e as Error).message}\n\nThe log is at ${d.logFile}.`,
    });
    if (response === 0) d.actions.openSettings();
    else if (response === 1) void shell.openPath(d.logFile);
    else app.quit();
  }
}

export type { Log, Settings };
