// The headless way to start a broker process: `bin/samsa.js broker-node …` with
// child_process.fork, its output captured line by line (buffered until someone listens) and its
// `ready` message passed on. The desktop app starts brokers as Electron utility processes instead
// (electron/main/spawner.ts); the supervisor takes either as a `BrokerSpawner`.
import { fork } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BrokerSpawner } from './cluster-control.ts';

/** The `samsa` command's entry script. */
export const SAMSA_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'samsa.js');

/** Runs `bin/samsa.js broker-node …` with child_process.fork, its output captured line by line. */
export const forkSpawner: BrokerSpawner = (args, env) => {
  const child = fork(SAMSA_BIN, ['broker-node', ...args], {
    execPath: process.execPath,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  const outputCbs: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
  const buffered: [string, 'stdout' | 'stderr'][] = [];
  const emit = (line: string, stream: 'stdout' | 'stderr'): void => {
    if (outputCbs.length === 0) {
      if (buffered.length < 1000) buffered.push([line, stream]);
      return;
    }
    for (const cb of outputCbs) cb(line, stream);
  };
  createInterface({ input: child.stdout! }).on('line', (l) => emit(l, 'stdout'));
  createInterface({ input: child.stderr! }).on('line', (l) => emit(l, 'stderr'));
  let exited = false;
  const exitCbs: ((code: number | null, signal: string | null) => void)[] = [];
  const fire = (code: number | null, signal: string | null): void => {
    if (exited) return;
    exited = true;
    for (const cb of exitCbs) cb(code, signal);
  };
  child.once('exit', (code, signal) => fire(code, signal));
  // A process that could not be spawned emits 'error' and never 'exit'.
  child.once('error', (e) => {
    if (child.pid === undefined) {
      emit(`could not start: ${e.message}`, 'stderr');
      fire(null, null);
    }
  });
  return {
    get pid() {
      return child.pid;
    },
    kill(signal) {
      try {
        child.kill(signal);
      } catch {
        /* already gone */
      }
    },
    onExit(cb) {
      exitCbs.push(cb);
    },
    onMessage(cb) {
      child.on('message', cb);
    },
    onOutput(cb) {
      outputCbs.push(cb);
      for (const [l, s] of buffered.splice(0)) cb(l, s);
    },
  };
};
