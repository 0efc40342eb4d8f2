// Crash recovery through the real broker process: SIGKILL it, damage its files
// the way a crash or a bad disk would, start it again, and read with kcat.
// Every batch before the damage must be served, nothing after it, and the
// indexes must be rebuilt.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { runKcat, uniqueTopic } from '../helpers/clients.ts';
import { lacks, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const BATCHES = 10;
const PER_BATCH = 20;
const SEGMENT = '00000000000000000000';

let broker: RunningBroker | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await broker?.dispose();
  broker = undefined;
  if (dataDir) removeTmpDir(dataDir);
  dataDir = undefined;
});

function value(b: number, r: number): string {
  return `batch-${b}-record-${r}-`.padEnd(100, 'x');
}

/** Produces BATCHES batches of PER_BATCH records, one request each, acks=1; returns the base timestamp of each. */
async function produceBatches(port: number, topic: string): Promise<number[]> {
  const c = await KafkaClient.connect(port);
  const stamps: number[] = [];
  try {
    // Metadata auto-creates the topic; wait until it exists.
    for (let i = 0; i < 50; i++) {
      const md = await c.send(Api.Metadata, 9, {
        topics: [{ name: topic }],
        allowAutoTopicCreation: true,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      if (md.topics[0]!.errorCode === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let b = 0; b < BATCHES; b++) {
      const ts = 1_700_000_000_000 + b * 1000;
      stamps.push(ts);
      const records = Array.from({ length: PER_BATCH }, (_, r) => ({
        key: `k${b}`,
        value: value(b, r),
        timestamp: ts,
      }));
      const res = await c.send(Api.Produce, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [
          { name: topic, partitionData: [{ index: 0, records: buildRecordBatch(records, { baseTimestamp: ts }) }] },
        ],
      });
      const p = res.responses[0]!.partitionResponses[0]!;
      expect(p.errorCode).toBe(0);
      expect(p.baseOffset).toBe(b * PER_BATCH);
    }
  } finally {
    c.socket.destroy();
  }
  return stamps;
}

/** Byte positions of every batch in a .log file. */
function batchPositions(file: string): number[] {
  const buf = readFileSync(file);
  const out: number[] = [];
  for (let pos = 0; pos + 12 <= buf.length; pos += 12 + buf.readInt32BE(pos + 8)) out.push(pos);
  return out;
}

async function consumeAll(bootstrap: string, topic: string): Promise<{ offset: number; value: string }[]> {
  const r = await runKcat(
    ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n'],
    { timeoutMs: 30_000 },
  );
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(' ');
      return { offset: Number(l.slice(0, i)), value: l.slice(i + 1) };
    });
}

function expectBatches(rows: { offset: number; value: string }[], batches: number): void {
  expect(rows.length).toBe(batches * PER_BATCH);
  rows.forEach((row, i) => {
    expect(row.offset).toBe(i);
    expect(row.value).toBe(value(Math.floor(i / PER_BATCH), i % PER_BATCH));
  });
}

async function crashWithData(): Promise<{ topic: string; dir: string; stamps: number[] }> {
  dataDir = makeTmpDir('samsa-recovery-');
  broker = await startBroker({ dataDir });
  const topic = uniqueTopic('recovery');
  const stamps = await produceBatches(broker.port, topic);
  await broker.kill();
  const dir = join(dataDir, 'broker-1', `${topic}-0`);
  expect(existsSync(join(dataDir, 'broker-1', '.kafka_cleanshutdown'))).toBe(false);
  return { topic, dir, stamps };
}

describe('crash recovery through the broker process', () => {
  it.skipIf(lacks('persistence'))(
    'a last batch cut in half is dropped; everything before it is served and appends continue',
    async () => {
      const { topic, dir } = await crashWithData();
      const log = join(dir, `${SEGMENT}.log`);
      const pos = batchPositions(log);
      const last = pos[BATCHES - 1]!;
      truncateSync(log, last + Math.floor((statSync(log).size - last) / 2));

      broker = await startBroker({ dataDir });
      expectBatches(await consumeAll(broker.bootstrap, topic), BATCHES - 1);
      expect(statSync(log).size).toBe(last);
      // The log continues from the recovered end.
      const r = await runKcat(['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0'], { input: 'after-crash\n' });
      expect(r.code).toBe(0);
      const rows = await consumeAll(broker.bootstrap, topic);
      expect(rows.at(-1)).toEqual({ offset: (BATCHES - 1) * PER_BATCH, value: 'after-crash' });
    },
  );

  it.skipIf(lacks('persistence'))('a flipped byte in a middle batch ends the log at that batch', async () => {
    const { topic, dir } = await crashWithData();
    const log = join(dir, `${SEGMENT}.log`);
    const pos = batchPositions(log);
    const buf = readFileSync(log);
    const victim = pos[4]! + 200; // inside batch 4's records (CRC-covered)
    buf[victim] = buf[victim]! ^ 0xff;
    writeFileSync(log, buf);

    broker = await startBroker({ dataDir });
    expectBatches(await consumeAll(broker.bootstrap, topic), 4);
  });

  it.skipIf(lacks('persistence'))(
    'deleted .index and .timeindex are rebuilt: reads and timestamp lookups still work',
    async () => {
      const { topic, dir, stamps } = await crashWithData();
      // A clean restart first, so the index files exist on disk.
      broker = await startBroker({ dataDir });
      const st = await broker.stop();
      const index = join(dir, `${SEGMENT}.index`);
      const timeindex = join(dir, `${SEGMENT}.timeindex`);
      expect(existsSync(index), `${readdirSync(dir).join(',')} ${JSON.stringify(st)}`).toBe(true);
      const indexBytes = readFileSync(index);
      const timeBytes = readFileSync(timeindex);
      expect(indexBytes.length).toBeGreaterThan(0);
      rmSync(index);
      rmSync(timeindex);

      broker = await startBroker({ dataDir });
      expectBatches(await consumeAll(broker.bootstrap, topic), BATCHES);
      // ListOffsets by timestamp (kcat -Q): the first record of batch 6.
      const q = await runKcat(['-b', broker.bootstrap, '-Q', '-t', `${topic}:0:${stamps[6]}`]);
      expect(q.stdout, q.stdout).toMatch(new RegExp(`offset ${6 * PER_BATCH}\\b`));
      await broker.stop();
      expect(readFileSync(index).equals(indexBytes)).toBe(true);
      expect(readFileSync(timeindex).equals(timeBytes)).toBe(true);
    },
  );
});
