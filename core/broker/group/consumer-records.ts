// `__consumer_offsets` records of consumer groups (KIP-848), with the key and
// value schemas of Kafka's group coordinator; each key starts with its int16
// version, which is also the record type:
//   3 ConsumerGroupMetadata (group epoch)
//   4 ConsumerGroupPartitionMetadata (subscribed topics' metadata)
//   5 ConsumerGroupMemberMetadata (a member's subscription and client info)
//   6 ConsumerGroupTargetAssignmentMetadata (the assignment epoch)
//   7 ConsumerGroupTargetAssignmentMember (a member's target partitions)
//   8 ConsumerGroupCurrentMemberAssignment (a member's epoch, state and current partitions)
// A null value (tombstone) deletes the key.
// The value of type 8 is written and read here rather than by its generated codec: since Kafka 4.3
// (KIP-1251) each of its TopicPartitions carries the partitions' assignment epochs in tagged
// field 0 (`AssignmentEpochs`, nullable []int32 aligned with `Partitions`), which the schema the
// codecs are generated from predates. A value without it (an older Kafka's, or Samsa's before)
// reads as every partition held since the member epoch (0 for a negative one), as Kafka reads it.

import { Reader } from '../../protocol/reader.ts';
import { Writer } from '../../protocol/writer.ts';
import * as gmk from '../../protocol/records/consumer-group-metadata-key.ts';
import * as gmv from '../../protocol/records/consumer-group-metadata-value.ts';
import * as pmk from '../../protocol/records/consumer-group-partition-metadata-key.ts';
import * as pmv from '../../protocol/records/consumer-group-partition-metadata-value.ts';
import * as mmk from '../../protocol/records/consumer-group-member-metadata-key.ts';
import * as mmv from '../../protocol/records/consumer-group-member-metadata-value.ts';
import * as tak from '../../protocol/records/consumer-group-target-assignment-metadata-key.ts';
import * as tav from '../../protocol/records/consumer-group-target-assignment-metadata-value.ts';
import * as tmk from '../../protocol/records/consumer-group-target-assignment-member-key.ts';
import * as tmv from '../../protocol/records/consumer-group-target-assignment-member-value.ts';
import * as cak from '../../protocol/records/consumer-group-current-member-assignment-key.ts';
import {
  fromAssignment,
  type Assignment,
  type AssignmentEpochs,
  type ConsumerMember,
  type TopicInfo,
} from './consumer-group.ts';
import type { KeyValue } from './coordinator-record.ts';

export const ConsumerRecordType = {
  GroupMetadata: 3,
  PartitionMetadata: 4,
  MemberMetadata: 5,
  TargetAssignmentMetadata: 6,
  TargetAssignmentMember: 7,
  CurrentMemberAssignment: 8,
} as const;

export type ConsumerRecord =
  | { kind: 'cg-epoch'; groupId: string; epoch: number | null }
  | { kind: 'cg-topics'; groupId: string; topics: TopicInfo[] | null }
  | { kind: 'cg-member'; groupId: string; memberId: string; value: mmv.ConsumerGroupMemberMetadataValue | null }
  | { kind: 'cg-assignment-epoch'; groupId: string; epoch: number | null }
  | {
      kind: 'cg-target';
      groupId: string;
      memberId: string;
      partitions: { topicId: string; partitions: number[] }[] | null;
    }
  | {
      kind: 'cg-current';
      groupId: string;
      memberId: string;
      value: CurrentAssignmentValue | null;
    };

/** One TopicPartitions entry of a current-assignment value, with its assignment epochs (KIP-1251). */
export interface HeldPartitions {
  topicId: string;
  partitions: number[];
  /** Aligned with `partitions`; null when the record has none (tagged field 0 absent). */
  assignmentEpochs: number[] | null;
}

/** ConsumerGroupCurrentMemberAssignmentValue v0. */
export interface CurrentAssignmentValue {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: number;
  assignedPartitions: HeldPartitions[];
  partitionsPendingRevocation: HeldPartitions[];
}

function key(type: number, enc: (w: Writer) => void): Buffer {
  const w = new Writer(64).int16(type);
  enc(w);
  return w.toBuffer();
}

function value(enc: (w: Writer) => void): Buffer {
  const w = new Writer(128).int16(0);
  enc(w);
  return w.toBuffer();
}

export function groupEpochRecord(groupId: string, epoch: number | null): KeyValue {
  const T = ConsumerRecordType.GroupMetadata;
  return {
    key: key(T, (w) => gmk.encodeConsumerGroupMetadataKey(w, T, { groupId })),
    value: epoch === null ? null : value((w) => gmv.encodeConsumerGroupMetadataValue(w, 0, { epoch })),
  };
}

