// The produce-time record checks of Kafka's LogValidator (core/storage/log-validator.ts): the
// batch header's max timestamp is derived from the records (sarama 1.22 writes -1 there, which
// broke every time lookup), and timestamps outside message.timestamp.before/after.max.ms are
// refused with INVALID_TIMESTAMP and Kafka's messages, as Kafka 4.4 answers them.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import {
  BATCH,
  buildRecordBatch,
  isBatchError,
  readInt64,
  updateCrc,
  validateBatchAt,
  validateRecordBatches,
  writeInt64,
  type BatchesInfo,
} from '../../../core/protocol/record-batch.ts';
import { Compression } from '../../../core/protocol/compression.ts';
import { defaultLogConfig, type LogConfig } from '../../../core/storage/log-config.ts';
import { LogManager } from '../../../core/storage/log-manager.ts';
import { validateRecordTimestamps } from '../../../core/storage/log-validator.ts';
import { smallConfig, tempDir } from './helpers.ts';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

/** A batch whose header names max timestamp -1, as sarama 1.22 writes it. */
function saramaBatch(timestamps: number[], compression = 0): Buffer {
  const buf = buildRecordBatch(
    timestamps.map((timestamp, i) => ({ key: `k${i}`, value: `v${i}`, timestamp })),
    { compression },
  );
  writeInt64(buf, BATCH.MAX_TIMESTAMP, -1);
  updateCrc(buf, 0);
  return buf;
}

function info(buf: Buffer): BatchesInfo {
  const i = validateRecordBatches(buf, { maxMessageBytes: 1 << 20 });
  if (isBatchError(i)) throw new Error(i.message);
  return i;
}

describe('the max timestamp of a produced batch', () => {
  for (const [name, codec] of [
    ['uncompressed', Compression.NONE],
    ['gzip', Compression.GZIP],
    ['zstd', Compression.ZSTD],
  ] as const) {
    it(`is derived from the records when the header says -1 (${name})`, () => {
      const buf = saramaBatch([NOW - 30, NOW - 10, NOW - 20], codec);
      const i = info(buf);
      expect(i.maxTimestamp).toBe(-1);
      expect(validateRecordTimestamps(buf, i, defaultLogConfig, NOW)).toBeNull();
      expect(readInt64(buf, BATCH.MAX_TIMESTAMP)).toBe(NOW - 10);
      expect(i.maxTimestamp).toBe(NOW - 10);
      expect(validateBatchAt(buf, 0, buf.length)).toBe(buf.length); // the CRC was recomputed
    });
  }

  it('is found across long records, large and negative timestamp deltas and many offsets', () => {
    // Record lengths of 1, 2 and 3 varint bytes, timestamp deltas of up to 5 bytes either way.
    const sizes = [1, 100, 9_000];
    const deltas = [0, -3_000_000_000, 5, 40 * 60_000, -1];
    const records = Array.from({ length: 300 }, (_, i) => ({
      key: i % 3 === 0 ? null : `k${i}`,
      value: Buffer.alloc(sizes[i % 3]!, i),
      timestamp: NOW + deltas[i % 5]!,
      headers: i % 4 === 0 ? [{ key: 'h', value: 'x' }] : [],
    }));
    const buf = buildRecordBatch(records, { baseTimestamp: NOW });
    writeInt64(buf, BATCH.MAX_TIMESTAMP, -1);
    updateCrc(buf, 0);
    const i = info(buf);
    expect(validateRecordTimestamps(buf, i, defaultLogConfig, NOW)).toBeNull();
    expect(readInt64(buf, BATCH.MAX_TIMESTAMP)).toBe(NOW + 40 * 60_000);
  });

  it('is left alone, CRC and all, when it is right', () => {
    const buf = buildRecordBatch([
      { value: 'a', timestamp: NOW - 5 },
      { value: 'b', timestamp: NOW - 1 },
    ]);
    const before = Buffer.from(buf);
    expect(validateRecordTimestamps(buf, info(buf), defaultLogConfig, NOW)).toBeNull();
    expect(buf.equals(before)).toBe(true);
  });

  it('of a compressed batch with a plausible header is trusted without decompressing', () => {
    const buf = buildRecordBatch([{ value: 'a', timestamp: NOW - 5 }], { compression: Compression.GZIP });
    // Damage the compressed body (and fix the CRC): a trusted header means the body is never read.
    buf[buf.length - 3] ^= 0xff;
    updateCrc(buf, 0);
    expect(validateRecordTimestamps(buf, info(buf), defaultLogConfig, NOW)).toBeNull();
  });

  it('is not touched with LogAppendTime (the append stamps the broker time)', () => {
    const buf = saramaBatch([NOW + 10 * HOUR]);
    const cfg: LogConfig = { ...defaultLogConfig, messageTimestampType: 'LogAppendTime' };
    expect(validateRecordTimestamps(buf, info(buf), cfg, NOW)).toBeNull();
    expect(readInt64(buf, BATCH.MAX_TIMESTAMP)).toBe(-1);
  });
});

