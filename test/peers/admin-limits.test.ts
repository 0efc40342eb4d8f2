// Admin requests that ask for more than a broker can hold, sent from a raw protocol client
// (test/helpers/kafka-client.ts: no client-side check stands in the way, as with kafka-python):
// CreateTopics with 2,147,483,647 partitions, with 10,001, with a request whose records pass
// 10,000 in all, CreatePartitions to 2,147,483,647, each also with validateOnly. Real Kafka (one
// combined node) answers first and is the control: POLICY_VIOLATION with its messages, nothing
// created. Samsa with one broker (`samsa start`) and three (`samsa start --brokers 3`) must give
// the same answers without building anything: the broker's memory barely moves and it still
// answers. (Samsa's own bound, partitions per broker by its open-files limit, is covered by
// test/integration/open-files.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ct from '../../core/protocol/messages/create-topics.ts';
import * as cp from '../../core/protocol/messages/create-partitions.ts';
import { ErrorCode } from '../../core/protocol/error-codes.ts';
import { uniqueTopic } from '../helpers/clients.ts';
import { Api, KafkaClient } from '../helpers/kafka-client.ts';
import { KAFKA_VERSION, startKafka } from '../helpers/kafka-peer.ts';
import { startBroker } from '../helpers/spawn-broker.ts';
import { startCluster } from '../helpers/spawn-cluster.ts';

const CreateTopics = {
  apiKey: 19,
  flexibleMin: ct.CreateTopicsRequestVersions.flexibleMin,
  encode: ct.encodeCreateTopicsRequest,
  decode: ct.decodeCreateTopicsResponse,
};
const CreatePartitions = {
  apiKey: 37,
  flexibleMin: cp.CreatePartitionsRequestVersions.flexibleMin,
  encode: cp.encodeCreatePartitionsRequest,
  decode: cp.decodeCreatePartitionsResponse,
};
const INT32_MAX = 2_147_483_647;
const TOO_MANY = 'Excessively large number of partitions per request.';
const TOO_MANY_ADDED = 'Excessively large number of additional partitions per request.';
const TOO_MANY_RECORDS = 'Unable to perform excessively large batch operation.';

