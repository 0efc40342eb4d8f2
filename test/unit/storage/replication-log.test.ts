// The log's replication primitives: follower appends, truncation (and a
// restart after it), the high watermark under replication, and the
// leader-epoch lookups behind OffsetForLeaderEpoch.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildRecordBatch,
  decodeAllRecords,
  isBatchError,
  validateRecordBatches,
  type BatchesInfo,
} from '../../../core/protocol/record-batch.ts';
import { CHECKPOINT_FILES, CLEAN_SHUTDOWN_FILE } from '../../../core/storage/checkpoint.ts';
import { LeaderEpochCache } from '../../../core/storage/leader-epoch-cache.ts';
import { LogManager } from '../../../core/storage/log-manager.ts';
import type { Log } from '../../../core/storage/log.ts';
import { batch, smallConfig, tempDir } from '../../helpers/storage.ts';

// Recent timestamps: producer state reloaded after a truncation expires producers idle for a day.
const T0 = Date.now() - 60_000;
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const managers: LogManager[] = [];
async function openManager(dir: string): Promise<LogManager> {
  const m = await LogManager.open({ dir, defaultConfig: smallConfig, timers: false });
  managers.push(m);
  return m;
}
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close().catch(() => {});
});

function idempotent(n: number, seq: number, pid = 4242, epoch = 0): { buf: Buffer; info: BatchesInfo } {
  const buf = buildRecordBatch(
    Array.from({ length: n }, (_, i) => ({ key: `k${seq + i}`, value: `v${seq + i}`, timestamp: T0 + seq + i })),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq },
  );
  const info = validateRecordBatches(buf, { maxMessageBytes: 1 << 20 });
  if (isBatchError(info)) throw new Error(info.message);
  return { buf, info };
}

/** Every stored byte of the log from `from` (its segments' batches, as a leader's fetch returns them). */
async function rawFrom(log: Log, from: number, upTo = log.logEndOffset): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = from;
  while (offset < upTo) {
    const r = await log.read(offset, 1 << 20, upTo, true);
    if ('error' in r) throw new Error(`read error ${r.error}`);
    if (r.bytes === 0) break;
    const buf = Buffer.concat(r.chunks);
    parts.push(buf);
    const recs = decodeAllRecords(buf);
    offset = recs[recs.length - 1]!.offset + 1;
  }
  return Buffer.concat(parts);
}

async function offsets(log: Log): Promise<number[]> {
  return decodeAllRecords(await rawFrom(log, log.logStartOffset)).map((r) => r.offset);
}

function segmentFiles(log: Log): Buffer {
  return Buffer.concat(
    readdirSync(log.dir)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => readFileSync(join(log.dir, f))),
  );
}

/** A leader log with batches in epochs 1 (offsets 0..29) and 3 (30..59), half of them idempotent. */
async function leaderLog(m: LogManager): Promise<Log> {
  const log = await m.create('t', 0, TOPIC_ID, smallConfig);
  let last: Promise<void> = Promise.resolve();
  for (let i = 0; i < 3; i++) last = log.append(batch(10, T0 + i).buf, batch(10, T0 + i).info, 1, T0).written;
  for (let i = 0; i < 3; i++) {
    const b = idempotent(10, i * 10);
    last = log.append(b.buf, b.info, 3, T0).written;
  }
  await last;
  return log;
}

