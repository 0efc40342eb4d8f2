// Producer id blocks: from the controller (AllocateProducerIds) when the
// broker has one, else reserved locally; never an id twice.
import { describe, expect, it } from 'vitest';
import {
  ProducerIdManager,
  PRODUCER_ID_BLOCK_SIZE,
  inMemoryReservations,
  type ProducerIdSource,
} from '../../../../core/broker/producer/producer-ids.ts';
import { ErrorCode, KafkaError } from '../../../../core/protocol/errors.ts';

/** A controller handing out consecutive blocks, as Kafka's controller does. */
function fakeController(opts: { delayMs?: number; failWith?: number } = {}) {
  let next = 5000;
  const calls: { brokerId: number; brokerEpoch: number }[] = [];
  const controller: ProducerIdSource & { failWith?: number } = {
    failWith: opts.failWith,
    async allocateProducerIds(req) {
      calls.push(req);
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (controller.failWith !== undefined)
        return { errorCode: controller.failWith, producerIdStart: -1, producerIdLen: 0 };
      const start = next;
      next += PRODUCER_ID_BLOCK_SIZE;
      return { errorCode: ErrorCode.NONE, producerIdStart: start, producerIdLen: PRODUCER_ID_BLOCK_SIZE };
    },
  };
  return { controller, calls };
}

describe('ProducerIdManager', () => {
  it('takes blocks from the controller, prefetches the next one, and never repeats an id under concurrency', async () => {
    const { controller, calls } = fakeController({ delayMs: 5 });
    const m = new ProducerIdManager(() => {
      throw new Error('no local reservations in a cluster');
    });
    const from = { controller, brokerId: 3, brokerEpoch: 17 };
    const ids = await Promise.all(Array.from({ length: 2500 }, () => m.generate(from)));
    expect(new Set(ids).size).toBe(2500);
    expect(Math.min(...ids)).toBe(5000);
    expect(calls.every((c) => c.brokerId === 3 && c.brokerEpoch === 17)).toBe(true);
    // Three blocks cover 2500 ids; at most one more was prefetched.
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length).toBeLessThanOrEqual(4);
    // Sequential use past 90% of a block fetches the next one ahead of time.
    const before = calls.length;
    for (let i = 0; i < 400; i++) await m.generate(from);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.length).toBeGreaterThan(before);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS (retriable) when the coordinator refuses, and recovers', async () => {
    const { controller } = fakeController({ failWith: ErrorCode.STALE_BROKER_EPOCH });
    const m = new ProducerIdManager(() => 0);
    const from = { controller, brokerId: 1, brokerEpoch: 1 };
    const err = await m.generate(from).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).code).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    controller.failWith = undefined;
    expect(await m.generate(from)).toBe(5000);
    expect(await m.generate(from)).toBe(5001);
  });

  it('without a controller reserves blocks locally', async () => {
    const reservations: number[] = [];
    const reserve = inMemoryReservations();
    const m = new ProducerIdManager((n) => {
      const first = reserve(n);
      reservations.push(first);
      return first;
    });
    const ids: number[] = [];
    for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE + 2; i++) ids.push(await m.generate());
    expect(ids[0]).toBe(0);
    expect(ids[ids.length - 1]).toBe(PRODUCER_ID_BLOCK_SIZE + 1);
    expect(reservations).toEqual([0, PRODUCER_ID_BLOCK_SIZE]);
  });
});
