// Starts a broker process for integration tests: Samsa by default, or librdkafka's mock
// cluster (the reference broker in ../shared/tools) when SAMSA_TEST_TARGET=reference.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTmpDir, removeTmpDir } from './tmp.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REFERENCE_BROKER = resolve(REPO_ROOT, '..', 'shared', 'tools', 'reference-broker');

export type Target = 'samsa' | 'reference';

export const TARGET: Target = process.env.SAMSA_TEST_TARGET === 'reference' ? 'reference' : 'samsa';

/** What the target can do; tests skip (with a printed reason) what it cannot. */
export interface Capabilities {
  persistence: boolean;
  /** CreateTopics works (the mock only auto-creates topics). */
  createTopics: boolean;
  /** ListOffsets by timestamp returns real offsets (the mock answers -1). */
  listOffsetsByTime: boolean;
  deleteTopics: boolean;
  describeConfigs: boolean;
  autoCreateOff: boolean;
  /** Broker validates record-batch CRCs on produce. */
  validatesCrc: boolean;
  /** Broker enforces socket.request.max.bytes. */
  limitsFrameSize: boolean;
  /** Broker validates topic names in CreateTopics. */
  validatesTopicNames: boolean;
  /** Partition count given to auto-created topics when num.partitions is overridden to `n`. */
  autoCreatePartitions(n: number): number;
}

export const CAPABILITIES: Record<Target, Capabilities> = {
  samsa: {
    persistence: true,
    createTopics: true,
    listOffsetsByTime: true,
    deleteTopics: true,
    describeConfigs: true,
    autoCreateOff: true,
    validatesCrc: true,
    limitsFrameSize: true,
    validatesTopicNames: true,
    autoCreatePartitions: (n) => n,
  },
  reference: {
    persistence: false,
    createTopics: false,
    listOffsetsByTime: false,
    deleteTopics: false,
    describeConfigs: false,
    autoCreateOff: false,
    validatesCrc: false,
    limitsFrameSize: false,
    validatesTopicNames: false,
    // librdkafka's mock cluster auto-creates topics with its own default (4 partitions).
    autoCreatePartitions: () => 4,
  },
};

export const caps: Capabilities = CAPABILITIES[TARGET];

/**
 * Returns a reason string when the current target lacks a feature, else undefined.
 * Use as: `it.skipIf(skipReason(...))` after logging via `reportSkip`.
 */
export function lacks(feature: keyof Omit<Capabilities, 'autoCreatePartitions'>): string | undefined {
  if (caps[feature]) return undefined;
  const reason = `target '${TARGET}' lacks ${feature}`;
  console.log(`[skip] ${reason}`);
  return reason;
}

/**
 * True (after printing why) when the suite needs Samsa itself — the reference
 * broker (librdkafka's mock) has no such feature. Only ever true with
 * SAMSA_TEST_TARGET=reference; `npm test` targets Samsa.
 */
export function needsSamsa(what: string): boolean {
  if (TARGET === 'samsa') return false;
  console.log(`[skip] ${what}: the '${TARGET}' target does not provide it`);
  return true;
}

export interface StartOptions {
  /** Broker config overrides, passed as --override key=value. */
  overrides?: Record<string, string | number | boolean>;
  /** Reuse a data dir (for restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
  /** Fixed port (0 = any). */
  port?: number;
  /** More `samsa start` arguments (e.g. --advertised-port). */
  args?: string[];
  startTimeoutMs?: number;
  /** The open-files limit to run under (`ulimit -n`, soft and hard): the process is started through /bin/sh. */
  openFiles?: number;
}

export interface RunningBroker {
  target: Target;
  host: string;
  port: number;
  bootstrap: string;
  dataDir: string;
  pid: number;
  /** Output seen so far (for diagnostics). */
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after a grace period). Returns exit code/signal. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Stop (SIGTERM) if running, and remove the data dir unless it was given. */
  dispose(): Promise<void>;
  exited: boolean;
}

/** A Node 24 binary: the one running us if it is new enough, else the `node` devDependency. */
export function nodeBinary(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  for (const p of [
    join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node'),
    join(REPO_ROOT, 'node_modules', '.bin', 'node'),
  ]) {
    if (existsSync(p)) return p;
  }
  return process.execPath;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export async function startBroker(opts: StartOptions = {}): Promise<RunningBroker> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? makeTmpDir('samsa-it-data-');
  let child: ChildProcess;
  let ready: RegExp;
  if (TARGET === 'reference') {
    child = spawn(REFERENCE_BROKER, ['1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    ready = /^(\S+):(\d+)\s*$/m;
  } else {
    const args = [
      join(REPO_ROOT, 'bin', 'samsa.js'),
      'start',
      '--data-dir',
      dataDir,
      '--port',
      String(opts.port ?? 0),
      '--host',
      '127.0.0.1',
    ];
    for (const [k, v] of Object.entries(opts.overrides ?? {})) args.push('--override', `${k}=${v}`);
    args.push(...(opts.args ?? []));
    child =
      opts.openFiles === undefined
        ? spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT })
        : // `exec` keeps the pid: signals reach the broker itself.
          spawn('/bin/sh', ['-c', `ulimit -n ${opts.openFiles} && exec "$0" "$@"`, nodeBinary(), ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
            cwd: REPO_ROOT,
          });
    ready = /listening on (\S+):(\d+)/;
  }
  live.add(child);
  let out = '';
  let exited = false;
  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => {
      exited = true;
      live.delete(child);
      res({ code, signal });
    });
  });
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  });

  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const addr = await new Promise<{ host: string; port: number }>((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`broker (${TARGET}) did not report ready within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.length > 200_000) out = out.slice(-100_000);
      buf += d;
      const m = ready.exec(buf);
      if (m) {
        clearTimeout(timer);
        buf = '';
        ready = /$^/; // never matches again
        res({ host: m[1]!, port: Number(m[2]) });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rej(new Error(`broker (${TARGET}) exited before ready (code ${code}, signal ${signal}); output:\n${out}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
  });
  // Samsa may print "localhost" or "0.0.0.0"; clients should use the loopback address.
  const host = addr.host === '0.0.0.0' || addr.host === '::' ? '127.0.0.1' : addr.host;

  const broker: RunningBroker = {
    target: TARGET,
    host,
    port: addr.port,
    bootstrap: `${host}:${addr.port}`,
    dataDir,
    pid: child.pid!,
    output: () => out,
    get exited() {
      return exited;
    },
    async stop(graceMs = 10_000) {
      if (exited) return exitPromise;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exitPromise;
      clearTimeout(t);
      return r;
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exitPromise;
    },
    async dispose() {
      await broker.stop(5_000);
      if (ownDir) removeTmpDir(dataDir);
    },
  };
  return broker;
}
