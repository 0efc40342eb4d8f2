// Flexible versions (compact encodings + tagged fields, KIP-482), which the
// kafkajs fixtures barely cover: hand-computed bytes and round-trips.

import { describe, expect, it } from 'vitest';
import { Reader } from '../../../core/protocol/reader.ts';
import { Writer } from '../../../core/protocol/writer.ts';
import {
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
  type ApiVersionsResponseInput,
} from '../../../core/protocol/messages/api-versions.ts';
import {
  decodeProduceRequest,
  decodeProduceResponse,
  encodeProduceRequest,
  encodeProduceResponse,
  type ProduceResponseInput,
} from '../../../core/protocol/messages/produce.ts';
import {
  decodeMetadataRequest,
  decodeMetadataResponse,
  encodeMetadataRequest,
  encodeMetadataResponse,
} from '../../../core/protocol/messages/metadata.ts';
import {
  decodeFetchRequest,
  decodeFetchResponse,
  encodeFetchRequest,
  encodeFetchResponse,
  type FetchRequestInput,
  type FetchResponseInput,
} from '../../../core/protocol/messages/fetch.ts';
import {
  decodeCreateTopicsRequest,
  decodeCreateTopicsResponse,
  encodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
} from '../../../core/protocol/messages/create-topics.ts';

type Enc<T> = (w: Writer, version: number, m: T) => void;
type Dec<T> = (r: Reader, version: number) => T;

function enc<T>(f: Enc<T>, version: number, m: T): Buffer {
  const w = new Writer(16);
  f(w, version, m);
  return w.toBuffer();
}

/** encode → decode (all bytes consumed) → encode again gives the same bytes. */
function roundTrip<I, O extends I>(e: Enc<I>, d: Dec<O>, version: number, m: I): O {
  const b1 = enc(e, version, m);
  const r = new Reader(b1);
  const decoded = d(r, version);
  expect(r.remaining()).toBe(0);
  const b2 = enc(e, version, decoded);
  expect(b2.equals(b1)).toBe(true);
  return decoded;
}

const UUID_A = Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64url');

