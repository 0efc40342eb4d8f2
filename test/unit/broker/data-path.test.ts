// Produce and fetch over real sockets: round trips across versions, errors,
// long-poll fetches, and per-connection response ordering.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { buildRecordBatch, decodeAllRecords } from '../../../core/protocol/record-batch.ts';
import { Api, KafkaClient } from '../../helpers/kafka-client.ts';
import { waitFor } from '../../helpers/clients.ts';
import { startBroker, type Harness } from './harness.ts';

let h: Harness;
let c: KafkaClient;
beforeAll(async () => {
  h = await startBroker();
  c = await h.client();
});
afterAll(async () => h.stop());

function produce(
  client: KafkaClient,
  version: number,
  topic: string,
  records: Buffer | null,
  acks = -1,
  partition = 0,
) {
  return client.send(
    Api.Produce,
    version,
    {
      acks,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    },
    { expectResponse: acks !== 0 },
  );
}

function fetchReq(
  version: number,
  topic: { name: string; id: string },
  fetchOffset: number,
  opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number } = {},
) {
  return {
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: opts.maxBytes ?? 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: topic.name,
        topicId: topic.id,
        partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: opts.partitionMaxBytes ?? 1 << 20 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

function records(buf: Buffer | null | undefined): string[] {
  return buf ? decodeAllRecords(buf).map((r) => r.value!.toString()) : [];
}

describe('produce + fetch round trip', () => {
  for (const [pv, fv] of [
    [3, 4],
    [7, 11],
    [11, 13],
    [11, 17],
    [9, 12],
  ] as const) {
    it(`produce v${pv}, fetch v${fv}`, async () => {
      const name = `rt-${pv}-${fv}`;
      const t = h.topics.create(name, 1);
      const topic = { name, id: t.topicId };
      const p1 = await produce(c, pv, name, buildRecordBatch([{ value: 'one' }, { value: 'two' }]));
      const part = p1.responses[0]!.partitionResponses[0]!;
      expect(part).toMatchObject({ index: 0, errorCode: 0, baseOffset: 0 });
      if (pv >= 5) expect(part.logStartOffset).toBe(0);
      const p2 = await produce(c, pv, name, buildRecordBatch([{ value: 'three' }]));
      expect(p2.responses[0]!.partitionResponses[0]!.baseOffset).toBe(2);

      const f = await c.send(Api.Fetch, fv, fetchReq(fv, topic, 0));
      expect(f.errorCode).toBe(0);
      const fp = f.responses[0]!.partitions[0]!;
      expect(fp).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 3, lastStableOffset: 3 });
      if (fv >= 5) expect(fp.logStartOffset).toBe(0);
      expect(records(fp.records)).toEqual(['one', 'two', 'three']);
      if (fv >= 13) expect(f.responses[0]!.topicId).toBe(t.topicId);
      else expect(f.responses[0]!.topic).toBe(name);
      if (fv >= 11) expect(fp.preferredReadReplica).toBe(-1);

      const from2 = await c.send(Api.Fetch, fv, fetchReq(fv, topic, 2));
      expect(records(from2.responses[0]!.partitions[0]!.records)).toEqual(['three']);
    });
  }

  it('acks=0 gets no response and does not block later responses', async () => {
    const name = 'acks0';
    const t = h.topics.create(name, 1);
    await produce(c, 9, name, buildRecordBatch([{ value: 'silent' }]), 0);
    const f = await c.send(Api.Fetch, 12, fetchReq(12, { name, id: t.topicId }, 0));
    expect(records(f.responses[0]!.partitions[0]!.records)).toEqual(['silent']);
  });

  it('maxBytes still returns one oversized batch (KIP-74), partitionMaxBytes limits', async () => {
    const name = 'kip74';
    const t = h.topics.create(name, 1);
    await produce(c, 9, name, buildRecordBatch([{ value: 'x'.repeat(500) }]));
    await produce(c, 9, name, buildRecordBatch([{ value: 'y'.repeat(500) }]));
    const f = await c.send(
      Api.Fetch,
      12,
      fetchReq(12, { name, id: t.topicId }, 0, { maxBytes: 10, partitionMaxBytes: 10 }),
    );
    expect(records(f.responses[0]!.partitions[0]!.records)).toHaveLength(1);
  });
});

