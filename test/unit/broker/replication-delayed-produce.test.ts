// The acks=all purgatory on its own: completion by check, by failure, by timeout.
import { describe, expect, it } from 'vitest';
import { DelayedProducePurgatory } from '../../../core/broker/delayed-produce.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';

describe('DelayedProducePurgatory', () => {
  it('completes at once when the check already answers', async () => {
    const p = new DelayedProducePurgatory();
    expect(await p.watch('t:0', 1000, () => ErrorCode.NONE)).toBe(ErrorCode.NONE);
    expect(p.size).toBe(0);
  });

  it('re-checks waiters of a key only, and completes each once', async () => {
    const p = new DelayedProducePurgatory();
    let hw = 0;
    const a = p.watch('t:0', 5000, () => (hw >= 10 ? ErrorCode.NONE : undefined));
    const b = p.watch('t:0', 5000, () => (hw >= 20 ? ErrorCode.NONE : undefined));
    const other = p.watch('u:0', 50, () => (hw >= 10 ? ErrorCode.NONE : undefined));
    expect(p.size).toBe(3);
    hw = 15;
    p.checkKey('t:0');
    expect(await a).toBe(ErrorCode.NONE);
    expect(p.size).toBe(2);
    // u:0 was not re-checked: it times out although its condition holds now.
    expect(await other).toBe(ErrorCode.REQUEST_TIMED_OUT);
    p.failKey('t:0', ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await b).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    p.checkKey('t:0');
    expect(p.size).toBe(0);
  });

  it('failAll answers every waiter', async () => {
    const p = new DelayedProducePurgatory();
    const w = [p.watch('a:0', 5000, () => undefined), p.watch('b:1', 5000, () => undefined)];
    p.failAll(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(await Promise.all(w)).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
  });
});
