// The registry's storage: the compacted `_schemas` topic (one partition), read and written over
// the Kafka protocol as Confluent's KafkaStore does. On start it creates the topic when missing
// (cleanup.policy=compact, replication factor min(3, live brokers) as Confluent's
// kafkastore.topic.replication.factor=3 is capped), reads it from the start to the high
// watermark, and keeps tailing it; a write is produced with acks=all and returns once the
// reader has applied it, so a read after a write sees it. A lost leader (failover) is found
// again through Metadata and the request retried.
import { LeaderConnection } from '../broker/leader-connection.ts';
import { buildRecordBatch, decodeBatchHeader, decodeRecords } from '../protocol/record-batch.ts';
import * as createTopics from '../protocol/messages/create-topics.ts';
import * as fetchApi from '../protocol/messages/fetch.ts';
import * as metadataApi from '../protocol/messages/metadata.ts';
import * as produceApi from '../protocol/messages/produce.ts';
import { Errors } from './errors.ts';
import { decodeRecord, encodeRecord, type StoreRecord } from './store-format.ts';

export interface KafkaStoreOptions {
  /** Bootstrap addresses, `host:port`. */
  bootstrap: string[];
  topic?: string;
  /** Each request's deadline (Confluent's kafkastore.timeout.ms is 500; a local cluster under load needs more). */
  timeoutMs?: number;
  /** Called for every record read, in offset order. */
  onRecord: (record: StoreRecord, offset: number) => void;
}

