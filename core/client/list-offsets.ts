// ListOffsets for many partitions at once, batched per partition leader: one request per broker,
// all in parallel, so thousands of partitions cost one round trip per broker (the Admin helper
// asks per topic). Timestamps as in Kafka's ListOffsets: -1 the high watermark, -2 the log start
// offset.
import type { Admin } from '@platformatic/kafka';
import { apiFor, partial, partitionKey } from './connection-api.ts';

export interface LeaderPartition {
  topic: string;
  partition: number;
  leader: number;
}

/**
 * ListOffsets for many partitions at once: one request per leader, all in parallel. `timestamp` -1
 * is the high watermark, -2 the start offset. Partitions without a leader, or that failed, are absent.
 * The result is keyed by `partitionKey(topic, partition)`.
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
          if (p.errorCode === 0 && p.offset >= 0n) out.set(partitionKey(t.name, p.partitionIndex), p.offset);
    }),
  );
  return out;
}
