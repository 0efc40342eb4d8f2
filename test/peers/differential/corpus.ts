// The differential corpus: for every API Samsa advertises, requests on the normal path and on
// the error paths (unknown topics and groups, bad configs, bad offsets, duplicates, invalid
// replication factors, partition counts and names, wrong generations, …). Each case runs at
// every version both brokers support (or the versions it names), with the same topic and group
// names on every target. `expect` is the control: what Kafka must answer for the case to test
// what its name says.
import { decodeApiVersionsResponse } from '../../../core/protocol/messages/api-versions.ts';
import { Reader } from '../../../core/protocol/reader.ts';
import { buildRecordBatch, type BuildBatchOptions, type RecordInput } from '../../../core/protocol/record-batch.ts';
import { at, show } from './compare.ts';
import { assignment, isWireError, poll, subscription, T0, type Case, type Ctx } from './runner.ts';
import { WireClient } from './wire.ts';

// ---- helpers ----------------------------------------------------------------------------------

const from = (n: number) => (v: number) => v >= n;

/** A base64 topic id no broker has. */
const UNKNOWN_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: a coordinator still starting. */
const RETRIABLE = new Set([14, 15, 16]);

/** Sends a coordinator request until its answer is not one of a starting coordinator (setup steps, not compared). */
const ready = (c: Ctx, api: string, v: number, body: unknown, node?: number) =>
  poll(`${c.side}: ${api} ready`, async () => {
    const r = await c.call(api, v, body, node);
    return isWireError(r) || !RETRIABLE.has(r.errorCode) ? r : undefined;
  });

type Check = (res: any, v: number) => string | undefined;

/** The control: the value at `path` is one of `values`. */
function is(path: string, ...values: unknown[]): Check {
  return (res) => {
    if (isWireError(res)) return `no response: ${res.$error}`;
    const got = at(res, path);
    return values.some((x) => JSON.stringify(x) === JSON.stringify(got))
      ? undefined
      : `${path} is ${show(got, path.split('.').pop())}, expected ${values.map((x) => show(x)).join(' or ')}`;
  };
}

function all(...checks: Check[]): Check {
  return (res, v) => {
    for (const c of checks) {
      const r = c(res, v);
      if (r) return r;
    }
    return undefined;
  };
}

/** Produce v0-2: Kafka 4 still advertises them but closes the connection; from v3 on, the partition's error code. */
function produced(code: number): Check {
  return (res, v) => {
    if (v < 3) return isWireError(res) ? undefined : 'expected Kafka to close the connection on Produce v0-2';
    return is('responses[0].partitionResponses[0].errorCode', code)(res, v);
  };
}

/**
 * Kafka's message for a record outside message.timestamp.before/after.max.ms names the record's
 * timestamp and [now - before, now + after] by the broker's clock. The clocks differ between
 * brokers; before and after do not: the window's width is exact, and `after` is the upper limit's
 * distance from the record (sent two hours ahead of the client's clock), to the minute.
 */
function timestampWindow(message: string | null): string | null {
  const m =
    /^Timestamp (-?\d+) of message with offset (\d+) is out of range\. The timestamp should be within \[(-?\d+), (-?\d+)\]$/.exec(
      message ?? '',
    );
  if (!m) return message;
  const [ts, lower, upper] = [BigInt(m[1]!), BigInt(m[3]!), BigInt(m[4]!)];
  const after = BigInt(Math.round(Number(upper - ts + 7_200_000n) / 60_000) * 60_000);
  const before = upper - lower - after;
  return `Timestamp <now + 2 h> of message with offset ${m[2]} is out of range. The timestamp should be within [<now> - ${before}, <now> + ${after}]`;
}

const records = (n: number, prefix = 'r', first = 0) =>
  Array.from({ length: n }, (_, i) => ({
    key: `${prefix}-key-${first + i}`,
    value: `${prefix}-value-${first + i}`,
    timestamp: T0 + first + i,
  }));

const creatable = (
  name: string,
  numPartitions = 1,
  replicationFactor = 1,
  configs: Record<string, string | null> = {},
  assignments: { partitionIndex: number; brokerIds: number[] }[] = [],
) => ({
  name,
  numPartitions,
  replicationFactor,
  assignments,
  configs: Object.entries(configs).map(([k, val]) => ({ name: k, value: val })),
});

const createTopics = (c: Ctx, v: number, topics: ReturnType<typeof creatable>[], validateOnly = false) =>
  c.call('CreateTopics', v, { topics, timeoutMs: 30_000, validateOnly });

const produceBody = (
  topic: string,
  partition: number,
  records: Buffer | null,
  opts: { acks?: number; transactionalId?: string | null } = {},
) => ({
  transactionalId: opts.transactionalId ?? null,
  acks: opts.acks ?? -1,
  timeoutMs: 30_000,
  topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
});

interface FetchPart {
  topic: string;
  partition: number;
  offset: number;
  currentLeaderEpoch?: number;
  lastFetchedEpoch?: number;
  maxBytes?: number;
}

const fetchBody = (c: Ctx, parts: FetchPart[], extra: Record<string, unknown> = {}) => {
  const byTopic = new Map<string, FetchPart[]>();
  for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  return {
    clusterId: null,
    replicaId: -1,
    maxWaitMs: 100,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [...byTopic].map(([topic, ps]) => ({
      topic,
      topicId: c.nameToId.get(topic) ?? UNKNOWN_TOPIC_ID,
      partitions: ps.map((p) => ({
        partition: p.partition,
        currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
        fetchOffset: p.offset,
        lastFetchedEpoch: p.lastFetchedEpoch ?? -1,
        logStartOffset: -1,
        partitionMaxBytes: p.maxBytes ?? 1 << 20,
      })),
    })),
    forgottenTopicsData: [],
    rackId: '',
    ...extra,
  };
};

interface ListPart {
  topic: string;
  partition: number;
  timestamp: number;
  currentLeaderEpoch?: number;
}

const listOffsetsBody = (parts: ListPart[], isolationLevel = 0) => {
  const byTopic = new Map<string, ListPart[]>();
  for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  return {
    replicaId: -1,
    isolationLevel,
    timeoutMs: 5_000,
    topics: [...byTopic].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({
        partitionIndex: p.partition,
        currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
        timestamp: p.timestamp,
        maxNumOffsets: 1,
      })),
    })),
  };
};

const describeConfigs = (
  c: Ctx,
  v: number,
  resources: { resourceType: number; resourceName: string; configurationKeys?: string[] | null }[],
  includeSynonyms = false,
  includeDocumentation = false,
) =>
  c.call('DescribeConfigs', v, {
    resources: resources.map((r) => ({ configurationKeys: null, ...r })),
    includeSynonyms,
    includeDocumentation,
  });

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;

/** Broker configs whose values are this machine's (paths, ports, the quorum): compared by presence only. */
const ENVIRONMENT_CONFIGS = new Set([
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
  'listeners',
  'advertised.listeners',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'controller.listener.names',
  'inter.broker.listener.name',
  'listener.security.protocol.map',
  'process.roles',
]);

/** DescribeConfigs: a broker's environment-specific values become <environment>. */
function normaliseConfigs(res: any): any {
  if (!res?.results) return res;
  for (const r of res.results) {
    for (const cfg of r.configs ?? []) {
      if (!ENVIRONMENT_CONFIGS.has(cfg.name)) continue;
      if (cfg.value !== null) cfg.value = '<environment>';
      for (const s of cfg.synonyms ?? []) if (s.value !== null) s.value = '<environment>';
    }
  }
  return res;
}

/** Describes one topic's configs (for a case that changed them, after the change). */
const topicConfigs = async (c: Ctx, topic: string, keys: string[]) => {
  const r = await describeConfigs(c, 4, [{ resourceType: TOPIC, resourceName: topic, configurationKeys: keys }], true);
  if (isWireError(r)) return r;
  return r.results[0]?.configs.map((x: any) => ({ name: x.name, value: x.value, source: x.configSource }));
};

type ConfigRow = { name: string; value: string | null; source: number };

/**
 * Describes a topic's configs until `ready` holds of them (Kafka applies a config change to its
 * brokers a moment after it answers), or 5 s have passed; returns the last read either way.
 */
const settledConfigs = async (c: Ctx, topic: string, keys: string[], ready: (rows: ConfigRow[]) => boolean) => {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const rows = await topicConfigs(c, topic, keys);
    if (isWireError(rows) || ready(rows as ConfigRow[]) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
};
const row = (rows: ConfigRow[], name: string) => rows.find((r) => r.name === name);
const policy = (rows: ConfigRow[]) => row(rows, 'cleanup.policy')?.value ?? '';

const stable = (c: Ctx) => c.state.get('stable') as { memberId: string; generationId: number; protocolName: string };

const commit = (
  c: Ctx,
  v: number,
  groupId: string,
  topic: string,
  partition: number,
  opts: { generation?: number; memberId?: string; instanceId?: string | null; metadata?: string | null } = {},
) =>
  c.coordinator(groupId || 'd-empty-id').then((node) =>
    c.call(
      'OffsetCommit',
      v,
      {
        groupId,
        generationIdOrMemberEpoch: opts.generation ?? -1,
        memberId: opts.memberId ?? '',
        groupInstanceId: opts.instanceId ?? null,
        retentionTimeMs: -1,
        topics: [
          {
            name: topic,
            partitions: [
              {
                partitionIndex: partition,
                committedOffset: 3,
                committedLeaderEpoch: 0,
                commitTimestamp: -1,
                committedMetadata: opts.metadata === undefined ? 'meta' : opts.metadata,
              },
            ],
          },
        ],
      },
      node,
    ),
  );

const offsetFetch = (
  c: Ctx,
  v: number,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
) =>
  c.coordinator(groupId || 'd-empty-id').then((node) =>
    c.call(
      'OffsetFetch',
      v,
      {
        groupId,
        topics,
        groups: [{ groupId, memberId: null, memberEpoch: -1, topics }],
        requireStable: false,
      },
      node,
    ),
  );

const joinBody = (groupId: string, memberId = '', extra: Record<string, unknown> = {}) => ({
  groupId,
  sessionTimeoutMs: 300_000,
  rebalanceTimeoutMs: 60_000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: subscription(['d-data']) }],
  reason: null,
  ...extra,
});

/** Sends to the coordinator of `groupId` on a connection of its own. */
const toCoordinator = async (c: Ctx, groupId: string, api: string, v: number, body: unknown) =>
  c.callAlone(api, v, body, await c.coordinator(groupId || 'd-empty-id'));

// ---- the state every target starts from -------------------------------------------------------

/**
 * Topics, records, a stable classic group, a group with committed offsets and an idempotent
 * producer's records, made the same way on every target before the cases run.
 */
export async function prepare(c: Ctx): Promise<string[]> {
  // Each step on its own: a step that fails on one target is reported (and the cases that rely on it differ),
  // the others still run.
  const failures: string[] = [];
  const step = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      failures.push(`${what}: ${(e as Error).message}`);
    }
  };
  // The group coordinator first: Kafka creates __consumer_offsets on the first FindCoordinator.
  await step('find the group coordinator', () => c.coordinator('d-group-stable'));
  await step('create d-data and write its records', async () => {
    await c.createTopic('d-data', { partitions: 3 });
    await c.produce('d-data', 0, records(5, 'p0'));
    await c.produce('d-data', 0, records(5, 'p0', 5));
    await c.produce('d-data', 1, records(3, 'p1'));
  });
  await step('create the topics with configs', async () => {
    await c.createTopic('d-configs', {
      configs: { 'retention.ms': '3600000', 'cleanup.policy': 'compact', 'max.message.bytes': '2000' },
    });
    await c.createTopic('d-compact', { configs: { 'cleanup.policy': 'compact' } });
    await c.createTopic('d-small', { configs: { 'max.message.bytes': '1000' } });
    await c.createTopic('d-minisr', { configs: { 'min.insync.replicas': '2' } });
  });
  await step('create d-records and write its records', async () => {
    await c.createTopic('d-records', { partitions: 2 });
    await c.produce('d-records', 0, records(5, 'dr'));
  });
  await step('a stable classic group', async () =>
    c.state.set('stable', await c.stableMember('d-group-stable', 'd-data', 3)),
  );
  await step('a group with committed offsets', () => c.commitStandalone('d-group-offsets', 'd-data', { 0: 5, 1: 2 }));
  await step('an idempotent producer’s records', async () => {
    await c.createTopic('d-idem');
    // Kafka answers COORDINATOR_LOAD_IN_PROGRESS until its producer id manager has a block of ids.
    const pid = await poll(`${c.side}: InitProducerId`, async () => {
      const r = await c.must('InitProducerId', 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      });
      return RETRIABLE.has(r.errorCode) ? undefined : r;
    });
    if (pid.errorCode !== 0) throw new Error(`InitProducerId: error ${pid.errorCode}`);
    c.state.set('pid', pid.producerId);
    await c.produce('d-idem', 0, records(4, 'idem'), { producerId: pid.producerId, producerEpoch: 0, baseSequence: 0 });
  });
  return failures;
}

// ---- the cases --------------------------------------------------------------------------------

