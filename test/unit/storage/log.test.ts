import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { decodeAllRecords, decodeBatchHeader } from '../../../core/protocol/record-batch.ts';
import { LogManager } from '../../../core/storage/log-manager.ts';
import type { Log } from '../../../core/storage/log.ts';
import { batch, smallConfig, tempDir } from '../../helpers/storage.ts';

const T0 = 1_700_000_000_000;
const managers: LogManager[] = [];
async function openManager(dir: string, config = smallConfig): Promise<LogManager> {
  const m = await LogManager.open({ dir, defaultConfig: config, timers: false });
  managers.push(m);
  return m;
}
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close().catch(() => {});
});

/** Appends `count` batches of 10 records; returns the last `written` promise. */
async function fill(log: Log, count: number, tsStart = T0): Promise<void> {
  let last: Promise<void> = Promise.resolve();
  for (let i = 0; i < count; i++) {
    const { buf, info } = batch(10, tsStart + i * 10, 100, `b${i}`);
    last = log.append(buf, info, 0, tsStart + i * 10).written;
  }
  await last;
}

async function readAll(log: Log, from = log.logStartOffset): Promise<number[]> {
  const offsets: number[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 100_000, log.highWatermark, true);
    if ('error' in r) throw new Error(`error ${r.error}`);
    if (r.bytes === 0) break;
    const recs = decodeAllRecords(Buffer.concat(r.chunks));
    offsets.push(...recs.map((x) => x.offset));
    offset = recs[recs.length - 1]!.offset + 1;
  }
  return offsets;
}

