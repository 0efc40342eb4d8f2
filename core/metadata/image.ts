// The broker's view of the cluster metadata: built from the controller's
// `MetadataDelta`s (a snapshot, then numbered changes) and read by the request
// handlers. `apply` reports what changed so the broker can react: create or
// delete partition logs, change roles, push configs.
import type { BrokerInfo, MetadataChange, MetadataDelta, MetadataSnapshot, PartitionInfo, TopicInfo } from './types.ts';

/** What one `apply` changed. */
export interface ImageChanges {
  /** Registered brokers changed (added, removed, fenced, unfenced, moved). */
  brokers: boolean;
  /** Topics added or changed (configs, partition count), by name: their current record. */
  topics: Map<string, TopicInfo>;
  /** Topics that are gone (deleted, or replaced by a new topic of the same name). */
  removedTopics: { name: string; topicId: string }[];
  /** Partition records added or changed, by `${topicId}:${partition}`: their current state. */
  partitions: Map<string, PartitionInfo>;
  /** Broker config layers replaced ('' or a broker id). */
  brokerConfigs: Set<string>;
  /** The whole image was replaced by a snapshot. */
  snapshot: boolean;
}

export function noChanges(): ImageChanges {
  return {
    brokers: false,
    topics: new Map(),
    removedTopics: [],
    partitions: new Map(),
    brokerConfigs: new Set(),
    snapshot: false,
  };
}

export class MetadataImage {
  /** The last change applied (0 before any). */
  seq = 0;
  clusterId = '';
  readonly brokers = new Map<number, BrokerInfo>();
  private readonly byName = new Map<string, TopicInfo>();
  private readonly byId = new Map<string, TopicInfo>();
  /** topic id → partition records, indexed by partition. */
  private readonly parts = new Map<string, PartitionInfo[]>();
  /** '' (cluster default) or a broker id → dynamic configs. */
  readonly brokerConfigs = new Map<string, Record<string, string>>();
  private liveCache: BrokerInfo[] | null = null;

  topic(name: string): TopicInfo | undefined {
    return this.byName.get(name);
  }
  topicById(topicId: string): TopicInfo | undefined {
    return this.byId.get(topicId);
  }
  topics(): Iterable<TopicInfo> {
    return this.byName.values();
  }

  /** The partition records of a topic, indexed by partition (holes while a change is half-applied). */
  partitions(topicId: string): readonly (PartitionInfo | undefined)[] {
    return this.parts.get(topicId) ?? [];
  }

  partition(topicId: string, partition: number): PartitionInfo | undefined {
    return this.parts.get(topicId)?.[partition];
  }

  /** Registered, unfenced brokers, by id: the ones clients are told about. */
  liveBrokers(): readonly BrokerInfo[] {
    if (this.liveCache === null) {
      this.liveCache = [...this.brokers.values()].filter((b) => !b.fenced).sort((a, b) => a.id - b.id);
    }
    return this.liveCache;
  }

  isLive(id: number): boolean {
    const b = this.brokers.get(id);
    return b !== undefined && !b.fenced;
  }

  /** The id clients send admin requests to: the lowest live broker (any broker forwards them), -1 if none. */
  controllerId(): number {
    return this.liveBrokers()[0]?.id ?? -1;
  }

  /** Applies a delta (a snapshot replaces everything first) and reports what changed. */
  apply(delta: MetadataDelta): ImageChanges {
    const out = noChanges();
    if (delta.snapshot) this.loadSnapshot(delta.snapshot, out);
    for (const c of delta.changes) this.applyChange(c, out);
    if (delta.seq > this.seq || delta.snapshot) this.seq = delta.seq;
    if (out.brokers) this.liveCache = null;
    return out;
  }

  private loadSnapshot(s: MetadataSnapshot, out: ImageChanges): void {
    out.snapshot = true;
    out.brokers = true;
    this.clusterId = s.clusterId;
    const next = new Map(s.topics.map((t) => [t.name, t]));
    for (const t of this.byName.values()) {
      const n = next.get(t.name);
      if (!n || n.topicId !== t.topicId) out.removedTopics.push({ name: t.name, topicId: t.topicId });
    }
    for (const r of [...out.removedTopics]) this.dropTopic(r.topicId, r.name);
    this.brokers.clear();
    for (const b of s.brokers) this.brokers.set(b.id, b);
    this.parts.clear();
    for (const t of s.topics) this.applyChange({ type: 'topic', topic: t }, out);
    for (const p of s.partitions) this.applyChange({ type: 'partition', partition: p }, out);
    const layers = new Set([...this.brokerConfigs.keys(), ...Object.keys(s.brokerConfigs)]);
    this.brokerConfigs.clear();
    for (const [k, v] of Object.entries(s.brokerConfigs)) this.brokerConfigs.set(k, v);
    for (const k of layers) out.brokerConfigs.add(k);
  }

  private dropTopic(topicId: string, name: string): void {
    const t = this.byName.get(name);
    if (t && t.topicId === topicId) this.byName.delete(name);
    this.byId.delete(topicId);
    this.parts.delete(topicId);
  }

  private applyChange(c: MetadataChange, out: ImageChanges): void {
    switch (c.type) {
      case 'broker':
        this.brokers.set(c.broker.id, c.broker);
        out.brokers = true;
        break;
      case 'brokerRemoved':
        if (this.brokers.delete(c.id)) out.brokers = true;
        break;
      case 'topic': {
        const t = c.topic;
        const prev = this.byName.get(t.name);
        if (prev && prev.topicId !== t.topicId) {
          // A new topic of the same name: the old one is gone.
          this.dropTopic(prev.topicId, prev.name);
          out.removedTopics.push({ name: prev.name, topicId: prev.topicId });
          out.topics.delete(prev.name);
        }
        this.byName.set(t.name, t);
        this.byId.set(t.topicId, t);
        if (!this.parts.has(t.topicId)) this.parts.set(t.topicId, []);
        out.topics.set(t.name, t);
        break;
      }
      case 'topicRemoved':
        if (this.byId.has(c.topicId) || this.byName.get(c.name)?.topicId === c.topicId) {
          this.dropTopic(c.topicId, c.name);
          out.removedTopics.push({ name: c.name, topicId: c.topicId });
          out.topics.delete(c.name);
          for (const [k, p] of out.partitions) if (p.topicId === c.topicId) out.partitions.delete(k);
        }
        break;
      case 'partition': {
        const p = c.partition;
        let list = this.parts.get(p.topicId);
        if (!list) this.parts.set(p.topicId, (list = []));
        list[p.partition] = p;
        out.partitions.set(`${p.topicId}:${p.partition}`, p);
        break;
      }
      case 'brokerConfigs':
        if (Object.keys(c.configs).length === 0) this.brokerConfigs.delete(c.resource);
        else this.brokerConfigs.set(c.resource, c.configs);
        out.brokerConfigs.add(c.resource);
        break;
    }
  }
}
