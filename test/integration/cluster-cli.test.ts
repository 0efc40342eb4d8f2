// `samsa start --brokers N` and `samsa broker list|stop|kill|start|add` as a
// user runs them: real processes, real ports, the control endpoint found
// through <data-dir>/cluster.json.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients.ts';
import { nodeBinary } from '../helpers/spawn-broker.ts';
import { SAMSA, startCluster } from '../helpers/spawn-cluster.ts';
import { makeTmpDir, removeAllTmpDirs } from '../helpers/tmp.ts';

afterAll(() => removeAllTmpDirs());

const samsa = (args: string[], env: Record<string, string> = {}) => run(nodeBinary(), [SAMSA, ...args], { timeoutMs: 30_000, env });

describe('samsa broker with a single in-process broker', () => {
  it('lists the in-process broker and refuses to stop, kill or add', async () => {
    const c = await startCluster({ brokers: 1 });
    try {
      const file = join(c.dataDir, 'cluster.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const l = await c.list();
      expect(l).toHaveLength(1);
      expect(l[0]).toMatchObject({ id: 1, status: 'running', inProcess: true, pid: c.pid, port: c.ports.get(1), fenced: false });

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
    expect(none.stderr.trim()).toBe(`samsa broker: no Samsa cluster is running on data dir ${dir} (start one with samsa start)`);
    // A file left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max default).
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ pid: 4194305, controlUrl: 'http://127.0.0.1:1', token: 'x', bootstrap: '127.0.0.1:1' }));
    const stale = await samsa(['broker', 'kill', '--id', '2'], { SAMSA_DATA_DIR: dir });
    expect(stale.code).toBe(1);
    expect(stale.stderr.trim()).toBe(`samsa broker: no Samsa cluster is running on data dir ${dir} (start one with samsa start)`);

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
