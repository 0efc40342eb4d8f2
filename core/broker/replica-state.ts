// What the replica manager (replica-manager.ts) keeps per hosted partition, and the
// AlterPartition exchange with the controller: the request that proposes a new ISR (with each
// member's broker epoch, KIP-903) and what its answer means.
import { ErrorCode } from '../protocol/errors.ts';
import type {
  AlterPartitionRequest,
  AlterPartitionResponseInput,
  AlterPartitionResponsePartitionDataInput,
} from '../protocol/messages/alter-partition.ts';
import type { PartitionState } from './topic-manager.ts';

/** A follower as its leader sees it (Kafka's Replica state). */
export interface FollowerState {
  id: number;
  /** Its log end offset (the last fetch offset); -1 until it fetched in this epoch. */
  leo: number;
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

export type Role = 'leader' | 'follower' | 'offline';

/** This broker's replication state of one hosted partition. */
export interface ReplicaState {
  readonly key: string;
  p: PartitionState;
  role: Role;
  leaderId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: number[];
  /** The ISR the controller committed. */
  isr: number[];
  /** An ISR change sent to the controller, not answered yet. */
  pendingIsr: number[] | undefined;
  /** isr ∪ pendingIsr: what the high watermark waits for. */
  maximalIsr: number[];
  /** The controller refused with a stale epoch: no ISR change until new metadata. */
  blocked: boolean;
  retryIsrAt: number;
  inflight: number;
  /** Log end when this broker became leader at `leaderEpoch`. */
  leaderEpochStartOffset: number;
  followers: Map<number, FollowerState>;
  /** min.insync.replicas of the last acks=all produce. */
  minIsr: number;
}

/** AlterPartition for one partition: the leader proposes `newIsr` at its current epochs. */
export function alterPartitionRequest(
  brokerId: number,
  brokerEpoch: number,
  st: ReplicaState,
  newIsr: number[],
  peerEpoch: (id: number) => number,
): AlterPartitionRequest {
  const p = st.p;
  return {
    brokerId,
    brokerEpoch,
    topics: [
      {
        topicName: p.topic,
        topicId: p.topicId,
        partitions: [
          {
            partitionIndex: p.partition,
            leaderEpoch: st.leaderEpoch,
            newIsr: [...newIsr],
            newIsrWithEpochs: newIsr.map((id) => ({
              brokerId: id,
              brokerEpoch: id === brokerId ? brokerEpoch : peerEpoch(id),
            })),
            leaderRecoveryState: 0,
            partitionEpoch: st.partitionEpoch,
          },
        ],
      },
    ],
  };
}

/** The error of an AlterPartition answer (REQUEST_TIMED_OUT when there was none) and its one partition. */
export function alterPartitionOutcome(res: AlterPartitionResponseInput | undefined): {
  code: number;
  partition: AlterPartitionResponsePartitionDataInput | undefined;
} {
  const partition = res?.topics?.[0]?.partitions?.[0];
  const code =
    res === undefined
      ? ErrorCode.REQUEST_TIMED_OUT
      : (res.errorCode ?? 0) !== ErrorCode.NONE
        ? res.errorCode!
        : (partition?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  return { code, partition };
}
