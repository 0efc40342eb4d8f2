// Persistence of the group coordinator, the Kafka way: the compacted internal
// topic `__consumer_offsets`, one partition per group (Kafka's
// `Utils.abs(groupId.hashCode) % offsets.topic.num.partitions`), records whose
// key and value follow Kafka's group-coordinator schemas, each prefixed by an
// int16 version:
//   OffsetCommitKey v1 (group, topic, partition) → OffsetCommitValue v3, or null (deleted)
//   GroupMetadataKey v2 (group)                  → GroupMetadataValue v3, or null (deleted)
//   consumer-group (KIP-848) records, key versions 3–8: see consumer-records.ts
// Records go through the partition's Log like produced batches; when this
// broker becomes the leader of a partition, its replay reads the partition
// from its start and hands each record on.

import { Reader } from '../../protocol/reader.ts';
import { Writer } from '../../protocol/writer.ts';
import {
  Attr,
  batchPositions,
  decodeBatchHeader,
  decodeRecords,
  isBatchError,
  buildRecordBatch,
  validateRecordBatches,
} from '../../protocol/record-batch.ts';
import { decodeOffsetCommitKey, encodeOffsetCommitKey } from '../../protocol/records/offset-commit-key.ts';
import { decodeOffsetCommitValue, encodeOffsetCommitValue } from '../../protocol/records/offset-commit-value.ts';
import { decodeGroupMetadataKey, encodeGroupMetadataKey } from '../../protocol/records/group-metadata-key.ts';
import { decodeGroupMetadataValue, encodeGroupMetadataValue } from '../../protocol/records/group-metadata-value.ts';
import type { GroupMetadataValue, GroupMetadataValueInput } from '../../protocol/records/group-metadata-value.ts';
import { KafkaError, ErrorCode } from '../../protocol/errors.ts';
import { GROUP_METADATA_TOPIC } from '../../protocol/internal-topics.ts';
import { TopicManager } from '../topic-manager.ts';
import type { PartitionState, TopicState } from '../topic-manager.ts';
import type { TopicRegistry } from '../topic-manager.ts';
import type { BrokerConfig } from '../configs.ts';
import type { CommittedOffset } from './offset-store.ts';
import type { ClassicGroup } from './group.ts';
import { decodeConsumerRecord, type ConsumerRecord } from './consumer-records.ts';
import type { KeyValue } from './coordinator-record.ts';

/** The group coordinator's topic (Kafka's GROUP_METADATA_TOPIC_NAME). */
export const OFFSETS_TOPIC = GROUP_METADATA_TOPIC;

