// The registry's REST API on node:http, with the routes, query parameters, content type
// (application/vnd.schemaregistry.v1+json) and error bodies (`{"error_code":40401,"message":…}`)
// of Confluent's Schema Registry: /subjects, /subjects/{s}[/versions[/{v}[/schema|/referencedby]]],
// /schemas/ids/{id}[/schema|/versions|/subjects], /schemas/types, /compatibility/subjects/{s}/versions[/{v}],
// /config[/{s}], /mode[/{s}]. Malformed JSON is a 400, a body over the limit a 413, an unknown
// route 404 and a known route with another method 405, each in the same error body.
import http from 'node:http';
import { Errors, RegistryError } from './errors.ts';
import { SCHEMA_TYPES } from './types.ts';
import type { Registry, SchemaRequest } from './registry.ts';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Largest request body accepted. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

interface Req {
  method: string;
  parts: string[];
  query: URLSearchParams;
  body: () => unknown;
}

type Handler = (r: Req) => unknown;
type Routes = Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Handler>>;

const flag = (q: URLSearchParams, name: string) => q.get(name)?.toLowerCase() === 'true';

function idOf(text: string): number {
  if (!/^\d+$/.test(text)) throw Errors.httpNotFound();
  return Number(text);
}

/** The routes that match `parts` (path segments, decoded), or undefined for an unknown path. */
function route(reg: Registry, parts: string[]): Routes | undefined {
  const [a, b, c, d, e] = parts;
  const n = parts.length;
  if (n === 0) return { GET: () => ({}) };
  if (a === 'subjects') {
    if (n === 1) return { GET: (r) => reg.subjects(flag(r.query, 'deleted'), r.query.get('subjectPrefix') ?? '') };
    const s = b!;
    if (n === 2)
      return {
        POST: (r) => reg.lookup(s, r.body() as SchemaRequest, flag(r.query, 'normalize'), flag(r.query, 'deleted')),
        DELETE: (r) => reg.deleteSubject(s, flag(r.query, 'permanent')),
      };
    if (c !== 'versions') return undefined;
    if (n === 3)
      return {
        GET: (r) => reg.versions(s, flag(r.query, 'deleted')),
        POST: (r) => reg.register(s, r.body() as SchemaRequest, flag(r.query, 'normalize')),
      };
    const v = d!;
    if (n === 4)
      return {
        GET: (r) => reg.versionBody(s, v, flag(r.query, 'deleted'), r.query.get('format') ?? ''),
        DELETE: (r) => reg.deleteVersion(s, v, flag(r.query, 'permanent')),
      };
    if (n === 5 && e === 'schema')
      return { GET: (r) => raw(reg.versionBody(s, v, flag(r.query, 'deleted'), r.query.get('format') ?? '').schema) };
    if (n === 5 && e === 'referencedby') return { GET: () => reg.referencedBy(s, v) };
    return undefined;
  }
  if (a === 'schemas') {
    if (n === 2 && b === 'types') return { GET: () => [...SCHEMA_TYPES].reverse() };
    if (b !== 'ids' || n < 3) return undefined;
    const id = c!;
    if (n === 3) return { GET: (r) => reg.schemaById(idOf(id), r.query.get('format') ?? '') };
    if (n === 4 && d === 'schema')
      return { GET: (r) => raw(reg.schemaById(idOf(id), r.query.get('format') ?? '').schema) };
    if (n === 4 && d === 'versions') return { GET: (r) => reg.idVersions(idOf(id), flag(r.query, 'deleted')) };
    if (n === 4 && d === 'subjects') return { GET: (r) => reg.idSubjects(idOf(id), flag(r.query, 'deleted')) };
    return undefined;
  }
  if (a === 'compatibility' && b === 'subjects' && d === 'versions' && (n === 4 || n === 5)) {
    const s = c!;
    return {
      POST: (r) =>
        reg.testCompatibility(
          s,
          n === 5 ? e : undefined,
          r.body() as SchemaRequest,
          flag(r.query, 'normalize'),
          flag(r.query, 'verbose'),
        ),
    };
  }
  if (a === 'config' && n <= 2) {
    const s = n === 2 ? b! : null;
    return {
      GET: (r) => reg.getConfig(s, flag(r.query, 'defaultToGlobal')),
      PUT: (r) => reg.setConfig(s, r.body()),
      DELETE: () => reg.deleteConfig(s),
    };
  }
  if (a === 'mode' && n <= 2) {
    const s = n === 2 ? b! : null;
    return {
      GET: (r) => reg.getMode(s, flag(r.query, 'defaultToGlobal')),
      PUT: (r) => reg.setMode(s, r.body(), flag(r.query, 'force')),
      ...(s === null ? {} : { DELETE: () => reg.deleteMode(s) }),
    };
  }
  return undefined;
}

class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
const raw = (text: unknown) => new Raw(String(text));

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(Errors.bodyTooLarge(MAX_BODY_BYTES));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(Errors.bodyTooLarge(MAX_BODY_BYTES));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(bytes: Buffer): unknown {
  if (bytes.length === 0) throw Errors.unprocessableEntity('Request body is empty');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw Errors.badRequest(`Unrecognized JSON: ${(e as Error).message}`);
  }
}

async function handle(reg: Registry, req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://registry');
  let parts: string[];
  try {
    parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
  } catch {
    throw Errors.httpNotFound();
  }
  const routes = route(reg, parts);
  if (!routes) throw Errors.httpNotFound();
  const method = (req.method ?? 'GET').toUpperCase() as keyof Routes;
  const h = routes[method];
  if (!h) throw Errors.methodNotAllowed();
  const bytes = method === 'POST' || method === 'PUT' ? await readBody(req) : Buffer.alloc(0);
  let parsed: unknown;
  let done = false;
  const body = () => {
    if (!done) {
      parsed = parseBody(bytes);
      done = true;
    }
    return parsed;
  };
  return { status: 200, body: await h({ method, parts, query: url.searchParams, body }) };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = body instanceof Raw ? body.text : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': body instanceof Raw ? 'text/plain' : CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** An http.Server serving `reg` (not yet listening). */
export function createRegistryServer(reg: Registry): http.Server {
  return http.createServer((req, res) => {
    handle(reg, req).then(
      ({ status, body }) => send(res, status, body),
      (e) => {
        const err = e instanceof RegistryError ? e : Errors.internal((e as Error).message);
        send(res, err.status, err.body());
      },
    );
  });
}