export function partitionMetadataRecord(groupId: string, topics: TopicInfo[] | null): KeyValue {
  const T = ConsumerRecordType.PartitionMetadata;
  return {
    key: key(T, (w) => pmk.encodeConsumerGroupPartitionMetadataKey(w, T, { groupId })),
    value:
      topics === null
        ? null
        : value((w) =>
            pmv.encodeConsumerGroupPartitionMetadataValue(w, 0, {
              topics: topics.map((t) => ({
                topicId: t.topicId,
                topicName: t.name,
                numPartitions: t.numPartitions,
                partitionMetadata: [],
              })),
            }),
          ),
  };
}

export function memberMetadataRecord(groupId: string, memberId: string, m: ConsumerMember | null): KeyValue {
  const T = ConsumerRecordType.MemberMetadata;
  return {
    key: key(T, (w) => mmk.encodeConsumerGroupMemberMetadataKey(w, T, { groupId, memberId })),
    value:
      m === null
        ? null
        : value((w) =>
            mmv.encodeConsumerGroupMemberMetadataValue(w, 0, {
              instanceId: m.instanceId,
              rackId: m.rackId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              subscribedTopicNames: m.subscribedTopicNames,
              subscribedTopicRegex: m.subscribedTopicRegex,
              rebalanceTimeoutMs: m.rebalanceTimeoutMs,
              serverAssignor: m.serverAssignor,
              classicMemberMetadata: null,
            }),
          ),
  };
}

export function assignmentEpochRecord(groupId: string, epoch: number | null): KeyValue {
  const T = ConsumerRecordType.TargetAssignmentMetadata;
  return {
    key: key(T, (w) => tak.encodeConsumerGroupTargetAssignmentMetadataKey(w, T, { groupId })),
    value:
      epoch === null
        ? null
        : value((w) => tav.encodeConsumerGroupTargetAssignmentMetadataValue(w, 0, { assignmentEpoch: epoch })),
  };
}

export function targetMemberRecord(groupId: string, memberId: string, a: Assignment | null): KeyValue {
  const T = ConsumerRecordType.TargetAssignmentMember;
  return {
    key: key(T, (w) => tmk.encodeConsumerGroupTargetAssignmentMemberKey(w, T, { groupId, memberId })),
    value:
      a === null
        ? null
        : value((w) =>
            tmv.encodeConsumerGroupTargetAssignmentMemberValue(w, 0, { topicPartitions: fromAssignment(a) }),
          ),
  };
}

export function currentAssignmentRecord(groupId: string, memberId: string, m: ConsumerMember | null): KeyValue {
  const T = ConsumerRecordType.CurrentMemberAssignment;
  return {
    key: key(T, (w) => cak.encodeConsumerGroupCurrentMemberAssignmentKey(w, T, { groupId, memberId })),
    value:
      m === null
        ? null
        : value((w) =>
            encodeCurrentAssignmentValue(w, {
              memberEpoch: m.memberEpoch,
              previousMemberEpoch: m.previousMemberEpoch,
              state: m.state,
              assignedPartitions: withEpochs(m.assigned, m.assignmentEpochs, m.memberEpoch),
              partitionsPendingRevocation: withEpochs(m.pendingRevocation, m.assignmentEpochs, m.memberEpoch),
            }),
          ),
  };
}

function withEpochs(a: Assignment, epochs: AssignmentEpochs, memberEpoch: number): HeldPartitions[] {
  return fromAssignment(a).map((t) => ({
    ...t,
    assignmentEpochs: t.partitions.map((p) => epochs.get(t.topicId)?.get(p) ?? Math.max(memberEpoch, 0)),
  }));
}

function encodeHeld(w: Writer, list: HeldPartitions[]): void {
  w.compactArrayLength(list.length);
  for (const t of list) {
    w.uuid(t.topicId);
    w.compactArrayLength(t.partitions.length);
    for (const p of t.partitions) w.int32(p);
    if (t.assignmentEpochs === null) {
      w.uvarint(0);
      continue;
    }
    const field = new Writer(8 + 5 * t.assignmentEpochs.length);
    field.compactArrayLength(t.assignmentEpochs.length);
    for (const e of t.assignmentEpochs) field.int32(e);
    const bytes = field.toBuffer();
    w.uvarint(1).uvarint(0).uvarint(bytes.length).raw(bytes);
  }
}

/** Writes a ConsumerGroupCurrentMemberAssignmentValue v0 (after its version) with the assignment epochs. */
export function encodeCurrentAssignmentValue(w: Writer, v: CurrentAssignmentValue): void {
  w.int32(v.memberEpoch).int32(v.previousMemberEpoch).int8(v.state);
  encodeHeld(w, v.assignedPartitions);
  encodeHeld(w, v.partitionsPendingRevocation);
  w.uvarint(0);
}

