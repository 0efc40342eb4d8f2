// `samsa start` as a user runs it: ready line, clean stop, and one-line
// errors with a non-zero exit for the usual mistakes.
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients.ts';
import { nodeBinary, REPO_ROOT, startBroker } from '../helpers/spawn-broker.ts';
import { makeTmpDir, removeAllTmpDirs } from '../helpers/tmp.ts';

const SAMSA = join(REPO_ROOT, 'bin', 'samsa.js');
const samsa = (args: string[], env: Record<string, string> = {}) =>
  run(nodeBinary(), [SAMSA, ...args], { timeoutMs: 20_000, env });

afterAll(() => removeAllTmpDirs());

describe('samsa start', () => {
  it('prints the bootstrap address when ready and stops cleanly on SIGTERM', async () => {
    const b = await startBroker();
    const st = await b.stop();
    expect(st).toEqual({ code: 0, signal: null });
    expect(b.output()).toMatch(/stopped cleanly/);
    expect(existsSync(join(b.dataDir, 'broker-1', '.kafka_cleanshutdown'))).toBe(true);
    expect(existsSync(join(b.dataDir, 'metadata.db'))).toBe(true);
    await b.dispose();
  });

  it('exits non-zero with one line when the port is taken', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const r = await samsa(['start', '--data-dir', makeTmpDir(), '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        `samsa: port ${port} on 127.0.0.1 is already in use; pick another with --port`,
      ]);
    } finally {
      srv.close();
    }
  });

  it('exits non-zero with one line when the data dir is unusable or in use', async () => {
    const file = join(makeTmpDir(), 'a-file');
    writeFileSync(file, 'x');
    const r = await samsa(['start', '--data-dir', file, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^samsa: data dir .* is unusable: not a directory$/);

    const b = await startBroker();
    try {
      const r2 = await samsa(['start', '--data-dir', b.dataDir, '--port', '0']);
      expect(r2.code).toBe(1);
      expect(r2.stderr.trim()).toBe(`samsa: data dir ${b.dataDir} is in use by another Samsa process (pid ${b.pid})`);
    } finally {
      await b.dispose();
    }
  });

  it('rejects bad flags and configs with usage hints; --help lists the options', async () => {
    const bad = await samsa(['start', '--prot', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('samsa start: unknown option --prot (see samsa start --help)');
    const cfg = await samsa(['start', '--override', 'num.partitions=many']);
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toMatch(/Invalid value many for configuration num.partitions/);
    const help = await samsa(['start', '--help']);
    expect(help.code).toBe(0);
    for (const opt of ['--data-dir', '--port', '--host', '--override']) expect(help.stdout).toContain(opt);
  });

  it('uses SAMSA_DATA_DIR when --data-dir is not given', async () => {
    const dir = makeTmpDir();
    const r = await samsa(['start', '--port', 'notaport'], { SAMSA_DATA_DIR: dir });
    expect(r.code).toBe(2);
    const child = (await import('node:child_process')).spawn(nodeBinary(), [SAMSA, 'start', '--port', '0'], {
      env: { ...process.env, SAMSA_DATA_DIR: dir },
    });
    const line = await new Promise<string>((res) => child.stdout.on('data', (d: Buffer) => res(d.toString())));
    expect(line).toContain(`(data dir: ${dir})`);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(dir, 'metadata.db'))).toBe(true);
  });
});