const produce: Case[] = [
  {
    api: 'Produce',
    name: 'produce a batch with acks=all',
    setup: (c) => c.createTopic('d-p-all'),
    run: async (c, v) => c.call('Produce', v, produceBody('d-p-all', 0, buildBatch(records(2, `v${v}`)))),
    expect: produced(0),
  },
  {
    api: 'Produce',
    name: 'produce a batch with acks=1',
    setup: (c) => c.createTopic('d-p-one'),
    run: async (c, v) =>
      c.call('Produce', v, produceBody('d-p-one', 0, buildBatch(records(1, `a1v${v}`)), { acks: 1 })),
    expect: produced(0),
  },
  {
    api: 'Produce',
    name: 'produce to an unknown topic',
    run: async (c, v) => c.call('Produce', v, produceBody('d-no-such-topic', 0, buildBatch(records(1)))),
    expect: produced(3),
  },
  {
    api: 'Produce',
    name: 'produce to a partition that does not exist',
    run: async (c, v) => c.call('Produce', v, produceBody('d-data', 7, buildBatch(records(1)))),
    expect: produced(3),
  },
  {
    api: 'Produce',
    name: 'produce with acks=2',
    run: async (c, v) => c.callAlone('Produce', v, produceBody('d-p-all', 0, buildBatch(records(1)), { acks: 2 })),
    expect: produced(21),
  },
  {
    api: 'Produce',
    name: 'produce a batch with a bad CRC',
    run: async (c, v) => {
      const b = buildBatch(records(2, 'crc'));
      b[b.length - 1] ^= 0xff;
      return c.call('Produce', v, produceBody('d-p-all', 0, b));
    },
    expect: produced(2),
  },
  {
    api: 'Produce',
    name: 'produce a record larger than max.message.bytes',
    run: async (c, v) =>
      c.call(
        'Produce',
        v,
        produceBody('d-small', 0, buildBatch([{ key: 'k', value: 'x'.repeat(2000), timestamp: T0 }])),
      ),
    expect: produced(10),
  },
  {
    api: 'Produce',
    name: 'produce a record without a key to a compacted topic',
    run: async (c, v) =>
      c.call('Produce', v, produceBody('d-compact', 0, buildBatch([{ key: null, value: 'v', timestamp: T0 }]))),
    expect: produced(87),
  },
  {
    api: 'Produce',
    name: 'produce a record timestamped two hours ahead',
    setup: (c) => c.createTopic('d-p-future'),
    run: async (c, v) =>
      c.call(
        'Produce',
        v,
        produceBody('d-p-future', 0, buildBatch([{ key: 'k', value: 'future', timestamp: Date.now() + 7_200_000 }])),
      ),
    expect: produced(32),
    normalise: (res) => {
      // The message names the record's timestamp and the broker's window around its clock
      // ([now - before.max.ms, now + after.max.ms]): compare the two limits, not the clocks.
      for (const t of res?.responses ?? [])
        for (const p of t.partitionResponses ?? [])
          for (const e of p.recordErrors ?? []) e.batchIndexErrorMessage = timestampWindow(e.batchIndexErrorMessage);
      return res;
    },
  },
  {
    api: 'Produce',
    // Kafka 4 (eligible leader replicas) caps min.insync.replicas at the replication factor.
    name: 'produce with acks=all to a topic whose min.insync.replicas (2) exceeds its replication factor (1)',
    run: async (c, v) => c.call('Produce', v, produceBody('d-minisr', 0, buildBatch(records(1)))),
    expect: produced(0),
  },
  {
    api: 'Produce',
    name: 'produce with acks=1 to a topic whose min.insync.replicas (2) exceeds its replication factor (1)',
    setup: (c) => c.createTopic('d-minisr1', { configs: { 'min.insync.replicas': '2' } }),
    run: async (c, v) => c.call('Produce', v, produceBody('d-minisr1', 0, buildBatch(records(1)), { acks: 1 })),
    expect: produced(0),
  },
  {
    api: 'Produce',
    name: 'produce an idempotent batch with a sequence gap',
    run: async (c, v) =>
      c.call(
        'Produce',
        v,
        produceBody(
          'd-idem',
          0,
          buildBatch(records(1, 'gap'), {
            producerId: c.state.get('pid') as number,
            producerEpoch: 0,
            baseSequence: 100,
          }),
        ),
      ),
    expect: produced(45),
  },
  {
    api: 'Produce',
    name: 'produce a duplicate of the last idempotent batch',
    run: async (c, v) =>
      c.call(
        'Produce',
        v,
        produceBody(
          'd-idem',
          0,
          buildBatch(records(4, 'idem'), {
            producerId: c.state.get('pid') as number,
            producerEpoch: 0,
            baseSequence: 0,
          }),
        ),
      ),
    expect: produced(0),
  },
  {
    api: 'Produce',
    name: 'produce an idempotent batch with a stale epoch',
    run: async (c, v) =>
      c.call(
        'Produce',
        v,
        produceBody(
          'd-idem',
          0,
          buildBatch(records(1, 'stale'), {
            producerId: c.state.get('pid') as number,
            producerEpoch: -5,
            baseSequence: 4,
          }),
        ),
      ),
  },
  {
    api: 'Produce',
    name: 'produce a transactional batch outside a transaction',
    run: async (c, v) =>
      c.call(
        'Produce',
        v,
        produceBody(
          'd-p-all',
          0,
          buildBatch(records(1, 'txn'), {
            producerId: 424242,
            producerEpoch: 0,
            baseSequence: 0,
            isTransactional: true,
          }),
          { transactionalId: 'd-no-such-txn' },
        ),
      ),
  },
  {
    api: 'Produce',
    name: 'produce null records',
    // Kafka never answers it (v3 on): three versions and a short wait keep the case quick.
    versions: (v) => [0, 3, 9, 11].includes(v),
    run: async (c, v) => c.callAlone('Produce', v, produceBody('d-p-all', 0, null), undefined, 3000),
  },
  {
    api: 'Produce',
    name: 'produce to an internal topic',
    run: async (c, v) => c.call('Produce', v, produceBody('__consumer_offsets', 0, buildBatch(records(1)))),
    expect: produced(17),
  },
  {
    api: 'Produce',
    name: 'produce compressed batches (gzip, snappy, lz4, zstd)',
    setup: (c) => c.createTopic('d-p-codecs'),
    run: async (c, v) => {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of [
        ['gzip', 1],
        ['snappy', 2],
        ['lz4', 3],
        ['zstd', 4],
      ] as const)
        out[name] = await c.call(
          'Produce',
          v,
          produceBody('d-p-codecs', 0, buildBatch(records(3, `${name}${v}`), { compression: codec })),
        );
      return out;
    },
  },
  {
    api: 'Produce',
    name: 'produce to several topics and partitions at once, some unknown',
    run: async (c, v) =>
      c.call('Produce', v, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [
          { name: 'd-zz-unknown', partitionData: [{ index: 0, records: buildBatch(records(1)) }] },
          {
            name: 'd-p-all',
            partitionData: [
              { index: 0, records: buildBatch(records(1, `m${v}`)) },
              { index: 9, records: buildBatch(records(1)) },
            ],
          },
        ],
      }),
  },
];

function buildBatch(recs: RecordInput[], opts: BuildBatchOptions = {}): Buffer {
  return buildRecordBatch(recs, { baseTimestamp: T0, ...opts });
}

const fetch: Case[] = [
  {
    api: 'Fetch',
    name: 'fetch every partition from offset 0',
    run: async (c, v) =>
      c.call(
        'Fetch',
        v,
        fetchBody(c, [
          { topic: 'd-data', partition: 0, offset: 0 },
          { topic: 'd-data', partition: 1, offset: 0 },
        ]),
      ),
    expect: is('responses[0].partitions[0].errorCode', 0),
  },
  {
    api: 'Fetch',
    name: 'fetch from the middle of a batch',
    run: async (c, v) => c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 0, offset: 7 }])),
  },
  {
    api: 'Fetch',
    name: 'fetch past the end of the log',
    run: async (c, v) => c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 0, offset: 1000 }])),
    expect: is('responses[0].partitions[0].errorCode', 1),
  },
  {
    api: 'Fetch',
    name: 'fetch from a negative offset',
    run: async (c, v) => c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 0, offset: -5 }])),
    expect: is('responses[0].partitions[0].errorCode', 1),
  },
  {
    api: 'Fetch',
    name: 'fetch at the high watermark (waits maxWaitMs, returns nothing)',
    run: async (c, v) => c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 1, offset: 3 }])),
    expect: is('responses[0].partitions[0].errorCode', 0),
  },
  {
    api: 'Fetch',
    name: 'fetch an unknown topic',
    run: async (c, v) => c.call('Fetch', v, fetchBody(c, [{ topic: 'd-no-such-topic', partition: 0, offset: 0 }])),
    expect: (res, v) => is('responses[0].partitions[0].errorCode', v >= 13 ? 100 : 3)(res, v) ?? undefined,
  },
  {
    api: 'Fetch',
    name: 'fetch a partition that does not exist',
    run: async (c, v) => c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 9, offset: 0 }])),
    expect: is('responses[0].partitions[0].errorCode', 3),
  },
  {
    api: 'Fetch',
    name: 'fetch with partitionMaxBytes=1 (still returns the first batch)',
    run: async (c, v) =>
      c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 0, offset: 0, maxBytes: 1 }], { maxBytes: 1 })),
  },
  {
    api: 'Fetch',
    name: 'fetch read_committed',
    run: async (c, v) =>
      c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 0, offset: 0 }], { isolationLevel: 1 })),
  },
  {
    api: 'Fetch',
    name: 'fetch with a leader epoch from the future',
    versions: from(9),
    run: async (c, v) =>
      c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 0, offset: 0, currentLeaderEpoch: 99 }])),
    expect: is('responses[0].partitions[0].errorCode', 75),
  },
  {
    api: 'Fetch',
    name: 'fetch with the current leader epoch',
    versions: from(9),
    run: async (c, v) =>
      c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 1, offset: 0, currentLeaderEpoch: 0 }])),
    expect: is('responses[0].partitions[0].errorCode', 0),
  },
  {
    api: 'Fetch',
    name: 'fetch with a diverging last fetched epoch',
    versions: from(12),
    run: async (c, v) =>
      c.call('Fetch', v, fetchBody(c, [{ topic: 'd-data', partition: 0, offset: 5, lastFetchedEpoch: 3 }])),
  },
  {
    api: 'Fetch',
    name: 'open a fetch session',
    versions: from(7),
    run: async (c, v) =>
      c.callAlone(
        'Fetch',
        v,
        fetchBody(c, [{ topic: 'd-data', partition: 1, offset: 0 }], { sessionId: 0, sessionEpoch: 0 }),
      ),
  },
  {
    api: 'Fetch',
    name: 'fetch with an unknown session id',
    versions: from(7),
    run: async (c, v) =>
      c.call(
        'Fetch',
        v,
        fetchBody(c, [{ topic: 'd-data', partition: 1, offset: 0 }], { sessionId: 123456, sessionEpoch: 1 }),
      ),
    expect: is('errorCode', 70),
  },
  {
    api: 'Fetch',
    name: 'fetch an idempotent producer’s records',
    run: async (c, v) => c.call('Fetch', v, fetchBody(c, [{ topic: 'd-idem', partition: 0, offset: 0 }])),
  },
];

const listOffsets: Case[] = [
  {
    api: 'ListOffsets',
    name: 'list the earliest and latest offsets',
    run: async (c, v) =>
      c.call(
        'ListOffsets',
        v,
        listOffsetsBody([
          { topic: 'd-data', partition: 0, timestamp: -2 },
          { topic: 'd-data', partition: 1, timestamp: -1 },
          { topic: 'd-data', partition: 2, timestamp: -2 },
        ]),
      ),
    expect: is('topics[0].partitions[0].errorCode', 0),
  },
  {
    api: 'ListOffsets',
    name: 'list the offset for a timestamp',
    run: async (c, v) =>
      c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 0, timestamp: T0 + 7 }])),
    expect: is('topics[0].partitions[0].offset', 7),
  },
  {
    api: 'ListOffsets',
    name: 'list the offset for a timestamp after every record',
    run: async (c, v) =>
      c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 1, timestamp: T0 + 86_400_000 }])),
    expect: is('topics[0].partitions[0].offset', -1),
  },
  {
    api: 'ListOffsets',
    name: 'list the offset of the largest timestamp',
    versions: from(7),
    run: async (c, v) => c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 0, timestamp: -3 }])),
    expect: is('topics[0].partitions[0].offset', 9),
  },
  {
    api: 'ListOffsets',
    name: 'list the earliest local offset',
    versions: from(8),
    run: async (c, v) => c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 0, timestamp: -4 }])),
  },
  {
    api: 'ListOffsets',
    name: 'list offsets of an empty partition by timestamp',
    run: async (c, v) => c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 2, timestamp: T0 }])),
  },
  {
    api: 'ListOffsets',
    name: 'list offsets of an unknown topic',
    run: async (c, v) =>
      c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-no-such-topic', partition: 0, timestamp: -1 }])),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'ListOffsets',
    name: 'list offsets of a partition that does not exist',
    run: async (c, v) => c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 9, timestamp: -1 }])),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'ListOffsets',
    name: 'list offsets with a leader epoch from the future',
    versions: from(4),
    run: async (c, v) =>
      c.call(
        'ListOffsets',
        v,
        listOffsetsBody([{ topic: 'd-data', partition: 0, timestamp: -1, currentLeaderEpoch: 99 }]),
      ),
    expect: is('topics[0].partitions[0].errorCode', 75),
  },
  {
    api: 'ListOffsets',
    name: 'list offsets read_committed',
    versions: from(2),
    run: async (c, v) =>
      c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 0, timestamp: -1 }], 1)),
  },
  {
    api: 'ListOffsets',
    name: 'list the same partition twice in one request',
    run: async (c, v) =>
      c.call(
        'ListOffsets',
        v,
        listOffsetsBody([
          { topic: 'd-data', partition: 0, timestamp: -1 },
          { topic: 'd-data', partition: 0, timestamp: -2 },
        ]),
      ),
  },
  {
    api: 'ListOffsets',
    name: 'list offsets with an unknown special timestamp (-7)',
    run: async (c, v) => c.call('ListOffsets', v, listOffsetsBody([{ topic: 'd-data', partition: 0, timestamp: -7 }])),
  },
];

