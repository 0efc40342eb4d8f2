// Starts `samsa start --brokers N` for integration tests and drives it as a
// user does: the ready lines, `samsa broker …` for list/kill/stop/start/add,
// signals for the whole cluster. Every process is killed when the test
// process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BrokerProcessInfo } from '../../core/cluster/cluster-control.ts';
import { run, type RunResult } from './clients.ts';
import { nodeBinary, REPO_ROOT } from './spawn-broker.ts';
import { makeTmpDir, removeTmpDir } from './tmp.ts';

export const SAMSA = join(REPO_ROOT, 'bin', 'samsa.js');

export interface ClusterOptions {
  brokers: number;
  /** Broker config overrides (--override key=value). */
  overrides?: Record<string, string | number | boolean>;
  dataDir?: string;
  /** Base port; 0 (default) lets the OS pick every broker's port. */
  port?: number;
  args?: string[];
  startTimeoutMs?: number;
}

export interface RunningCluster {
  dataDir: string;
  pid: number;
  /** `host:port,…` of the brokers as printed when ready. */
  bootstrap: string;
  /** id → port, as printed when ready. */
  ports: Map<number, number>;
  output(): string;
  /** `samsa broker <args…> --data-dir D`. */
  broker(args: string[], timeoutMs?: number): Promise<RunResult>;
  list(): Promise<BrokerProcessInfo[]>;
  /** Waits until `pred` holds for the listed brokers. */
  waitForList(pred: (l: BrokerProcessInfo[]) => boolean, ms: number, what: string): Promise<BrokerProcessInfo[]>;
  /** Signals samsa start and waits for its exit (SIGKILL after graceMs). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops it if running and removes the data dir unless it was given. */
  dispose(): Promise<void>;
  readonly exited: boolean;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? makeTmpDir('samsa-cluster-');
  const args = [
    SAMSA,
    'start',
    '--brokers',
    String(opts.brokers),
    '--data-dir',
    dataDir,
    '--port',
    String(opts.port ?? 0),
    '--host',
    '127.0.0.1',
  ];
  for (const [k, v] of Object.entries(opts.overrides ?? {})) args.push('--override', `${k}=${v}`);
  args.push(...(opts.args ?? []));
  const child = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
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
  const append = (d: string): void => {
    out += d;
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', append);
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const ports = new Map<number, number>();
  await new Promise<void>((res, rej) => {
    let seen = '';
    let done = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`cluster not ready within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: string) => {
      append(d);
      if (done) return;
      seen += d;
      for (const m of seen.matchAll(/^Samsa broker (\d+) listening on \S+:(\d+)/gm))
        ports.set(Number(m[1]), Number(m[2]));
      const ready = opts.brokers === 1 ? ports.size === 1 : /^Samsa cluster .*ready/m.test(seen);
      if (ready) {
        done = true;
        clearTimeout(timer);
        res();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!done) rej(new Error(`samsa start exited before ready (code ${code}, signal ${signal}); output:\n${out}`));
    });
  });

  const broker = (a: string[], ms = 60_000) =>
    run(nodeBinary(), [SAMSA, 'broker', ...a, '--data-dir', dataDir], { timeoutMs: ms });
  const list = async (): Promise<BrokerProcessInfo[]> => {
    const r = await broker(['list', '--json']);
    if (r.code !== 0) throw new Error(`samsa broker list failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as BrokerProcessInfo[];
  };
  const cluster: RunningCluster = {
    dataDir,
    pid: child.pid!,
    bootstrap: [...ports.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, p]) => `127.0.0.1:${p}`)
      .join(','),
    ports,
    output: () => out,
    broker,
    list,
    async waitForList(pred, ms, what) {
      const deadline = Date.now() + ms;
      let last: BrokerProcessInfo[] = [];
      for (;;) {
        last = await list();
        if (pred(last)) return last;
        if (Date.now() > deadline)
          throw new Error(
            `${what}: not reached within ${ms} ms; brokers: ${JSON.stringify(last.map((b) => [b.id, b.status, b.pid, b.fenced, b.partitionsLed]))}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    get exited() {
      return exited;
    },
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      if (exited) return exitPromise;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exitPromise;
      clearTimeout(t);
      return r;
    },
    async dispose() {
      await cluster.stop('SIGTERM', 20_000);
      if (ownDir) removeTmpDir(dataDir);
    },
  };
  return cluster;
}

/** True while a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
