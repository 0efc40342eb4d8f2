// Fetch (key 1), v4–17, for consumers and for follower replicas.
//
// Kafka's rules followed here:
//  - Long poll: if fewer than `minBytes` are available, the request waits up
//    to `maxWaitMs` for a produce to one of its partitions, then reads again.
//    It answers at once on any partition error.
//  - `maxBytes` bounds the whole response and `partitionMaxBytes` each
//    partition, except that the first batch of the first partition with data
//    is returned even if it is larger (KIP-74), so a consumer always progresses.
//  - Only the partition leader serves fetches: NOT_LEADER_OR_FOLLOWER
//    elsewhere, with the current leader (v12+) and its endpoint (v16+) so the
//    client can go there at once. CurrentLeaderEpoch is checked (KIP-320).
//  - Consumers (replica id -1) read up to the high watermark; read_committed
//    stops at the last stable offset (= high watermark until transactions
//    exist). Followers (replica id >= 0: the body up to v14, ReplicaState
//    from v15) read up to the log end; their fetch offset is their log end,
//    which the replica manager uses to move the high watermark and the ISR.
//    A follower whose LastFetchedEpoch diverges from the leader's history
//    gets DivergingEpoch and no records (it truncates, then fetches again).
//  - Topics are named up to v12 and identified by id from v13 (UNKNOWN_TOPIC_ID).
//  - Fetch sessions (KIP-227) are not kept: every answer is sessionless
//    (sessionId 0); an incremental fetch (sessionId ≠ 0, epoch > 0) gets
//    FETCH_SESSION_ID_NOT_FOUND, and the client falls back to a full fetch.
// Record bytes go out as the chunks the log read returned: no copy.

import type { ApiEntry, HandlerContext, RequestContext } from './context.ts';
import type { PartitionState } from '../topic-manager.ts';
import {
  type FetchRequest,
  type FetchResponseInput as FetchResponse,
  type FetchResponsePartitionDataInput as PartitionData,
  decodeFetchRequest,
  encodeFetchResponse,
} from '../../protocol/messages/fetch.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { partitionKey, type WakeReason } from '../delayed-fetch.ts';
import { leads, nodeEndpoints, notLeader } from './cluster-view.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const EMPTY = Buffer.alloc(0);
const READ_COMMITTED = 1;

/** One requested partition, resolved once and re-read on every attempt. */
interface Target {
  topicIndex: number;
  index: number;
  state: PartitionState | undefined;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** Set when the partition is answered with an error, independent of reads. */
  error: number;
  /** The leader to point the client to with NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH (v12+). */
  currentLeader?: { leaderId: number; leaderEpoch: number };
  /** A follower's history diverges from the leader's: answered with this and no records. */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** The topic or partition is not in the cluster's metadata (Kafka sets these aside before reading). */
  unknown?: boolean;
}

interface TopicOut {
  topic: string;
  topicId: string;
  targets: Target[];
}

export function handleFetch(
  broker: HandlerContext,
  req: FetchRequest,
  version: number,
  _ctx: RequestContext,
): FetchResponse | Promise<FetchResponse> {
  if (version >= 7 && (req.sessionId ?? 0) !== 0 && (req.sessionEpoch ?? -1) > 0) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
  }
  const replicaId = version >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
  const topics = resolve(broker, req, version, replicaId);
  // As Kafka: an error on a partition that exists answers at once; unknown topics and partitions are
  // answered with their error but do not cut the long poll of the others short, unless nothing is
  // left to read.
  const hasError = topics.some((t) =>
    t.targets.some((p) => (p.error !== ErrorCode.NONE && !p.unknown) || p.divergingEpoch),
  );
  const nothingToRead = topics.every((t) => t.targets.every((p) => p.unknown));
  const maxWait = Math.max(0, req.maxWaitMs);
  const minBytes = Math.max(0, req.minBytes);
  const deadline = Date.now() + maxWait;
  const readCommitted = version >= 4 && req.isolationLevel === READ_COMMITTED;
  const maxBytes = req.maxBytes ?? 0x7fffffff;

  const endpoints =
    version >= 16
      ? nodeEndpoints(
          broker,
          topics.flatMap((t) => t.targets.map((target) => target.currentLeader?.leaderId ?? -1)),
        )
      : undefined;
  const attempt = async (final: boolean): Promise<FetchResponse | null> => {
    const { response, bytes, errors } = await readAll(topics, version, maxBytes, readCommitted, replicaId >= 0);
    if (endpoints && endpoints.length > 0) response.nodeEndpoints = endpoints;
    if (final || hasError || errors || bytes >= minBytes || maxWait === 0 || nothingToRead) return response;
    return null;
  };

  return (async () => {
    let res = await attempt(false);
    while (res === null) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || broker.stopping) return (await attempt(true))!;
      const keys = topics.flatMap((t) =>
        t.targets.filter((p) => p.state).map((p) => partitionKey(p.state!.topicId, p.state!.partition)),
      );
      const reason = await new Promise<WakeReason>((resolve) => broker.purgatory.watch(keys, remaining, resolve));
      res = await attempt(reason !== 'data');
    }
    return res;
  })();
}

