// Group administration at the coordinator (the admin side of Kafka's
// GroupMetadataManager): ListGroups over the classic and the consumer-protocol
// groups this broker coordinates, DescribeGroups of a classic group, and
// DeleteGroups — only of an empty group, as Kafka refuses NON_EMPTY_GROUP —
// which writes tombstones for the group and its offsets before forgetting
// them. Also the removal of an Empty group whose last offsets expired (Kafka's
// cleanupGroupMetadata).

import { ErrorCode } from '../../protocol/errors.ts';
import { GroupState } from './group.ts';
import { groupMetadataRecord, offsetCommitRecord, writeErrorCode } from './group-log.ts';
import type { KeyValue } from './coordinator-record.ts';
import { CONSUMER_PROTOCOL, type CoordinatorState } from './coordinator-state.ts';

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }[];
}

const EMPTY = Buffer.alloc(0);

export class GroupAdmin {
  private readonly s: CoordinatorState;

  constructor(state: CoordinatorState) {
    this.s = state;
  }

  listGroups(
    statesFilter: readonly string[],
    typesFilter: readonly string[],
  ): { errorCode: number; groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[] } {
    if (this.s.runtime.stopped) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    if (this.s.runtime.isLoading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.toLowerCase()));
    const groups = [];
    for (const g of this.s.groups.values()) {
      if (g.is(GroupState.Dead)) continue;
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('classic')) continue;
      groups.push({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        groupState: g.state,
        groupType: 'classic',
      });
    }
    for (const g of this.s.consumer.groups.values()) {
      if (g.dead || this.s.groups.has(g.groupId)) continue;
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('consumer')) continue;
      groups.push({ groupId: g.groupId, protocolType: CONSUMER_PROTOCOL, groupState: g.state, groupType: 'consumer' });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  describeGroup(groupId: string): GroupDescription {
    const base = { groupId, groupState: GroupState.Dead as string, protocolType: '', protocolData: '', members: [] };
    const notHere = this.s.runtime.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, ...base };
    const g = this.s.groups.get(groupId);
    if (!g) return { errorCode: ErrorCode.NONE, ...base };
    const stable = g.is(GroupState.Stable);
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? g.metadataOf(m) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; errorCode: number }[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        if (groupId === '') return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID };
        const notHere = this.s.runtime.coordinatorError(groupId);
        if (notHere !== ErrorCode.NONE) return { groupId, errorCode: notHere };
        const cg = this.s.consumer.groups.get(groupId);
        if (cg) return this.deleteConsumerGroup(groupId);
        const g = this.s.groups.get(groupId);
        if (!g || g.is(GroupState.Dead)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
        if (!g.is(GroupState.Empty)) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
        const records: KeyValue[] = this.s.offsets
          .partitions(groupId)
          .map((p) => offsetCommitRecord(groupId, p.topic, p.partition, null));
        records.push(groupMetadataRecord(groupId, null, Date.now()));
        try {
          await this.s.runtime.write(groupId, records);
        } catch (e) {
          this.s.host.log(`group ${groupId}: writing tombstones failed: ${String(e)}`);
          return { groupId, errorCode: writeErrorCode(e) };
        }
        if (this.s.groups.get(groupId) === g && g.is(GroupState.Empty)) {
          g.transitionTo(GroupState.Dead, Date.now());
          this.s.membership.forget(g);
          this.s.groups.delete(groupId);
          this.s.offsets.deleteGroup(groupId);
        }
        return { groupId, errorCode: ErrorCode.NONE };
      }),
    );
  }

  private async deleteConsumerGroup(groupId: string): Promise<{ groupId: string; errorCode: number }> {
    const cg = this.s.consumer.groups.get(groupId)!;
    if (cg.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
    const records: KeyValue[] = this.s.offsets
      .partitions(groupId)
      .map((p) => offsetCommitRecord(groupId, p.topic, p.partition, null));
    records.push(...this.s.consumer.deleteRecords(cg));
    try {
      await this.s.runtime.write(groupId, records);
    } catch (e) {
      this.s.host.log(`group ${groupId}: writing tombstones failed: ${String(e)}`);
      return { groupId, errorCode: writeErrorCode(e) };
    }
    if (this.s.consumer.groups.get(groupId) === cg && cg.members.size === 0) {
      this.s.consumer.forget(groupId);
      this.s.offsets.deleteGroup(groupId);
    }
    return { groupId, errorCode: ErrorCode.NONE };
  }

  /** An Empty group without offsets left becomes Dead and disappears (Kafka's cleanupGroupMetadata). */
  async removeEmptyGroup(groupId: string): Promise<void> {
    const cg = this.s.consumer.groups.get(groupId);
    if (cg) {
      if (cg.members.size > 0) return;
      try {
        await this.s.runtime.write(groupId, this.s.consumer.deleteRecords(cg));
      } catch {
        return;
      }
      if (this.s.consumer.groups.get(groupId) === cg && cg.members.size === 0 && !this.s.offsets.hasOffsets(groupId))
        this.s.consumer.forget(groupId);
      return;
    }
    const g = this.s.groups.get(groupId);
    if (g && !g.is(GroupState.Empty)) return;
    try {
      await this.s.runtime.write(groupId, [groupMetadataRecord(groupId, null, Date.now())]);
    } catch {
      return;
    }
    if (g && this.s.groups.get(groupId) === g && g.is(GroupState.Empty) && !this.s.offsets.hasOffsets(groupId)) {
      g.transitionTo(GroupState.Dead, Date.now());
      this.s.membership.forget(g);
      this.s.groups.delete(groupId);
    }
  }
}