const OFFSET_COMMIT_KEY_VERSION = 1;
const OFFSET_COMMIT_VALUE_VERSION = 3;
const GROUP_METADATA_KEY_VERSION = 2;
const GROUP_METADATA_VALUE_VERSION = 3;

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit int. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's partitionFor(groupId): Utils.abs maps Integer.MIN_VALUE to 0. */
export function partitionForGroup(groupId: string, numPartitions: number): number {
  const h = javaStringHashCode(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % numPartitions;
}

/**
 * The error a client gets when a write to `__consumer_offsets` failed
 * (Kafka's mapping in the coordinator runtime): a lost leadership means
 * NOT_COORDINATOR, anything else COORDINATOR_NOT_AVAILABLE.
 */
export function writeErrorCode(e: unknown): number {
  if (e instanceof KafkaError) {
    if (
      e.code === ErrorCode.NOT_COORDINATOR ||
      e.code === ErrorCode.NOT_LEADER_OR_FOLLOWER ||
      e.code === ErrorCode.KAFKA_STORAGE_ERROR
    ) {
      return ErrorCode.NOT_COORDINATOR;
    }
  }
  return ErrorCode.COORDINATOR_NOT_AVAILABLE;
}

export type CoordinatorRecord =
  | ConsumerRecord
  | { kind: 'offset'; groupId: string; topic: string; partition: number; value: CommittedOffset | null }
  | { kind: 'group'; groupId: string; value: GroupMetadataValue | null };

export function offsetCommitRecord(
  groupId: string,
  topic: string,
  partition: number,
  o: CommittedOffset | null,
): KeyValue {
  const k = new Writer(64).int16(OFFSET_COMMIT_KEY_VERSION);
  encodeOffsetCommitKey(k, OFFSET_COMMIT_KEY_VERSION, { group: groupId, topic, partition });
  if (!o) return { key: k.toBuffer(), value: null };
  // Value v1 is the only one with an expire timestamp; v3 carries the leader epoch.
  const version = o.expireTimestampMs >= 0 ? 1 : OFFSET_COMMIT_VALUE_VERSION;
  const v = new Writer(64).int16(version);
  encodeOffsetCommitValue(v, version, {
    offset: o.offset,
    leaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    commitTimestamp: o.commitTimestampMs,
    expireTimestamp: o.expireTimestampMs,
  });
  return { key: k.toBuffer(), value: v.toBuffer() };
}

export function groupMetadataRecord(
  groupId: string,
  g: ClassicGroup | null,
  now: number,
  assignments?: ReadonlyMap<string, Buffer>,
): KeyValue {
  const k = new Writer(64).int16(GROUP_METADATA_KEY_VERSION);
  encodeGroupMetadataKey(k, GROUP_METADATA_KEY_VERSION, { group: groupId });
  if (!g) return { key: k.toBuffer(), value: null };
  const value: GroupMetadataValueInput = {
    protocolType: g.protocolType ?? '',
    generation: g.generationId,
    protocol: g.protocolName,
    leader: g.leaderId,
    currentStateTimestamp: now,
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: g.metadataOf(m),
      assignment: assignments?.get(m.memberId) ?? m.assignment,
    })),
  };
  const v = new Writer(256).int16(GROUP_METADATA_VALUE_VERSION);
  encodeGroupMetadataValue(v, GROUP_METADATA_VALUE_VERSION, value);
  return { key: k.toBuffer(), value: v.toBuffer() };
}

/** Decodes one `__consumer_offsets` record; undefined for record types this coordinator ignores. */
export function decodeCoordinatorRecord(key: Buffer, value: Buffer | null): CoordinatorRecord | undefined {
  const kr = new Reader(key);
  const keyVersion = kr.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const k = decodeOffsetCommitKey(kr, keyVersion);
    if (value === null)
      return { kind: 'offset', groupId: k.group, topic: k.topic, partition: k.partition, value: null };
    const vr = new Reader(value);
    const vv = vr.int16();
    const v = decodeOffsetCommitValue(vr, vv);
    return {
      kind: 'offset',
      groupId: k.group,
      topic: k.topic,
      partition: k.partition,
      value: {
        offset: v.offset,
        leaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestampMs: v.commitTimestamp,
        expireTimestampMs: v.expireTimestamp,
      },
    };
  }
  if (keyVersion === 2) {
    const k = decodeGroupMetadataKey(kr, keyVersion);
    if (value === null) return { kind: 'group', groupId: k.group, value: null };
    const vr = new Reader(value);
    const vv = vr.int16();
    return { kind: 'group', groupId: k.group, value: decodeGroupMetadataValue(vr, vv) };
  }
  // Consumer-group records (KIP-848); share-group records are not served here.
  return decodeConsumerRecord(keyVersion, kr, value);
}

export interface GroupLogHost {
  topics: TopicRegistry;
  config: BrokerConfig;
  /** Wakes fetches parked on a partition after an append. */
  partitionChanged(topicId: string, partition: number): void;
  /** Store groups in `__consumer_offsets` (default: when the topics are a real TopicManager). */
  readonly persistOffsets?: boolean;
}

/** Reads and writes `__consumer_offsets`. */
export class GroupLog {
  private readonly host: GroupLogHost;
  private creating: Promise<TopicState | undefined> | undefined;

  constructor(host: GroupLogHost) {
    this.host = host;
  }

  /** False when the broker runs on injected in-memory topics (some unit tests): commits stay in memory. */
  get persistent(): boolean {
    return this.host.persistOffsets ?? this.host.topics instanceof TopicManager;
  }

