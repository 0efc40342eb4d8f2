// Replica placement and leader choice.
//
// Placement follows Kafka's rack-unaware assignment: partition p's first replica
// is broker (p + start) mod n over the sorted live broker ids, from a random
// start; the followers come after it at a distance (the "shift") that grows by
// one every n partitions, so both the replicas and the preferred leaders of
// N·k partitions spread evenly, and one broker's followers are not all on the
// same other broker.

export interface PlacementOptions {
  /** Index into the sorted broker list of partition 0's first replica; random when omitted. */
  startIndex?: number;
  /** Initial follower shift; random when omitted. */
  shift?: number;
  /** The first partition id being placed (CreatePartitions continues an existing topic). */
  firstPartition?: number;
}

/**
 * Replica lists for `numPartitions` partitions with `replicationFactor`
 * replicas each over `brokerIds`. The caller checks that
 * 1 ≤ replicationFactor ≤ brokerIds.length.
 */
export function placeReplicas(
  brokerIds: readonly number[],
  numPartitions: number,
  replicationFactor: number,
  opts: PlacementOptions = {},
): number[][] {
  const brokers = [...brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  if (n === 0 || replicationFactor < 1 || replicationFactor > n) {
    throw new Error(`cannot place ${replicationFactor} replicas on ${n} brokers`);
  }
  const start = opts.startIndex ?? Math.floor(Math.random() * n);
  let shift = opts.shift ?? Math.floor(Math.random() * n);
  const first = Math.max(0, opts.firstPartition ?? 0);
  const out: number[][] = [];
  for (let i = 0; i < numPartitions; i++) {
    const p = first + i;
    if (p > 0 && p % n === 0) shift++;
    const lead = (p + start) % n;
    const replicas = [brokers[lead]!];
    for (let j = 0; j < replicationFactor - 1; j++) {
      // Followers at distance 1 + (shift + j) mod (n - 1): never the leader, never twice.
      const distance = 1 + ((shift + j) % (n - 1));
      replicas.push(brokers[(lead + distance) % n]!);
    }
    out.push(replicas);
  }
  return out;
}

/**
 * The first replica (in `replicas` order, i.e. by preference) that is in the
 * ISR and for which `eligible` holds; -1 when none.
 */
export function chooseLeader(
  replicas: readonly number[],
  isr: readonly number[],
  eligible: (id: number) => boolean,
): number {
  for (const r of replicas) if (isr.includes(r) && eligible(r)) return r;
  return -1;
}

/** Unclean election: the first replica for which `eligible` holds, in or out of the ISR; -1 when none. */
export function chooseUncleanLeader(replicas: readonly number[], eligible: (id: number) => boolean): number {
  for (const r of replicas) if (eligible(r)) return r;
  return -1;
}
