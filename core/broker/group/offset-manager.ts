// Committed offsets of the group coordinator (Kafka's OffsetMetadataManager):
// OffsetCommit (checked against the group as Kafka's validateOffsetCommit of
// classic and consumer groups does, and against the cluster's topics),
// OffsetFetch, OffsetDelete, the expiry of offsets.retention.minutes, and the
// replay of offset-commit records. An offset is applied once its record is
// written to `__consumer_offsets`; the OffsetStore holds them in memory.

import { ErrorCode } from '../../protocol/errors.ts';
import { Reader } from '../../protocol/reader.ts';
import { decodeConsumerProtocolSubscription } from '../../protocol/messages/consumer-protocol-subscription.ts';
import { GroupState, type ClassicGroup } from './group.ts';
import { offsetCommitRecord, writeErrorCode, type CoordinatorRecord } from './group-log.ts';
import { validateMember } from './membership.ts';
import type { CommittedOffset } from './offset-store.ts';
import type { KeyValue } from './coordinator-record.ts';
import { CONSUMER_PROTOCOL, type CoordinatorState } from './coordinator-state.ts';

export interface OffsetCommitInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** The OffsetCommit version (members of consumer groups must use v9+). */
  apiVersion?: number;
  /**
   * OffsetCommit v2–4: how long the offsets are kept, from the commit (-1 or absent: the broker's
   * offsets.retention.minutes, counted from when the group becomes Empty).
   */
  retentionTimeMs?: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[];
  }[];
}

export interface TopicPartitionErrors {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

export interface FetchedTopic {
  name: string;
  partitions: {
    partitionIndex: number;
    committedOffset: number;
    committedLeaderEpoch: number;
    metadata: string | null;
    errorCode: number;
  }[];
}

type OffsetRecord = Extract<CoordinatorRecord, { kind: 'offset' }>;

const NO_TOPICS: ReadonlySet<string> = new Set<string>() as ReadonlySet<string>;

export class OffsetManager {
  private readonly s: CoordinatorState;
  /** An Empty group left without offsets is removed (GroupAdmin.removeEmptyGroup). */
  private readonly removeEmptyGroup: (groupId: string) => Promise<void>;
  private expiring = false;

  constructor(state: CoordinatorState, removeEmptyGroup: (groupId: string) => Promise<void>) {
    this.s = state;
    this.removeEmptyGroup = removeEmptyGroup;
  }

  /**
   * Whether a topic partition exists in the cluster. Kafka checks its metadata cache, not the
   * replicas it hosts: a coordinator and the partitions its groups read are usually on
   * different brokers.
   */
  private partitionExists(topic: string, partition: number): boolean {
    const t = this.s.host.topics.get(topic);
    return t !== undefined && partition >= 0 && partition < (t.numPartitions ?? t.partitions.length);
  }

