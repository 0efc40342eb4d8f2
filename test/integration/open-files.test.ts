// Partitions and open files, with a real `samsa start` under a low `ulimit -n` (the fault
// campaign's case: with 1024 open files, `samsa topics --create --partitions 1000` answered
// "Created topic" with 498 partitions built, and the broker then failed to start).
// - Under `ulimit -n 1024`, `samsa topics --create` refuses a topic with more partitions than the
//   broker's open files can serve (nothing is built), and creates one that fits with every
//   partition on disk.
// - One record is produced to every partition (raw Produce, acks=all) and acknowledged; the open
//   handles of the broker (/proc/<pid>/fd) stay within the limit.
// - A second round is produced, one request per partition, and the broker is SIGKILLed once a
//   quarter of it is acknowledged (usually with the rest in flight); it is started
//   again under `ulimit -n 256`, fewer handles than partitions (segments are opened lazily and idle
//   ones closed, core/storage/handle-cache.ts), and kcat reads back every acknowledged record.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../core/protocol/batch-builder.ts';
import { maxPartitionsPerBroker } from '../../core/storage/open-files.ts';
import { run, runKcat, uniqueTopic, waitFor } from '../helpers/clients.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { nodeBinary, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { SAMSA } from '../helpers/spawn-cluster.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const LIMIT = 1024;
const RESTART_LIMIT = 256;
// Linux only: the open handles are counted in /proc/<pid>/fd and the limit read from
// /proc/self/limits (core/storage/open-files.ts), which macOS and Windows do not have.
const linux = process.platform === 'linux';

function openHandles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

describe.skipIf(!linux)('a broker under ulimit -n 1024 is given only the partitions it can open', () => {
  const max = maxPartitionsPerBroker(LIMIT)!;
  const dataDir = makeTmpDir('samsa-fd-bound-');
  let broker: RunningBroker | undefined;
  afterAll(async () => {
    await broker?.stop();
    removeTmpDir(dataDir);
  });
  const samsa = (args: string[]) => run(nodeBinary(), [SAMSA, ...args], { timeoutMs: 120_000 });
  const partitionDirs = (name: string) =>
    readdirSync(join(dataDir, 'broker-1')).filter((d) => d.startsWith(`${name}-`)).length;

  it('refuses a topic past the bound, builds one that fits whole, and keeps every acknowledged record across a SIGKILL and a restart with fewer handles than partitions', async () => {
    broker = await startBroker({ dataDir, openFiles: LIMIT });
    const bs = broker.bootstrap;
    const tooBig = uniqueTopic('too-big');
    const refused = await samsa([
      'topics',
      '--create',
      '--topic',
      tooBig,
      '--partitions',
      '1000',
      '--bootstrap-server',
      bs,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain('Created topic');
    expect(refused.stdout + refused.stderr).toContain(`more than the ${max} its open-files limit of ${LIMIT} allows`);
    expect(partitionDirs(tooBig)).toBe(0);

    const topic = uniqueTopic('fits');
    const n = max - 50; // room for the internal topics a broker creates later
    let t0 = Date.now();
    const made = await samsa([
      'topics',
      '--create',
      '--topic',
      topic,
      '--partitions',
      String(n),
      '--bootstrap-server',
      bs,
    ]);
    expect(made.stdout + made.stderr).toContain(`Created topic ${topic}.`);
    const createMs = Date.now() - t0;
    expect(partitionDirs(topic)).toBe(n);

    const client = await KafkaClient.connect(broker.port);
    const produce = (round: number, partitions: number[]) =>
      client.send(Api.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [
          {
            name: topic,
            partitionData: partitions.map((p) => ({
              index: p,
              records: buildRecordBatch([{ key: `k${p}`, value: `r${round}-p${p}` }]),
            })),
          },
        ],
      });
    const all = Array.from({ length: n }, (_, p) => p);
    t0 = Date.now();
    const first = await produce(1, all);
    const produceMs = Date.now() - t0;
    const acked = new Set<string>();
    for (const r of first.responses[0]!.partitionResponses) {
      expect(r.errorCode, `partition ${r.index}: ${r.errorMessage}`).toBe(0);
      acked.add(`r1-p${r.index}`);
    }
    expect(acked.size).toBe(n);
    const handles = openHandles(broker.pid);
    console.log(
      `[ulimit -n ${LIMIT}] ${n} partitions (bound ${max}) created in ${createMs} ms, one record each acked in ${produceMs} ms, ${handles} open handles`,
    );
    expect(handles).toBeLessThan(LIMIT);

    // The second round, one pipelined Produce per partition: SIGKILL once a quarter is acknowledged,
    // with the rest in flight. Whatever was acknowledged must survive.
    let secondAcked = 0;
    const second = all.map((p) =>
      produce(2, [p]).then(
        (res) => {
          if (res.responses[0]!.partitionResponses[0]!.errorCode !== 0) return;
          acked.add(`r2-p${p}`);
          secondAcked++;
        },
        () => {},
      ),
    );
    // Polled often, so the kill usually lands mid-round; on a fast machine the whole round may be
    // acknowledged first, which proves less but is no failure (the check is that acks survive).
    await waitFor(() => secondAcked >= n / 4, 30_000, 'a quarter of the second round acknowledged', 2);
    await broker.kill();
    await Promise.all(second);
    client.close();

    t0 = Date.now();
    broker = await startBroker({ dataDir, openFiles: RESTART_LIMIT, port: broker.port, startTimeoutMs: 60_000 });
    const startMs = Date.now() - t0;
    const read = await runKcat(['-b', broker.bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%s\\n'], {
      timeoutMs: 120_000,
    });
    const values = new Set(read.stdout.split('\n').filter(Boolean));
    const missing = [...acked].filter((v) => !values.has(v));
    console.log(
      `[ulimit -n ${RESTART_LIMIT}] restarted in ${startMs} ms after SIGKILL, ${acked.size} acked (${secondAcked} of the second round), ${values.size} read back, ${openHandles(broker.pid)} open handles`,
    );
    expect(missing).toEqual([]);
    expect(openHandles(broker.pid)).toBeLessThan(RESTART_LIMIT);
    expect(existsSync(join(dataDir, 'broker-1', `${topic}-${n - 1}`))).toBe(true);
  });
});
