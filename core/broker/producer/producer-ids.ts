// Producer ids for InitProducerId. Like Kafka, ids are reserved in blocks
// (1000 at a time) so an id is never handed out twice across restarts or
// crashes (a block's unused ids are skipped). In a cluster the blocks come
// from the controller (AllocateProducerIds); the next block is fetched in
// the background once 90% of the current one is used, as Kafka's
// RPCProducerIdManager does. A broker without a controller reserves blocks
// itself from a persisted counter (`reserve`).

import { ErrorCode, KafkaError } from '../../protocol/errors.ts';

export const PRODUCER_ID_BLOCK_SIZE = 1000;

/** The controller's AllocateProducerIds, as the broker reaches it. */
export interface ProducerIdSource {
  allocateProducerIds(req: {
    brokerId: number;
    brokerEpoch: number;
  }): Promise<{ errorCode: number; producerIdStart: number; producerIdLen: number }>;
}

export interface ControllerBlocks {
  controller: ProducerIdSource;
  brokerId: number;
  brokerEpoch: number;
}

interface Block {
  start: number;
  next: number;
  end: number;
}

export class ProducerIdManager {
  private current: Block = { start: 0, next: 0, end: 0 };
  /** The block after the current one, once fetched. */
  private prefetched: Block | undefined;
  private fetching: Promise<void> | undefined;
  private readonly reserve: (count: number) => number;

  /** `reserve(count)` persists a reservation of `count` ids and returns the first (no controller). */
  constructor(reserve: (count: number) => number) {
    this.reserve = reserve;
  }

  /**
   * The next producer id: from the controller's blocks when `from` is given,
   * else from a local reservation. Throws KafkaError
   * COORDINATOR_LOAD_IN_PROGRESS (retriable) when no block could be had.
   */
  async generate(from?: ControllerBlocks): Promise<number> {
    if (!from) {
      if (this.current.next >= this.current.end) {
        const first = this.reserve(PRODUCER_ID_BLOCK_SIZE);
        this.current = { start: first, next: first, end: first + PRODUCER_ID_BLOCK_SIZE };
      }
      return this.current.next++;
    }
    while (this.current.next >= this.current.end) {
      if (this.prefetched) {
        this.current = this.prefetched;
        this.prefetched = undefined;
      } else {
        await this.fetch(from);
      }
    }
    const b = this.current;
    const id = b.next++;
    if (!this.prefetched && !this.fetching && (b.next - b.start) * 10 >= (b.end - b.start) * 9) {
      this.fetch(from).catch(() => {});
    }
    return id;
  }

  /** Fetches one block into `prefetched` (one request at a time). */
  private fetch(from: ControllerBlocks): Promise<void> {
    this.fetching ??= (async () => {
      try {
        let r: { errorCode: number; producerIdStart: number; producerIdLen: number };
        try {
          r = await from.controller.allocateProducerIds({ brokerId: from.brokerId, brokerEpoch: from.brokerEpoch });
        } catch (e) {
          throw new KafkaError(
            ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
            `allocating producer ids failed: ${(e as Error)?.message ?? String(e)}`,
          );
        }
        if (r.errorCode !== ErrorCode.NONE || r.producerIdStart < 0 || r.producerIdLen <= 0) {
          throw new KafkaError(
            ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
            `allocating producer ids failed: error ${r.errorCode}`,
          );
        }
        this.prefetched ??= {
          start: r.producerIdStart,
          next: r.producerIdStart,
          end: r.producerIdStart + r.producerIdLen,
        };
      } finally {
        this.fetching = undefined;
      }
    })();
    return this.fetching;
  }
}

/** For brokers without a metadata store (tests with injected topics): ids from this process only. */
export function inMemoryReservations(): (count: number) => number {
  let next = 0;
  return (count) => {
    const first = next;
    next += count;
    return first;
  };
}