function decodeHeld(r: Reader): HeldPartitions[] {
  const n = r.compactArrayLength();
  const out: HeldPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topicId = r.uuid();
    const partitions: number[] = [];
    for (let k = r.compactArrayLength(); k > 0; k--) partitions.push(r.int32());
    let assignmentEpochs: number[] | null = null;
    for (let tags = r.uvarint(); tags > 0; tags--) {
      const tag = r.uvarint();
      const end = r.taggedFieldEnd(r.uvarint());
      if (tag === 0) {
        const len = r.compactArrayLength();
        if (len >= 0) {
          assignmentEpochs = [];
          for (let k = 0; k < len; k++) assignmentEpochs.push(r.int32());
        }
      }
      r.endTaggedField(end);
    }
    out.push({ topicId, partitions, assignmentEpochs });
  }
  return out;
}

/** Reads a ConsumerGroupCurrentMemberAssignmentValue v0 (after its version), tagged assignment epochs included. */
export function decodeCurrentAssignmentValue(r: Reader): CurrentAssignmentValue {
  const memberEpoch = r.int32();
  const previousMemberEpoch = r.int32();
  const state = r.int8();
  const assignedPartitions = decodeHeld(r);
  const partitionsPendingRevocation = decodeHeld(r);
  r.skipTaggedFields();
  return { memberEpoch, previousMemberEpoch, state, assignedPartitions, partitionsPendingRevocation };
}

/**
 * The assignment epochs a current-assignment value gives its partitions: the recorded ones, else
 * (none, or not aligned with the partitions) the member epoch, 0 for a negative one (Kafka's
 * Utils.assignmentFromTopicPartitions).
 */
export function assignmentEpochsOf(v: CurrentAssignmentValue): AssignmentEpochs {
  const fallback = Math.max(v.memberEpoch, 0);
  const out: AssignmentEpochs = new Map();
  for (const t of [...v.assignedPartitions, ...v.partitionsPendingRevocation]) {
    const epochs = t.assignmentEpochs?.length === t.partitions.length ? t.assignmentEpochs : null;
    let ps = out.get(t.topicId);
    if (!ps) out.set(t.topicId, (ps = new Map()));
    t.partitions.forEach((p, i) => ps.set(p, epochs ? epochs[i]! : fallback));
  }
  return out;
}

/** Decodes a consumer-group record (key version 3–8, already read into `kr`); undefined for other types. */
export function decodeConsumerRecord(keyVersion: number, kr: Reader, val: Buffer | null): ConsumerRecord | undefined {
  const vr = val === null ? null : new Reader(val);
  const vv = vr ? vr.int16() : 0;
  switch (keyVersion) {
    case ConsumerRecordType.GroupMetadata: {
      const k = gmk.decodeConsumerGroupMetadataKey(kr, keyVersion);
      return {
        kind: 'cg-epoch',
        groupId: k.groupId,
        epoch: vr ? gmv.decodeConsumerGroupMetadataValue(vr, vv).epoch : null,
      };
    }
    case ConsumerRecordType.PartitionMetadata: {
      const k = pmk.decodeConsumerGroupPartitionMetadataKey(kr, keyVersion);
      const topics = vr
        ? pmv
            .decodeConsumerGroupPartitionMetadataValue(vr, vv)
            .topics.map((t) => ({ topicId: t.topicId, name: t.topicName, numPartitions: t.numPartitions }))
        : null;
      return { kind: 'cg-topics', groupId: k.groupId, topics };
    }
    case ConsumerRecordType.MemberMetadata: {
      const k = mmk.decodeConsumerGroupMemberMetadataKey(kr, keyVersion);
      return {
        kind: 'cg-member',
        groupId: k.groupId,
        memberId: k.memberId,
        value: vr ? mmv.decodeConsumerGroupMemberMetadataValue(vr, vv) : null,
      };
    }
    case ConsumerRecordType.TargetAssignmentMetadata: {
      const k = tak.decodeConsumerGroupTargetAssignmentMetadataKey(kr, keyVersion);
      return {
        kind: 'cg-assignment-epoch',
        groupId: k.groupId,
        epoch: vr ? tav.decodeConsumerGroupTargetAssignmentMetadataValue(vr, vv).assignmentEpoch : null,
      };
    }
    case ConsumerRecordType.TargetAssignmentMember: {
      const k = tmk.decodeConsumerGroupTargetAssignmentMemberKey(kr, keyVersion);
      return {
        kind: 'cg-target',
        groupId: k.groupId,
        memberId: k.memberId,
        partitions: vr ? tmv.decodeConsumerGroupTargetAssignmentMemberValue(vr, vv).topicPartitions : null,
      };
    }
    case ConsumerRecordType.CurrentMemberAssignment: {
      const k = cak.decodeConsumerGroupCurrentMemberAssignmentKey(kr, keyVersion);
      return {
        kind: 'cg-current',
        groupId: k.groupId,
        memberId: k.memberId,
        value: vr ? decodeCurrentAssignmentValue(vr) : null,
      };
    }
    default:
      return undefined;
  }
}
