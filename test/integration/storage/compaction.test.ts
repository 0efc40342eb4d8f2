// Log compaction on real files: the cleaner (core/storage/cleaner/) keeps the
// last record per key with its original offset, honours tombstone horizons,
// min.compaction.lag.ms and the active segment, keeps codecs, and survives
// crashes at every step of its swap.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Compression } from '../../../core/protocol/compression.ts';
import {
  BATCH,
  batchPositions,
  buildRecordBatch,
  decodeRecords,
  isBatchError,
  readInt64,
  validateRecordBatches,
  type RecordInput,
} from '../../../core/protocol/record-batch.ts';
import { LogCleaner, SimulatedCrash, type CrashPoint } from '../../../core/storage/cleaner/log-cleaner.ts';
import { DELETE_HORIZON_FLAG } from '../../../core/storage/cleaner/records.ts';
import { defaultLogConfig, type LogConfig } from '../../../core/storage/log-config.ts';
import type { Log } from '../../../core/storage/log.ts';
import { LogManager } from '../../../core/storage/log-manager.ts';
import { tempDir } from '../../helpers/storage.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir('samsa-compact-');
  dirs.push(d);
  return d;
}

const T0 = 1_700_000_000_000;
const compactConfig: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 64 * 1024,
  indexIntervalBytes: 1024,
  fileDeleteDelayMs: 0,
  retentionMs: -1,
  cleanupPolicy: 'compact',
  minCleanableDirtyRatio: 0.01,
  deleteRetentionMs: 60_000,
};

interface Clock {
  t: number;
}

async function open(d: string, clock: Clock, config = compactConfig): Promise<{ mgr: LogManager; log: Log }> {
  const mgr = await LogManager.open({ dir: d, defaultConfig: config, timers: false, now: () => clock.t });
  const log = mgr.get('c', 0) ?? (await mgr.create('c', 0, '', config));
  log.updateConfig(config);
  return { mgr, log };
}

function append(log: Log, records: RecordInput[], now: number, compression = 0): number {
  const buf = buildRecordBatch(records, { compression, baseTimestamp: records[0]!.timestamp ?? now });
  const info = validateRecordBatches(buf, { maxMessageBytes: 1 << 20 });
  if (isBatchError(info)) throw new Error(info.message);
  return log.append(buf, info, 0, now).baseOffset;
}

/** keys × updates in batches of `perBatch` keys; returns key → [offset, value] of the last update. */
function produce(
  log: Log,
  keys: number,
  updates: number,
  perBatch: number,
  now: number,
  compression = 0,
): Map<string, [number, string]> {
  const latest = new Map<string, [number, string]>();
  for (let u = 0; u < updates; u++) {
    for (let k0 = 0; k0 < keys; k0 += perBatch) {
      const recs = [];
      for (let k = k0; k < Math.min(keys, k0 + perBatch); k++)
        recs.push({ key: `key-${k}`, value: `value-${k}-${u}`, timestamp: now });
      const base = append(log, recs, now, compression);
      recs.forEach((r, i) => latest.set(r.key, [base + i, r.value]));
    }
  }
  return latest;
}

interface Read {
  offset: number;
  key: string;
  value: string | null;
  compression: number;
  attributes: number;
}

/** Every record of the log, walking batches by their last offsets (compaction leaves gaps). */
async function readAll(log: Log): Promise<Read[]> {
  const out: Read[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 1 << 20, Number.MAX_SAFE_INTEGER, true);
    if ('error' in r) throw new Error(`read error ${r.error}`);
    if (r.bytes === 0) break;
    const buf = Buffer.concat(r.chunks);
    for (const pos of batchPositions(buf)) {
      const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
      for (const rec of decodeRecords(buf, pos)) {
        if (rec.offset < offset) continue;
        out.push({
          offset: rec.offset,
          key: rec.key!.toString(),
          value: rec.value?.toString() ?? null,
          compression: attributes & 7,
          attributes,
        });
      }
      offset = readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA) + 1;
    }
  }
  return out;
}

function lastPerKey(records: Read[]): Map<string, [number, string | null]> {
  const m = new Map<string, [number, string | null]>();
  for (const r of records) m.set(r.key, [r.offset, r.value]);
  return m;
}

