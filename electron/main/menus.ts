// Native menus: the application menu (macOS app menu with Settings… ⌘, , Edit so copy and paste
// work, View, Window, Help) and the tray / menu-bar menu (open, brokers' status, quit).
import type { MenuItemConstructorOptions } from 'electron';
import type { BrokerProcessInfo } from '../../core/cluster/cluster-control.ts';

export interface MenuActions {
  showWindow(): void;
  openSettings(): void;
  openDataFolder(): void;
  openLogFolder(): void;
  openExternal(url: string): void;
  quit(): void;
}

export function appMenuTemplate(
  isMac: boolean,
  appName: string,
  a: MenuActions,
  dev = false,
): MenuItemConstructorOptions[] {
  const settings: MenuItemConstructorOptions = {
    label: isMac ? 'Settings…' : 'Settings',
    accelerator: 'CmdOrCtrl+,',
    click: () => a.openSettings(),
  };
  const folders: MenuItemConstructorOptions[] = [
    { label: isMac ? 'Show Data Folder in Finder' : 'Open Data Folder', click: () => a.openDataFolder() },
    { label: 'Open Log Folder', click: () => a.openLogFolder() },
  ];
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({
      label: appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        settings,
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { label: `Quit ${appName}`, accelerator: 'Cmd+Q', click: () => a.quit() },
      ],
    });
    template.push({ label: 'File', submenu: [...folders, { type: 'separator' }, { role: 'close' }] });
  } else {
    template.push({
      label: 'File',
      submenu: [
        settings,
        ...folders,
        { type: 'separator' },
        { label: 'Quit', accelerator: 'Ctrl+Q', click: () => a.quit() },
      ],
    });
  }
  template.push({ role: 'editMenu' });
  template.push({
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(dev ? [{ role: 'toggleDevTools' } as MenuItemConstructorOptions] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  template.push({ role: 'windowMenu' });
  template.push({
    role: 'help',
    submenu: [
      { label: 'Apache Kafka Documentation', click: () => a.openExternal('https://kafka.apache.org/documentation/') },
    ],
  });
  return template;
}

const STATUS_TEXT: Record<BrokerProcessInfo['status'], string> = {
  starting: 'starting…',
  running: 'running',
  stopping: 'stopping…',
  stopped: 'stopped',
  dead: 'not running',
};

/** One line per broker for the tray menu, e.g. "Broker 1 — 127.0.0.1:9092 — running". */
export function brokerLines(brokers: BrokerProcessInfo[]): string[] {
  return brokers.map(
    (b) =>
      `Broker ${b.id} — ${b.host}:${b.port} — ${STATUS_TEXT[b.status]}${b.status === 'dead' && b.exitCode !== null ? ` (exit ${b.exitCode})` : ''}`,
  );
}

export function trayMenuTemplate(
  listening: string | undefined,
  brokers: BrokerProcessInfo[],
  a: MenuActions,
): MenuItemConstructorOptions[] {
  const lines = brokerLines(brokers);
  return [
    { label: 'Open Samsa', click: () => a.showWindow() },
    { type: 'separator' },
    { label: listening ? `Listening on ${listening}` : 'Cluster not running', enabled: false },
    {
      label: 'Brokers',
      submenu:
        lines.length > 0 ? lines.map((label) => ({ label, enabled: false })) : [{ label: 'none', enabled: false }],
    },
    { type: 'separator' },
    { label: 'Settings…', click: () => a.openSettings() },
    { label: 'Open Data Folder', click: () => a.openDataFolder() },
    { type: 'separator' },
    { label: 'Quit Samsa', click: () => a.quit() },
  ];
}