describe('Log append/read', () => {
  it('assigns offsets, rolls segments by segment.bytes and reads everything back', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const log = await m.create('orders', 0, 'AAAAAAAAAAAAAAAAAAAAAQ', smallConfig);
    const { buf, info } = batch(10, T0);
    const r = log.append(buf, info, 3, T0);
    expect(r).toMatchObject({ baseOffset: 0, lastOffset: 9, logAppendTime: -1, logStartOffset: 0 });
    await r.written;
    expect(decodeBatchHeader(buf)).toMatchObject({ baseOffset: 0, partitionLeaderEpoch: 3 });
    await fill(log, 60, T0 + 1000);
    expect(log.logEndOffset).toBe(610);
    expect(log.highWatermark).toBe(610);
    expect(log.segmentCount).toBeGreaterThan(3);
    const files = readdirSync(log.dir);
    expect(files).toContain('00000000000000000000.log');
    expect(files).toContain('partition.metadata');
    expect(readFileSync(join(log.dir, 'partition.metadata'), 'utf8')).toBe(
      'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ',
    );
    expect(readFileSync(join(log.dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n3 0\n');
    // every segment's .log size equals the bytes appended to it, none beyond segment.bytes
    for (const base of log.segmentBaseOffsets()) {
      const name = `${String(base).padStart(20, '0')}.log`;
      expect(readFileSync(join(log.dir, name)).length).toBeLessThanOrEqual(smallConfig.segmentBytes);
    }
    expect(await readAll(log)).toEqual(Array.from({ length: 610 }, (_, i) => i));
    // fetch from the middle of a batch returns the whole batch containing it
    const mid = await log.read(15, 1, log.highWatermark, true);
    if ('error' in mid) throw new Error();
    expect(decodeBatchHeader(mid.chunks[0]!).baseOffset).toBe(10);
    // maxBytes smaller than a batch without minOneBatch → nothing; maxOffset bounds the read
    expect(await log.read(15, 1, log.highWatermark, false)).toEqual({ chunks: [], bytes: 0 });
    const bounded = await log.read(0, 1 << 20, 30, true);
    if ('error' in bounded) throw new Error();
    expect(
      decodeAllRecords(Buffer.concat(bounded.chunks))
        .map((x) => x.offset)
        .at(-1),
    ).toBe(29);
    expect(await log.read(611, 100, 1000, true)).toEqual({ error: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect(await log.read(610, 100, 1000, true)).toEqual({ chunks: [], bytes: 0 });
  });

  it('serves cold reads from the files when the tail cache is tiny', async () => {
    const dir = tempDir();
    const m = await LogManager.open({ dir, defaultConfig: smallConfig, timers: false, tailCacheBytes: 1 });
    managers.push(m);
    const log = await m.create('cold', 0, '', smallConfig);
    await fill(log, 40);
    expect(await readAll(log)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    const r = await log.read(123, 3000, log.highWatermark, true);
    if ('error' in r) throw new Error();
    expect(r.bytes).toBeLessThanOrEqual(3000);
    expect(decodeAllRecords(r.chunks[0]!)[0]!.offset).toBe(120);
  });

  it('writes offset index entries at the byte interval and a time index, and finds offsets by timestamp', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const log = await m.create('t', 0, '', smallConfig);
    await fill(log, 30);
    await m.close();
    const idx = readFileSync(join(log.dir, '00000000000000000000.index'));
    const tidx = readFileSync(join(log.dir, '00000000000000000000.timeindex'));
    expect(idx.length % 8).toBe(0);
    expect(idx.length).toBeGreaterThan(0);
    expect(tidx.length % 12).toBe(0);
    // entries: relative offset = a batch's last offset, position = that batch's start, spaced > interval
    let prevPos = 0;
    const batchSize = batch(10, T0, 100, 'b0').buf.length;
    for (let i = 0; i < idx.length / 8; i++) {
      const rel = idx.readInt32BE(i * 8),
        pos = idx.readInt32BE(i * 8 + 4);
      expect(pos % batchSize).toBe(0);
      expect(rel).toBe((pos / batchSize) * 10 + 9);
      expect(pos - prevPos).toBeGreaterThan(smallConfig.indexIntervalBytes);
      expect(pos - prevPos).toBeLessThanOrEqual(smallConfig.indexIntervalBytes + batchSize);
      prevPos = pos;
    }
    for (let i = 1; i < tidx.length / 12; i++)
      expect(tidx.readBigInt64BE(i * 12)).toBeGreaterThan(tidx.readBigInt64BE((i - 1) * 12));
    const m2 = await openManager(dir);
    const log2 = m2.get('t', 0)!;
    expect(await log2.offsetForTimestamp(T0 + 55)).toEqual({ offset: 55, timestamp: T0 + 55 });
    expect(await log2.offsetForTimestamp(T0 - 5)).toEqual({ offset: 0, timestamp: T0 });
    expect(await log2.offsetForTimestamp(T0 + 299)).toEqual({ offset: 299, timestamp: T0 + 299 });
    expect(await log2.offsetForTimestamp(T0 + 300)).toBeNull();
    expect(await log2.maxTimestamp()).toEqual({ offset: 299, timestamp: T0 + 299 });
  });

  it('LogAppendTime topics get the broker time in every batch', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const cfg = { ...smallConfig, messageTimestampType: 'LogAppendTime' as const };
    const log = await m.create('lat', 0, '', cfg);
    const { buf, info } = batch(5, T0);
    const r = log.append(buf, info, 0, T0 + 5000);
    expect(r.logAppendTime).toBe(T0 + 5000);
    await r.written;
    const got = await log.read(0, 1 << 20, log.highWatermark, true);
    if ('error' in got) throw new Error();
    expect(decodeAllRecords(Buffer.concat(got.chunks)).map((x) => x.timestamp)).toEqual(Array(5).fill(T0 + 5000));
    expect(await log.maxTimestamp()).toEqual({ offset: 0, timestamp: T0 + 5000 });
  });

  it('retention by time and by bytes deletes whole segments and advances the log start offset', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const log = await m.create('ret', 0, '', smallConfig);
    await fill(log, 60); // timestamps T0 .. T0+599
    const bases = log.segmentBaseOffsets();
    expect(bases.length).toBeGreaterThan(3);
    // by bytes: keep at most 2 segments worth
    log.updateConfig({ ...smallConfig, retentionBytes: 2 * smallConfig.segmentBytes });
    await m.runRetention(T0 + 1000);
    expect(log.logStartOffset).toBeGreaterThan(0);
    // Kafka deletes a segment only while the rest still holds at least retention.bytes
    expect(log.size()).toBeGreaterThanOrEqual(2 * smallConfig.segmentBytes);
    expect(log.size()).toBeLessThanOrEqual(3 * smallConfig.segmentBytes);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
    expect(await log.read(0, 100, log.highWatermark, true)).toEqual({ error: ErrorCode.OFFSET_OUT_OF_RANGE });
    // file.delete.delay.ms = 0: removed on the next timer tick
    for (let i = 0; i < 200 && existsSync(join(log.dir, '00000000000000000000.log.deleted')); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(join(log.dir, '00000000000000000000.log'))).toBe(false);
    expect(readdirSync(log.dir).filter((f) => f.endsWith('.deleted'))).toEqual([]);
    // by time: everything older than retention.ms is gone, including the active segment's data (a new one is rolled)
    log.updateConfig({ ...smallConfig, retentionMs: 1000 });
    await m.runRetention(T0 + 599 + 1001);
    expect(log.logStartOffset).toBe(600);
    expect(log.logEndOffset).toBe(600);
    expect(log.size()).toBe(0);
    const { buf, info } = batch(1, T0 + 2000);
    expect(log.append(buf, info, 0, T0 + 2000).baseOffset).toBe(600);
  });

  it('writes the broker checkpoints atomically in Kafka text format, and the clean-shutdown marker', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const a = await m.create('a', 0, '', smallConfig);
    const b = await m.create('a', 1, '', smallConfig);
    await fill(a, 3);
    await fill(b, 40);
    await m.checkpoint();
    expect(readFileSync(join(dir, 'replication-offset-checkpoint'), 'utf8')).toBe('0\n2\na 0 30\na 1 400\n');
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n2\na 0 0\na 1 0\n');
    // rolled segments are fsynced in the background; the recovery point follows
    for (let i = 0; i < 200 && b.recoveryPoint < b.activeSegment.baseOffset; i++)
      await new Promise((r) => setTimeout(r, 10));
    await m.checkpoint();
    const rp = readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8');
    expect(rp).toBe(`0\n2\na 0 0\na 1 ${b.activeSegment.baseOffset}\n`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(false);
    await m.close();
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(true);
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n2\na 0 30\na 1 400\n');
  });

  it('reopens after a clean close without scanning, and create is idempotent / delete removes the dir', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const log = await m.create('c', 0, 'TOPICIDTOPICIDTOPICIDA', smallConfig);
    await fill(log, 50);
    await m.close();
    const m2 = await openManager(dir);
    expect(m2.hadCleanShutdown).toBe(true);
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(false);
    const log2 = m2.get('c', 0)!;
    expect(log2.loadStats.batchesValidated).toBe(0);
    expect(log2.loadStats.segmentsRecovered).toBe(0);
    expect(log2.logEndOffset).toBe(500);
    expect(log2.topicId).toBe('TOPICIDTOPICIDTOPICIDA');
    expect(await m2.create('c', 0, 'TOPICIDTOPICIDTOPICIDA', smallConfig)).toBe(log2);
    await expect(m2.create('c', 0, 'OTHERIDOTHERIDOTHERIDA', smallConfig)).rejects.toThrow();
    await fill(log2, 5);
    expect(log2.logEndOffset).toBe(550);
    expect(await readAll(log2)).toEqual(Array.from({ length: 550 }, (_, i) => i));
    await m2.delete('c', 0);
    expect(m2.get('c', 0)).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.startsWith('c-'))).toEqual([]);
  });
});
