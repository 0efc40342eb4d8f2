// A classic consumer group's state: its members, generation, chosen protocol
// and leader, and the state machine of Kafka's classic group protocol:
//
//   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance
//     ▲                 ▲      │                                        │ leader's SyncGroup
//     │                 │      └──no member left──▶ Empty                ▼
//     └──last member────┴──────────── member joins, leaves, expires ── Stable
//   Dead: the group was deleted (or removed once empty); nothing more happens to it.
//
// This module holds data and the checks that only need the group; timers,
// waiting requests and persistence live in membership.ts, coordinator.ts and
// coordinator-runtime.ts.

import type { JoinGroupResponseInput } from '../../protocol/messages/join-group.ts';
import type { SyncGroupResponseInput } from '../../protocol/messages/sync-group.ts';

export const GroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const;
export type GroupState = (typeof GroupState)[keyof typeof GroupState];

/** Kafka's legal transitions: target ← allowed previous states. */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  /** Assignment from the leader's last SyncGroup. */
  assignment: Buffer;
  /** Answers the member's pending JoinGroup, when there is one. */
  awaitingJoin: ((r: JoinGroupResponseInput) => void) | null;
  /** Answers the member's pending SyncGroup, when there is one. */
  awaitingSync: ((r: SyncGroupResponseInput) => void) | null;
  /** Joined during the current rebalance for the first time. */
  isNew: boolean;
  lastHeartbeatMs: number;
}

const EMPTY = Buffer.alloc(0);

export class ClassicGroup {
  readonly groupId: string;
  state: GroupState = GroupState.Empty;
  stateTimestampMs: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Static members: group.instance.id → member id. */
  readonly staticMembers = new Map<string, string>();
  /** Members told MEMBER_ID_REQUIRED that have not joined with their id yet. */
  readonly pendingMembers = new Set<string>();
  /** Members of the new generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** A member joined since the rebalance began (extends the initial delay). */
  newMemberAdded = false;

  constructor(groupId: string, now: number) {
    this.groupId = groupId;
    this.stateTimestampMs = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} → ${state}`);
    }
    this.state = state;
    this.stateTimestampMs = now;
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): Member | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(instanceId: string | null): string | undefined {
    return instanceId === null ? undefined : this.staticMembers.get(instanceId);
  }

  add(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.leaderId ??= member.memberId;
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): Member | undefined {
    const m = this.members.get(memberId);
    if (!m) return undefined;
    this.members.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) {
      this.staticMembers.delete(m.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      // A member that already rejoined makes the best leader.
      let next: string | null = null;
      for (const o of this.members.values()) {
        if (o.awaitingJoin) {
          next = o.memberId;
          break;
        }
        next ??= o.memberId;
      }
      this.leaderId = next;
    }
    return m;
  }

  /** Static member rejoining with a new member id: the old one is replaced. */
  replaceStaticMember(instanceId: string, oldId: string, newId: string): Member {
    const m = this.members.get(oldId)!;
    this.members.delete(oldId);
    m.memberId = newId;
    this.members.set(newId, m);
    this.staticMembers.set(instanceId, newId);
    if (this.leaderId === oldId) this.leaderId = newId;
    if (this.pendingSyncMembers.delete(oldId)) this.pendingSyncMembers.add(newId);
    return m;
  }

  /** Members of the last generation that have not rejoined during this rebalance. */
  notYetRejoined(): Member[] {
    return [...this.members.values()].filter((m) => m.awaitingJoin === null);
  }

  get numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin) n++;
    return n;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoin && this.pendingMembers.size === 0;
  }

  /** Largest rebalance timeout among members: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  /** Whether a joining member's protocols fit this group (type, and one protocol in common). */
  supportsProtocols(protocolType: string, names: readonly string[]): boolean {
    if (this.is(GroupState.Empty) && this.members.size === 0) {
      return protocolType.length > 0 && names.length > 0;
    }
    if (this.protocolType !== protocolType) return false;
    return this.candidateProtocols().some((p) => names.includes(p));
  }

  /** Protocols every member supports, in the first member's order. */
  candidateProtocols(): string[] {
    const all = [...this.members.values()];
    if (all.length === 0) return [];
    const first = all[0]!.protocols.map((p) => p.name);
    return first.filter((name) => all.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /**
   * Kafka's vote: each member votes for the first protocol of its own list
   * that all members support; the most votes win (ties go to the earlier candidate).
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) throw new Error(`group ${this.groupId}: no protocol supported by all members`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** The member's metadata for the group's chosen protocol. */
  metadataOf(m: Member, protocol = this.protocolName): Buffer {
    if (protocol === null) return EMPTY;
    return m.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Starts the next generation: generation + 1, protocol chosen, CompletingRebalance (or Empty). */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo(GroupState.CompletingRebalance, now);
      this.pendingSyncMembers.clear();
      for (const id of this.members.keys()) this.pendingSyncMembers.add(id);
    } else {
      this.protocolName = null;
      this.protocolType = this.protocolType ?? null;
      this.transitionTo(GroupState.Empty, now);
    }
  }

  /** Whether the member's protocols are exactly the ones it joined with (same names, same metadata). */
  static sameProtocols(a: readonly Protocol[], b: readonly Protocol[]): boolean {
    return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
  }
}
