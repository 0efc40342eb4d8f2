// What waits on the controller's change log: brokers' metadata fetches long-polling for the next
// change (as a KRaft follower's Fetch waits in the leader's purgatory), and admin requests waiting
// until every live broker has applied their change before they are answered. Each wait ends at
// its timeout at the latest; closing the controller ends them all.

interface Waiter {
  seq: number;
  resolve: () => void;
  timer: NodeJS.Timeout | null;
}

export class MetadataWaits {
  /** Whether every live broker has applied `seq` (the broker registry's view). */
  private readonly allApplied: (seq: number) => boolean;
  /** Long polls waiting for a change after their seq. */
  private changeWaiters = new Set<Waiter>();
  /** Requests waiting for every live broker to apply their seq. */
  private appliedWaiters = new Set<Waiter>();

  constructor(allApplied: (seq: number) => boolean) {
    this.allApplied = allApplied;
  }

  /** Resolves at the next commit after `seq`, or after `maxWaitMs`. */
  nextChange(seq: number, maxWaitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const w: Waiter = { seq, resolve, timer: null };
      w.timer = setTimeout(() => {
        this.changeWaiters.delete(w);
        resolve();
      }, maxWaitMs);
      this.changeWaiters.add(w);
    });
  }

  /** A commit: every long poll is answered. */
  committed(): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = new Set();
    for (const w of waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.resolve();
    }
  }

  /** Resolves once every live broker has applied `seq` (at once when they have), or after `timeoutMs`. */
  applied(seq: number, timeoutMs: number): Promise<void> {
    if (this.allApplied(seq)) return Promise.resolve();
    return new Promise((resolve) => {
      const w: Waiter = { seq, resolve, timer: null };
      w.timer = setTimeout(() => {
        this.appliedWaiters.delete(w);
        resolve();
      }, timeoutMs);
      this.appliedWaiters.add(w);
    });
  }

  /** Brokers' applied offsets or liveness changed: answers the waits now satisfied. */
  checkApplied(): void {
    if (this.appliedWaiters.size === 0) return;
    for (const w of this.appliedWaiters) {
      if (this.allApplied(w.seq)) {
        this.appliedWaiters.delete(w);
        if (w.timer) clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  /** Answers every wait. */
  close(): void {
    for (const w of [...this.changeWaiters, ...this.appliedWaiters]) {
      if (w.timer) clearTimeout(w.timer);
      w.resolve();
    }
    this.changeWaiters.clear();
    this.appliedWaiters.clear();
  }
}