describe('hand-computed bytes', () => {
  it('ApiVersionsRequest v3: compact strings + empty tagged section', () => {
    const b = enc(encodeApiVersionsRequest, 3, { clientSoftwareName: 'a', clientSoftwareVersion: '1' });
    expect([...b]).toEqual([2, 0x61, 2, 0x31, 0]);
    // v0-2 have no body at all
    expect(enc(encodeApiVersionsRequest, 2, { clientSoftwareName: 'a' }).length).toBe(0);
  });

  it('unknown tagged fields are skipped on decode', () => {
    const r = new Reader(Buffer.from([2, 0x61, 2, 0x31, 2, 7, 2, 0xaa, 0xbb, 9, 0])); // tags 7 and 9
    expect(decodeApiVersionsRequest(r, 3)).toEqual({ clientSoftwareName: 'a', clientSoftwareVersion: '1' });
    expect(r.remaining()).toBe(0);
  });

  it('ApiVersionsResponse v3: default tagged fields are not written; non-default ones are', () => {
    const m: ApiVersionsResponseInput = { apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] };
    expect([...enc(encodeApiVersionsResponse, 3, m)]).toEqual([0, 0, 2, 0, 18, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0]);
    const withEpoch = enc(encodeApiVersionsResponse, 3, { ...m, finalizedFeaturesEpoch: 5, zkMigrationReady: true });
    expect([...withEpoch]).toEqual([
      0,
      0,
      2,
      0,
      18,
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      0,
      0,
      2, // two tagged fields
      1,
      8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      5, // tag 1: finalizedFeaturesEpoch int64
      3,
      1,
      1, // tag 3: zkMigrationReady
    ]);
    const d = decodeApiVersionsResponse(new Reader(withEpoch), 3);
    expect(d.finalizedFeaturesEpoch).toBe(5);
    expect(d.zkMigrationReady).toBe(true);
    expect(d.supportedFeatures).toEqual([]);
  });

  it('ApiVersionsResponse v0 has no throttle time; v1/v2 do; all classic encodings', () => {
    const m = { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 9 };
    expect([...enc(encodeApiVersionsResponse, 0, m)]).toEqual([0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4]);
    expect([...enc(encodeApiVersionsResponse, 1, m)]).toEqual([0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4, 0, 0, 0, 9]);
  });

  it('ProduceResponse v10: tagged struct CurrentLeader inside a partition', () => {
    const m: ProduceResponseInput = {
      responses: [
        {
          name: 't',
          partitionResponses: [
            { index: 0, baseOffset: 5, logStartOffset: 0, currentLeader: { leaderId: 1, leaderEpoch: 2 } },
          ],
        },
      ],
    };
    const b = enc(encodeProduceResponse, 10, m);
    expect([...b]).toEqual([
      2,
      2,
      0x74, // responses[1], name "t"
      2, // partitionResponses[1]
      0,
      0,
      0,
      0, // index
      0,
      0, // errorCode
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      5, // baseOffset
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff, // logAppendTimeMs default -1
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // logStartOffset
      1, // recordErrors: empty compact array
      0, // errorMessage: null compact string
      1,
      0,
      9,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      2,
      0, // tagged: tag 0, size 9, LeaderIdAndEpoch + its own empty tags
      0, // topic tagged fields
      0,
      0,
      0,
      0, // throttleTimeMs
      0, // no NodeEndpoints (empty = default)
    ]);
    const d = decodeProduceResponse(new Reader(b), 10);
    expect(d.responses[0]!.partitionResponses[0]!.currentLeader).toEqual({ leaderId: 1, leaderEpoch: 2 });
    // A default CurrentLeader is not written at all.
    const plain = enc(encodeProduceResponse, 10, {
      responses: [{ name: 't', partitionResponses: [{ currentLeader: { leaderId: -1, leaderEpoch: -1 } }] }],
    });
    expect(plain.length).toBe(b.length - 12 + 1);
  });

  it('MetadataRequest v12: null compact array, nullable compact string, uuid', () => {
    expect([...enc(encodeMetadataRequest, 12, { topics: null, allowAutoTopicCreation: true })]).toEqual([0, 1, 0, 0]);
    const b = enc(encodeMetadataRequest, 12, { topics: [{ name: null }], allowAutoTopicCreation: false });
    expect([...b]).toEqual([2, ...new Array(16).fill(0), 0, 0, 0, 0, 0]);
    const d = decodeMetadataRequest(new Reader(b), 12);
    expect(d.topics).toEqual([{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: null }]);
    // v0: topics is not nullable; an empty array means "all topics"
    expect([...enc(encodeMetadataRequest, 0, { topics: [] })]).toEqual([0, 0, 0, 0]);
    expect([...enc(encodeMetadataRequest, 1, { topics: null })]).toEqual([0xff, 0xff, 0xff, 0xff]);
  });
});

