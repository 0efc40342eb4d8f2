// The console's list of connections (the operations over it are in connections.ts): the local
// cluster first, then remote clusters the user added (bootstrap servers, SASL PLAIN / SCRAM, TLS).
// They persist in a settings file (mode 0600); a password is
// written there only when the user asked to remember it, otherwise it lives in memory while the
// console runs. Also: the client options a connection gives @platformatic/kafka, and readable
// messages for the ways connecting can fail (refused, TLS, SASL).
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseBootstrap } from '../client/bootstrap.ts';
import { leafErrors } from '../client/errors.ts';
import { CONNECT_TIMEOUT_MS } from '../client/options.ts';
import type { ConnectionInput, ConnectionView, SaslMechanism, TlsSettings } from './bridge.ts';

export const LOCAL_ID = 'local';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** A connection as kept: the password only when it is to be remembered. */
export interface StoredConnection {
  id: string;
  name: string;
  bootstrap: string;
  sasl: { mechanism: SaslMechanism; username: string; password?: string } | null;
  tls: TlsSettings | null;
  rememberPassword: boolean;
}

interface SettingsFile {
  version: 1;
  selected?: string;
  connections: StoredConnection[];
}

/** A user mistake in a connection, with the form field it belongs to. */
export class ConnectionError extends Error {
  field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

const MAX_NAME = 100;
const MAX_PEM = 256 * 1024;

/** Checks what the user typed; returns the connection to keep (without a password unless remembered) and the password given. */
export function checkConnectionInput(raw: unknown): { conn: StoredConnection; password: string | undefined } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConnectionError('a connection must be an object');
  const a = raw as Record<string, unknown>;
  const name = typeof a.name === 'string' ? a.name.trim() : '';
  if (name === '') throw new ConnectionError('Give the connection a name.', 'name');
  if (name.length > MAX_NAME) throw new ConnectionError(`A name can have at most ${MAX_NAME} characters.`, 'name');
  if (typeof a.bootstrap !== 'string')
    throw new ConnectionError('Enter the bootstrap servers, e.g. kafka-1:9092,kafka-2:9092.', 'bootstrap');
  let servers: string[];
  try {
    servers = parseBootstrap(a.bootstrap);
  } catch (e) {
    throw new ConnectionError((e as Error).message.replace('--bootstrap-server', 'bootstrap servers'), 'bootstrap');
  }
  let sasl: StoredConnection['sasl'] = null;
  let password: string | undefined;
  if (a.sasl !== null && a.sasl !== undefined) {
    const s = a.sasl as Record<string, unknown>;
    if (typeof s !== 'object' || !SASL_MECHANISMS.includes(s.mechanism as SaslMechanism)) {
      throw new ConnectionError(`SASL mechanism must be one of ${SASL_MECHANISMS.join(', ')}.`, 'mechanism');
    }
    const username = typeof s.username === 'string' ? s.username : '';
    if (username === '') throw new ConnectionError('SASL needs a username.', 'username');
    if (s.password !== undefined && s.password !== null && typeof s.password !== 'string')
      throw new ConnectionError('password must be text', 'password');
    password = typeof s.password === 'string' && s.password !== '' ? s.password : undefined;
    sasl = { mechanism: s.mechanism as SaslMechanism, username };
  }
  let tls: TlsSettings | null = null;
  if (a.tls !== null && a.tls !== undefined) {
    const t = a.tls as Record<string, unknown>;
    const ca = typeof t.ca === 'string' && t.ca.trim() !== '' ? t.ca.trim() : null;
    if (
      ca !== null &&
      (ca.length > MAX_PEM || !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(ca))
    ) {
      throw new ConnectionError(
        'The CA must be PEM text (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----).',
        'ca',
      );
    }
    tls = { ca, skipVerify: t.skipVerify === true };
  }
  const id = typeof a.id === 'string' && a.id !== '' ? a.id : randomUUID();
  const rememberPassword = a.rememberPassword === true && sasl !== null;
  return { conn: { id, name, bootstrap: servers.join(','), sasl, tls, rememberPassword }, password };
}

/** The SASL and TLS options @platformatic/kafka takes for a connection. */
export function securityOptions(conn: Pick<StoredConnection, 'sasl' | 'tls'>, password: string | undefined) {
  const out: {
    sasl?: { mechanism: SaslMechanism; username: string; password: string };
    tls?: { ca?: string; rejectUnauthorized: boolean };
  } = {};
  if (conn.sasl) out.sasl = { mechanism: conn.sasl.mechanism, username: conn.sasl.username, password: password ?? '' };
  if (conn.tls) {
    out.tls = { rejectUnauthorized: !conn.tls.skipVerify };
    if (conn.tls.ca) out.tls.ca = conn.tls.ca;
  }
  return out;
}

