// Kafka's internal topics, by name (Kafka's org.apache.kafka.common.internals.Topic, shared by
// its clients and its brokers): `__consumer_offsets` (the group coordinator's), `__transaction_state`
// (the transaction coordinator's) and, since Kafka 4.0, `__share_group_state` (the share
// coordinator's). A topic is internal by its exact name: a user topic may also start with "__",
// and that doesn't make it internal. The controller marks these internal when it creates them
// (Metadata's isInternal; ordinary clients cannot produce to them); tools and the console list
// them apart.

export const GROUP_METADATA_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export const SHARE_GROUP_STATE_TOPIC = '__share_group_state';

export const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  GROUP_METADATA_TOPIC,
  TRANSACTION_STATE_TOPIC,
  SHARE_GROUP_STATE_TOPIC,
]);

/** Kafka's Topic.isInternal. */
export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}