describe('appendAsFollower', () => {
  it('stores the leader batches byte for byte with its epochs and producer state', async () => {
    const leader = await leaderLog(await openManager(tempDir()));
    const follower = await (await openManager(tempDir())).create('t', 0, TOPIC_ID, smallConfig);
    const raw = await rawFrom(leader, 0);
    // In two fetches, as a follower would.
    const cut = raw.length >> 1;
    let split = 0;
    while (split + 12 <= raw.length) {
      const size = raw.readInt32BE(split + 8) + 12;
      if (split + size > cut) break;
      split += size;
    }
    const a = follower.appendAsFollower(raw.subarray(0, split), T0);
    expect(a.firstOffset).toBe(0);
    const b = follower.appendAsFollower(raw.subarray(split), T0);
    await b.written;
    expect(b.lastOffset).toBe(59);
    expect(follower.logEndOffset).toBe(59 + 1);
    expect(segmentFiles(follower).equals(segmentFiles(leader))).toBe(true);
    expect(follower.leaderEpochs.entries).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 30 },
    ]);
    // A retry of the last idempotent batch is a duplicate on the follower too.
    const retry = idempotent(10, 20);
    const check = follower.producers.check(retry.info, T0);
    expect(check.kind).toBe('duplicate');
    if (check.kind === 'duplicate') expect(check.batch.firstOffset).toBe(50);
    expect(follower.producers.check(idempotent(10, 40).info, T0).kind).toBe('error');
  });

  it('refuses batches behind the log end or with a bad CRC, appending nothing', async () => {
    const leader = await leaderLog(await openManager(tempDir()));
    const follower = await (await openManager(tempDir())).create('t', 0, TOPIC_ID, smallConfig);
    const raw = await rawFrom(leader, 0);
    await follower.appendAsFollower(raw, T0).written;
    expect(() => follower.appendAsFollower(raw, T0)).toThrow(/out of order/);
    const next = batch(5, T0).buf;
    next.writeInt32BE(0, 0);
    next.writeInt32BE(60, 4); // base offset 60
    const bad = Buffer.from(next);
    bad[bad.length - 1] ^= 0xff;
    expect(() => follower.appendAsFollower(bad, T0)).toThrow(/CRC/);
    expect(follower.logEndOffset).toBe(60);
    // A trailing incomplete batch is ignored; the complete one is appended.
    const r = follower.appendAsFollower(Buffer.concat([next, next.subarray(0, 30)]), T0);
    await r.written;
    expect(r).toMatchObject({ firstOffset: 60, lastOffset: 64 });
    expect(follower.logEndOffset).toBe(65);
  });

  it('accepts offset gaps (a compacted leader) and rolls at the incoming offset', async () => {
    const follower = await (await openManager(tempDir())).create('t', 0, TOPIC_ID, smallConfig);
    const b1 = batch(5, T0).buf; // offsets 0..4
    const b2 = batch(5, T0).buf;
    b2.writeInt32BE(0, 0);
    b2.writeInt32BE(100, 4); // offsets 100..104
    await follower.appendAsFollower(Buffer.concat([b1, b2]), T0).written;
    expect(follower.logEndOffset).toBe(105);
    expect(await offsets(follower)).toEqual([0, 1, 2, 3, 4, 100, 101, 102, 103, 104]);
  });

  it('moves the high watermark only when told to, once hwFollowsLeo is off', async () => {
    const leader = await leaderLog(await openManager(tempDir()));
    const follower = await (await openManager(tempDir())).create('t', 0, TOPIC_ID, smallConfig);
    follower.hwFollowsLeo = false;
    await follower.appendAsFollower(await rawFrom(leader, 0), T0).written;
    expect(follower.highWatermark).toBe(0);
    expect(follower.updateHighWatermark(25)).toBe(true);
    expect(follower.updateHighWatermark(20)).toBe(false); // never backwards
    expect(follower.highWatermark).toBe(25);
    follower.updateHighWatermark(1000);
    expect(follower.highWatermark).toBe(60); // clamped to the log end
  });
});

describe('truncateTo', () => {
  it('truncates inside the active segment and appends again after it', async () => {
    const m = await openManager(tempDir());
    const log = await leaderLog(m);
    expect(log.segmentCount).toBe(1);
    log.hwFollowsLeo = false;
    log.updateHighWatermark(60);
    expect(await log.truncateTo(30)).toBe(30);
    expect(log.logEndOffset).toBe(30);
    expect(log.highWatermark).toBe(30);
    expect(log.leaderEpochs.entries).toEqual([{ epoch: 1, startOffset: 0 }]);
    expect(log.producers.get(4242)).toBeUndefined(); // its batches were all cut
    expect(await offsets(log)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const again = idempotent(10, 0, 777);
    const r = log.append(again.buf, again.info, 5, T0);
    await r.written;
    expect(r.baseOffset).toBe(30);
    expect(log.leaderEpochs.entries).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 5, startOffset: 30 },
    ]);
    expect(await offsets(log)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('truncates at the start of the batch holding the offset, keeping earlier producer batches', async () => {
    const log = await leaderLog(await openManager(tempDir()));
    expect(await log.truncateTo(45)).toBe(40);
    expect(log.producers.get(4242)!.batches.map((b) => b.firstOffset)).toEqual([30]);
    expect(log.producers.check(idempotent(10, 10).info, T0).kind).toBe('append');
  });

  it('truncates across segments, deleting later ones, then restarts cleanly and after a crash', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const log = await m.create('t', 0, TOPIC_ID, smallConfig);
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < 60; i++) {
      const b = batch(10, T0 + i);
      last = log.append(b.buf, b.info, i < 30 ? 2 : 4, T0 + i).written;
    }
    await last;
    const bases = log.segmentBaseOffsets();
    expect(bases.length).toBeGreaterThan(3);
    const target = bases[1]! + 20; // inside the second segment
    expect(await log.truncateTo(target)).toBe(target);
    expect(log.segmentBaseOffsets()).toEqual(bases.slice(0, 2));
    expect(log.logEndOffset).toBe(target);
    expect(await offsets(log)).toEqual(Array.from({ length: target }, (_, i) => i));
    const b = batch(10, T0 + 100);
    await log.append(b.buf, b.info, 6, T0 + 100).written;
    expect(log.logEndOffset).toBe(target + 10);
    await m.close();
    managers.splice(managers.indexOf(m), 1);

    const m2 = await openManager(dir);
    const log2 = m2.get('t', 0)!;
    expect(log2.logEndOffset).toBe(target + 10);
    expect(await offsets(log2)).toEqual(Array.from({ length: target + 10 }, (_, i) => i));
    expect(log2.leaderEpochs.entries.map((e) => e.epoch)).toEqual([2, 6]);
    // Truncate again and "crash": no close, no clean-shutdown marker.
    expect(await log2.truncateTo(bases[1]!)).toBe(bases[1]!);
    await log2.writesIdle();
    await log2.leaderEpochs.flushed();
    managers.splice(managers.indexOf(m2), 1);
    expect(existsSync(join(dir, CLEAN_SHUTDOWN_FILE))).toBe(false);
    const m3 = await openManager(dir);
    const log3 = m3.get('t', 0)!;
    expect(log3.logEndOffset).toBe(bases[1]!);
    expect(await offsets(log3)).toEqual(Array.from({ length: bases[1]! }, (_, i) => i));
    const c = batch(10, T0 + 200);
    expect(log3.append(c.buf, c.info, 7, T0 + 200).baseOffset).toBe(bases[1]!);
  });

  it('refuses appends while a truncation is in progress', async () => {
    const log = await leaderLog(await openManager(tempDir()));
    const cut = log.truncateTo(20);
    const b = batch(5, T0);
    expect(() => log.append(b.buf, b.info, 3, T0)).toThrow(/being truncated/);
    expect(await cut).toBe(20);
    const r = log.append(b.buf, b.info, 3, T0);
    await r.written;
    expect(r.baseOffset).toBe(20);
  });

  it('below the log start empties the log and restarts it there', async () => {
    const log = await leaderLog(await openManager(tempDir()));
    await log.truncateFullyAndStartAt(100);
    expect(log.logStartOffset).toBe(100);
    expect(log.logEndOffset).toBe(100);
    expect(log.producers.size).toBe(0);
    expect(log.leaderEpochs.entries).toEqual([]);
    const b = batch(5, T0);
    b.buf.writeInt32BE(0, 0);
    b.buf.writeInt32BE(100, 4);
    b.buf.writeInt32BE(9, 12); // leader epoch 9
    await log.appendAsFollower(b.buf, T0).written;
    expect(await offsets(log)).toEqual([100, 101, 102, 103, 104]);
    expect(log.leaderEpochs.entries).toEqual([{ epoch: 9, startOffset: 100 }]);
  });
});