const metadata: Case[] = [
  {
    api: 'Metadata',
    name: 'describe one topic',
    run: async (c, v) => c.call('Metadata', v, { topics: [{ name: 'd-data' }], allowAutoTopicCreation: false }),
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'Metadata',
    name: 'describe every topic',
    modes: ['single', 'cluster'],
    run: async (c, v) => c.call('Metadata', v, { topics: v === 0 ? [] : null, allowAutoTopicCreation: false }),
    normalise: (res) => {
      // Topics the other cases create come and go; this case checks the prepared ones and the brokers.
      if (res?.topics)
        res.topics = res.topics.filter((t: any) => /^(d-data|d-configs|d-compact|__consumer_offsets)$/.test(t.name));
      for (const t of res?.topics ?? [])
        if (t.name === '__consumer_offsets') t.partitions = `<${t.partitions.length} partitions>`;
      return res;
    },
  },
  {
    api: 'Metadata',
    name: 'describe no topics (brokers and controller only)',
    versions: from(1),
    modes: ['single', 'cluster'],
    run: async (c, v) => c.call('Metadata', v, { topics: [], allowAutoTopicCreation: false }),
  },
  {
    api: 'Metadata',
    name: 'describe a topic replicated on three brokers',
    modes: ['cluster'],
    setup: (c) => c.createTopic('d-rf3', { partitions: 3, replicationFactor: 3 }),
    run: async (c, v) => c.call('Metadata', v, { topics: [{ name: 'd-rf3' }], allowAutoTopicCreation: false }),
    // Which broker leads or holds which partition is the placement's choice: node ids compare as counts.
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'Metadata',
    name: 'describe an unknown topic without auto-creation',
    versions: from(4),
    run: async (c, v) =>
      c.call('Metadata', v, { topics: [{ name: 'd-no-such-topic' }], allowAutoTopicCreation: false }),
    expect: is('topics[0].errorCode', 3),
  },
  {
    api: 'Metadata',
    name: 'describe an unknown topic with auto-creation (creates it)',
    run: async (c, v) => c.call('Metadata', v, { topics: [{ name: `d-auto-v${v}` }], allowAutoTopicCreation: true }),
    // Kafka 4 answers UNKNOWN_TOPIC_OR_PARTITION while the controller creates the topic.
    expect: is('topics[0].errorCode', 3),
  },
  {
    api: 'Metadata',
    name: 'describe an auto-created topic once it exists',
    run: async (c, v) => {
      await c.waitTopic(`d-auto-v${v}`, 1).catch(() => undefined);
      return c.call('Metadata', v, { topics: [{ name: `d-auto-v${v}` }], allowAutoTopicCreation: false });
    },
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'Metadata',
    name: 'describe a topic with an invalid name',
    run: async (c, v) => c.call('Metadata', v, { topics: [{ name: 'bad name!' }], allowAutoTopicCreation: true }),
    expect: is('topics[0].errorCode', 17),
  },
  {
    api: 'Metadata',
    name: 'describe a topic with authorized operations',
    versions: from(8),
    run: async (c, v) =>
      c.call('Metadata', v, {
        topics: [{ name: 'd-data' }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: true,
        includeTopicAuthorizedOperations: true,
      }),
  },
  {
    api: 'Metadata',
    name: 'describe a topic by id',
    versions: from(10),
    run: async (c, v) =>
      c.call('Metadata', v, { topics: [{ name: null, topicId: c.topicId('d-data') }], allowAutoTopicCreation: false }),
  },
  {
    api: 'Metadata',
    name: 'describe the internal offsets topic',
    run: async (c, v) =>
      c.call('Metadata', v, { topics: [{ name: '__consumer_offsets' }], allowAutoTopicCreation: false }),
    normalise: (res) => {
      for (const t of res?.topics ?? []) t.partitions = `<${t.partitions?.length} partitions>`;
      return res;
    },
  },
  {
    api: 'Metadata',
    name: 'describe the same topic twice and an unknown one',
    versions: from(4),
    run: async (c, v) =>
      c.call('Metadata', v, {
        topics: [{ name: 'd-data' }, { name: 'd-zz-unknown' }, { name: 'd-data' }],
        allowAutoTopicCreation: false,
      }),
  },
];

// ---- groups -----------------------------------------------------------------------------------

const offsetCommit: Case[] = [
  {
    api: 'OffsetCommit',
    name: 'commit as a standalone consumer',
    run: async (c, v) => commit(c, v, `d-oc-v${v}`, 'd-data', 0),
    expect: is('topics[0].partitions[0].errorCode', 0),
  },
  {
    api: 'OffsetCommit',
    name: 'commit as the member of a stable group',
    run: async (c, v) =>
      commit(c, v, 'd-group-stable', 'd-data', 1, { generation: stable(c).generationId, memberId: stable(c).memberId }),
    expect: is('topics[0].partitions[0].errorCode', 0),
  },
  {
    api: 'OffsetCommit',
    name: 'commit for an unknown topic',
    run: async (c, v) => commit(c, v, `d-oc-v${v}`, 'd-no-such-topic', 0),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'OffsetCommit',
    name: 'commit for a partition that does not exist',
    run: async (c, v) => commit(c, v, `d-oc-v${v}`, 'd-data', 9),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'OffsetCommit',
    name: 'commit with metadata larger than offset.metadata.max.bytes',
    run: async (c, v) => commit(c, v, `d-oc-v${v}`, 'd-data', 0, { metadata: 'm'.repeat(5000) }),
    expect: is('topics[0].partitions[0].errorCode', 12),
  },
  {
    api: 'OffsetCommit',
    name: 'commit with null metadata',
    run: async (c, v) => commit(c, v, `d-oc-v${v}`, 'd-data', 1, { metadata: null }),
  },
  {
    api: 'OffsetCommit',
    name: 'commit to a stable group as an unknown member',
    run: async (c, v) =>
      commit(c, v, 'd-group-stable', 'd-data', 0, { generation: stable(c).generationId, memberId: 'ghost' }),
    expect: is('topics[0].partitions[0].errorCode', 25),
  },
  {
    api: 'OffsetCommit',
    name: 'commit to a stable group with a wrong generation',
    run: async (c, v) =>
      commit(c, v, 'd-group-stable', 'd-data', 0, {
        generation: stable(c).generationId + 5,
        memberId: stable(c).memberId,
      }),
    expect: is('topics[0].partitions[0].errorCode', 22),
  },
  {
    api: 'OffsetCommit',
    name: 'commit to a stable group as generation -1 (a standalone commit)',
    run: async (c, v) => commit(c, v, 'd-group-stable', 'd-data', 0),
  },
  {
    api: 'OffsetCommit',
    name: 'commit to a group that does not exist with a generation and member id',
    run: async (c, v) => commit(c, v, `d-oc-new-v${v}`, 'd-data', 0, { generation: 3, memberId: 'someone' }),
  },
  {
    api: 'OffsetCommit',
    name: 'commit with an empty group id',
    run: async (c, v) => commit(c, v, '', 'd-data', 0),
    // Kafka 4's group coordinator accepts the empty group id for offset commits.
    expect: is('topics[0].partitions[0].errorCode', 0),
  },
  {
    api: 'OffsetCommit',
    name: 'commit as an unknown static member',
    versions: from(7),
    run: async (c, v) =>
      commit(c, v, 'd-group-stable', 'd-data', 0, {
        generation: stable(c).generationId,
        memberId: 'ghost',
        instanceId: 'ghost-instance',
      }),
  },
  {
    api: 'OffsetCommit',
    name: 'commit then fetch the leader epoch and metadata back',
    run: async (c, v) => {
      const committed = await commit(c, v, `d-oc-back-v${v}`, 'd-data', 1);
      const fetched = await offsetFetch(c, 8, `d-oc-back-v${v}`, [{ name: 'd-data', partitionIndexes: [1] }]);
      return { committed, fetched };
    },
  },
];

offsetCommit.push({
  api: 'OffsetCommit',
  name: 'commit offsets of every partition of a topic whose partitions are led by different brokers',
  modes: ['cluster'],
  run: async (c, v) => {
    const node = await c.coordinator('d-oc-spread');
    return c.call(
      'OffsetCommit',
      v,
      {
        groupId: 'd-oc-spread',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: 'd-data',
            partitions: [0, 1, 2].map((p) => ({
              partitionIndex: p,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: '',
            })),
          },
        ],
      },
      node,
    );
  },
  expect: all(
    is('topics[0].partitions[0].errorCode', 0),
    is('topics[0].partitions[1].errorCode', 0),
    is('topics[0].partitions[2].errorCode', 0),
  ),
});

const offsetFetchCases: Case[] = [
  {
    api: 'OffsetFetch',
    name: 'fetch a group’s committed offsets',
    run: async (c, v) => offsetFetch(c, v, 'd-group-offsets', [{ name: 'd-data', partitionIndexes: [0, 1, 2] }]),
    expect: (res, v) =>
      is(v >= 8 ? 'groups[0].topics[0].partitions[0].committedOffset' : 'topics[0].partitions[0].committedOffset', 5)(
        res,
        v,
      ),
  },
  {
    api: 'OffsetFetch',
    name: 'fetch every committed offset of a group',
    versions: from(2),
    run: async (c, v) => offsetFetch(c, v, 'd-group-offsets', null),
  },
  {
    api: 'OffsetFetch',
    name: 'fetch offsets of an unknown group',
    run: async (c, v) => offsetFetch(c, v, 'd-no-such-group', [{ name: 'd-data', partitionIndexes: [0] }]),
  },
  {
    api: 'OffsetFetch',
    name: 'fetch every offset of an unknown group',
    versions: from(2),
    run: async (c, v) => offsetFetch(c, v, 'd-no-such-group', null),
  },
  {
    api: 'OffsetFetch',
    name: 'fetch offsets of an unknown topic',
    run: async (c, v) => offsetFetch(c, v, 'd-group-offsets', [{ name: 'd-no-such-topic', partitionIndexes: [0] }]),
  },
  {
    api: 'OffsetFetch',
    name: 'fetch offsets of a stable group',
    run: async (c, v) => offsetFetch(c, v, 'd-group-stable', [{ name: 'd-data', partitionIndexes: [0, 1] }]),
  },
  {
    api: 'OffsetFetch',
    name: 'fetch offsets with requireStable',
    versions: from(7),
    run: async (c, v) => {
      const node = await c.coordinator('d-group-offsets');
      const topics = [{ name: 'd-data', partitionIndexes: [0] }];
      return c.call(
        'OffsetFetch',
        v,
        { groupId: 'd-group-offsets', topics, groups: [{ groupId: 'd-group-offsets', topics }], requireStable: true },
        node,
      );
    },
  },
  {
    api: 'OffsetFetch',
    name: 'fetch offsets of two groups in one request',
    versions: from(8),
    run: async (c, v) => {
      const node = await c.coordinator('d-group-offsets');
      const topics = [{ name: 'd-data', partitionIndexes: [0] }];
      return c.call(
        'OffsetFetch',
        v,
        {
          groups: [
            { groupId: 'd-group-offsets', topics },
            { groupId: 'd-no-such-group', topics: null },
          ],
          requireStable: false,
        },
        node,
      );
    },
  },
  {
    api: 'OffsetFetch',
    name: 'fetch offsets with an empty group id',
    run: async (c, v) => offsetFetch(c, v, '', [{ name: 'd-data', partitionIndexes: [0] }]),
  },
];

const findCoordinator: Case[] = [
  {
    api: 'FindCoordinator',
    name: 'find a group coordinator',
    modes: ['single', 'cluster'],
    run: async (c, v) =>
      c.call('FindCoordinator', v, { key: 'd-group-stable', keyType: 0, coordinatorKeys: ['d-group-stable'] }),
    expect: (res, v) => is(v >= 4 ? 'coordinators[0].errorCode' : 'errorCode', 0)(res, v),
  },
  {
    api: 'FindCoordinator',
    name: 'find a transaction coordinator',
    versions: from(1),
    setup: async (c) => void (await c.coordinator('d-txn', 1).catch(() => undefined)),
    run: async (c, v) => c.call('FindCoordinator', v, { key: 'd-txn', keyType: 1, coordinatorKeys: ['d-txn'] }),
    expect: (res, v) => is(v >= 4 ? 'coordinators[0].errorCode' : 'errorCode', 0)(res, v),
  },
  {
    api: 'FindCoordinator',
    name: 'find a coordinator of an unknown key type',
    versions: from(1),
    run: async (c, v) => c.callAlone('FindCoordinator', v, { key: 'd-x', keyType: 7, coordinatorKeys: ['d-x'] }),
  },
  {
    api: 'FindCoordinator',
    name: 'find the coordinators of two groups at once',
    versions: from(4),
    run: async (c, v) => c.call('FindCoordinator', v, { keyType: 0, coordinatorKeys: ['d-group-stable', 'd-other'] }),
  },
  {
    api: 'FindCoordinator',
    name: 'find the coordinator of an empty group id',
    run: async (c, v) => c.call('FindCoordinator', v, { key: '', keyType: 0, coordinatorKeys: [''] }),
  },
  {
    api: 'FindCoordinator',
    name: 'find a share coordinator',
    versions: from(6),
    run: async (c, v) =>
      c.call('FindCoordinator', v, { keyType: 2, coordinatorKeys: ['d-share:AAAAAAAAAAAAAAAAAAAAAQ:0'] }),
  },
];

