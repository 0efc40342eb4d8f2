// The controller's topics and partitions (the shape of Kafka's ReplicationControlManager): the
// in-memory copy of the topic and partition records, kept by replaying the committed changes, and
// the leader and ISR decisions made on them. A broker that goes leaves every ISR where another
// member remains and its leaderships move to the first live in-sync replica (the unclean rule
// when the topic allows it, else leader -1), each move bumping the leader epoch; leaderless
// partitions get a leader when an eligible replica comes back; the periodic rebalance moves
// leadership back to the preferred replica; AlterPartition applies a leader's ISR change after
// Kafka's checks (leader, leader epoch, partition epoch, eligible members).
import { collisionKey } from '../broker/configs.ts';
import type { MetadataChange, PartitionInfo, TopicInfo } from '../metadata/types.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type {
  AlterPartitionRequest,
  AlterPartitionResponseInput,
  AlterPartitionResponsePartitionDataInput,
  AlterPartitionResponseTopicDataInput,
} from '../protocol/messages/alter-partition.ts';
import type { AdminContext } from './admin/context.ts';
import { ZERO_UUID } from './admin/context.ts';
import { preferredElectionChanges } from './admin/elect-leaders.ts';
import { replicationFactorChange } from './admin/reassignments.ts';
import { chooseLeader, chooseUncleanLeader } from './placement.ts';

type AlterPartitionData = AlterPartitionRequest['topics'][number]['partitions'][number];

export class ReplicationControl {
  /** The controller: the live brokers, the config, `commit`. */
  private readonly ctx: AdminContext;
  private readonly log: (msg: string) => void;
  private readonly topicMap = new Map<string, TopicInfo>();
  private readonly topicIdMap = new Map<string, TopicInfo>();
  private readonly partitionMap = new Map<string, PartitionInfo[]>();
  private readonly collisions = new Map<string, string>();

  constructor(ctx: AdminContext, log: (msg: string) => void, topics: TopicInfo[], partitions: PartitionInfo[]) {
    this.ctx = ctx;
    this.log = log;
    for (const t of topics) this.putTopic(t);
    for (const p of partitions) this.putPartition(p);
  }

  // ---- the current state ----

  topic(name: string): TopicInfo | undefined {
    return this.topicMap.get(name);
  }
  topicById(topicId: string): TopicInfo | undefined {
    return this.topicIdMap.get(topicId);
  }
  topics(): Iterable<TopicInfo> {
    return this.topicMap.values();
  }
  partitions(topicId: string): readonly PartitionInfo[] {
    return this.partitionMap.get(topicId) ?? [];
  }
  collidingTopic(name: string): string | undefined {
    return this.collisions.get(collisionKey(name));
  }

  uncleanElection(topic: TopicInfo): boolean {
    const own = topic.configs['unclean.leader.election.enable'];
    const v = own ?? this.ctx.config.topicDefault('unclean.leader.election.enable').value;
    return v?.toLowerCase() === 'true';
  }

