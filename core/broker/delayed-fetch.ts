// Delayed fetch "purgatory": fetch requests that have not yet gathered
// `minBytes` wait here until a produce lands on one of their partitions or
// their `maxWaitMs` expires (Kafka's long-poll fetch). A waiter fires once:
// the fetch handler then reads again and either answers or parks anew.

export type WakeReason = 'data' | 'timeout' | 'shutdown';

interface Waiter {
  keys: string[];
  timer: NodeJS.Timeout | undefined;
  fire: (reason: WakeReason) => void;
  done: boolean;
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

export class DelayedFetchPurgatory {
  private readonly byKey = new Map<string, Set<Waiter>>();
  private readonly all = new Set<Waiter>();

  /** Number of parked fetches (for tests and metrics). */
  get size(): number {
    return this.all.size;
  }

  /**
   * Parks a waiter on the given partition keys; `onWake` is called exactly
   * once, with the reason. Returns a function that cancels the wait.
   */
  watch(keys: string[], timeoutMs: number, onWake: (reason: WakeReason) => void): () => void {
    const waiter: Waiter = {
      keys,
      timer: undefined,
      done: false,
      fire: (reason) => {
        if (waiter.done) return;
        this.remove(waiter);
        onWake(reason);
      },
    };
    waiter.timer = setTimeout(() => waiter.fire('timeout'), Math.max(0, timeoutMs));
    this.all.add(waiter);
    for (const k of keys) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(waiter);
    }
    return () => this.remove(waiter);
  }

  /** New data on a partition: wakes every fetch waiting on it. */
  notify(key: string): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const w of [...set]) w.fire('data');
  }

  /** Wakes every waiter (broker shutdown): they answer with what they have. */
  wakeAll(): void {
    for (const w of [...this.all]) w.fire('shutdown');
  }

  private remove(w: Waiter): void {
    if (w.done) return;
    w.done = true;
    if (w.timer) clearTimeout(w.timer);
    this.all.delete(w);
    for (const k of w.keys) {
      const set = this.byKey.get(k);
      if (!set) continue;
      set.delete(w);
      if (set.size === 0) this.byKey.delete(k);
    }
  }
}
