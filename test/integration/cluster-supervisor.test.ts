// The supervisor's process management with stand-in broker processes (a few
// lines of Node that listen on the given port, report ready over IPC and exit
// on SIGTERM): statuses, kill/stop/start/add, a kill from outside, the
// controller told of every exit, and a shutdown that leaves nothing running.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrokerChild, BrokerSpawner } from '../../core/cluster/cluster-control.ts';
import { ControlError, Supervisor } from '../../core/cluster/supervisor.ts';
import { waitFor } from '../helpers/clients.ts';
import { nodeBinary } from '../helpers/spawn-broker.ts';
import { makeTmpDir, removeAllTmpDirs } from '../helpers/tmp.ts';

afterAll(() => removeAllTmpDirs());

// argv: --id N --data-dir D --port P --host H --controller C …
const FAKE_BROKER = `
const net = require('node:net');
const arg = (k) => process.argv[process.argv.indexOf(k) + 1];
if (process.env.FAKE_FAIL === arg('--id')) { console.error('cannot start: bad config'); process.exit(3); }
const srv = net.createServer((c) => c.end());
srv.listen(Number(arg('--port')), arg('--host'), () => {
  console.log('listening as ' + arg('--id'));
  process.send({ type: 'ready', port: srv.address().port });
});
process.on('SIGTERM', () => srv.close(() => process.exit(0)));
`;

