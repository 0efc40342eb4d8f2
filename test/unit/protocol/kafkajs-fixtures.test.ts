// Every request/response body kafkajs captured from real brokers must decode
// with our generated codecs, consume every byte, and re-encode to the same
// bytes.

import { describe, expect, it } from 'vitest';
import { allFixtures, loadFixture, type Fixture } from './fixtures.ts';
import { ApiKey, getApi } from '../../../core/protocol/messages/index.ts';
import { decodeApiVersionsResponse } from '../../../core/protocol/messages/api-versions.ts';
import { decodeProduceRequest, type ProduceRequest } from '../../../core/protocol/messages/produce.ts';
import { decodeFetchRequest, decodeFetchResponse } from '../../../core/protocol/messages/fetch.ts';
import { decodeMetadataResponse } from '../../../core/protocol/messages/metadata.ts';
import { decodeListOffsetsRequest } from '../../../core/protocol/messages/list-offsets.ts';
import { decodeCreateTopicsRequest } from '../../../core/protocol/messages/create-topics.ts';
import { decodeJoinGroupRequest } from '../../../core/protocol/messages/join-group.ts';
import { decodeOffsetCommitRequest } from '../../../core/protocol/messages/offset-commit.ts';
import { Reader, ProtocolError } from '../../../core/protocol/reader.ts';
import { Writer } from '../../../core/protocol/writer.ts';

/**
 * kafkajs captured these flexible-v0 bodies together with the one-byte empty
 * tagged-field section of the (request v2 / response v1) header in front.
 */
const HEADER_TAG_BYTE_INCLUDED = new Set([
  'alterPartitionReassignments/v0_request.json',
  'alterPartitionReassignments/v0_response.json',
  'alterPartitionReassignments/v0_response_error.json',
  'listPartitionReassignments/v0_request.json',
  'listPartitionReassignments/v0_response.json',
]);

/** Bodies that are deliberately not valid for their version (see the dedicated tests). */
const NOT_DECODABLE = new Set(['apiVersions/v1_response_missing_throttle_time.json']);

function bodyOf(f: Fixture): Buffer {
  if (!HEADER_TAG_BYTE_INCLUDED.has(`${f.folder}/${f.file}`)) return f.bytes;
  expect(f.bytes[0]).toBe(0); // an empty tagged-field section
  return f.bytes.subarray(1);
}

function decode(f: Fixture, body: Buffer): { msg: unknown; reader: Reader } {
  const api = getApi(f.apiKey)!;
  const reader = new Reader(body);
  const msg = f.kind === 'request' ? api.decodeRequest(reader, f.version) : api.decodeResponse(reader, f.version);
  return { msg, reader };
}

function encode(f: Fixture, msg: unknown): Buffer {
  const api = getApi(f.apiKey)!;
  const w = new Writer();
  if (f.kind === 'request') api.encodeRequest(w, f.version, msg);
  else api.encodeResponse(w, f.version, msg);
  return w.toBuffer();
}

const fixtures = allFixtures();

describe('kafkajs fixtures', () => {
  it('finds the fixtures (requests and responses of many APIs)', () => {
    expect(fixtures.length).toBeGreaterThan(150);
    expect(new Set(fixtures.map((f) => f.apiKey)).size).toBeGreaterThanOrEqual(28);
  });

  for (const f of fixtures) {
    const id = `${f.folder}/${f.file}`;
    if (NOT_DECODABLE.has(id)) continue;
    it(`${id} decodes fully and re-encodes byte for byte`, () => {
      const body = bodyOf(f);
      const { msg, reader } = decode(f, body);
      expect(reader.remaining()).toBe(0);
      expect(encode(f, msg).equals(body)).toBe(true);
    });
  }

  it('apiVersions/v1_response_missing_throttle_time is a v0-shaped body: v1 decode fails, v0 decode consumes it', () => {
    const bytes = loadFixture('apiVersions', 'v1_response_missing_throttle_time.json');
    expect(() => decodeApiVersionsResponse(new Reader(bytes), 1)).toThrow(ProtocolError);
    const r = new Reader(bytes);
    const m = decodeApiVersionsResponse(r, 0);
    expect(r.remaining()).toBe(0);
    expect(m.errorCode).toBe(0);
    expect(m.apiKeys.length).toBeGreaterThan(10);
  });
});

