// Partition reassignments (KIP-455) sent to the controller: AlterPartitionReassignments for one
// topic (new replica lists, or null to cancel a partition's move) and ListPartitionReassignments
// of its partitions, with the replicas being added and removed.
import type { Admin, Connection } from '@platformatic/kafka';
import { apiFor } from './connection-api.ts';

export interface Reassignment {
  partition: number;
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** A connection to the controller, or to any broker when that one cannot be reached. */
async function controllerConnection(admin: Admin, controller: number, conns: Map<number, Connection>) {
  const conn = conns.get(controller) ?? (await admin.connectToBrokers(null)).values().next().value;
  if (!conn) throw new Error(`Could not connect to the controller (broker ${controller}).`);
  return conn;
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
  const conn = await controllerConnection(admin, controller, conns);
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
  const conn = await controllerConnection(admin, controller, conns);
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
