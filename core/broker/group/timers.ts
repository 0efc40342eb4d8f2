// Keyed timeouts for the group coordinator: setting a key replaces its timer,
// and clearAll() cancels everything (broker stop), so nothing outlives the broker.

export class Timers {
  private readonly byKey = new Map<string, NodeJS.Timeout>();

  set(key: string, ms: number, fn: () => void): void {
    this.clear(key);
    const t = setTimeout(
      () => {
        if (this.byKey.get(key) === t) this.byKey.delete(key);
        fn();
      },
      Math.max(0, ms),
    );
    t.unref();
    this.byKey.set(key, t);
  }

  clear(key: string): void {
    const t = this.byKey.get(key);
    if (t !== undefined) {
      clearTimeout(t);
      this.byKey.delete(key);
    }
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Clears every key starting with `prefix`. */
  clearPrefix(prefix: string): void {
    for (const k of [...this.byKey.keys()]) if (k.startsWith(prefix)) this.clear(k);
  }

  clearAll(): void {
    for (const t of this.byKey.values()) clearTimeout(t);
    this.byKey.clear();
  }

  get size(): number {
    return this.byKey.size;
  }
}
