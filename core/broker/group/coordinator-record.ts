// A record the group coordinator writes to `__consumer_offsets` (Kafka's
// CoordinatorRecord): key and value bytes, each starting with its int16
// version; a null value is a tombstone that deletes the key when the topic is
// compacted. The classic records are built in group-log.ts, the consumer-group
// (KIP-848) ones in consumer-records.ts; both use this shape, which is why it
// lives apart from either.

export interface KeyValue {
  key: Buffer;
  value: Buffer | null;
}
