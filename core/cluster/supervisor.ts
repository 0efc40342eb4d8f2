// The supervisor: starts, stops (SIGTERM, a controlled shutdown), kills
// (SIGKILL) and restarts the broker processes of a local cluster, each running
// `samsa broker-node`, and reports their state. Processes come from a
// `BrokerSpawner` (child_process.fork headless, fork-spawner.ts; Electron's
// utilityProcess in the app). When a broker process exits the controller hears
// of it at once, so leadership moves without waiting for the broker's session
// to time out. A broker inside this process: in-process-control.ts.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  BrokerChild,
  BrokerProcessInfo,
  BrokerProcessStatus,
  BrokerSpawner,
  ClusterControl,
} from './cluster-control.ts';
import type { BrokerInfo, PartitionInfo } from '../metadata/types.ts';
import { forkSpawner } from './fork-spawner.ts';

/** An error meant for the user as it is (no such broker, already running, …). */
export class ControlError extends Error {
  /** The broker's last output lines, when it failed to start. */
  output: string[] | undefined;
  constructor(message: string, output?: string[]) {
    super(message);
    this.output = output;
  }
}

/** What the supervisor needs from the controller. */
export interface SupervisedController {
  /** A broker process exited: fence it now and move its leaderships. */
  brokerExited(id: number): void;
  /** The registered brokers and the partitions, for list(). */
  metadata?(): { brokers: readonly BrokerInfo[]; partitions: readonly PartitionInfo[] };
}

export interface SupervisorOptions {
  /** The cluster's data dir; broker N keeps its logs in `<dataDir>/broker-N/`. */
  dataDir: string;
  /** Listener address of every broker. */
  host: string;
  /** Broker N listens on basePort + N - 1; 0 lets the OS choose (kept across restarts). */
  basePort: number;
  /** The controller's listener for brokers, `host:port`. */
  controllerAddress: string;
  /** Broker configs given to every broker (`key=value`). */
  overrides?: string[];
  spawner?: BrokerSpawner;
  controller?: SupervisedController;
  /** One line of output at a time (broker output comes prefixed with `[broker N]`). */
  log?: (line: string) => void;
  /** From spawn until the broker reports ready (default 60 s). */
  readyTimeoutMs?: number;
  /** From SIGTERM until SIGKILL (default 30 s). */
  stopTimeoutMs?: number;
  /** Extra environment for the broker processes. */
  env?: Record<string, string>;
}

interface Slot {
  id: number;
  port: number;
  status: BrokerProcessStatus;
  child: BrokerChild | undefined;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  startedAt: number | null;
  /** Resolves when the current child has exited. */
  exited: Promise<void>;
  /** Recent output lines, for error messages. */
  tail: string[];
}

export class Supervisor implements ClusterControl {
  readonly dataDir: string;
  readonly host: string;
  readonly basePort: number;
  private readonly opts: SupervisorOptions;
  private readonly spawner: BrokerSpawner;
  private readonly slots = new Map<number, Slot>();
  private readonly listeners = new Set<(brokers: BrokerProcessInfo[]) => void>();
  private closing = false;

  constructor(opts: SupervisorOptions) {
    this.opts = opts;
    this.dataDir = opts.dataDir;
    this.host = opts.host;
    this.basePort = opts.basePort;
    this.spawner = opts.spawner ?? forkSpawner;
  }

