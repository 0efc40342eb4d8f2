// Entry of the desktop app's main process (bundled by electron-vite into out/main/index.js).
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import { appPaths, runDesktopApp } from './app.ts';

runDesktopApp(electron, appPaths(fileURLToPath(new URL('.', import.meta.url)))).catch((e: unknown) => {
  console.error(e);
  electron.dialog.showErrorBox('Samsa could not start', (e as Error)?.stack ?? String(e));
  electron.app.exit(1);
});
