// The headless host of the console (`samsa start --ui`): an HTTP server on 127.0.0.1 serving the
// built renderer, and a WebSocket endpoint (/bridge) carrying Bridge calls and tail events to the
// ConsoleService. A random per-run token guards both: the URL printed at start carries it; the page
// gets it as a cookie too, for its scripts and styles only; anything without it gets 401.
//
// Only the console's own page can drive the console:
//   - every request must name this server in its Host header (127.0.0.1, localhost or the address
//     it listens on, with its port), so a DNS-rebound name pointing here is refused (403);
//   - the /bridge WebSocket must come from exactly the console's own origin (Origin =
//     http://<Host>), so a page served from another port of 127.0.0.1 — which counts as the same
//     site, and would send the SameSite cookie — cannot open it (403);
//   - and it must carry the token itself (the page keeps it from its URL and puts it in the
//     socket's URL): the ambient cookie alone does not open it (401).
// Nothing but GET and HEAD is served over HTTP; every state change goes through the bridge.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientMessage, ServerMessage, TailEvent } from './bridge.ts';
import { createBridgeHandlers, type BridgeHandlers } from './handlers.ts';
import type { ConsoleService, Session } from './service.ts';

/** Where `npm run build:renderer` puts the renderer. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
};

/** The transport may buffer this much before a tail waits for it to drain. */
const HIGH_WATER = 4 * 1024 * 1024;

export interface WebHostOptions {
  service: ConsoleService;
  port?: number;
  host?: string;
  rendererDir?: string;
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Whether the renderer has been built (index.html exists). */
export function rendererBuilt(dir = DEFAULT_RENDERER_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given),
    b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === 'samsa_token') return v;
  }
  return undefined;
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = normalize(opts.rendererDir ?? DEFAULT_RENDERER_DIR);
  const handlers = createBridgeHandlers(opts.service);

  const authorized = (req: IncomingMessage, url: URL) =>
    sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token);
  // Filled in once the port is known.
  let knownHosts = new Set<string>();
  const knownHost = (req: IncomingMessage) => knownHosts.has((req.headers.host ?? '').toLowerCase());

  const serveFile = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request');
      return;
    }
    if (path === '/' || !extname(path)) path = '/index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const headers: Record<string, string> = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    };
    if (path === '/index.html') {
      headers['set-cookie'] = `samsa_token=${token}; HttpOnly; SameSite=Strict; Path=/`;
      headers['content-security-policy'] =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!knownHost(req)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden: unknown Host.');
      return;
    }
    if (!authorized(req, url)) {
      res
        .writeHead(401, { 'content-type': 'text/plain' })
        .end('Unauthorized: open the URL with the token that `samsa start --ui` printed.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    serveFile(req, res, url);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string) =>
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (url.pathname !== '/bridge') return refuse('404 Not Found');
    if (!knownHost(req) || req.headers.origin !== `http://${req.headers.host}`) return refuse('403 Forbidden');
    if (!sameToken(url.searchParams.get('token'), token)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveBridge(ws, handlers));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 9000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  knownHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host.toLowerCase()}:${port}`]);
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveBridge(ws: WebSocket, handlers: BridgeHandlers): void {
  const send = (m: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const session: Session = {
    async emit(subscription: string, event: TailEvent) {
      send({ sub: subscription, event });
      while (ws.readyState === ws.OPEN && ws.bufferedAmount > HIGH_WATER) await new Promise((r) => setTimeout(r, 10));
    },
  };
  ws.on('message', (data) => {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(String(data)) as ClientMessage;
      if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number' || typeof msg.op !== 'string')
        throw new Error('bad message');
    } catch {
      ws.close(1003, 'expected JSON {id, op, args}');
      return;
    }
    void handlers.dispatch(msg.op, msg.args, session).then((outcome) => send({ id: msg.id, ...outcome }));
  });
  ws.on('close', () => {
    void handlers.closeSession(session);
  });
  ws.on('error', () => undefined);
}