/**
 * A readable message for a failure to reach a cluster through `conn`, with the form field it most
 * likely belongs to; undefined when the failure is not about connecting.
 */
export function connectionFailure(
  e: unknown,
  conn: Pick<StoredConnection, 'bootstrap' | 'sasl' | 'tls'>,
): { message: string; field: string } | undefined {
  const leaves = leafErrors(e);
  const texts: string[] = [];
  const walk = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || depth > 8) return;
    const err = x as { message?: string; code?: string; apiId?: string; errors?: unknown[]; cause?: unknown };
    texts.push(`${err.code ?? ''} ${err.apiId ?? ''} ${err.message ?? ''}`);
    for (const c of err.errors ?? []) walk(c, depth + 1);
    walk(err.cause, depth + 1);
  };
  walk(e, 0);
  const all = texts.join('\n');
  const at = conn.bootstrap;
  if (/SASL_AUTHENTICATION_FAILED|Authentication failed|invalid credentials/i.test(all)) {
    const server = leaves.find((l) => l.serverErrorMessage)?.serverErrorMessage;
    return {
      message: `The cluster at ${at} refused the SASL ${conn.sasl?.mechanism ?? ''} login for '${conn.sasl?.username ?? ''}'${server ? `: ${server}` : ''}. Check the username and password.`,
      field: 'password',
    };
  }
  if (/UNSUPPORTED_SASL_MECHANISM/.test(all)) {
    return {
      message: `The cluster at ${at} does not offer SASL ${conn.sasl?.mechanism}; pick a mechanism it has enabled.`,
      field: 'mechanism',
    };
  }
  if (/TLS handshake|EPROTO|wrong version number|certificate|SSL/i.test(all)) {
    const cert =
      (/self[- ]signed|unable to verify|certificate|CERT_/i.test(all) && !/TLS handshake failed/.test(all)) ||
      /UNABLE_TO_VERIFY|SELF_SIGNED|CERT_HAS_EXPIRED|ERR_TLS_CERT/.test(all);
    if (cert) {
      return {
        message: `The certificate of the broker at ${at} could not be verified (${certReason(all)}). Add the cluster's CA certificate, or tick "skip verification" for a test cluster.`,
        field: 'ca',
      };
    }
    return {
      message: `The TLS handshake with ${at} failed: the broker does not seem to speak TLS on this port. Untick TLS, or use the broker's TLS listener.`,
      field: 'tls',
    };
  }
  if (conn.sasl && /Connection closed|ECONNRESET|closed while waiting/i.test(all)) {
    return {
      message: `The broker at ${at} closed the connection during SASL authentication: SASL does not seem to be enabled on this listener (Samsa's own broker does not support SASL). Untick SASL, or use the cluster's SASL listener.`,
      field: 'sasl',
    };
  }
  if (
    leaves.every(
      (l) =>
        l.code === 'PLT_KFK_NETWORK' ||
        l.code === 'PLT_KFK_TIMEOUT' ||
        /Cannot connect|timed out|Connection/i.test(l.message),
    )
  ) {
    const cause = /ECONNREFUSED/.test(all)
      ? 'connection refused'
      : /ENOTFOUND|EAI_AGAIN/.test(all)
        ? 'host not found'
        : /timed out|ETIMEDOUT|Timeout/i.test(all)
          ? `no answer within ${CONNECT_TIMEOUT_MS} ms`
          : 'unreachable';
    return { message: `Could not connect to the Kafka broker at ${at} (${cause}).`, field: 'bootstrap' };
  }
  return undefined;
}

function certReason(text: string): string {
  if (/self[- ]signed|SELF_SIGNED/i.test(text)) return 'it is self-signed';
  if (/expired|CERT_HAS_EXPIRED/i.test(text)) return 'it has expired';
  if (/altnames|hostname|ERR_TLS_CERT_ALTNAME/i.test(text)) return 'it is not for this host name';
  return 'unknown issuer';
}

/** The list of connections, its settings file and the passwords known while the console runs. */
export class ConnectionStore {
  readonly #path: string | undefined;
  readonly #local: StoredConnection;
  #remote: StoredConnection[] = [];
  #selected = LOCAL_ID;
  readonly #passwords = new Map<string, string>();
  /** Why the settings file could not be read, if it could not. */
  loadError: string | undefined;

