// The write queue of a partition's log: appended bytes reach their segment file
// asynchronously and in append order, while the log already counts them (Kafka
// appends to the page cache synchronously; here the tail cache serves the bytes
// until their write lands). Appends of the same tick to contiguous positions of
// one segment are coalesced into one positional writev. A task queued between
// writes (a roll's index write and fsync of the segment it closes) runs once the
// writes queued before it are done. The first failed write fails the queue:
// every later write fails with the same error, and the log refuses appends.
import { writevAt } from './file-io.ts';
import type { Segment } from './segment.ts';

type QueueItem =
  | { kind: 'write'; seg: Segment; position: number; buf: Buffer; done: () => void; fail: (e: Error) => void }
  | { kind: 'task'; run: () => void };

export class WriteQueue {
  private queue: QueueItem[] = [];
  private draining = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private _failure: Error | undefined;
  private readonly afterRound: () => Promise<void> | undefined;

  /**
   * `afterRound` runs after each round of queued items; a promise it returns is
   * awaited before the next round (the log's flush.messages fsync).
   */
  constructor(afterRound: () => Promise<void> | undefined) {
    this.afterRound = afterRound;
  }

  /** The error of the first failed write (the log is failed from then on). */
  get failure(): Error | undefined {
    return this._failure;
  }

  /** Queues `buf` for writing at `position` of `seg`; `done` or `fail` is called once it is written or failed. */
  write(seg: Segment, position: number, buf: Buffer, done: () => void, fail: (e: Error) => void): void {
    this.enqueue({ kind: 'write', seg, position, buf, done, fail });
  }

  /** Queues `run` to run after the writes queued so far. */
  task(run: () => void): void {
    this.enqueue({ kind: 'task', run });
  }

  /** Resolves when every write queued so far is done. */
  idle(): Promise<void> {
    if (!this.draining && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private enqueue(item: QueueItem): void {
    this.queue.push(item);
    if (!this.draining && !this.scheduled) {
      this.scheduled = true;
      // setImmediate lets appends of the same tick (and I/O phase) coalesce into one writev.
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    }
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const items = this.queue;
        this.queue = [];
        let i = 0;
        while (i < items.length) {
          const first = items[i]!;
          if (first.kind === 'task') {
            first.run();
            i++;
            continue;
          }
          // Group consecutive writes to the same segment at contiguous positions.
          const group = [first];
          let end = first.position + first.buf.length;
          let j = i + 1;
          for (; j < items.length; j++) {
            const it = items[j]!;
            if (it.kind !== 'write' || it.seg !== first.seg || it.position !== end) break;
            group.push(it);
            end += it.buf.length;
          }
          i = j;
          try {
            if (this._failure) throw this._failure;
            await first.seg.use((fd) =>
              writevAt(
                fd,
                group.map((g) => g.buf),
                first.position,
              ),
            );
            first.seg.writtenSize = end;
            for (const g of group) g.done();
          } catch (e) {
            this._failure ??= e as Error;
            for (const g of group) g.fail(e as Error);
          }
        }
        const after = this.afterRound();
        if (after) await after;
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
