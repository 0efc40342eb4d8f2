import { afterEach, describe, expect, it } from 'vitest';
import { batchSize, batchLastOffset } from '../../../core/protocol/record-batch.ts';
import { LogManager } from '../../../core/storage/log-manager.ts';
import { DEFAULT_TAIL_CACHE_BYTES, type Log } from '../../../core/storage/log.ts';
import { batch, smallConfig, tempDir } from '../../helpers/storage.ts';

const T0 = 1_700_000_000_000;
const managers: LogManager[] = [];
async function openManager(budget?: number, config = smallConfig): Promise<LogManager> {
  const m = await LogManager.open({
    dir: tempDir(),
    defaultConfig: config,
    timers: false,
    tailCacheBudgetBytes: budget,
  });
  managers.push(m);
  return m;
}
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close().catch(() => {});
});

/** What each log was given, as stored (append assigns offsets in place). */
const appended = new Map<Log, Buffer[]>();

function append(log: Log, i: number, records = 10, valueSize = 100): { size: number; written: Promise<void> } {
  const { buf, info } = batch(records, T0 + i, valueSize, `p${log.partition}-${i}-`);
  const r = log.append(buf, info, 0, T0 + i);
  const list = appended.get(log) ?? [];
  list.push(Buffer.from(buf));
  appended.set(log, list);
  return { size: buf.length, written: r.written };
}

/** The whole log as returned by reads from offset 0. */
async function readBytes(log: Log): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 5000, log.highWatermark, true);
    if ('error' in r) throw new Error(`error ${r.error}`);
    if (r.bytes === 0) throw new Error(`empty read at ${offset}`);
    const chunk = Buffer.concat(r.chunks);
    parts.push(chunk);
    let p = 0,
      last = offset;
    while (p < chunk.length) {
      last = batchLastOffset(chunk, p);
      p += batchSize(chunk, p);
    }
    offset = last + 1;
  }
  return Buffer.concat(parts);
}

function cachedSum(logs: Log[]): number {
  return logs.reduce((s, l) => s + l.tailCacheBytes, 0);
}

describe('tail cache budget shared by the logs of a LogManager', () => {
  it('bounds the total, evicting the oldest written batches broker-wide, and reads stay identical', async () => {
    const budget = 32 * 1024;
    const m = await openManager(budget);
    const logs: Log[] = [];
    for (let p = 0; p < 20; p++) logs.push(await m.create('t', p, '', smallConfig));
    let maxBatch = 0;
    for (let i = 0; i < 30; i++) {
      for (const log of logs) {
        const { size, written } = append(log, i);
        maxBatch = Math.max(maxBatch, size);
        expect(m.tailCacheBudget.bytes).toBeLessThanOrEqual(budget + size);
        await written;
        expect(m.tailCacheBudget.bytes).toBeLessThanOrEqual(budget);
        expect(cachedSum(logs)).toBe(m.tailCacheBudget.bytes);
      }
    }
    // Not over-evicted: everything the budget allows is kept.
    expect(m.tailCacheBudget.bytes).toBeGreaterThan(budget - maxBatch);
    for (const log of logs) expect(log.tailCacheStartOffset).toBeGreaterThan(0);

    // Only log 0 appends now: the others hold the oldest data and lose it first.
    for (let i = 30; i < 70; i++) await append(logs[0]!, i).written;
    for (const log of logs.slice(1)) expect(log.tailCacheBytes).toBe(0);
    expect(logs[0]!.tailCacheBytes).toBeGreaterThan(budget - maxBatch);
    expect(logs[0]!.tailCacheBytes).toBeLessThanOrEqual(budget);

    for (const log of logs) expect((await readBytes(log)).equals(Buffer.concat(appended.get(log)!))).toBe(true);
  });

  it('never evicts entries whose write is still in flight', async () => {
    const budget = 16 * 1024;
    const m = await openManager(budget);
    const logs: Log[] = [];
    for (let p = 0; p < 10; p++) logs.push(await m.create('u', p, '', smallConfig));
    for (let i = 0; i < 4; i++) for (const log of logs.slice(0, 5)) await append(log, i).written;
    expect(cachedSum(logs.slice(0, 5))).toBeGreaterThan(budget / 2);

    // Appended in one tick: none of these is written yet, and together they exceed the budget.
    const pending: Promise<void>[] = [];
    let unwritten = 0;
    for (let i = 0; i < 5; i++) {
      for (const log of logs.slice(5)) {
        const { size, written } = append(log, i);
        unwritten += size;
        pending.push(written);
      }
    }
    expect(unwritten).toBeGreaterThan(budget);
    // The written batches made room; the unwritten ones all stayed.
    expect(cachedSum(logs.slice(0, 5))).toBe(0);
    for (const log of logs.slice(5)) {
      expect(log.tailCacheBytes).toBe(Buffer.concat(appended.get(log)!).length);
      expect(log.tailCacheStartOffset).toBe(0);
    }
    expect(m.tailCacheBudget.bytes).toBe(unwritten);

    await Promise.all(pending);
    expect(m.tailCacheBudget.bytes).toBeLessThanOrEqual(budget);
    expect(cachedSum(logs)).toBe(m.tailCacheBudget.bytes);
    for (const log of logs) expect((await readBytes(log)).equals(Buffer.concat(appended.get(log)!))).toBe(true);
  });

  it('keeps each log under its own cap when the budget is far larger', async () => {
    const m = await openManager(undefined, { ...smallConfig, segmentBytes: 8 * 1024 * 1024 });
    const log = await m.create('big', 0, '', { ...smallConfig, segmentBytes: 8 * 1024 * 1024 });
    let size = 0;
    for (let i = 0; i < 60; i++) {
      const r = append(log, i, 100, 1000);
      size = r.size;
      await r.written;
      expect(log.tailCacheBytes).toBeLessThanOrEqual(DEFAULT_TAIL_CACHE_BYTES);
    }
    expect(60 * size).toBeGreaterThan(DEFAULT_TAIL_CACHE_BYTES + 10 * size);
    expect(log.tailCacheBytes).toBeGreaterThan(DEFAULT_TAIL_CACHE_BYTES - size);
    expect(log.tailCacheStartOffset).toBeGreaterThan(0);
    expect(m.tailCacheBudget.bytes).toBe(log.tailCacheBytes);
    expect((await readBytes(log)).equals(Buffer.concat(appended.get(log)!))).toBe(true);
  });

  it('gives back the bytes of deleted and closed logs', async () => {
    const m = await openManager(1024 * 1024);
    const a = await m.create('d', 0, '', smallConfig);
    const b = await m.create('d', 1, '', smallConfig);
    for (let i = 0; i < 5; i++) {
      await append(a, i).written;
      await append(b, i).written;
    }
    expect(m.tailCacheBudget.bytes).toBe(a.tailCacheBytes + b.tailCacheBytes);
    expect(a.tailCacheBytes).toBeGreaterThan(0);
    await m.delete('d', 0);
    expect(m.tailCacheBudget.bytes).toBe(b.tailCacheBytes);
    await m.close();
    expect(m.tailCacheBudget.bytes).toBe(0);
  });
});