describe('round-trips in flexible versions', () => {
  it('Metadata v12 request and response', () => {
    roundTrip(encodeMetadataRequest, decodeMetadataRequest, 12, {
      topics: [{ topicId: UUID_A, name: 'orders' }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: true,
    });
    const d = roundTrip(encodeMetadataResponse, decodeMetadataResponse, 12, {
      throttleTimeMs: 3,
      brokers: [
        { nodeId: 1, host: 'localhost', port: 9092, rack: null },
        { nodeId: 2, host: 'h2', port: 9093, rack: 'r1' },
      ],
      clusterId: 'samsa-cluster',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          topicId: UUID_A,
          isInternal: false,
          partitions: [
            {
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 4,
              replicaNodes: [1, 2],
              isrNodes: [1],
              offlineReplicas: [2],
            },
          ],
          topicAuthorizedOperations: 0x1f,
        },
      ],
    });
    expect(d.brokers[1]).toEqual({ nodeId: 2, host: 'h2', port: 9093, rack: 'r1' });
    expect(d.topics[0]!.topicId).toBe(UUID_A);
    expect(d.topics[0]!.partitions[0]!.isrNodes).toEqual([1]);
    expect(d.clusterAuthorizedOperations).toBe(-2147483648); // not in v12
  });

  for (const version of [16, 17]) {
    it(`Fetch v${version} request with tagged ClusterId and ReplicaState`, () => {
      const m: FetchRequestInput = {
        clusterId: 'c1',
        replicaState: { replicaId: 3, replicaEpoch: 7 },
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 52428800,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topicId: UUID_A,
            partitions: [
              {
                partition: 2,
                currentLeaderEpoch: 5,
                fetchOffset: 2 ** 40,
                lastFetchedEpoch: 4,
                logStartOffset: -1,
                partitionMaxBytes: 1048576,
                replicaDirectoryId: UUID_A,
              },
            ],
          },
        ],
        forgottenTopicsData: [{ topicId: UUID_A, partitions: [0, 1] }],
        rackId: 'rack-a',
      };
      const d = roundTrip(encodeFetchRequest, decodeFetchRequest, version, m);
      expect(d.clusterId).toBe('c1');
      expect(d.replicaState).toEqual({ replicaId: 3, replicaEpoch: 7 });
      expect(d.replicaId).toBe(-1); // only up to v14
      expect(d.topics[0]!.topic).toBe(''); // names only up to v12
      expect(d.topics[0]!.partitions[0]!.fetchOffset).toBe(2 ** 40);
      // ReplicaDirectoryId is a v17 tagged field
      expect(d.topics[0]!.partitions[0]!.replicaDirectoryId).toBe(version >= 17 ? UUID_A : 'AAAAAAAAAAAAAAAAAAAAAA');
      expect(d.forgottenTopicsData[0]!.partitions).toEqual([0, 1]);
    });

    it(`Fetch v${version} response: tagged CurrentLeader/NodeEndpoints; records chunks appended by reference`, () => {
      const chunkA = Buffer.alloc(700, 0xa);
      const chunkB = Buffer.alloc(900, 0xb);
      const m: FetchResponseInput = {
        throttleTimeMs: 0,
        sessionId: 12,
        responses: [
          {
            topicId: UUID_A,
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 6,
                highWatermark: 100,
                lastStableOffset: 100,
                logStartOffset: 0,
                currentLeader: { leaderId: 2, leaderEpoch: 9 },
                abortedTransactions: null,
                records: [chunkA, chunkB],
              },
              {
                partitionIndex: 1,
                highWatermark: 0,
                records: null,
                abortedTransactions: [{ producerId: 77, firstOffset: 3 }],
              },
            ],
          },
        ],
        nodeEndpoints: [{ nodeId: 2, host: 'localhost', port: 9093, rack: null }],
      };
      const w = new Writer();
      encodeFetchResponse(w, version, m);
      const chunks = w.toChunks();
      expect(chunks).toContain(chunkA);
      expect(chunks).toContain(chunkB);
      const d = roundTrip(encodeFetchResponse, decodeFetchResponse, version, m);
      const p0 = d.responses[0]!.partitions[0]!;
      expect(p0.records!.equals(Buffer.concat([chunkA, chunkB]))).toBe(true);
      expect(p0.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 9 });
      expect(p0.divergingEpoch).toEqual({ epoch: -1, endOffset: -1 });
      expect(p0.abortedTransactions).toBeNull();
      expect(d.responses[0]!.partitions[1]!.abortedTransactions).toEqual([{ producerId: 77, firstOffset: 3 }]);
      expect(d.nodeEndpoints).toEqual([{ nodeId: 2, host: 'localhost', port: 9093, rack: null }]);
      expect(d.sessionId).toBe(12);
    });
  }

  it('Produce v11 request and response', () => {
    const records = Buffer.alloc(61, 1);
    const d = roundTrip(encodeProduceRequest, decodeProduceRequest, 11, {
      transactionalId: 'tx-1',
      acks: -1,
      timeoutMs: 1500,
      topicData: [{ name: 'orders', partitionData: [{ index: 3, records }] }],
    });
    expect(d.topicData[0]!.partitionData[0]!.records!.equals(records)).toBe(true);
    expect(d.transactionalId).toBe('tx-1');
    const r = roundTrip(encodeProduceResponse, decodeProduceResponse, 11, {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            {
              index: 3,
              errorCode: 0,
              baseOffset: 41,
              logAppendTimeMs: -1,
              logStartOffset: 0,
              recordErrors: [{ batchIndex: 2, batchIndexErrorMessage: 'bad' }],
              errorMessage: 'x',
            },
          ],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [{ nodeId: 1, host: 'h', port: 1, rack: 'r' }],
    });
    expect(r.responses[0]!.partitionResponses[0]!.recordErrors).toEqual([
      { batchIndex: 2, batchIndexErrorMessage: 'bad' },
    ]);
    expect(r.nodeEndpoints).toHaveLength(1);
  });

  it('CreateTopics v7 request and response', () => {
    const req = roundTrip(encodeCreateTopicsRequest, decodeCreateTopicsRequest, 7, {
      topics: [
        {
          name: 'orders',
          numPartitions: 3,
          replicationFactor: 1,
          assignments: [],
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: null },
          ],
        },
        {
          name: 'manual',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
        },
      ],
      timeoutMs: 30000,
      validateOnly: true,
    });
    expect(req.topics[0]!.configs[1]).toEqual({ name: 'retention.ms', value: null });
    expect(req.topics[1]!.assignments[0]!.brokerIds).toEqual([1, 2]);
    const res = roundTrip(encodeCreateTopicsResponse, decodeCreateTopicsResponse, 7, {
      throttleTimeMs: 0,
      topics: [
        {
          name: 'orders',
          topicId: UUID_A,
          errorCode: 0,
          errorMessage: null,
          topicConfigErrorCode: 0,
          numPartitions: 3,
          replicationFactor: 1,
          configs: [{ name: 'cleanup.policy', value: 'compact', readOnly: false, configSource: 5, isSensitive: false }],
        },
        { name: 'bad', errorCode: 36, errorMessage: 'exists', configs: null },
      ],
    });
    expect(res.topics[0]!.topicId).toBe(UUID_A);
    expect(res.topics[0]!.topicConfigErrorCode).toBe(0);
    expect(res.topics[1]!.configs).toBeNull();
  });

  it('CreateTopics v5 response: TopicConfigErrorCode is a tagged field and is written only when non-zero', () => {
    const base = { topics: [{ name: 't', errorCode: 0, numPartitions: 1, replicationFactor: 1, configs: [] }] };
    const plain = enc(encodeCreateTopicsResponse, 5, base);
    const withErr = enc(encodeCreateTopicsResponse, 5, { topics: [{ ...base.topics[0]!, topicConfigErrorCode: 29 }] });
    expect(withErr.length).toBe(plain.length + 4); // tag, size, int16
    expect(decodeCreateTopicsResponse(new Reader(withErr), 5).topics[0]!.topicConfigErrorCode).toBe(29);
  });

  for (const version of [3, 4]) {
    it(`ApiVersions v${version} response with features`, () => {
      const d = roundTrip(encodeApiVersionsResponse, decodeApiVersionsResponse, version, {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 11 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
        throttleTimeMs: 0,
        supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 25 }],
        finalizedFeaturesEpoch: 10,
        finalizedFeatures: [{ name: 'metadata.version', maxVersionLevel: 25, minVersionLevel: 25 }],
        zkMigrationReady: false,
      });
      expect(d.supportedFeatures[0]).toEqual({ name: 'metadata.version', minVersion: 1, maxVersion: 25 });
      expect(d.finalizedFeatures[0]!.maxVersionLevel).toBe(25);
      expect(d.apiKeys).toHaveLength(2);
    });
  }
});

describe('encode defaults and version gating', () => {
  it('omitted fields are written as their defaults', () => {
    const d = decodeFetchResponse(
      new Reader(enc(encodeFetchResponse, 4, { responses: [{ topic: 't', partitions: [{}] }] })),
      4,
    );
    expect(d.responses[0]!.partitions[0]).toMatchObject({
      partitionIndex: 0,
      errorCode: 0,
      lastStableOffset: -1,
      records: null,
      abortedTransactions: [],
    });
  });

  it('fields that a version lacks are dropped silently', () => {
    const b = enc(encodeProduceRequest, 2, { transactionalId: 'tx', acks: 1, timeoutMs: 10, topicData: [] });
    expect([...b]).toEqual([0, 1, 0, 0, 0, 10, 0, 0, 0, 0]);
    expect(decodeProduceRequest(new Reader(b), 2).transactionalId).toBeNull();
  });
});
