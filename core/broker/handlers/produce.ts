// Produce (key 0). Advertised from v0 (Kafka 4.0 keeps v0 in ApiVersions so
// old librdkafka builds still send compressed batches, KAFKA-18659) but only
// v3+ is served: v0–2 get UNSUPPORTED_VERSION on every partition, as Kafka 4
// answers them (KIP-896).
//
// Per partition: unknown → UNKNOWN_TOPIC_OR_PARTITION; a partition this
// broker does not lead → NOT_LEADER_OR_FOLLOWER with the current leader and
// epoch, and (v10+) the leaders' endpoints in `nodeEndpoints` (KIP-951), so the
// client re-routes without a metadata round trip. The batches are validated
// (CRC, sizes, `max.message.bytes`, …) and nothing is appended on error;
// acks=-1 first needs min.insync.replicas in the ISR (NOT_ENOUGH_REPLICAS).
// Then they are appended, the answer waits until the write is done — and with
// acks=-1 until the high watermark passes it (the in-sync replicas have it,
// else REQUEST_TIMED_OUT after the request's timeout) — and fetches waiting on
// the partition are woken.
//
// Transactions are not supported yet: a request with a transactionalId is
// answered with TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition, the
// answer Kafka gives a producer it won't let use transactions (a producer
// can't reach this point anyway: InitProducerId refuses transactional ids).
// Idempotent producers' batches are checked against the partition's producer
// state first: duplicates get their original offsets, gaps and stale epochs
// Kafka's errors (core/storage/producer-state.ts).

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import type { PartitionState } from '../topic-manager.ts';
import {
  type ProduceRequest,
  type ProduceResponseInput as ProduceResponse,
  type ProduceResponsePartitionProduceResponseInput as PartitionResponse,
  decodeProduceRequest,
  encodeProduceResponse,
} from '../../protocol/messages/produce.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { isBatchError, validateRecordBatches } from '../../protocol/record-batch.ts';
import { compactedTopicKeyError } from '../compacted-topic.ts';
import { validateRecordTimestamps } from '../../storage/log-validator.ts';
import { leads, nodeEndpoints, notLeader } from './cluster-view.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

type RequestPartition = ProduceRequest['topicData'][number]['partitionData'][number];

const NO_LOG_START_OFFSET = new Set<number>([
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

/** Valid `acks`: 0 (no answer), 1 (leader), -1 (all in-sync replicas). */
function validAcks(acks: number): boolean {
  return acks === 0 || acks === 1 || acks === -1;
}

export async function handleProduce(
  broker: HandlerContext,
  req: ProduceRequest,
  version: number,
  _ctx: RequestContext,
): Promise<ProduceResponse> {
  let requestError: number = ErrorCode.NONE;
  if (version < 3) requestError = ErrorCode.UNSUPPORTED_VERSION;
  else if (req.transactionalId != null) requestError = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  else if (!validAcks(req.acks)) requestError = ErrorCode.INVALID_REQUIRED_ACKS;

  const now = Date.now();
  // Kafka lets only its admin tooling (client id "__admin_client") write to
  // internal topics: a stray record in __consumer_offsets would break replay.
  const internalAllowed = _ctx.clientId === '__admin_client';
  const ctx: ProduceContext = { acks: req.acks, timeoutMs: req.timeoutMs, now, internalAllowed, leaders: null };
  const responses = await Promise.all(
    req.topicData.map(async (td) => ({
      name: td.name,
      partitionResponses: await Promise.all(
        td.partitionData.map((pd) =>
          requestError !== ErrorCode.NONE
            ? errorResponse(pd.index, requestError, null)
            : producePartition(broker, td.name, pd, ctx),
        ),
      ),
    })),
  );
  const res: ProduceResponse = { responses, throttleTimeMs: 0 };
  if (ctx.leaders !== null && version >= 10) res.nodeEndpoints = nodeEndpoints(broker, ctx.leaders);
  return res;
}

interface ProduceContext {
  acks: number;
  timeoutMs: number;
  now: number;
  internalAllowed: boolean;
  /** Leaders named in NOT_LEADER_OR_FOLLOWER answers (their endpoints go in nodeEndpoints). */
  leaders: Set<number> | null;
}

function notLeaderResponse(
  broker: HandlerContext,
  topic: string,
  index: number,
  ctx: ProduceContext,
): PartitionResponse {
  const nl = notLeader(broker, topic, index);
  const res = errorResponse(index, nl.errorCode, null);
  if (nl.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
    res.currentLeader = { leaderId: nl.leaderId, leaderEpoch: nl.leaderEpoch };
    if (nl.leaderId >= 0) (ctx.leaders ??= new Set()).add(nl.leaderId);
  }
  return res;
}

function errorResponse(
  index: number,
  errorCode: number,
  message: string | null,
  recordErrors: PartitionResponse['recordErrors'] = [],
): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors,
    errorMessage: message,
  };
}

