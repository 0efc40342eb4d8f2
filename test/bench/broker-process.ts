// Spawns the broker under test (Samsa, or librdkafka's mock cluster as the
// reference) as a child process, and reads its memory from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REFERENCE_BROKER = resolve(REPO_ROOT, '..', 'shared', 'tools', 'reference-broker');

export type BrokerKind = 'samsa' | 'reference';

export interface BrokerProcess {
  kind: BrokerKind;
  pid: number;
  host: string;
  port: number;
  /** ms from spawn until the broker printed its address. */
  readyMs: number;
  output(): string;
  /** SIGTERM (SIGKILL after graceMs) and wait for the exit. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  dataDir?: string;
  /** Fixed port; 0 = any. */
  port?: number;
  overrides?: Record<string, string | number>;
  /** Extra node flags for the Samsa child (e.g. --cpu-prof). */
  nodeFlags?: string[];
  timeoutMs?: number;
}

/** The Node running this script (the project's Node 24 under `npm run bench`). */
function nodeBinary(): string {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  const local = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  return existsSync(local) ? local : process.execPath;
}

export function spawnBroker(
  kind: BrokerKind,
  opts: SpawnOptions = {},
): { child: ChildProcess; t0: number; ready: Promise<BrokerProcess> } {
  let child: ChildProcess;
  let pattern: RegExp;
  const t0 = performance.now();
  if (kind === 'reference') {
    child = spawn(REFERENCE_BROKER, ['1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    pattern = /^(\S+):(\d+)\s*$/m;
  } else {
    if (!opts.dataDir) throw new Error('samsa needs a data dir');
    const args = [
      ...(opts.nodeFlags ?? []),
      join(REPO_ROOT, 'bin', 'samsa.js'),
      'start',
      '--data-dir',
      opts.dataDir,
      '--port',
      String(opts.port ?? 0),
      '--host',
      '127.0.0.1',
    ];
    for (const [k, v] of Object.entries(opts.overrides ?? {})) args.push('--override', `${k}=${v}`);
    child = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
    pattern = /listening on (\S+):(\d+)/;
  }
  let out = '';
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    out = (out + d).slice(-20_000);
  });
  const ready = new Promise<BrokerProcess>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${kind} broker not ready within ${opts.timeoutMs ?? 30_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    let seen = '';
    let matched = false;
    child.stdout!.on('data', (d: string) => {
      out = (out + d).slice(-20_000);
      if (matched) return;
      seen += d;
      const m = pattern.exec(seen);
      if (!m) return;
      matched = true;
      clearTimeout(timer);
      const host = m[1] === '0.0.0.0' || m[1] === '::' || m[1] === 'localhost' ? '127.0.0.1' : m[1]!;
      res({
        kind,
        pid: child.pid!,
        host,
        port: Number(m[2]),
        readyMs: performance.now() - t0,
        output: () => out,
        async stop(graceMs = 15_000) {
          if (exited) return;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exit;
          clearTimeout(t);
        },
      });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!matched) rej(new Error(`${kind} broker exited before ready (code ${code}, signal ${signal}):\n${out}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
  });
  return { child, t0, ready };
}

export async function startBroker(kind: BrokerKind, opts: SpawnOptions = {}): Promise<BrokerProcess> {
  return spawnBroker(kind, opts).ready;
}

/** VmRSS, VmHWM (peak RSS) and the anonymous / file-backed parts of the RSS of a process, in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Samples VmRSS every `everyMs` until stopped; returns the largest sample. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let max = 0;
  const tick = (): void => {
    try {
      max = Math.max(max, memoryOf(pid).rss);
    } catch {
      /* exited */
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return max;
    },
  };
}

/** A port that was free a moment ago (bind 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => res(port));
    });
  });
}
