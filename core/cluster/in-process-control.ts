// `samsa start` without --brokers: the broker runs inside this process, so there is no process
// to supervise. `samsa broker list` and the console's Cluster view still see it (this process's
// pid; fenced and leaderships from the controller's metadata), and the process actions are
// refused with the reason, in the supervisor's words (ControlError).
import { join } from 'node:path';
import type { BrokerInfo, PartitionInfo } from '../metadata/types.ts';
import type { BrokerProcessInfo, ClusterControl } from './cluster-control.ts';
import { ControlError, directoryBytes } from './supervisor.ts';

/**
 * The control surface of a single-broker cluster whose broker runs inside the
 * supervising process (`samsa start` without --brokers): it lists the broker;
 * stopping, killing or adding brokers is refused with an explanation.
 */
export class InProcessBrokerControl implements ClusterControl {
  private readonly opts: {
    id: number;
    host: string;
    port: number;
    dataDir: string;
    startedAt: number;
    metadata?: () => { brokers: readonly BrokerInfo[]; partitions: readonly PartitionInfo[] };
    /** When there is no controller metadata to count from. */
    partitionsLed?: () => number;
  };

  constructor(opts: InProcessBrokerControl['opts']) {
    this.opts = opts;
  }

  async list(): Promise<BrokerProcessInfo[]> {
    const { id } = this.opts;
    const m = this.opts.metadata?.();
    const registered = m?.brokers.find((b) => b.id === id);
    return [
      {
        id,
        host: this.opts.host,
        port: this.opts.port,
        pid: process.pid,
        status: 'running',
        inProcess: true,
        exitCode: null,
        signal: null,
        startedAt: this.opts.startedAt,
        fenced: registered ? registered.fenced : false,
        partitionsLed: m ? m.partitions.filter((p) => p.leader === id).length : (this.opts.partitionsLed?.() ?? 0),
        diskBytes: await directoryBytes(join(this.opts.dataDir, `broker-${id}`)),
      },
    ];
  }

  private refuse(id: number, what: string): never {
    if (id !== this.opts.id) throw new ControlError(`no broker ${id}`);
    throw new ControlError(`broker ${id} runs inside the samsa start process; ${what}`);
  }

  async stop(id: number): Promise<void> {
    this.refuse(id, 'stop samsa itself');
  }
  async kill(id: number): Promise<void> {
    this.refuse(id, 'stop samsa itself');
  }
  async start(id: number): Promise<void> {
    this.refuse(id, 'it is running');
  }
  async add(): Promise<BrokerProcessInfo> {
    throw new ControlError(
      'this cluster runs one broker inside the samsa start process; start it with --brokers N to add brokers',
    );
  }

  onChange(): () => void {
    return () => undefined;
  }
}