  constructor(localBootstrap: string, settingsPath?: string) {
    this.#path = settingsPath;
    this.#local = {
      id: LOCAL_ID,
      name: 'Local cluster',
      bootstrap: localBootstrap,
      sasl: null,
      tls: null,
      rememberPassword: false,
    };
    this.#load();
  }

  #load(): void {
    if (!this.#path || !existsSync(this.#path)) return;
    try {
      const file = JSON.parse(readFileSync(this.#path, 'utf8')) as Partial<SettingsFile>;
      for (const raw of Array.isArray(file.connections) ? file.connections : []) {
        try {
          const { conn, password } = checkConnectionInput(raw);
          if (conn.id === LOCAL_ID || this.#remote.some((c) => c.id === conn.id)) continue;
          if (password !== undefined && conn.rememberPassword) this.#passwords.set(conn.id, password);
          this.#remote.push(conn);
        } catch {
          /* an entry edited by hand into something invalid is skipped */
        }
      }
      const sel = typeof file.selected === 'string' ? this.get(file.selected) : undefined;
      // A remembered selection is used only when it can connect without asking for a password.
      if (sel && (!sel.sasl || this.#passwords.has(sel.id))) this.#selected = sel.id;
    } catch (e) {
      this.loadError = `Could not read the console settings (${(e as Error).message}); starting with the local cluster only.`;
    }
  }

  #save(): void {
    if (!this.#path) return;
    const file: SettingsFile = {
      version: 1,
      selected: this.#selected,
      connections: this.#remote.map((c) => {
        const pw = c.rememberPassword ? this.#passwords.get(c.id) : undefined;
        return { ...c, sasl: c.sasl ? { ...c.sasl, ...(pw !== undefined ? { password: pw } : {}) } : null };
      }),
    };
    mkdirSync(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.#path);
  }

  get selected(): StoredConnection {
    return this.get(this.#selected) ?? this.#local;
  }

  get(id: string): StoredConnection | undefined {
    return id === LOCAL_ID ? this.#local : this.#remote.find((c) => c.id === id);
  }

  password(id: string): string | undefined {
    return this.#passwords.get(id);
  }

  list(): ConnectionView[] {
    return [this.#local, ...this.#remote].map((c) => ({
      id: c.id,
      name: c.name,
      bootstrap: c.bootstrap,
      local: c.id === LOCAL_ID,
      sasl: c.sasl ? { mechanism: c.sasl.mechanism, username: c.sasl.username } : null,
      tls: c.tls,
      rememberPassword: c.rememberPassword,
      hasPassword: this.#passwords.has(c.id),
    }));
  }

  /** The connection and password to test or save: on an existing one, an absent password keeps the known one. */
  resolve(input: ConnectionInput | unknown): { conn: StoredConnection; password: string | undefined } {
    const { conn, password } = checkConnectionInput(input);
    if (conn.id === LOCAL_ID) throw new ConnectionError('The local cluster cannot be edited.', 'name');
    return { conn, password: password ?? (conn.sasl ? this.#passwords.get(conn.id) : undefined) };
  }

  upsert(conn: StoredConnection, password: string | undefined): void {
    if (conn.sasl && password === undefined) throw new ConnectionError('Enter the SASL password.', 'password');
    if (
      this.#remote.some((c) => c.id !== conn.id && c.name.toLowerCase() === conn.name.toLowerCase()) ||
      conn.name.toLowerCase() === this.#local.name.toLowerCase()
    ) {
      throw new ConnectionError(`There is already a connection named '${conn.name}'.`, 'name');
    }
    const i = this.#remote.findIndex((c) => c.id === conn.id);
    if (i >= 0) this.#remote[i] = conn;
    else this.#remote.push(conn);
    if (conn.sasl && password !== undefined) this.#passwords.set(conn.id, password);
    else this.#passwords.delete(conn.id);
    this.#save();
  }

  remove(id: string): void {
    if (id === LOCAL_ID) throw new ConnectionError('The local cluster cannot be removed.', 'id');
    const i = this.#remote.findIndex((c) => c.id === id);
    if (i < 0) throw new ConnectionError('There is no such connection.', 'id');
    this.#remote.splice(i, 1);
    this.#passwords.delete(id);
    if (this.#selected === id) this.#selected = LOCAL_ID;
    this.#save();
  }

  select(id: string, password?: string): StoredConnection {
    const conn = this.get(id);
    if (!conn) throw new ConnectionError('There is no such connection.', 'id');
    if (conn.sasl) {
      if (password !== undefined && password !== '') this.#passwords.set(id, password);
      if (!this.#passwords.has(id))
        throw new ConnectionError(
          `Enter the SASL password for '${conn.sasl.username}' to connect to ${conn.name}.`,
          'password',
        );
    }
    this.#selected = id;
    this.#save();
    return conn;
  }
}