function resolve(broker: HandlerContext, req: FetchRequest, version: number, replicaId: number): TopicOut[] {
  return req.topics.map((rt, topicIndex) => {
    const byId = version >= 13;
    const topic = byId ? broker.topics.getById(rt.topicId!) : broker.topics.get(rt.topic!);
    const unknownError = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return {
      topic: topic?.name ?? rt.topic ?? '',
      topicId: topic?.topicId ?? rt.topicId ?? '',
      targets: rt.partitions.map((rp) => {
        const state = topic ? broker.topics.partition(topic.name, rp.partition) : undefined;
        let error: number = ErrorCode.NONE;
        let currentLeader: Target['currentLeader'];
        let divergingEpoch: Target['divergingEpoch'];
        let unknown = false;
        if (!topic) {
          error = unknownError;
          unknown = true;
        } else if (!state) {
          // Not hosted here: NOT_LEADER_OR_FOLLOWER (with the leader) when the partition exists.
          const nl = notLeader(broker, topic.name, rp.partition);
          error = nl.errorCode;
          unknown = nl.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          if (!unknown) currentLeader = { leaderId: nl.leaderId, leaderEpoch: nl.leaderEpoch };
        } else {
          error = leaderEpochError(rp.currentLeaderEpoch ?? -1, state.leaderEpoch);
          if (error === ErrorCode.NONE && !leads(broker, state)) error = ErrorCode.NOT_LEADER_OR_FOLLOWER;
          if (error === ErrorCode.NOT_LEADER_OR_FOLLOWER || error === ErrorCode.FENCED_LEADER_EPOCH) {
            currentLeader = { leaderId: state.leader ?? -1, leaderEpoch: state.leaderEpoch };
          }
          if (error === ErrorCode.NONE && replicaId >= 0) {
            const lastFetchedEpoch = version >= 12 ? (rp.lastFetchedEpoch ?? -1) : -1;
            if (lastFetchedEpoch >= 0) {
              // Kafka's divergence check: the follower's last epoch ends earlier here, or is unknown.
              const end = state.log.endOffsetForEpoch(lastFetchedEpoch);
              if (end.endOffset >= 0 && (end.epoch < lastFetchedEpoch || end.endOffset < rp.fetchOffset))
                divergingEpoch = end;
            }
            if (!divergingEpoch) {
              error =
                broker.replication?.onFollowerFetch?.(state, replicaId, rp.fetchOffset, rp.logStartOffset ?? -1) ??
                ErrorCode.NONE;
            }
          }
        }
        return {
          topicIndex,
          index: rp.partition,
          state: error === ErrorCode.NONE ? state : undefined,
          fetchOffset: rp.fetchOffset,
          partitionMaxBytes: rp.partitionMaxBytes,
          currentLeaderEpoch: rp.currentLeaderEpoch ?? -1,
          error,
          currentLeader,
          divergingEpoch,
          unknown,
        };
      }),
    };
  });
}

/** KIP-320: a client with an older epoch is fenced; a newer one means we're behind. */
export function leaderEpochError(requested: number, current: number): number {
  if (requested === -1 || requested === current) return ErrorCode.NONE;
  return requested < current ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}

