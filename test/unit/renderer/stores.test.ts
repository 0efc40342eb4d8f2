// Renderer stores with a fake Bridge (no DOM, no broker).
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { topicNameError as brokerRule } from '../../../core/broker/configs.ts';
import type { Bridge, RecordView } from '../../../core/console/bridge.ts';
import { BridgeError } from '../../../renderer/src/bridge/errors.ts';
import { installBridge } from '../../../renderer/src/bridge/use-bridge.ts';
import { FakeBridge } from '../../helpers/fake-bridge.ts';
import { hexDump, preview, prettyJson } from '../../../renderer/src/lib/payload.ts';
import { topicNameError } from '../../../renderer/src/lib/topic-name.ts';
import { useProducerStore } from '../../../renderer/src/stores/producer.ts';
import { useTailStore } from '../../../renderer/src/stores/tail.ts';
import { useTopicsStore } from '../../../renderer/src/stores/topics.ts';

const rec = (offset: number): RecordView => ({
  partition: 0,
  offset: String(offset),
  timestamp: 0,
  timestampType: 'CreateTime',
  key: null,
  value: { encoding: 'utf8', data: `v${offset}`, size: 2 },
  headers: [],
});

let bridge: FakeBridge;
beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new FakeBridge();
  installBridge(bridge as unknown as Bridge);
});

describe('topic names', () => {
  it('the live check in the renderer says what the broker says', () => {
    for (const name of ['', '.', '..', 'ok', 'a.b_c-1', 'bad name', 'ü', 'x'.repeat(249), 'x'.repeat(250), 'a/b']) {
      expect(topicNameError(name)).toBe(brokerRule(name));
    }
  });
});

describe('tail store', () => {
  it('batches records, keeps only the newest `cap` rows and counts what it received', async () => {
    const tail = useTailStore();
    tail.topic = 't';
    tail.setCap(5);
    expect(await tail.open()).toBe(true);
    bridge.listener!({ type: 'records', records: [rec(0), rec(1), rec(2)] });
    expect(tail.rows).toHaveLength(0); // not yet flushed
    bridge.listener!({ type: 'records', records: [rec(3), rec(4), rec(5), rec(6)] });
    tail.flush();
    expect(tail.received).toBe(7);
    expect(tail.rows.map((r) => r.offset)).toEqual(['2', '3', '4', '5', '6']);
    expect(tail.dropped).toBe(2);
    expect(tail.lastRow?.offset).toBe('6');
  });

  it('starts over on a seek, dropping records buffered from the old position', async () => {
    const tail = useTailStore();
    tail.topic = 't';
    await tail.open();
    bridge.listener!({ type: 'records', records: [rec(0)] });
    tail.flush();
    bridge.listener!({ type: 'records', records: [rec(1)] });
    tail.startKind = 'offset';
    tail.startOffset = '7';
    bridge.answers.tailSeek = () => ({ positions: { 0: '7' } });
    await tail.seek();
    expect(bridge.calls.at(-1)).toEqual({
      op: 'tailSeek',
      args: { subscription: 'tail-1', start: { kind: 'offset', offset: '7' } },
    });
    bridge.listener!({ type: 'seeked', positions: { 0: '7' } });
    bridge.listener!({ type: 'records', records: [rec(7)] });
    tail.flush();
    expect(tail.rows.map((r) => r.offset)).toEqual(['7']);
    expect(tail.received).toBe(1);
  });

  it('pauses, resumes and stops through the bridge; shows open errors', async () => {
    const tail = useTailStore();
    expect(await tail.open()).toBe(false);
    expect(tail.error).toMatch(/Pick a topic/);
    tail.topic = 't';
    await tail.open();
    await tail.pause();
    expect(tail.status).toBe('paused');
    await tail.resume();
    expect(tail.status).toBe('running');
    await tail.stop();
    expect(bridge.calls.map((c) => c.op)).toEqual(['tailPause', 'tailResume', 'tailCancel']);
    expect(tail.status).toBe('idle');
  });
});

