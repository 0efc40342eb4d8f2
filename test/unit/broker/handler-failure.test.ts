// A handler that throws (synchronously or by rejecting) is answered with
// UNKNOWN_SERVER_ERROR in its API's error codes, as Kafka does; the stack is
// logged and the connection stays usable. An API without an error response
// still closes the connection.

import { afterEach, describe, expect, it } from 'vitest';
import { Api } from '../../helpers/kafka-client.ts';
import * as ot from '../../../core/protocol/messages/offset-commit.ts';
import { ApiKey } from '../../../core/protocol/messages/api-keys.ts';
import { startBroker, type Harness } from './harness.ts';

const OffsetCommit = {
  apiKey: 8,
  flexibleMin: ot.OffsetCommitRequestVersions.flexibleMin,
  encode: ot.encodeOffsetCommitRequest,
  decode: ot.decodeOffsetCommitResponse,
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function breakApi(harness: Harness, apiKey: number, how: 'throw' | 'reject'): void {
  const entry = harness.broker.apis.get(apiKey)!;
  harness.broker.apis.replace({
    ...entry,
    handle: () => {
      if (how === 'throw') throw new Error('injected failure');
      return Promise.reject(new Error('injected failure'));
    },
  });
}

describe('a handler failing unexpectedly', () => {
  it('answers Metadata and ListOffsets with UNKNOWN_SERVER_ERROR and keeps the connection', async () => {
    const logs: string[] = [];
    h = await startBroker({ log: (m) => logs.push(m) });
    h.topics.create('t', 2);
    breakApi(h, ApiKey.Metadata, 'throw');
    breakApi(h, ApiKey.ListOffsets, 'reject');
    const c = await h.client();
    const md = await c.send(Api.Metadata, 12, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(md.topics.map((t) => [t.name, t.errorCode])).toEqual([['t', -1]]);
    const lo = await c.send(Api.ListOffsets, 8, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 1000,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 },
            { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2 },
          ],
        },
      ],
    });
    expect(lo.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode])).toEqual([
      [0, -1],
      [1, -1],
    ]);
    // The same connection still serves requests.
    const av = await c.send(Api.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    expect(av.errorCode).toBe(0);
    expect(logs.some((l) => l.includes('injected failure') && l.includes('handler-failure.test.ts'))).toBe(true);
  });

  it('answers OffsetCommit per partition', async () => {
    h = await startBroker();
    breakApi(h, ApiKey.OffsetCommit, 'reject');
    const c = await h.client();
    const r = await c.send(OffsetCommit, 9, {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 3, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }],
        },
      ],
    });
    expect(r.topics[0]!.partitions).toEqual([{ partitionIndex: 3, errorCode: -1 }]);
  });

  it('closes the connection for an API without an error response', async () => {
    h = await startBroker();
    breakApi(h, ApiKey.ApiVersions, 'reject');
    const c = await h.client();
    await expect(c.send(Api.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).rejects.toThrow(
      /closed/,
    );
  });
});
