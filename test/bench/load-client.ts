// The benchmark's load client: raw sockets, pipelined requests, the project's
// codecs for every request and response. The produce workload builds its
// request bytes once and sends the same frame over and over (only the
// correlation id changes), so the client costs next to nothing per record and
// the broker, which rewrites offsets itself, is what is measured.

import net from 'node:net';
import { Reader } from '../../core/protocol/reader.ts';
import { Writer, type Int32Slot } from '../../core/protocol/writer.ts';
import { BATCH, batchSize, buildRecordBatch, readInt64, type RecordInput } from '../../core/protocol/record-batch.ts';
import { errorName } from '../../core/protocol/errors.ts';
import { ApiKey } from '../../core/protocol/messages/index.ts';
import {
  ApiVersionsRequestVersions,
  decodeApiVersionsResponse,
  encodeApiVersionsRequest,
} from '../../core/protocol/messages/api-versions.ts';
import {
  CreateTopicsRequestVersions,
  decodeCreateTopicsResponse,
  encodeCreateTopicsRequest,
} from '../../core/protocol/messages/create-topics.ts';
import {
  ProduceRequestVersions,
  decodeProduceResponse,
  encodeProduceRequest,
} from '../../core/protocol/messages/produce.ts';
import { FetchRequestVersions, decodeFetchResponse, encodeFetchRequest } from '../../core/protocol/messages/fetch.ts';
import {
  MetadataRequestVersions,
  decodeMetadataResponse,
  encodeMetadataRequest,
} from '../../core/protocol/messages/metadata.ts';

const CLIENT_ID = 'samsa-bench';

type FrameHandler = (frame: Buffer) => void;

/** Writes the request header (size slot, api key, version, correlation id, client id). */
function beginRequest(
  apiKey: number,
  version: number,
  flexible: boolean,
  correlationId: number,
): { w: Writer; size: Int32Slot } {
  const w = new Writer(256);
  const size = w.reserveInt32();
  w.int16(apiKey).int16(version).int32(correlationId).nullableString(CLIENT_ID);
  if (flexible) w.uvarint(0);
  return { w, size };
}

/**
 * Splits the response stream into frames. A frame inside one socket chunk is a
 * view of it; one spanning chunks is assembled in a reusable buffer, so the
 * client allocates nothing per large response. A frame is only valid during
 * the synchronous handler call (the bench reads and drops it at once).
 */
class ResponseFramer {
  private assembly = Buffer.allocUnsafe(4 * 1024 * 1024);
  private need = -1; // frame size, once the prefix is known
  private filled = 0; // bytes of the current frame (or of the 4-byte prefix) assembled
  private readonly prefix = Buffer.alloc(4);

  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.need < 0) {
        if (this.filled === 0 && chunk.length - pos >= 4) {
          this.need = chunk.readInt32BE(pos);
          pos += 4;
        } else {
          const n = Math.min(4 - this.filled, chunk.length - pos);
          chunk.copy(this.prefix, this.filled, pos, pos + n);
          this.filled += n;
          pos += n;
          if (this.filled < 4) return;
          this.need = this.prefix.readInt32BE(0);
          this.filled = 0;
        }
        if (this.need < 0) throw new Error(`invalid response size ${this.need}`);
      }
      if (this.filled === 0 && chunk.length - pos >= this.need) {
        const frame = chunk.subarray(pos, pos + this.need);
        pos += this.need;
        this.need = -1;
        onFrame(frame);
        continue;
      }
      if (this.assembly.length < this.need)
        this.assembly = Buffer.allocUnsafe(Math.max(this.need, this.assembly.length * 2));
      const n = Math.min(this.need - this.filled, chunk.length - pos);
      chunk.copy(this.assembly, this.filled, pos, pos + n);
      this.filled += n;
      pos += n;
      if (this.filled === this.need) {
        const frame = this.assembly.subarray(0, this.need);
        this.need = -1;
        this.filled = 0;
        onFrame(frame);
      }
    }
  }
}

