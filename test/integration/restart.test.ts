// Persistence across restarts: a clean stop (SIGTERM) and a crash (SIGKILL mid-produce),
// each followed by a start on the same data dir and a full read-back.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lacks, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { CLIENTS_DIR, keyOf, PYTHON, runPython, uniqueTopic, valueOf, waitFor } from '../helpers/clients.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { expectAllRecords } from './scenario.ts';

const P = 8;
type Summary = Record<string, { count: number; digest: string }>;

async function createTopic(b: RunningBroker, topic: string): Promise<void> {
  const r = await runPython<{ results: Record<string, { error: string | null }> }>('ck.py', {
    cmd: 'create_topics',
    bootstrap: b.bootstrap,
    topics: [topic],
    partitions: P,
  });
  expect(r.results[topic]!.error).toBeNull();
}

async function consumeAll(b: RunningBroker, topic: string, expected: number | null, keep = false) {
  return runPython<{
    partitions: Record<string, { count: number; digest: string; records?: Array<[number, string, string]> }>;
    total: number;
    errors: unknown[];
  }>(
    'ck.py',
    { cmd: 'consume', bootstrap: b.bootstrap, topic, partitions: P, expected, keep_records: keep, timeout_s: 60 },
    90_000,
  );
}

describe.skipIf(lacks('persistence'))('restart', () => {
  it('keeps every record across a clean stop (SIGTERM) and start on the same data dir', async () => {
    const dataDir = makeTmpDir('samsa-it-restart-');
    const topic = uniqueTopic('restart');
    let b = await startBroker({ dataDir });
    try {
      await createTopic(b, topic);
      const prod = await runPython<{ acked: number }>('ck.py', {
        cmd: 'produce',
        bootstrap: b.bootstrap,
        topic,
        count: 20_000,
        partitions: P,
        codec: 'lz4',
      });
      expect(prod.acked).toBe(20_000);
      expectAllRecords((await consumeAll(b, topic, 20_000)).partitions as Summary, 20_000, P);

      const exit = await b.stop();
      expect(exit, `clean exit on SIGTERM; output:\n${b.output()}`).toEqual({ code: 0, signal: null });

      b = await startBroker({ dataDir });
      expectAllRecords((await consumeAll(b, topic, 20_000)).partitions as Summary, 20_000, P);
      // The log continues where it was: appending more gives dense offsets after the old ones.
      const more = await runPython<{ acked: number }>('ck.py', {
        cmd: 'produce',
        bootstrap: b.bootstrap,
        topic,
        start: 20_000,
        count: 4_000,
        partitions: P,
      });
      expect(more.acked).toBe(4_000);
      expectAllRecords((await consumeAll(b, topic, 24_000)).partitions as Summary, 24_000, P);
    } finally {
      await b.dispose();
      removeTmpDir(dataDir);
    }
  }, 240_000);

  it('keeps every acknowledged record after SIGKILL mid-produce (acks=1)', async () => {
    const dataDir = makeTmpDir('samsa-it-crash-');
    const topic = uniqueTopic('crash');
    let b = await startBroker({ dataDir });
    const acked: Array<{ p: number; o: number; i: number }> = [];
    try {
      await createTopic(b, topic);
      const producer = spawn(
        PYTHON,
        [
          join(CLIENTS_DIR, 'ck.py'),
          JSON.stringify({ cmd: 'produce_continuous', bootstrap: b.bootstrap, topic, partitions: P, max_s: 60 }),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const producerExit = new Promise<void>((r) => producer.once('exit', () => r()));
      let buf = '';
      producer.stdout.setEncoding('utf8');
      producer.stdout.on('data', (d: string) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const m = /^ack (\d+) (\d+) (\d+)$/.exec(l);
          if (m) acked.push({ p: Number(m[1]), o: Number(m[2]), i: Number(m[3]) });
        }
      });
      try {
        await waitFor(() => acked.length >= 30_000, 60_000, `30k acknowledged deliveries (got ${acked.length})`, 20);
        await b.kill();
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        producer.kill('SIGKILL');
        await producerExit;
      }
      // Acks that arrived before the kill are in `acked`; nothing can be acked after it.
      const ackedCount = acked.length;
      expect(ackedCount).toBeGreaterThanOrEqual(30_000);

      b = await startBroker({ dataDir });
      const cons = await consumeAll(b, topic, null, true);
      expect(cons.errors).toEqual([]);
      const byPartition = new Map<number, Map<number, [string, string]>>();
      for (const [p, s] of Object.entries(cons.partitions)) {
        const m = new Map<number, [string, string]>();
        for (const [o, k, v] of s.records!) m.set(o, [k, v]);
        byPartition.set(Number(p), m);
        // Everything that survived is an intact record of the data set, with dense offsets.
        s.records!.forEach(([o, k, v], idx) => {
          expect(o, `partition ${p} offsets dense`).toBe(idx);
          const i = Number(k.slice(4));
          expect(k).toBe(keyOf(i));
          expect(v).toBe(valueOf(i));
        });
      }
      let missing = 0;
      for (const { p, o, i } of acked) {
        const rec = byPartition.get(p)?.get(o);
        if (!rec || rec[0] !== keyOf(i) || rec[1] !== valueOf(i)) missing++;
      }
      expect(missing, `acknowledged records missing or different after the crash (of ${acked.length})`).toBe(0);
    } finally {
      await b.dispose();
      removeTmpDir(dataDir);
    }
  }, 240_000);
});
