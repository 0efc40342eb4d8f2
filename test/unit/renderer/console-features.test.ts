// Renderer logic of connections, charts, create-topic checks and the cluster view, with a fake Bridge.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Bridge, ConnectionView, MetricsSample, RecordView } from '../../../core/console/bridge.ts';
import { BridgeError } from '../../../renderer/src/bridge/errors.ts';
import { installBridge } from '../../../renderer/src/bridge/use-bridge.ts';
import { FakeBridge } from '../../helpers/fake-bridge.ts';
import { emptyForm, formOf, formProblems, toInput } from '../../../renderer/src/lib/connection-form.ts';
import { checkCreateTopic, hasProblems, replicationFactorError } from '../../../renderer/src/lib/create-topic.ts';
import { formatBytes, formatCount, formatRate } from '../../../renderer/src/lib/format.ts';
import { MetricsHistory, rateBetween } from '../../../renderer/src/lib/series.ts';
import { useClusterStore } from '../../../renderer/src/stores/cluster.ts';
import { useConnectionStore } from '../../../renderer/src/stores/connection.ts';
import { useTailStore } from '../../../renderer/src/stores/tail.ts';

let bridge: FakeBridge;
beforeEach(() => {
  setActivePinia(createPinia());
  bridge = new FakeBridge();
  installBridge(bridge as unknown as Bridge);
});

const sample = (at: number, topics: Record<string, string>, groups: Record<string, string> = {}): MetricsSample => ({
  at,
  topics,
  groups,
});

describe('chart sampling math', () => {
  it('turns summed high watermarks into records/s and skips a total that went down', () => {
    expect(rateBetween({ at: 0, total: 100n }, { at: 2000, total: 300n })).toBe(100);
    expect(rateBetween({ at: 0, total: 100n }, { at: 500, total: 150n })).toBe(100);
    expect(rateBetween({ at: 0, total: 100n }, { at: 1000, total: 40n })).toBeNull();
    expect(rateBetween({ at: 1000, total: 1n }, { at: 1000, total: 5n })).toBeNull();
    // Totals past 2^53 still give exact differences.
    expect(rateBetween({ at: 0, total: 2n ** 60n }, { at: 1000, total: 2n ** 60n + 7n })).toBe(7);
  });

  it('keeps rate and lag series per topic and group, bounded, with totals and the busiest topics', () => {
    const h = new MetricsHistory(3);
    h.add(sample(0, { a: '0', b: '10' }, { g: '5' }));
    expect(h.rate('a')).toEqual([]);
    expect(h.latestRate('a')).toBeNull();
    h.add(sample(1000, { a: '50', b: '10' }, { g: '7' }));
    h.add(sample(2000, { a: '150', b: '30' }, { g: '3' }));
    expect(h.rate('a')).toEqual([
      { at: 1000, value: 50 },
      { at: 2000, value: 100 },
    ]);
    expect(h.total()).toEqual([
      { at: 1000, value: 50 },
      { at: 2000, value: 120 },
    ]);
    expect(h.busiest(5)).toEqual(['a', 'b']);
    expect(h.busiest(1)).toEqual(['a']);
    expect(h.lag('g').map((p) => p.value)).toEqual([5, 7, 3]);
    h.add(sample(3000, { a: '150', b: '30' }, { g: '0' }));
    h.add(sample(4000, { a: '160', b: '30' }, { g: '0' }));
    expect(h.rate('a')).toHaveLength(3);
    expect(h.rate('a').at(-1)).toEqual({ at: 4000, value: 10 });
    expect(h.lag('g')).toHaveLength(3);
    // A recreated topic (total down) restarts from the new total.
    h.add(sample(5000, { a: '5', b: '30' }));
    h.add(sample(6000, { a: '25', b: '30' }));
    expect(h.latestRate('a')).toBe(20);
  });

  it('formats sizes, counts and rates', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GiB');
    expect(formatCount('12345678901234567890')).toBe('12,345,678,901,234,567,890');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(2.25)).toBe('2.3');
    expect(formatRate(12_345.4)).toBe('12,345');
  });
});