const children: number[] = [];
const fakeSpawner: BrokerSpawner = (args, env) => {
  const c = spawn(nodeBinary(), ['-e', FAKE_BROKER, '--', ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  children.push(c.pid!);
  const child: BrokerChild = {
    pid: c.pid,
    kill: (sig) => {
      c.kill(sig);
    },
    onExit: (cb) => {
      c.once('exit', (code, signal) => cb(code, signal));
    },
    onMessage: (cb) => {
      c.on('message', cb);
    },
    onOutput: (cb) => {
      c.stdout!.setEncoding('utf8').on('data', (d: string) => {
        for (const l of d.trim().split('\n')) cb(l, 'stdout');
      });
      c.stderr!.setEncoding('utf8').on('data', (d: string) => {
        for (const l of d.trim().split('\n')) cb(l, 'stderr');
      });
    },
  };
  return child;
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function connects(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

describe('Supervisor', () => {
  it('starts, kills, stops, restarts and adds broker processes, telling the controller of every exit', async () => {
    const exited: number[] = [];
    const lines: string[] = [];
    const changes: string[] = [];
    const sup = new Supervisor({
      dataDir: makeTmpDir(),
      host: '127.0.0.1',
      basePort: 0,
      controllerAddress: '127.0.0.1:1',
      spawner: fakeSpawner,
      controller: {
        brokerExited: (id) => exited.push(id),
        metadata: () => ({
          brokers: [
            {
              id: 1,
              host: '127.0.0.1',
              port: 1,
              rack: null,
              epoch: 1,
              incarnationId: 'x',
              fenced: false,
              shuttingDown: false,
            },
          ],
          partitions: [1, 1, 2].map((leader, partition) => ({
            topicId: 't',
            topic: 't',
            partition,
            replicas: [1, 2],
            isr: [1, 2],
            leader,
            leaderEpoch: 0,
            partitionEpoch: 0,
            addingReplicas: [],
            removingReplicas: [],
          })),
        }),
      },
      log: (l) => lines.push(l),
    });
    const off = sup.onChange((l) => changes.push(l.map((b) => b.status).join(',')));
    try {
      const started = await sup.startBrokers(3);
      expect(started.map((b) => [b.id, b.status, b.inProcess])).toEqual([
        [1, 'running', false],
        [2, 'running', false],
        [3, 'running', false],
      ]);
      for (const b of started) {
        expect(b.pid).toBeGreaterThan(0);
        expect(b.port).toBeGreaterThan(0);
        expect(await connects(b.port)).toBe(true);
      }
      expect(started.map((b) => [b.fenced, b.partitionsLed])).toEqual([
        [false, 2],
        [true, 1],
        [true, 0],
      ]);
      expect(new Set(started.map((b) => b.port)).size).toBe(3);
      expect(sup.bootstrap().split(',')).toHaveLength(3);
      await waitFor(() => lines.some((l) => l === '[broker 2] listening as 2'), 5000, 'prefixed output');

      // kill → dead, controller told
      const port2 = started[1]!.port;
      await sup.kill(2);
      let l = await sup.list();
      expect(l[1]).toMatchObject({ id: 2, status: 'dead', pid: null, signal: 'SIGKILL' });
      expect(exited).toEqual([2]);
      expect(alive(started[1]!.pid!)).toBe(false);
      await expect(sup.kill(2)).rejects.toThrow(ControlError);

      // killed from outside → dead
      process.kill(started[2]!.pid!, 'SIGKILL');
      await waitFor(async () => (await sup.list())[2]!.status === 'dead', 5000, 'broker 3 seen dead');
      expect(exited).toEqual([2, 3]);

      // restart on the same port
      await sup.start(2);
      l = await sup.list();
      expect(l[1]).toMatchObject({ id: 2, status: 'running', port: port2 });
      expect(l[1]!.pid).not.toBe(started[1]!.pid);
      await expect(sup.start(2)).rejects.toThrow(/broker 2 is running/);
      await sup.start(3);

      // add → broker 4
      const b4 = await sup.add();
      expect(b4).toMatchObject({ id: 4, status: 'running' });
      expect(await connects(b4.port)).toBe(true);

      // controlled stop → stopped, exit code 0
      await sup.stop(1);
      l = await sup.list();
      expect(l[0]).toMatchObject({ id: 1, status: 'stopped', exitCode: 0, signal: null, pid: null });
      await expect(sup.start(9)).rejects.toThrow(/no broker 9/);
      expect(changes.some((c) => c.includes('dead'))).toBe(true);
    } finally {
      off();
      await sup.shutdown(5000);
    }
    const after = await sup.list();
    expect(after.every((b) => b.status === 'stopped' || b.status === 'dead')).toBe(true);
    for (const pid of children) expect(alive(pid)).toBe(false);
    await expect(sup.start(1)).rejects.toThrow(/shutting down/);
  });

  it('reports a broker that exits before it is ready with its output, and stops the others', async () => {
    const sup = new Supervisor({
      dataDir: makeTmpDir(),
      host: '127.0.0.1',
      basePort: 0,
      controllerAddress: '127.0.0.1:1',
      spawner: fakeSpawner,
      env: { FAKE_FAIL: '2' },
    });
    await expect(sup.startBrokers(3)).rejects.toThrow(
      /broker 2 exited before it was ready \(code 3\); its last output:\ncannot start: bad config/,
    );
    expect((await sup.list()).every((b) => b.pid === null)).toBe(true);
  });

  it('SIGKILLs a broker that ignores SIGTERM after the stop timeout', async () => {
    const stubborn: BrokerSpawner = (args, env) => {
      const c = spawn(
        nodeBinary(),
        [
          '-e',
          `${FAKE_BROKER}; process.removeAllListeners('SIGTERM'); process.on('SIGTERM', () => {});`,
          '--',
          ...args,
        ],
        { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env: { ...process.env, ...env } },
      );
      children.push(c.pid!);
      return {
        pid: c.pid,
        kill: (s) => {
          c.kill(s);
        },
        onExit: (cb) => {
          c.once('exit', cb);
        },
        onMessage: (cb) => {
          c.on('message', cb);
        },
      };
    };
    const sup = new Supervisor({
      dataDir: makeTmpDir(),
      host: '127.0.0.1',
      basePort: 0,
      controllerAddress: '127.0.0.1:1',
      spawner: stubborn,
    });
    await sup.startBrokers(1);
    const t0 = Date.now();
    await sup.stop(1, 500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect((await sup.list())[0]).toMatchObject({ status: 'stopped', signal: 'SIGKILL' });
  });
});