  /** Checks a commit against the group (Kafka's ClassicGroup.validateOffsetCommit). */
  private commitError(req: OffsetCommitInput): number {
    const cg = this.s.consumer.groups.get(req.groupId);
    if (cg) return this.s.consumer.commitError(cg, req.memberId, req.generationId, req.apiVersion ?? 9);
    const g = this.s.groups.get(req.groupId);
    if (!g) return req.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (g.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // A "simple" commit (no generation, no member) is allowed while the group has no members.
    if (req.generationId < 0 && g.is(GroupState.Empty)) return ErrorCode.NONE;
    const err = validateMember(g, req.memberId, req.groupInstanceId);
    if (err !== ErrorCode.NONE) return err;
    if (req.generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (g.is(GroupState.CompletingRebalance)) return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Validates, writes and applies an offset commit; resolves once the records are written. */
  async commitOffsets(req: OffsetCommitInput): Promise<TopicPartitionErrors[]> {
    let groupError: number =
      req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : await this.s.runtime.prepareWrite(req.groupId);
    if (groupError === ErrorCode.NONE) groupError = this.commitError(req);
    const maxMetadata = Number(this.s.host.config.get('offset.metadata.max.bytes'));
    const now = Date.now();
    const toWrite: { topic: string; partition: number; value: CommittedOffset }[] = [];
    const results: TopicPartitionErrors[] = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        let errorCode: number = groupError;
        if (errorCode === ErrorCode.NONE) {
          const metadata = p.committedMetadata ?? '';
          if (!this.partitionExists(t.name, p.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          // Kafka compares the string's length with offset.metadata.max.bytes.
          else if (metadata.length > maxMetadata) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
          else {
            toWrite.push({
              topic: t.name,
              partition: p.partitionIndex,
              value: {
                offset: p.committedOffset,
                leaderEpoch: p.committedLeaderEpoch,
                metadata,
                commitTimestampMs: now,
                // Kafka records an explicit expiry (value v1) only for a retention the client gave.
                expireTimestampMs: (req.retentionTimeMs ?? -1) >= 0 ? now + req.retentionTimeMs! : -1,
              },
            });
          }
        }
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    }));
    if (toWrite.length === 0) return results;
    try {
      await this.s.runtime.write(
        req.groupId,
        toWrite.map((o) => offsetCommitRecord(req.groupId, o.topic, o.partition, o.value)),
      );
    } catch (e) {
      this.s.host.log(`group ${req.groupId}: writing offsets failed: ${String(e)}`);
      const code = writeErrorCode(e);
      const failed = new Set(toWrite.map((o) => `${o.topic}\u0000${o.partition}`));
      for (const t of results) {
        for (const p of t.partitions) if (failed.has(`${t.name}\u0000${p.partitionIndex}`)) p.errorCode = code;
      }
      return results;
    }
    // The group may be created by a simple commit (Kafka creates it Empty).
    const g = this.s.consumer.groups.has(req.groupId) ? null : this.s.getOrCreateGroup(req.groupId);
    if (!g?.is(GroupState.Dead))
      for (const o of toWrite) this.s.offsets.put(req.groupId, o.topic, o.partition, o.value);
    return results;
  }

  /**
   * Committed offsets of a group: the listed partitions (-1 where nothing is
   * committed), or every committed one when `topics` is null.
   */
  fetchOffsets(
    groupId: string,
    topics: readonly { name: string; partitionIndexes: number[] }[] | null,
    member?: { memberId: string | null; memberEpoch: number },
  ): { errorCode: number; topics: FetchedTopic[] } {
    const notHere = this.s.runtime.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, topics: [] };
    const cg = member ? this.s.consumer.groups.get(groupId) : undefined;
    if (cg && member) {
      const err = this.s.consumer.fetchError(cg, member.memberId, member.memberEpoch);
      if (err !== ErrorCode.NONE) return { errorCode: err, topics: [] };
    }
    const entry = (partitionIndex: number, o: CommittedOffset | undefined) => ({
      partitionIndex,
      committedOffset: o?.offset ?? -1,
      committedLeaderEpoch: o?.leaderEpoch ?? -1,
      metadata: o ? o.metadata : '',
      errorCode: ErrorCode.NONE,
    });
    if (topics === null) {
      const out: FetchedTopic[] = [];
      for (const [name, ps] of this.s.offsets.all(groupId)) {
        out.push({ name, partitions: [...ps].sort((a, b) => a[0] - b[0]).map(([p, o]) => entry(p, o)) });
      }
      return { errorCode: ErrorCode.NONE, topics: out };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => entry(p, this.s.offsets.get(groupId, t.name, p))),
      })),
    };
  }

  /** OffsetDelete: only offsets of topics the group does not subscribe to (Kafka's GROUP_SUBSCRIBED_TO_TOPIC). */
  async deleteOffsets(
    groupId: string,
    topics: readonly { name: string; partitions: { partitionIndex: number }[] }[],
  ): Promise<{ errorCode: number; topics: TopicPartitionErrors[] }> {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const notHere = this.s.runtime.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, topics: [] };
    const cg = this.s.consumer.groups.get(groupId);
    const g = this.s.groups.get(groupId);
    if (!cg && (!g || g.is(GroupState.Dead))) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    let subscribed: Set<string> | null = new Set();
    if (cg) {
      subscribed = this.s.consumer.subscribedTopicNames(cg);
    } else if (g && !g.is(GroupState.Empty)) {
      if (g.protocolType !== CONSUMER_PROTOCOL) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
      subscribed = subscribedTopics(g);
    }
    const records: KeyValue[] = [];
    const deleted: { topic: string; partition: number }[] = [];
    const results: TopicPartitionErrors[] = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex }) => {
        if (subscribed === null || subscribed.has(t.name))
          return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (!this.partitionExists(t.name, partitionIndex))
          return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (this.s.offsets.get(groupId, t.name, partitionIndex)) {
          records.push(offsetCommitRecord(groupId, t.name, partitionIndex, null));
          deleted.push({ topic: t.name, partition: partitionIndex });
        }
        return { partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    if (records.length > 0) {
      try {
        await this.s.runtime.write(groupId, records);
      } catch (e) {
        this.s.host.log(`group ${groupId}: writing offset tombstones failed: ${String(e)}`);
        return { errorCode: writeErrorCode(e), topics: [] };
      }
      for (const d of deleted) this.s.offsets.delete(groupId, d.topic, d.partition);
    }
    return { errorCode: ErrorCode.NONE, topics: results };
  }

  /**
   * offsets.retention.minutes, Kafka's rule since KIP-211: the committed
   * offsets of a group without members expire once the group has been Empty
   * for the retention (the clock starts when it became Empty); a standalone
   * group's (no protocol type: commits only) expire that long after their
   * commit; an offset committed with an explicit expire time (OffsetCommit
   * v2–4 with a retention time; value v1) expires then. Groups with members
   * keep the offsets of the topics they subscribe to. Tombstones go to
   * `__consumer_offsets`; an Empty group left without offsets becomes Dead
   * and is removed (with its group tombstone). Returns the offsets expired.
   */
  async expireOffsets(now: number): Promise<number> {
    if (this.s.runtime.stopped || this.expiring) return 0;
    this.expiring = true;
    try {
      const retentionMs = this.s.host.config.offsetsRetentionMs;
      let total = 0;
      for (const groupId of [...this.s.offsets.groupIds()]) {
        if (this.s.runtime.coordinatorError(groupId) !== ErrorCode.NONE) continue;
        const cg = this.s.consumer.groups.get(groupId);
        const g = this.s.groups.get(groupId);
        // Which offsets may expire, as in Kafka: all of an empty or standalone group's; of a
        // group with members, those of topics it does not subscribe to (a Stable classic group
        // of the consumer protocol, or a consumer-protocol group), counted from their commit.
        let subscribed: ReadonlySet<string> = NO_TOPICS;
        let emptySince: number | undefined;
        if (cg) {
          if (cg.members.size > 0) subscribed = this.s.consumer.subscribedTopicNames(cg);
        } else if (g && g.protocolType !== null) {
          if (g.is(GroupState.Empty)) emptySince = g.stateTimestampMs;
          else if (g.protocolType === CONSUMER_PROTOCOL && g.is(GroupState.Stable)) {
            const topics = subscribedTopics(g);
            if (topics === null) continue;
            subscribed = topics;
          } else continue;
        }
        const expired: { topic: string; partition: number; value: CommittedOffset }[] = [];
        for (const [topic, ps] of this.s.offsets.all(groupId)) {
          if (subscribed.has(topic)) continue;
          for (const [partition, o] of ps) {
            const due =
              o.expireTimestampMs >= 0
                ? now >= o.expireTimestampMs
                : now - (emptySince ?? o.commitTimestampMs) >= retentionMs;
            if (due) expired.push({ topic, partition, value: o });
          }
        }
        if (expired.length === 0) continue;
        const records: KeyValue[] = expired.map((e) => offsetCommitRecord(groupId, e.topic, e.partition, null));
        try {
          await this.s.runtime.write(groupId, records);
        } catch (e) {
          this.s.host.log(`group ${groupId}: writing tombstones of expired offsets failed: ${String(e)}`);
          continue;
        }
        // A commit that arrived meanwhile replaced the offset: it stays.
        for (const e of expired) {
          if (this.s.offsets.get(groupId, e.topic, e.partition) === e.value) {
            this.s.offsets.delete(groupId, e.topic, e.partition);
            total++;
          }
        }
        this.s.host.log(`group ${groupId}: expired ${expired.length} committed offset(s) (offsets.retention.minutes)`);
        if (!this.s.offsets.hasOffsets(groupId)) await this.removeEmptyGroup(groupId);
      }
      return total;
    } finally {
      this.expiring = false;
    }
  }

  /**
   * Replays an offset-commit record: a commit (its group comes back as a classic group unless a
   * consumer group has the id) or a tombstone.
   */
  replay(rec: OffsetRecord): void {
    if (rec.value) {
      this.s.offsets.put(rec.groupId, rec.topic, rec.partition, rec.value);
      if (!this.s.consumer.groups.has(rec.groupId)) this.s.getOrCreateGroup(rec.groupId);
    } else {
      this.s.offsets.delete(rec.groupId, rec.topic, rec.partition);
    }
  }
}

/**
 * Topics the members of a consumer-protocol group subscribe to, read from
 * their ConsumerProtocolSubscription metadata; null when some metadata cannot
 * be parsed (then every topic counts as subscribed).
 */
export function subscribedTopics(g: ClassicGroup): Set<string> | null {
  const out = new Set<string>();
  for (const m of g.members.values()) {
    const protocols = g.protocolName !== null ? [g.metadataOf(m)] : m.protocols.map((p) => p.metadata);
    for (const md of protocols) {
      try {
        const r = new Reader(md);
        const version = r.int16();
        const s = decodeConsumerProtocolSubscription(r, Math.min(version, 3));
        for (const t of s.topics) out.add(t);
      } catch {
        return null;
      }
    }
  }
  return out;
}