describe('create-topic checks', () => {
  const existing = new Set(['orders']);
  const input = { name: 'payments', partitions: 3, replicationFactor: 1, minInsyncReplicas: null };
  it('validates the name as Kafka does, and that it is free', () => {
    expect(checkCreateTopic({ ...input, name: 'bad name' }, existing, 1).name).toMatch(/illegal/);
    expect(checkCreateTopic({ ...input, name: 'orders' }, existing, 1).name).toBe("Topic 'orders' already exists.");
    expect(checkCreateTopic(input, existing, 1).name).toBeNull();
    expect(hasProblems(checkCreateTopic(input, existing, 1))).toBe(false);
  });

  it('limits the replication factor by the live brokers, saying why', () => {
    expect(replicationFactorError(3, 1)).toBe(
      'Replication factor 3 needs 3 live brokers; the cluster has 1 live broker.',
    );
    expect(replicationFactorError(3, 3)).toBeNull();
    expect(replicationFactorError(2, null)).toBeNull();
    expect(replicationFactorError(0, 3)).toMatch(/at least 1/);
    expect(checkCreateTopic({ ...input, replicationFactor: 4 }, existing, 3).replicationFactor).toMatch(
      /has 3 live brokers/,
    );
  });

  it('checks partitions and min.insync.replicas against the replication factor', () => {
    expect(checkCreateTopic({ ...input, partitions: 0 }, existing, 1).partitions).toMatch(/at least 1 partition/);
    expect(
      checkCreateTopic({ ...input, replicationFactor: 2, minInsyncReplicas: 3 }, existing, 3).minInsyncReplicas,
    ).toMatch(/could never write/);
    expect(
      checkCreateTopic({ ...input, replicationFactor: 3, minInsyncReplicas: 2 }, existing, 3).minInsyncReplicas,
    ).toBeNull();
  });
});

describe('connection form', () => {
  it('checks what can be told before asking the cluster', () => {
    const f = emptyForm();
    expect(Object.keys(formProblems(f, false)).sort()).toEqual(['bootstrap', 'name']);
    Object.assign(f, { name: 'prod', bootstrap: 'k1:9092, k2' });
    expect(formProblems(f, false)).toEqual({ bootstrap: '"k2" is not HOST:PORT.' });
    Object.assign(f, { bootstrap: 'k1:9092,k2:9093', saslEnabled: true });
    expect(Object.keys(formProblems(f, false)).sort()).toEqual(['password', 'username']);
    f.username = 'app';
    expect(formProblems(f, true)).toEqual({});
    Object.assign(f, { tlsEnabled: true, ca: 'nope' });
    expect(Object.keys(formProblems(f, true))).toEqual(['ca']);
  });

  it('becomes a ConnectionInput: SASL and TLS only when ticked, an empty password keeps the known one', () => {
    const f = {
      ...emptyForm(),
      name: ' prod ',
      bootstrap: ' k1:9092 , k2:9093 ',
      saslEnabled: true,
      mechanism: 'SCRAM-SHA-512' as const,
      username: 'app',
      password: 'pw',
      rememberPassword: true,
    };
    expect(toInput(f)).toEqual({
      name: 'prod',
      bootstrap: 'k1:9092,k2:9093',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'app', password: 'pw' },
      tls: null,
      rememberPassword: true,
    });
    expect(toInput({ ...f, saslEnabled: false }).sasl).toBeNull();
    expect(toInput({ ...f, saslEnabled: false }).rememberPassword).toBe(false);
    const view: ConnectionView = {
      id: 'c1',
      name: 'prod',
      bootstrap: 'k1:9092',
      local: false,
      sasl: { mechanism: 'PLAIN', username: 'app' },
      tls: { ca: null, skipVerify: true },
      rememberPassword: false,
      hasPassword: true,
    };
    const edited = toInput(formOf(view));
    expect(edited).toEqual({
      id: 'c1',
      name: 'prod',
      bootstrap: 'k1:9092',
      sasl: { mechanism: 'PLAIN', username: 'app' },
      tls: { ca: null, skipVerify: true },
      rememberPassword: false,
    });
  });
});

