// Log compaction through a broker process and real clients: kafkajs creates a
// compacted topic and produces 1,000 keys × 100 updates (plus tombstones),
// the background cleaner runs (log.cleaner.backoff.ms=200), kcat (librdkafka)
// consumes from the beginning and sees exactly the last value per key, with
// the tombstones until delete.retention.ms has passed. A keyless record is
// refused with INVALID_RECORD (kafkajs' error; recordErrors over the wire).
import kafkajs from 'kafkajs';
import type { Kafka as KafkaT } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { buildRecordBatch } from '../../core/protocol/record-batch.ts';
import { runKcat, uniqueTopic, waitFor } from '../helpers/clients.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

let broker: RunningBroker;
let kafka: KafkaT;

beforeAll(async () => {
  broker = await startBroker({ overrides: { 'log.cleaner.backoff.ms': 200 } });
  kafka = new Kafka({
    clientId: 'samsa-compaction-it',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
});
afterAll(async () => {
  await broker?.dispose();
});

const DELETE_RETENTION_MS = 8000;

async function createCompacted(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            // Kafka 4 refuses segment.bytes below 1 MiB; its internal.segment.bytes (tests only) takes small segments.
            { name: 'internal.segment.bytes', value: '16384' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            { name: 'delete.retention.ms', value: String(DELETE_RETENTION_MS) },
          ],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

interface Consumed {
  offset: number;
  key: string;
  value: string | null;
}

async function consumeAll(topic: string): Promise<Consumed[]> {
  const r = await runKcat(
    ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\t%k\t%S\t%s\n'],
    { timeoutMs: 30_000 },
  );
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [o, k, size, v] = l.split('\t');
      return { offset: Number(o), key: k!, value: size === '-1' ? null : v! };
    });
}

function isCompacted(records: Consumed[]): boolean {
  return new Set(records.map((r) => r.key)).size === records.length;
}

describe('log compaction with real clients', () => {
  it('1,000 keys × 100 updates: consumers see exactly the last value per key, tombstones for delete.retention.ms', async () => {
    const topic = uniqueTopic('compact');
    await createCompacted(topic);
    const producer = kafka.producer();
    await producer.connect();
    const expected = new Map<string, string | null>();
    try {
      for (let u = 0; u < 100; u++) {
        const messages = Array.from({ length: 1000 }, (_, k) => ({ key: `key-${k}`, value: `value-${k}-${u}` }));
        // Every tenth round gzip-compressed: compressed batches are cleaned too.
        await producer.send({
          topic,
          messages,
          compression: u % 10 === 9 ? CompressionTypes.GZIP : CompressionTypes.None,
        });
      }
      for (let k = 0; k < 1000; k++) expected.set(`key-${k}`, `value-${k}-99`);
      await producer.send({
        topic,
        messages: Array.from({ length: 100 }, (_, k) => ({ key: `key-${k}`, value: null })),
      });
      for (let k = 0; k < 100; k++) expected.set(`key-${k}`, null);
      // Other keys after the tombstones roll them out of the active segment (never cleaned).
      await producer.send({
        topic,
        messages: Array.from({ length: 1000 }, (_, k) => ({ key: `pad-${k}`, value: `pad-value-${k}` })),
      });
      for (let k = 0; k < 1000; k++) expected.set(`pad-${k}`, `pad-value-${k}`);
    } finally {
      await producer.disconnect();
    }

    const compacted = await waitFor(
      async () => {
        const recs = await consumeAll(topic);
        return isCompacted(recs) ? recs : undefined;
      },
      30_000,
      'the topic to be compacted',
      200,
    );
    // Offsets are the original ones: increasing, with gaps, ending at the log end.
    for (let i = 1; i < compacted.length; i++) expect(compacted[i]!.offset).toBeGreaterThan(compacted[i - 1]!.offset);
    expect(compacted.at(-1)!.offset).toBe(100_000 + 100 + 1000 - 1);
    expect(new Map(compacted.map((r) => [r.key, r.value]))).toEqual(expected);
    expect(compacted.filter((r) => r.value === null).length).toBe(100);

    // After delete.retention.ms the tombstones go; every other key keeps its last value.
    const later = await waitFor(
      async () => {
        const recs = await consumeAll(topic);
        return recs.every((r) => r.value !== null) ? recs : undefined;
      },
      DELETE_RETENTION_MS + 20_000,
      'tombstones to be removed',
      500,
    );
    for (const [k, v] of expected) if (v === null) expected.delete(k);
    expect(new Map(later.map((r) => [r.key, r.value]))).toEqual(expected);
    expect(later.length).toBe(1900);
  }, 90_000);

  it('refuses a record without a key: INVALID_RECORD (kafkajs), with recordErrors from Produce v8', async () => {
    const topic = uniqueTopic('compact-nokey');
    await createCompacted(topic);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const err = await producer
        .send({
          topic,
          messages: [
            { key: 'k', value: 'ok' },
            { key: null, value: 'no key' },
          ],
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).not.toBeNull();
      const e = err as { type?: string; originalError?: { type?: string }; message: string };
      expect(e.type ?? e.originalError?.type ?? e.message).toMatch(/INVALID_RECORD/);
      // A keyed record still goes through.
      await producer.send({ topic, messages: [{ key: 'k', value: 'ok' }] });
    } finally {
      await producer.disconnect();
    }
    const c = await KafkaClient.connect(broker.port);
    try {
      const res = await c.send(Api.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          {
            name: topic,
            partitionData: [
              {
                index: 0,
                records: buildRecordBatch([
                  { key: 'a', value: '1' },
                  { key: null, value: '2' },
                  { key: null, value: '3' },
                ]),
              },
            ],
          },
        ],
      });
      const p = res.responses[0]!.partitionResponses[0]!;
      expect(p.errorCode).toBe(ErrorCode.INVALID_RECORD);
      expect(p.recordErrors.map((r) => r.batchIndex)).toEqual([1, 2]);
      expect(p.recordErrors[0]!.batchIndexErrorMessage).toBe(
        `Compacted topic cannot accept message without key in topic partition ${topic}-0`,
      );
      expect(p.errorMessage).toContain('One or more records have been rejected');
    } finally {
      c.close?.();
    }
    const recs = await consumeAll(topic);
    expect(recs.map((r) => r.value)).toEqual(['ok']); // nothing of the refused batches was stored
  }, 60_000);
});