describe('kafkajs fixtures: field values', () => {
  const req = (folder: string, file: string) => new Reader(loadFixture(folder, file));

  it('produce v7 request', () => {
    const m: ProduceRequest = decodeProduceRequest(req('produce', 'v7_request.json'), 7);
    expect(m.transactionalId).toBeNull();
    expect(m.acks).toBe(-1);
    expect(m.timeoutMs).toBe(30000);
    expect(m.topicData).toHaveLength(1);
    expect(m.topicData[0]!.name).toMatch(/^test-topic-/);
    const p = m.topicData[0]!.partitionData[0]!;
    expect(p.index).toBe(0);
    expect(p.records!.length).toBe(1041);
    // records are a zero-copy view into the request buffer
    const buf = loadFixture('produce', 'v7_request.json');
    const m2 = decodeProduceRequest(new Reader(buf), 7);
    const rec = m2.topicData[0]!.partitionData[0]!.records!;
    expect(rec.buffer).toBe(buf.buffer);
    // record batch v2: magic byte at offset 16
    expect(rec[16]).toBe(2);
  });

  it('produce v3 request (transactional id null, acks, timeout)', () => {
    const m = decodeProduceRequest(req('produce', 'v3_request.json'), 3);
    expect(m.transactionalId).toBeNull();
    expect(m.acks).toBe(-1);
    expect(m.timeoutMs).toBe(30000);
  });

  it('fetch v11 request', () => {
    const m = decodeFetchRequest(req('fetch', 'v11_request.json'), 11);
    expect(m.replicaId).toBe(-1);
    expect(m.maxWaitMs).toBe(100);
    expect(m.minBytes).toBe(1);
    expect(m.maxBytes).toBe(10485760);
    expect(m.isolationLevel).toBe(1);
    expect(m.sessionEpoch).toBe(-1);
    expect(m.rackId).toBe('rack1');
    const t = m.topics[0]!;
    expect(t.topic).toMatch(/^test-topic-/);
    expect(t.topicId).toBe('AAAAAAAAAAAAAAAAAAAAAA'); // absent before v13 → zero UUID
    expect(t.partitions[0]).toMatchObject({
      partition: 0,
      fetchOffset: 0,
      partitionMaxBytes: 1048576,
      logStartOffset: -1,
    });
  });

  it('fetch v11 response', () => {
    const m = decodeFetchResponse(req('fetch', 'v11_response.json'), 11);
    const p = m.responses[0]!.partitions[0]!;
    expect(p).toMatchObject({
      partitionIndex: 0,
      errorCode: 0,
      highWatermark: 3,
      lastStableOffset: 3,
      logStartOffset: 0,
    });
    expect(p.records!.length).toBe(217);
    // tagged-only fields absent in v11 decode to their schema defaults
    expect(p.currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
  });

  it('metadata v5 response', () => {
    const m = decodeMetadataResponse(req('metadata', 'v5_response.json'), 5);
    expect(m.brokers.map((b) => b.nodeId).sort()).toEqual([0, 1, 2]);
    expect(m.brokers[0]).toMatchObject({ host: '10.3.220.89', rack: null });
    expect(m.clusterId).toBe('wyOEk0m7Tn-08oGZjtVgEg');
    expect(m.controllerId).toBe(2);
    const t = m.topics[0]!;
    expect(t.errorCode).toBe(0);
    expect(t.isInternal).toBe(false);
    expect(t.partitions[0]).toMatchObject({ partitionIndex: 0, leaderId: 0, replicaNodes: [0], isrNodes: [0] });
    expect(m.clusterAuthorizedOperations).toBe(-2147483648); // schema default, absent in v5
  });

  it('listOffsets v2 request', () => {
    const m = decodeListOffsetsRequest(req('listOffsets', 'v2_request.json'), 2);
    expect(m.replicaId).toBe(-1);
    expect(m.isolationLevel).toBe(0);
    expect(m.topics[0]!.name).toMatch(/^test-topic-/);
    expect(m.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, timestamp: 1509285569484 });
  });

  it('createTopics v2 request', () => {
    const m = decodeCreateTopicsRequest(req('createTopics', 'v2_request.json'), 2);
    expect(m.topics).toHaveLength(2);
    expect(m.topics[0]).toMatchObject({ numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] });
    expect(m.timeoutMs).toBe(5000);
    expect(m.validateOnly).toBe(false);
  });

  it('apiVersions v1 response', () => {
    const m = decodeApiVersionsResponse(req('apiVersions', 'v1_response.json'), 1);
    expect(m.errorCode).toBe(0);
    expect(m.apiKeys[0]).toEqual({ apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 3 });
    expect(m.apiKeys.find((k) => k.apiKey === ApiKey.Fetch)).toEqual({ apiKey: 1, minVersion: 0, maxVersion: 5 });
  });

  it('joinGroup v5 request', () => {
    const m = decodeJoinGroupRequest(req('joinGroup', 'v5_request.json'), 5);
    expect(m.groupId).toMatch(/^consumer-group-id-/);
    expect(m.sessionTimeoutMs).toBe(30000);
    expect(m.rebalanceTimeoutMs).toBe(60000);
    expect(m.memberId).toBe('');
    expect(m.groupInstanceId).toBe('group-instance-id');
    expect(m.protocolType).toBe('consumer');
    expect(m.protocols[0]!.name).toBe('AssignerName');
    expect(m.protocols[0]!.metadata.length).toBe(86);
  });

  it('offsetCommit v5 request', () => {
    const m = decodeOffsetCommitRequest(req('offsetCommit', 'v5_request.json'), 5);
    expect(m.generationIdOrMemberEpoch).toBe(1);
    expect(m.memberId).toMatch(/^test-/);
    expect(m.topics[0]!.partitions[0]).toMatchObject({
      partitionIndex: 0,
      committedOffset: 0,
      committedMetadata: null,
    });
  });
});

