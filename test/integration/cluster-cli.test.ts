// `samsa start --brokers N` and `samsa broker list|stop|kill|start|add` as a
// user runs them: real processes, real ports, the control endpoint found
// through <data-dir>/cluster.json.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, runKcat, waitFor } from '../helpers/clients.ts';
import { nodeBinary } from '../helpers/spawn-broker.ts';
import { pidAlive, SAMSA, startCluster } from '../helpers/spawn-cluster.ts';
import { makeTmpDir, removeAllTmpDirs } from '../helpers/tmp.ts';

afterAll(() => removeAllTmpDirs());

const samsa = (args: string[], env: Record<string, string> = {}) =>
  run(nodeBinary(), [SAMSA, ...args], { timeoutMs: 30_000, env });

describe('samsa broker with a single in-process broker', () => {
  it('lists the in-process broker and refuses to stop, kill or add', async () => {
    const c = await startCluster({ brokers: 1 });
    try {
      const file = join(c.dataDir, 'cluster.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const l = await c.list();
      expect(l).toHaveLength(1);
      expect(l[0]).toMatchObject({
        id: 1,
        status: 'running',
        inProcess: true,
        pid: c.pid,
        port: c.ports.get(1),
        fenced: false,
      });

      const created = await samsa([
        'topics',
        '--bootstrap-server',
        c.bootstrap,
        '--create',
        '--topic',
        'two',
        '--partitions',
        '2',
      ]);
      expect(created.code, created.stderr).toBe(0);
      expect((await c.list())[0]).toMatchObject({ partitionsLed: 2 });
      const table = await c.broker(['list']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^ID\s+ADDRESS\s+PID\s+STATUS/);
      expect(table.stdout).toContain(`127.0.0.1:${c.ports.get(1)}`);

      for (const action of ['stop', 'kill']) {
        const r = await c.broker([action, '--id', '1']);
        expect(r.code).toBe(1);
        expect(r.stderr.trim()).toBe('samsa broker: broker 1 runs inside the samsa start process; stop samsa itself');
      }
      const add = await c.broker(['add']);
      expect(add.code).toBe(1);
      expect(add.stderr.trim()).toMatch(/^samsa broker: .*--brokers N/);
      const missing = await c.broker(['start', '--id', '7']);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe('samsa broker: no broker 7');

      expect(await c.stop()).toEqual({ code: 0, signal: null });
      expect(existsSync(file)).toBe(false);
    } finally {
      await c.dispose();
    }
  });

  it('says so in one line when no cluster runs, also with a stale cluster.json; checks its arguments', async () => {
    const dir = makeTmpDir();
    const none = await samsa(['broker', 'list', '--data-dir', dir]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe(
      `samsa broker: no Samsa cluster is running on data dir ${dir} (start one with samsa start)`,
    );
    // A file left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max default).
    writeFileSync(
      join(dir, 'cluster.json'),
      JSON.stringify({ pid: 4194305, controlUrl: 'http://127.0.0.1:1', token: 'x', bootstrap: '127.0.0.1:1' }),
    );
    const stale = await samsa(['broker', 'kill', '--id', '2'], { SAMSA_DATA_DIR: dir });
    expect(stale.code).toBe(1);
    expect(stale.stderr.trim()).toBe(
      `samsa broker: no Samsa cluster is running on data dir ${dir} (start one with samsa start)`,
    );

    const noId = await samsa(['broker', 'stop', '--data-dir', dir]);
    expect(noId.code).toBe(2);
    expect(noId.stderr.trim()).toBe('samsa broker: stop needs --id N (see samsa broker --help)');
    const bad = await samsa(['broker', 'reboot']);
    expect(bad.code).toBe(2);
    const help = await samsa(['--help']);
    expect(help.stdout).toMatch(/^ {2}broker\s/m);
    expect(help.stdout).not.toContain('broker-node');
  });
});

describe('samsa start --brokers 3', () => {
  it('runs three broker processes that samsa broker lists, kills, restarts and adds to; SIGTERM stops them all', async () => {
    const c = await startCluster({ brokers: 3 });
    const pids = new Set<number>();
    try {
      expect(c.output()).toMatch(
        new RegExp(
          `^Samsa cluster of 3 brokers ready, bootstrap ${c.bootstrap.replace(/\./g, '\\.')} \\(data dir: .*\\)$`,
          'm',
        ),
      );
      let l = await c.waitForList(
        (x) => x.every((b) => b.status === 'running' && !b.fenced),
        30_000,
        'three running, unfenced',
      );
      expect(l.map((b) => [b.id, b.port, b.inProcess])).toEqual([1, 2, 3].map((id) => [id, c.ports.get(id), false]));
      for (const b of l) {
        expect(b.pid).toBeGreaterThan(0);
        expect(b.pid).not.toBe(c.pid);
        expect(pidAlive(b.pid!)).toBe(true);
        pids.add(b.pid!);
      }
      const table = await c.broker(['list']);
      expect(table.stdout.trim().split('\n')).toHaveLength(4);

      // kcat sees every broker
      const meta = await runKcat(['-b', c.bootstrap, '-L', '-J'], { timeoutMs: 20_000 });
      const brokers = (JSON.parse(meta.stdout) as { brokers: { id: number; name: string }[] }).brokers;
      expect(brokers.map((b) => [b.id, b.name]).sort()).toEqual(
        [1, 2, 3].map((id) => [id, `127.0.0.1:${c.ports.get(id)}`]),
      );

      // samsa broker kill → dead
      const kill = await c.broker(['kill', '--id', '2']);
      expect([kill.code, kill.stdout.trim()]).toEqual([0, 'Broker 2 killed']);
      l = await c.list();
      expect(l[1]).toMatchObject({ id: 2, status: 'dead', pid: null, signal: 'SIGKILL', fenced: true });
      expect(pidAlive(l[0]!.pid!)).toBe(true);

      // SIGKILL from outside → dead
      const pid3 = l[2]!.pid!;
      process.kill(pid3, 'SIGKILL');
      l = await c.waitForList((x) => x[2]!.status === 'dead', 10_000, 'broker 3 seen dead');
      expect(l[2]).toMatchObject({ pid: null, fenced: true });

      // start both again, on their ports
      const start2 = await c.broker(['start', '--id', '2']);
      expect(start2.code).toBe(0);
      expect(start2.stdout.trim()).toMatch(
        new RegExp(`^Broker 2 running on 127\\.0\\.0\\.1:${c.ports.get(2)} \\(pid \\d+\\)$`),
      );
      const again = await c.broker(['start', '--id', '2']);
      expect([again.code, again.stderr.trim()]).toEqual([1, 'samsa broker: broker 2 is running']);
      expect((await c.broker(['start', '--id', '3'])).code).toBe(0);
      l = await c.waitForList((x) => x.every((b) => b.status === 'running' && !b.fenced), 30_000, 'all running again');
      expect(l.map((b) => b.port)).toEqual([1, 2, 3].map((id) => c.ports.get(id)));
      for (const b of l) pids.add(b.pid!);

      // add → broker 4
      const add = await c.broker(['add']);
      expect(add.code).toBe(0);
      const m = /^Broker 4 running on 127\.0\.0\.1:(\d+) \(pid (\d+)\)$/.exec(add.stdout.trim());
      expect(m).not.toBeNull();
      pids.add(Number(m![2]));
      l = await c.waitForList(
        (x) => x.length === 4 && x.every((b) => b.status === 'running' && !b.fenced),
        30_000,
        'four running',
      );
      const meta4 = await runKcat(['-b', c.bootstrap, '-L', '-J'], { timeoutMs: 20_000 });
      expect((JSON.parse(meta4.stdout) as { brokers: unknown[] }).brokers).toHaveLength(4);

      // controlled stop
      const stop = await c.broker(['stop', '--id', '4']);
      expect([stop.code, stop.stdout.trim()]).toEqual([0, 'Broker 4 stopped']);
      expect((await c.list())[3]).toMatchObject({ status: 'stopped', exitCode: 0 });
      await c.broker(['start', '--id', '4']);

      expect(await c.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(c.output()).toMatch(/Samsa: stopped cleanly/);
      for (const pid of pids) await waitFor(() => !pidAlive(pid), 5000, `broker pid ${pid} gone`);
      expect(existsSync(join(c.dataDir, 'cluster.json'))).toBe(false);
      for (const id of [1, 2, 3])
        expect(existsSync(join(c.dataDir, `broker-${id}`, '.kafka_cleanshutdown'))).toBe(true);
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it('exits with one line and leaves nothing running when a port is taken', async () => {
    const net = await import('node:net');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const taken = (srv.address() as import('node:net').AddressInfo).port;
    try {
      const dir = makeTmpDir();
      const r = await samsa(['start', '--brokers', '3', '--data-dir', dir, '--port', String(taken)]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        `samsa: port ${taken} on 127.0.0.1 is already in use; pick another with --port`,
      ]);
      expect(existsSync(join(dir, '.lock'))).toBe(false);
      expect(existsSync(join(dir, 'cluster.json'))).toBe(false);
    } finally {
      srv.close();
    }
  });
});
