import { appendFileSync, cpSync, readFileSync, rmSync, truncateSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAllRecords } from '../../../core/protocol/record-batch.ts';
import { LogManager } from '../../../core/storage/log-manager.ts';
import type { Log } from '../../../core/storage/log.ts';
import { batch, smallConfig, tempDir } from '../../helpers/storage.ts';

const T0 = 1_700_000_000_000;
const managers: LogManager[] = [];
async function open(dir: string): Promise<LogManager> {
  const m = await LogManager.open({ dir, defaultConfig: smallConfig, timers: false });
  managers.push(m);
  return m;
}
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close().catch(() => {});
});

const BATCHES = 50;
const seg = (base: number, ext: string) => `${String(base).padStart(20, '0')}${ext}`;

/** A cleanly closed log of BATCHES batches of 10 records; returns its dir and segment bases. */
async function reference(): Promise<{ dir: string; bases: number[]; batchBytes: number }> {
  const dir = tempDir();
  const m = await open(dir);
  const log = await m.create('r', 0, '', smallConfig);
  let w: Promise<void> = Promise.resolve();
  let batchBytes = 0;
  for (let i = 0; i < BATCHES; i++) {
    const { buf, info } = batch(10, T0 + i * 10, 100, `b${i}`);
    batchBytes = buf.length;
    w = log.append(buf, info, 0, T0).written;
  }
  await w;
  const bases = log.segmentBaseOffsets();
  await m.close();
  managers.splice(managers.indexOf(m), 1);
  return { dir, bases, batchBytes };
}

/** Simulates a crash: the clean-shutdown marker is gone. */
function crashCopy(src: string): string {
  const dst = tempDir();
  cpSync(src, dst, { recursive: true });
  rmSync(join(dst, '.kafka_cleanshutdown'));
  return dst;
}

async function readOffsets(log: Log): Promise<number[]> {
  const out: number[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 1 << 20, log.highWatermark, true);
    if ('error' in r || r.bytes === 0) break;
    const recs = decodeAllRecords(Buffer.concat(r.chunks));
    out.push(...recs.map((x) => x.offset));
    offset = recs[recs.length - 1]!.offset + 1;
  }
  return out;
}

/** Closes the recovered manager and compares its index files with a clean log holding the same batches. */
async function expectIndexesLikeCleanWrite(dir: string, m: LogManager, batches: number): Promise<void> {
  await m.close();
  const ref = tempDir();
  const rm = await open(ref);
  const log = await rm.create('r', 0, '', smallConfig);
  let w: Promise<void> = Promise.resolve();
  for (let i = 0; i < batches; i++) {
    const { buf, info } = batch(10, T0 + i * 10, 100, `b${i}`);
    w = log.append(buf, info, 0, T0).written;
  }
  await w;
  await rm.close();
  const files = (d: string) =>
    readdirSync(join(d, 'r-0'))
      .filter((f) => /\.(log|index|timeindex)$/.test(f))
      .sort();
  expect(files(dir)).toEqual(files(ref));
  for (const f of files(ref)) {
    expect(readFileSync(join(dir, 'r-0', f)).equals(readFileSync(join(ref, 'r-0', f))), f).toBe(true);
  }
}

describe('log recovery', () => {
  it('cut in the middle of the last batch: truncated to the previous batch', async () => {
    const { dir: src, bases, batchBytes } = await reference();
    const dir = crashCopy(src);
    const last = join(dir, 'r-0', seg(bases.at(-1)!, '.log'));
    const size = readFileSync(last).length;
    truncateSync(last, size - Math.floor(batchBytes / 2));
    const m = await open(dir);
    const log = m.get('r', 0)!;
    expect(log.loadStats.bytesTruncated).toBe(batchBytes - Math.floor(batchBytes / 2));
    expect(log.logEndOffset).toBe((BATCHES - 1) * 10);
    expect(await readOffsets(log)).toEqual(Array.from({ length: (BATCHES - 1) * 10 }, (_, i) => i));
    await expectIndexesLikeCleanWrite(dir, m, BATCHES - 1);
  });

  it('a flipped byte inside a middle batch: truncated there, later segments deleted', async () => {
    const { dir: src, bases, batchBytes } = await reference();
    const dir = crashCopy(src);
    // recovery point 0: everything is validated
    writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), '0\n1\nr 0 0\n');
    const second = join(dir, 'r-0', seg(bases[1]!, '.log'));
    const bytes = readFileSync(second);
    const damagedBatch = 3; // 4th batch of the second segment
    bytes[damagedBatch * batchBytes + 100]! ^= 0x55;
    writeFileSync(second, bytes);
    const m = await open(dir);
    const log = m.get('r', 0)!;
    const expectedEnd = bases[1]! + damagedBatch * 10;
    expect(log.logEndOffset).toBe(expectedEnd);
    expect(log.segmentBaseOffsets()).toEqual([bases[0], bases[1]]);
    expect(log.loadStats.segmentsDeleted).toBe(bases.length - 2);
    expect(await readOffsets(log)).toEqual(Array.from({ length: expectedEnd }, (_, i) => i));
    expect(readdirSync(join(dir, 'r-0')).filter((f) => f.endsWith('.log'))).toHaveLength(2);
    await expectIndexesLikeCleanWrite(dir, m, expectedEnd / 10);
  });

  it('deleted .index and .timeindex files are rebuilt even after a clean shutdown', async () => {
    const { dir, bases } = await reference();
    rmSync(join(dir, 'r-0', seg(bases[0]!, '.index')));
    rmSync(join(dir, 'r-0', seg(bases[1]!, '.timeindex')));
    const m = await open(dir);
    const log = m.get('r', 0)!;
    expect(log.loadStats.indexesRebuilt).toBe(2);
    expect(log.logEndOffset).toBe(BATCHES * 10);
    expect(await log.offsetForTimestamp(T0 + 123)).toEqual({ offset: 123, timestamp: T0 + 123 });
    await expectIndexesLikeCleanWrite(dir, m, BATCHES);
  });

  it('garbage appended at the tail is cut off', async () => {
    const { dir: src, bases } = await reference();
    const dir = crashCopy(src);
    appendFileSync(
      join(dir, 'r-0', seg(bases.at(-1)!, '.log')),
      Buffer.from('this is not a record batch at all, just junk bytes'),
    );
    const m = await open(dir);
    const log = m.get('r', 0)!;
    expect(log.loadStats.bytesTruncated).toBe(50);
    expect(log.logEndOffset).toBe(BATCHES * 10);
    expect(await readOffsets(log)).toEqual(Array.from({ length: BATCHES * 10 }, (_, i) => i));
    // appending continues right after the recovered end
    const { buf, info } = batch(10, T0 + BATCHES * 10, 100, `b${BATCHES}`);
    expect(log.append(buf, info, 0, T0).baseOffset).toBe(BATCHES * 10);
    await expectIndexesLikeCleanWrite(dir, m, BATCHES + 1);
  });

  it('only segments from the recovery point are validated after a crash', async () => {
    const { dir: src, bases } = await reference();
    const dir = crashCopy(src);
    const m = await open(dir);
    const log = m.get('r', 0)!;
    // the reference close checkpointed recovery point = log end, in the last segment
    expect(log.loadStats.segmentsRecovered).toBe(1);
    const lastSegBatches = (BATCHES * 10 - bases.at(-1)!) / 10;
    expect(log.loadStats.batchesValidated).toBe(lastSegBatches);
    expect(log.logEndOffset).toBe(BATCHES * 10);
  });
});
