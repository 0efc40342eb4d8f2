// The desktop app's main process: single instance, settings, the local cluster (broker utility
// processes), the console service behind the IPC Bridge, the window, the tray and the menus, and a
// clean stop of the brokers on quit. Everything Electron is passed in, so the whole start-up can be
// exercised with a stand-in `electron` module.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as ElectronModule from 'electron';
import type { BrowserWindow, Tray } from 'electron';
import type { BrokerProcessInfo, ClusterControl } from '../../core/cluster/cluster-control.ts';
import { defaultDataDir } from '../../core/cli/data-dir.ts';
import { createBridgeHandlers } from '../../core/console/handlers.ts';
import { ConsoleService } from '../../core/console/service.ts';
import { bootstrapFor, startLocalCluster, type LocalCluster } from './cluster.ts';
import { registerBridgeIpc } from './ipc.ts';
import { fileLog, type Log } from './log.ts';
import { appMenuTemplate, brokerLines, trayMenuTemplate, type MenuActions } from './menus.ts';
import { firstTaken, freeRange } from './ports.ts';
import {
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  hardenContents,
  rendererRequestHandler,
  secureWebPreferences,
  trustedFrame,
} from './security.ts';
import { defaultSettings, loadSettings, saveSettings, validateSettings, type Settings } from './settings.ts';
import { utilityProcessSpawner } from './spawner.ts';

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

