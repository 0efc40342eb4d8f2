// A Bridge for renderer tests (stores and mounted components): each operation's answer is set
// per test (`answers[op]`), every call is recorded, and tail streams hand their listener to the
// test, which plays the main process by calling it. No DOM, no broker.
import type { StreamArgs, TailEvent } from '../../core/console/bridge.ts';

export class FakeBridge {
  calls: { op: string; args: unknown }[] = [];
  answers: Record<string, (args: never) => unknown> = {};
  /** Every tail stream's listener, in the order they were opened. */
  listeners: ((e: TailEvent) => void)[] = [];
  streams: StreamArgs[] = [];
  async invoke(op: string, args: unknown): Promise<never> {
    this.calls.push({ op, args });
    const a = this.answers[op];
    if (!a) return { ok: true } as never;
    return (await a(args as never)) as never;
  }
  async openTail(args: StreamArgs, listener: (e: TailEvent) => void) {
    this.streams.push(args);
    this.listeners.push(listener);
    return { subscription: `tail-${this.listeners.length}`, partitions: [0], positions: { 0: '0' } };
  }
  onState() {
    return () => undefined;
  }
  /** The listener of the newest tail stream. */
  get listener(): ((e: TailEvent) => void) | undefined {
    return this.listeners.at(-1);
  }
  /** The calls of one operation. */
  of(op: string): unknown[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.args);
  }
}
