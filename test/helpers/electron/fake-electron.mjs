// A stand-in for the `electron` module, to run the built main bundle under plain Node. It records
// what the app asks of Electron (windows, IPC handlers, protocol, menus, tray, dialogs, utility
// processes) and backs utilityProcess.fork with a real child_process.fork, so the brokers really run.
// After start-up a driver (./drive-main.mjs) exercises the app and writes a report.
import { fork as forkChild } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

export const record = {
  singleInstanceLockRequested: 0,
  appName: null,
  logsPathSet: false,
  privilegedSchemes: [],
  protocolHandlers: new Map(),
  handlers: new Map(),
  handleCalls: [],
  onListeners: new Map(),
  windows: [],
  applicationMenu: null,
  trays: [],
  dialogs: [],
  errorBoxes: [],
  openedExternal: [],
  openedPaths: [],
  forks: [],
  webContentsCreated: 0,
  quitRequested: 0,
  quitCompleted: false,
  exitCode: null,
};

const appEvents = new EventEmitter();
const paths = new Map();
let ready = false;
const readyWaiters = [];

export const app = {
  requestSingleInstanceLock() {
    record.singleInstanceLockRequested++;
    return process.env.FAKE_SECOND_INSTANCE !== '1';
  },
  setName(n) {
    record.appName = n;
  },
  getName() {
    return record.appName ?? 'Samsa';
  },
  setAppLogsPath(path) {
    record.logsPathSet = true;
    if (path) paths.set('logs', path);
  },
  setPath(name, path) {
    paths.set(name, path);
  },
  getVersion() {
    return '0.0.0-test';
  },
  getPath(name) {
    if (paths.has(name)) return paths.get(name);
    const base = process.env.FAKE_USERDATA;
    if (name === 'userData') return base;
    if (name === 'logs') return join(base, 'logs');
    return join(base, name);
  },
  get isPackaged() {
    return false;
  },
  isReady() {
    return ready;
  },
  whenReady() {
    if (ready) return Promise.resolve();
    return new Promise((resolve) => readyWaiters.push(resolve));
  },
  on(event, fn) {
    appEvents.on(event, fn);
    return app;
  },
  once(event, fn) {
    appEvents.once(event, fn);
    return app;
  },
  emit(event, ...args) {
    return appEvents.emit(event, ...args);
  },
  listenerCount(event) {
    return appEvents.listenerCount(event);
  },
  quit() {
    record.quitRequested++;
    let prevented = false;
    appEvents.emit('before-quit', {
      preventDefault() {
        prevented = true;
      },
    });
    if (prevented) return;
    appEvents.emit('will-quit', { preventDefault() {} });
    record.quitCompleted = true;
    appEvents.emit('quit');
  },
  exit(code) {
    record.exitCode = code;
    record.quitCompleted = true;
    appEvents.emit('quit');
  },
};

// Ready on the next turn, as Electron is after the main script ran.
setTimeout(() => {
  ready = true;
  for (const r of readyWaiters.splice(0)) r();
  appEvents.emit('ready');
}, 10);

