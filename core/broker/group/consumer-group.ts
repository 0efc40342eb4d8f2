// A consumer group of the new protocol (KIP-848): members with their
// subscriptions and epochs, the group epoch, the target assignment computed
// by a server-side assignor (and its epoch), and each member's current
// assignment as reconciled so far. Also the two assignors (uniform, range)
// and the reconciliation step of one member (Kafka's CurrentAssignmentBuilder,
// simplified): a partition is first revoked from its owner, and only then
// given to its new one. Each partition a member holds carries its assignment
// epoch (KIP-1251, Kafka 4.3): the member epoch at which the member got it, so
// that an OffsetCommit with an older member epoch can still commit the
// partitions the member held at that epoch.

/** topic id → partitions */
export type Assignment = Map<string, Set<number>>;

/** topic id → partition → the member epoch at which the member got the partition (KIP-1251). */
export type AssignmentEpochs = Map<string, Map<number, number>>;

/** Kafka's MemberState values, as stored in ConsumerGroupCurrentMemberAssignmentValue. */
export const MemberState = {
  Stable: 1,
  UnrevokedPartitions: 2,
  UnreleasedPartitions: 3,
} as const;
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

export const ConsumerGroupState = {
  Empty: 'Empty',
  Assigning: 'Assigning',
  Reconciling: 'Reconciling',
  Stable: 'Stable',
  Dead: 'Dead',
} as const;
export type ConsumerGroupState = (typeof ConsumerGroupState)[keyof typeof ConsumerGroupState];

/** Epoch of a static member that left temporarily (it keeps its assignment until its session ends). */
export const LEAVE_STATIC_EPOCH = -2;
export const LEAVE_EPOCH = -1;

export const ASSIGNORS = ['uniform', 'range'] as const;
export const DEFAULT_ASSIGNOR = 'uniform';

export interface ConsumerMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: Assignment;
  pendingRevocation: Assignment;
  /** The assignment epoch of each partition in `assigned` and `pendingRevocation`. */
  assignmentEpochs: AssignmentEpochs;
}

export function newMember(memberId: string): ConsumerMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: 300000,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: MemberState.Stable,
    assigned: new Map(),
    pendingRevocation: new Map(),
    assignmentEpochs: new Map(),
  };
}

