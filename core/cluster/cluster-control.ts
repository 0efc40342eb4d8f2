// The control surface of a running local cluster: what `samsa broker …`, the
// console's Cluster view and the desktop shell use to list, stop, kill, start
// and add broker processes. The supervisor implements it; transports (the
// control endpoint, the console bridge, Electron IPC) carry it unchanged.

export type BrokerProcessStatus = 'starting' | 'running' | 'stopping' | 'stopped' | 'dead';

export interface BrokerProcessInfo {
  id: number;
  host: string;
  port: number;
  /** null when not running. */
  pid: number | null;
  status: BrokerProcessStatus;
  /** True for a broker running inside the supervising process (a single-broker cluster). */
  inProcess: boolean;
  /** Exit of the last run, when it ended. */
  exitCode: number | null;
  signal: string | null;
  /** ms since the epoch of the last start, null if never started. */
  startedAt: number | null;
  /** From the controller's metadata. */
  fenced: boolean;
  partitionsLed: number;
  /** Bytes of this broker's log directory. */
  diskBytes: number;
}

export interface ClusterControl {
  list(): Promise<BrokerProcessInfo[]>;
  /** Controlled shutdown (SIGTERM): leadership moves first. */
  stop(id: number): Promise<void>;
  /** A crash (SIGKILL). */
  kill(id: number): Promise<void>;
  /** Starts a stopped or dead broker again. */
  start(id: number): Promise<void>;
  /** Starts a new broker with the next id and port. */
  add(): Promise<BrokerProcessInfo>;
  /** Called after any status change; returns an unsubscribe function. */
  onChange(listener: (brokers: BrokerProcessInfo[]) => void): () => void;
}

/** A started broker process, whatever started it (child_process.fork, Electron utilityProcess). */
export interface BrokerChild {
  readonly pid: number | undefined;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  /** Messages the broker process sends its parent (e.g. `{ type: 'ready', port }`). */
  onMessage(cb: (msg: unknown) => void): void;
  /** Lines the process writes to stdout/stderr, when the spawner can capture them. */
  onOutput?(cb: (line: string, stream: 'stdout' | 'stderr') => void): void;
}

/** Starts a broker process running `samsa broker-node` with these arguments. */
export type BrokerSpawner = (args: string[], env: Record<string, string>) => BrokerChild;
