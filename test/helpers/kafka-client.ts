// A lean Kafka protocol client for tests and benchmarks: one socket,
// pipelined requests, one promise per request, built on the generated codecs.
// Responses are matched to requests in order and their correlation ids are
// checked, so an out-of-order broker fails loudly.

import net from 'node:net';
import { Reader } from '../../core/protocol/reader.ts';
import { Writer } from '../../core/protocol/writer.ts';
import { FrameParser } from '../../core/broker/frame-parser.ts';
import * as produce from '../../core/protocol/messages/produce.ts';
import * as fetch from '../../core/protocol/messages/fetch.ts';
import * as listOffsets from '../../core/protocol/messages/list-offsets.ts';
import * as metadata from '../../core/protocol/messages/metadata.ts';
import * as apiVersions from '../../core/protocol/messages/api-versions.ts';
import { BATCH, decodeAllRecords } from '../../core/protocol/record-batch.ts';

export interface ClientCodec<Req, Res> {
  apiKey: number;
  /** First flexible version (request header v2, response header v1), -1 if none. */
  flexibleMin: number;
  encode(w: Writer, version: number, m: Req): void;
  decode(r: Reader, version: number): Res;
}

export const Api = {
  Produce: {
    apiKey: 0,
    flexibleMin: produce.ProduceRequestVersions.flexibleMin,
    encode: produce.encodeProduceRequest,
    decode: produce.decodeProduceResponse,
  },
  Fetch: {
    apiKey: 1,
    flexibleMin: fetch.FetchRequestVersions.flexibleMin,
    encode: fetch.encodeFetchRequest,
    decode: fetch.decodeFetchResponse,
  },
  ListOffsets: {
    apiKey: 2,
    flexibleMin: listOffsets.ListOffsetsRequestVersions.flexibleMin,
    encode: listOffsets.encodeListOffsetsRequest,
    decode: listOffsets.decodeListOffsetsResponse,
  },
  Metadata: {
    apiKey: 3,
    flexibleMin: metadata.MetadataRequestVersions.flexibleMin,
    encode: metadata.encodeMetadataRequest,
    decode: metadata.decodeMetadataResponse,
  },
  ApiVersions: {
    apiKey: 18,
    flexibleMin: apiVersions.ApiVersionsRequestVersions.flexibleMin,
    encode: apiVersions.encodeApiVersionsRequest,
    decode: apiVersions.decodeApiVersionsResponse,
  },
} as const satisfies Record<string, ClientCodec<any, any>>;

interface Pending {
  correlationId: number;
  /** Reads the response body (after the correlation id). */
  onFrame: (frame: Buffer) => void;
  reject: (err: Error) => void;
}

