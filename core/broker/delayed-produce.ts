// Delayed produce "purgatory": acks=all produces that wait for the high
// watermark to reach the end of their write (Kafka's DelayedProduce). A
// waiter is re-checked when something that can complete it happens on its
// partition (the high watermark or the ISR moved, leadership changed); it
// completes once, with the error code its check returns, or with
// REQUEST_TIMED_OUT when its timeout passes first.
import { ErrorCode } from '../protocol/errors.ts';

/** Returns the error code to complete with, or undefined to keep waiting. */
export type ProduceCheck = () => number | undefined;

interface Waiter {
  key: string;
  check: ProduceCheck;
  timer: NodeJS.Timeout | undefined;
  resolve: (code: number) => void;
}

export class DelayedProducePurgatory {
  private readonly byKey = new Map<string, Set<Waiter>>();

  /** Number of waiting produces (tests, metrics). */
  get size(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }

  /** Completes at once when `check` already answers; otherwise waits up to `timeoutMs`. */
  watch(key: string, timeoutMs: number, check: ProduceCheck): Promise<number> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<number>((resolve) => {
      const w: Waiter = { key, check, timer: undefined, resolve };
      w.timer = setTimeout(() => this.complete(w, ErrorCode.REQUEST_TIMED_OUT), Math.max(0, timeoutMs));
      let set = this.byKey.get(key);
      if (!set) this.byKey.set(key, (set = new Set()));
      set.add(w);
    });
  }

  /** Re-checks the produces waiting on `key`. */
  checkKey(key: string): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const w of [...set]) {
      const code = w.check();
      if (code !== undefined) this.complete(w, code);
    }
  }

  /** Completes every produce waiting on `key` with `code`. */
  failKey(key: string, code: number): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const w of [...set]) this.complete(w, code);
  }

  /** Completes every waiting produce with `code` (shutdown). */
  failAll(code: number): void {
    for (const key of [...this.byKey.keys()]) this.failKey(key, code);
  }

  private complete(w: Waiter, code: number): void {
    const set = this.byKey.get(w.key);
    if (!set || !set.delete(w)) return;
    if (set.size === 0) this.byKey.delete(w.key);
    if (w.timer) clearTimeout(w.timer);
    w.resolve(code);
  }
}