describe('connections store', () => {
  const views: ConnectionView[] = [
    {
      id: 'local',
      name: 'Local cluster',
      bootstrap: '127.0.0.1:9092',
      local: true,
      sasl: null,
      tls: null,
      rememberPassword: false,
      hasPassword: false,
    },
    {
      id: 'c1',
      name: 'loopback',
      bootstrap: 'localhost:9092',
      local: false,
      sasl: null,
      tls: null,
      rememberPassword: false,
      hasPassword: false,
    },
  ];
  it('switches the connection and bumps the generation so views reload; keeps errors with their field', async () => {
    const conn = useConnectionStore();
    bridge.answers.listConnections = () => ({ connections: views, selected: 'c1' });
    bridge.answers.selectConnection = (a: { id: string }) => {
      if (a.id === 'bad') throw new BridgeError({ message: 'Enter the SASL password.', field: 'password' });
      return { id: a.id, name: 'loopback', bootstrap: 'localhost:9092', connected: true, controllable: false };
    };
    expect(await conn.select('c1')).toBeNull();
    expect(conn.generation).toBe(1);
    expect(conn.bootstrap).toBe('localhost:9092');
    expect(conn.current?.name).toBe('loopback');
    expect(await conn.select('bad')).toEqual({ field: 'password', message: 'Enter the SASL password.' });
    expect(conn.generation).toBe(1);
  });

  it('tests and saves the form as a ConnectionInput, returning errors next to their field', async () => {
    const conn = useConnectionStore();
    bridge.answers.testConnection = () => {
      throw new BridgeError({ message: 'TLS handshake failed', field: 'tls' });
    };
    bridge.answers.saveConnection = () => ({ connections: views, selected: 'local', saved: 'c1' });
    const form = { ...emptyForm(), name: 'loopback', bootstrap: 'localhost:9092' };
    expect(await conn.test(form)).toEqual({ error: { field: 'tls', message: 'TLS handshake failed' } });
    expect(await conn.save(form)).toEqual({ id: 'c1' });
    expect(bridge.calls.find((c) => c.op === 'saveConnection')!.args).toEqual({
      name: 'loopback',
      bootstrap: 'localhost:9092',
      sasl: null,
      tls: null,
      rememberPassword: false,
    });
    expect(conn.connections).toHaveLength(2);
  });
});

describe('cluster store', () => {
  it('runs broker actions and keeps a refused action next to its broker', async () => {
    const cluster = useClusterStore();
    const overview = { brokers: [], controllable: true } as never;
    bridge.answers.brokerControl = (a: { id: number; action: string }) => {
      if (a.action === 'kill') throw new BridgeError({ message: 'no such broker' });
      return overview;
    };
    expect(await cluster.act(2, 'stop')).toBe(true);
    expect(cluster.overview).toBe(overview);
    expect(await cluster.act(9, 'kill')).toBe(false);
    expect(cluster.actionError).toEqual({ broker: 9, message: 'no such broker' });
    expect(bridge.calls.map((c) => c.args)).toEqual([
      { id: 2, action: 'stop' },
      { id: 9, action: 'kill' },
    ]);
  });
});

describe('tail under load', () => {
  const rec = (offset: number): RecordView => ({
    partition: 0,
    offset: String(offset),
    timestamp: 0,
    timestampType: 'CreateTime',
    key: null,
    value: { encoding: 'utf8', data: `v${offset}`, size: 2 },
    headers: [],
  });
  it('buffers at most about the cap between updates, still counting every record', async () => {
    const tail = useTailStore();
    tail.topic = 't';
    tail.setCap(100);
    await tail.open();
    for (let i = 0; i < 50; i++)
      bridge.listener!({ type: 'records', records: Array.from({ length: 20 }, (_, j) => rec(i * 20 + j)) });
    tail.flush();
    expect(tail.received).toBe(1000);
    expect(tail.rows).toHaveLength(100);
    expect(tail.rows[0]!.offset).toBe('900');
    expect(tail.lastRow!.offset).toBe('999');
    expect(tail.autoScroll).toBe(true);
  });
});
