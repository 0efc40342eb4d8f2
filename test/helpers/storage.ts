// Storage test helpers: temp dirs, a small log config (tiny segments, dense indexes, no delete
// delay) and record batches built and validated as the produce path does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildRecordBatch,
  isBatchError,
  validateRecordBatches,
  type BatchesInfo,
} from '../../core/protocol/record-batch.ts';
import { defaultLogConfig, type LogConfig } from '../../core/storage/log-config.ts';

export function tempDir(prefix = 'samsa-storage-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const smallConfig: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 16 * 1024,
  indexIntervalBytes: 1024,
  fileDeleteDelayMs: 0,
  retentionMs: -1,
};

/** A batch of `n` records of roughly `valueSize` bytes each, with timestamps ts, ts+1, ... */
export function batch(n: number, ts: number, valueSize = 100, tag = 'v'): { buf: Buffer; info: BatchesInfo } {
  const records = Array.from({ length: n }, (_, i) => ({
    key: `k${i}`,
    value: `${tag}${i}-`.padEnd(valueSize, 'x'),
    timestamp: ts + i,
  }));
  const buf = buildRecordBatch(records);
  const info = validateRecordBatches(buf, { maxMessageBytes: 1 << 20 });
  if (isBatchError(info)) throw new Error(info.message);
  return { buf, info };
}
