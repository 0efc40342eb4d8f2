import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAllRecords } from '../../../core/protocol/record-batch.ts';
import { LogManager } from '../../../core/storage/log-manager.ts';
import { batch, smallConfig, tempDir } from '../../helpers/storage.ts';

describe('crash recovery with a real process', () => {
  it('recovers every batch whose write completed before SIGKILL', async () => {
    const dir = tempDir('samsa-crash-');
    // vitest runs under Node 24 here (process.execPath), which runs the .ts child directly.
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../../helpers/storage-children/crash-writer.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    let confirmed = -1;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) if (l.startsWith('W ')) confirmed = Math.max(confirmed, Number(l.slice(2)));
        if (confirmed > 20000) resolve();
      });
      setTimeout(() => reject(new Error(`child too slow, confirmed ${confirmed}`)), 20000);
    });
    const confirmedAtKill = confirmed; // reported before the kill was signalled
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(confirmedAtKill).toBeGreaterThan(20000);

    const m = await LogManager.open({ dir, defaultConfig: smallConfig, timers: false });
    try {
      expect(m.hadCleanShutdown).toBe(false);
      const log = m.get('crash', 0)!;
      expect(log.logEndOffset).toBeGreaterThan(confirmedAtKill);
      expect(log.logEndOffset % 5).toBe(0);
      // Every acknowledged record is there, gap-free from 0. Past the last
      // acknowledged offset the log may skip offsets whose writes never reached
      // the file: a segment can be rolled (its empty file created) while the
      // previous segment's last writes are still queued. Those offsets were never
      // acknowledged, and readers skip them as they skip compaction gaps.
      let offset = 0;
      while (offset < log.logEndOffset) {
        const r = await log.read(offset, 1 << 20, log.highWatermark, true);
        if ('error' in r) throw new Error(`read error ${r.error} at ${offset}`);
        if (r.bytes === 0) break;
        const recs = decodeAllRecords(Buffer.concat(r.chunks));
        for (const rec of recs) {
          if (rec.offset !== offset) expect(offset, `gap at ${offset}`).toBeGreaterThan(confirmedAtKill);
          expect(rec.offset).toBeGreaterThanOrEqual(offset);
          offset = rec.offset + 1;
        }
      }
      expect(offset).toBeGreaterThan(confirmedAtKill);
      if (offset < log.logEndOffset) expect(offset).toBeGreaterThan(confirmedAtKill);
      // The log takes appends again, and a reader at the old end gets them.
      const end = log.logEndOffset;
      const more = batch(5, Date.now());
      const res = log.append(more.buf, more.info, 0, Date.now());
      await res.written;
      expect(res.baseOffset).toBe(end);
      const after = await log.read(offset, 1 << 20, log.highWatermark, true);
      if ('error' in after) throw new Error(`read error ${after.error} at ${offset}`);
      expect(decodeAllRecords(Buffer.concat(after.chunks))[0]!.offset).toBe(end);
    } finally {
      await m.close();
    }
  }, 30000);
});