describe('producer store', () => {
  it('refuses bad JSON before sending and keeps the form', async () => {
    const p = useProducerStore();
    p.topic = 't';
    p.value = '{"a":';
    expect(p.valueError).not.toBeNull();
    expect(await p.send()).toBeNull();
    expect(p.error?.field).toBe('value');
    expect(bridge.calls).toHaveLength(0);
    expect(p.value).toBe('{"a":');
  });

  it('sends key, value and headers and records the result in the history', async () => {
    const p = useProducerStore();
    bridge.answers.produce = () => ({ topic: 't', partition: 2, offset: '41', timestamp: 0 });
    Object.assign(p, {
      topic: 't',
      key: 'k',
      value: '{"a":1}',
      headers: [
        { key: 'h', value: 'v' },
        { key: '', value: 'ignored' },
      ],
    });
    expect(await p.send()).toMatchObject({ partition: 2, offset: '41' });
    expect(bridge.calls[0]).toEqual({
      op: 'produce',
      args: {
        topic: 't',
        partitioning: 'key',
        acks: 'all',
        key: 'k',
        value: '{"a":1}',
        valueFormat: 'json',
        headers: [{ key: 'h', value: 'v' }],
        compression: 'none',
      },
    });
    expect(p.history[0]).toMatchObject({ partition: 2, offset: '41', key: 'k', headers: 1 });
  });

  it('sends N from a template in batches, sums the partitions, and stops when cancelled', async () => {
    const p = useProducerStore();
    bridge.answers.produceMany = (a: { from: number; count: number }) => ({
      count: a.count,
      partitions: [
        { partition: 0, count: a.count, firstOffset: String(a.from), lastOffset: String(a.from + a.count - 1) },
      ],
    });
    Object.assign(p, { topic: 't', total: 5000, acks: 1, partitioning: 'fixed', partition: 0 });
    const s = await p.generate();
    expect(bridge.calls.map((c) => (c.args as { count: number }).count)).toEqual([2000, 2000, 1000]);
    expect(bridge.calls[2]!.args).toMatchObject({
      from: 4000,
      acks: 1,
      partitioning: 'fixed',
      partition: 0,
      valueTemplate: p.valueTemplate,
    });
    expect(s).toMatchObject({
      count: 5000,
      cancelled: false,
      partitions: [{ partition: 0, count: 5000, firstOffset: '0', lastOffset: '4999' }],
    });
    bridge.calls = [];
    p.total = 100_000;
    const running = p.generate();
    p.cancel();
    expect(await running).toMatchObject({ cancelled: true, count: 2000 });
    expect(p.summary?.cancelled).toBe(true);
    p.total = 100_001;
    expect(await p.generate()).toBeNull();
    expect(p.error?.field).toBe('total');
  });
});

describe('topics store', () => {
  it('filters by search text and hides internal topics unless asked', async () => {
    const t = useTopicsStore();
    bridge.answers.listTopics = () => [
      {
        name: '__consumer_offsets',
        partitions: 50,
        replicationFactor: 1,
        internal: true,
        underReplicatedPartitions: 0,
      },
      { name: 'orders', partitions: 3, replicationFactor: 1, internal: false, underReplicatedPartitions: 0 },
      { name: 'payments', partitions: 1, replicationFactor: 1, internal: false, underReplicatedPartitions: 0 },
    ];
    bridge.answers.clusterOverview = () => null;
    await t.load();
    expect(t.filtered.map((x) => x.name)).toEqual(['orders', 'payments']);
    t.search = 'PAY';
    expect(t.filtered.map((x) => x.name)).toEqual(['payments']);
    t.search = '';
    t.showInternal = true;
    expect(t.filtered).toHaveLength(3);
  });

  it('returns a create error with the field it belongs to', async () => {
    const t = useTopicsStore();
    bridge.answers.createTopic = () => {
      throw new BridgeError({
        message: 'Replication factor: 3 larger than available brokers: 1.',
        field: 'replicationFactor',
      });
    };
    const err = await t.create({
      name: 'x',
      partitions: 1,
      replicationFactor: 3,
      configs: [{ key: 'retention.ms', value: '1000' }],
    });
    expect(err).toEqual({
      field: 'replicationFactor',
      message: 'Replication factor: 3 larger than available brokers: 1.',
    });
    expect(bridge.calls[0]!.args).toEqual({
      name: 'x',
      partitions: 1,
      replicationFactor: 3,
      configs: { 'retention.ms': '1000' },
    });
  });
});

