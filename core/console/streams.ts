// The console's open streams (record tails and metrics samplers) across every caller: each has a
// subscription id and the Session its events go to, and can be cancelled on its own, with the rest
// of its session (the transport went away), or all at once (the console switches clusters or
// closes). The Session is the transport's side: `emit` resolves when the transport can take more.
import type { TailEvent } from './bridge.ts';

/** The caller's side of a connection: where tail events go. `emit` resolves when the transport can take more. */
export interface Session {
  emit(subscription: string, event: TailEvent): Promise<void>;
}

/** An open stream and the session its events go to. */
export interface Stream {
  readonly session: Session;
  cancel(): Promise<void>;
}

export class Streams {
  readonly #open = new Map<string, Stream>();
  #next = 1;

  /** A new subscription id, e.g. "tail-3" (one counter for every kind). */
  nextId(kind: string): string {
    return `${kind}-${this.#next++}`;
  }

  /** The number the next subscription id will carry. */
  get nextNumber(): number {
    return this.#next;
  }

  add(id: string, stream: Stream): void {
    this.#open.set(id, stream);
  }

  get(id: string): Stream | undefined {
    return this.#open.get(id);
  }

  delete(id: string): void {
    this.#open.delete(id);
  }

  get size(): number {
    return this.#open.size;
  }

  /** Cancels every stream of a session (its transport went away). */
  async closeSession(session: Session): Promise<void> {
    await Promise.all([...this.#open.values()].filter((s) => s.session === session).map((s) => s.cancel()));
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.#open.values()].map((s) => s.cancel()));
  }
}