const joinGroup: Case[] = [
  {
    api: 'JoinGroup',
    name: 'join a new group without a member id',
    parallel: true,
    run: async (c, v) => toCoordinator(c, `d-join-v${v}`, 'JoinGroup', v, joinBody(`d-join-v${v}`)),
    expect: (res, v) => is('errorCode', v >= 4 ? 79 : 0)(res, v),
  },
  {
    api: 'JoinGroup',
    name: 'join a new group with the member id it gave (completes after the initial delay)',
    versions: from(4),
    parallel: true,
    run: async (c, v) => {
      const g = `d-join2-v${v}`;
      const first = await toCoordinator(c, g, 'JoinGroup', v, joinBody(g));
      if (isWireError(first) || first.errorCode !== 79) return { first };
      return toCoordinator(c, g, 'JoinGroup', v, joinBody(g, first.memberId));
    },
    expect: all(is('errorCode', 0), is('generationId', 1)),
  },
  {
    api: 'JoinGroup',
    name: 'join with a session timeout below group.min.session.timeout.ms',
    run: async (c, v) =>
      toCoordinator(c, 'd-join-bad', 'JoinGroup', v, joinBody('d-join-bad', '', { sessionTimeoutMs: 1000 })),
    expect: is('errorCode', 26),
  },
  {
    api: 'JoinGroup',
    name: 'join with a session timeout above group.max.session.timeout.ms',
    run: async (c, v) =>
      toCoordinator(c, 'd-join-bad', 'JoinGroup', v, joinBody('d-join-bad', '', { sessionTimeoutMs: 2_000_000 })),
    expect: is('errorCode', 26),
  },
  {
    api: 'JoinGroup',
    name: 'join with an empty group id',
    run: async (c, v) => toCoordinator(c, '', 'JoinGroup', v, joinBody('')),
    expect: is('errorCode', 24),
  },
  {
    api: 'JoinGroup',
    name: 'join a group that does not exist with an unknown member id',
    run: async (c, v) => toCoordinator(c, 'd-join-ghost', 'JoinGroup', v, joinBody('d-join-ghost', 'ghost')),
    expect: is('errorCode', 25),
  },
  {
    api: 'JoinGroup',
    name: 'join a stable group with a different protocol type',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'JoinGroup', v, joinBody('d-group-stable', '', { protocolType: 'connect' })),
    expect: is('errorCode', 23),
  },
  {
    api: 'JoinGroup',
    name: 'join a stable group with no protocol in common',
    run: async (c, v) =>
      toCoordinator(
        c,
        'd-group-stable',
        'JoinGroup',
        v,
        joinBody('d-group-stable', '', { protocols: [{ name: 'roundrobin-x', metadata: subscription(['d-data']) }] }),
      ),
    expect: is('errorCode', 23),
  },
  {
    api: 'JoinGroup',
    name: 'join with no protocols',
    run: async (c, v) =>
      toCoordinator(c, 'd-join-none', 'JoinGroup', v, joinBody('d-join-none', '', { protocols: [] })),
    expect: is('errorCode', 23),
  },
  {
    api: 'JoinGroup',
    name: 'join as a static member (group.instance.id)',
    versions: from(5),
    parallel: true,
    run: async (c, v) =>
      toCoordinator(
        c,
        `d-join-static-v${v}`,
        'JoinGroup',
        v,
        joinBody(`d-join-static-v${v}`, '', { groupInstanceId: 'i-1' }),
      ),
    expect: is('errorCode', 0),
  },
];

const heartbeat: Case[] = [
  {
    api: 'Heartbeat',
    name: 'heartbeat as the member of a stable group',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'Heartbeat', v, {
        groupId: 'd-group-stable',
        generationId: stable(c).generationId,
        memberId: stable(c).memberId,
        groupInstanceId: null,
      }),
    expect: is('errorCode', 0),
  },
  {
    api: 'Heartbeat',
    name: 'heartbeat with a wrong generation',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'Heartbeat', v, {
        groupId: 'd-group-stable',
        generationId: stable(c).generationId + 5,
        memberId: stable(c).memberId,
        groupInstanceId: null,
      }),
    expect: is('errorCode', 22),
  },
  {
    api: 'Heartbeat',
    name: 'heartbeat as an unknown member',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'Heartbeat', v, {
        groupId: 'd-group-stable',
        generationId: stable(c).generationId,
        memberId: 'ghost',
        groupInstanceId: null,
      }),
    expect: is('errorCode', 25),
  },
  {
    api: 'Heartbeat',
    name: 'heartbeat to a group that does not exist',
    run: async (c, v) =>
      toCoordinator(c, 'd-no-such-group', 'Heartbeat', v, {
        groupId: 'd-no-such-group',
        generationId: 1,
        memberId: 'ghost',
        groupInstanceId: null,
      }),
  },
  {
    api: 'Heartbeat',
    name: 'heartbeat with an empty group id',
    run: async (c, v) =>
      toCoordinator(c, '', 'Heartbeat', v, { groupId: '', generationId: 1, memberId: 'x', groupInstanceId: null }),
    expect: is('errorCode', 24),
  },
  {
    api: 'Heartbeat',
    name: 'heartbeat to a group with only committed offsets',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-offsets', 'Heartbeat', v, {
        groupId: 'd-group-offsets',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
      }),
  },
];

const leaveGroup: Case[] = [
  {
    api: 'LeaveGroup',
    name: 'leave a group as its member',
    parallel: true,
    run: async (c, v) => {
      const g = `d-leave-v${v}`;
      const j = await c.joinClassic(g);
      return toCoordinator(c, g, 'LeaveGroup', v, {
        groupId: g,
        memberId: j.memberId,
        members: [{ memberId: j.memberId, groupInstanceId: null, reason: 'done' }],
      });
    },
    expect: is('errorCode', 0),
  },
  {
    api: 'LeaveGroup',
    name: 'leave a stable group as an unknown member',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'LeaveGroup', v, {
        groupId: 'd-group-stable',
        memberId: 'ghost',
        members: [{ memberId: 'ghost', groupInstanceId: null }],
      }),
    expect: (res, v) => is(v >= 3 ? 'members[0].errorCode' : 'errorCode', 25)(res, v),
  },
  {
    api: 'LeaveGroup',
    name: 'leave a group that does not exist',
    run: async (c, v) =>
      toCoordinator(c, 'd-no-such-group', 'LeaveGroup', v, {
        groupId: 'd-no-such-group',
        memberId: 'ghost',
        members: [{ memberId: 'ghost', groupInstanceId: null }],
      }),
  },
  {
    api: 'LeaveGroup',
    name: 'leave with an unknown static member',
    versions: from(3),
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'LeaveGroup', v, {
        groupId: 'd-group-stable',
        members: [{ memberId: '', groupInstanceId: 'ghost-instance' }],
      }),
  },
  {
    api: 'LeaveGroup',
    name: 'leave with an empty group id',
    run: async (c, v) =>
      toCoordinator(c, '', 'LeaveGroup', v, {
        groupId: '',
        memberId: 'x',
        members: [{ memberId: 'x', groupInstanceId: null }],
      }),
    expect: is('errorCode', 24),
  },
  {
    api: 'LeaveGroup',
    name: 'leave with no members listed',
    versions: from(3),
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'LeaveGroup', v, { groupId: 'd-group-stable', members: [] }),
  },
];

const syncGroup: Case[] = [
  {
    api: 'SyncGroup',
    name: 'sync as the leader, with an assignment',
    parallel: true,
    run: async (c, v) => {
      const g = `d-sync-v${v}`;
      const j = await c.joinClassic(g);
      return toCoordinator(c, g, 'SyncGroup', v, {
        groupId: g,
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: j.protocolName,
        assignments: [{ memberId: j.memberId, assignment: assignment([{ topic: 'd-data', partitions: [0, 1, 2] }]) }],
      });
    },
    expect: is('errorCode', 0),
  },
  {
    api: 'SyncGroup',
    name: 'sync as an unknown member',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'SyncGroup', v, {
        groupId: 'd-group-stable',
        generationId: stable(c).generationId,
        memberId: 'ghost',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      }),
    expect: is('errorCode', 25),
  },
  {
    api: 'SyncGroup',
    name: 'sync with a wrong generation',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'SyncGroup', v, {
        groupId: 'd-group-stable',
        generationId: stable(c).generationId + 5,
        memberId: stable(c).memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      }),
    expect: is('errorCode', 22),
  },
  {
    api: 'SyncGroup',
    name: 'sync a stable group again as its member (gets its assignment)',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'SyncGroup', v, {
        groupId: 'd-group-stable',
        generationId: stable(c).generationId,
        memberId: stable(c).memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      }),
    expect: is('errorCode', 0),
  },
  {
    api: 'SyncGroup',
    name: 'sync with a protocol name that is not the group’s',
    versions: from(5),
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'SyncGroup', v, {
        groupId: 'd-group-stable',
        generationId: stable(c).generationId,
        memberId: stable(c).memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'roundrobin',
        assignments: [],
      }),
    expect: is('errorCode', 23),
  },
  {
    api: 'SyncGroup',
    name: 'sync to a group that does not exist',
    run: async (c, v) =>
      toCoordinator(c, 'd-no-such-group', 'SyncGroup', v, {
        groupId: 'd-no-such-group',
        generationId: 1,
        memberId: 'ghost',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      }),
  },
  {
    api: 'SyncGroup',
    name: 'sync with an empty group id',
    run: async (c, v) =>
      toCoordinator(c, '', 'SyncGroup', v, {
        groupId: '',
        generationId: 1,
        memberId: 'x',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      }),
    expect: is('errorCode', 24),
  },
];

const describeGroups: Case[] = [
  {
    api: 'DescribeGroups',
    name: 'describe a stable group',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'DescribeGroups', v, {
        groups: ['d-group-stable'],
        includeAuthorizedOperations: false,
      }),
    expect: is('groups[0].groupState', 'Stable'),
  },
  {
    api: 'DescribeGroups',
    name: 'describe a group that does not exist',
    run: async (c, v) =>
      toCoordinator(c, 'd-no-such-group', 'DescribeGroups', v, {
        groups: ['d-no-such-group'],
        includeAuthorizedOperations: false,
      }),
  },
  {
    api: 'DescribeGroups',
    name: 'describe a group with only committed offsets',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-offsets', 'DescribeGroups', v, {
        groups: ['d-group-offsets'],
        includeAuthorizedOperations: false,
      }),
    expect: is('groups[0].groupState', 'Empty'),
  },
  {
    api: 'DescribeGroups',
    name: 'describe a group with authorized operations',
    versions: from(3),
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'DescribeGroups', v, {
        groups: ['d-group-stable'],
        includeAuthorizedOperations: true,
      }),
  },
  {
    api: 'DescribeGroups',
    name: 'describe an empty group id',
    run: async (c, v) =>
      toCoordinator(c, '', 'DescribeGroups', v, { groups: [''], includeAuthorizedOperations: false }),
  },
  {
    api: 'DescribeGroups',
    name: 'describe a consumer-protocol group',
    setup: async (c) => {
      const node = await c.coordinator('d-cg-described');
      await c.must(
        'ConsumerGroupHeartbeat',
        0,
        {
          groupId: 'd-cg-described',
          memberId: '',
          memberEpoch: 0,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: 60_000,
          subscribedTopicNames: ['d-data'],
          serverAssignor: null,
          topicPartitions: [],
        },
        node,
      );
    },
    run: async (c, v) =>
      toCoordinator(c, 'd-cg-described', 'DescribeGroups', v, {
        groups: ['d-cg-described'],
        includeAuthorizedOperations: false,
      }),
  },
];

const listGroups: Case[] = [
  {
    api: 'ListGroups',
    name: 'list every group',
    run: async (c, v) => c.call('ListGroups', v, { statesFilter: [], typesFilter: [] }),
    normalise: (res) => {
      if (res?.groups)
        res.groups = res.groups.filter((g: any) => /^d-(group-stable|group-offsets|cg-described)$/.test(g.groupId));
      return res;
    },
  },
  {
    api: 'ListGroups',
    name: 'list groups in state Stable',
    versions: from(4),
    run: async (c, v) => c.call('ListGroups', v, { statesFilter: ['Stable'], typesFilter: [] }),
    normalise: (res) => {
      if (res?.groups)
        res.groups = res.groups.filter((g: any) => /^d-(group-stable|group-offsets|cg-described)$/.test(g.groupId));
      return res;
    },
  },
  {
    api: 'ListGroups',
    name: 'list groups of type consumer',
    versions: from(5),
    run: async (c, v) => c.call('ListGroups', v, { statesFilter: [], typesFilter: ['consumer'] }),
    normalise: (res) => {
      if (res?.groups)
        res.groups = res.groups.filter((g: any) => /^d-(group-stable|group-offsets|cg-described)$/.test(g.groupId));
      return res;
    },
  },
  {
    api: 'ListGroups',
    name: 'list groups of type classic',
    versions: from(5),
    run: async (c, v) => c.call('ListGroups', v, { statesFilter: [], typesFilter: ['classic'] }),
    normalise: (res) => {
      if (res?.groups)
        res.groups = res.groups.filter((g: any) => /^d-(group-stable|group-offsets|cg-described)$/.test(g.groupId));
      return res;
    },
  },
  {
    api: 'ListGroups',
    name: 'list groups with an unknown state',
    versions: from(4),
    run: async (c, v) => c.call('ListGroups', v, { statesFilter: ['Bogus'], typesFilter: [] }),
  },
  {
    api: 'ListGroups',
    name: 'list groups with an unknown type',
    versions: from(5),
    run: async (c, v) => c.call('ListGroups', v, { statesFilter: [], typesFilter: ['bogus'] }),
  },
];