describe('kafkajs fixtures: consumer-protocol payloads (generated "data" schemas)', () => {
  it('syncGroup v1_memberAssignment is an int16 version + ConsumerProtocolAssignment', async () => {
    const { decodeConsumerProtocolAssignment, encodeConsumerProtocolAssignment } =
      await import('../../../core/protocol/messages/consumer-protocol-assignment.ts');
    const b = loadFixture('syncGroup', 'v1_memberAssignment.json');
    const r = new Reader(b);
    const version = r.int16();
    expect(version).toBe(1);
    const m = decodeConsumerProtocolAssignment(r, version);
    expect(r.remaining()).toBe(0);
    expect(m.assignedPartitions).toHaveLength(1);
    expect(m.assignedPartitions[0]!.topic).toMatch(/^test-topic-/);
    const w = new Writer();
    w.int16(version);
    encodeConsumerProtocolAssignment(w, version, m);
    expect(w.toBuffer().equals(b)).toBe(true);
  });

  it('describeGroups v1_memberMetadata: kafkajs labels a v0-shaped ConsumerProtocolSubscription as version 1', async () => {
    const { decodeConsumerProtocolSubscription } =
      await import('../../../core/protocol/messages/consumer-protocol-subscription.ts');
    const b = loadFixture('describeGroups', 'v1_memberMetadata.json');
    const r1 = new Reader(b);
    expect(r1.int16()).toBe(1);
    // v1 adds OwnedPartitions after UserData; kafkajs does not write it
    expect(() => decodeConsumerProtocolSubscription(r1, 1)).toThrow(ProtocolError);
    const r = new Reader(b, 2);
    const m = decodeConsumerProtocolSubscription(r, 0);
    expect(r.remaining()).toBe(0);
    expect(m.userData!.length).toBe(0);
    expect(m.topics).toHaveLength(1);
    expect(m.topics[0]).toMatch(/^test-topic-/);
  });
});