export class ConsumerGroup {
  readonly groupId: string;
  groupEpoch = 0;
  assignmentEpoch = 0;
  /** Signature of the subscribed topics' metadata (names, ids, partition counts) at the last epoch bump. */
  metadataSignature = '';
  readonly members = new Map<string, ConsumerMember>();
  /** Static members: instance id → member id. */
  readonly staticMembers = new Map<string, string>();
  readonly target = new Map<string, Assignment>();
  dead = false;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  get state(): ConsumerGroupState {
    if (this.dead) return ConsumerGroupState.Dead;
    if (this.members.size === 0) return ConsumerGroupState.Empty;
    if (this.groupEpoch !== this.assignmentEpoch) return ConsumerGroupState.Assigning;
    for (const m of this.members.values()) {
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== MemberState.Stable)
        return ConsumerGroupState.Reconciling;
    }
    return ConsumerGroupState.Stable;
  }

  /** The assignor the group uses: the one most members ask for, else the default. */
  assignorName(): string {
    const votes = new Map<string, number>();
    for (const m of this.members.values())
      if (m.serverAssignor) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best = DEFAULT_ASSIGNOR;
    let n = 0;
    for (const [name, c] of votes)
      if (c > n) {
        best = name;
        n = c;
      }
    return best;
  }

  /** Owner of each partition currently assigned or pending revocation: "topicId:p" → member id. */
  owners(): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of this.members.values()) {
      for (const a of [m.assigned, m.pendingRevocation]) {
        for (const [t, ps] of a) for (const p of ps) out.set(`${t}:${p}`, m.memberId);
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------- assignments

/**
 * Brings a member's assignment epochs in line with what it holds (assigned and pending
 * revocation): a partition it held keeps its epoch, a new one gets `epoch` (Kafka's
 * CurrentAssignmentBuilder stamps the new member epoch), a partition it no longer holds is dropped.
 */
export function stampAssignmentEpochs(m: ConsumerMember, epoch: number): void {
  const next: AssignmentEpochs = new Map();
  for (const a of [m.assigned, m.pendingRevocation]) {
    for (const [t, ps] of a) {
      const prev = m.assignmentEpochs.get(t);
      let out = next.get(t);
      if (!out) next.set(t, (out = new Map()));
      for (const p of ps) out.set(p, prev?.get(p) ?? epoch);
    }
  }
  m.assignmentEpochs = next;
}

/** Every held partition to `epoch` (Kafka's resetAssignedPartitionsEpochsToZero, for a static member leaving). */
export function resetAssignmentEpochs(m: ConsumerMember, epoch: number): void {
  m.assignmentEpochs = new Map();
  stampAssignmentEpochs(m, epoch);
}

/** The assignment epoch of a partition the member holds (assigned or pending revocation), else undefined. */
export function assignmentEpochOf(m: ConsumerMember, topicId: string, partition: number): number | undefined {
  return m.assignmentEpochs.get(topicId)?.get(partition);
}

export function cloneAssignmentEpochs(e: AssignmentEpochs): AssignmentEpochs {
  return new Map([...e].map(([t, ps]) => [t, new Map(ps)]));
}

export function cloneAssignment(a: Assignment): Assignment {
  return new Map([...a].map(([t, ps]) => [t, new Set(ps)]));
}

export function assignmentSize(a: Assignment): number {
  let n = 0;
  for (const ps of a.values()) n += ps.size;
  return n;
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  if (assignmentSize(a) !== assignmentSize(b)) return false;
  for (const [t, ps] of a) {
    const other = b.get(t);
    for (const p of ps) if (!other?.has(p)) return false;
  }
  return true;
}

function add(a: Assignment, topicId: string, p: number): void {
  let s = a.get(topicId);
  if (!s) a.set(topicId, (s = new Set()));
  s.add(p);
}

export function toAssignment(
  list: readonly { topicId: string; partitions: readonly number[] }[] | null | undefined,
): Assignment {
  const out: Assignment = new Map();
  for (const t of list ?? []) for (const p of t.partitions) add(out, t.topicId, p);
  return out;
}

export function fromAssignment(a: Assignment): { topicId: string; partitions: number[] }[] {
  return [...a]
    .filter(([, ps]) => ps.size > 0)
    .sort((x, y) => (x[0] < y[0] ? -1 : 1))
    .map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((x, y) => x - y) }));
}

// ---------------------------------------------------------------- assignors

/** A subscribed topic as the assignors see it. */
export interface TopicInfo {
  topicId: string;
  name: string;
  numPartitions: number;
}

export interface AssignorInput {
  /** Member id → the topics (by name) it subscribes to that exist. */
  subscriptions: Map<string, Set<string>>;
  topics: Map<string, TopicInfo>;
  /** The previous target assignment (for stickiness). */
  previous: Map<string, Assignment>;
}

/**
 * Uniform: balanced and sticky. Each member keeps what it had up to its fair
 * share; the rest goes, partition by partition, to the eligible member with
 * the fewest partitions.
 */
function uniformAssign(input: AssignorInput): Map<string, Assignment> {
  const members = [...input.subscriptions.keys()].sort();
  const out = new Map<string, Assignment>(members.map((m) => [m, new Map()]));
  const count = new Map<string, number>(members.map((m) => [m, 0]));
  const all: { topic: TopicInfo; p: number }[] = [];
  for (const t of [...input.topics.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!members.some((m) => input.subscriptions.get(m)!.has(t.name))) continue;
    for (let p = 0; p < t.numPartitions; p++) all.push({ topic: t, p });
  }
  const quota = members.length > 0 ? Math.floor(all.length / members.length) : 0;
  const taken = new Set<string>();
  for (const m of members) {
    const prev = input.previous.get(m);
    if (!prev) continue;
    for (const [topicId, ps] of prev) {
      const topic = [...input.topics.values()].find((t) => t.topicId === topicId);
      if (!topic || !input.subscriptions.get(m)!.has(topic.name)) continue;
      for (const p of [...ps].sort((a, b) => a - b)) {
        if (p >= topic.numPartitions || count.get(m)! >= quota) continue;
        const key = `${topicId}:${p}`;
        if (taken.has(key)) continue;
        taken.add(key);
        add(out.get(m)!, topicId, p);
        count.set(m, count.get(m)! + 1);
      }
    }
  }
  for (const { topic, p } of all) {
    const key = `${topic.topicId}:${p}`;
    if (taken.has(key)) continue;
    let best: string | undefined;
    for (const m of members) {
      if (!input.subscriptions.get(m)!.has(topic.name)) continue;
      if (best === undefined || count.get(m)! < count.get(best)!) best = m;
    }
    if (best === undefined) continue;
    taken.add(key);
    add(out.get(best)!, topic.topicId, p);
    count.set(best, count.get(best)! + 1);
  }
  return out;
}

