// Log compaction throughput (part of `npm run bench`; also runs alone:
// `node test/bench/compaction.bench.ts`). Storage level, in process, real
// files: a compacted log of KEYS keys × UPDATES updates (100-byte random hex values,
// batches of 1,000 records, 8 MiB segments), rolled so every record is
// cleanable; one cleaning pass (offset map + rewrite + swap) is timed.
// MB/s cleaned = log bytes read by the pass / its wall time. Uncompressed and
// zstd batches (the latter decompress and recompress every rebuilt batch).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Compression } from '../../core/protocol/compression.ts';
import { buildRecordBatch, isBatchError, validateRecordBatches } from '../../core/protocol/record-batch.ts';
import { defaultLogConfig, type LogConfig } from '../../core/storage/log-config.ts';
import { LogManager } from '../../core/storage/log-manager.ts';
import { median, table } from './report.ts';

const KEYS = 20_000;
const UPDATES = 25;
const PER_BATCH = 1000;
const REPS = 3;

const config: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 8 * 1024 * 1024,
  cleanupPolicy: 'compact',
  minCleanableDirtyRatio: 0.01,
  retentionMs: -1,
  fileDeleteDelayMs: 0,
};

async function once(codec: number): Promise<{ mbps: number; inMb: number; outMb: number; ms: number; kept: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-compact-'));
  try {
    const mgr = await LogManager.open({ dir, defaultConfig: config, timers: false });
    const log = await mgr.create('bench-compact', 0, '', config);
    const now = Date.now();
    for (let u = 0; u < UPDATES; u++) {
      for (let k0 = 0; k0 < KEYS; k0 += PER_BATCH) {
        const recs = Array.from({ length: PER_BATCH }, (_, i) => ({
          key: `key-${String(k0 + i).padStart(8, '0')}`,
          value: randomBytes(50).toString('hex'),
        }));
        const buf = buildRecordBatch(recs, { compression: codec, baseTimestamp: now });
        const info = validateRecordBatches(buf, { maxMessageBytes: 1 << 24 });
        if (isBatchError(info)) throw new Error(info.message);
        log.append(buf, info, 0, now);
      }
      await log.writesIdle();
    }
    log.roll(now);
    await log.writesIdle();
    const [r] = await mgr.cleaner.cleanNow();
    if (!r || r.recordsKept !== KEYS) throw new Error(`compaction kept ${r?.recordsKept} records, expected ${KEYS}`);
    await mgr.close();
    return {
      mbps: r.bytesRead / 1e6 / (r.ms / 1000),
      inMb: r.bytesRead / 1e6,
      outMb: r.bytesWritten / 1e6,
      ms: r.ms,
      kept: r.recordsKept,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function compactionBench(log: (m: string) => void = () => {}): Promise<string> {
  const rows: string[][] = [];
  for (const [name, codec] of [
    ['none', Compression.NONE],
    ['zstd', Compression.ZSTD],
  ] as const) {
    const runs = [];
    for (let i = 0; i < REPS; i++) {
      log(`compaction (${name}) run ${i + 1}/${REPS}`);
      runs.push(await once(codec));
    }
    const m = median(runs.map((r) => r.mbps));
    const mid = runs.find((r) => r.mbps === m) ?? runs[0]!;
    rows.push([
      name,
      `${mid.inMb.toFixed(1)} MB`,
      `${mid.outMb.toFixed(2)} MB`,
      `${Math.round(mid.ms)} ms`,
      `${m.toFixed(0)} MB/s (${Math.min(...runs.map((r) => r.mbps)).toFixed(0)}–${Math.max(...runs.map((r) => r.mbps)).toFixed(0)})`,
    ]);
  }
  return [
    `**Log compaction** (test/bench/compaction.bench.ts: ${KEYS.toLocaleString('en')} keys × ${UPDATES} updates, 100-byte random hex values, one pass, median of ${REPS})`,
    '',
    table(['batches', 'log before', 'after', 'pass', 'cleaned'], rows),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await compactionBench((m) => process.stderr.write(`[bench] ${m}\n`)));
}
