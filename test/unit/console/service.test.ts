// The console service against a real broker (in process, port 0, temp data dir), through the same
// @platformatic/kafka path the GUI uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import type { RecordView, TailEvent } from '../../../core/console/bridge.ts';
import { ConsoleError, ConsoleService, type Session } from '../../../core/console/service.ts';

let dataDir: string;
let broker: Broker;
let service: ConsoleService;

/** A session that keeps every event, per subscription. */
function recordingSession() {
  const events: { sub: string; event: TailEvent }[] = [];
  const session: Session = {
    emit: async (sub, event) => {
      events.push({ sub, event });
    },
  };
  const records = (sub: string): RecordView[] =>
    events
      .filter((e) => e.sub === sub && e.event.type === 'records')
      .flatMap((e) => (e.event as { records: RecordView[] }).records);
  return { session, events, records };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function failure(p: Promise<unknown>): Promise<ConsoleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConsoleError);
    return e as ConsoleError;
  }
  throw new Error('expected a failure');
}

const none = { session: { emit: async () => undefined } as Session };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-console-'));
  broker = singleNodeBroker({ port: 0, dataDir, config: new BrokerConfig({}) });
  const { port } = await broker.start();
  service = new ConsoleService({ bootstrap: `127.0.0.1:${port}` });
});

