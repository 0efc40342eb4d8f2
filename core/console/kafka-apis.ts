// The replica plan for a change of a topic's replication factor: new replica lists that keep each
// partition's current replicas in order. The requests themselves (ListOffsets per leader,
// DescribeLogDirs, reassignments) are Kafka-client helpers in core/client.

/**
 * New replica lists for a replication factor: replicas kept in order (the leader and preferred
 * leader stay); added ones go to the brokers holding the fewest replicas of the topic so far;
 * removed ones are taken from the end, never the current leader.
 */
export function planReplicas(
  current: { partition: number; replicas: number[]; leader: number }[],
  brokers: readonly number[],
  rf: number,
): Map<number, number[]> {
  if (rf < 1) throw new RangeError('replication factor must be at least 1');
  if (rf > brokers.length) throw new RangeError(`replication factor ${rf} is more than the ${brokers.length} brokers`);
  const load = new Map<number, number>(brokers.map((b) => [b, 0]));
  for (const p of current) for (const r of p.replicas) if (load.has(r)) load.set(r, load.get(r)! + 1);
  const plan = new Map<number, number[]>();
  for (const p of [...current].sort((x, y) => x.partition - y.partition)) {
    let replicas = [...p.replicas];
    while (replicas.length > rf) {
      let i = replicas.length - 1;
      if (replicas[i] === p.leader) i--;
      const [gone] = replicas.splice(i, 1);
      if (load.has(gone!)) load.set(gone!, load.get(gone!)! - 1);
    }
    while (replicas.length < rf) {
      // Fewest replicas first; ties go round-robin by partition so equal brokers share the new copies.
      const start = p.partition % brokers.length;
      const rotated = [...brokers.slice(start), ...brokers.slice(0, start)];
      const best = rotated.filter((b) => !replicas.includes(b)).sort((a, b) => load.get(a)! - load.get(b)!)[0]!;
      replicas.push(best);
      load.set(best, load.get(best)! + 1);
    }
    replicas = replicas.slice(0, rf);
    plan.set(p.partition, replicas);
  }
  return plan;
}
