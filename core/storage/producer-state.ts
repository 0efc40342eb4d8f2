// Per-partition producer state (Kafka's ProducerStateManager, idempotence only):
// for each producer id its epoch and the metadata of its last five appended
// batches, so a retried batch is recognised and answered with its original
// offsets, a sequence gap is refused and an older epoch is fenced.
//
// Everything here works from batch headers (producer id, epoch, base sequence,
// lastOffsetDelta, max timestamp): no record is ever decoded.
//
// Snapshots: `<20-digit offset>.snapshot` files in the partition directory,
// where the offset is the log end the state covers. The layout is Kafka's
// (ProducerStateManager, snapshot version 1), all big-endian:
//
//   version int16 (=1) | crc uint32 (CRC-32C of every byte after this field) |
//   entry count int32 | entries: producerId int64, producerEpoch int16,
//   lastSequence int32, lastOffset int64, offsetDelta int32, timestamp int64,
//   coordinatorEpoch int32, currentTxnFirstOffset int64
//
// A snapshot keeps only each producer's last batch (as Kafka's does); on load
// the batch headers from the snapshot's offset to the log end are replayed, so
// batches written after it are known again in full.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { crc32cRange } from '../protocol/crc32c.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { Attr, BATCH, batchSize, readInt64, writeInt64, type BatchesInfo } from '../protocol/record-batch.ts';
import { writeFileAtomic } from './file-io.ts';

/** How many batches per producer are remembered for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const BATCHES_TO_RETAIN = 5;
/** producer.id.expiration.ms and producer.id.expiration.check.interval.ms defaults. */
export const PRODUCER_ID_EXPIRATION_MS = 86400000;
export const PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600000;

const SNAPSHOT_VERSION = 1;
const SNAPSHOT_HEADER = 2 + 4 + 4;
const SNAPSHOT_ENTRY = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
const SNAPSHOT_FILE = /^(\d{20})\.snapshot$/;
const INT32_MAX = 0x7fffffff;

