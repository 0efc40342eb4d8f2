// The data dir is private to the user who runs Samsa: the dir and everything below it 0700/0600
// (another local user could otherwise read records straight out of the .log files), or
// group-readable with --data-dir-group-readable. Checked on files a real `samsa start` wrote:
// segments, indexes, checkpoints, metadata.db, also by the broker processes of --brokers 3.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { buildRecordBatch } from '../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { startBroker } from '../helpers/spawn-broker.ts';
import { startCluster } from '../helpers/spawn-cluster.ts';
import { removeAllTmpDirs } from '../helpers/tmp.ts';

afterAll(() => removeAllTmpDirs());

/** Every path below `dir` (itself included) with its permission bits. */
function modes(dir: string): { path: string; mode: number; dir: boolean }[] {
  const out = [{ path: dir, mode: statSync(dir).mode & 0o777, dir: true }];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...modes(p));
    else out.push({ path: p, mode: statSync(p).mode & 0o777, dir: false });
  }
  return out;
}

/** Auto-creates `topic` through the broker at `port` and produces one record to its leader. */
async function produceSome(port: number, topic: string): Promise<void> {
  let c = await KafkaClient.connect(port);
  try {
    for (let attempt = 0; ; attempt++) {
      const md = await c.send(Api.Metadata, 12, {
        topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: topic }],
        allowAutoTopicCreation: true,
        includeTopicAuthorizedOperations: false,
      });
      const leader = md.topics[0]?.partitions[0]?.leaderId ?? -1;
      const b = md.brokers.find((x) => x.nodeId === leader);
      if (b) {
        if (b.port !== port) {
          c.close();
          c = await KafkaClient.connect(b.port);
        }
        break;
      }
      if (attempt > 50) throw new Error('no leader');
      await new Promise((res) => setTimeout(res, 100));
    }
    for (let attempt = 0; ; attempt++) {
      const r = await c.send(Api.Produce, 11, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          { name: topic, partitionData: [{ index: 0, records: buildRecordBatch([{ key: 'k', value: 'secret' }]) }] },
        ],
      });
      const code = r.responses[0]!.partitionResponses[0]!.errorCode;
      if (code === ErrorCode.NONE) return;
      if (attempt > 50) throw new Error(`produce failed: ${code}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    c.close();
  }
}

describe('data dir access', () => {
  it('is 0700 for directories and 0600 for files by default', async () => {
    const b = await startBroker();
    await produceSome(b.port, 'private');
    await b.stop();
    const all = modes(b.dataDir);
    expect(all.some((m) => m.path.endsWith('.log'))).toBe(true);
    expect(all.some((m) => m.path.endsWith('metadata.db'))).toBe(true);
    for (const m of all)
      expect({ path: m.path, mode: m.mode.toString(8) }).toEqual({ path: m.path, mode: m.dir ? '700' : '600' });
    await b.dispose();
  });

  it('lets the group read with --data-dir-group-readable', async () => {
    const b = await startBroker({ args: ['--data-dir-group-readable'] });
    await produceSome(b.port, 'shared');
    await b.stop();
    for (const m of modes(b.dataDir))
      expect({ path: m.path, mode: m.mode.toString(8) }).toEqual({ path: m.path, mode: m.dir ? '750' : '640' });
    await b.dispose();
  });

  it('holds for what the broker processes of --brokers 3 write', async () => {
    const c = await startCluster({ brokers: 3 });
    await produceSome(c.ports.get(2)!, 'private3');
    await c.stop();
    const all = modes(c.dataDir);
    expect(all.filter((m) => m.path.endsWith('.log')).length).toBeGreaterThan(0);
    for (const m of all)
      expect({ path: m.path, mode: m.mode.toString(8) }).toEqual({ path: m.path, mode: m.dir ? '700' : '600' });
    await c.dispose();
  });
});