const deleteGroups: Case[] = [
  {
    api: 'DeleteGroups',
    name: 'delete a group with only committed offsets',
    run: async (c, v) => {
      const g = `d-dg-v${v}`;
      await c.commitStandalone(g, 'd-data', { 0: 1 });
      return toCoordinator(c, g, 'DeleteGroups', v, { groupsNames: [g] });
    },
    expect: is('results[0].errorCode', 0),
  },
  {
    api: 'DeleteGroups',
    name: 'delete a group that does not exist',
    run: async (c, v) => toCoordinator(c, 'd-no-such-group', 'DeleteGroups', v, { groupsNames: ['d-no-such-group'] }),
    expect: is('results[0].errorCode', 69),
  },
  {
    api: 'DeleteGroups',
    name: 'delete a group that has members',
    run: async (c, v) => toCoordinator(c, 'd-group-stable', 'DeleteGroups', v, { groupsNames: ['d-group-stable'] }),
    expect: is('results[0].errorCode', 68),
  },
  {
    api: 'DeleteGroups',
    name: 'delete an empty group id',
    run: async (c, v) => toCoordinator(c, '', 'DeleteGroups', v, { groupsNames: [''] }),
  },
  {
    api: 'DeleteGroups',
    name: 'delete the same group twice in one request',
    run: async (c, v) => {
      const g = `d-dg2-v${v}`;
      await c.commitStandalone(g, 'd-data', { 0: 1 });
      return toCoordinator(c, g, 'DeleteGroups', v, { groupsNames: [g, g] });
    },
  },
];

const offsetDelete: Case[] = [
  {
    api: 'OffsetDelete',
    name: 'delete a committed offset of a group without members',
    run: async (c, v) => {
      await c.commitStandalone('d-od', 'd-data', { 0: 1, 1: 1 });
      return toCoordinator(c, 'd-od', 'OffsetDelete', v, {
        groupId: 'd-od',
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 0 }] }],
      });
    },
    expect: is('errorCode', 0),
  },
  {
    api: 'OffsetDelete',
    name: 'delete offsets of a group that does not exist',
    run: async (c, v) =>
      toCoordinator(c, 'd-no-such-group', 'OffsetDelete', v, {
        groupId: 'd-no-such-group',
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 0 }] }],
      }),
    expect: is('errorCode', 69),
  },
  {
    api: 'OffsetDelete',
    name: 'delete offsets of a topic the group consumes',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'OffsetDelete', v, {
        groupId: 'd-group-stable',
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 1 }] }],
      }),
    expect: is('topics[0].partitions[0].errorCode', 86),
  },
  {
    api: 'OffsetDelete',
    name: 'delete offsets of an unknown topic',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-offsets', 'OffsetDelete', v, {
        groupId: 'd-group-offsets',
        topics: [{ name: 'd-no-such-topic', partitions: [{ partitionIndex: 0 }] }],
      }),
  },
  {
    api: 'OffsetDelete',
    name: 'delete offsets with an empty group id',
    run: async (c, v) =>
      toCoordinator(c, '', 'OffsetDelete', v, {
        groupId: '',
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 0 }] }],
      }),
  },
];

const cgHeartbeatBody = (groupId: string, extra: Record<string, unknown> = {}) => ({
  groupId,
  memberId: '',
  memberEpoch: 0,
  instanceId: null,
  rackId: null,
  rebalanceTimeoutMs: 60_000,
  subscribedTopicNames: ['d-data'],
  subscribedTopicRegex: null,
  serverAssignor: null,
  topicPartitions: [],
  ...extra,
});

/** v1 members choose their own member id (KIP-1082); v0 members get one from the broker. */
const clientMemberId = (_c: Ctx, v: number) => (v >= 1 ? 'd-member-00000000000000' : '');

const consumerGroupHeartbeat: Case[] = [
  {
    api: 'ConsumerGroupHeartbeat',
    name: 'join a consumer-protocol group',
    run: async (c, v) =>
      toCoordinator(
        c,
        `d-cgh-v${v}`,
        'ConsumerGroupHeartbeat',
        v,
        cgHeartbeatBody(`d-cgh-v${v}`, { memberId: clientMemberId(c, v) }),
      ),
    expect: is('errorCode', 0),
    normalise: (res) => {
      if (res && typeof res.memberId === 'string' && res.memberId.length === 22) res.memberId = '<22-char member id>';
      return res;
    },
  },
  {
    api: 'ConsumerGroupHeartbeat',
    name: 'heartbeat as an unknown member',
    run: async (c, v) =>
      toCoordinator(
        c,
        'd-cgh-ghost',
        'ConsumerGroupHeartbeat',
        v,
        cgHeartbeatBody('d-cgh-ghost', { memberId: 'ghost-member-id-000000', memberEpoch: 3 }),
      ),
    expect: is('errorCode', 69),
  },
  {
    api: 'ConsumerGroupHeartbeat',
    name: 'join without a subscription',
    run: async (c, v) =>
      toCoordinator(
        c,
        'd-cgh-nosub',
        'ConsumerGroupHeartbeat',
        v,
        cgHeartbeatBody('d-cgh-nosub', { memberId: clientMemberId(c, v), subscribedTopicNames: null }),
      ),
    expect: is('errorCode', 42),
  },
  {
    api: 'ConsumerGroupHeartbeat',
    name: 'join with an unknown server assignor',
    run: async (c, v) =>
      toCoordinator(
        c,
        'd-cgh-assignor',
        'ConsumerGroupHeartbeat',
        v,
        cgHeartbeatBody('d-cgh-assignor', { memberId: clientMemberId(c, v), serverAssignor: 'bogus' }),
      ),
    expect: is('errorCode', 112),
  },
  {
    api: 'ConsumerGroupHeartbeat',
    name: 'join with an empty group id',
    run: async (c, v) =>
      toCoordinator(c, '', 'ConsumerGroupHeartbeat', v, cgHeartbeatBody('', { memberId: clientMemberId(c, v) })),
  },
  {
    api: 'ConsumerGroupHeartbeat',
    // Kafka upgrades the group to the consumer protocol (group.consumer.migration.policy=bidirectional).
    name: 'join a classic group that has members (an online upgrade)',
    run: async (c, v) => {
      const g = `d-group-migrate-v${v}`;
      await c.stableMember(g, 'd-data', 3);
      return toCoordinator(c, g, 'ConsumerGroupHeartbeat', v, cgHeartbeatBody(g, { memberId: clientMemberId(c, v) }));
    },
    normalise: (res) => {
      if (res && typeof res.memberId === 'string' && res.memberId.length === 22) res.memberId = '<22-char member id>';
      return res;
    },
  },
  {
    api: 'ConsumerGroupHeartbeat',
    name: 'leave a consumer-protocol group',
    run: async (c, v) => {
      const g = `d-cgh-leave-v${v}`;
      const joined = await toCoordinator(
        c,
        g,
        'ConsumerGroupHeartbeat',
        v,
        cgHeartbeatBody(g, { memberId: clientMemberId(c, v) }),
      );
      if (isWireError(joined) || joined.errorCode !== 0) return { joined };
      return toCoordinator(
        c,
        g,
        'ConsumerGroupHeartbeat',
        v,
        cgHeartbeatBody(g, { memberId: joined.memberId, memberEpoch: -1 }),
      );
    },
    normalise: (res) => {
      if (res && typeof res.memberId === 'string' && res.memberId.length === 22) res.memberId = '<22-char member id>';
      return res;
    },
    expect: is('memberEpoch', -1),
  },
];

const consumerGroupDescribe: Case[] = [
  {
    api: 'ConsumerGroupDescribe',
    name: 'describe a consumer-protocol group',
    run: async (c, v) =>
      toCoordinator(c, 'd-cg-described', 'ConsumerGroupDescribe', v, {
        groupIds: ['d-cg-described'],
        includeAuthorizedOperations: false,
      }),
    normalise: (res) => {
      for (const g of res?.groups ?? []) {
        g.assignorName = g.assignorName ?? null;
        for (const m of g.members ?? []) {
          if (typeof m.memberId === 'string') m.memberId = '<member id>';
          if (typeof m.clientHost === 'string') m.clientHost = m.clientHost.replace(/\/?127\.0\.0\.1/, '<client host>');
        }
      }
      return res;
    },
    expect: is('groups[0].errorCode', 0),
  },
  {
    api: 'ConsumerGroupDescribe',
    name: 'describe a consumer-protocol group that does not exist',
    run: async (c, v) =>
      toCoordinator(c, 'd-no-such-group', 'ConsumerGroupDescribe', v, {
        groupIds: ['d-no-such-group'],
        includeAuthorizedOperations: false,
      }),
    expect: is('groups[0].errorCode', 69),
  },
  {
    api: 'ConsumerGroupDescribe',
    name: 'describe a classic group as a consumer-protocol group',
    run: async (c, v) =>
      toCoordinator(c, 'd-group-stable', 'ConsumerGroupDescribe', v, {
        groupIds: ['d-group-stable'],
        includeAuthorizedOperations: false,
      }),
    expect: is('groups[0].errorCode', 69),
  },
  {
    api: 'ConsumerGroupDescribe',
    name: 'describe with authorized operations',
    run: async (c, v) =>
      toCoordinator(c, 'd-cg-described', 'ConsumerGroupDescribe', v, {
        groupIds: ['d-cg-described'],
        includeAuthorizedOperations: true,
      }),
    normalise: (res) => {
      for (const g of res?.groups ?? []) g.members = `<${g.members?.length} member(s)>`;
      return res;
    },
  },
];

// ---- ApiVersions --------------------------------------------------------------------------------

