// Replication for a partition nobody follows: the leader's writes are the high
// watermark as soon as they are on disk (the Log advances it on append), acks=all
// needs only the ISR size to satisfy min.insync.replicas. Used when a broker
// runs without the replica manager.
import type { BrokerInfo, PartitionInfo } from '../cluster/metadata-types.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Replication } from './replication.ts';
import type { PartitionState } from './topic-manager.ts';

export class LocalReplication implements Replication {
  applyPartition(_p: PartitionState, _info: PartitionInfo): void {}
  removePartition(_p: PartitionState): void {}
  applyBrokers(_brokers: ReadonlyMap<number, BrokerInfo>): void {}

  checkAcksAll(p: PartitionState, minInsyncReplicas: number): number {
    return p.isr.length < minInsyncReplicas ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE;
  }

  onLeaderAppend(_p: PartitionState, _endOffset: number): void {}

  async awaitHighWatermark(p: PartitionState, endOffset: number, _timeoutMs: number): Promise<number> {
    if (p.log.highWatermark >= endOffset) return ErrorCode.NONE;
    return ErrorCode.REQUEST_TIMED_OUT;
  }

  async close(): Promise<void> {}
}