async function readAll(
  topics: TopicOut[],
  version: number,
  maxBytes: number,
  readCommitted: boolean,
  follower: boolean,
): Promise<{ response: FetchResponse; bytes: number; errors: boolean }> {
  let remaining = maxBytes;
  let total = 0;
  let errors = false;
  const responses = [];
  for (const t of topics) {
    const partitions: PartitionData[] = [];
    for (const target of t.targets) {
      const out = await readPartition(
        target,
        Math.max(0, Math.min(remaining, target.partitionMaxBytes)),
        total === 0,
        readCommitted,
        follower,
      );
      if (version >= 12) {
        if (target.currentLeader) out.data.currentLeader = target.currentLeader;
        if (target.divergingEpoch) out.data.divergingEpoch = target.divergingEpoch;
      }
      // A read error answers at once; an unknown topic or partition was set aside before reading.
      if (out.errorCode !== ErrorCode.NONE && !target.unknown) errors = true;
      const n = out.bytes;
      total += n;
      remaining -= n;
      partitions.push(out.data);
    }
    responses.push(version >= 13 ? { topicId: t.topicId, partitions } : { topic: t.topic, partitions });
  }
  const response: FetchResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
  return { response, bytes: total, errors };
}

async function readPartition(
  target: Target,
  limit: number,
  minOneBatch: boolean,
  readCommitted: boolean,
  follower: boolean,
): Promise<{ data: PartitionData; bytes: number; errorCode: number }> {
  const p = target.state;
  if (!p)
    return { data: partitionData(target.index, target.error, -1, -1, -1, EMPTY), bytes: 0, errorCode: target.error };
  const log = p.log;
  const hw = log.highWatermark;
  const lso = hw; // no transactions yet: last stable offset = high watermark
  const logStart = log.logStartOffset;
  if (target.divergingEpoch) {
    // An answer of its own: the follower truncates first (no records, no wait).
    return {
      data: partitionData(target.index, ErrorCode.NONE, hw, lso, logStart, EMPTY),
      bytes: 0,
      errorCode: ErrorCode.NONE,
    };
  }
  // Followers replicate everything the leader has; consumers see only committed records.
  const maxOffset = follower ? log.logEndOffset : readCommitted ? lso : hw;
  if (target.fetchOffset < logStart || target.fetchOffset > log.logEndOffset) {
    return {
      data: partitionData(target.index, ErrorCode.OFFSET_OUT_OF_RANGE, hw, lso, logStart, EMPTY),
      bytes: 0,
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
    };
  }
  if (target.fetchOffset >= maxOffset || (limit <= 0 && !minOneBatch)) {
    return {
      data: partitionData(target.index, ErrorCode.NONE, hw, lso, logStart, EMPTY),
      bytes: 0,
      errorCode: ErrorCode.NONE,
    };
  }
  const res = await log.read(target.fetchOffset, limit, maxOffset, minOneBatch);
  if ('error' in res) {
    return { data: partitionData(target.index, res.error, hw, lso, logStart, EMPTY), bytes: 0, errorCode: res.error };
  }
  const records = res.bytes === 0 ? EMPTY : res.chunks;
  return {
    data: partitionData(target.index, ErrorCode.NONE, hw, lso, logStart, records),
    bytes: res.bytes,
    errorCode: ErrorCode.NONE,
  };
}

function partitionData(
  partitionIndex: number,
  errorCode: number,
  highWatermark: number,
  lastStableOffset: number,
  logStartOffset: number,
  records: Buffer | Buffer[],
): PartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark,
    lastStableOffset,
    logStartOffset,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records,
  };
}

export const fetchApi: ApiEntry<FetchRequest, FetchResponse> = {
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  min: 4,
  max: 17,
  decodeRequest: decodeFetchRequest,
  encodeResponse: encodeFetchResponse,
  handle: handleFetch,
  errorResponse: (req, errorCode) => ({
    errorCode,
    sessionId: 0,
    responses: req.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partition,
        errorCode,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        records: null,
      })),
    })),
  }),
};
