// One client connection: frames in, responses out, in request order.
//
// Kafka guarantees that responses on a connection come back in the order the
// requests were sent. Requests here may finish out of order (a long-poll
// fetch, then a metadata request), so each request that expects a response
// takes a slot in a FIFO; a slot is written only once every earlier slot is.
// Produce with acks=0 gets no response and takes no slot.
//
// Flow control, so one client cannot grow the broker's memory:
//  - at most `maxInFlight` requests are being processed at a time;
//  - while the socket's outgoing buffer is above `writeHighWaterMark`
//    (the client is not reading), no new requests are taken.
// In both cases the socket is paused, so the kernel's receive window pushes
// back on the client.

import type { Socket } from 'node:net';
import { FrameParser, FrameTooLargeError } from './frame-parser.ts';

/** What the dispatcher makes of one request frame. */
export type DispatchOutcome =
  /** A response (its frame chunks, size prefix included) now or later. */
  | { kind: 'response'; response: Buffer[] | Promise<Buffer[]> }
  /** No response is sent (acks=0 produce); `done` settles when the work finishes. */
  | { kind: 'none'; done: Promise<unknown> | undefined }
  /** Protocol violation: close the connection, as Kafka does. */
  | { kind: 'close'; reason: string };

export type Dispatch = (frame: Buffer, conn: Connection) => DispatchOutcome;

export interface ConnectionOptions {
  maxFrameBytes: number;
  maxInFlight: number;
  writeHighWaterMark: number;
  onLog?: (msg: string) => void;
}

interface Slot {
  chunks: Buffer[] | null;
}

let nextConnectionId = 1;

export class Connection {
  readonly id = nextConnectionId++;
  readonly socket: Socket;
  readonly remote: string;
  private readonly dispatch: Dispatch;
  private readonly opts: ConnectionOptions;
  private readonly parser: FrameParser;
  private readonly slots: Slot[] = [];
  private slotHead = 0;
  private inFlight = 0;
  private writeBlocked = false;
  private paused = false;
  private processing = false;
  private closedFlag = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(socket: Socket, dispatch: Dispatch, opts: ConnectionOptions) {
    this.socket = socket;
    this.dispatch = dispatch;
    this.opts = opts;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.parser = new FrameParser(opts.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.pump();
    });
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Requests taken and not yet answered (or finished, for acks=0). */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** True while the socket is paused by flow control. */
  get isPaused(): boolean {
    return this.paused;
  }

  onClose(fn: () => void): void {
    if (this.closedFlag) fn();
    else this.closeListeners.push(fn);
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.socket.destroy();
    this.slots.length = 0;
    for (const fn of this.closeListeners.splice(0)) fn();
  }

  private onData(chunk: Buffer): void {
    if (this.closedFlag) return;
    this.parser.push(chunk);
    this.pump();
  }

  /** Takes as many buffered frames as flow control allows, then pauses/resumes the socket. */
  private pump(): void {
    if (this.processing || this.closedFlag) return;
    this.processing = true;
    try {
      while (!this.closedFlag && this.inFlight < this.opts.maxInFlight && !this.writeBlocked) {
        let frame: Buffer | null;
        try {
          frame = this.parser.next();
        } catch (err) {
          const msg = err instanceof FrameTooLargeError ? err.message : String(err);
          this.opts.onLog?.(`closing connection ${this.remote}: ${msg}`);
          this.close();
          return;
        }
        if (!frame) break;
        this.handleFrame(frame);
      }
    } finally {
      this.processing = false;
    }
    if (this.closedFlag) return;
    const mustPause = this.inFlight >= this.opts.maxInFlight || this.writeBlocked;
    if (mustPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!mustPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private handleFrame(frame: Buffer): void {
    let outcome: DispatchOutcome;
    try {
      outcome = this.dispatch(frame, this);
    } catch (err) {
      this.opts.onLog?.(`closing connection ${this.remote}: ${(err as Error).message}`);
      this.close();
      return;
    }
    if (outcome.kind === 'close') {
      this.opts.onLog?.(`closing connection ${this.remote}: ${outcome.reason}`);
      this.close();
      return;
    }
    if (outcome.kind === 'none') {
      if (!outcome.done) return;
      this.inFlight++;
      outcome.done.then(
        () => this.finishUnanswered(),
        (err: unknown) => {
          if (!this.closedFlag) this.opts.onLog?.(`request without response failed on ${this.remote}: ${String(err)}`);
          this.finishUnanswered();
        },
      );
      return;
    }
    const slot: Slot = { chunks: null };
    this.slots.push(slot);
    this.inFlight++;
    const r = outcome.response;
    if (Array.isArray(r)) {
      this.complete(slot, r);
    } else {
      r.then(
        (chunks) => this.complete(slot, chunks),
        (err: unknown) => {
          if (this.closedFlag) return;
          // A handler failed unexpectedly: we cannot answer in Kafka's terms
          // for every API, so the connection is closed (the client retries).
          this.opts.onLog?.(
            `closing connection ${this.remote}: handler failed: ${(err as Error)?.stack ?? String(err)}`,
          );
          this.close();
        },
      );
    }
  }

  private finishUnanswered(): void {
    this.inFlight--;
    this.pump();
  }

  private complete(slot: Slot, chunks: Buffer[]): void {
    if (this.closedFlag) return;
    slot.chunks = chunks;
    this.flush();
    this.pump();
  }

  /** Writes every leading slot that is ready, in order. */
  private flush(): void {
    const socket = this.socket;
    let wrote = false;
    while (this.slotHead < this.slots.length) {
      const slot = this.slots[this.slotHead]!;
      if (!slot.chunks) break;
      if (!wrote) {
        socket.cork();
        wrote = true;
      }
      for (const c of slot.chunks) socket.write(c);
      slot.chunks = null;
      this.slotHead++;
      this.inFlight--;
    }
    if (this.slotHead === this.slots.length) {
      this.slots.length = 0;
      this.slotHead = 0;
    } else if (this.slotHead > 1024) {
      this.slots.splice(0, this.slotHead);
      this.slotHead = 0;
    }
    if (wrote) {
      socket.uncork();
      if (socket.writableLength > this.opts.writeHighWaterMark) this.writeBlocked = true;
    }
  }
}