describe('message.timestamp.after.max.ms and before.max.ms', () => {
  it('refuse a record more than an hour ahead by default, naming it as Kafka does', () => {
    const buf = buildRecordBatch([
      { value: 'a', timestamp: NOW },
      { value: 'b', timestamp: NOW + 2 * HOUR },
    ]);
    const err = validateRecordTimestamps(buf, info(buf), defaultLogConfig, NOW);
    expect(err).toEqual({
      errorCode: ErrorCode.INVALID_TIMESTAMP,
      message: 'One or more records have been rejected due to invalid timestamp',
      recordErrors: [
        {
          batchIndex: 1,
          batchIndexErrorMessage:
            `Timestamp ${NOW + 2 * HOUR} of message with offset 1 is out of range. ` +
            // Kafka prints now - Long.MAX_VALUE as Java computes it.
            `The timestamp should be within [${(BigInt(NOW) - 9223372036854775807n).toString()}, ${NOW + HOUR}]`,
        },
      ],
    });
  });

  it('refuse it inside a compressed batch too, even when its header hides it', () => {
    const buf = saramaBatch([NOW, NOW + 2 * HOUR], Compression.LZ4);
    expect(validateRecordTimestamps(buf, info(buf), defaultLogConfig, NOW)?.errorCode).toBe(
      ErrorCode.INVALID_TIMESTAMP,
    );
    const honest = buildRecordBatch(
      [
        { value: 'a', timestamp: NOW },
        { value: 'b', timestamp: NOW + 2 * HOUR },
      ],
      { compression: Compression.SNAPPY },
    );
    expect(validateRecordTimestamps(honest, info(honest), defaultLogConfig, NOW)?.recordErrors[0]?.batchIndex).toBe(1);
  });

  it('before.max.ms refuses an old record, compressed or not; a record without a timestamp passes', () => {
    const cfg: LogConfig = { ...defaultLogConfig, messageTimestampBeforeMaxMs: 60_000 };
    for (const compression of [Compression.NONE, Compression.ZSTD]) {
      const old = buildRecordBatch(
        [
          { value: 'a', timestamp: NOW },
          { value: 'b', timestamp: NOW - 120_000 },
        ],
        { compression },
      );
      const err = validateRecordTimestamps(old, info(old), cfg, NOW);
      expect(err?.recordErrors[0]?.batchIndexErrorMessage).toBe(
        `Timestamp ${NOW - 120_000} of message with offset 1 is out of range. The timestamp should be within [${NOW - 60_000}, ${NOW + HOUR}]`,
      );
    }
    const none = buildRecordBatch([{ value: 'a', timestamp: -1 }], { baseTimestamp: -1 });
    expect(validateRecordTimestamps(none, info(none), cfg, NOW)).toBeNull();
  });
});

describe('time lookups on batches from old clients', () => {
  const managers: LogManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
  });

  it('ListOffsets by time and the time index find records whose batch header said -1', async () => {
    const m = await LogManager.open({
      dir: tempDir(),
      defaultConfig: { ...smallConfig, indexIntervalBytes: 1 },
      timers: false,
    });
    managers.push(m);
    const log = await m.create('t', 0, 'AAAAAAAAAAAAAAAAAAAAAQ', { ...smallConfig, indexIntervalBytes: 1 });
    let last: Promise<void> = Promise.resolve();
    for (let b = 0; b < 5; b++) {
      const buf = saramaBatch([NOW + b * 1000, NOW + b * 1000 + 100], b % 2 ? Compression.GZIP : Compression.NONE);
      const i = info(buf);
      expect(validateRecordTimestamps(buf, i, log.config, NOW + 10_000)).toBeNull();
      last = log.append(buf, i, 0, NOW + 10_000).written;
    }
    await last;
    expect(await log.offsetForTimestamp(NOW + 2050)).toEqual({ offset: 5, timestamp: NOW + 2100 });
    expect(await log.offsetForTimestamp(NOW)).toEqual({ offset: 0, timestamp: NOW });
    expect(await log.maxTimestamp()).toEqual({ offset: 9, timestamp: NOW + 4100 });
  });
});