const apiVersions: Case[] = [
  {
    api: 'ApiVersions',
    name: 'ask which APIs and versions the broker supports',
    modes: ['single', 'cluster'],
    run: async (c, v) =>
      c.call('ApiVersions', v, { clientSoftwareName: 'samsa-differential', clientSoftwareVersion: '1.0' }),
    expect: is('errorCode', 0),
  },
  {
    api: 'ApiVersions',
    name: 'ask with a version the broker does not support',
    versions: (v) => v === 0,
    run: async (c) => {
      const w = await WireClient.connect(c.ep.nodes.get(c.firstNode)!);
      try {
        const frame = await w.sendRawVersion(18, 127, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
        const r = new Reader(frame, 4);
        return decodeApiVersionsResponse(r, 0);
      } catch (e) {
        return { $error: (e as Error).message };
      } finally {
        w.close();
      }
    },
    expect: is('errorCode', 35),
  },
  {
    api: 'ApiVersions',
    name: 'ask with an invalid client software name',
    versions: from(3),
    run: async (c, v) =>
      c.callAlone('ApiVersions', v, { clientSoftwareName: '-bad name!', clientSoftwareVersion: '1.0' }),
    expect: is('errorCode', 42),
  },
];

// ---- topics -------------------------------------------------------------------------------------

const createTopicsCases: Case[] = [
  {
    api: 'CreateTopics',
    name: 'create a topic',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-v${v}`, 3, 1)]),
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with configs',
    run: async (c, v) =>
      createTopics(c, v, [
        creatable(`d-ct-cfg-v${v}`, 1, 1, {
          'retention.ms': '60000',
          'cleanup.policy': 'compact,delete',
          'segment.bytes': '1048576',
        }),
      ]),
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with the default partitions and replication factor (-1)',
    versions: from(4),
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-def-v${v}`, -1, -1)]),
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic that already exists',
    run: async (c, v) => createTopics(c, v, [creatable('d-data', 3, 1)]),
    expect: is('topics[0].errorCode', 36),
  },
  {
    api: 'CreateTopics',
    name: 'create the same topic twice in one request',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-twice-v${v}`), creatable(`d-ct-twice-v${v}`)]),
    expect: is('topics[0].errorCode', 42),
  },
  {
    api: 'CreateTopics',
    name: 'create topics, one valid and one invalid, in one request',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-mix-v${v}`), creatable(`d-ct-mix-bad-v${v}`, 0)]),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with replication factor 0',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-rf0-v${v}`, 1, 0)]),
    expect: is('topics[0].errorCode', 38),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with replication factor -2',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-rfm2-v${v}`, 1, -2)]),
    expect: is('topics[0].errorCode', 38),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with more replicas than brokers',
    modes: ['single', 'cluster'],
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-rfbig-v${v}`, 1, c.brokers + 1)]),
    expect: is('topics[0].errorCode', 38),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with replication factor 3 on three brokers',
    modes: ['cluster'],
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-rf3-v${v}`, 2, 3)]),
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with 0 partitions',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-p0-v${v}`, 0, 1)]),
    expect: is('topics[0].errorCode', 37),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with -2 partitions',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-pm2-v${v}`, -2, 1)]),
    expect: is('topics[0].errorCode', 37),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with an invalid name (characters)',
    run: async (c, v) => createTopics(c, v, [creatable('bad name!')]),
    expect: is('topics[0].errorCode', 17),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic named "."',
    run: async (c, v) => createTopics(c, v, [creatable('.')]),
    expect: is('topics[0].errorCode', 17),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic named ".."',
    run: async (c, v) => createTopics(c, v, [creatable('..')]),
    expect: is('topics[0].errorCode', 17),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with an empty name',
    run: async (c, v) => createTopics(c, v, [creatable('')]),
    expect: is('topics[0].errorCode', 17),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with a 250-character name',
    run: async (c, v) => createTopics(c, v, [creatable(`d-long-v${v}-${'x'.repeat(240)}`)]),
    expect: is('topics[0].errorCode', 17),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with a 249-character name',
    run: async (c, v) => createTopics(c, v, [creatable(`d-l249-v${v}-`.padEnd(249, 'y'))]),
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic whose name collides with an existing one (period vs underscore)',
    run: async (c, v) => createTopics(c, v, [creatable('d_data')]),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic named like an internal topic',
    run: async (c, v) => createTopics(c, v, [creatable('__consumer_offsets')]),
    expect: is('topics[0].errorCode', 36),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with retention.ms=abc',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-badcfg-v${v}`, 1, 1, { 'retention.ms': 'abc' })]),
    expect: is('topics[0].errorCode', 40),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with an unknown config name',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-unkcfg-v${v}`, 1, 1, { 'no.such.config': '1' })]),
    expect: is('topics[0].errorCode', 40),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with an invalid cleanup.policy',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-badpol-v${v}`, 1, 1, { 'cleanup.policy': 'shred' })]),
    expect: is('topics[0].errorCode', 40),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with segment.bytes below its minimum',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-seg-v${v}`, 1, 1, { 'segment.bytes': '100' })]),
    expect: is('topics[0].errorCode', 40),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with a null config value',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-nullcfg-v${v}`, 1, 1, { 'retention.ms': null })]),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with min.insync.replicas above its replication factor',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-minisr-v${v}`, 1, 1, { 'min.insync.replicas': '3' })]),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with a broker config name (log.retention.ms)',
    run: async (c, v) => createTopics(c, v, [creatable(`d-ct-brokercfg-v${v}`, 1, 1, { 'log.retention.ms': '1000' })]),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with a manual assignment',
    run: async (c, v) =>
      createTopics(c, v, [
        creatable(`d-ct-assign-v${v}`, -1, -1, {}, [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 1, brokerIds: [1] },
        ]),
      ]),
    expect: is('topics[0].errorCode', 0),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic assigned to a broker that does not exist',
    run: async (c, v) =>
      createTopics(c, v, [creatable(`d-ct-assign99-v${v}`, -1, -1, {}, [{ partitionIndex: 0, brokerIds: [99] }])]),
    expect: is('topics[0].errorCode', 39),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with an assignment and a partition count',
    run: async (c, v) =>
      createTopics(c, v, [creatable(`d-ct-assignboth-v${v}`, 2, 1, {}, [{ partitionIndex: 0, brokerIds: [1] }])]),
    expect: is('topics[0].errorCode', 42),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with an assignment that skips a partition',
    run: async (c, v) =>
      createTopics(c, v, [creatable(`d-ct-assigngap-v${v}`, -1, -1, {}, [{ partitionIndex: 1, brokerIds: [1] }])]),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with a replica listed twice',
    run: async (c, v) =>
      createTopics(c, v, [creatable(`d-ct-assigndup-v${v}`, -1, -1, {}, [{ partitionIndex: 0, brokerIds: [1, 1] }])]),
    expect: is('topics[0].errorCode', 39),
  },
  {
    api: 'CreateTopics',
    name: 'validate a topic creation only',
    versions: from(1),
    run: async (c, v) => {
      const res = await createTopics(c, v, [creatable(`d-ct-validate-v${v}`, 2, 1, { 'retention.ms': '1000' })], true);
      const after = await c.call('Metadata', 12, {
        topics: [{ name: `d-ct-validate-v${v}` }],
        allowAutoTopicCreation: false,
      });
      return { res, exists: isWireError(after) ? after : after.topics[0].errorCode };
    },
    expect: all(is('res.topics[0].errorCode', 0), is('exists', 3)),
  },
  {
    api: 'CreateTopics',
    name: 'validate creating a topic that already exists',
    versions: from(1),
    run: async (c, v) => createTopics(c, v, [creatable('d-data', 1, 1)], true),
    expect: is('topics[0].errorCode', 36),
  },
  {
    api: 'CreateTopics',
    name: 'create a topic with a zero timeout',
    run: async (c, v) =>
      c.call('CreateTopics', v, { topics: [creatable(`d-ct-t0-v${v}`)], timeoutMs: 0, validateOnly: false }),
  },
  {
    api: 'CreateTopics',
    name: 'create no topics',
    run: async (c, v) => createTopics(c, v, []),
  },
];

const deleteTopicsCases: Case[] = [
  {
    api: 'DeleteTopics',
    name: 'delete a topic by name',
    run: async (c, v) => {
      await c.createTopic(`d-del-v${v}`);
      return c.call('DeleteTopics', v, {
        topicNames: [`d-del-v${v}`],
        topics: [{ name: `d-del-v${v}` }],
        timeoutMs: 30_000,
      });
    },
    expect: is('responses[0].errorCode', 0),
  },
  {
    api: 'DeleteTopics',
    name: 'delete a topic by id',
    versions: from(6),
    run: async (c, v) => {
      await c.createTopic(`d-delid-v${v}`);
      return c.call('DeleteTopics', v, {
        topics: [{ name: null, topicId: c.topicId(`d-delid-v${v}`) }],
        timeoutMs: 30_000,
      });
    },
    expect: is('responses[0].errorCode', 0),
  },
  {
    api: 'DeleteTopics',
    name: 'delete an unknown topic',
    run: async (c, v) =>
      c.call('DeleteTopics', v, {
        topicNames: ['d-no-such-topic'],
        topics: [{ name: 'd-no-such-topic' }],
        timeoutMs: 30_000,
      }),
    expect: is('responses[0].errorCode', 3),
  },
  {
    api: 'DeleteTopics',
    name: 'delete an unknown topic id',
    versions: from(6),
    run: async (c, v) =>
      c.call('DeleteTopics', v, { topics: [{ name: null, topicId: UNKNOWN_TOPIC_ID }], timeoutMs: 30_000 }),
    expect: is('responses[0].errorCode', 100),
  },
  {
    api: 'DeleteTopics',
    name: 'delete a topic giving both its name and its id',
    versions: from(6),
    run: async (c, v) =>
      c.call('DeleteTopics', v, { topics: [{ name: 'd-data', topicId: c.topicId('d-data') }], timeoutMs: 30_000 }),
  },
  {
    api: 'DeleteTopics',
    name: 'delete the internal offsets topic',
    run: async (c, v) =>
      c.call('DeleteTopics', v, {
        topicNames: ['__consumer_offsets'],
        topics: [{ name: '__consumer_offsets' }],
        timeoutMs: 30_000,
      }),
  },
  {
    api: 'DeleteTopics',
    name: 'delete the same topic twice in one request',
    run: async (c, v) => {
      await c.createTopic(`d-del2-v${v}`);
      return c.call('DeleteTopics', v, {
        topicNames: [`d-del2-v${v}`, `d-del2-v${v}`],
        topics: [{ name: `d-del2-v${v}` }, { name: `d-del2-v${v}` }],
        timeoutMs: 30_000,
      });
    },
  },
  {
    api: 'DeleteTopics',
    name: 'delete a topic with an invalid name',
    run: async (c, v) =>
      c.call('DeleteTopics', v, { topicNames: ['bad name!'], topics: [{ name: 'bad name!' }], timeoutMs: 30_000 }),
  },
  {
    api: 'DeleteTopics',
    name: 'delete no topics',
    run: async (c, v) => c.call('DeleteTopics', v, { topicNames: [], topics: [], timeoutMs: 30_000 }),
  },
];

const deleteRecords: Case[] = [
  {
    api: 'DeleteRecords',
    name: 'delete records before offset 2',
    run: async (c, v) => {
      const t = `d-dr-v${v}`;
      await c.createTopic(t);
      await c.produce(t, 0, records(5, 'dr'));
      return c.call('DeleteRecords', v, {
        topics: [{ name: t, partitions: [{ partitionIndex: 0, offset: 2 }] }],
        timeoutMs: 30_000,
      });
    },
    expect: all(is('topics[0].partitions[0].errorCode', 0), is('topics[0].partitions[0].lowWatermark', 2)),
  },
  {
    api: 'DeleteRecords',
    name: 'delete records past the end of the log',
    run: async (c, v) =>
      c.call('DeleteRecords', v, {
        topics: [{ name: 'd-records', partitions: [{ partitionIndex: 0, offset: 100 }] }],
        timeoutMs: 30_000,
      }),
    expect: is('topics[0].partitions[0].errorCode', 1),
  },
  {
    api: 'DeleteRecords',
    name: 'delete records up to the high watermark (offset -1)',
    run: async (c, v) =>
      c.call('DeleteRecords', v, {
        topics: [{ name: 'd-records', partitions: [{ partitionIndex: 1, offset: -1 }] }],
        timeoutMs: 30_000,
      }),
    expect: is('topics[0].partitions[0].errorCode', 0),
  },
  {
    api: 'DeleteRecords',
    name: 'delete records before offset -5',
    run: async (c, v) =>
      c.call('DeleteRecords', v, {
        topics: [{ name: 'd-records', partitions: [{ partitionIndex: 0, offset: -5 }] }],
        timeoutMs: 30_000,
      }),
    expect: is('topics[0].partitions[0].errorCode', 1),
  },
  {
    api: 'DeleteRecords',
    name: 'delete records of an unknown topic',
    run: async (c, v) =>
      c.call('DeleteRecords', v, {
        topics: [{ name: 'd-no-such-topic', partitions: [{ partitionIndex: 0, offset: 1 }] }],
        timeoutMs: 30_000,
      }),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'DeleteRecords',
    name: 'delete records of a partition that does not exist',
    run: async (c, v) =>
      c.call('DeleteRecords', v, {
        topics: [{ name: 'd-records', partitions: [{ partitionIndex: 9, offset: 1 }] }],
        timeoutMs: 30_000,
      }),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'DeleteRecords',
    name: 'delete records of a compacted topic',
    run: async (c, v) =>
      c.call('DeleteRecords', v, {
        topics: [{ name: 'd-compact', partitions: [{ partitionIndex: 0, offset: 0 }] }],
        timeoutMs: 30_000,
      }),
    expect: is('topics[0].partitions[0].errorCode', 44),
  },
];

const initProducerId: Case[] = [
  {
    api: 'InitProducerId',
    name: 'initialise an idempotent producer',
    run: async (c, v) =>
      c.call('InitProducerId', v, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      }),
    expect: all(is('errorCode', 0), is('producerEpoch', 0)),
  },
  {
    api: 'InitProducerId',
    name: 'initialise a transactional producer',
    setup: async (c) => {
      // Waits for the transaction coordinator to load; a broker without one shows what it answers in the case.
      const node = await c.coordinator('d-txn-init', 1).catch(() => undefined);
      if (node !== undefined)
        await ready(c, 'InitProducerId', 4, { transactionalId: 'd-txn-init', transactionTimeoutMs: 60_000 }, node);
    },
    run: async (c, v) => {
      const node = await c.coordinator(`d-txn-init-v${v}`, 1).catch(() => c.firstNode);
      return c.call(
        'InitProducerId',
        v,
        { transactionalId: `d-txn-init-v${v}`, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
        node,
      );
    },
    expect: is('errorCode', 0),
  },
  {
    api: 'InitProducerId',
    name: 'initialise a transactional producer with a timeout above transaction.max.timeout.ms',
    run: async (c, v) => {
      const node = await c.coordinator('d-txn-init-big', 1).catch(() => c.firstNode);
      return c.call(
        'InitProducerId',
        v,
        { transactionalId: 'd-txn-init-big', transactionTimeoutMs: 3_600_000, producerId: -1, producerEpoch: -1 },
        node,
      );
    },
    expect: is('errorCode', 50),
  },
  {
    api: 'InitProducerId',
    name: 'initialise a transactional producer with an empty transactional id',
    run: async (c, v) =>
      c.call('InitProducerId', v, {
        transactionalId: '',
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      }),
  },
  {
    api: 'InitProducerId',
    name: 'bump the epoch of an idempotent producer',
    versions: from(3),
    run: async (c, v) =>
      c.call('InitProducerId', v, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: c.state.get('pid') as number,
        producerEpoch: 0,
      }),
  },
  {
    api: 'InitProducerId',
    name: 'initialise an idempotent producer with an unknown producer id and epoch',
    versions: from(3),
    run: async (c, v) =>
      c.call('InitProducerId', v, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: 987654,
        producerEpoch: 3,
      }),
  },
];

const offsetForLeaderEpoch: Case[] = [
  {
    api: 'OffsetForLeaderEpoch',
    name: 'ask the end offset of epoch 0',
    run: async (c, v) =>
      c.call('OffsetForLeaderEpoch', v, {
        replicaId: -1,
        topics: [
          {
            topic: 'd-data',
            partitions: [
              { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 },
              { partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 },
            ],
          },
        ],
      }),
    expect: is('topics[0].partitions[0].endOffset', 10),
  },
  {
    api: 'OffsetForLeaderEpoch',
    name: 'ask the end offset of an epoch from the future',
    run: async (c, v) =>
      c.call('OffsetForLeaderEpoch', v, {
        replicaId: -1,
        topics: [{ topic: 'd-data', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 5 }] }],
      }),
  },
  {
    api: 'OffsetForLeaderEpoch',
    name: 'ask with a current leader epoch from the future',
    run: async (c, v) =>
      c.call('OffsetForLeaderEpoch', v, {
        replicaId: -1,
        topics: [{ topic: 'd-data', partitions: [{ partition: 0, currentLeaderEpoch: 99, leaderEpoch: 0 }] }],
      }),
    expect: is('topics[0].partitions[0].errorCode', 75),
  },
  {
    api: 'OffsetForLeaderEpoch',
    name: 'ask for an unknown topic',
    run: async (c, v) =>
      c.call('OffsetForLeaderEpoch', v, {
        replicaId: -1,
        topics: [{ topic: 'd-no-such-topic', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
      }),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'OffsetForLeaderEpoch',
    name: 'ask for a partition that does not exist',
    run: async (c, v) =>
      c.call('OffsetForLeaderEpoch', v, {
        replicaId: -1,
        topics: [{ topic: 'd-data', partitions: [{ partition: 9, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
      }),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'OffsetForLeaderEpoch',
    name: 'ask as a follower replica (replicaId 1)',
    versions: from(3),
    run: async (c, v) =>
      c.call('OffsetForLeaderEpoch', v, {
        replicaId: 1,
        topics: [{ topic: 'd-data', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
      }),
  },
];

// ---- configs ----------------------------------------------------------------------------------

const describeConfigsCases: Case[] = [
  {
    api: 'DescribeConfigs',
    name: 'describe a topic with overrides, with synonyms',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: TOPIC, resourceName: 'd-configs' }], true),
    expect: is('results[0].errorCode', 0),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a topic with overrides, without synonyms',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: TOPIC, resourceName: 'd-configs' }], false),
    expect: is('results[0].errorCode', 0),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a topic with documentation',
    versions: from(3),
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: TOPIC, resourceName: 'd-data' }], true, true),
    expect: is('results[0].errorCode', 0),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a topic without overrides',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: TOPIC, resourceName: 'd-data' }], true),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe chosen configs of a topic, one unknown',
    run: async (c, v) =>
      describeConfigs(
        c,
        v,
        [
          {
            resourceType: TOPIC,
            resourceName: 'd-configs',
            configurationKeys: ['retention.ms', 'no.such.config', 'cleanup.policy'],
          },
        ],
        true,
      ),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe an unknown topic',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: TOPIC, resourceName: 'd-no-such-topic' }]),
    expect: is('results[0].errorCode', 3),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a topic with an invalid name',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: TOPIC, resourceName: 'bad name!' }]),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a broker, with synonyms',
    modes: ['single', 'cluster'],
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: BROKER, resourceName: String(c.firstNode) }], true),
    normalise: normaliseConfigs,
    expect: is('results[0].errorCode', 0),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a broker, without synonyms',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: BROKER, resourceName: '1' }], false),
    normalise: normaliseConfigs,
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a broker with documentation',
    versions: from(3),
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: BROKER, resourceName: '1' }], true, true),
    normalise: normaliseConfigs,
  },
  {
    api: 'DescribeConfigs',
    name: 'describe chosen configs of a broker',
    run: async (c, v) =>
      describeConfigs(
        c,
        v,
        [
          {
            resourceType: BROKER,
            resourceName: '1',
            configurationKeys: [
              'num.partitions',
              'log.retention.hours',
              'log.retention.ms',
              'auto.create.topics.enable',
              'message.max.bytes',
              'no.such.config',
              'log.segment.bytes',
              'offsets.topic.num.partitions',
            ],
          },
        ],
        true,
      ),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe another broker of the cluster',
    modes: ['cluster'],
    run: async (c, v) =>
      describeConfigs(c, v, [{ resourceType: BROKER, resourceName: '2', configurationKeys: ['broker.id', 'node.id'] }]),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a broker that does not exist',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: BROKER, resourceName: '99' }]),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe the cluster-wide broker defaults (empty broker name)',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: BROKER, resourceName: '' }], true),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a broker named "abc"',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: BROKER, resourceName: 'abc' }]),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a broker’s loggers',
    run: async (c, v) =>
      describeConfigs(c, v, [{ resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: ['root'] }]),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a resource of an unknown type',
    run: async (c, v) => describeConfigs(c, v, [{ resourceType: 99, resourceName: 'x' }]),
  },
  {
    api: 'DescribeConfigs',
    name: 'describe a topic and a broker in one request',
    run: async (c, v) =>
      describeConfigs(c, v, [
        { resourceType: TOPIC, resourceName: 'd-configs', configurationKeys: ['retention.ms'] },
        { resourceType: BROKER, resourceName: '1', configurationKeys: ['num.partitions'] },
        { resourceType: TOPIC, resourceName: 'd-no-such-topic', configurationKeys: ['retention.ms'] },
      ]),
  },
];

const alterConfigs: Case[] = [
  {
    api: 'AlterConfigs',
    name: 'set a topic’s retention.ms',
    run: async (c, v) => {
      const t = `d-ac-v${v}`;
      await c.createTopic(t, { configs: { 'cleanup.policy': 'compact' } });
      const res = await c.call('AlterConfigs', v, {
        resources: [{ resourceType: TOPIC, resourceName: t, configs: [{ name: 'retention.ms', value: '7200000' }] }],
        validateOnly: false,
      });
      // AlterConfigs replaces the whole set: cleanup.policy goes back to its default.
      const after = await settledConfigs(
        c,
        t,
        ['retention.ms', 'cleanup.policy'],
        (rows) => row(rows, 'retention.ms')?.value === '7200000' && row(rows, 'cleanup.policy')?.source !== 1,
      );
      return { res, after };
    },
    expect: is('res.responses[0].errorCode', 0),
  },
  {
    api: 'AlterConfigs',
    name: 'set retention.ms=abc',
    run: async (c, v) =>
      c.call('AlterConfigs', v, {
        resources: [
          { resourceType: TOPIC, resourceName: 'd-configs', configs: [{ name: 'retention.ms', value: 'abc' }] },
        ],
        validateOnly: false,
      }),
    expect: is('responses[0].errorCode', 40),
  },
  {
    api: 'AlterConfigs',
    name: 'set an unknown topic config',
    run: async (c, v) =>
      c.call('AlterConfigs', v, {
        resources: [
          { resourceType: TOPIC, resourceName: 'd-configs', configs: [{ name: 'no.such.config', value: '1' }] },
        ],
        validateOnly: false,
      }),
    expect: is('responses[0].errorCode', 40),
  },
  {
    api: 'AlterConfigs',
    name: 'validate a topic config change only',
    run: async (c, v) => {
      const res = await c.call('AlterConfigs', v, {
        resources: [
          { resourceType: TOPIC, resourceName: 'd-configs', configs: [{ name: 'retention.ms', value: '1000' }] },
        ],
        validateOnly: true,
      });
      return { res, after: await topicConfigs(c, 'd-configs', ['retention.ms']) };
    },
    expect: is('res.responses[0].errorCode', 0),
  },
  {
    api: 'AlterConfigs',
    name: 'set a config of an unknown topic',
    run: async (c, v) =>
      c.call('AlterConfigs', v, {
        resources: [
          { resourceType: TOPIC, resourceName: 'd-no-such-topic', configs: [{ name: 'retention.ms', value: '1000' }] },
        ],
        validateOnly: false,
      }),
    expect: is('responses[0].errorCode', 3),
  },
  {
    api: 'AlterConfigs',
    name: 'set a topic config to null',
    run: async (c, v) =>
      c.call('AlterConfigs', v, {
        resources: [
          { resourceType: TOPIC, resourceName: 'd-configs', configs: [{ name: 'retention.ms', value: null }] },
        ],
        validateOnly: true,
      }),
  },
  {
    api: 'AlterConfigs',
    name: 'set a read-only broker config (log.dirs)',
    run: async (c, v) =>
      c.call('AlterConfigs', v, {
        resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.dirs', value: '/nowhere' }] }],
        validateOnly: true,
      }),
  },
  {
    api: 'AlterConfigs',
    name: 'validate a dynamic broker config change',
    run: async (c, v) =>
      c.call('AlterConfigs', v, {
        resources: [
          { resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.cleaner.threads', value: '2' }] },
        ],
        validateOnly: true,
      }),
  },
];

const iac = (
  c: Ctx,
  v: number,
  resourceType: number,
  resourceName: string,
  configs: { name: string; configOperation: number; value: string | null }[],
  validateOnly = false,
) => c.call('IncrementalAlterConfigs', v, { resources: [{ resourceType, resourceName, configs }], validateOnly });

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

const incrementalAlterConfigs: Case[] = [
  {
    api: 'IncrementalAlterConfigs',
    name: 'set, append to, subtract from and delete topic configs',
    run: async (c, v) => {
      const t = `d-iac-v${v}`;
      await c.createTopic(t);
      const keys = ['retention.ms', 'cleanup.policy'];
      const set = await iac(c, v, TOPIC, t, [{ name: 'retention.ms', configOperation: SET, value: '3600000' }]);
      const afterSet = await settledConfigs(c, t, keys, (rows) => row(rows, 'retention.ms')?.value === '3600000');
      const append = await iac(c, v, TOPIC, t, [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }]);
      const afterAppend = await settledConfigs(c, t, keys, (rows) => policy(rows).includes('compact'));
      const subtract = await iac(c, v, TOPIC, t, [
        { name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' },
      ]);
      const afterSubtract = await settledConfigs(c, t, keys, (rows) => !policy(rows).includes('delete'));
      const del = await iac(c, v, TOPIC, t, [{ name: 'retention.ms', configOperation: DELETE, value: null }]);
      const afterDelete = await settledConfigs(c, t, keys, (rows) => row(rows, 'retention.ms')?.source !== 1);
      return { set, afterSet, append, afterAppend, subtract, afterSubtract, del, afterDelete };
    },
    expect: all(is('set.responses[0].errorCode', 0), is('append.responses[0].errorCode', 0)),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set retention.ms=abc',
    run: async (c, v) => iac(c, v, TOPIC, 'd-configs', [{ name: 'retention.ms', configOperation: SET, value: 'abc' }]),
    expect: is('responses[0].errorCode', 40),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set an unknown topic config',
    run: async (c, v) => iac(c, v, TOPIC, 'd-configs', [{ name: 'no.such.config', configOperation: SET, value: '1' }]),
    expect: is('responses[0].errorCode', 40),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'delete an unknown topic config',
    run: async (c, v) =>
      iac(c, v, TOPIC, 'd-configs', [{ name: 'no.such.config', configOperation: DELETE, value: null }]),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'append to a config that is not a list',
    run: async (c, v) => iac(c, v, TOPIC, 'd-configs', [{ name: 'retention.ms', configOperation: APPEND, value: '5' }]),
    expect: is('responses[0].errorCode', 40),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'use an unknown operation',
    run: async (c, v) => iac(c, v, TOPIC, 'd-configs', [{ name: 'retention.ms', configOperation: 9, value: '5' }]),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set the same config twice in one resource',
    run: async (c, v) =>
      iac(
        c,
        v,
        TOPIC,
        'd-configs',
        [
          { name: 'retention.ms', configOperation: SET, value: '5000' },
          { name: 'retention.ms', configOperation: SET, value: '6000' },
        ],
        true,
      ),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set a config of an unknown topic',
    run: async (c, v) =>
      iac(c, v, TOPIC, 'd-no-such-topic', [{ name: 'retention.ms', configOperation: SET, value: '5000' }]),
    expect: is('responses[0].errorCode', 3),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set cleanup.policy to an invalid value',
    run: async (c, v) =>
      iac(c, v, TOPIC, 'd-configs', [{ name: 'cleanup.policy', configOperation: SET, value: 'shred' }], true),
    expect: is('responses[0].errorCode', 40),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set a topic config to null',
    run: async (c, v) =>
      iac(c, v, TOPIC, 'd-configs', [{ name: 'retention.ms', configOperation: SET, value: null }], true),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set min.insync.replicas above the replication factor',
    run: async (c, v) =>
      iac(c, v, TOPIC, 'd-configs', [{ name: 'min.insync.replicas', configOperation: SET, value: '3' }], true),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'validate a dynamic broker config change',
    run: async (c, v) =>
      iac(c, v, BROKER, '1', [{ name: 'log.cleaner.threads', configOperation: SET, value: '2' }], true),
    expect: is('responses[0].errorCode', 0),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set a read-only broker config (log.dirs)',
    run: async (c, v) => iac(c, v, BROKER, '1', [{ name: 'log.dirs', configOperation: SET, value: '/nowhere' }], true),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set an unknown broker config',
    run: async (c, v) => iac(c, v, BROKER, '1', [{ name: 'no.such.config', configOperation: SET, value: '1' }], true),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set a cluster-wide broker default',
    run: async (c, v) =>
      iac(c, v, BROKER, '', [{ name: 'log.cleaner.threads', configOperation: SET, value: '2' }], true),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set a config of a broker that does not exist',
    run: async (c, v) =>
      iac(c, v, BROKER, '99', [{ name: 'log.cleaner.threads', configOperation: SET, value: '2' }], true),
  },
  {
    api: 'IncrementalAlterConfigs',
    name: 'set a broker logger’s level',
    run: async (c, v) =>
      iac(
        c,
        v,
        BROKER_LOGGER,
        '1',
        [{ name: 'kafka.server.ReplicaManager', configOperation: SET, value: 'INFO' }],
        true,
      ),
  },
];

// ---- the rest of the admin APIs ---------------------------------------------------------------

const describeLogDirs: Case[] = [
  {
    api: 'DescribeLogDirs',
    name: 'describe one topic’s log dirs',
    run: async (c, v) => c.call('DescribeLogDirs', v, { topics: [{ topic: 'd-data', partitions: [0, 1, 2] }] }),
    expect: is('results[0].errorCode', 0),
  },
  {
    api: 'DescribeLogDirs',
    name: 'describe every log dir',
    run: async (c, v) => c.call('DescribeLogDirs', v, { topics: null }),
    normalise: (res) => {
      for (const r of res?.results ?? [])
        r.topics = (r.topics ?? [])
          .filter((t: any) => t.name === 'd-data' || t.name === '__consumer_offsets')
          .map((t: any) =>
            t.name === '__consumer_offsets' ? { name: t.name, partitions: `<${t.partitions.length}>` } : t,
          );
      return res;
    },
  },
  {
    api: 'DescribeLogDirs',
    name: 'describe the log dirs of an unknown topic',
    run: async (c, v) => c.call('DescribeLogDirs', v, { topics: [{ topic: 'd-no-such-topic', partitions: [0] }] }),
  },
  {
    api: 'DescribeLogDirs',
    name: 'describe no topics’ log dirs',
    run: async (c, v) => c.call('DescribeLogDirs', v, { topics: [] }),
  },
];

const createPartitions: Case[] = [
  {
    api: 'CreatePartitions',
    name: 'grow a topic from 1 to 3 partitions',
    modes: ['single', 'cluster'],
    run: async (c, v) => {
      const t = `d-cp-v${v}`;
      await c.createTopic(t);
      const res = await c.call('CreatePartitions', v, {
        topics: [{ name: t, count: 3, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      return res;
    },
    expect: is('results[0].errorCode', 0),
  },
  {
    api: 'CreatePartitions',
    name: 'shrink a topic',
    run: async (c, v) =>
      c.call('CreatePartitions', v, { topics: [{ name: 'd-data', count: 2, assignments: null }], timeoutMs: 30_000 }),
    expect: is('results[0].errorCode', 37),
  },
  {
    api: 'CreatePartitions',
    name: 'keep a topic’s partition count',
    run: async (c, v) =>
      c.call('CreatePartitions', v, { topics: [{ name: 'd-data', count: 3, assignments: null }], timeoutMs: 30_000 }),
    expect: is('results[0].errorCode', 37),
  },
  {
    api: 'CreatePartitions',
    name: 'grow an unknown topic',
    run: async (c, v) =>
      c.call('CreatePartitions', v, {
        topics: [{ name: 'd-no-such-topic', count: 3, assignments: null }],
        timeoutMs: 30_000,
      }),
    expect: is('results[0].errorCode', 3),
  },
  {
    api: 'CreatePartitions',
    name: 'grow a topic with too few assignments',
    run: async (c, v) =>
      c.call('CreatePartitions', v, {
        topics: [{ name: 'd-data', count: 5, assignments: [{ brokerIds: [1] }] }],
        timeoutMs: 30_000,
        validateOnly: true,
      }),
    expect: is('results[0].errorCode', 39),
  },
  {
    api: 'CreatePartitions',
    name: 'grow a topic onto a broker that does not exist',
    run: async (c, v) =>
      c.call('CreatePartitions', v, {
        topics: [{ name: 'd-data', count: 4, assignments: [{ brokerIds: [99] }] }],
        timeoutMs: 30_000,
        validateOnly: true,
      }),
    expect: is('results[0].errorCode', 39),
  },
  {
    api: 'CreatePartitions',
    name: 'validate growing a topic only',
    run: async (c, v) => {
      const res = await c.call('CreatePartitions', v, {
        topics: [{ name: 'd-data', count: 6, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: true,
      });
      const md = await c.metadata(['d-data']);
      return { res, partitions: md.topics[0].partitions.length };
    },
    expect: all(is('res.results[0].errorCode', 0), is('partitions', 3)),
  },
  {
    api: 'CreatePartitions',
    name: 'grow the same topic twice in one request',
    run: async (c, v) =>
      c.call('CreatePartitions', v, {
        topics: [
          { name: 'd-data', count: 6, assignments: null },
          { name: 'd-data', count: 7, assignments: null },
        ],
        timeoutMs: 30_000,
        validateOnly: true,
      }),
    expect: is('results[0].errorCode', 42),
  },
  {
    api: 'CreatePartitions',
    name: 'grow a topic to 0 partitions',
    run: async (c, v) =>
      c.call('CreatePartitions', v, {
        topics: [{ name: 'd-data', count: 0, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: true,
      }),
  },
  {
    api: 'CreatePartitions',
    name: 'grow the internal offsets topic',
    run: async (c, v) =>
      c.call('CreatePartitions', v, {
        topics: [{ name: '__consumer_offsets', count: 60, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: true,
      }),
  },
];

const electLeaders: Case[] = [
  {
    api: 'ElectLeaders',
    name: 'elect the preferred leaders of a topic',
    modes: ['single', 'cluster'],
    run: async (c, v) =>
      c.call('ElectLeaders', v, {
        electionType: 0,
        topicPartitions: [{ topic: 'd-data', partitions: [0, 1] }],
        timeoutMs: 30_000,
      }),
    expect: is('replicaElectionResults[0].partitionResult[0].errorCode', 84),
  },
  {
    api: 'ElectLeaders',
    name: 'elect unclean leaders of a topic',
    versions: from(1),
    run: async (c, v) =>
      c.call('ElectLeaders', v, {
        electionType: 1,
        topicPartitions: [{ topic: 'd-data', partitions: [0] }],
        timeoutMs: 30_000,
      }),
  },
  {
    api: 'ElectLeaders',
    name: 'elect the preferred leaders of every partition',
    run: async (c, v) => c.call('ElectLeaders', v, { electionType: 0, topicPartitions: null, timeoutMs: 30_000 }),
    normalise: (res) => {
      // Every topic of the run is listed; the prepared ones stand for them.
      if (res?.replicaElectionResults)
        res.replicaElectionResults = res.replicaElectionResults.filter((t: any) =>
          /^d-(data|compact|configs)$/.test(t.topic),
        );
      return res;
    },
  },
  {
    api: 'ElectLeaders',
    name: 'elect leaders of an unknown topic',
    run: async (c, v) =>
      c.call('ElectLeaders', v, {
        electionType: 0,
        topicPartitions: [{ topic: 'd-no-such-topic', partitions: [0] }],
        timeoutMs: 30_000,
      }),
    expect: is('replicaElectionResults[0].partitionResult[0].errorCode', 3),
  },
  {
    api: 'ElectLeaders',
    name: 'elect leaders of a partition that does not exist',
    run: async (c, v) =>
      c.call('ElectLeaders', v, {
        electionType: 0,
        topicPartitions: [{ topic: 'd-data', partitions: [9] }],
        timeoutMs: 30_000,
      }),
    expect: is('replicaElectionResults[0].partitionResult[0].errorCode', 3),
  },
  {
    api: 'ElectLeaders',
    name: 'elect leaders with an unknown election type',
    versions: from(1),
    run: async (c, v) =>
      c.callAlone('ElectLeaders', v, {
        electionType: 5,
        topicPartitions: [{ topic: 'd-data', partitions: [0] }],
        timeoutMs: 30_000,
      }),
  },
];

const alterReassignments: Case[] = [
  {
    api: 'AlterPartitionReassignments',
    name: 'reassign a partition to the replicas it has',
    run: async (c, v) =>
      c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 0, replicas: [1] }] }],
      }),
    expect: is('responses[0].partitions[0].errorCode', 0),
  },
  {
    api: 'AlterPartitionReassignments',
    name: 'reassign a partition to a broker that does not exist',
    run: async (c, v) =>
      c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 0, replicas: [99] }] }],
      }),
    expect: is('responses[0].partitions[0].errorCode', 39),
  },
  {
    api: 'AlterPartitionReassignments',
    name: 'cancel a reassignment that is not in progress',
    run: async (c, v) =>
      c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 1, replicas: null }] }],
      }),
    expect: is('responses[0].partitions[0].errorCode', 85),
  },
  {
    api: 'AlterPartitionReassignments',
    name: 'reassign a partition of an unknown topic',
    run: async (c, v) =>
      c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-no-such-topic', partitions: [{ partitionIndex: 0, replicas: [1] }] }],
      }),
    expect: is('responses[0].partitions[0].errorCode', 3),
  },
  {
    api: 'AlterPartitionReassignments',
    name: 'reassign a partition that does not exist',
    run: async (c, v) =>
      c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 9, replicas: [1] }] }],
      }),
    expect: is('responses[0].partitions[0].errorCode', 3),
  },
  {
    api: 'AlterPartitionReassignments',
    name: 'reassign a partition to a replica listed twice',
    run: async (c, v) =>
      c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 0, replicas: [1, 1] }] }],
      }),
    expect: is('responses[0].partitions[0].errorCode', 39),
  },
  {
    api: 'AlterPartitionReassignments',
    name: 'reassign a partition to no replicas',
    run: async (c, v) =>
      c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-data', partitions: [{ partitionIndex: 0, replicas: [] }] }],
      }),
    expect: is('responses[0].partitions[0].errorCode', 39),
  },
  {
    api: 'AlterPartitionReassignments',
    name: 'move a partition to another broker',
    modes: ['cluster'],
    run: async (c, v) => {
      const t = `d-move-v${v}`;
      await c.createTopic(t, { configs: {} });
      const leader = await c.leaderOf(t, 0);
      const target = [...c.ep.nodes.keys()].find((n) => n !== leader)!;
      return c.call('AlterPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: t, partitions: [{ partitionIndex: 0, replicas: [target] }] }],
      });
    },
    expect: is('responses[0].partitions[0].errorCode', 0),
  },
];

const listReassignments: Case[] = [
  {
    api: 'ListPartitionReassignments',
    name: 'list reassignments when there are none',
    modes: ['single', 'cluster'],
    run: async (c, v) => c.call('ListPartitionReassignments', v, { timeoutMs: 30_000, topics: null }),
    expect: is('errorCode', 0),
  },
  {
    api: 'ListPartitionReassignments',
    name: 'list reassignments of a topic',
    run: async (c, v) =>
      c.call('ListPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-data', partitionIndexes: [0, 1] }],
      }),
  },
  {
    api: 'ListPartitionReassignments',
    name: 'list reassignments of an unknown topic',
    run: async (c, v) =>
      c.call('ListPartitionReassignments', v, {
        timeoutMs: 30_000,
        topics: [{ name: 'd-no-such-topic', partitionIndexes: [0] }],
      }),
  },
];

const describeCluster: Case[] = [
  {
    api: 'DescribeCluster',
    name: 'describe the cluster',
    modes: ['single', 'cluster'],
    run: async (c, v) => c.call('DescribeCluster', v, { includeClusterAuthorizedOperations: false, endpointType: 1 }),
    expect: is('errorCode', 0),
  },
  {
    api: 'DescribeCluster',
    name: 'describe the cluster with authorized operations',
    run: async (c, v) => c.call('DescribeCluster', v, { includeClusterAuthorizedOperations: true, endpointType: 1 }),
  },
  {
    api: 'DescribeCluster',
    name: 'describe the cluster’s controllers (endpoint type 2) from a broker',
    versions: from(1),
    run: async (c, v) => c.call('DescribeCluster', v, { includeClusterAuthorizedOperations: false, endpointType: 2 }),
  },
  {
    api: 'DescribeCluster',
    name: 'describe the cluster with an unknown endpoint type',
    versions: from(1),
    run: async (c, v) => c.call('DescribeCluster', v, { includeClusterAuthorizedOperations: false, endpointType: 7 }),
  },
];

const describeProducers: Case[] = [
  {
    api: 'DescribeProducers',
    name: 'describe the producers of a partition an idempotent producer wrote',
    run: async (c, v) => c.call('DescribeProducers', v, { topics: [{ name: 'd-idem', partitionIndexes: [0] }] }),
    expect: is('topics[0].partitions[0].errorCode', 0),
  },
  {
    api: 'DescribeProducers',
    name: 'describe the producers of a partition without any',
    run: async (c, v) => c.call('DescribeProducers', v, { topics: [{ name: 'd-data', partitionIndexes: [1] }] }),
  },
  {
    api: 'DescribeProducers',
    name: 'describe the producers of an unknown topic',
    run: async (c, v) =>
      c.call('DescribeProducers', v, { topics: [{ name: 'd-no-such-topic', partitionIndexes: [0] }] }),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
  {
    api: 'DescribeProducers',
    name: 'describe the producers of a partition that does not exist',
    run: async (c, v) => c.call('DescribeProducers', v, { topics: [{ name: 'd-data', partitionIndexes: [9] }] }),
    expect: is('topics[0].partitions[0].errorCode', 3),
  },
];

/** Every case, in the order they run (later cases may rely on what earlier ones left). */
export const corpus: Case[] = [
  ...apiVersions,
  ...metadata,
  ...produce,
  ...fetch,
  ...listOffsets,
  ...offsetForLeaderEpoch,
  ...findCoordinator,
  ...offsetCommit,
  ...offsetFetchCases,
  ...joinGroup,
  ...heartbeat,
  ...syncGroup,
  ...leaveGroup,
  ...describeGroups,
  ...consumerGroupHeartbeat,
  ...consumerGroupDescribe,
  ...listGroups,
  ...offsetDelete,
  ...deleteGroups,
  ...initProducerId,
  ...describeProducers,
  ...createTopicsCases,
  ...deleteTopicsCases,
  ...deleteRecords,
  ...describeConfigsCases,
  ...alterConfigs,
  ...incrementalAlterConfigs,
  ...describeLogDirs,
  ...createPartitions,
  ...electLeaders,
  ...listReassignments,
  ...alterReassignments,
  ...describeCluster,
];
