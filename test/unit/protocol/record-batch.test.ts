import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { Compression, decompress } from '../../../core/protocol/compression.ts';
import { crc32c } from '../../../core/protocol/crc32c.ts';
import {
  BATCH,
  buildRecordBatch,
  decodeBatchHeader,
  decodeRecords,
  isBatchError,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateRecordBatches,
} from '../../../core/protocol/record-batch.ts';

const fixtureDir = join(import.meta.dirname, '../../../../shared/kafka-fixtures/kafkajs/recordBatch/fixtures');
const fixture = (name: string) => Buffer.from(JSON.parse(readFileSync(join(fixtureDir, name), 'utf8')).data);
// Bitwise reference CRC-32C (reflected polynomial 0x82F63B78) to check the native one against.
function tableCrc32c(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const opts = { maxMessageBytes: 1048588 };

function records(n: number, ts = 1_700_000_000_000) {
  return Array.from({ length: n }, (_, i) => ({
    key: `k${i}`,
    value: `value-${i}`,
    timestamp: ts + i,
    headers: [{ key: 'h', value: `${i}` }],
  }));
}

describe('validateRecordBatches', () => {
  it('accepts the kafkajs record batch fixtures', () => {
    expect(readdirSync(fixtureDir)).toContain('v0_recordbatch.json');
    const gz = validateRecordBatches(fixture('v0_recordbatch.json'), opts);
    expect(isBatchError(gz)).toBe(false);
    if (isBatchError(gz)) return;
    expect(gz).toMatchObject({
      batchCount: 1,
      recordCount: 1,
      compression: Compression.GZIP,
      maxTimestamp: 1597425188809,
    });
    const recs = decodeRecords(fixture('v0_recordbatch.json'));
    expect(recs[0]!.key!.toString()).toBe('key-0');
    // The zstd fixture's attributes say "none" but its CRC is valid; its records section is a zstd frame.
    const zstd = fixture('v0_recordbatch_zstd.json');
    expect(isBatchError(validateRecordBatches(zstd, opts))).toBe(false);
    expect(decompress(Compression.ZSTD, zstd.subarray(BATCH.RECORDS)).length).toBeGreaterThan(0);
  });

  it('matches the kafkajs CRC-32C fixture', () => {
    const payload = JSON.parse(readFileSync(join(fixtureDir, '../crc32C/fixtures/crcPayload.json'), 'utf8'));
    const buf = Buffer.from(payload.data ?? payload);
    expect(buf.length).toBeGreaterThan(0);
    expect(crc32c(buf)).toBe(tableCrc32c(buf));
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the CRC-32C check value
  });

  it('accepts several built batches, all codecs, and sums their info', () => {
    const bufs = [Compression.NONE, Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD].map(
      (c, i) =>
        buildRecordBatch(records(3 + i, 1000 * (i + 1)), {
          compression: c,
          producerId: 7,
          producerEpoch: 1,
          baseSequence: 10 * i,
        }),
    );
    const info = validateRecordBatches(Buffer.concat(bufs), opts);
    if (isBatchError(info)) throw new Error(info.message);
    expect(info).toMatchObject({
      batchCount: 5,
      recordCount: 25,
      offsetCount: 25,
      producerId: 7,
      producerEpoch: 1,
      baseSequence: 0,
      lastSequence: 46,
      maxTimestamp: 5006,
    });
    expect(info.offsetOfMaxTimestampDelta).toBe(24);
    for (const [i, b] of bufs.entries()) {
      const recs = decodeRecords(b);
      expect(recs.map((r) => r.value!.toString())).toEqual(records(3 + i).map((r) => r.value));
      expect(recs[1]!.headers[0]).toEqual({ key: 'h', value: Buffer.from('1') });
    }
  });

  it('rejects a bad CRC, a truncated batch, a wrong magic, a too large batch and a count mismatch', () => {
    const good = buildRecordBatch(records(5));
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 3]! ^= 0xff;
    expect(validateRecordBatches(badCrc, opts)).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE });
    const truncated = Buffer.concat([good, good.subarray(0, 40)]);
    expect(validateRecordBatches(truncated, opts)).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE });
    const tooShortLength = Buffer.from(good);
    tooShortLength.writeInt32BE(10, BATCH.LENGTH);
    expect(validateRecordBatches(tooShortLength, opts)).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE });
    const magic1 = Buffer.from(good);
    magic1[BATCH.MAGIC] = 1;
    expect(validateRecordBatches(magic1, opts)).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD });
    expect(validateRecordBatches(good, { maxMessageBytes: good.length - 1 })).toMatchObject({
      errorCode: ErrorCode.MESSAGE_TOO_LARGE,
    });
    expect(isBatchError(validateRecordBatches(good, { maxMessageBytes: good.length }))).toBe(false);
    const mismatch = Buffer.from(good);
    mismatch.writeInt32BE(4, BATCH.RECORD_COUNT);
    setLogAppendTime(mismatch, 0, 5); // recompute a valid CRC around the wrong count
    expect(validateRecordBatches(mismatch, opts)).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD });
    expect(validateRecordBatches(Buffer.concat([good, good]), { ...opts, requireSingleBatch: true })).toMatchObject({
      errorCode: ErrorCode.INVALID_RECORD,
    });
    expect(validateRecordBatches(Buffer.alloc(0), opts)).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD });
  });

  it('rewrites baseOffset and leader epoch without breaking the CRC, and LogAppendTime with a new CRC', () => {
    const b = buildRecordBatch(records(4), { compression: Compression.LZ4 });
    setBaseOffset(b, 0, 123456789012);
    setPartitionLeaderEpoch(b, 0, 42);
    expect(isBatchError(validateRecordBatches(b, opts))).toBe(false);
    const crcBefore = b.readUInt32BE(BATCH.CRC);
    setLogAppendTime(b, 0, 1_800_000_000_000);
    expect(b.readUInt32BE(BATCH.CRC)).not.toBe(crcBefore);
    const info = validateRecordBatches(b, opts);
    expect(isBatchError(info)).toBe(false);
    const h = decodeBatchHeader(b);
    expect(h).toMatchObject({
      baseOffset: 123456789012,
      partitionLeaderEpoch: 42,
      timestampType: 'LogAppendTime',
      maxTimestamp: 1_800_000_000_000,
      compression: Compression.LZ4,
    });
    const recs = decodeRecords(b);
    expect(recs.map((r) => r.offset)).toEqual([123456789012, 123456789013, 123456789014, 123456789015]);
    expect(recs.every((r) => r.timestamp === 1_800_000_000_000)).toBe(true);
  });

  it('handles null keys/values and negative timestamps deltas', () => {
    const b = buildRecordBatch(
      [
        { value: null, timestamp: 100 },
        { key: 'x', value: Buffer.alloc(0), timestamp: 50 },
      ],
      { baseTimestamp: 100 },
    );
    const recs = decodeRecords(b);
    expect(recs[0]).toMatchObject({ key: null, value: null, timestamp: 100 });
    expect(recs[1]!.timestamp).toBe(50);
    expect(recs[1]!.value!.length).toBe(0);
  });
});
