// DescribeProducers (key 61), version 0: the active producers of each
// requested partition (Kafka's ReplicaManager.activeProducerState), answered by
// the partition's leader only (NOT_LEADER_OR_FOLLOWER elsewhere). There are no
// transactions, so coordinatorEpoch and currentTxnStartOffset are always -1.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import {
  type DescribeProducersRequest,
  type DescribeProducersResponseInput,
  type DescribeProducersResponsePartitionResponseInput as PartitionResponse,
  decodeDescribeProducersRequest,
  encodeDescribeProducersResponse,
} from '../../protocol/messages/describe-producers.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { leads, notLeader } from './cluster-view.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleDescribeProducers(
  broker: HandlerContext,
  req: DescribeProducersRequest,
  _version: number,
  _ctx: RequestContext,
): DescribeProducersResponseInput {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((index): PartitionResponse => {
        const p = broker.topics.partition(t.name, index);
        if (!p || !leads(broker, p)) {
          const errorCode = p ? ErrorCode.NOT_LEADER_OR_FOLLOWER : notLeader(broker, t.name, index).errorCode;
          return { partitionIndex: index, errorCode, errorMessage: null, activeProducers: [] };
        }
        const activeProducers = [];
        for (const e of p.log.producers.entries()) {
          const last = e.batches[e.batches.length - 1];
          activeProducers.push({
            producerId: e.producerId,
            producerEpoch: e.epoch,
            lastSequence: last ? last.lastSeq : -1,
            lastTimestamp: e.lastTimestamp,
            coordinatorEpoch: e.coordinatorEpoch,
            currentTxnStartOffset: -1,
          });
        }
        return { partitionIndex: index, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
      }),
    })),
  };
}

export const describeProducersApi: ApiEntry<DescribeProducersRequest, DescribeProducersResponseInput> = {
  apiKey: ApiKey.DescribeProducers,
  name: 'DescribeProducers',
  min: 0,
  max: 0,
  decodeRequest: decodeDescribeProducersRequest,
  encodeResponse: encodeDescribeProducersResponse,
  handle: handleDescribeProducers,
};