interface Running {
  port: number;
  /** The broker's resident memory in bytes (Samsa single-broker only). */
  rss?: () => number;
  stop(): Promise<void>;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

const TARGETS: { name: string; start(): Promise<Running> }[] = [
  {
    name: `Kafka ${KAFKA_VERSION}`,
    async start() {
      const k = await startKafka({ brokers: 1 });
      return { port: k.nodes[0]!.port, stop: () => k.stop() };
    },
  },
  {
    name: 'Samsa',
    async start() {
      const b = await startBroker();
      return {
        port: b.port,
        rss: process.platform === 'linux' ? () => rssOf(b.pid) : undefined,
        stop: () => b.dispose(),
      };
    },
  },
  {
    name: 'Samsa --brokers 3',
    async start() {
      const c = await startCluster({ brokers: 3 });
      return { port: [...c.ports.values()][0]!, stop: () => c.dispose() };
    },
  },
];

const topic = (name: string, numPartitions: number, configs: { name: string; value: string }[] = []) => ({
  name,
  numPartitions,
  replicationFactor: 1,
  assignments: [],
  configs,
});

for (const target of TARGETS) {
  describe(`admin requests too large to honour, against ${target.name}`, () => {
    let server: Running;
    let client: KafkaClient;
    beforeAll(async () => {
      server = await target.start();
      client = await KafkaClient.connect(server.port);
    });
    afterAll(async () => {
      client?.close();
      await server?.stop();
    });

    const create = async (topics: ReturnType<typeof topic>[], validateOnly = false) =>
      (await client.send(CreateTopics, 7, { topics, timeoutMs: 30_000, validateOnly })).topics.map((t) => [
        t.name,
        t.errorCode,
        t.errorMessage,
      ]);
    const exists = async (name: string) =>
      (
        await client.send(Api.Metadata, 12, {
          topics: [{ name }],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        })
      ).topics[0]!.errorCode === 0;

    it('refuses CreateTopics with 2,147,483,647 partitions at once, building nothing', async () => {
      const name = uniqueTopic('huge');
      const before = server.rss?.();
      const t0 = Date.now();
      expect(await create([topic(name, INT32_MAX)])).toEqual([[name, ErrorCode.POLICY_VIOLATION, TOO_MANY]]);
      expect(await create([topic(name, INT32_MAX)], true)).toEqual([[name, ErrorCode.POLICY_VIOLATION, TOO_MANY]]);
      const ms = Date.now() - t0;
      expect(await exists(name)).toBe(false);
      if (before !== undefined) {
        const grown = server.rss!() - before;
        console.log(`[${target.name}] 2^31-1 partitions refused in ${ms} ms, RSS +${(grown / 2 ** 20).toFixed(1)} MiB`);
        expect(grown).toBeLessThan(64 * 2 ** 20);
      }
    });

    it('counts the partitions of the whole request and the records it would write', async () => {
      const [a, b, c] = [uniqueTopic('a'), uniqueTopic('b'), uniqueTopic('c')];
      expect(await create([topic(a, 10_001)])).toEqual([[a, ErrorCode.POLICY_VIOLATION, TOO_MANY]]);
      // Two topics, 12,000 partitions in all: both refused.
      expect(await create([topic(a, 6_000), topic(b, 6_000)])).toEqual([
        [a, ErrorCode.POLICY_VIOLATION, TOO_MANY],
        [b, ErrorCode.POLICY_VIOLATION, TOO_MANY],
      ]);
      // 10,000 partitions pass the partition bound, but with the topic record they are 10,001 records.
      expect(await create([topic(a, 10_000)])).toEqual([[a, ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS]]);
      expect(await create([topic(a, 10_000)], true)).toEqual([[a, ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS]]);
      // 9,998 partitions, a topic record and two config records.
      const configs = [
        { name: 'retention.ms', value: '100000' },
        { name: 'segment.ms', value: '100000' },
      ];
      expect(await create([topic(c, 9_998, configs)])).toEqual([[c, ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS]]);
      expect(await create([topic(a, 5_000), topic(b, 4_999)])).toEqual([
        [a, ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS],
        [b, ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS],
      ]);
      for (const n of [a, b, c]) expect(await exists(n)).toBe(false);
    });

    it('refuses CreatePartitions to 2,147,483,647 and keeps the topic as it was', async () => {
      const [t1, t2] = [uniqueTopic('grow'), uniqueTopic('grow')];
      expect(await create([topic(t1, 1), topic(t2, 1)])).toEqual([
        [t1, 0, null],
        [t2, 0, null],
      ]);
      const grow = async (topics: { name: string; count: number }[], validateOnly = false) =>
        (
          await client.send(CreatePartitions, 3, {
            topics: topics.map((t) => ({ ...t, assignments: null })),
            timeoutMs: 30_000,
            validateOnly,
          })
        ).results.map((r) => [r.name, r.errorCode, r.errorMessage]);
      const before = server.rss?.();
      expect(await grow([{ name: t1, count: INT32_MAX }])).toEqual([[t1, ErrorCode.POLICY_VIOLATION, TOO_MANY_ADDED]]);
      expect(await grow([{ name: t1, count: INT32_MAX }], true)).toEqual([
        [t1, ErrorCode.POLICY_VIOLATION, TOO_MANY_ADDED],
      ]);
      // 6,000 more for each of two topics: 12,000 added by the request.
      expect(
        await grow([
          { name: t1, count: 6_001 },
          { name: t2, count: 6_001 },
        ]),
      ).toEqual([
        [t1, ErrorCode.POLICY_VIOLATION, TOO_MANY_ADDED],
        [t2, ErrorCode.POLICY_VIOLATION, TOO_MANY_ADDED],
      ]);
      if (before !== undefined) expect(server.rss!() - before).toBeLessThan(64 * 2 ** 20);
      const md = await client.send(Api.Metadata, 12, {
        topics: [{ name: t1 }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      expect(md.topics[0]!.partitions).toHaveLength(1);
    });
  });
}
