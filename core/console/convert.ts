// What the Bridge shows, built from what the client returns: record keys, values and headers as
// UTF-8 text when they are valid UTF-8 and base64 otherwise (offsets and timestamps as the
// renderer takes them), a topic's summary from its Metadata entry, and group states in Kafka's own
// spelling (Stable, PreparingRebalance, …). Kafka's internal topics are marked as such.
import type { ConsumedRecord } from '../client/partition-reader.ts';
import type { Payload, RecordView, TopicSummary } from './bridge.ts';
import type { MetadataResponse } from './context.ts';

/** Kafka's internal topics (shown only when asked for; their Metadata entry may not say so). */
import { INTERNAL_TOPICS } from '../protocol/internal-topics.ts';

/** Kafka's internal topics (core/protocol/internal-topics.ts). */
export const INTERNAL = INTERNAL_TOPICS;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function toPayload(b: Buffer | null | undefined): Payload | null {
  if (b === null || b === undefined) return null;
  try {
    return { encoding: 'utf8', data: utf8.decode(b), size: b.length };
  } catch {
    return { encoding: 'base64', data: b.toString('base64'), size: b.length };
  }
}

export function toRecordView(r: ConsumedRecord): RecordView {
  return {
    partition: r.partition,
    offset: r.offset.toString(),
    timestamp: Number(r.timestamp),
    timestampType: r.timestampType,
    key: toPayload(r.key),
    value: toPayload(r.value),
    headers: r.headers.map(([k, v]) => ({ key: k ? k.toString('utf8') : '', value: toPayload(v) })),
  };
}

/** A topic's summary from its Metadata entry; record count and size are filled in by the caller. */
export function topicSummary(t: MetadataResponse['topics'][number]): TopicSummary {
  const name = t.name!;
  return {
    name,
    partitions: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
    internal: t.isInternal || INTERNAL.has(name),
    underReplicatedPartitions: t.partitions.filter((p) => p.isrNodes.length < p.replicaNodes.length).length,
    recordCount: null,
    sizeBytes: null,
  };
}

/** A group state as Kafka's tools print it (the client gives STABLE, PREPARING_REBALANCE, …). */
export function stateName(state: string): string {
  const names: Record<string, string> = {
    STABLE: 'Stable',
    EMPTY: 'Empty',
    DEAD: 'Dead',
    PREPARING_REBALANCE: 'PreparingRebalance',
    COMPLETING_REBALANCE: 'CompletingRebalance',
  };
  return names[state] ?? state;
}