export async function runDesktopApp(electron: Electron, paths: AppPaths): Promise<void> {
  const { app, BrowserWindow, Menu, Tray, dialog, ipcMain, nativeImage, protocol, shell, utilityProcess } = electron;
  const isMac = process.platform === 'darwin';

  // A second launch hands over to the first instance (which shows its window) and ends.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.setName('Samsa');
  // Tests and side-by-side runs keep their settings, logs and console state apart.
  if (process.env.SAMSA_USER_DATA_DIR) app.setPath('userData', process.env.SAMSA_USER_DATA_DIR);
  app.setAppLogsPath(process.env.SAMSA_USER_DATA_DIR ? join(process.env.SAMSA_USER_DATA_DIR, 'logs') : undefined);
  const { log, file: logFile } = fileLog(app.getPath('logs'));
  log(
    `Samsa ${app.getVersion()} starting (Electron ${process.versions.electron ?? '?'}, Node ${process.versions.node})`,
  );
  process.on('uncaughtException', (e) => log(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));

  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);

  const settingsFile = join(app.getPath('userData'), 'settings.json');
  let settings = loadSettings(settingsFile, defaultSettings(defaultDataDir()), log);

  let mainWindow: BrowserWindow | undefined;
  let settingsWindow: BrowserWindow | undefined;
  let tray: Tray | undefined;
  let cluster: LocalCluster | undefined;
  let service: ConsoleService | undefined;
  let brokers: BrokerProcessInfo[] = [];
  let quitting = false;
  let clusterStopped = false;
  let ipc: ReturnType<typeof registerBridgeIpc> | undefined;
  const changeListeners = new Set<(list: BrokerProcessInfo[]) => void>();
  const running = (): ClusterControl => {
    if (!cluster) throw new Error('the local cluster is not running');
    return cluster.control;
  };
  let stopped = false;

  const openExternal = (url: string) => shell.openExternal(url);
  const listening = () => cluster?.listening;
  const title = () => (listening() ? `Samsa — listening on ${listening()}` : 'Samsa — cluster not running');

  const actions: MenuActions = {
    showWindow: () => showMainWindow(),
    openSettings: () => openSettingsWindow(),
    openDataFolder: () => {
      void shell.openPath(settings.dataDir).then((err) => {
        if (err) log(`open data folder: ${err}`);
      });
    },
    openLogFolder: () => {
      void shell.openPath(app.getPath('logs'));
    },
    openExternal: (url) => {
      void openExternal(url);
    },
    quit: () => app.quit(),
  };

  const refreshStatus = () => {
    mainWindow?.setTitle(title());
    if (tray) {
      tray.setToolTip([title(), ...brokerLines(brokers)].join('\n'));
      tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(listening(), brokers, actions)));
    }
  };

  const ownFrames = () =>
    [mainWindow, settingsWindow]
      .filter((w): w is BrowserWindow => !!w && !w.isDestroyed())
      .map((w) => w.webContents.mainFrame);

  app.on('second-instance', () => showMainWindow());
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, openExternal, log));
  app.on('window-all-closed', () => {
    // macOS: keep running in the menu bar; elsewhere closing the last window quits.
    if (!isMac) app.quit();
  });
  app.on('activate', () => showMainWindow());
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    log('quitting: stopping the brokers');
    void shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });

  async function shutdown(): Promise<void> {
    await ipc?.dispose().catch(() => undefined);
    await service?.close().catch(() => undefined);
    await cluster?.stop().catch((e: unknown) => log(`stopping the cluster: ${(e as Error).message}`));
    // Status changes arrive asynchronously; show the final state (and ignore late ones) before the app goes.
    clusterStopped = true;
    if (cluster) brokers = await cluster.control.list().catch(() => brokers);
    refreshStatus();
    log('stopped');
  }

  function createMainWindow(): BrowserWindow {
    const win = new BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: title(),
      backgroundColor: '#101014',
      webPreferences: secureWebPreferences(paths.preload),
    });
    win.on('page-title-updated', (e) => e.preventDefault());
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = undefined;
    });
    void win
      .loadURL(`${APP_ORIGIN}/index.html`)
      .catch((e: unknown) => log(`loading the console: ${(e as Error).message}`));
    return win;
  }

  function showMainWindow(): void {
    if (!app.isReady()) return;
    if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createMainWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  }

  function openSettingsWindow(): void {
    if (settingsWindow && !settingsWindow.isDestroyed()) {
      settingsWindow.focus();
      return;
    }
    const win = new BrowserWindow({
      width: 560,
      height: 640,
      resizable: false,
      minimizable: false,
      maximizable: false,
      show: false,
      title: 'Samsa Settings',
      parent: isMac ? undefined : mainWindow,
      webPreferences: secureWebPreferences(paths.preload),
    });
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (settingsWindow === win) settingsWindow = undefined;
    });
    void win
      .loadURL(`${APP_ORIGIN}/settings/settings.html`)
      .catch((e: unknown) => log(`loading settings: ${(e as Error).message}`));
    settingsWindow = win;
  }

  /** Makes sure the brokers' ports are free; a taken one becomes a dialog offering free ones. False: the user chose to quit. */
  async function choosePorts(): Promise<boolean> {
    for (;;) {
      const ports = Array.from({ length: settings.brokers }, (_, i) => settings.port + i);
      const taken = await firstTaken(settings.host, ports);
      if (taken === undefined) return true;
      const alternative = await freeRange(settings.host, settings.port + 1, settings.brokers, [
        settings.controllerPort,
      ]);
      const buttons = alternative !== undefined ? [`Use Port ${alternative}`, 'Quit'] : ['Quit'];
      const range =
        alternative !== undefined && settings.brokers > 1
          ? `${alternative}–${alternative + settings.brokers - 1}`
          : String(alternative);
      const { response } = await dialog.showMessageBox({
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
      log(`port ${taken} in use; using ${alternative}`);
      settings = { ...settings, port: alternative };
      saveSettings(settingsFile, settings);
    }
  }

  async function startCluster(): Promise<void> {
    try {
      cluster = await startLocalCluster(settings, utilityProcessSpawner(utilityProcess.fork, paths.brokerEntry), log);
      cluster.control.onChange((list) => {
        if (clusterStopped) return;
        brokers = list;
        refreshStatus();
        for (const l of changeListeners) l(list);
      });
      brokers = await cluster.control.list();
      log(`cluster listening on ${cluster.bootstrap} (data folder ${settings.dataDir})`);
    } catch (e) {
      log(`cluster did not start: ${(e as Error).message}`);
      const { response } = await dialog.showMessageBox({
        type: 'error',
        buttons: ['Open Settings', 'Show Log', 'Quit'],
        defaultId: 0,
        cancelId: 2,
        message: 'The local cluster did not start',
        detail: `${(e as Error).message}\n\nThe log is at ${logFile}.`,
      });
      if (response === 0) actions.openSettings();
      else if (response === 1) void shell.openPath(logFile);
      else app.quit();
    }
  }

  await app.whenReady();
  const serveRenderer = rendererRequestHandler(paths.rendererDir);
  const serveSettings = rendererRequestHandler(paths.settingsDir);
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    if (url.host === APP_HOST && url.pathname.startsWith('/settings/')) {
      return serveSettings(
        new Request(`${APP_ORIGIN}${url.pathname.slice('/settings'.length)}`, { method: request.method }),
      );
    }
    return serveRenderer(request);
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(isMac, 'Samsa', actions, !app.isPackaged)));
  if (existsSync(paths.trayIcon)) {
    const image = nativeImage.createFromPath(paths.trayIcon);
    image.setTemplateImage(true);
    tray = new Tray(image);
    tray.on('click', () => {
      if (!isMac) showMainWindow();
    });
  } else log(`tray icon missing at ${paths.trayIcon}`);
  refreshStatus();

  if (!(await choosePorts())) {
    app.quit();
    return;
  }
  // The console reaches the brokers' processes (Cluster view: stop, kill, start, add) through this,
  // whatever cluster is running at the time.
  const control: ClusterControl = {
    list: async () => (cluster ? cluster.control.list() : []),
    stop: async (id) => running().stop(id),
    kill: async (id) => running().kill(id),
    start: async (id) => running().start(id),
    add: async () => running().add(),
    onChange: (listener) => {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  };
  service = new ConsoleService({
    bootstrap: bootstrapFor(settings),
    clientId: 'samsa-desktop',
    settingsPath: join(settings.dataDir, 'console.json'),
    clusterControl: control,
  });
  const current = () => settings;
  ipc = registerBridgeIpc({
    ipcMain,
    handlers: createBridgeHandlers(service),
    trusted: (frame) => trustedFrame(frame, ownFrames),
    log,
    shell: {
      getSettings: async () => ({ settings: current(), running: cluster?.bootstrap ?? null, logFile }),
      saveSettings: async (args) => {
        const next = validateSettings(args);
        saveSettings(settingsFile, next);
        settings = next;
        log('settings saved; they apply at the next start');
        return { settings: next, restartNeeded: true };
      },
      clusterStatus: async () => ({
        bootstrap: cluster?.bootstrap ?? null,
        brokers: (await cluster?.control.list()) ?? [],
      }),
      openDataFolder: async () => {
        const err = await shell.openPath(current().dataDir);
        if (err) throw new Error(err);
        return { opened: current().dataDir };
      },
    },
  });
  await startCluster();
  if (cluster) showMainWindow();
  refreshStatus();
}

export type { Log, Settings };
