// What the handlers tell clients about the cluster: the live brokers, the
// controller id, and each partition's leader, replicas and ISR — from the
// metadata image when the broker follows a controller, else (a broker on
// injected topics) this broker alone, leading every partition it has.
import type { HandlerContext } from './context.ts';
import type { TopicState } from '../topic-manager.ts';
import { ErrorCode } from '../../protocol/errors.ts';

export interface BrokerEndpoint {
  id: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionView {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

/** Registered, unfenced brokers with their advertised address, by id. */
export function liveBrokers(broker: HandlerContext): readonly BrokerEndpoint[] {
  if (!broker.hasMetadata)
    return [{ id: broker.brokerId, host: broker.advertisedHost, port: broker.advertisedPort, rack: null }];
  return broker.image.liveBrokers();
}

/** The broker clients send admin requests to: the lowest live broker id (each broker forwards them). */
export function controllerId(broker: HandlerContext): number {
  return broker.hasMetadata ? broker.image.controllerId() : broker.brokerId;
}

/** A live broker's endpoint, if it is live. */
export function liveBroker(broker: HandlerContext, id: number): BrokerEndpoint | undefined {
  if (!broker.hasMetadata) return id === broker.brokerId ? liveBrokers(broker)[0] : undefined;
  const b = broker.image.brokers.get(id);
  return b && !b.fenced ? b : undefined;
}

/** Every partition of a topic (hosted here or not), in partition order. */
export function partitionViews(broker: HandlerContext, t: TopicState): PartitionView[] {
  const out: PartitionView[] = [];
  if (!broker.hasMetadata) {
    const id = broker.brokerId;
    for (const p of t.partitions) {
      if (p)
        out.push({
          partition: p.partition,
          leader: id,
          leaderEpoch: p.leaderEpoch,
          replicas: [id],
          isr: [id],
          offlineReplicas: [],
        });
    }
    return out;
  }
  const img = broker.image;
  for (const info of img.partitions(t.topicId)) {
    if (!info) continue;
    const offline = info.replicas.filter((r) => !img.isLive(r));
    out.push({
      partition: info.partition,
      leader: info.leader,
      leaderEpoch: info.leaderEpoch,
      replicas: info.replicas,
      isr: info.isr,
      offlineReplicas: offline,
    });
  }
  return out;
}

/**
 * For requests only a partition's leader serves (Produce, ListOffsets,
 * DeleteRecords) when this broker does not lead it: NOT_LEADER_OR_FOLLOWER if
 * the partition exists, UNKNOWN_TOPIC_OR_PARTITION if not; with the current
 * leader and its epoch from the metadata.
 */
export function notLeader(
  broker: HandlerContext,
  topic: string,
  partition: number,
): { errorCode: number; leaderId: number; leaderEpoch: number } {
  const t = broker.topics.get(topic);
  if (!t || partition < 0 || partition >= (t.numPartitions ?? t.partitions.length)) {
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leaderId: -1, leaderEpoch: -1 };
  }
  const info = broker.hasMetadata ? broker.image.partition(t.topicId, partition) : undefined;
  return {
    errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
    leaderId: info?.leader ?? -1,
    leaderEpoch: info?.leaderEpoch ?? -1,
  };
}

/**
 * KIP-951: the endpoints of the leaders named in currentLeader fields (Produce v10+, Fetch v16+),
 * so that a client re-routes without a metadata round trip. Live brokers only, each once.
 */
export function nodeEndpoints(
  broker: HandlerContext,
  leaderIds: Iterable<number>,
): { nodeId: number; host: string; port: number; rack: string | null }[] {
  const out: { nodeId: number; host: string; port: number; rack: string | null }[] = [];
  for (const id of new Set(leaderIds)) {
    const b = id >= 0 ? liveBroker(broker, id) : undefined;
    if (b) out.push({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack });
  }
  return out;
}

/** True when this broker leads the hosted partition `p`. */
export function leads(broker: HandlerContext, p: { leader?: number }): boolean {
  return !broker.hasMetadata || p.leader === broker.brokerId;
}
