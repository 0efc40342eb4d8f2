// Requests the console sends through @platformatic/kafka's connection API rather than its Admin
// helpers: ListOffsets batched per partition leader (one request per broker for thousands of
// partitions), DescribeLogDirs of every broker, and partition reassignments. Each picks the highest
// version both the client and the broker speak, as the client's own helpers do.
import * as kafka from '@platformatic/kafka';
import type { Admin, Connection } from '@platformatic/kafka';

type ApiFn = (conn: Connection, ...args: unknown[]) => Promise<unknown>;

const apisByClient = new WeakMap<Admin, Promise<Map<string, { minVersion: number; maxVersion: number }>>>();

/** The request function of `name` (e.g. 'ListOffsets') at the highest version both sides support. */
export async function apiFor(admin: Admin, name: string): Promise<ApiFn> {
  let listed = apisByClient.get(admin);
  if (!listed) {
    listed = admin.listApis().then((apis) => new Map(apis.map((a) => [a.name, a])));
    listed.catch(() => apisByClient.delete(admin));
    apisByClient.set(admin, listed);
  }
  const range = (await listed).get(name);
  const base = name.slice(0, 1).toLowerCase() + name.slice(1);
  if (range) {
    for (let v = range.maxVersion; v >= range.minVersion; v--) {
      const mod = (kafka as unknown as Record<string, { api?: { async: ApiFn } } | undefined>)[`${base}V${v}`];
      if (mod?.api) return mod.api.async;
    }
  }
  throw new kafka.UnsupportedApiError(`Unsupported API ${name}.`);
}

/** A response whose partitions carried error codes still gives the partitions that did not. */
async function partial<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const response = (e as { response?: T }).response;
    if (response && typeof response === 'object') return response;
    throw e;
  }
}

export interface LeaderPartition {
  topic: string;
  partition: number;
  leader: number;
}

export const key = (topic: string, partition: number) => `${topic}\0${partition}`;

/**
 * ListOffsets for many partitions at once: one request per leader, all in parallel. `timestamp` -1
 * is the high watermark, -2 the start offset. Partitions without a leader, or that failed, are absent.
 */
export async function offsetsByLeader(
  admin: Admin,
  parts: readonly LeaderPartition[],
  timestamp: bigint,
): Promise<Map<string, bigint>> {
  const byLeader = new Map<number, Map<string, number[]>>();
  for (const p of parts) {
    if (p.leader < 0) continue;
    const topics = byLeader.get(p.leader) ?? new Map<string, number[]>();
    byLeader.set(p.leader, topics);
    topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
  }
  const out = new Map<string, bigint>();
  if (byLeader.size === 0) return out;
  const [api, conns] = await Promise.all([apiFor(admin, 'ListOffsets'), admin.connectToBrokers([...byLeader.keys()])]);
  await Promise.all(
    [...byLeader].map(async ([leader, topics]) => {
      const conn = conns.get(leader);
      if (!conn) return;
      const request = [...topics].map(([name, ps]) => ({
        name,
        partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })),
      }));
      const res = (await partial(api(conn, -1, 0, request)).catch(() => undefined)) as
        | { topics: { name: string; partitions: { partitionIndex: number; errorCode: number; offset: bigint }[] }[] }
        | undefined;
      for (const t of res?.topics ?? [])
        for (const p of t.partitions)
          if (p.errorCode === 0 && p.offset >= 0n) out.set(key(t.name, p.partitionIndex), p.offset);
    }),
  );
  return out;
}

export interface LogDirSizes {
  /** Largest replica size of each partition ("topic\0partition"). */
  partitions: Map<string, number>;
  /** Per broker: the bytes of every replica it holds. */
  brokers: Map<number, number>;
  /** Size of each partition's replica on each broker ("topic\0partition" → broker → bytes). */
  replicas: Map<string, Map<number, number>>;
}

/** DescribeLogDirs of every listed broker (all topics, or only `topics`), in parallel; brokers that fail are left out. */
export async function logDirSizes(
  admin: Admin,
  brokerIds: readonly number[],
  topics: { name: string; partitions: number[] }[] | null,
): Promise<LogDirSizes> {
  const out: LogDirSizes = { partitions: new Map(), brokers: new Map(), replicas: new Map() };
  if (brokerIds.length === 0) return out;
  const [api, conns] = await Promise.all([apiFor(admin, 'DescribeLogDirs'), admin.connectToBrokers([...brokerIds])]);
  await Promise.all(
    brokerIds.map(async (id) => {
      const conn = conns.get(id);
      if (!conn) return;
      const res = (await partial(api(conn, topics)).catch(() => undefined)) as
        | {
            results: {
              errorCode: number;
              topics: {
                name: string;
                partitions: { partitionIndex: number; partitionSize: bigint; isFutureKey: boolean }[];
              }[];
            }[];
          }
        | undefined;
      if (!res) return;
      let total = 0;
      for (const dir of res.results) {
        if (dir.errorCode !== 0) continue;
        for (const t of dir.topics) {
          for (const p of t.partitions) {
            if (p.isFutureKey) continue;
            const size = Number(p.partitionSize);
            total += size;
            const k = key(t.name, p.partitionIndex);
            out.partitions.set(k, Math.max(out.partitions.get(k) ?? 0, size));
            const r = out.replicas.get(k) ?? new Map<number, number>();
            r.set(id, size);
            out.replicas.set(k, r);
          }
        }
      }
      out.brokers.set(id, total);
    }),
  );
  return out;
}

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

export interface Reassignment {
  partition: number;
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** AlterPartitionReassignments for one topic: `replicas` per partition, null cancels that partition's reassignment. */
export async function alterReassignments(
  admin: Admin,
  controller: number,
  topic: string,
  partitions: Map<number, number[] | null>,
): Promise<void> {
  const [api, conns] = await Promise.all([
    apiFor(admin, 'AlterPartitionReassignments'),
    admin.connectToBrokers([controller]),
  ]);
  const conn = conns.get(controller) ?? (await admin.connectToBrokers(null)).values().next().value;
  if (!conn) throw new Error(`Could not connect to the controller (broker ${controller}).`);
  const request = [
    { name: topic, partitions: [...partitions].map(([partitionIndex, replicas]) => ({ partitionIndex, replicas })) },
  ];
  await api(conn, 30_000, true, request);
}

/** ListPartitionReassignments of one topic's partitions. */
export async function listReassignments(
  admin: Admin,
  controller: number,
  topic: string,
  partitions: number[],
): Promise<Reassignment[]> {
  const [api, conns] = await Promise.all([
    apiFor(admin, 'ListPartitionReassignments'),
    admin.connectToBrokers([controller]),
  ]);
  const conn = conns.get(controller) ?? (await admin.connectToBrokers(null)).values().next().value;
  if (!conn) throw new Error(`Could not connect to the controller (broker ${controller}).`);
  const res = (await api(conn, 30_000, [{ name: topic, partitionIndexes: partitions }])) as {
    topics: {
      name: string;
      partitions: {
        partitionIndex: number;
        replicas: number[];
        addingReplicas: number[];
        removingReplicas: number[];
      }[];
    }[];
  };
  return res.topics
    .filter((t) => t.name === topic)
    .flatMap((t) => t.partitions)
    .map((p) => ({
      partition: p.partitionIndex,
      replicas: [...p.replicas],
      adding: [...p.addingReplicas],
      removing: [...p.removingReplicas],
    }))
    .sort((x, y) => x.partition - y.partition);
}