afterAll(async () => {
  await service.close();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('topics', () => {
  it('creates a topic and lists it, with the overview counting it', async () => {
    const created = await service.call(
      'createTopic',
      { name: 'orders', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '60000' } },
      none.session,
    );
    expect(created).toMatchObject({ name: 'orders', partitions: 3, replicationFactor: 1, internal: false });
    const list = (await service.call('listTopics', {}, none.session)) as { name: string }[];
    expect(list.map((t) => t.name)).toContain('orders');
    const overview = (await service.call('clusterOverview', {}, none.session)) as {
      brokers: unknown[];
      topicCount: number;
      partitionCount: number;
    };
    expect(overview.brokers).toHaveLength(1);
    expect(overview.topicCount).toBeGreaterThanOrEqual(1);
    expect(overview.partitionCount).toBeGreaterThanOrEqual(3);
  });

  it('explains bad input next to the field, with the Kafka error name', async () => {
    const bad = await failure(service.call('createTopic', { name: 'bad name!', partitions: 1 }, none.session));
    expect(bad.field).toBe('name');
    expect(bad.kafkaError).toBe('INVALID_TOPIC_EXCEPTION');
    expect(bad.message).toMatch(/illegal/);
    const rf = await failure(
      service.call('createTopic', { name: 'too-many-replicas', partitions: 1, replicationFactor: 3 }, none.session),
    );
    expect(rf.field).toBe('replicationFactor');
    expect(rf.message).toMatch(/larger than available brokers: 1/);
    const dup = await failure(service.call('createTopic', { name: 'orders', partitions: 1 }, none.session));
    expect(dup.kafkaError).toBe('TOPIC_ALREADY_EXISTS');
    expect(dup.field).toBe('name');
    expect(dup.message).toMatch(/^TOPIC_ALREADY_EXISTS: /);
    const cfg = await failure(
      service.call('createTopic', { name: 'bad-config', configs: { 'retention.ms': 'soon' } }, none.session),
    );
    expect(cfg.field).toBe('configs');
    const unknown = await failure(service.call('noSuchOperation', {}, none.session));
    expect(unknown.message).toMatch(/unknown operation/);
  });

  it('describes a topic: partitions, offsets and configs with their source', async () => {
    await service.call('produce', { topic: 'orders', partition: 1, key: 'k', value: 'v' }, none.session);
    const d = (await service.call(
      'topicDetail',
      { name: 'orders' },
      none.session,
    )) as import('../../../core/console/bridge.ts').TopicDetail;
    expect(d.partitions).toHaveLength(3);
    expect(d.partitions[1]).toMatchObject({
      partition: 1,
      leader: 1,
      replicas: [1],
      isr: [1],
      startOffset: '0',
      highWatermark: '1',
    });
    expect(d.configs.find((c) => c.name === 'retention.ms')).toMatchObject({
      value: '60000',
      source: 'DYNAMIC_TOPIC_CONFIG',
      isDefault: false,
    });
    expect(d.configs.find((c) => c.name === 'segment.bytes')).toMatchObject({
      source: 'DEFAULT_CONFIG',
      isDefault: true,
    });
    const missing = await failure(service.call('topicDetail', { name: 'nope' }, none.session));
    expect(missing.message).toMatch(/does not exist/);
  });

  it('deletes a topic', async () => {
    await service.call('createTopic', { name: 'doomed', partitions: 1 }, none.session);
    await service.call('deleteTopic', { name: 'doomed' }, none.session);
    const list = (await service.call('listTopics', {}, none.session)) as { name: string }[];
    expect(list.map((t) => t.name)).not.toContain('doomed');
  });
});

describe('produce', () => {
  it('sends key, JSON value and headers and returns partition and offset', async () => {
    await service.call('createTopic', { name: 'events', partitions: 1 }, none.session);
    const r = await service.call(
      'produce',
      {
        topic: 'events',
        key: 'user-1',
        value: '{"a":1}',
        valueFormat: 'json',
        headers: [{ key: 'source', value: 'test' }],
        compression: 'zstd',
      },
      none.session,
    );
    expect(r).toMatchObject({ topic: 'events', partition: 0, offset: '0' });
    const page = (await service.call(
      'fetchMessagesPage',
      { topic: 'events', partition: 0, offset: '0', limit: 10 },
      none.session,
    )) as { records: RecordView[] };
    expect(page.records).toHaveLength(1);
    expect(page.records[0]).toMatchObject({
      offset: '0',
      key: { encoding: 'utf8', data: 'user-1' },
      value: { encoding: 'utf8', data: '{"a":1}' },
      headers: [{ key: 'source', value: { encoding: 'utf8', data: 'test' } }],
    });
  });

  it('refuses bad JSON, a missing topic and a partition that does not exist', async () => {
    const json = await failure(
      service.call('produce', { topic: 'events', value: '{"a":', valueFormat: 'json' }, none.session),
    );
    expect(json.field).toBe('value');
    expect(json.message).toMatch(/not valid JSON/);
    const topic = await failure(service.call('produce', { topic: 'no-such-topic', value: 'x' }, none.session));
    expect(topic.field).toBe('topic');
    const part = await failure(service.call('produce', { topic: 'events', partition: 5, value: 'x' }, none.session));
    expect(part.field).toBe('partition');
  });
});

describe('tail', () => {
  it('pushes records live, in capped batches, and seeks and cancels', async () => {
    await service.call('createTopic', { name: 'tailed', partitions: 2 }, none.session);
    for (let i = 0; i < 10; i++)
      await service.call('produce', { topic: 'tailed', partition: 0, value: `early-${i}` }, none.session);
    const rec = recordingSession();
    const opened = await service.openTail({ topic: 'tailed', start: { kind: 'earliest' }, maxPerPush: 3 }, rec.session);
    expect(opened.partitions).toEqual([0, 1]);
    expect(opened.positions).toEqual({ 0: '0', 1: '0' });
    const sub = opened.subscription;
    await until(() => rec.records(sub).length === 10);
    const pushes = rec.events.filter((e) => e.event.type === 'records');
    expect(Math.max(...pushes.map((e) => (e.event as { records: unknown[] }).records.length))).toBeLessThanOrEqual(3);

    // Live: a record produced now arrives.
    await service.call('produce', { topic: 'tailed', partition: 1, value: 'live' }, none.session);
    await until(() => rec.records(sub).some((r) => r.value?.data === 'live'));

    // Seek to offset 7: partition 0 is read again from 7 (partition 1 is clamped to its end).
    const before = rec.records(sub).length;
    const seeked = (await service.call(
      'tailSeek',
      { subscription: sub, start: { kind: 'offset', offset: '7' } },
      rec.session,
    )) as { positions: Record<number, string> };
    expect(seeked.positions).toEqual({ 0: '7', 1: '1' });
    await until(() => rec.records(sub).length === before + 3);
    expect(
      rec
        .records(sub)
        .slice(before)
        .map((r) => r.offset),
    ).toEqual(['7', '8', '9']);

    // Last N per partition.
    const n = rec.records(sub).length;
    await service.call('tailSeek', { subscription: sub, start: { kind: 'lastN', n: 2 } }, rec.session);
    await until(() => rec.records(sub).length === n + 3);
    expect(
      rec
        .records(sub)
        .slice(n)
        .map((r) => `${r.partition}:${r.offset}`)
        .sort(),
    ).toEqual(['0:8', '0:9', '1:0']);

    // Pause: nothing arrives; resume: it does.
    await service.call('tailPause', { subscription: sub }, rec.session);
    const paused = rec.records(sub).length;
    await service.call('produce', { topic: 'tailed', partition: 0, value: 'while-paused' }, none.session);
    await new Promise((r) => setTimeout(r, 600));
    expect(rec.records(sub).length).toBe(paused);
    await service.call('tailResume', { subscription: sub }, rec.session);
    await until(() => rec.records(sub).some((r) => r.value?.data === 'while-paused'));

    // Cancel: the tail closes and is gone.
    await service.call('tailCancel', { subscription: sub }, rec.session);
    expect(rec.events.at(-1)?.event.type).toBe('closed');
    expect(service.tailCount).toBe(0);
    const again = await failure(service.call('tailPause', { subscription: sub }, rec.session));
    expect(again.message).toMatch(/no tail/);
  });

  it('starts at a timestamp, and refuses an unknown topic', async () => {
    await service.call('createTopic', { name: 'timed', partitions: 1 }, none.session);
    await service.call('produce', { topic: 'timed', value: 'old' }, none.session);
    await new Promise((r) => setTimeout(r, 30));
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    await service.call('produce', { topic: 'timed', value: 'new' }, none.session);
    const rec = recordingSession();
    const opened = await service.openTail({ topic: 'timed', start: { kind: 'timestamp', timestamp: t } }, rec.session);
    expect(opened.positions).toEqual({ 0: '1' });
    await until(() => rec.records(opened.subscription).length === 1);
    expect(rec.records(opened.subscription)[0]!.value?.data).toBe('new');
    await service.closeSession(rec.session);
    expect(service.tailCount).toBe(0);
    const missing = await failure(service.openTail({ topic: 'no-such', start: { kind: 'earliest' } }, rec.session));
    expect(missing.field).toBe('topic');
    expect(missing.message).toMatch(/does not exist/);
  });
});

describe('consumer groups', () => {
  it('lists a group and describes its lag', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    await service.call('createTopic', { name: 'lagged', partitions: 2 }, none.session);
    for (let i = 0; i < 5; i++)
      await service.call('produce', { topic: 'lagged', partition: 0, value: `m${i}` }, none.session);
    const kafka = new Kafka({ brokers: [service.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'billing', topic: 'lagged', partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();
    const groups = (await service.call('listGroups', {}, none.session)) as { groupId: string }[];
    expect(groups.map((g) => g.groupId)).toContain('billing');
    const d = (await service.call(
      'describeGroup',
      { groupId: 'billing' },
      none.session,
    )) as import('../../../core/console/bridge.ts').GroupDetail;
    expect(d.offsets).toEqual([
      { topic: 'lagged', partition: 0, committed: '2', logEnd: '5', lag: '3', memberId: null },
    ]);
    expect(d.totalLag).toBe('3');
    const missing = await failure(service.call('describeGroup', { groupId: 'ghost' }, none.session));
    expect(missing.message).toMatch(/does not exist/);
  });
});

describe('topic admin', () => {
  type Detail = import('../../../core/console/bridge.ts').TopicDetail;
  it('sets and deletes a config override, and explains a bad value next to its field', async () => {
    await service.call('createTopic', { name: 'tunable', partitions: 1 }, none.session);
    const set = (await service.call(
      'alterTopicConfigs',
      { name: 'tunable', set: { 'retention.ms': '120000' } },
      none.session,
    )) as Detail;
    expect(set.configs.find((c) => c.name === 'retention.ms')).toMatchObject({
      value: '120000',
      source: 'DYNAMIC_TOPIC_CONFIG',
      isDefault: false,
    });
    const bad = await failure(
      service.call('alterTopicConfigs', { name: 'tunable', set: { 'retention.ms': 'abc' } }, none.session),
    );
    expect(bad.kafkaError).toBe('INVALID_CONFIG');
    expect(bad.field).toBe('retention.ms');
    expect(bad.message).toMatch(/^INVALID_CONFIG: .*retention\.ms/);
    const kept = (await service.call('topicDetail', { name: 'tunable' }, none.session)) as Detail;
    expect(kept.configs.find((c) => c.name === 'retention.ms')?.value).toBe('120000');
    const removed = (await service.call(
      'alterTopicConfigs',
      { name: 'tunable', remove: ['retention.ms'] },
      none.session,
    )) as Detail;
    expect(removed.configs.find((c) => c.name === 'retention.ms')).toMatchObject({
      source: 'DEFAULT_CONFIG',
      isDefault: true,
    });
  });

  it('adds partitions (only more than there are)', async () => {
    await service.call('createTopic', { name: 'growing', partitions: 1 }, none.session);
    const d = (await service.call('addPartitions', { name: 'growing', count: 3 }, none.session)) as Detail;
    expect(d.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    const fewer = await failure(service.call('addPartitions', { name: 'growing', count: 2 }, none.session));
    expect(fewer.field).toBe('count');
    expect(fewer.message).toMatch(/already has 3 partitions/);
  });

  it('deletes records before an offset and reports the new start offset', async () => {
    await service.call('createTopic', { name: 'trimmed', partitions: 2 }, none.session);
    for (let i = 0; i < 5; i++)
      await service.call('produce', { topic: 'trimmed', partition: 0, value: `r${i}` }, none.session);
    const r = await service.call(
      'deleteRecords',
      { name: 'trimmed', partitions: [{ partition: 0, offset: '3' }] },
      none.session,
    );
    expect(r).toEqual({ partitions: [{ partition: 0, startOffset: '3' }] });
    const d = (await service.call('topicDetail', { name: 'trimmed' }, none.session)) as Detail;
    expect(d.partitions[0]).toMatchObject({ startOffset: '3', highWatermark: '5' });
    const page = (await service.call(
      'fetchMessagesPage',
      { topic: 'trimmed', partition: 0, offset: '0', limit: 10 },
      none.session,
    )) as { records: RecordView[] };
    expect(page.records.map((x) => x.value?.data)).toEqual(['r3', 'r4']);
    const past = await failure(
      service.call('deleteRecords', { name: 'trimmed', partitions: [{ partition: 0, offset: '9' }] }, none.session),
    );
    expect(past.field).toBe('offset');
  });
});

describe('consumer group admin', () => {
  type Group = import('../../../core/console/bridge.ts').GroupDetail;
  it('resets an Empty group to earliest, latest, a timestamp and an offset, and deletes it', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    await service.call('createTopic', { name: 'resettable', partitions: 1 }, none.session);
    for (let i = 0; i < 3; i++) await service.call('produce', { topic: 'resettable', value: `a${i}` }, none.session);
    await new Promise((r) => setTimeout(r, 30));
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 3; i++) await service.call('produce', { topic: 'resettable', value: `b${i}` }, none.session);
    const kafka = new Kafka({ brokers: [service.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'resetters', topic: 'resettable', partitions: [{ partition: 0, offset: '4' }] });
    await admin.disconnect();
    const committed = (g: Group) => g.offsets.find((o) => o.topic === 'resettable')?.committed;
    const reset = (to: unknown) =>
      service.call('resetGroupOffsets', { groupId: 'resetters', to }, none.session) as Promise<Group>;
    expect(committed(await reset({ kind: 'earliest' }))).toBe('0');
    expect(committed(await reset({ kind: 'latest' }))).toBe('6');
    expect(committed(await reset({ kind: 'timestamp', timestamp: t }))).toBe('3');
    expect(committed(await reset({ kind: 'offset', offset: '2' }))).toBe('2');
    expect(committed(await reset({ kind: 'offset', offset: '99' }))).toBe('6'); // clamped to the log end
    await service.call('deleteGroup', { groupId: 'resetters' }, none.session);
    const groups = (await service.call('listGroups', {}, none.session)) as { groupId: string }[];
    expect(groups.map((g) => g.groupId)).not.toContain('resetters');
  });

  it('refuses to reset or delete a group with members, with a readable message', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    await service.call('createTopic', { name: 'busy', partitions: 1 }, none.session);
    const kafka = new Kafka({ brokers: [service.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'busy-group', heartbeatInterval: 300 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'busy', fromBeginning: true });
    let joined!: () => void;
    const ready = new Promise<void>((r) => {
      joined = r;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({ eachMessage: async () => undefined });
    await ready;
    try {
      const reset = await failure(
        service.call('resetGroupOffsets', { groupId: 'busy-group', to: { kind: 'earliest' } }, none.session),
      );
      expect(reset.message).toMatch(/is Stable with 1 member; stop its consumers before resetting its offsets/);
      expect(reset.kafkaError).toBe('NON_EMPTY_GROUP');
      const del = await failure(service.call('deleteGroup', { groupId: 'busy-group' }, none.session));
      expect(del.message).toMatch(/stop its consumers before deleting it/);
    } finally {
      await consumer.disconnect();
    }
  });
});

describe('producing with acks, partitioning and templates', () => {
  it('sends one record with each acks setting, round robin and to a fixed partition', async () => {
    await service.call('createTopic', { name: 'acks-rr', partitions: 3 }, none.session);
    const one = (await service.call(
      'produce',
      { topic: 'acks-rr', value: 'a', acks: 1, partitioning: 'fixed', partition: 2 },
      none.session,
    )) as { partition: number; offset: string };
    expect(one).toMatchObject({ partition: 2, offset: '0' });
    const zero = (await service.call(
      'produce',
      { topic: 'acks-rr', value: 'b', acks: 0, partition: 1 },
      none.session,
    )) as { partition: number; offset: string };
    expect(zero).toMatchObject({ partition: 1, offset: '-1' }); // acks 0: the broker does not answer
    const rr: number[] = [];
    for (let i = 0; i < 6; i++)
      rr.push(
        (
          (await service.call(
            'produce',
            { topic: 'acks-rr', value: `r${i}`, acks: 'all', partitioning: 'roundRobin' },
            none.session,
          )) as { partition: number }
        ).partition,
      );
    expect(new Set(rr)).toEqual(new Set([0, 1, 2]));
    expect(
      (await failure(service.call('produce', { topic: 'acks-rr', value: 'x', acks: 2 }, none.session))).field,
    ).toBe('acks');
    expect(
      (await failure(service.call('produce', { topic: 'acks-rr', value: 'x', partitioning: 'fixed' }, none.session)))
        .field,
    ).toBe('partition');
  });

  it('sends a batch from templates and reports partitions and first/last offsets', async () => {
    await service.call('createTopic', { name: 'generated', partitions: 3 }, none.session);
    const args = {
      topic: 'generated',
      keyTemplate: 'k-{{i}}',
      valueTemplate: '{"n": {{i}}, "at": {{now}}}',
      valueFormat: 'json',
      partitioning: 'key',
    };
    const first = (await service.call('produceMany', { ...args, from: 0, count: 3000 }, none.session)) as {
      count: number;
      partitions: { partition: number; count: number; firstOffset: string; lastOffset: string }[];
    };
    const second = (await service.call(
      'produceMany',
      { ...args, from: 3000, count: 2000 },
      none.session,
    )) as typeof first;
    expect(first.count + second.count).toBe(5000);
    expect(first.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(first.partitions.reduce((n, p) => n + p.count, 0)).toBe(3000);
    for (const p of first.partitions) expect(BigInt(p.lastOffset) - BigInt(p.firstOffset) + 1n).toBe(BigInt(p.count));
    const detail = (await service.call('topicDetail', { name: 'generated' }, none.session)) as {
      recordCount: string;
      partitions: { partition: number; highWatermark: string }[];
    };
    expect(detail.recordCount).toBe('5000');
    for (const p of second.partitions)
      expect(detail.partitions[p.partition]!.highWatermark).toBe(String(BigInt(p.lastOffset) + 1n));
    // The same key lands on the same partition as a single keyed produce.
    const k0 = first.partitions.find((p) => p.count > 0)!;
    expect(k0).toBeDefined();
    const page = (await service.call(
      'fetchMessagesPage',
      { topic: 'generated', partition: 0, offset: '0', limit: 1 },
      none.session,
    )) as { records: RecordView[] };
    const again = (await service.call(
      'produce',
      { topic: 'generated', key: page.records[0]!.key!.data, value: '{}' },
      none.session,
    )) as { partition: number };
    expect(again.partition).toBe(0);
    expect(JSON.parse(page.records[0]!.value!.data)).toMatchObject({ n: expect.any(Number), at: expect.any(Number) });
    const rr = (await service.call(
      'produceMany',
      { topic: 'generated', valueTemplate: 'v{{i}}', from: 0, count: 9, partitioning: 'roundRobin', acks: 0 },
      none.session,
    )) as typeof first;
    expect(rr.partitions.map((p) => [p.partition, p.count, p.firstOffset])).toEqual([
      [0, 3, null],
      [1, 3, null],
      [2, 3, null],
    ]);
    const bad = await failure(
      service.call(
        'produceMany',
        { topic: 'generated', valueTemplate: '{"n": {{i}', valueFormat: 'json', from: 0, count: 1 },
        none.session,
      ),
    );
    expect(bad.field).toBe('value');
    expect(
      (
        await failure(
          service.call('produceMany', { topic: 'generated', valueTemplate: 'x', from: 0, count: 5001 }, none.session),
        )
      ).field,
    ).toBe('count');
  });
});
