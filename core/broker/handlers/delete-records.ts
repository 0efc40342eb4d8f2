// DeleteRecords (v0–2): advances partitions' log start offsets (offset -1 means
// the high watermark) and answers with the new low watermark. Segments wholly
// below the new start are deleted; fetches below it get OFFSET_OUT_OF_RANGE.
// The new start is written to the log-start-offset checkpoint before the answer
// goes out, so it survives a crash. Only a partition's leader serves it
// (NOT_LEADER_OR_FOLLOWER elsewhere).
import {
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
  type DeleteRecordsResponseDeleteRecordsPartitionResult,
  type DeleteRecordsResponseDeleteRecordsTopicResult,
  decodeDeleteRecordsRequest,
  encodeDeleteRecordsResponse,
  type DeleteRecordsResponseInput,
} from '../../protocol/messages/delete-records.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiEntry, HandlerContext } from './context.ts';
import { leads, notLeader } from './cluster-view.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const HIGH_WATERMARK = -1;

export async function handleDeleteRecords(
  broker: HandlerContext,
  req: DeleteRecordsRequest,
): Promise<DeleteRecordsResponse> {
  let changed = false;
  const topics: DeleteRecordsResponseDeleteRecordsTopicResult[] = req.topics.map((t) => {
    const topic = broker.topics.get(t.name);
    const partitions = t.partitions.map((p): DeleteRecordsResponseDeleteRecordsPartitionResult => {
      const answer = (errorCode: number, lowWatermark = -1) => ({
        partitionIndex: p.partitionIndex,
        lowWatermark,
        errorCode,
      });
      const state = topic?.partitions[p.partitionIndex];
      if (!topic || !state) return answer(notLeader(broker, t.name, p.partitionIndex).errorCode);
      if (topic.internal) return answer(ErrorCode.INVALID_TOPIC_EXCEPTION);
      if (!leads(broker, state)) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const log = state.log;
      const offset = p.offset === HIGH_WATERMARK ? log.highWatermark : p.offset;
      if (offset < 0 || offset > log.highWatermark) return answer(ErrorCode.OFFSET_OUT_OF_RANGE);
      const before = log.logStartOffset;
      const low = log.deleteRecordsBefore(offset);
      if (low !== before) changed = true;
      return answer(ErrorCode.NONE, low);
    });
    return { name: t.name, partitions };
  });
  if (changed) await broker.logs?.checkpoint?.();
  return { throttleTimeMs: 0, topics };
}

export const deleteRecordsApi: ApiEntry<DeleteRecordsRequest, DeleteRecordsResponseInput> = {
  apiKey: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  min: 0,
  max: 2,
  decodeRequest: decodeDeleteRecordsRequest,
  encodeResponse: encodeDeleteRecordsResponse,
  handle: handleDeleteRecords,
};
