// The control endpoint of a running local cluster: a small HTTP JSON API on
// 127.0.0.1 (random port, random token) that carries `ClusterControl` to other
// processes — `samsa broker list|stop|kill|start|add`. While the cluster runs,
// `<data-dir>/cluster.json` (mode 0600) says where it is and holds the token.
//
//   GET  /v1/brokers                    → { brokers: BrokerProcessInfo[] }
//   POST /v1/brokers                    → { broker: BrokerProcessInfo }   (add)
//   POST /v1/brokers/<id>/<stop|kill|start> → { brokers: BrokerProcessInfo[] }
//
// Every request carries `Authorization: Bearer <token>`; errors answer
// `{ error: message }` (401 bad token, 404 unknown path, 409 refused action).
//
// The listener is a plain TCP server; node:http (several MiB once loaded) is
// imported when the first request comes, so an idle cluster does not carry it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { BrokerProcessInfo, ClusterControl } from './cluster-control.ts';

export const CLUSTER_FILE = 'cluster.json';

export interface ClusterFile {
  /** The process running the cluster (`samsa start`, the app). */
  pid: number;
  controlUrl: string;
  token: string;
  /** The brokers' addresses, `host:port,…`. */
  bootstrap: string;
}

export interface ControlEndpoint {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Serves `control` on 127.0.0.1 (port 0 = any). */
export async function startControlEndpoint(
  control: ClusterControl,
  opts: { port?: number } = {},
): Promise<ControlEndpoint> {
  const token = randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  let http: Promise<HttpServer> | undefined;
  const httpServer = (): Promise<HttpServer> =>
    (http ??= import('node:http').then(({ createServer }) => {
      const h = createServer((req, res) => {
        const auth = Buffer.from(req.headers.authorization ?? '');
        if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
          answer(res, 401, { error: 'missing or wrong token' });
          return;
        }
        req.resume();
        handle(control, req).then(
          ([status, body]) => answer(res, status, body),
          (e: unknown) => answer(res, 409, { error: (e as Error).message }),
        );
      });
      h.keepAliveTimeout = 1000;
      return h;
    }));
  const sockets = new Set<Socket>();
  let closed = false;
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset before the HTTP server has the socket must not become an uncaught error.
    socket.on('error', () => socket.destroy());
    // Bytes that arrive meanwhile stay buffered in the socket until the HTTP server reads it.
    httpServer().then(
      (h) => {
        if (closed) socket.destroy();
        else h.emit('connection', socket);
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', rej);
      res();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((res) => {
        closed = true;
        server.close(() => res());
        for (const s of sockets) s.destroy();
      }),
  };
}

async function handle(control: ClusterControl, req: IncomingMessage): Promise<[number, unknown]> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/v1/brokers') {
    if (req.method === 'GET') return [200, { brokers: await control.list() }];
    if (req.method === 'POST') return [200, { broker: await control.add() }];
    return [405, { error: `${req.method} not allowed` }];
  }
  const m = /^\/v1\/brokers\/(\d+)\/(stop|kill|start)$/.exec(path);
  if (!m) return [404, { error: `no such endpoint ${path}` }];
  if (req.method !== 'POST') return [405, { error: `${req.method} not allowed` }];
  const id = Number(m[1]);
  const action = m[2] as 'stop' | 'kill' | 'start';
  await control[action](id);
  return [200, { brokers: await control.list() }];
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// ---- cluster.json ---------------------------------------------------------------------------

/** Writes `<dataDir>/cluster.json` with mode 0600 (written aside, then renamed). */
export function writeClusterFile(dataDir: string, info: ClusterFile): void {
  const path = join(dataDir, CLUSTER_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removes `<dataDir>/cluster.json` if it is this process's. */
export function removeClusterFile(dataDir: string, pid = process.pid): void {
  const path = join(dataDir, CLUSTER_FILE);
  try {
    const f = JSON.parse(readFileSync(path, 'utf8')) as Partial<ClusterFile>;
    if (f.pid !== pid) return;
  } catch {
    return;
  }
  rmSync(path, { force: true });
}

/** The running cluster of `dataDir`, or undefined when there is none (no file, a malformed one, or its process is gone). */
export function readClusterFile(dataDir: string): ClusterFile | undefined {
  let f: Partial<ClusterFile>;
  try {
    f = JSON.parse(readFileSync(join(dataDir, CLUSTER_FILE), 'utf8')) as Partial<ClusterFile>;
  } catch {
    return undefined;
  }
  if (
    typeof f.pid !== 'number' ||
    typeof f.controlUrl !== 'string' ||
    typeof f.token !== 'string' ||
    typeof f.bootstrap !== 'string'
  )
    return undefined;
  if (!processAlive(f.pid)) return undefined;
  return f as ClusterFile;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- the client -----------------------------------------------------------------------------

/** An error the cluster answered with (its message is meant for the user). */
export class ControlRefused extends Error {}

/** Talks to a cluster's control endpoint (`samsa broker …`). */
export class ControlClient {
  readonly file: ClusterFile;

  constructor(file: ClusterFile) {
    this.file = file;
  }

  async list(): Promise<BrokerProcessInfo[]> {
    return ((await this.call('GET', '/v1/brokers')) as { brokers: BrokerProcessInfo[] }).brokers;
  }

  async stop(id: number): Promise<BrokerProcessInfo[]> {
    return this.action(id, 'stop');
  }
  async kill(id: number): Promise<BrokerProcessInfo[]> {
    return this.action(id, 'kill');
  }
  async start(id: number): Promise<BrokerProcessInfo[]> {
    return this.action(id, 'start');
  }

  async add(): Promise<BrokerProcessInfo> {
    return ((await this.call('POST', '/v1/brokers')) as { broker: BrokerProcessInfo }).broker;
  }

  private async action(id: number, what: string): Promise<BrokerProcessInfo[]> {
    return ((await this.call('POST', `/v1/brokers/${id}/${what}`)) as { brokers: BrokerProcessInfo[] }).brokers;
  }

  private async call(method: string, path: string): Promise<unknown> {
    const res = await fetch(this.file.controlUrl + path, {
      method,
      headers: { authorization: `Bearer ${this.file.token}` },
    });
    const body = (await res.json()) as { error?: string };
    if (!res.ok) throw new ControlRefused(body.error ?? `HTTP ${res.status}`);
    return body;
  }
}
