// A damaged or foreign partition.metadata never deletes a partition's data (the fault campaign's
// case: garbage, or another topic's id, written into `<topic>-0/partition.metadata` of a stopped
// broker, and at the next start every segment of the partition was gone without a word). Kafka
// refuses to load such a log (InconsistentTopicIdException) and keeps the files; so must Samsa:
// - garbage, or the id of another existing topic: the partition stays offline on the broker (a
//   produce to it is refused), its files are untouched, the log says why; once the file is put
//   back, a restart serves every record again;
// - the id of a topic that no longer exists (deleted and re-created while the broker was down):
//   the old log is moved aside as `<topic>-0.<uniq>-stray` with its records, and the partition
//   starts afresh. This case is entered through a SIGKILL after an acknowledged produce.
// Real `samsa start` processes; kcat produces and reads, a raw Produce checks the refusal.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../core/protocol/batch-builder.ts';
import { runKcat, uniqueTopic, waitFor } from '../helpers/clients.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const COUNT = 200;

describe('a damaged partition.metadata at start-up', () => {
  const dataDir = makeTmpDir('samsa-damaged-meta-');
  let broker: RunningBroker | undefined;
  let port = 0;
  afterEach(async () => {
    await broker?.stop();
  });
  afterAll(async () => {
    removeTmpDir(dataDir);
  });
  const start = async () => {
    broker = await startBroker({ dataDir, port });
    port = broker.port;
    return broker;
  };
  const partDir = (topic: string) => join(dataDir, 'broker-1', `${topic}-0`);
  const sizes = (dir: string) =>
    Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => [f, statSync(join(dir, f)).size]),
    );
  const produce = (topic: string, from: number) =>
    runKcat(['-b', broker!.bootstrap, '-P', '-t', topic, '-p', '0', '-X', 'acks=all'], {
      input: Array.from({ length: COUNT }, (_, i) => `v${from + i}`).join('\n') + '\n',
      timeoutMs: 30_000,
    });
  const readAll = async (topic: string) =>
    (
      await runKcat(['-b', broker!.bootstrap, '-C', '-t', topic, '-p', '0', '-e', '-q', '-f', '%s\\n'], {
        timeoutMs: 30_000,
      })
    ).stdout
      .split('\n')
      .filter(Boolean);
  const rawProduceError = async (topic: string) => {
    const c = await KafkaClient.connect(broker!.port);
    try {
      const res = await c.send(Api.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5_000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: buildRecordBatch([{ value: 'x' }]) }] }],
      });
      return res.responses[0]!.partitionResponses[0]!.errorCode;
    } finally {
      c.close();
    }
  };

  it('keeps the partition offline with its files, says why, and serves it again once the file is repaired', async () => {
    await start();
    const [topic, other] = [uniqueTopic('damaged'), uniqueTopic('other')];
    await produce(topic, 0);
    await produce(other, 0);
    await broker!.stop();
    const meta = join(partDir(topic), 'partition.metadata');
    const original = readFileSync(meta, 'utf8');
    const kept = sizes(partDir(topic));
    expect(Object.values(kept).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const otherMeta = readFileSync(join(partDir(other), 'partition.metadata'), 'utf8');

    for (const [what, content] of [
      ['garbage', 'version: 0\ntopic_id: garbage\n'],
      ['noise', '\u0000\u0001not a metadata file at all'],
      ["another topic's id", otherMeta],
    ] as const) {
      writeFileSync(meta, content);
      await start();
      await waitFor(() => broker!.output().includes(`partition ${topic}-0 is offline on this broker`), 10_000, what);
      expect(await rawProduceError(topic), what).not.toBe(0);
      expect(await readAll(other)).toHaveLength(COUNT); // the rest of the broker serves on
      await broker!.stop();
      expect(sizes(partDir(topic)), what).toEqual(kept);
      expect(readFileSync(meta, 'utf8')).toBe(content);
    }

    writeFileSync(meta, original);
    await start();
    const values = await readAll(topic);
    expect(values).toEqual(Array.from({ length: COUNT }, (_, i) => `v${i}`));
    await broker!.stop();
  });

  it('moves a log of a topic that no longer exists aside as a stray, records and all, after a SIGKILL', async () => {
    await start();
    const topic = uniqueTopic('recreated');
    await produce(topic, 0);
    await broker!.kill();
    const meta = join(partDir(topic), 'partition.metadata');
    const logBytes = Object.values(sizes(partDir(topic))).reduce((a, b) => a + b, 0);
    writeFileSync(meta, 'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ\n'); // well-formed, no such topic
    await start();
    await waitFor(() => broker!.output().includes('which no longer exists'), 10_000, 'the stray reported');
    const strays = readdirSync(join(dataDir, 'broker-1')).filter(
      (d) => d.startsWith(`${topic}-0.`) && d.endsWith('-stray'),
    );
    expect(strays).toHaveLength(1);
    const strayDir = join(dataDir, 'broker-1', strays[0]!);
    expect(Object.values(sizes(strayDir)).reduce((a, b) => a + b, 0)).toBe(logBytes);
    expect(readFileSync(join(strayDir, 'partition.metadata'), 'utf8')).toContain('AAAAAAAAAAAAAAAAAAAAAQ');
    // The partition starts afresh and takes writes.
    expect(await rawProduceError(topic)).toBe(0);
    expect(await readAll(topic)).toEqual(['x']);
  });
});