/** One socket; responses are matched to requests in order (correlation ids checked). */
export class BenchConnection {
  readonly socket: net.Socket;
  private readonly framer = new ResponseFramer();
  private readonly pending: { corr: number; handle: FrameHandler; reject?: (e: Error) => void }[] = [];
  private head = 0;
  private nextCorr = 1;
  private failure: Error | null = null;
  private readonly failListeners: ((e: Error) => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  static connect(host: string, port: number): Promise<BenchConnection> {
    return new Promise((res, rej) => {
      const s = net.connect({ host, port }, () => {
        s.off('error', rej);
        res(new BenchConnection(s));
      });
      s.once('error', rej);
    });
  }

  onFail(fn: (e: Error) => void): void {
    this.failListeners.push(fn);
  }

  /** Sends a frame whose correlation id is already `corr`; `handle` gets the response frame. */
  sendFrame(chunks: Buffer[], corr: number, handle: FrameHandler, reject?: (e: Error) => void): void {
    if (this.failure) throw this.failure;
    this.pending.push({ corr, handle, reject });
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }

  takeCorrelationId(): number {
    return this.nextCorr++;
  }

  /**
   * Encodes, sends and decodes one request with the generated codecs. Byte
   * fields of the result (records) may view a reusable buffer: they are valid
   * until the next response arrives on this connection.
   */
  request<Req, Res>(
    apiKey: number,
    version: number,
    flexibleMin: number,
    encode: (w: Writer, v: number, m: Req) => void,
    decode: (r: Reader, v: number) => Res,
    body: Req,
  ): Promise<Res> {
    const flexible = flexibleMin >= 0 && version >= flexibleMin;
    const corr = this.takeCorrelationId();
    const { w, size } = beginRequest(apiKey, version, flexible, corr);
    encode(w, version, body);
    w.fillSize(size);
    return new Promise((res, rej) => {
      this.sendFrame(
        w.toChunks(),
        corr,
        (frame) => {
          try {
            const r = new Reader(frame, 4);
            if (flexible && apiKey !== ApiKey.ApiVersions) r.skipTaggedFields();
            res(decode(r, version));
          } catch (e) {
            rej(e as Error);
          }
        },
        rej,
      );
    });
  }

  private onData(chunk: Buffer): void {
    try {
      this.framer.push(chunk, (frame) => {
        const p = this.pending[this.head];
        const corr = frame.readInt32BE(0);
        if (!p || p.corr !== corr) throw new Error(`unexpected response (correlation id ${corr}, expected ${p?.corr})`);
        this.pending[this.head++] = undefined as never;
        if (this.head > 4096) {
          this.pending.splice(0, this.head);
          this.head = 0;
        }
        p.handle(frame);
      });
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.socket.destroy();
    for (let i = this.head; i < this.pending.length; i++) this.pending[i]?.reject?.(e);
    for (const fn of this.failListeners) fn(e);
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }
}

// ------------------------------------------------------------------ versions, topics

/** Negotiated versions; createTopics is -1 when the broker lacks CreateTopics (librdkafka's mock). */
export interface Versions {
  produce: number;
  fetch: number;
  createTopics: number;
  metadata: number;
}

/** Highest version both sides speak; Produce ≤ 11 and Fetch ≤ 12 keep topic names (no topic ids). */
export async function negotiate(conn: BenchConnection): Promise<Versions> {
  let res = await conn.request(
    ApiKey.ApiVersions,
    3,
    ApiVersionsRequestVersions.flexibleMin,
    encodeApiVersionsRequest,
    decodeApiVersionsResponse,
    { clientSoftwareName: CLIENT_ID, clientSoftwareVersion: '1.0' },
  );
  if (res.errorCode !== 0) {
    res = await conn.request(
      ApiKey.ApiVersions,
      0,
      ApiVersionsRequestVersions.flexibleMin,
      encodeApiVersionsRequest,
      decodeApiVersionsResponse,
      {},
    );
  }
  const pick = (key: number, ours: number, optional = false): number => {
    const k = res.apiKeys.find((a) => a.apiKey === key);
    if (!k && optional) return -1;
    if (!k) throw new Error(`broker does not support api key ${key}`);
    return Math.min(k.maxVersion, ours);
  };
  return {
    produce: pick(ApiKey.Produce, Math.min(ProduceRequestVersions.max, 11)),
    fetch: pick(ApiKey.Fetch, Math.min(FetchRequestVersions.max, 12)),
    createTopics: pick(ApiKey.CreateTopics, CreateTopicsRequestVersions.max, true),
    metadata: pick(ApiKey.Metadata, Math.min(MetadataRequestVersions.max, 9)),
  };
}

export async function createTopic(
  conn: BenchConnection,
  v: Versions,
  name: string,
  partitions: number,
  replicationFactor = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  if (v.createTopics < 0) throw new Error('the broker does not support CreateTopics');
  const res = await conn.request(
    ApiKey.CreateTopics,
    v.createTopics,
    CreateTopicsRequestVersions.flexibleMin,
    encodeCreateTopicsRequest,
    decodeCreateTopicsResponse,
    {
      topics: [
        {
          name,
          numPartitions: partitions,
          replicationFactor,
          assignments: [],
          configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
        },
      ],
      timeoutMs: 10_000,
    },
  );
  const t = res.topics[0];
  if (!t || (t.errorCode !== 0 && t.errorCode !== 36) /* TOPIC_ALREADY_EXISTS */) {
    throw new Error(`CreateTopics ${name}: ${t ? errorName(t.errorCode) : 'no answer'} ${t?.errorMessage ?? ''}`);
  }
}

/** Partition count of a topic via Metadata, auto-creating it (the mock's only way to make topics). */
export async function topicPartitions(conn: BenchConnection, v: Versions, name: string): Promise<number> {
  const res = await conn.request(
    ApiKey.Metadata,
    v.metadata,
    MetadataRequestVersions.flexibleMin,
    encodeMetadataRequest,
    decodeMetadataResponse,
    { topics: [{ name }], allowAutoTopicCreation: true },
  );
  const t = res.topics.find((x) => x.name === name);
  if (!t || t.errorCode !== 0) throw new Error(`Metadata ${name}: ${t ? errorName(t.errorCode) : 'no answer'}`);
  return t.partitions.length;
}

// ------------------------------------------------------------------ produce

export interface ProduceSpec {
  /** Each request carries one batch for every listed partition. */
  topics: { name: string; partitions: number[] }[];
  recordsPerBatch: number;
  valueBytes: number;
  /** Stop after this many records have been sent (rounded up to whole requests). */
  records: number;
  connections: number;
  inFlightPerConnection: number;
  /** 1 (default) or -1 (all in-sync replicas). */
  acks?: number;
}

export interface ProduceResult {
  recordsAcked: number;
  /** Records in requests answered with an error, by error name. */
  errors: Record<string, number>;
  requests: number;
  requestBytes: number;
  batchBytes: number;
  elapsedMs: number;
  /** Rate after the first 20% of the acknowledgements (warm-up excluded). */
  steadyRecordsPerSec: number;
  overallRecordsPerSec: number;
  /** Next offset per topic and partition, from the last acknowledgement of each. */
  endOffsets: Map<string, number[]>;
}

/** One produce request (acks=1 unless the spec says otherwise) holding one batch of `recordsPerBatch` records per partition. */
export function buildProduceRequest(spec: ProduceSpec, version: number): { frame: Buffer; batchBytes: number } {
  const value = Buffer.alloc(spec.valueBytes);
  for (let i = 0; i < value.length; i++) value[i] = 97 + (i % 26);
  const records: RecordInput[] = Array.from({ length: spec.recordsPerBatch }, () => ({ key: null, value }));
  const batch = buildRecordBatch(records, { baseTimestamp: Date.now() });
  const flexible = version >= ProduceRequestVersions.flexibleMin;
  const { w, size } = beginRequest(ApiKey.Produce, version, flexible, 0);
  encodeProduceRequest(w, version, {
    transactionalId: null,
    acks: spec.acks ?? 1,
    timeoutMs: 30_000,
    topicData: spec.topics.map((t) => ({
      name: t.name,
      partitionData: t.partitions.map((index) => ({ index, records: batch })),
    })),
  });
  w.fillSize(size);
  return { frame: w.toBuffer(), batchBytes: batch.length };
}

export async function runProduce(
  host: string,
  port: number,
  version: number,
  spec: ProduceSpec,
): Promise<ProduceResult> {
  const { frame, batchBytes } = buildProduceRequest(spec, version);
  const shared = frame.subarray(12); // after size, api key, version, correlation id
  const partitionsPerRequest = spec.topics.reduce((n, t) => n + t.partitions.length, 0);
  const recordsPerRequest = spec.recordsPerBatch * partitionsPerRequest;
  const totalRequests = Math.ceil(spec.records / recordsPerRequest);
  const flexible = version >= ProduceRequestVersions.flexibleMin;
  const conns = await Promise.all(Array.from({ length: spec.connections }, () => BenchConnection.connect(host, port)));

  let sent = 0;
  let answered = 0;
  let acked = 0;
  const errors: Record<string, number> = {};
  const endOffsets = new Map(
    spec.topics.map((t) => [t.name, new Array<number>(Math.max(...t.partitions) + 1).fill(0)]),
  );
  const warmupRecords = Math.floor(spec.records * 0.2);
  let warmupAt = -1;
  let warmupAcked = 0;
  const t0 = performance.now();

  return new Promise<ProduceResult>((resolve, reject) => {
    const finish = (): void => {
      const elapsedMs = performance.now() - t0;
      for (const c of conns) c.close();
      const steadyMs = performance.now() - warmupAt;
      resolve({
        recordsAcked: acked,
        errors,
        requests: answered,
        requestBytes: frame.length * answered,
        batchBytes,
        elapsedMs,
        overallRecordsPerSec: acked / (elapsedMs / 1000),
        steadyRecordsPerSec:
          warmupAt > 0 && steadyMs > 0 ? (acked - warmupAcked) / (steadyMs / 1000) : acked / (elapsedMs / 1000),
        endOffsets,
      });
    };
    const onResponse = (conn: BenchConnection, frameIn: Buffer): void => {
      answered++;
      const r = new Reader(frameIn, 4);
      if (flexible) r.skipTaggedFields();
      const res = decodeProduceResponse(r, version);
      for (const t of res.responses) {
        const ends = endOffsets.get(t.name);
        for (const p of t.partitionResponses) {
          if (p.errorCode === 0 && ends) {
            acked += spec.recordsPerBatch;
            const end = p.baseOffset + spec.recordsPerBatch;
            if (end > (ends[p.index] ?? 0)) ends[p.index] = end;
          } else {
            const name = errorName(p.errorCode);
            errors[name] = (errors[name] ?? 0) + spec.recordsPerBatch;
          }
        }
      }
      if (warmupAt < 0 && acked >= warmupRecords) {
        warmupAt = performance.now();
        warmupAcked = acked;
      }
      if (answered === totalRequests) return finish();
      sendOne(conn);
    };
    const sendOne = (conn: BenchConnection): void => {
      if (sent >= totalRequests) return;
      sent++;
      const corr = conn.takeCorrelationId();
      const head = Buffer.allocUnsafe(12);
      frame.copy(head, 0, 0, 12);
      head.writeInt32BE(corr, 8);
      conn.sendFrame([head, shared], corr, (f) => onResponse(conn, f));
    };
    for (const c of conns) {
      c.onFail(reject);
      for (let i = 0; i < spec.inFlightPerConnection; i++) sendOne(c);
    }
  });
}

// ------------------------------------------------------------------ consume

export interface ConsumeSpec {
  topic: string;
  partitions: number;
  /** Read each partition from 0 up to this offset. */
  endOffsets: number[];
  maxBytes: number;
  partitionMaxBytes: number;
  maxWaitMs: number;
}

export interface ConsumeResult {
  records: number;
  batchBytes: number;
  fetches: number;
  errors: Record<string, number>;
  elapsedMs: number;
  recordsPerSec: number;
}

/** A consumer's fetch loop: one fetch in flight on one connection, every unfinished partition in each request. */
export async function runConsume(
  host: string,
  port: number,
  version: number,
  spec: ConsumeSpec,
): Promise<ConsumeResult> {
  const conn = await BenchConnection.connect(host, port);
  const offsets = new Array<number>(spec.partitions).fill(0);
  const errors: Record<string, number> = {};
  let records = 0;
  let bytes = 0;
  let fetches = 0;
  let emptyInARow = 0;
  const t0 = performance.now();
  try {
    for (;;) {
      const todo = offsets.map((o, i) => ({ o, i })).filter(({ o, i }) => o < spec.endOffsets[i]!);
      if (todo.length === 0) break;
      const res = await conn.request(
        ApiKey.Fetch,
        version,
        FetchRequestVersions.flexibleMin,
        encodeFetchRequest,
        decodeFetchResponse,
        {
          replicaId: -1,
          maxWaitMs: spec.maxWaitMs,
          minBytes: 1,
          maxBytes: spec.maxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: spec.topic,
              partitions: todo.map(({ o, i }) => ({
                partition: i,
                fetchOffset: o,
                partitionMaxBytes: spec.partitionMaxBytes,
                currentLeaderEpoch: -1,
                logStartOffset: -1,
              })),
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        },
      );
      fetches++;
      if (res.errorCode !== 0) throw new Error(`fetch failed: ${errorName(res.errorCode)}`);
      let got = 0;
      for (const t of res.responses) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) {
            const name = errorName(p.errorCode);
            errors[name] = (errors[name] ?? 0) + 1;
            continue;
          }
          const buf = p.records;
          if (!buf) continue;
          // Whole batches only; a trailing partial batch is read again next time.
          let pos = 0;
          while (pos + BATCH.HEADER_SIZE <= buf.length) {
            const size = batchSize(buf, pos);
            if (pos + size > buf.length) break;
            const last = readInt64(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
            if (last >= offsets[p.partitionIndex]!) {
              records += buf.readInt32BE(pos + BATCH.RECORD_COUNT);
              offsets[p.partitionIndex] = last + 1;
            }
            bytes += size;
            got += size;
            pos += size;
          }
        }
      }
      if (got === 0 && ++emptyInARow > 20) throw new Error(`fetch makes no progress at offsets ${offsets.join(',')}`);
      if (got > 0) emptyInARow = 0;
      if (Object.keys(errors).length > 0 && Object.values(errors).reduce((a, b) => a + b, 0) > 100) break;
    }
  } finally {
    conn.close();
  }
  const elapsedMs = performance.now() - t0;
  return { records, batchBytes: bytes, fetches, errors, elapsedMs, recordsPerSec: records / (elapsedMs / 1000) };
}

// ------------------------------------------------------------------ start-up probe

/** Connects to host:port until accepted, then asks ApiVersions; times both from `t0`. */
export async function probeStartup(
  host: string,
  port: number,
  t0: number,
  timeoutMs = 30_000,
): Promise<{ acceptMs: number; apiVersionsMs: number }> {
  const deadline = t0 + timeoutMs;
  for (;;) {
    let conn: BenchConnection;
    try {
      conn = await BenchConnection.connect(host, port);
    } catch {
      if (performance.now() > deadline) throw new Error(`nothing accepted on ${host}:${port} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const acceptMs = performance.now() - t0;
    try {
      const res = await conn.request(
        ApiKey.ApiVersions,
        3,
        ApiVersionsRequestVersions.flexibleMin,
        encodeApiVersionsRequest,
        decodeApiVersionsResponse,
        { clientSoftwareName: CLIENT_ID, clientSoftwareVersion: '1.0' },
      );
      if (res.errorCode !== 0) throw new Error(`ApiVersions: ${errorName(res.errorCode)}`);
      return { acceptMs, apiVersionsMs: performance.now() - t0 };
    } finally {
      conn.close();
    }
  }
}