export function snapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}.snapshot`;
}

/** producer.id.expiration.ms and its check interval (defaults: Kafka's). */
export interface ProducerExpiry {
  expirationMs?: number;
  checkIntervalMs?: number;
}

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** the batch's max timestamp (the append time under LogAppendTime) */
  timestamp: number;
  /** Settles when the batch's bytes are written; undefined once they are (or for loaded state). */
  written?: Promise<void>;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** oldest first, at most BATCHES_TO_RETAIN */
  batches: BatchMetadata[];
  lastTimestamp: number;
  coordinatorEpoch: number;
}

export type ProducerCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; batch: BatchMetadata }
  | { kind: 'error'; errorCode: number; message: string };

const APPEND: ProducerCheck = { kind: 'append' };

/** Kafka's inSequence: the next sequence follows the last one, wrapping from Int32 max to 0. */
export function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateManager {
  readonly dir: string;
  /** producer.id.expiration.ms: a producer idle this long is forgotten. */
  expirationMs: number;
  /** producer.id.expiration.check.interval.ms: how often appends look for expired producers. */
  expirationCheckIntervalMs: number;
  private readonly producers = new Map<number, ProducerEntry>();
  private nextExpiryCheck: number;
  private snapshotChain: Promise<void> = Promise.resolve();

  constructor(dir: string, now: number, expiry: ProducerExpiry = {}) {
    this.dir = dir;
    this.expirationMs = expiry.expirationMs ?? PRODUCER_ID_EXPIRATION_MS;
    this.expirationCheckIntervalMs = expiry.checkIntervalMs ?? PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS;
    this.nextExpiryCheck = now + this.expirationCheckIntervalMs;
  }

  get size(): number {
    return this.producers.size;
  }
  get(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }
  entries(): IterableIterator<ProducerEntry> {
    return this.producers.values();
  }

  /**
   * Kafka's client-origin checks for a produce payload (header fields only), in
   * Kafka 4's order: a duplicate of one of the last five batches of the same
   * epoch is answered with the original offsets; an older epoch is fenced
   * (INVALID_PRODUCER_EPOCH); a new epoch must start at sequence 0, and within
   * an epoch the sequence must follow the last one (OUT_OF_ORDER_SEQUENCE_NUMBER).
   * A producer id without state (new, or expired) is accepted at any sequence,
   * as Kafka 4 does (UNKNOWN_PRODUCER_ID is no longer returned).
   */
  check(info: BatchesInfo, now: number): ProducerCheck {
    if (now >= this.nextExpiryCheck) this.removeExpired(now);
    const pid = info.producerId;
    if (pid < 0) return APPEND;
    const entry = this.producers.get(pid);
    if (!entry) return APPEND;
    const epoch = info.producerEpoch;
    if (epoch === entry.epoch) {
      for (const b of entry.batches) {
        if (b.firstSeq === info.baseSequence && b.lastSeq === info.lastSequence) return { kind: 'duplicate', batch: b };
      }
    }
    if (epoch < entry.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch of producer ${pid} is ${epoch}, which is smaller than the last seen epoch ${entry.epoch}`,
      };
    }
    if (epoch !== entry.epoch) {
      if (info.baseSequence !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `Invalid sequence number for new epoch of producer ${pid}: ${epoch} (request epoch), ${info.baseSequence} (seq. number), ${entry.epoch} (current producer epoch)`,
        };
      }
      return APPEND;
    }
    const last = entry.batches.length > 0 ? entry.batches[entry.batches.length - 1]!.lastSeq : -1;
    if (entry.batches.length > 0 && !inSequence(last, info.baseSequence)) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Out of order sequence number for producer ${pid}: ${info.baseSequence} (incoming seq. number), ${last} (current end sequence number)`,
      };
    }
    return APPEND;
  }

  /** Records an appended batch (also used when replaying the log). */
  update(
    producerId: number,
    epoch: number,
    firstSeq: number,
    lastSeq: number,
    firstOffset: number,
    lastOffset: number,
    timestamp: number,
    written?: Promise<void>,
  ): void {
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = { producerId, epoch, batches: [], lastTimestamp: timestamp, coordinatorEpoch: -1 };
      this.producers.set(producerId, entry);
    } else if (epoch !== entry.epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    const meta: BatchMetadata = { firstSeq, lastSeq, firstOffset, lastOffset, timestamp };
    if (written) {
      meta.written = written;
      written.then(
        () => {
          meta.written = undefined;
        },
        () => {},
      );
    }
    entry.batches.push(meta);
    if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
    entry.lastTimestamp = timestamp;
  }

  /** Applies an append of `batches` starting at `baseOffset` (after offsets were assigned). */
  onAppend(batches: Buffer, info: BatchesInfo, timestamp: number, written: Promise<void>): void {
    if (info.producerId < 0) return;
    if (info.batchCount === 1) {
      const first = readInt64(batches, 0);
      this.update(
        info.producerId,
        info.producerEpoch,
        info.baseSequence,
        info.lastSequence,
        first,
        first + batches.readInt32BE(BATCH.LAST_OFFSET_DELTA),
        timestamp,
        written,
      );
      return;
    }
    for (let p = 0; p < batches.length; p += batchSize(batches, p)) this.replayBatch(batches, p, written);
  }

  /** Replays one batch header (log loading, multi-batch appends). */
  replayBatch(buf: Buffer, p: number, written?: Promise<void>): void {
    const pid = readInt64(buf, p + BATCH.PRODUCER_ID);
    if (pid < 0 || buf.readInt16BE(p + BATCH.ATTRIBUTES) & Attr.CONTROL) return;
    const base = readInt64(buf, p);
    const delta = buf.readInt32BE(p + BATCH.LAST_OFFSET_DELTA);
    const firstSeq = buf.readInt32BE(p + BATCH.BASE_SEQUENCE);
    const lastSeq = firstSeq > INT32_MAX - delta ? delta - (INT32_MAX - firstSeq) - 1 : firstSeq + delta;
    this.update(
      pid,
      buf.readInt16BE(p + BATCH.PRODUCER_EPOCH),
      firstSeq,
      lastSeq,
      base,
      base + delta,
      readInt64(buf, p + BATCH.MAX_TIMESTAMP),
      written,
    );
  }

  /** Drops producers idle for producer.id.expiration.ms (Kafka: by their last batch timestamp). */
  removeExpired(now: number): number {
    this.nextExpiryCheck = now + this.expirationCheckIntervalMs;
    let n = 0;
    for (const [pid, e] of this.producers) {
      if (now - e.lastTimestamp >= this.expirationMs) {
        this.producers.delete(pid);
        n++;
      }
    }
    return n;
  }

  /** Forgets everything (the log was emptied or truncated before all state). */
  clear(): void {
    this.producers.clear();
  }

  // ---------------------------------------------------------------- snapshots

  /** The state as Kafka's snapshot bytes. */
  encodeSnapshot(): Buffer {
    const live = [...this.producers.values()].filter((e) => e.batches.length > 0);
    const buf = Buffer.alloc(SNAPSHOT_HEADER + live.length * SNAPSHOT_ENTRY);
    buf.writeInt16BE(SNAPSHOT_VERSION, 0);
    buf.writeInt32BE(live.length, 6);
    let p = SNAPSHOT_HEADER;
    for (const e of live) {
      const last = e.batches[e.batches.length - 1]!;
      writeInt64(buf, p, e.producerId);
      buf.writeInt16BE(e.epoch, p + 8);
      buf.writeInt32BE(last.lastSeq, p + 10);
      writeInt64(buf, p + 14, last.lastOffset);
      buf.writeInt32BE(last.lastOffset - last.firstOffset, p + 22);
      writeInt64(buf, p + 26, e.lastTimestamp);
      buf.writeInt32BE(e.coordinatorEpoch, p + 34);
      writeInt64(buf, p + 38, -1); // currentTxnFirstOffset: no transactions
      p += SNAPSHOT_ENTRY;
    }
    buf.writeUInt32BE(crc32cRange(buf, 6, buf.length), 2);
    return buf;
  }

  /** Replaces the state with a snapshot's; throws when the file is not a valid snapshot. */
  loadSnapshot(buf: Buffer): void {
    if (buf.length < SNAPSHOT_HEADER) throw new Error('snapshot too short');
    const version = buf.readInt16BE(0);
    if (version !== SNAPSHOT_VERSION) throw new Error(`unknown snapshot version ${version}`);
    if (buf.readUInt32BE(2) !== crc32cRange(buf, 6, buf.length)) throw new Error('snapshot CRC mismatch');
    const count = buf.readInt32BE(6);
    if (count < 0 || buf.length !== SNAPSHOT_HEADER + count * SNAPSHOT_ENTRY) throw new Error('snapshot size mismatch');
    this.producers.clear();
    for (let i = 0, p = SNAPSHOT_HEADER; i < count; i++, p += SNAPSHOT_ENTRY) {
      const producerId = readInt64(buf, p);
      const lastSeq = buf.readInt32BE(p + 10);
      const lastOffset = readInt64(buf, p + 14);
      const delta = buf.readInt32BE(p + 22);
      const firstSeq = lastSeq - delta < 0 ? lastSeq - delta + INT32_MAX + 1 : lastSeq - delta;
      const timestamp = readInt64(buf, p + 26);
      this.producers.set(producerId, {
        producerId,
        epoch: buf.readInt16BE(p + 8),
        batches: [{ firstSeq, lastSeq, firstOffset: lastOffset - delta, lastOffset, timestamp }],
        lastTimestamp: timestamp,
        coordinatorEpoch: buf.readInt32BE(p + 34),
      });
    }
  }

  /**
   * Writes `<offset>.snapshot` with the state as it is now (captured
   * synchronously; the file is written in the background, tmp + fsync + rename)
   * and removes snapshots below `keepFrom` (the log start offset).
   */
  takeSnapshot(offset: number, keepFrom = 0): Promise<void> {
    const data = this.encodeSnapshot();
    const run = async () => {
      await writeFileAtomic(join(this.dir, snapshotFileName(offset)), data);
      for (const o of listSnapshots(this.dir))
        if (o < keepFrom && o !== offset) fs.rmSync(join(this.dir, snapshotFileName(o)), { force: true });
    };
    this.snapshotChain = this.snapshotChain.then(run, run);
    return this.snapshotChain;
  }

  /** Resolves when every snapshot write so far is done. */
  snapshotsWritten(): Promise<void> {
    return this.snapshotChain.catch(() => {});
  }

  /**
   * Rebuilds the state of a loaded log (Kafka's loadProducerState): removes
   * snapshots beyond the log end (the log was truncated past them), reads the
   * latest valid one at or below it, and replays the batch headers from there
   * to the log end.
   */
  static async load(
    dir: string,
    segments: readonly LoadSegment[],
    logStartOffset: number,
    logEndOffset: number,
    now: number,
    expiry: ProducerExpiry = {},
  ): Promise<ProducerStateManager> {
    const state = new ProducerStateManager(dir, now, expiry);
    const offsets = listSnapshots(dir);
    for (const o of offsets) if (o > logEndOffset) fs.rmSync(join(dir, snapshotFileName(o)), { force: true });
    let from = logStartOffset;
    for (const o of offsets.filter((x) => x <= logEndOffset).reverse()) {
      if (o < logStartOffset) break;
      try {
        state.loadSnapshot(fs.readFileSync(join(dir, snapshotFileName(o))));
        from = o;
        break;
      } catch {
        fs.rmSync(join(dir, snapshotFileName(o)), { force: true }); // corrupt: fall back to an older one
      }
    }
    if (from < logEndOffset) await replay(state, segments, from);
    state.removeExpired(now);
    return state;
  }
}

/** What loading needs of a segment. */
export interface LoadSegment {
  baseOffset: number;
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  findBatch(target: number): Promise<{ position: number } | null>;
}

export function listSnapshots(dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = SNAPSHOT_FILE.exec(name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

const REPLAY_WINDOW = 1024 * 1024;

/** Replays batch headers from `from` to the end of the log (headers only; record bytes are skipped). */
async function replay(state: ProducerStateManager, segments: readonly LoadSegment[], from: number): Promise<void> {
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    if (next && next.baseOffset <= from) continue;
    let position = 0;
    if (seg.baseOffset < from) {
      const loc = await seg.findBatch(from);
      if (!loc) continue;
      position = loc.position;
    }
    while (position + BATCH.HEADER_SIZE <= seg.size) {
      const window = await seg.read(position, Math.min(REPLAY_WINDOW, seg.size - position));
      let p = 0;
      while (p + BATCH.HEADER_SIZE <= window.length) {
        const size = batchSize(window, p);
        if (size < BATCH.HEADER_SIZE) return;
        if (readInt64(window, p) + window.readInt32BE(p + BATCH.LAST_OFFSET_DELTA) >= from)
          state.replayBatch(window, p);
        p += size;
        if (p > window.length) break;
      }
      // A batch larger than the window: skip over it by its header alone.
      if (p === 0) break;
      position += p;
    }
  }
}