describe('high watermark checkpoint', () => {
  it('is written from the real high watermark and restored on open', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    const log = await leaderLog(m);
    log.hwFollowsLeo = false;
    // Single-node appends already moved it to the end; a replicated log is cut back to 42.
    await log.truncateTo(40);
    const b = batch(10, T0);
    await log.append(b.buf, b.info, 3, T0).written;
    expect(log.highWatermark).toBe(40);
    await m.checkpoint();
    expect(readFileSync(join(dir, CHECKPOINT_FILES.replicationOffset), 'utf8')).toBe('0\n1\nt 0 40\n');
    await m.close();
    managers.splice(managers.indexOf(m), 1);
    const m2 = await openManager(dir);
    const log2 = m2.get('t', 0)!;
    expect(log2.checkpointHighWatermark).toBe(40);
    expect(log2.highWatermark).toBe(50); // single node: the whole log
  });

  it('falls back to the log start when there is no checkpoint entry', async () => {
    const dir = tempDir();
    const m = await openManager(dir);
    await leaderLog(m);
    await m.close();
    managers.splice(managers.indexOf(m), 1);
    writeFileSync(join(dir, CHECKPOINT_FILES.replicationOffset), '0\n0\n');
    const log = (await openManager(dir)).get('t', 0)!;
    expect(log.checkpointHighWatermark).toBe(0);
  });
});

describe('endOffsetForEpoch', () => {
  it("answers Kafka's lookups", async () => {
    const cache = new LeaderEpochCache(tempDir());
    expect(cache.endOffsetFor(0, 10)).toEqual({ epoch: -1, endOffset: -1 });
    cache.assign(2, 5);
    cache.assign(4, 20);
    cache.assign(7, 40);
    expect(cache.endOffsetFor(-1, 50)).toEqual({ epoch: -1, endOffset: -1 });
    expect(cache.endOffsetFor(7, 50)).toEqual({ epoch: 7, endOffset: 50 }); // latest: the log end
    expect(cache.endOffsetFor(4, 50)).toEqual({ epoch: 4, endOffset: 40 });
    expect(cache.endOffsetFor(5, 50)).toEqual({ epoch: 4, endOffset: 40 }); // unknown: the largest below it
    expect(cache.endOffsetFor(1, 50)).toEqual({ epoch: 1, endOffset: 5 }); // older than all: the first start
    expect(cache.endOffsetFor(8, 50)).toEqual({ epoch: -1, endOffset: -1 }); // newer than all
  });

  it('a new leader epoch replaces entries at or after its start', async () => {
    const cache = new LeaderEpochCache(tempDir());
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assignStart(3, 10); // epoch 2 never got data here
    expect(cache.entries).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
    ]);
    expect(cache.assignStart(3, 12)).toBe(false);
    const log = await leaderLog(await openManager(tempDir()));
    log.assignEpochStartOffset(6);
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 60 });
    expect(log.endOffsetForEpoch(6)).toEqual({ epoch: 6, endOffset: 60 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 30 });
  });
});