const TOPIC_ALREADY_EXISTS = 36;
const RETRIABLE = new Set([3, 5, 6, 7, 13, 14, 15, 19, 56, 74, 75]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Waiter {
  offset: number;
  resolve: () => void;
}

export class KafkaStore {
  readonly topic: string;
  readonly #opts: KafkaStoreOptions;
  readonly #timeoutMs: number;
  #brokers: { host: string; port: number }[];
  #reader: LeaderConnection | undefined;
  #writer: LeaderConnection | undefined;
  #position = 0;
  #waiters: Waiter[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(opts: KafkaStoreOptions) {
    this.#opts = opts;
    this.topic = opts.topic ?? '_schemas';
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#brokers = opts.bootstrap.map((a) => {
      const i = a.lastIndexOf(':');
      return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
    });
  }

  /** The next offset the reader will apply. */
  get position(): number {
    return this.#position;
  }

  /** Creates the topic if needed and reads it to its end. */
  async start(): Promise<void> {
    // A cluster just started may not have its brokers registered yet: retry until the deadline.
    const deadline = Date.now() + this.#timeoutMs;
    let end: number;
    for (;;) {
      try {
        await this.#ensureTopic();
        end = await this.#fetchOnce(0);
        break;
      } catch (e) {
        this.#reader?.close();
        this.#reader = undefined;
        if (Date.now() > deadline) throw new Error(`cannot read ${this.topic}: ${(e as Error).message}`, { cause: e });
        await sleep(200);
      }
    }
    this.#loop = this.#tail();
    await this.#until(end);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#reader?.close();
    this.#writer?.close();
    await this.#loop?.catch(() => {});
  }

  /** Writes the records (one batch) and resolves once they are applied. */
  async append(records: StoreRecord[]): Promise<void> {
    const batch = buildRecordBatch(records.map(encodeRecord));
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      try {
        this.#writer ??= await this.#leaderConnection();
        const res = await this.#writer.send(
          0,
          9,
          {
            acks: -1,
            timeoutMs: this.#timeoutMs,
            topicData: [{ name: this.topic, partitionData: [{ index: 0, records: batch }] }],
          },
          produceApi.encodeProduceRequest,
          produceApi.decodeProduceResponse,
        );
        const p = res.responses[0]?.partitionResponses[0];
        if (!p) throw new Error('no produce answer for the partition');
        if (p.errorCode === 0) return await this.#until(p.baseOffset + records.length);
        if (!RETRIABLE.has(p.errorCode))
          throw Errors.store(`Error while registering the schema: produce failed with error code ${p.errorCode}`);
        this.#writer.close();
        this.#writer = undefined;
      } catch (e) {
        if ((e as { errorCode?: number }).errorCode) throw e;
        this.#writer?.close();
        this.#writer = undefined;
        if (Date.now() > deadline) throw Errors.timeout(`Write to the Kafka store timed out: ${(e as Error).message}`);
      }
      if (Date.now() > deadline) throw Errors.timeout('Write to the Kafka store timed out');
      await sleep(200);
    }
  }

  #until(offset: number): Promise<void> {
    if (this.#position >= offset) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ offset, resolve }));
  }

  async #tail(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#fetchOnce(500);
      } catch {
        this.#reader?.close();
        this.#reader = undefined;
        if (!this.#stopped) await sleep(200);
      }
    }
  }

  /** One fetch from the position; applies what it returns; answers the high watermark. */
  async #fetchOnce(maxWaitMs: number): Promise<number> {
    this.#reader ??= await this.#leaderConnection();
    const res = await this.#reader.send(
      1,
      12,
      {
        replicaId: -1,
        maxWaitMs,
        minBytes: 1,
        maxBytes: 16 * 1024 * 1024,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: this.topic,
            partitions: [{ partition: 0, fetchOffset: this.#position, partitionMaxBytes: 8 * 1024 * 1024 }],
          },
        ],
      },
      fetchApi.encodeFetchRequest,
      fetchApi.decodeFetchResponse,
      maxWaitMs,
    );
    const p = res.responses[0]?.partitions[0];
    if (!p) throw new Error('no fetch answer for the partition');
    if (p.errorCode !== 0) throw new Error(`fetch failed with error code ${p.errorCode}`);
    if (p.records) this.#apply(p.records);
    return p.highWatermark;
  }

  #apply(buf: Buffer): void {
    let pos = 0;
    while (pos + 12 <= buf.length) {
      const end = pos + 12 + buf.readInt32BE(pos + 8);
      if (end > buf.length) break;
      const h = decodeBatchHeader(buf, pos);
      if (!h.isControl)
        for (const r of decodeRecords(buf, pos)) {
          if (r.offset < this.#position) continue;
          const record = decodeRecord(r.key, r.value);
          if (record) this.#opts.onRecord(record, r.offset);
        }
      this.#position = Math.max(this.#position, h.baseOffset + h.lastOffsetDelta + 1);
      pos = end;
    }
    const ready = this.#waiters.filter((w) => w.offset <= this.#position);
    this.#waiters = this.#waiters.filter((w) => w.offset > this.#position);
    for (const w of ready) w.resolve();
  }

  /** Metadata from any known broker. */
  async #metadata(): Promise<metadataApi.MetadataResponse> {
    let last: Error | undefined;
    for (const b of this.#brokers) {
      let c: LeaderConnection | undefined;
      try {
        c = await LeaderConnection.connect(b.host, b.port, 'samsa-schema-registry', this.#timeoutMs);
        const res = await c.send(
          3,
          12,
          { topics: [{ name: this.topic }], allowAutoTopicCreation: false },
          metadataApi.encodeMetadataRequest,
          metadataApi.decodeMetadataResponse,
        );
        const known = res.brokers.map((x) => ({ host: x.host, port: x.port }));
        if (known.length > 0)
          this.#brokers = [
            ...known,
            ...this.#brokers.filter((x) => !known.some((k) => k.host === x.host && k.port === x.port)),
          ];
        return res;
      } catch (e) {
        last = e as Error;
      } finally {
        c?.close();
      }
    }
    throw last ?? new Error('no broker to ask');
  }

  async #leaderConnection(): Promise<LeaderConnection> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const md = await this.#metadata();
      const leader = md.topics[0]?.partitions.find((p) => p.partitionIndex === 0)?.leaderId ?? -1;
      const broker = md.brokers.find((b) => b.nodeId === leader);
      if (broker) return LeaderConnection.connect(broker.host, broker.port, 'samsa-schema-registry', this.#timeoutMs);
      if (Date.now() > deadline) throw new Error(`no leader for ${this.topic}-0`);
      await sleep(100);
    }
  }

  async #ensureTopic(): Promise<void> {
    const md = await this.#metadata();
    if (md.topics[0]?.errorCode === 0) return;
    const rf = Math.min(3, Math.max(1, md.brokers.length));
    let c: LeaderConnection | undefined;
    try {
      const b = this.#brokers[0]!;
      c = await LeaderConnection.connect(b.host, b.port, 'samsa-schema-registry', this.#timeoutMs);
      const res = await c.send(
        19,
        5,
        {
          topics: [
            {
              name: this.topic,
              numPartitions: 1,
              replicationFactor: rf,
              configs: [{ name: 'cleanup.policy', value: 'compact' }],
            },
          ],
          timeoutMs: this.#timeoutMs,
        },
        createTopics.encodeCreateTopicsRequest,
        createTopics.decodeCreateTopicsResponse,
      );
      const t = res.topics[0];
      if (t && t.errorCode !== 0 && t.errorCode !== TOPIC_ALREADY_EXISTS)
        throw new Error(`creating ${this.topic} failed: ${t.errorMessage ?? `error code ${t.errorCode}`}`);
    } finally {
      c?.close();
    }
  }
}
