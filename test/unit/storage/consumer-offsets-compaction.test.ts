// __consumer_offsets is compacted (cleanup.policy=compact): after many commits
// and a deleted group, a cleaning pass keeps one record per key (the deleted
// group's keys as tombstones), and the coordinator's replay after a restart
// still finds every committed offset. In-process broker, kafkajs admin.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import { BATCH, batchPositions, decodeRecords, readInt64 } from '../../../core/protocol/record-batch.ts';
import type { LogManager } from '../../../core/storage/log-manager.ts';
import type { Log } from '../../../core/storage/log.ts';
import * as oc from '../../../core/protocol/messages/offset-commit.ts';
import { KafkaClient } from '../../helpers/kafka-client.ts';

const OffsetCommit = {
  apiKey: 8,
  flexibleMin: oc.OffsetCommitRequestVersions.flexibleMin,
  encode: oc.encodeOffsetCommitRequest,
  decode: oc.decodeOffsetCommitResponse,
};

const { Kafka, logLevel } = kafkajs;
const dataDir = mkdtempSync(join(tmpdir(), 'samsa-offsets-compact-'));
let broker: Broker | undefined;
afterAll(async () => {
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

let port = 0;
async function boot(): Promise<{ broker: Broker; admin: kafkajs.Admin }> {
  broker = singleNodeBroker({
    port: 0,
    dataDir,
    config: new BrokerConfig({ 'offsets.topic.num.partitions': '1', 'log.cleaner.enable': 'false' }),
  });
  port = (await broker.start()).port;
  const admin = new Kafka({
    clientId: 'offsets-compact',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  return { broker, admin };
}

async function keysAndValues(log: Log): Promise<{ key: string; isNull: boolean }[]> {
  const out: { key: string; isNull: boolean }[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 1 << 20, Number.MAX_SAFE_INTEGER, true);
    if ('error' in r || r.bytes === 0) break;
    const buf = Buffer.concat(r.chunks);
    for (const pos of batchPositions(buf)) {
      for (const rec of decodeRecords(buf, pos))
        out.push({ key: rec.key!.toString('hex'), isNull: rec.value === null });
      offset = readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA) + 1;
    }
  }
  return out;
}

describe('__consumer_offsets compaction', () => {
  it('keeps the last record per key, tombstones for a deleted group, and replays after a restart', async () => {
    let { broker: b, admin } = await boot();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] });
    // Standalone commits (no member, generation -1), as admin tools make them.
    const c = await KafkaClient.connect(port);
    for (let i = 1; i <= 30; i++) {
      for (const groupId of ['keep', 'gone']) {
        const res = await c.send(OffsetCommit, 8, {
          groupId,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1,
          topics: [
            {
              name: 'orders',
              partitions: [0, 1].map((p) => ({
                partitionIndex: p,
                committedOffset: i * (p + 1),
                committedLeaderEpoch: -1,
                commitTimestamp: -1,
                committedMetadata: null,
              })),
            },
          ],
        });
        expect(res.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
      }
    }
    c.close();
    await admin.deleteGroups(['gone']);
    const log = b.topics.partition('__consumer_offsets', 0)!.log;
    expect(log.config.cleanupPolicy).toBe('compact');
    const before = await keysAndValues(log);
    log.roll(Date.now());
    await log.writesIdle();
    const [result] = await (b.logs as LogManager).cleaner.cleanNow();
    expect(result?.topic).toBe('__consumer_offsets');
    const after = await keysAndValues(log);
    const distinct = new Set(before.map((r) => r.key));
    expect(after.length).toBe(distinct.size); // one record per key
    expect(after.length).toBeLessThan(before.length / 10);
    const tombstones = after.filter((r) => r.isNull);
    expect(tombstones.length).toBeGreaterThanOrEqual(2); // the deleted group's offsets (and group record)
    await admin.disconnect();
    await b.stop();

    ({ broker: b, admin } = await boot());
    const offsets = await admin.fetchOffsets({ groupId: 'keep', topics: ['orders'] });
    expect(offsets[0]!.partitions.sort((x, y) => x.partition - y.partition).map((p) => p.offset)).toEqual(['30', '60']);
    const gone = await admin.fetchOffsets({ groupId: 'gone', topics: ['orders'] });
    expect(gone[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
    await admin.disconnect();
  }, 60_000);
});
