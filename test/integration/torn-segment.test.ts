// A torn active segment next to a clean-shutdown marker (the fault campaign's case: stop the
// broker cleanly, cut the active `.log` in the middle of its last batch, keep
// `.kafka_cleanshutdown`, start again). Before, the high watermark said 6000 while only offsets up
// to the torn batch could be read, and new acknowledged writes landed after the torn bytes where
// no one could ever read them. Now the tail is validated even after a clean shutdown: the torn
// batch is cut off, the log says so, the log end offset is the last whole batch's, and records
// produced afterwards (acknowledged, then the broker SIGKILLed) are all read back after a restart.
// A real `samsa start`, kcat to produce, read and query offsets.
import { existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKcat, uniqueTopic, waitFor } from '../helpers/clients.ts';
import { startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const ROUNDS = 6;
const PER_ROUND = 1000;

describe('a torn active segment after a clean shutdown', () => {
  const dataDir = makeTmpDir('samsa-torn-');
  let broker: RunningBroker | undefined;
  afterAll(async () => {
    await broker?.stop();
    removeTmpDir(dataDir);
  });
  const produce = (topic: string, values: string[]) =>
    runKcat(['-b', broker!.bootstrap, '-P', '-t', topic, '-p', '0', '-X', 'acks=all'], {
      input: values.join('\n') + '\n',
      timeoutMs: 30_000,
    });
  const readAll = async (topic: string) =>
    (
      await runKcat(['-b', broker!.bootstrap, '-C', '-t', topic, '-p', '0', '-e', '-q', '-f', '%s\\n'], {
        timeoutMs: 30_000,
      })
    ).stdout
      .split('\n')
      .filter(Boolean);
  const endOffset = async (topic: string) => {
    const r = await runKcat(['-b', broker!.bootstrap, '-Q', '-t', `${topic}:0:-1`], { timeoutMs: 30_000 });
    return Number(/offset (\d+)/.exec(r.stdout)![1]);
  };

  it('cuts the torn batch off, serves up to the last whole one, and keeps what is produced next', async () => {
    broker = await startBroker({ dataDir });
    const port = broker.port;
    const topic = uniqueTopic('torn');
    const values = (from: number, n: number) => Array.from({ length: n }, (_, i) => `v${from + i}`);
    for (let r = 0; r < ROUNDS; r++) await produce(topic, values(r * PER_ROUND, PER_ROUND));
    expect(await endOffset(topic)).toBe(ROUNDS * PER_ROUND);
    await broker.stop();
    const dir = join(dataDir, 'broker-1', `${topic}-0`);
    expect(existsSync(join(dataDir, 'broker-1', '.kafka_cleanshutdown'))).toBe(true);

    // Cut the last batch of the active segment in half.
    const seg = join(
      dir,
      readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .sort()
        .at(-1)!,
    );
    const bytes = readFileSync(seg);
    let last = 0;
    for (let p = 0; p + 12 <= bytes.length; p += 12 + bytes.readInt32BE(p + 8)) last = p;
    const lastBase = Number(bytes.readBigInt64BE(last));
    truncateSync(seg, last + Math.floor((bytes.length - last) / 2));

    broker = await startBroker({ dataDir, port });
    await waitFor(
      () => broker!.output().includes(`recovery of partition ${topic}-0: found a torn`),
      10_000,
      'the log line',
    );
    expect(await endOffset(topic)).toBe(lastBase);
    const kept = await readAll(topic);
    expect(kept).toEqual(values(0, lastBase));

    // Acknowledged writes after the cut, then a SIGKILL: every one is read back.
    await produce(topic, values(100_000, 500));
    await broker.kill();
    broker = await startBroker({ dataDir, port });
    expect(await readAll(topic)).toEqual([...values(0, lastBase), ...values(100_000, 500)]);
    expect(await endOffset(topic)).toBe(lastBase + 500);
  });
});