  private get topic(): TopicState | undefined {
    return this.host.topics.get(OFFSETS_TOPIC) as TopicState | undefined;
  }

  /** The partition count of the topic, or the configured one until it exists. */
  numPartitions(): number {
    return this.topic?.partitions.length ?? this.host.config.offsetsTopicNumPartitions;
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.numPartitions());
  }

  /** Creates `__consumer_offsets` on first need (FindCoordinator, first write). */
  ensureTopic(): Promise<TopicState | undefined> {
    const existing = this.topic;
    if (existing || !this.persistent) return Promise.resolve(existing);
    this.creating ??= (async () => {
      const tm = this.host.topics as TopicManager;
      try {
        const rf = Math.min(Number(this.host.config.get('offsets.topic.replication.factor')), tm.liveBrokers);
        return (
          (await tm.create({
            name: OFFSETS_TOPIC,
            numPartitions: this.host.config.offsetsTopicNumPartitions,
            replicationFactor: Math.max(1, rf),
            configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' },
          })) ?? undefined
        );
      } catch (e) {
        const t = this.topic; // created concurrently
        if (t) return t;
        throw e;
      } finally {
        this.creating = undefined;
      }
    })();
    return this.creating;
  }

  /** The existing topic (undefined until created). */
  get topicState(): TopicState | undefined {
    return this.topic;
  }

  /**
   * Appends the records for one group as a single batch to partition `p`
   * (`onAppended` hears of it at once); resolves with the offset after the
   * batch once it is written. Throws
   * KafkaError on failure.
   */
  async appendTo(p: PartitionState, records: KeyValue[], onAppended?: (endOffset: number) => void): Promise<number> {
    const now = Date.now();
    const batch = buildRecordBatch(
      records.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
      { baseTimestamp: now },
    );
    const info = validateRecordBatches(batch, { maxMessageBytes: Number.MAX_SAFE_INTEGER, requireSingleBatch: true });
    if (isBatchError(info)) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, info.message);
    const res = p.log.append(batch, info, p.leaderEpoch, now);
    onAppended?.(res.lastOffset + 1);
    this.host.partitionChanged(p.topicId, p.partition);
    try {
      await res.written;
    } catch (e) {
      throw new KafkaError(
        ErrorCode.UNKNOWN_SERVER_ERROR,
        `writing to ${OFFSETS_TOPIC}-${p.partition} failed: ${(e as Error).message}`,
      );
    }
    return res.lastOffset + 1;
  }

  /**
   * Reads one partition from its start to its current end, in offset order,
   * calling `apply` for each record (an exception from `apply` stops the
   * replay and is rethrown). Returns the number of records applied.
   */
  async replayPartition(
    p: PartitionState,
    apply: (rec: CoordinatorRecord) => void,
    onSkip: (msg: string) => void = () => {},
  ): Promise<number> {
    let count = 0;
    const log = p.log;
    let offset = log.logStartOffset;
    const end = log.logEndOffset;
    while (offset < end) {
      const res = await log.read(offset, 1024 * 1024, end, true);
      if ('error' in res || res.chunks.length === 0) break;
      let progressed = false;
      for (const chunk of res.chunks) {
        for (const pos of batchPositions(chunk)) {
          const h = decodeBatchHeader(chunk, pos);
          const last = h.baseOffset + h.lastOffsetDelta;
          if (last < offset) continue;
          offset = last + 1;
          progressed = true;
          if ((h.attributes & Attr.CONTROL) !== 0) continue;
          for (const r of decodeRecords(chunk, pos)) {
            if (!r.key) continue;
            // One record that cannot be read (written by a newer version, say)
            // must not stop the rest of the groups from loading.
            let rec: CoordinatorRecord | null | undefined;
            try {
              rec = decodeCoordinatorRecord(r.key, r.value);
            } catch (e) {
              onSkip(
                `${OFFSETS_TOPIC}-${p.partition} offset ${r.offset}: unreadable record skipped: ${(e as Error).message}`,
              );
              continue;
            }
            if (rec) {
              apply(rec);
              count++;
            }
          }
        }
      }
      if (!progressed) break;
    }
    return count;
  }
}