describe('payload display', () => {
  it('previews text and binary, pretty-prints JSON, dumps hex', () => {
    expect(preview({ encoding: 'utf8', data: 'a\n b', size: 4 })).toBe('a b');
    expect(preview({ encoding: 'base64', data: 'AAEC', size: 3 })).toBe('<3 bytes binary>');
    expect(prettyJson({ encoding: 'utf8', data: '{"a":1}', size: 7 })).toBe('{\n  "a": 1\n}');
    expect(prettyJson({ encoding: 'utf8', data: 'nope', size: 4 })).toBeNull();
    expect(hexDump({ encoding: 'base64', data: 'AAFB', size: 3 })).toMatch(/^00000000 {2}00 01 41 +\.\.A$/);
  });
});

describe('tail filter and export', () => {
  const r = (offset: number, key: string, value: string, headers: [string, string][] = []): RecordView => ({
    partition: 0,
    offset: String(offset),
    timestamp: 0,
    timestampType: 'CreateTime',
    key: { encoding: 'utf8', data: key, size: key.length },
    value: { encoding: 'utf8', data: value, size: value.length },
    headers: headers.map(([k, v]) => ({ key: k, value: { encoding: 'utf8', data: v, size: v.length } })),
  });
  it('filters shown rows by key, value or header text and exports them as JSON Lines and CSV', async () => {
    const tail = useTailStore();
    tail.topic = 't';
    await tail.open();
    bridge.listener!({
      type: 'records',
      records: [
        r(0, 'alice', '{"n":1}'),
        r(1, 'bob', 'say "hi", ok', [['source', 'web']]),
        r(2, 'carol', 'Alice again'),
      ],
    });
    tail.flush();
    tail.filterText = 'ALICE';
    expect(tail.shown.map((x) => x.offset)).toEqual(['0', '2']);
    tail.filterField = 'key';
    expect(tail.shown.map((x) => x.offset)).toEqual(['0']);
    tail.filterField = 'headers';
    tail.filterText = 'web';
    expect(tail.shown.map((x) => x.offset)).toEqual(['1']);
    expect(JSON.parse(tail.exportShown('jsonl').trim())).toMatchObject({
      offset: '1',
      key: 'bob',
      value: 'say "hi", ok',
      headers: { source: 'web' },
    });
    expect(tail.exportShown('csv').split('\r\n')).toEqual([
      'partition,offset,timestamp,key,value,headers',
      `0,1,1970-01-01T00:00:00.000Z,bob,"say ""hi"", ok","{""source"":""web""}"`,
      '',
    ]);
    tail.filterText = '';
    expect(tail.exportShown('jsonl').trim().split('\n')).toHaveLength(3);
  });
});

describe('topic and group admin in the stores', () => {
  it('keeps the broker message for a refused config and returns new start offsets', async () => {
    const topics = useTopicsStore();
    bridge.answers.topicDetail = () => ({
      name: 't',
      id: 'x',
      internal: false,
      partitions: [],
      recordCount: '0',
      configs: [],
    });
    await topics.loadDetail('t');
    bridge.answers.alterTopicConfigs = () => {
      throw new BridgeError({
        message: 'INVALID_CONFIG: bad retention.ms',
        field: 'retention.ms',
        kafkaError: 'INVALID_CONFIG',
      });
    };
    expect(await topics.alterConfig('retention.ms', 'abc')).toBe('INVALID_CONFIG: bad retention.ms');
    expect(topics.detail?.name).toBe('t');
    bridge.answers.deleteRecords = () => ({ partitions: [{ partition: 0, startOffset: '3' }] });
    expect(await topics.deleteRecords(0, '3')).toEqual({ startOffset: '3' });
    expect(bridge.calls.find((c) => c.op === 'deleteRecords')?.args).toEqual({
      name: 't',
      partitions: [{ partition: 0, offset: '3' }],
    });
  });
});