async function producePartition(
  broker: HandlerContext,
  topic: string,
  pd: RequestPartition,
  ctx: ProduceContext,
): Promise<PartitionResponse> {
  const p: PartitionState | undefined = broker.topics.partition(topic, pd.index);
  if (!p || !leads(broker, p)) return notLeaderResponse(broker, topic, pd.index, ctx);
  const now = ctx.now;
  const t = broker.topics.get(topic);
  // Kafka's answer to a refused append names the log start offset, except for a batch too large,
  // a corrupt one, or a storage error (ReplicaManager.appendToLocalLog).
  const fail = (code: number, message: string | null, recordErrors: PartitionResponse['recordErrors'] = []) => ({
    ...errorResponse(pd.index, code, message, recordErrors),
    logStartOffset: NO_LOG_START_OFFSET.has(code) ? -1 : p.log.logStartOffset,
  });
  if (!ctx.internalAllowed && t?.internal) {
    return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
  }
  const records = pd.records;
  if (!records || records.length === 0) {
    return fail(ErrorCode.INVALID_RECORD, 'Produce request has no record batches');
  }
  // Produce v3+ carries exactly one batch per partition (Kafka's request validation).
  const info = validateRecordBatches(records, {
    maxMessageBytes: p.log.config.maxMessageBytes,
    requireSingleBatch: true,
  });
  if (isBatchError(info)) return fail(info.errorCode, info.message);
  const keyless = compactedTopicKeyError(p.log.config.cleanupPolicy, records, topic, pd.index);
  if (keyless) return fail(ErrorCode.INVALID_RECORD, keyless.message, keyless.recordErrors);
  // Record timestamps within message.timestamp.before/after.max.ms; the header's max timestamp
  // derived from the records (core/storage/log-validator.ts).
  const badTime = validateRecordTimestamps(records, info, p.log.config, now);
  if (badTime) return fail(badTime.errorCode, badTime.message, badTime.recordErrors);
  const acksAll = ctx.acks === -1;
  if (acksAll) {
    const code = broker.replication.checkAcksAll(p, t?.minInsyncReplicas ?? 1);
    if (code !== ErrorCode.NONE) return fail(code, null);
  }
  try {
    // Idempotent producers (batch header only): check and append run in the
    // same tick, so a retry can't slip between them (producer-state.ts).
    const check = p.log.producers.check(info, now);
    if (check.kind === 'error') return fail(check.errorCode, check.message);
    if (check.kind === 'duplicate') {
      // Kafka answers a retried batch with the original's offsets, once it is written.
      const b = check.batch;
      if (b.written) await b.written;
      const errorCode = acksAll
        ? await broker.replication.awaitHighWatermark(p, b.lastOffset + 1, ctx.timeoutMs)
        : ErrorCode.NONE;
      return {
        index: pd.index,
        errorCode,
        baseOffset: b.firstOffset,
        logAppendTimeMs: p.log.config.messageTimestampType === 'LogAppendTime' ? b.timestamp : -1,
        logStartOffset: p.log.logStartOffset,
        recordErrors: [],
        errorMessage: null,
      };
    }
    const res = p.log.append(records, info, p.leaderEpoch, now);
    const end = res.lastOffset + 1;
    broker.replication.onLeaderAppend(p, end);
    // Wait for the write even with acks=0 (whose answer is never sent): the
    // request then stays in flight on its connection until the bytes are
    // written, so a producer can never run ahead of the disk (flow control).
    await res.written;
    broker.partitionChanged(p.topicId, p.partition);
    const errorCode = acksAll ? await broker.replication.awaitHighWatermark(p, end, ctx.timeoutMs) : ErrorCode.NONE;
    return {
      index: pd.index,
      errorCode,
      baseOffset: res.baseOffset,
      logAppendTimeMs: res.logAppendTime,
      logStartOffset: res.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    };
  } catch (err) {
    if (err instanceof KafkaError) return fail(err.code, err.message);
    broker.log(`produce to ${topic}-${pd.index} failed: ${(err as Error)?.stack ?? String(err)}`);
    return fail(ErrorCode.KAFKA_STORAGE_ERROR, null);
  }
}

export const produceApi: ApiEntry<ProduceRequest, ProduceResponse> = {
  apiKey: ApiKey.Produce,
  name: 'Produce',
  min: 0,
  max: 11,
  decodeRequest: decodeProduceRequest,
  encodeResponse: encodeProduceResponse,
  handle: handleProduce,
  noResponse: (req) => req.acks === 0,
  // Kafka closes an acks=0 producer's connection when its produce failed.
  closeWhenUnanswered: (res) =>
    (res.responses ?? []).some((t) => (t.partitionResponses ?? []).some((p) => (p.errorCode ?? 0) !== 0)),
  errorResponse: (req, errorCode) => ({
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({
        index: p.index,
        errorCode,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
      })),
    })),
  }),
};