class FakeWebContents extends EventEmitter {
  constructor(win) {
    super();
    this.win = win;
    this.id = record.windows.length + 1;
    this.mainFrame = { url: '', parent: null, frameTreeNodeId: this.id * 100 };
    this.sent = [];
    this.windowOpenHandler = null;
    this.destroyed = false;
    this.permissionRequestHandler = null;
    this.permissionCheckHandler = null;
    const self = this;
    this.session = {
      setPermissionRequestHandler(fn) {
        self.permissionRequestHandler = fn;
      },
      setPermissionCheckHandler(fn) {
        self.permissionCheckHandler = fn;
      },
    };
  }
  send(channel, ...args) {
    this.sent.push([channel, ...args]);
    this.emit('__sent', channel, ...args);
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
  getURL() {
    return this.mainFrame.url;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = options;
    this.title = options.title ?? '';
    this.titles = [this.title];
    this.loaded = [];
    this.visible = false;
    this.destroyedFlag = false;
    this.webContents = new FakeWebContents(this);
    record.windows.push(this);
    appEvents.emit('web-contents-created', {}, this.webContents);
    record.webContentsCreated++;
  }
  loadURL(url) {
    this.loaded.push(url);
    this.webContents.mainFrame.url = url;
    setTimeout(() => this.emit('ready-to-show'), 5);
    return Promise.resolve();
  }
  setTitle(t) {
    this.title = t;
    this.titles.push(t);
  }
  getTitle() {
    return this.title;
  }
  show() {
    this.visible = true;
  }
  focus() {}
  isMinimized() {
    return false;
  }
  restore() {}
  isDestroyed() {
    return this.destroyedFlag;
  }
  close() {
    this.destroyedFlag = true;
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
    this.emit('closed');
  }
}

export const ipcMain = {
  handle(channel, fn) {
    record.handleCalls.push(channel);
    if (record.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    record.handlers.set(channel, fn);
  },
  removeHandler(channel) {
    record.handlers.delete(channel);
  },
  on(channel, fn) {
    const list = record.onListeners.get(channel) ?? [];
    list.push(fn);
    record.onListeners.set(channel, list);
    return ipcMain;
  },
  removeListener(channel, fn) {
    record.onListeners.set(
      channel,
      (record.onListeners.get(channel) ?? []).filter((f) => f !== fn),
    );
    return ipcMain;
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    if (ready) throw new Error('registerSchemesAsPrivileged must be called before the app is ready');
    record.privilegedSchemes.push(...schemes);
  },
  handle(scheme, fn) {
    record.protocolHandlers.set(scheme, fn);
  },
};

export const Menu = {
  buildFromTemplate(template) {
    return { template };
  },
  setApplicationMenu(menu) {
    record.applicationMenu = menu;
  },
};

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.tooltip = '';
    this.menu = null;
    record.trays.push(this);
  }
  setToolTip(t) {
    this.tooltip = t;
  }
  setContextMenu(m) {
    this.menu = m;
  }
  destroy() {}
}

export const nativeImage = {
  createFromPath(path) {
    return {
      path,
      template: false,
      setTemplateImage(v) {
        this.template = v;
      },
    };
  },
};

export const dialog = {
  async showMessageBox(options) {
    record.dialogs.push(options);
    return { response: Number(process.env.FAKE_DIALOG_RESPONSE ?? '0'), checkboxChecked: false };
  },
  showErrorBox(title, content) {
    record.errorBoxes.push({ title, content });
  },
};

export const shell = {
  async openExternal(url) {
    record.openedExternal.push(url);
  },
  async openPath(path) {
    record.openedPaths.push(path);
    return '';
  },
};

/** utilityProcess.fork backed by child_process.fork: same entry, same arguments. */
export const utilityProcess = {
  fork(modulePath, args = [], options = {}) {
    const child = forkChild(modulePath, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: options.env ?? process.env,
      execArgv: [],
    });
    const proc = new EventEmitter();
    proc.pid = child.pid;
    proc.stdout = child.stdout;
    proc.stderr = child.stderr;
    proc.kill = () => child.kill('SIGTERM');
    proc.postMessage = (m) => child.send(m);
    child.on('message', (m) => proc.emit('message', m));
    child.on('exit', (code, signal) => {
      entry.exit = { code, signal };
      proc.emit('exit', code ?? (signal ? 1 : 0));
    });
    child.on('spawn', () => proc.emit('spawn'));
    const entry = {
      modulePath,
      args,
      serviceName: options.serviceName,
      stdio: options.stdio,
      pid: child.pid,
      exit: null,
    };
    record.forks.push(entry);
    return proc;
  },
};

export default { app, BrowserWindow, ipcMain, protocol, Menu, Tray, nativeImage, dialog, shell, utilityProcess };
