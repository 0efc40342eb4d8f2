// ApiVersions, Metadata and ListOffsets over real sockets against an in-process broker.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writer } from '../../../core/protocol/writer.ts';
import { Reader } from '../../../core/protocol/reader.ts';
import { decodeApiVersionsResponse } from '../../../core/protocol/messages/api-versions.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { buildRecordBatch } from '../../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';
import { startBroker, type Harness } from './harness.ts';

let h: Harness;
let c: KafkaClient;
beforeAll(async () => {
  h = await startBroker();
  c = await h.client();
});
afterAll(async () => h.stop());

describe('ApiVersions', () => {
  for (const v of [0, 1, 2, 3, 4]) {
    it(`v${v} lists the served version ranges`, async () => {
      const res = await c.send(Api.ApiVersions, v, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1.0' });
      expect(res.errorCode).toBe(0);
      const byKey = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
      expect(byKey.get(0)).toEqual([0, 11]);
      expect(byKey.get(1)).toEqual([4, 17]);
      expect(byKey.get(2)).toEqual([1, 8]);
      expect(byKey.get(3)).toEqual([0, 12]);
      expect(byKey.get(18)).toEqual([0, 4]);
      if (v >= 3) {
        expect(res.finalizedFeatures.find((f) => f.name === 'metadata.version')?.maxVersionLevel).toBe(25);
        expect(res.supportedFeatures.find((f) => f.name === 'metadata.version')).toBeTruthy();
        expect(res.zkMigrationReady).toBe(false);
      }
    });
  }

  it('answers an unsupported version with a v0 body, UNSUPPORTED_VERSION and the list', async () => {
    const raw = await KafkaClient.connect(h.port);
    const w = new Writer();
    const size = w.reserveInt32();
    w.int16(18)
      .int16(99)
      .int32(4242)
      .nullableString('x')
      .raw(Buffer.from([0, 1, 2, 3, 0]));
    w.fillSize(size);
    const got = new Promise<Buffer>((resolve) => raw.socket.once('data', (d: Buffer) => resolve(d)));
    raw.sendRaw(w.toBuffer());
    const frame = await got;
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const r = new Reader(frame, 4);
    expect(r.int32()).toBe(4242);
    const res = decodeApiVersionsResponse(r, 0);
    expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.apiKeys.some((k) => k.apiKey === 18 && k.maxVersion === 4)).toBe(true);
    raw.close();
  });

  it('rejects an invalid client software name (v3+)', async () => {
    const res = await c.send(Api.ApiVersions, 3, { clientSoftwareName: '-bad name', clientSoftwareVersion: '1' });
    expect(res.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('Metadata', () => {
  it('v1: null topics lists all topics, with broker and controller', async () => {
    h.topics.create('meta-a', 3);
    const res = await c.send(Api.Metadata, 1, { topics: null });
    expect(res.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1', port: h.port })]);
    expect(res.controllerId).toBe(1);
    const t = res.topics.find((x) => x.name === 'meta-a')!;
    expect(t.errorCode).toBe(0);
    expect(t.partitions.map((p) => p.partitionIndex).sort()).toEqual([0, 1, 2]);
    expect(t.partitions[0]).toMatchObject({ leaderId: 1, replicaNodes: [1], isrNodes: [1] });
  });

  it('v9: auto-creates an unknown topic, answering UNKNOWN_TOPIC_OR_PARTITION first as Kafka 4 does', async () => {
    const first = await c.send(Api.Metadata, 9, { topics: [{ name: 'auto-1' }], allowAutoTopicCreation: true });
    expect(first.topics[0]).toMatchObject({
      name: 'auto-1',
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      partitions: [],
    });
    expect(first.clusterId).toBe(h.broker.clusterId);
    const second = await c.send(Api.Metadata, 9, { topics: [{ name: 'auto-1' }], allowAutoTopicCreation: true });
    expect(second.topics[0]!.errorCode).toBe(0);
    expect(second.topics[0]!.partitions).toHaveLength(1);
    expect(second.topics[0]!.topicAuthorizedOperations).toBe(-2147483648);
  });

  it('v9: no auto-creation when the request disallows it; invalid names are rejected', async () => {
    const res = await c.send(Api.Metadata, 9, { topics: [{ name: 'nope' }], allowAutoTopicCreation: false });
    expect(res.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const bad = await c.send(Api.Metadata, 9, { topics: [{ name: 'bad name!' }], allowAutoTopicCreation: true });
    expect(bad.topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('v12: topic ids, lookup by id, UNKNOWN_TOPIC_ID', async () => {
    const t = h.topics.create('meta-b', 2);
    const byName = await c.send(Api.Metadata, 12, { topics: [{ name: 'meta-b' }], allowAutoTopicCreation: false });
    expect(byName.topics[0]!.topicId).toBe(t.topicId);
    expect(byName.topics[0]!.partitions[1]!.leaderEpoch).toBe(0);
    const byId = await c.send(Api.Metadata, 12, {
      topics: [{ topicId: t.topicId, name: null }],
      allowAutoTopicCreation: false,
    });
    expect(byId.topics[0]).toMatchObject({ name: 'meta-b', errorCode: 0 });
    const unknownId = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const missing = await c.send(Api.Metadata, 12, {
      topics: [{ topicId: unknownId, name: null }],
      allowAutoTopicCreation: false,
    });
    expect(missing.topics[0]).toMatchObject({ name: null, topicId: unknownId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID });
  });
});

describe('ListOffsets', () => {
  it('earliest, latest, max timestamp and by timestamp', async () => {
    h.topics.create('lo', 1);
    for (const ts of [1000, 5000, 3000]) {
      const batch = buildRecordBatch([
        { value: 'a', timestamp: ts },
        { value: 'b', timestamp: ts + 1 },
      ]);
      const p = await c.send(Api.Produce, 9, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'lo', partitionData: [{ index: 0, records: batch }] }],
      });
      expect(p.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    }
    const ask = (timestamp: number, v = 8) =>
      c
        .send(Api.ListOffsets, v, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: 'lo', partitions: [{ partitionIndex: 0, timestamp }] }],
        })
        .then((r) => r.topics[0]!.partitions[0]!);
    expect(await ask(-2)).toMatchObject({ errorCode: 0, offset: 0, timestamp: -1 });
    expect(await ask(-1)).toMatchObject({ errorCode: 0, offset: 6, leaderEpoch: 0 });
    expect(await ask(-4)).toMatchObject({ offset: 0 });
    expect(await ask(-3)).toMatchObject({ offset: 3, timestamp: 5001 });
    expect(await ask(2000)).toMatchObject({ offset: 2, timestamp: 5001 });
    expect(await ask(9999)).toMatchObject({ offset: -1, timestamp: -1 });
    expect(await ask(-1, 1)).toMatchObject({ offset: 6 });
    const unknown = await c.send(Api.ListOffsets, 5, {
      replicaId: -1,
      topics: [{ name: 'nope', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    expect(unknown.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
