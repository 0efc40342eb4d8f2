// Child process for the compaction crash test: opens a prepared log directory,
// makes its partitions compacted and runs cleaning passes until killed.
import { LogManager } from '../../../core/storage/log-manager.ts';
import { defaultLogConfig } from '../../../core/storage/log-config.ts';

const dir = process.argv[2]!;
const config = {
  ...defaultLogConfig,
  segmentBytes: 64 * 1024,
  indexIntervalBytes: 1024,
  cleanupPolicy: 'compact',
  minCleanableDirtyRatio: 0.01,
  fileDeleteDelayMs: 0,
  retentionMs: -1,
};
const m = await LogManager.open({ dir, defaultConfig: config, timers: false });
process.stdout.write('READY\n');
for (;;) {
  const results = await m.cleaner.cleanNow();
  process.stdout.write(`PASS ${results.length}\n`);
  await new Promise((r) => setTimeout(r, 5));
}
