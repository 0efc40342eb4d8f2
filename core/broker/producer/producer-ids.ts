// Producer ids for InitProducerId. Like Kafka's controller, ids are reserved in
// blocks (1000 at a time) from a persisted counter, so an id is never handed
// out twice across restarts or crashes (a block's unused ids are skipped).

export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private next = 0;
  private end = 0;
  private readonly reserve: (count: number) => number;

  /** `reserve(count)` persists a reservation of `count` ids and returns the first. */
  constructor(reserve: (count: number) => number) {
    this.reserve = reserve;
  }

  generate(): number {
    if (this.next >= this.end) {
      this.next = this.reserve(PRODUCER_ID_BLOCK_SIZE);
      this.end = this.next + PRODUCER_ID_BLOCK_SIZE;
    }
    return this.next++;
  }
}

/** For brokers without a metadata store (tests with injected topics): ids from this process only. */
export function inMemoryReservations(): (count: number) => number {
  let next = 0;
  return (count) => { const first = next; next += count; return first; };
}
