// The window's security, per Electron's security checklist: isolated, sandboxed renderers without
// Node, the renderer served from a privileged app:// origin with a strict Content-Security-Policy,
// navigation and new windows denied, external links opened in the browser only when allowlisted,
// permission requests refused, and IPC accepted only from our own top-level frames.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { WebContents, WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'samsa';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Sites the app may open in the user's browser (links in the console, the Help menu). */
export const EXTERNAL_ALLOWLIST: readonly string[] = [
  'https://kafka.apache.org',
  'https://github.com',
  'https://www.electronjs.org',
];

export function externalAllowed(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && u.username === '' && u.password === '' && EXTERNAL_ALLOWLIST.includes(u.origin);
}

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/** Serves `app://samsa/<path>` from `root` (the built renderer) with the CSP; anything outside it is 404. */
export function rendererRequestHandler(root: string): (request: Request) => Promise<Response> {
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || request.method !== 'GET')
      return new Response('Not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('Bad request', { status: 400 });
    }
    if (path === '/' || !extname(path)) path = '/index.html';
    const file = normalize(join(base, path));
    if (!file.startsWith(base)) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  };
}

/** Whether a frame may use the bridge: a top-level frame of one of our windows, showing our own page. */
export function trustedFrame(
  frame: { url: string; parent: unknown } | null | undefined,
  ownFrames: () => Iterable<unknown>,
): boolean {
  if (!frame || frame.parent !== null) return false;
  let own = false;
  for (const f of ownFrames()) if (f === frame) own = true;
  if (!own) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN || frame.url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

/** Denies navigation, new windows, webviews and permission requests in `contents`; allowlisted links go to the browser. */
export function hardenContents(
  contents: WebContents,
  openExternal: (url: string) => Promise<void>,
  log: (msg: string) => void,
): void {
  contents.on('will-navigate', (event, url) => {
    if (url === contents.getURL()) return; // a reload
    event.preventDefault();
    if (externalAllowed(url)) void openExternal(url);
    else log(`navigation to ${url} denied`);
  });
  contents.on('will-redirect', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) {
      event.preventDefault();
      log(`redirect to ${url} denied`);
    }
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (externalAllowed(url)) void openExternal(url);
    else log(`new window for ${url} denied`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.session.setPermissionRequestHandler((_wc, permission, callback) => {
    // Copying to the clipboard from the console is allowed; nothing else.
    callback(permission === 'clipboard-sanitized-write');
  });
  contents.session.setPermissionCheckHandler((_wc, permission) => permission === 'clipboard-sanitized-write');
}
