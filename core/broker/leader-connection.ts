// A replica fetcher's connection to a partition leader: Kafka framing, requests answered in
// order (correlation ids checked), each bounded by a timeout; a lost connection fails every
// request in flight. Fetch and OffsetForLeaderEpoch go through it (replica-fetcher.ts).
import net from 'node:net';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import { FrameParser } from './frame-parser.ts';

interface Pending {
  correlationId: number;
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** A Kafka-framed client connection to the leader, requests in order. */
export class LeaderConnection {
  private readonly socket: net.Socket;
  private readonly parser = new FrameParser(0x7fffffff);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private readonly clientId: string;
  private readonly timeoutMs: number;
  closed = false;

  private constructor(socket: net.Socket, clientId: string, timeoutMs: number) {
    this.socket = socket;
    this.clientId = clientId;
    this.timeoutMs = timeoutMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(host: string, port: number, clientId: string, timeoutMs: number): Promise<LeaderConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connecting to ${host}:${port} timed out`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', reject);
        resolve(new LeaderConnection(s, clientId, timeoutMs));
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Sends a flexible-version request (header v2) and decodes its answer (header v1). */
  send<Req, Res>(
    apiKey: number,
    version: number,
    body: Req,
    encode: (w: Writer, v: number, m: Req) => void,
    decode: (r: Reader, v: number) => Res,
    extraWaitMs = 0,
  ): Promise<Res & { frameBytes: number }> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const correlationId = this.nextCorrelationId++;
    const w = new Writer();
    const size = w.reserveInt32();
    w.int16(apiKey).int16(version).int32(correlationId).nullableString(this.clientId);
    w.uvarint(0);
    encode(w, version, body);
    w.fillSize(size);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`no answer within ${this.timeoutMs + extraWaitMs} ms`)),
        this.timeoutMs + extraWaitMs,
      );
      this.pending.push({
        correlationId,
        reject,
        timer,
        resolve: (frame) => {
          const r = new Reader(frame, 4);
          r.skipTaggedFields();
          resolve(
            Object.assign(decode(r, version) as object, { frameBytes: frame.length }) as Res & { frameBytes: number },
          );
        },
      });
      this.socket.cork();
      for (const c of w.toChunks()) this.socket.write(c);
      this.socket.uncork();
    });
  }

  private onData(chunk: Buffer): void {
    this.parser.push(chunk);
    for (let frame = this.parser.next(); frame; frame = this.parser.next()) {
      const p = this.pending.shift();
      if (!p || frame.readInt32BE(0) !== p.correlationId) {
        this.fail(new Error('unexpected response from the leader'));
        return;
      }
      clearTimeout(p.timer);
      try {
        p.resolve(frame);
      } catch (e) {
        p.reject(e as Error);
      }
    }
  }

  private fail(err: Error): void {
    this.closed = true;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.socket.destroy();
  }

  close(): void {
    this.fail(new Error('connection closed'));
  }
}