export class KafkaClient {
  readonly socket: net.Socket;
  private readonly parser = new FrameParser(0x7fffffff);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private closedError: Error | null = null;
  clientId = 'samsa-test';

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<KafkaClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port }, () => {
        s.off('error', reject);
        resolve(new KafkaClient(s));
      });
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Resolves when the server closes the connection. */
  waitClosed(): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    return new Promise((r) => this.socket.once('close', () => r()));
  }

  /** Sends a request; resolves with the decoded response (or undefined when none is expected). */
  send<Req, Res>(
    api: ClientCodec<Req, Res>,
    version: number,
    body: Req,
    opts: { expectResponse?: boolean } = {},
  ): Promise<Res> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    const flexible = api.flexibleMin >= 0 && version >= api.flexibleMin;
    const w = new Writer();
    const size = w.reserveInt32();
    w.int16(api.apiKey).int16(version).int32(correlationId).nullableString(this.clientId);
    if (flexible) w.uvarint(0); // request header v2: tagged fields
    api.encode(w, version, body);
    w.fillSize(size);
    const expect = opts.expectResponse ?? true;
    const result = expect
      ? new Promise<Res>((resolve, reject) => {
          this.pending.push({
            correlationId,
            reject,
            onFrame: (frame) => {
              const r = new Reader(frame, 4);
              // ApiVersions responses always use header v0 (no tagged fields).
              if (flexible && api.apiKey !== 18) r.skipTaggedFields();
              resolve(api.decode(r, version));
            },
          });
        })
      : Promise.resolve(undefined as Res);
    this.writeChunks(w.toChunks());
    return result;
  }

  /** Writes raw bytes (fuzzing, hand-made frames). */
  sendRaw(buf: Buffer): void {
    this.socket.write(buf);
  }

  private writeChunks(chunks: Buffer[]): void {
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }

  private onData(chunk: Buffer): void {
    this.parser.push(chunk);
    for (let frame = this.parser.next(); frame; frame = this.parser.next()) {
      const p = this.pending.shift();
      const corr = frame.readInt32BE(0);
      if (!p) return this.fail(new Error(`unexpected response with correlation id ${corr}`));
      if (p.correlationId !== corr) {
        const err = new Error(`response out of order: expected correlation id ${p.correlationId}, got ${corr}`);
        p.reject(err);
        return this.fail(err);
      }
      try {
        p.onFrame(frame);
      } catch (err) {
        p.reject(err as Error);
      }
    }
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    for (const p of this.pending.splice(0)) p.reject(err);
    this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Waits until every broker of `bootstrap` (host:port,…) answers Metadata for `topics` with each
 * topic known and every partition led, and each partition's leader answers ListOffsets for it. A
 * new topic's metadata reaches Kafka's brokers (and a Samsa cluster's) a little after CreateTopics
 * is answered, and a Kafka broker serves a partition a little after its metadata names it leader;
 * a client producing in that window gets retriable errors, and a producer without idempotence may
 * reorder records on the retry. Tests that check offsets exactly wait for this first.
 */
export async function waitForLeaders(bootstrap: string, topics: string[], ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  const split = (hostPort: string): [string, number] => {
    const i = hostPort.lastIndexOf(':');
    return [hostPort.slice(0, i), Number(hostPort.slice(i + 1))];
  };
  for (const hostPort of bootstrap.split(',')) {
    for (;;) {
      let missing = 'no answer';
      try {
        const [host, port] = split(hostPort);
        const client = await KafkaClient.connect(port, host);
        try {
          const r = await client.send(Api.Metadata, 9, { topics: topics.map((name) => ({ name })) });
          const bad = topics.filter((name) => {
            const t = r.topics.find((x) => x.name === name);
            return !t || t.errorCode !== 0 || t.partitions.length === 0 || t.partitions.some((p) => p.leaderId < 0);
          });
          if (bad.length === 0) {
            const notServing = await leadersNotServing(r);
            if (notServing.length === 0) break;
            missing = `leaders not serving yet: ${notServing.join(', ')}`;
          } else missing = `no leader yet for ${bad.join(', ')}`;
        } finally {
          client.close();
        }
      } catch (e) {
        missing = String(e);
      }
      if (Date.now() > deadline) throw new Error(`${hostPort}: ${missing} after ${ms} ms`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

/** The partitions (topic-n) whose leader does not yet answer ListOffsets (latest) for them. */
async function leadersNotServing(md: metadata.MetadataResponse): Promise<string[]> {
  const byLeader = new Map<number, { name: string; partitions: number[] }[]>();
  for (const t of md.topics) {
    for (const p of t.partitions) {
      const list = byLeader.get(p.leaderId) ?? [];
      let entry = list.find((e) => e.name === t.name);
      if (!entry) list.push((entry = { name: t.name!, partitions: [] }));
      entry.partitions.push(p.partitionIndex);
      byLeader.set(p.leaderId, list);
    }
  }
  const out: string[] = [];
  for (const [leader, list] of byLeader) {
    const b = md.brokers.find((x) => x.nodeId === leader);
    if (!b) {
      out.push(`broker ${leader}`);
      continue;
    }
    const c = await KafkaClient.connect(b.port, b.host);
    try {
      const r = await c.send(Api.ListOffsets, 1, {
        replicaId: -1,
        topics: list.map((e) => ({
          name: e.name,
          partitions: e.partitions.map((partitionIndex) => ({ partitionIndex, timestamp: -1 })),
        })),
      });
      for (const t of r.topics)
        for (const p of t.partitions) if (p.errorCode !== 0) out.push(`${t.name}-${p.partitionIndex}`);
    } finally {
      c.close();
    }
  }
  return out;
}

/**
 * Every record value of a partition from offset 0 to its high watermark, in offset order: Fetch
 * v12 (no wait, 50 MiB) from the offset after the last batch each answer held, so batches left
 * without records (compaction) are stepped over. Throws on a partition error.
 */
export async function fetchAllValues(c: KafkaClient, topic: string, partition = 0): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ;) {
    const r = await c.send(Api.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 50 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            {
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: offset,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 50 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const p = r.responses[0]!.partitions[0]!;
    if (p.errorCode !== 0) throw new Error(`fetch of ${topic}-${partition} at ${offset}: error ${p.errorCode}`);
    const buf = !p.records
      ? Buffer.alloc(0)
      : Buffer.isBuffer(p.records)
        ? p.records
        : Buffer.concat(p.records as Buffer[]);
    for (const x of decodeAllRecords(buf)) out.push(x.value!.toString());
    if (offset >= Number(p.highWatermark) || buf.length < BATCH.HEADER_SIZE) return out;
    let next = offset;
    for (let q = 0; q + BATCH.HEADER_SIZE <= buf.length; q += buf.readInt32BE(q + BATCH.LENGTH) + BATCH.LOG_OVERHEAD) {
      next = Number(buf.readBigInt64BE(q)) + buf.readInt32BE(q + BATCH.LAST_OFFSET_DELTA) + 1;
    }
    if (next <= offset) return out;
    offset = next;
    if (offset >= Number(p.highWatermark)) return out;
  }
}