describe('produce errors', () => {
  it('v0–2 are refused with UNSUPPORTED_VERSION (Kafka 4 / KIP-896)', async () => {
    h.topics.create('old', 1);
    const res = await produce(c, 2, 'old', buildRecordBatch([{ value: 'v' }]));
    expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(h.topics.log('old').logEndOffset).toBe(0);
  });

  it('invalid acks, unknown topic, corrupt batch, too large, transactional', async () => {
    h.topics.create('errs', 1);
    expect(
      (await produce(c, 9, 'errs', buildRecordBatch([{ value: 'v' }]), 2)).responses[0]!.partitionResponses[0]!
        .errorCode,
    ).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(
      (await produce(c, 9, 'missing', buildRecordBatch([{ value: 'v' }]))).responses[0]!.partitionResponses[0]!
        .errorCode,
    ).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const corrupt = buildRecordBatch([{ value: 'v' }]);
    corrupt[corrupt.length - 1] ^= 0xff;
    const cr = (await produce(c, 9, 'errs', corrupt)).responses[0]!.partitionResponses[0]!;
    expect(cr.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(cr.baseOffset).toBe(-1);
    const big = buildRecordBatch([{ value: Buffer.alloc(1_100_000, 1) }]);
    expect((await produce(c, 9, 'errs', big)).responses[0]!.partitionResponses[0]!.errorCode).toBe(
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    const txn = await c.send(Api.Produce, 9, {
      transactionalId: 'tx',
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 'errs', partitionData: [{ index: 0, records: buildRecordBatch([{ value: 'v' }]) }] }],
    });
    expect(txn.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect(h.topics.log('errs').logEndOffset).toBe(0);
  });
});

describe('fetch errors', () => {
  it('unknown topic/id, offset out of range, session not found, fenced epoch', async () => {
    const t = h.topics.create('ferr', 1);
    const byName = await c.send(Api.Fetch, 12, fetchReq(12, { name: 'nope', id: '' }, 0));
    expect(byName.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const byId = await c.send(Api.Fetch, 13, fetchReq(13, { name: '', id: 'AAAAAAAAAAAAAAAAAAAAAQ' }, 0));
    expect(byId.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const oor = await c.send(Api.Fetch, 12, fetchReq(12, { name: 'ferr', id: t.topicId }, 5));
    expect(oor.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const sess = await c.send(Api.Fetch, 12, {
      ...fetchReq(12, { name: 'ferr', id: t.topicId }, 0),
      sessionId: 7,
      sessionEpoch: 3,
    });
    expect(sess.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    const req = fetchReq(12, { name: 'ferr', id: t.topicId }, 0);
    (req.topics[0]!.partitions[0] as Record<string, number>).currentLeaderEpoch = -5 + 4; // -1: no check
    expect((await c.send(Api.Fetch, 12, req)).responses[0]!.partitions[0]!.errorCode).toBe(0);
    t.partitions[0]!.leaderEpoch = 3;
    (req.topics[0]!.partitions[0] as Record<string, number>).currentLeaderEpoch = 2;
    expect((await c.send(Api.Fetch, 12, req)).responses[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.FENCED_LEADER_EPOCH,
    );
  });
});

describe('long-poll fetch', () => {
  it('waits and returns as soon as a produce lands', async () => {
    const t = h.topics.create('lp', 1);
    const consumer = await h.client();
    const pending = consumer.send(
      Api.Fetch,
      12,
      fetchReq(12, { name: 'lp', id: t.topicId }, 0, { maxWaitMs: 30_000, minBytes: 1 }),
    );
    // The fetch is parked (the event), then a produce wakes it long before its 30 s wait ends.
    await waitFor(() => h.broker.purgatory.size === 1, 10_000, 'the fetch parks');
    await produce(c, 9, 'lp', buildRecordBatch([{ value: 'wake' }]));
    const res = await pending;
    expect(records(res.responses[0]!.partitions[0]!.records)).toEqual(['wake']);
    expect(h.broker.purgatory.size).toBe(0);
  });

  it('returns empty after maxWaitMs', async () => {
    const t = h.topics.create('lp-empty', 1);
    const pending = c.send(
      Api.Fetch,
      12,
      fetchReq(12, { name: 'lp-empty', id: t.topicId }, 0, { maxWaitMs: 300, minBytes: 1 }),
    );
    // It waited (parked, with nothing to wake it), then answered empty when maxWaitMs ran out.
    await waitFor(() => h.broker.purgatory.size === 1, 10_000, 'the fetch parks');
    const res = await pending;
    expect(res.responses[0]!.partitions[0]!.errorCode).toBe(0);
    expect(records(res.responses[0]!.partitions[0]!.records)).toEqual([]);
    expect(h.broker.purgatory.size).toBe(0);
  });

  it('long-polls the known partitions when another topic of the fetch is unknown (as Kafka)', async () => {
    const t = h.topics.create('lp-known', 1);
    const consumer = await h.client();
    const req = fetchReq(12, { name: 'lp-known', id: t.topicId }, 0, { maxWaitMs: 30_000, minBytes: 1 });
    req.topics.push({
      topic: 'no-such-topic',
      topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
      partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }],
    });
    const pending = consumer.send(Api.Fetch, 12, req);
    // Parked despite the unknown topic (a client whose topic was deleted does not spin), woken by data.
    await waitFor(() => h.broker.purgatory.size === 1, 10_000, 'the fetch parks');
    await produce(c, 9, 'lp-known', buildRecordBatch([{ value: 'here' }]));
    const res = await pending;
    expect(records(res.responses[0]!.partitions[0]!.records)).toEqual(['here']);
    expect(res.responses[1]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers a fetch of only unknown topics at once, and a partition this broker does not host with NOT_LEADER_OR_FOLLOWER', async () => {
    const res = await c.send(
      Api.Fetch,
      12,
      fetchReq(12, { name: 'nothing-here', id: 'AAAAAAAAAAAAAAAAAAAAAA' }, 0, { maxWaitMs: 30_000, minBytes: 1 }),
    );
    expect(res.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const t = h.topics.create('two-parts', 2);
    delete t.partitions[1]; // hosted elsewhere: a hole, as on a broker that is not a replica
    const req = fetchReq(12, { name: 'two-parts', id: t.topicId }, 0, { maxWaitMs: 30_000, minBytes: 1 });
    req.topics[0]!.partitions[0]!.partition = 1;
    const r2 = await c.send(Api.Fetch, 12, req);
    expect(r2.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('keeps responses in request order behind a parked fetch', async () => {
    const t = h.topics.create('order', 1);
    const client = await h.client();
    const order: string[] = [];
    const fetchP = client
      .send(Api.Fetch, 12, fetchReq(12, { name: 'order', id: t.topicId }, 0, { maxWaitMs: 400 }))
      .then(() => order.push('fetch'));
    const metaP = client.send(Api.Metadata, 12, { topics: null }).then(() => order.push('metadata'));
    const apiP = client
      .send(Api.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })
      .then(() => order.push('apiversions'));
    await Promise.all([fetchP, metaP, apiP]);
    expect(order).toEqual(['fetch', 'metadata', 'apiversions']);
  });
});