/** Range: per topic, the subscribed members (by id) get contiguous ranges; the first ones one extra. */
function rangeAssign(input: AssignorInput): Map<string, Assignment> {
  const members = [...input.subscriptions.keys()].sort();
  const out = new Map<string, Assignment>(members.map((m) => [m, new Map()]));
  for (const t of input.topics.values()) {
    const subs = members.filter((m) => input.subscriptions.get(m)!.has(t.name));
    if (subs.length === 0) continue;
    const per = Math.floor(t.numPartitions / subs.length);
    const extra = t.numPartitions % subs.length;
    let next = 0;
    subs.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) add(out.get(m)!, t.topicId, next++);
    });
  }
  return out;
}

export function runAssignor(name: string, input: AssignorInput): Map<string, Assignment> {
  return name === 'range' ? rangeAssign(input) : uniformAssign(input);
}

// ---------------------------------------------------------------- reconciliation

/**
 * Moves a member one step towards its target assignment (at the group's
 * assignment epoch). `owned` is what the member reported owning in this
 * heartbeat (null: unchanged). Returns true when the member changed.
 */
export function reconcile(group: ConsumerGroup, m: ConsumerMember, owned: Assignment | null): boolean {
  const before = JSON.stringify([
    m.memberEpoch,
    m.state,
    fromAssignment(m.assigned),
    fromAssignment(m.pendingRevocation),
  ]);
  // Revocation finishes once the member no longer reports the revoked partitions.
  if (m.state === MemberState.UnrevokedPartitions && owned !== null) {
    let stillOwned = false;
    for (const [t, ps] of m.pendingRevocation) for (const p of ps) if (owned.get(t)?.has(p)) stillOwned = true;
    if (!stillOwned) {
      m.pendingRevocation = new Map();
      m.state = MemberState.Stable;
      // Revocation done: the member may move to the target epoch below.
    }
  }
  if (m.state !== MemberState.UnrevokedPartitions) {
    const target = group.target.get(m.memberId) ?? new Map();
    const kept: Assignment = new Map();
    const revoke: Assignment = new Map();
    for (const [t, ps] of m.assigned) for (const p of ps) add(target.get(t)?.has(p) ? kept : revoke, t, p);
    if (assignmentSize(revoke) > 0) {
      m.assigned = kept;
      m.pendingRevocation = revoke;
      m.state = MemberState.UnrevokedPartitions;
    } else {
      const owners = group.owners();
      let unreleased = false;
      for (const [t, ps] of target) {
        for (const p of ps) {
          if (kept.get(t)?.has(p)) continue;
          const owner = owners.get(`${t}:${p}`);
          if (owner !== undefined && owner !== m.memberId) unreleased = true;
          else add(kept, t, p);
        }
      }
      m.assigned = kept;
      m.state = unreleased ? MemberState.UnreleasedPartitions : MemberState.Stable;
      if (m.memberEpoch !== group.assignmentEpoch) {
        m.previousMemberEpoch = m.memberEpoch;
        m.memberEpoch = group.assignmentEpoch;
      }
    }
  }
  stampAssignmentEpochs(m, m.memberEpoch);
  return (
    JSON.stringify([m.memberEpoch, m.state, fromAssignment(m.assigned), fromAssignment(m.pendingRevocation)]) !== before
  );
}
