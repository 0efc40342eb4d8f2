// Committed offsets, per group and partition, as the coordinator serves them
// (OffsetFetch) and as replay of `__consumer_offsets` rebuilds them.
// Expiry (offsets.retention.minutes) is OffsetManager.expireOffsets() (offset-manager.ts).

export interface CommittedOffset {
  offset: number;
  /** -1 when the client sent none. */
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /**
   * When the offset expires: set (written as value v1) for a commit that gave a retention time
   * (OffsetCommit v2–4); -1 otherwise.
   */
  expireTimestampMs: number;
}

export class OffsetStore {
  /** group → topic → partition → offset */
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.get(topic)?.get(partition);
  }

  put(groupId: string, topic: string, partition: number, o: CommittedOffset): void {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new Map()));
    let t = g.get(topic);
    if (!t) g.set(topic, (t = new Map()));
    t.set(partition, o);
  }

  delete(groupId: string, topic: string, partition: number): boolean {
    const g = this.groups.get(groupId);
    const t = g?.get(topic);
    if (!t || !t.delete(partition)) return false;
    if (t.size === 0) g!.delete(topic);
    if (g!.size === 0) this.groups.delete(groupId);
    return true;
  }

  deleteGroup(groupId: string): void {
    this.groups.delete(groupId);
  }

  hasOffsets(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  groupIds(): Iterable<string> {
    return this.groups.keys();
  }

  /** Every committed offset of a group: topic → partition → offset. */
  all(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.groups.get(groupId) ?? new Map();
  }

  /** (topic, partition) pairs with a commit in the group. */
  partitions(groupId: string): { topic: string; partition: number }[] {
    const out: { topic: string; partition: number }[] = [];
    for (const [topic, ps] of this.all(groupId)) for (const p of ps.keys()) out.push({ topic, partition: p });
    return out;
  }
}
