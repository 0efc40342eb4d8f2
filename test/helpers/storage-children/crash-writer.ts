// Child process for the crash test: appends batches to a log forever and prints
// "W <lastOffset>" once each append's `written` promise resolved.
import { LogManager } from '../../../core/storage/log-manager.ts';
import { buildRecordBatch, validateRecordBatches, isBatchError } from '../../../core/protocol/record-batch.ts';
import { defaultLogConfig } from '../../../core/storage/log-config.ts';

const dir = process.argv[2]!;
const config = { ...defaultLogConfig, segmentBytes: 256 * 1024, indexIntervalBytes: 1024 };
const m = await LogManager.open({ dir, defaultConfig: config, timers: false });
const log = await m.create('crash', 0, '', config);
let i = 0;
process.stdout.write('READY\n');
const tick = (): void => {
  for (let k = 0; k < 20; k++) {
    const buf = buildRecordBatch(
      Array.from({ length: 5 }, (_, j) => ({ value: `r${i}-${j}`.padEnd(200, '.') })),
      { baseTimestamp: 1_700_000_000_000 + i },
    );
    const info = validateRecordBatches(buf, { maxMessageBytes: 1 << 20 });
    if (isBatchError(info)) throw new Error(info.message);
    const r = log.append(buf, info, 0, Date.now());
    i++;
    r.written.then(() => process.stdout.write(`W ${r.lastOffset}\n`));
  }
  setImmediate(tick);
};
tick();