  /** Copies of the topics, by name, and of their partitions, for a snapshot. */
  snapshot(): { topics: TopicInfo[]; partitions: PartitionInfo[] } {
    const partitions: PartitionInfo[] = [];
    for (const t of [...this.topicMap.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      for (const p of this.partitions(t.topicId)) partitions.push(clonePartition(p));
    }
    const topics = [...this.topicMap.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((t) => ({ ...t, configs: { ...t.configs } }));
    return { topics, partitions };
  }

  // ---- replaying committed changes ----

  replay(c: MetadataChange): void {
    switch (c.type) {
      case 'topic':
        this.putTopic({ ...c.topic, configs: { ...c.topic.configs } });
        break;
      case 'topicRemoved': {
        const t = this.topicIdMap.get(c.topicId);
        if (t) this.dropTopic(t);
        break;
      }
      case 'partition':
        this.putPartition(clonePartition(c.partition));
        break;
    }
  }

  private putTopic(t: TopicInfo): void {
    const old = this.topicMap.get(t.name);
    if (old && old.topicId !== t.topicId) this.dropTopic(old);
    this.topicMap.set(t.name, t);
    this.topicIdMap.set(t.topicId, t);
    this.collisions.set(collisionKey(t.name), t.name);
    if (!this.partitionMap.has(t.topicId)) this.partitionMap.set(t.topicId, []);
  }

  private dropTopic(t: TopicInfo): void {
    this.topicMap.delete(t.name);
    this.topicIdMap.delete(t.topicId);
    this.partitionMap.delete(t.topicId);
    if (this.collisions.get(collisionKey(t.name)) === t.name) this.collisions.delete(collisionKey(t.name));
  }

  private putPartition(p: PartitionInfo): void {
    let list = this.partitionMap.get(p.topicId);
    if (!list) this.partitionMap.set(p.topicId, (list = []));
    list[p.partition] = p;
  }

  // ---- leadership ----

  /**
   * Partition changes that take broker `id` out: out of every ISR where one
   * member remains, and out of leadership (to the first live in-sync replica,
   * else the unclean rule, else -1). `controlled`: a controlled shutdown, which
   * keeps a leadership nobody else can take.
   */
  moveAway(id: number, controlled: boolean): MetadataChange[] {
    const eligible = (r: number) => r !== id && this.ctx.isLive(r);
    const out: MetadataChange[] = [];
    for (const list of this.partitionMap.values()) {
      for (const p of list) {
        if (!p) continue;
        const leads = p.leader === id;
        const inIsr = p.isr.includes(id);
        if (!leads && !inIsr) continue;
        let isr = inIsr && p.isr.length > 1 ? p.isr.filter((r) => r !== id) : p.isr;
        let leader = p.leader;
        let leaderEpoch = p.leaderEpoch;
        if (leads) {
          let next = chooseLeader(p.replicas, isr, eligible);
          if (next < 0 && controlled) continue; // nobody else can lead: it keeps the partition (and its ISR place)
          if (next < 0 && this.uncleanFor(p)) {
            next = chooseUncleanLeader(p.replicas, eligible);
            if (next >= 0) isr = [next];
          }
          if (next < 0) isr = p.isr;
          leader = next;
          leaderEpoch++;
        }
        if (leader === p.leader && isr === p.isr) continue;
        out.push({
          type: 'partition',
          partition: { ...clonePartition(p), isr: [...isr], leader, leaderEpoch, partitionEpoch: p.partitionEpoch + 1 },
        });
      }
    }
    return out;
  }

  private uncleanFor(p: PartitionInfo): boolean {
    const t = this.topicIdMap.get(p.topicId);
    return t !== undefined && this.uncleanElection(t);
  }

  /** Leaders for partitions that have none: a live ISR member, or by the unclean rule a live replica. */
  electLeaderless(): MetadataChange[] {
    const out: MetadataChange[] = [];
    const live = (r: number) => this.ctx.isLive(r);
    for (const list of this.partitionMap.values()) {
      for (const p of list) {
        if (!p || p.leader >= 0) continue;
        let isr = p.isr;
        let leader = chooseLeader(p.replicas, isr, live);
        if (leader < 0 && this.uncleanFor(p)) {
          leader = chooseUncleanLeader(p.replicas, live);
          if (leader >= 0) isr = [leader];
        }
        if (leader < 0) continue;
        out.push({
          type: 'partition',
          partition: {
            ...clonePartition(p),
            isr: [...isr],
            leader,
            leaderEpoch: p.leaderEpoch + 1,
            partitionEpoch: p.partitionEpoch + 1,
          },
        });
      }
    }
    return out;
  }

  /** The periodic preferred-leader rebalance (auto.leader.rebalance.enable). */
  rebalanceLeaders(): void {
    const changes: MetadataChange[] = [...this.electLeaderless()];
    const pct = Number(this.ctx.config.get('leader.imbalance.per.broker.percentage'));
    // Per preferred leader: the share of its partitions it does not lead.
    const preferred = new Map<number, { total: number; notLed: PartitionInfo[] }>();
    for (const list of this.partitionMap.values()) {
      for (const p of list) {
        if (!p || p.replicas.length === 0) continue;
        const pref = p.replicas[0]!;
        let e = preferred.get(pref);
        if (!e) preferred.set(pref, (e = { total: 0, notLed: [] }));
        e.total++;
        if (p.leader !== pref) e.notLed.push(p);
      }
    }
    const chosen: PartitionInfo[] = [];
    for (const [id, e] of preferred) {
      if (!this.ctx.isLive(id) || e.total === 0) continue;
      if ((e.notLed.length * 100) / e.total > pct) chosen.push(...e.notLed);
    }
    changes.push(
      ...preferredElectionChanges(
        this.ctx,
        chosen.filter(
          (p) =>
            !changes.some(
              (c) =>
                c.type === 'partition' && c.partition.topicId === p.topicId && c.partition.partition === p.partition,
            ),
        ),
      ),
    );
    if (changes.length > 0) {
      this.log(`leader rebalance: ${changes.length} partition(s)`);
      this.ctx.commit(changes);
    }
  }

  // ---- AlterPartition ----

  /** ISR changes from partition leaders (AlterPartition v0–3), from a broker whose session is valid. */
  alterPartition(req: AlterPartitionRequest): AlterPartitionResponseInput {
    const changes: MetadataChange[] = [];
    const topics: AlterPartitionResponseTopicDataInput[] = [];
    for (const td of req.topics) {
      const byId = td.topicId !== ZERO_UUID && td.topicId !== '';
      const t = byId ? this.topicIdMap.get(td.topicId) : this.topicMap.get(td.topicName);
      const partitions: AlterPartitionResponsePartitionDataInput[] = [];
      topics.push({ topicName: t?.name ?? td.topicName, topicId: t?.topicId ?? td.topicId, partitions });
      for (const pd of td.partitions) {
        const out: AlterPartitionResponsePartitionDataInput = {
          partitionIndex: pd.partitionIndex,
          errorCode: 0,
          leaderId: -1,
          leaderEpoch: -1,
          isr: [],
          leaderRecoveryState: 0,
          partitionEpoch: -1,
        };
        partitions.push(out);
        const p = t ? this.partitions(t.topicId)[pd.partitionIndex] : undefined;
        if (!t || !p) {
          out.errorCode = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        const code = this.alterPartitionError(req.brokerId, p, pd);
        if (code !== ErrorCode.NONE) {
          out.errorCode = code;
          continue;
        }
        const newIsr = isrOf(pd);
        let next: PartitionInfo = { ...clonePartition(p), isr: [...newIsr], partitionEpoch: p.partitionEpoch + 1 };
        next = this.ctx.maybeCompleteReassignment(next);
        changes.push({ type: 'partition', partition: next });
        const rf = replicationFactorChange(this.ctx, p, next);
        if (rf) changes.push(rf);
        Object.assign(out, {
          leaderId: next.leader,
          leaderEpoch: next.leaderEpoch,
          isr: [...next.isr],
          partitionEpoch: next.partitionEpoch,
        });
      }
    }
    this.ctx.commit(changes);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics };
  }

  private alterPartitionError(brokerId: number, p: PartitionInfo, pd: AlterPartitionData): number {
    if (p.leader !== brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (pd.leaderEpoch !== p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (pd.partitionEpoch !== p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
    const newIsr = isrOf(pd);
    if (newIsr.length === 0 || new Set(newIsr).size !== newIsr.length || !newIsr.includes(p.leader))
      return ErrorCode.INVALID_REQUEST;
    for (const r of newIsr) {
      if (!p.replicas.includes(r)) return ErrorCode.INELIGIBLE_REPLICA;
      // A member that is not already in the ISR must be live to join it.
      if (!p.isr.includes(r) && !this.ctx.isLive(r)) return ErrorCode.INELIGIBLE_REPLICA;
    }
    for (const st of pd.newIsrWithEpochs) {
      const b = this.ctx.broker(st.brokerId);
      if (st.brokerEpoch !== -1 && (!b || b.epoch !== st.brokerEpoch) && !p.isr.includes(st.brokerId))
        return ErrorCode.INELIGIBLE_REPLICA;
    }
    return ErrorCode.NONE;
  }
}

function isrOf(pd: AlterPartitionData): number[] {
  return pd.newIsrWithEpochs.length > 0 ? pd.newIsrWithEpochs.map((b) => b.brokerId) : pd.newIsr;
}

export function clonePartition(p: PartitionInfo): PartitionInfo {
  return {
    ...p,
    replicas: [...p.replicas],
    isr: [...p.isr],
    addingReplicas: [...p.addingReplicas],
    removingReplicas: [...p.removingReplicas],
  };
}
