// Produce (key 0). Advertised from v0 (Kafka 4.0 keeps v0 in ApiVersions so
// old librdkafka builds still send compressed batches, KAFKA-18659) but only
// v3+ is served: v0–2 get UNSUPPORTED_VERSION on every partition, as Kafka 4
// answers them (KIP-896).
//
// Per partition: unknown → UNKNOWN_TOPIC_OR_PARTITION; the batches are
// validated (CRC, sizes, `max.message.bytes`, …) and nothing is appended on
// error; otherwise they are appended and the answer waits until the write is
// done (acks=1 and acks=-1 are the same on a single node). Then fetches
// waiting on the partition are woken.
//
// Transactions are not supported yet: a request with a transactionalId is
// answered with TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition, the
// answer Kafka gives a producer it won't let use transactions (a producer
// can't reach this point anyway: InitProducerId refuses transactional ids).
// Idempotent producers' batches are checked against the partition's producer
// state first: duplicates get their original offsets, gaps and stale epochs
// Kafka's errors (core/storage/producer-state.ts).

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { PartitionState } from '../topic-manager.ts';
import type {
  ProduceRequest, ProduceResponseInput as ProduceResponse,
  ProduceResponsePartitionProduceResponseInput as PartitionResponse,
} from '../../protocol/messages/produce.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { isBatchError, validateRecordBatches } from '../../protocol/record-batch.ts';
import { partitionKey } from '../delayed-fetch.ts';
import { compactedTopicKeyError } from '../compacted-topic.ts';

type RequestPartition = ProduceRequest['topicData'][number]['partitionData'][number];

/** Valid `acks`: 0 (no answer), 1 (leader), -1 (all in-sync replicas). */
function validAcks(acks: number): boolean {
  return acks === 0 || acks === 1 || acks === -1;
}

export async function handleProduce(
  broker: Broker, req: ProduceRequest, version: number, _ctx: RequestContext,
): Promise<ProduceResponse> {
  let requestError: number = ErrorCode.NONE;
  if (version < 3) requestError = ErrorCode.UNSUPPORTED_VERSION;
  else if (req.transactionalId != null) requestError = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  else if (!validAcks(req.acks)) requestError = ErrorCode.INVALID_REQUIRED_ACKS;

  const now = Date.now();
  // Kafka lets only its admin tooling (client id "__admin_client") write to
  // internal topics: a stray record in __consumer_offsets would break replay.
  const internalAllowed = _ctx.clientId === '__admin_client';
  const responses = await Promise.all(req.topicData.map(async (td) => ({
    name: td.name,
    partitionResponses: await Promise.all(td.partitionData.map((pd) =>
      requestError !== ErrorCode.NONE
        ? errorResponse(pd.index, requestError, null)
        : producePartition(broker, td.name, pd, now, internalAllowed))),
  })));
  return { responses, throttleTimeMs: 0 };
}

function errorResponse(index: number, errorCode: number, message: string | null, recordErrors: PartitionResponse['recordErrors'] = []): PartitionResponse {
  return {
    index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1,
    recordErrors, errorMessage: message,
  };
}

async function producePartition(
  broker: Broker, topic: string, pd: RequestPartition, now: number, internalAllowed: boolean,
): Promise<PartitionResponse> {
  const p: PartitionState | undefined = broker.topics.partition(topic, pd.index);
  if (!p) return errorResponse(pd.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
  if (!internalAllowed && broker.topics.get(topic)?.internal) {
    return errorResponse(pd.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
  }
  const records = pd.records;
  if (!records || records.length === 0) {
    return errorResponse(pd.index, ErrorCode.INVALID_RECORD, 'Produce request has no record batches');
  }
  // Produce v3+ carries exactly one batch per partition (Kafka's request validation).
  const info = validateRecordBatches(records, { maxMessageBytes: p.log.config.maxMessageBytes, requireSingleBatch: true });
  if (isBatchError(info)) return errorResponse(pd.index, info.errorCode, info.message);
  const keyless = compactedTopicKeyError(p.log.config.cleanupPolicy, records, topic, pd.index);
  if (keyless) return errorResponse(pd.index, ErrorCode.INVALID_RECORD, keyless.message, keyless.recordErrors);
  try {
    // Idempotent producers (batch header only): check and append run in the
    // same tick, so a retry can't slip between them (producer-state.ts).
    const check = p.log.producers.check(info, now);
    if (check.kind === 'error') return errorResponse(pd.index, check.errorCode, check.message);
    if (check.kind === 'duplicate') {
      // Kafka answers a retried batch with the original's offsets, once it is written.
      const b = check.batch;
      if (b.written) await b.written;
      return {
        index: pd.index, errorCode: ErrorCode.NONE, baseOffset: b.firstOffset,
        logAppendTimeMs: p.log.config.messageTimestampType === 'LogAppendTime' ? b.timestamp : -1,
        logStartOffset: p.log.logStartOffset, recordErrors: [], errorMessage: null,
      };
    }
    const res = p.log.append(records, info, p.leaderEpoch, now);
    // Wait for the write even with acks=0 (whose answer is never sent): the
    // request then stays in flight on its connection until the bytes are
    // written, so a producer can never run ahead of the disk (flow control).
    await res.written;
    broker.purgatory.notify(partitionKey(p.topicId, p.partition));
    return {
      index: pd.index, errorCode: ErrorCode.NONE, baseOffset: res.baseOffset,
      logAppendTimeMs: res.logAppendTime, logStartOffset: res.logStartOffset,
      recordErrors: [], errorMessage: null,
    };
  } catch (err) {
    if (err instanceof KafkaError) return errorResponse(pd.index, err.code, err.message);
    broker.log(`produce to ${topic}-${pd.index} failed: ${(err as Error)?.stack ?? String(err)}`);
    return errorResponse(pd.index, ErrorCode.KAFKA_STORAGE_ERROR, null);
  }
}
