// Broker processes as Electron utility processes: `utilityProcess.fork` of the bundled broker entry
// (which runs the `samsa` command line), adapted to the cluster's BrokerSpawner contract.
import type { UtilityProcess } from 'electron';
import type { BrokerChild, BrokerSpawner } from '../../core/cluster/cluster-control.ts';

type Fork = (modulePath: string, args?: string[], options?: Electron.ForkOptions) => UtilityProcess;
type OutputCb = (line: string, stream: 'stdout' | 'stderr') => void;

/**
 * Starts `samsa <command> …args` in a utility process running `entry`. The command is
 * `broker-node` (the contract of BrokerSpawner) unless told otherwise.
 */
export function utilityProcessSpawner(fork: Fork, entry: string, command = 'broker-node'): BrokerSpawner {
  return (args, env) => {
    const idIndex = args.indexOf('--id');
    const name = idIndex >= 0 ? `broker ${args[idIndex + 1]}` : 'broker';
    const child = fork(entry, [command, ...args], {
      serviceName: `Samsa ${name}`,
      stdio: 'pipe',
      env: { ...process.env, ...env },
    });
    const outputCbs: OutputCb[] = [];
    const buffered: [string, 'stdout' | 'stderr'][] = [];
    const emit = (line: string, stream: 'stdout' | 'stderr') => {
      if (outputCbs.length === 0) {
        if (buffered.length < 1000) buffered.push([line, stream]);
        return;
      }
      for (const cb of outputCbs) cb(line, stream);
    };
    const lines = (source: NodeJS.ReadableStream | null | undefined, stream: 'stdout' | 'stderr') => {
      let partial = '';
      source?.on('data', (chunk: Buffer | string) => {
        const parts = (partial + String(chunk)).split('\n');
        partial = parts.pop() ?? '';
        for (const l of parts) emit(l.replace(/\r$/, ''), stream);
      });
      source?.on('end', () => {
        if (partial) emit(partial, stream);
        partial = '';
      });
    };
    lines(child.stdout, 'stdout');
    lines(child.stderr, 'stderr');
    let exited = false;
    let killedWith: 'SIGTERM' | 'SIGKILL' | null = null;
    const exitCbs: ((code: number | null, signal: string | null) => void)[] = [];
    child.once('exit', (code: number) => {
      exited = true;
      // utilityProcess reports only a code; a SIGKILL we sent is reported as that signal.
      const signal = killedWith === 'SIGKILL' ? 'SIGKILL' : null;
      for (const cb of exitCbs) cb(signal ? null : code, signal);
    });
    const result: BrokerChild = {
      get pid() {
        return child.pid;
      },
      kill(signal) {
        if (exited) return;
        killedWith = signal;
        // utilityProcess.kill() sends SIGTERM; a crash is a real SIGKILL to the process.
        if (signal === 'SIGKILL' && child.pid !== undefined) {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            child.kill();
          }
        } else child.kill();
      },
      onExit(cb) {
        exitCbs.push(cb);
      },
      onMessage(cb) {
        child.on('message', (msg: unknown) => cb(msg));
      },
      onOutput(cb) {
        outputCbs.push(cb);
        for (const [l, s] of buffered.splice(0)) cb(l, s);
      },
    };
    return result;
  };
}
