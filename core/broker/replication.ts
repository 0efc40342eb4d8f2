// What the request handlers and the topic manager need from replication. The
// replica manager (replica-manager.ts) implements it: leader and follower
// roles, replica fetchers, the high watermark, ISR changes, acks=all.
import type { BrokerInfo, PartitionInfo } from '../metadata/types.ts';
import type { PartitionState } from './topic-manager.ts';

export interface Replication {
  /**
   * The controller's state for a partition hosted on this broker changed (or
   * was seen for the first time): become its leader or a follower, at
   * `info.leaderEpoch`. `p` already carries the new leader/replicas/isr.
   */
  applyPartition(p: PartitionState, info: PartitionInfo): void;
  /** The partition is no longer hosted here (topic deleted, or reassigned away). */
  removePartition(p: PartitionState): void;
  /** Registered brokers changed (addresses, fencing): fetchers follow them. */
  applyBrokers(brokers: ReadonlyMap<number, BrokerInfo>): void;
  /**
   * Produce with acks=-1, before appending: ErrorCode.NONE, or
   * NOT_ENOUGH_REPLICAS when the ISR is smaller than `minInsyncReplicas`.
   */
  checkAcksAll(p: PartitionState, minInsyncReplicas: number): number;
  /** The leader appended and wrote up to `endOffset` (exclusive). */
  onLeaderAppend(p: PartitionState, endOffset: number): void;
  /**
   * acks=-1, after the leader's write: resolves with ErrorCode.NONE once the
   * high watermark reached `endOffset`, else with REQUEST_TIMED_OUT after
   * `timeoutMs`, NOT_LEADER_OR_FOLLOWER if leadership moved meanwhile.
   */
  awaitHighWatermark(p: PartitionState, endOffset: number, timeoutMs: number): Promise<number>;
  /**
   * A follower (`replicaId`) fetched the partition this broker leads from
   * `fetchOffset`, its log end: the leader records it (high watermark, ISR).
   * Returns ErrorCode.NONE, or the error to answer the fetch with. Optional:
   * without it, follower fetches are served and nothing is recorded.
   */
  onFollowerFetch?(p: PartitionState, replicaId: number, fetchOffset: number, followerLogStartOffset: number): number;
  close(): Promise<void>;
}
