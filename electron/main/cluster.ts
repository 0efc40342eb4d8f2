// The local cluster as the desktop app runs it: broker processes started through a BrokerSpawner
// (utility processes), watched, and stopped cleanly on quit. Implements ClusterControl so the tray
// menu and the console can list, stop, kill and restart brokers.
import { connect } from 'node:net';
import type { BrokerChild, BrokerProcessInfo, BrokerSpawner, ClusterControl } from '../../core/cluster/cluster-control.ts';
import type { Log } from './log.ts';
import { brokerOverrides, type Settings } from './settings.ts';

export interface LocalCluster {
  /** host:port list clients bootstrap from. */
  readonly bootstrap: string;
  readonly control: ClusterControl;
  /** Controlled shutdown of every broker (SIGTERM, waiting for the exits). */
  stop(): Promise<void>;
}

export class BrokerStartError extends Error {
  brokerId: number;
  port: number;
  constructor(brokerId: number, port: number, message: string) {
    super(message);
    this.brokerId = brokerId;
    this.port = port;
  }
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

/** Resolves once host:port accepts a TCP connection; rejects when `gone()` turns true or time runs out. */
export async function waitForListener(host: string, port: number, gone: () => string | undefined, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  for (;;) {
    const why = gone();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: target, port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`did not listen on ${host}:${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Slot {
  info: BrokerProcessInfo;
  child: BrokerChild | undefined;
  exited: Promise<void> | undefined;
}

/**
 * Supervises the broker process of a single-broker desktop cluster: `samsa start` (the spawner's
 * command) on the data folder, as the headless `samsa start` runs it.
 */
export class BrokerProcesses implements ClusterControl {
  readonly #spawn: BrokerSpawner;
  readonly #settings: Settings;
  readonly #log: Log;
  readonly #slots = new Map<number, Slot>();
  readonly #listeners = new Set<(brokers: BrokerProcessInfo[]) => void>();

  constructor(settings: Settings, spawn: BrokerSpawner, log: Log) {
    this.#settings = settings;
    this.#spawn = spawn;
    this.#log = log;
  }

  argsFor(id: number): string[] {
    const s = this.#settings;
    return ['--data-dir', s.dataDir, '--port', String(s.port + id - 1), '--host', s.host, ...brokerOverrides(s).flatMap((o) => ['--override', o])];
  }

  #changed(): void {
    const list = this.#snapshot();
    for (const l of this.#listeners) {
      try { l(list); } catch (e) { this.#log(`broker status listener failed: ${(e as Error).message}`); }
    }
  }

  #snapshot(): BrokerProcessInfo[] {
    return [...this.#slots.values()].map((s) => ({ ...s.info })).sort((a, b) => a.id - b.id);
  }

  #slot(id: number): Slot {
    const s = this.#slots.get(id);
    if (!s) throw new Error(`no broker ${id}`);
    return s;
  }

  async start(id: number): Promise<void> {
    let slot = this.#slots.get(id);
    if (slot && (slot.info.status === 'running' || slot.info.status === 'starting')) return;
    const port = this.#settings.port + id - 1;
    if (!slot) {
      slot = {
        info: { id, host: this.#settings.host, port, pid: null, status: 'stopped', inProcess: false, exitCode: null, signal: null, startedAt: null, fenced: false, partitionsLed: 0, diskBytes: 0 },
        child: undefined,
        exited: undefined,
      };
      this.#slots.set(id, slot);
    }
    const s = slot;
    const args = this.argsFor(id);
    this.#log(`starting broker ${id}: samsa ${args.join(' ')}`);
    const child = this.#spawn([...args], { SAMSA_BROKER_ID: String(id) });
    child.onOutput?.((line) => this.#log(`[broker ${id}] ${line}`));
    s.child = child;
    Object.assign(s.info, { status: 'starting', pid: child.pid ?? null, exitCode: null, signal: null, startedAt: Date.now() });
    let exitWhy: string | undefined;
    s.exited = new Promise<void>((resolve) => {
      child.onExit((code, signal) => {
        exitWhy = `exited (code ${code ?? '-'}${signal ? `, ${signal}` : ''}) before it listened`;
        const expected = s.info.status === 'stopping';
        Object.assign(s.info, { status: expected && code === 0 ? 'stopped' : 'dead', pid: null, exitCode: code, signal });
        if (s.child === child) s.child = undefined;
        this.#log(`broker ${id} ${expected ? 'stopped' : 'exited'} (code ${code ?? '-'}${signal ? `, ${signal}` : ''})`);
        this.#changed();
        resolve();
      });
    });
    this.#changed();
    try {
      await waitForListener(this.#settings.host, port, () => exitWhy);
    } catch (e) {
      if (s.child === child) child.kill('SIGKILL');
      throw new BrokerStartError(id, port, `broker ${id} on port ${port}: ${(e as Error).message}`);
    }
    s.info.status = 'running';
    this.#log(`broker ${id} listening on ${this.#settings.host}:${port} (pid ${child.pid ?? '?'})`);
    this.#changed();
  }

  async list(): Promise<BrokerProcessInfo[]> {
    return this.#snapshot();
  }

  async stop(id: number): Promise<void> {
    const s = this.#slot(id);
    if (!s.child) return;
    s.info.status = 'stopping';
    this.#changed();
    const child = s.child;
    child.kill('SIGTERM');
    const timer = setTimeout(() => { this.#log(`broker ${id} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`); child.kill('SIGKILL'); }, STOP_TIMEOUT_MS);
    await s.exited;
    clearTimeout(timer);
  }

  async kill(id: number): Promise<void> {
    const s = this.#slot(id);
    if (!s.child) return;
    s.child.kill('SIGKILL');
    await s.exited;
  }

  async add(): Promise<BrokerProcessInfo> {
    throw new Error('adding brokers needs the multi-broker cluster (coordinator); set the number of brokers in Settings');
  }

  onChange(listener: (brokers: BrokerProcessInfo[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#slots.keys()].map((id) => this.stop(id)));
  }
}

/** Starts the local cluster the settings describe. */
export async function startLocalCluster(settings: Settings, spawn: BrokerSpawner, log: Log): Promise<LocalCluster> {
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? 'localhost' : settings.host;
  if (settings.brokers > 1) log(`settings ask for ${settings.brokers} brokers; this build runs one broker process (the multi-broker coordinator is not part of it yet)`);
  const brokers = new BrokerProcesses(settings, spawn, log);
  try {
    await brokers.start(1);
  } catch (e) {
    await brokers.stopAll().catch(() => undefined);
    throw e;
  }
  return {
    bootstrap: `${host.includes(':') ? `[${host}]` : host}:${settings.port}`,
    control: brokers,
    stop: () => brokers.stopAll(),
  };
}
