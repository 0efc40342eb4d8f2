// The desktop app's two windows: the console window (app://samsa/index.html; shown when ready,
// its title kept as the cluster's status, created again when it was closed) and the settings
// window (one at a time, a child of the console window except on macOS). Both run the renderer
// with the secure webPreferences of security.ts. The BrowserWindow class is passed in, as the
// whole main process takes its Electron module.
import type * as ElectronModule from 'electron';
import type { BrowserWindow, WebFrameMain } from 'electron';
import type { Log } from './log.ts';
import { APP_ORIGIN, secureWebPreferences } from './security.ts';

export interface AppWindowsOptions {
  app: Pick<typeof ElectronModule.app, 'isReady'>;
  BrowserWindow: typeof ElectronModule.BrowserWindow;
  isMac: boolean;
  preload: string;
  /** The console window's title: the cluster's status. */
  title: () => string;
  log: Log;
}

export class AppWindows {
  private readonly opts: AppWindowsOptions;
  private mainWindow: BrowserWindow | undefined;
  private settingsWindow: BrowserWindow | undefined;

  constructor(opts: AppWindowsOptions) {
    this.opts = opts;
  }

  /** Shows (creating it if needed), restores and focuses the console window; nothing before the app is ready. */
  showMain(): void {
    if (!this.opts.app.isReady()) return;
    if (!this.mainWindow || this.mainWindow.isDestroyed()) this.mainWindow = this.createMain();
    if (this.mainWindow.isMinimized()) this.mainWindow.restore();
    this.mainWindow.show();
    this.mainWindow.focus();
  }

  /** Focuses the settings window, or opens it. */
  openSettings(): void {
    if (this.settingsWindow && !this.settingsWindow.isDestroyed()) {
      this.settingsWindow.focus();
      return;
    }
    const win = new this.opts.BrowserWindow({
      width: 560,
      height: 640,
      resizable: false,
      minimizable: false,
      maximizable: false,
      show: false,
      title: 'Samsa Settings',
      parent: this.opts.isMac ? undefined : this.mainWindow,
      webPreferences: secureWebPreferences(this.opts.preload),
    });
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (this.settingsWindow === win) this.settingsWindow = undefined;
    });
    void win
      .loadURL(`${APP_ORIGIN}/settings/settings.html`)
      .catch((e: unknown) => this.opts.log(`loading settings: ${(e as Error).message}`));
    this.settingsWindow = win;
  }

  /** The console window's title, when it is open. */
  setTitle(title: string): void {
    this.mainWindow?.setTitle(title);
  }

  /** The main frames of our open windows: the only senders the Bridge answers. */
  ownFrames(): WebFrameMain[] {
    return [this.mainWindow, this.settingsWindow]
      .filter((w): w is BrowserWindow => !!w && !w.isDestroyed())
      .map((w) => w.webContents.mainFrame);
  }

  private createMain(): BrowserWindow {
    const win = new this.opts.BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: this.opts.title(),
      backgroundColor: '#101014',
      webPreferences: secureWebPreferences(this.opts.preload),
    });
    win.on('page-title-updated', (e) => e.preventDefault());
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (this.mainWindow === win) this.mainWindow = undefined;
    });
    void win
      .loadURL(`${APP_ORIGIN}/index.html`)
      .catch((e: unknown) => this.opts.log(`loading the console: ${(e as Error).message}`));
    return win;
  }
}