describe('log compaction', () => {
  it('keeps exactly the last value per key with its original offset (1,000 keys × 100 updates)', async () => {
    const clock = { t: T0 };
    const { mgr, log } = await open(dir(), clock);
    const expected = produce(log, 1000, 100, 100, clock.t);
    log.roll(clock.t);
    await log.writesIdle();
    const before = log.segmentCount;
    const sizeBefore = log.size();
    expect(before).toBeGreaterThan(20);
    const [result] = await mgr.cleaner.cleanNow();
    expect(result).toBeDefined();
    expect(result!.recordsRead).toBe(100_000);
    expect(result!.recordsKept).toBe(1000);
    const records = await readAll(log);
    expect(records.length).toBe(1000);
    expect(lastPerKey(records)).toEqual(expected);
    expect(log.size()).toBeLessThan(sizeBefore / 50);
    expect(log.segmentCount).toBeLessThan(before);
    expect(log.logStartOffset).toBe(0);
    expect(log.logEndOffset).toBe(100_000);
    expect(mgr.cleaner.checkpointOf('c', 0)).toBe(log.activeSegment.baseOffset);
    // Nothing dirty left: the next pass cleans nothing.
    expect(await mgr.cleaner.cleanNow()).toEqual([]);
    await mgr.close();
    // The cleaner checkpoint is Kafka's text format, and a reopened log serves the same records.
    expect(fs.readFileSync(join(mgr.dir, 'cleaner-offset-checkpoint'), 'utf8')).toBe(
      `0\n1\nc 0 ${log.activeSegment.baseOffset}\n`,
    );
    const again = await open(mgr.dir, clock);
    expect(lastPerKey(await readAll(again.log))).toEqual(expected);
    expect(await again.mgr.cleaner.cleanNow()).toEqual([]); // restart: no re-clean from zero (no tombstones either)
    await again.mgr.close();
  });

  it('never touches the active segment', async () => {
    const clock = { t: T0 };
    const { mgr, log } = await open(dir(), clock);
    produce(log, 200, 30, 50, clock.t);
    await log.writesIdle();
    const active = log.activeSegment;
    const bytes = fs.readFileSync(active.logPath);
    expect(bytes.length).toBeGreaterThan(0);
    const results = await mgr.cleaner.cleanNow();
    expect(results.length).toBe(1);
    expect(log.activeSegment).toBe(active);
    expect(fs.readFileSync(active.logPath).equals(bytes)).toBe(true);
    // Superseded records in the active segment are all still there.
    const records = await readAll(log);
    expect(records.filter((r) => r.offset >= active.baseOffset).length).toBe(active.nextOffset - active.baseOffset);
    await mgr.close();
  });

  it('keeps tombstones until delete.retention.ms after their first cleaning, then removes them', async () => {
    const clock = { t: T0 };
    const { mgr, log } = await open(dir(), clock);
    const expected = produce(log, 500, 10, 100, clock.t);
    for (let k = 0; k < 500; k += 5) {
      const off = append(log, [{ key: `key-${k}`, value: null, timestamp: clock.t }], clock.t);
      expected.set(`key-${k}`, [off, null as unknown as string]);
    }
    log.roll(clock.t);
    await log.writesIdle();
    await mgr.cleaner.cleanNow();
    let records = await readAll(log);
    expect(lastPerKey(records)).toEqual(expected);
    const tombstones = records.filter((r) => r.value === null);
    expect(tombstones.length).toBe(100);
    for (const t of tombstones) expect(t.attributes & DELETE_HORIZON_FLAG).toBe(DELETE_HORIZON_FLAG);
    // Just before the horizon: still there.
    clock.t += 60_000 - 1;
    await mgr.cleaner.cleanNow();
    records = await readAll(log);
    expect(records.filter((r) => r.value === null).length).toBe(100);
    // At the horizon: gone; every other key keeps its last value and offset.
    clock.t += 1;
    const results = await mgr.cleaner.cleanNow();
    expect(results.length).toBe(1);
    records = await readAll(log);
    expect(records.filter((r) => r.value === null).length).toBe(0);
    for (const [k, v] of expected) if (v[1] === null) expected.delete(k);
    expect(lastPerKey(records)).toEqual(expected);
    // Record timestamps survive the horizon rewrite.
    const raw = await log.read(log.logStartOffset, 1 << 20, Number.MAX_SAFE_INTEGER, true);
    if ('error' in raw) throw new Error('read');
    for (const pos of batchPositions(Buffer.concat(raw.chunks))) {
      for (const r of decodeRecords(Buffer.concat(raw.chunks), pos)) expect(r.timestamp).toBe(T0);
    }
    await mgr.close();
  });

  it.each([
    ['gzip', Compression.GZIP],
    ['snappy', Compression.SNAPPY],
    ['lz4', Compression.LZ4],
    ['zstd', Compression.ZSTD],
  ])('keeps %s batches compressed with the same codec', async (_name, codec) => {
    const clock = { t: T0 };
    const { mgr, log } = await open(dir(), clock);
    const expected = produce(log, 300, 20, 100, clock.t, codec);
    log.roll(clock.t);
    await log.writesIdle();
    const [r] = await mgr.cleaner.cleanNow();
    expect(r!.recordsKept).toBe(300);
    const records = await readAll(log);
    expect(records.length).toBe(300);
    expect(lastPerKey(records)).toEqual(expected);
    for (const rec of records) expect(rec.compression).toBe(codec);
    await mgr.close();
  });

  it('respects min.compaction.lag.ms', async () => {
    const clock = { t: T0 };
    const config = { ...compactConfig, minCompactionLagMs: 10_000 };
    const { mgr, log } = await open(dir(), clock, config);
    produce(log, 200, 20, 100, clock.t);
    log.roll(clock.t);
    await log.writesIdle();
    const count = (await readAll(log)).length;
    expect(await mgr.cleaner.cleanNow()).toEqual([]);
    clock.t += 9_999;
    expect(await mgr.cleaner.cleanNow()).toEqual([]);
    expect((await readAll(log)).length).toBe(count);
    clock.t += 1; // Kafka's rule: cleanable once largestTimestamp <= now - min.compaction.lag.ms
    expect((await mgr.cleaner.cleanNow()).length).toBe(1);
    expect((await readAll(log)).length).toBe(200);
    await mgr.close();
  });

  it('takes a cleanup.policy change without a restart', async () => {
    const clock = { t: T0 };
    const { mgr, log } = await open(dir(), clock, { ...compactConfig, cleanupPolicy: 'delete' });
    produce(log, 100, 20, 100, clock.t);
    log.roll(clock.t);
    await log.writesIdle();
    expect(await mgr.cleaner.cleanNow()).toEqual([]);
    log.updateConfig({ ...compactConfig, cleanupPolicy: 'compact,delete' });
    expect((await mgr.cleaner.cleanNow()).length).toBe(1);
    expect((await readAll(log)).length).toBe(100);
    await mgr.close();
  });

  it.each(['cleaned', 'swap', 'deleted'] as CrashPoint[])(
    'a crash after the %s step leaves a log that opens with every record readable',
    async (point) => {
      const clock = { t: T0 };
      const d = dir();
      const { mgr, log } = await open(d, clock);
      const expected = produce(log, 300, 30, 100, clock.t);
      log.roll(clock.t);
      await log.writesIdle();
      await log.flush();
      const crashing = new LogCleaner({
        dir: d,
        logs: () => mgr.all(),
        isLive: () => true,
        now: () => clock.t,
        crashAt: point,
      });
      await expect(crashing.cleanNow()).rejects.toBeInstanceOf(SimulatedCrash);
      const names = fs.readdirSync(log.dir);
      const leftover = { cleaned: '.log.cleaned', swap: '.log.swap', deleted: '.log.swap' }[point];
      expect(names.some((n) => n.endsWith(leftover))).toBe(true);
      if (point === 'deleted') expect(names.some((n) => n.endsWith('.log.deleted'))).toBe(true);
      // "Crash": the old manager is abandoned without closing; a new one opens the directory.
      const again = await open(d, clock);
      const after = fs.readdirSync(again.log.dir);
      expect(after.filter((n) => /\.(cleaned|swap|deleted)$/.test(n))).toEqual([]);
      expect(lastPerKey(await readAll(again.log))).toEqual(expected);
      if (point !== 'cleaned') expect((await readAll(again.log)).length).toBeLessThan(300 * 30);
      // And cleaning completes afterwards.
      await again.mgr.cleaner.cleanNow();
      expect((await readAll(again.log)).length).toBe(300);
      expect(lastPerKey(await readAll(again.log))).toEqual(expected);
      await again.mgr.close();
    },
  );

  it('a SIGKILL of a process mid-clean leaves a log that opens and serves the same key → value map', async () => {
    for (const waitFor of ['.log.cleaned', '.log.deleted']) {
      const clock = { t: T0 };
      const d = dir();
      const { mgr, log } = await open(d, clock);
      const expected = produce(log, 2000, 40, 200, clock.t);
      log.roll(clock.t);
      await mgr.close();
      const child = spawn(
        process.execPath,
        [join(import.meta.dirname, '../../helpers/storage-children/clean-child.ts'), d],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const partDir = join(d, 'c-0');
      const exited = new Promise((r) => child.once('exit', r));
      // Poll for the step to appear, then kill at once.
      const seen = await new Promise<boolean>((resolve) => {
        const deadline = Date.now() + 20_000;
        const poll = (): void => {
          let names: string[] = [];
          try {
            names = fs.readdirSync(partDir);
          } catch {
            /* not yet */
          }
          if (names.some((n) => n.endsWith(waitFor))) {
            child.kill('SIGKILL');
            resolve(true);
            return;
          }
          if (Date.now() > deadline || child.exitCode !== null) {
            child.kill('SIGKILL');
            resolve(false);
            return;
          }
          setImmediate(poll);
        };
        poll();
      });
      await exited;
      expect(seen).toBe(true);
      const again = await open(d, clock);
      expect(lastPerKey(await readAll(again.log))).toEqual(expected);
      await again.mgr.cleaner.cleanNow();
      const records = await readAll(again.log);
      expect(records.length).toBe(2000);
      expect(lastPerKey(records)).toEqual(expected);
      await again.mgr.close();
    }
  }, 60_000);
});