  /** Starts brokers 1..n and waits until every one is ready; on a failure stops the others and throws. */
  async startBrokers(n: number): Promise<BrokerProcessInfo[]> {
    for (let id = 1; id <= n; id++) this.slot(id);
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => this.start(i + 1)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.shutdown();
      throw failed.reason;
    }
    return this.list();
  }

  /** The brokers' addresses as clients bootstrap: `host:port,…` (running brokers). */
  bootstrap(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return [...this.slots.values()]
      .filter((s) => s.status === 'running')
      .map((s) => `${host}:${s.port}`)
      .join(',');
  }

  async list(): Promise<BrokerProcessInfo[]> {
    const meta = this.metadataView();
    const out: BrokerProcessInfo[] = [];
    for (const s of [...this.slots.values()].sort((a, b) => a.id - b.id)) {
      const registered = meta.brokers.get(s.id);
      out.push({
        id: s.id,
        host: this.host,
        port: s.port,
        pid: s.pid,
        status: s.status,
        inProcess: false,
        exitCode: s.exitCode,
        signal: s.signal,
        startedAt: s.startedAt,
        fenced: registered ? registered.fenced : true,
        partitionsLed: meta.led.get(s.id) ?? 0,
        diskBytes: await directoryBytes(join(this.dataDir, `broker-${s.id}`)),
      });
    }
    return out;
  }

  async start(id: number): Promise<void> {
    if (this.closing) throw new ControlError('the cluster is shutting down');
    const s = this.slots.get(id);
    if (!s) throw new ControlError(`no broker ${id}`);
    if (s.status === 'starting' || s.status === 'running' || s.status === 'stopping')
      throw new ControlError(`broker ${id} is ${s.status}`);
    const args = [
      '--id',
      String(id),
      '--data-dir',
      this.dataDir,
      '--port',
      String(s.port),
      '--host',
      this.host,
      '--controller',
      this.opts.controllerAddress,
    ];
    for (const o of this.opts.overrides ?? []) args.push('--override', o);
    let child: BrokerChild;
    try {
      child = this.spawner(args, this.opts.env ?? {});
    } catch (e) {
      throw new ControlError(`broker ${id} could not be started: ${(e as Error).message}`);
    }
    s.child = child;
    s.pid = child.pid ?? null;
    s.status = 'starting';
    s.exitCode = null;
    s.signal = null;
    s.startedAt = Date.now();
    s.tail = [];
    let markExited!: () => void;
    s.exited = new Promise<void>((r) => {
      markExited = r;
    });
    let readyCb: ((port: number) => void) | undefined;
    let exitCb: (() => void) | undefined;
    child.onOutput?.((line) => {
      s.tail.push(line);
      if (s.tail.length > 20) s.tail.shift();
      this.opts.log?.(line.startsWith(`[broker ${id}]`) ? line : `[broker ${id}] ${line}`);
    });
    child.onMessage((msg) => {
      const m = msg as { type?: unknown; port?: unknown; pid?: unknown } | null;
      if (m?.type !== 'ready' || typeof m.port !== 'number' || s.child !== child) return;
      if (typeof m.pid === 'number' && s.pid === null) s.pid = m.pid;
      s.port = m.port;
      s.status = 'running';
      this.changed();
      readyCb?.(m.port);
    });
    child.onExit((code, signal) => {
      if (s.child !== child) return;
      s.child = undefined;
      s.pid = null;
      s.exitCode = code;
      s.signal = signal;
      const was = s.status;
      s.status = was === 'stopping' ? 'stopped' : 'dead';
      if (s.status === 'dead' && !this.closing)
        this.opts.log?.(`[broker ${id}] exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})`);
      // Fence it now, whatever the reason: its process is gone.
      try {
        this.opts.controller?.brokerExited(id);
      } catch (e) {
        this.opts.log?.(`[broker ${id}] controller: ${(e as Error).message}`);
      }
      markExited();
      exitCb?.();
      this.changed();
    });
    this.changed();
    const timeoutMs = this.opts.readyTimeoutMs ?? 60_000;
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => {
        readyCb = exitCb = undefined;
        child.kill('SIGKILL');
        rej(
          new ControlError(`broker ${id} did not become ready within ${timeoutMs} ms${tailText(s.tail)}`, [...s.tail]),
        );
      }, timeoutMs);
      readyCb = () => {
        clearTimeout(timer);
        readyCb = exitCb = undefined;
        res();
      };
      exitCb = () => {
        clearTimeout(timer);
        readyCb = exitCb = undefined;
        rej(
          new ControlError(
            `broker ${id} exited before it was ready (${s.signal ? `signal ${s.signal}` : `code ${s.exitCode}`})${tailText(s.tail)}`,
            [...s.tail],
          ),
        );
      };
    });
  }

  async stop(id: number, timeoutMs = this.opts.stopTimeoutMs ?? 30_000): Promise<void> {
    const s = this.running(id);
    s.status = 'stopping';
    this.changed();
    s.child!.kill('SIGTERM');
    const child = s.child!;
    const timer = setTimeout(() => {
      this.opts.log?.(`[broker ${id}] did not stop within ${timeoutMs} ms; killing it`);
      child.kill('SIGKILL');
    }, timeoutMs);
    await s.exited;
    clearTimeout(timer);
  }

  async kill(id: number): Promise<void> {
    const s = this.running(id);
    // A crash, even in the middle of a controlled shutdown.
    if (s.status === 'stopping') s.status = 'running';
    s.child!.kill('SIGKILL');
    await s.exited;
  }

  async add(): Promise<BrokerProcessInfo> {
    if (this.closing) throw new ControlError('the cluster is shutting down');
    const id = Math.max(0, ...this.slots.keys()) + 1;
    this.slot(id);
    await this.start(id);
    return (await this.list()).find((b) => b.id === id)!;
  }

  onChange(listener: (brokers: BrokerProcessInfo[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Broker ids and their status, without touching the disk. */
  statuses(): { id: number; status: BrokerProcessStatus; pid: number | null; port: number }[] {
    return [...this.slots.values()].map((s) => ({ id: s.id, status: s.status, pid: s.pid, port: s.port }));
  }

  /** Stops every broker (SIGTERM, SIGKILL after the stop timeout, in parallel) and refuses new starts. */
  async shutdown(timeoutMs = this.opts.stopTimeoutMs ?? 30_000): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.slots.values()].map(async (s) => {
        if (s.child === undefined) return;
        if (s.status !== 'stopping') {
          s.status = 'stopping';
          s.child.kill('SIGTERM');
        }
        const child = s.child;
        const timer = setTimeout(() => {
          this.opts.log?.(`[broker ${s.id}] did not stop within ${timeoutMs} ms; killing it`);
          child.kill('SIGKILL');
        }, timeoutMs);
        await s.exited;
        clearTimeout(timer);
      }),
    );
  }

  private slot(id: number): Slot {
    let s = this.slots.get(id);
    if (!s) {
      s = {
        id,
        port: this.basePort === 0 ? 0 : this.basePort + id - 1,
        status: 'stopped',
        child: undefined,
        pid: null,
        exitCode: null,
        signal: null,
        startedAt: null,
        exited: Promise.resolve(),
        tail: [],
      };
      this.slots.set(id, s);
    }
    return s;
  }

  private running(id: number): Slot {
    const s = this.slots.get(id);
    if (!s) throw new ControlError(`no broker ${id}`);
    if (s.child === undefined) throw new ControlError(`broker ${id} is not running (${s.status})`);
    return s;
  }

  private metadataView(): { brokers: Map<number, BrokerInfo>; led: Map<number, number> } {
    const brokers = new Map<number, BrokerInfo>();
    const led = new Map<number, number>();
    const m = this.opts.controller?.metadata?.();
    if (m) {
      for (const b of m.brokers) brokers.set(b.id, b);
      for (const p of m.partitions) if (p.leader >= 0) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    }
    return { brokers, led };
  }

  private changed(): void {
    if (this.listeners.size === 0) return;
    this.list().then(
      (l) => {
        for (const cb of this.listeners) cb(l);
      },
      () => undefined,
    );
  }
}

function tailText(lines: string[]): string {
  return lines.length ? `; its last output:\n${lines.join('\n')}` : '';
}

/** Total size of the files under `dir` (0 when it does not exist). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await directoryBytes(p);
    else if (e.isFile()) {
      try {
        total += (await stat(p)).size;
      } catch {
        /* removed meanwhile */
      }
    }
  }
  return total;
}
