// DescribeLogDirs of every listed broker, in parallel: the size of each partition's replica on
// each broker, and per broker the bytes of every replica it holds (the future replica of a move
// between a broker's log directories, `isFutureKey`, is not counted).
import type { Admin } from '@platformatic/kafka';
import { apiFor, partial, partitionKey } from './connection-api.ts';

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
            const k = partitionKey(t.name, p.partitionIndex);
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
