// ListOffsets by timestamp must find the first record with timestamp >= the
// target, also when a whole batch shares one timestamp (the time index then
// points at the batch's last offset) and across segments.
import { afterEach, expect, it } from 'vitest';
import { LogManager } from '../../../core/storage/log-manager.ts';
import { buildRecordBatch, validateRecordBatches, isBatchError } from '../../../core/protocol/record-batch.ts';
import { smallConfig, tempDir } from '../../helpers/storage.ts';

const T0 = 1_700_000_000_000;
const managers: LogManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
});

it('finds the first record of a batch whose records share the target timestamp', async () => {
  const m = await LogManager.open({
    dir: tempDir(),
    defaultConfig: { ...smallConfig, indexIntervalBytes: 1, segmentBytes: 1024 },
    timers: false,
  });
  managers.push(m);
  const log = await m.create('t', 0, 'AAAAAAAAAAAAAAAAAAAAAQ', {
    ...smallConfig,
    indexIntervalBytes: 1,
    segmentBytes: 1024,
  });
  let last: Promise<void> = Promise.resolve();
  for (let b = 0; b < 20; b++) {
    const ts = T0 + b * 1000;
    const buf = buildRecordBatch(
      Array.from({ length: 10 }, (_, r) => ({ value: `v${b}-${r}`, timestamp: ts })),
      { baseTimestamp: ts },
    );
    const info = validateRecordBatches(buf, { maxMessageBytes: 1 << 20 });
    if (isBatchError(info)) throw new Error(info.message);
    last = log.append(buf, info, 0, ts).written;
  }
  await last;
  expect(log.segmentCount).toBeGreaterThan(1);
  for (const b of [0, 1, 7, 19]) {
    expect(await log.offsetForTimestamp(T0 + b * 1000)).toEqual({ offset: b * 10, timestamp: T0 + b * 1000 });
    // Between two batches: the next batch's first record.
    if (b < 19)
      expect(await log.offsetForTimestamp(T0 + b * 1000 + 1)).toEqual({
        offset: (b + 1) * 10,
        timestamp: T0 + (b + 1) * 1000,
      });
  }
  expect(await log.offsetForTimestamp(T0 + 19_001)).toBeNull();
});
