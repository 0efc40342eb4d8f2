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
import * as cav from '../../protocol/records/consumer-group-current-member-assignment-value.ts';
import { fromAssignment, type Assignment, type ConsumerMember, type TopicInfo } from './consumer-group.ts';
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
      value: cav.ConsumerGroupCurrentMemberAssignmentValue | null;
    };

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
            cav.encodeConsumerGroupCurrentMemberAssignmentValue(w, 0, {
              memberEpoch: m.memberEpoch,
              previousMemberEpoch: m.previousMemberEpoch,
              state: m.state,
              assignedPartitions: fromAssignment(m.assigned),
              partitionsPendingRevocation: fromAssignment(m.pendingRevocation),
            }),
          ),
  };
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
        value: vr ? cav.decodeConsumerGroupCurrentMemberAssignmentValue(vr, vv) : null,
      };
    }
    default:
      return undefined;
  }
}
