// The console service's connections, topic statistics, metrics streams and broker controls against
// a real in-process broker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import type { ClusterControl, BrokerProcessInfo } from '../../../core/cluster/cluster-control.ts';
import type {
  ClusterOverview,
  ConnectionInfo,
  ConnectionsState,
  MetricsSample,
  TailEvent,
  TopicDetail,
  TopicSummary,
} from '../../../core/console/bridge.ts';
import { ConsoleError, ConsoleService, type Session } from '../../../core/console/service.ts';

let dataDir: string;
let broker: Broker;
let port: number;
let service: ConsoleService;
const session: Session = { emit: async () => undefined };

async function failure(p: Promise<unknown>): Promise<ConsoleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConsoleError);
    return e as ConsoleError;
  }
  throw new Error('expected a failure');
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A ClusterControl that records what it was asked, over a fixed list of brokers. */
class FakeControl implements ClusterControl {
  calls: string[] = [];
  brokers: BrokerProcessInfo[];
  constructor(brokers: BrokerProcessInfo[]) {
    this.brokers = brokers;
  }
  async list() {
    return this.brokers;
  }
  async stop(id: number) {
    this.calls.push(`stop ${id}`);
  }
  async kill(id: number) {
    this.calls.push(`kill ${id}`);
  }
  async start(id: number) {
    this.calls.push(`start ${id}`);
  }
  async add() {
    this.calls.push('add');
    return this.brokers[0]!;
  }
  onChange() {
    return () => undefined;
  }
}

const call = <T>(op: string, args: unknown = {}) => service.call(op, args, session) as Promise<T>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-console-cluster-'));
  broker = singleNodeBroker({ port: 0, dataDir, config: new BrokerConfig({}) });
  ({ port } = await broker.start());
});

afterAll(async () => {
  await service?.close();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('connections', () => {
  it('adds a second connection to the same broker, tests it, switches to it and back, and keeps it in the settings file', async () => {
    const settingsPath = join(dataDir, 'console.json');
    service = new ConsoleService({ bootstrap: `localhost:${port}`, settingsPath });
    await call('createTopic', { name: 'seen-from-both', partitions: 1 });
    const input = { name: 'Loopback', bootstrap: `127.0.0.1:${port}`, sasl: null, tls: null, rememberPassword: false };
    const tested = await call<{ brokers: number; ms: number }>('testConnection', input);
    expect(tested.brokers).toBe(1);
    const saved = await call<ConnectionsState & { saved: string }>('saveConnection', input);
    expect(saved.connections.map((c) => c.name)).toEqual(['Local cluster', 'Loopback']);
    const info = await call<ConnectionInfo>('selectConnection', { id: saved.saved });
    expect(info).toMatchObject({
      id: saved.saved,
      name: 'Loopback',
      bootstrap: `127.0.0.1:${port}`,
      connected: true,
      controllable: false,
    });
    const topics = await call<TopicSummary[]>('listTopics');
    expect(topics.map((t) => t.name)).toContain('seen-from-both');
    // A new service (the next start) remembers the list and the selection.
    await service.close();
    service = new ConsoleService({ bootstrap: `localhost:${port}`, settingsPath });
    expect((await call<ConnectionInfo>('connection')).name).toBe('Loopback');
    expect((await call<ConnectionInfo>('selectConnection', { id: 'local' })).bootstrap).toBe(`localhost:${port}`);
    const left = await call<ConnectionsState>('deleteConnection', { id: saved.saved });
    expect(left.connections).toHaveLength(1);
  });

  it('says readably why SASL or TLS fails against a broker without them, and that nothing listens', async () => {
    const sasl = await failure(
      call('testConnection', {
        name: 'sasl',
        bootstrap: `127.0.0.1:${port}`,
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' },
        tls: null,
        rememberPassword: false,
      }),
    );
    expect(sasl.field).toBe('sasl');
    expect(sasl.message).toMatch(/closed the connection during SASL authentication/);
    const tls = await failure(
      call('testConnection', {
        name: 'tls',
        bootstrap: `127.0.0.1:${port}`,
        sasl: null,
        tls: { ca: null, skipVerify: true },
        rememberPassword: false,
      }),
    );
    expect(tls.field).toBe('tls');
    expect(tls.message).toMatch(/TLS handshake .* failed/);
    const none = await failure(
      call('testConnection', {
        name: 'none',
        bootstrap: '127.0.0.1:1',
        sasl: null,
        tls: null,
        rememberPassword: false,
      }),
    );
    expect(none).toMatchObject({
      field: 'bootstrap',
      message: 'Could not connect to the Kafka broker at 127.0.0.1:1 (connection refused).',
    });
    const noPassword = await failure(
      call('saveConnection', {
        name: 'x',
        bootstrap: 'h:1',
        sasl: { mechanism: 'PLAIN', username: 'u' },
        tls: null,
        rememberPassword: false,
      }),
    );
    expect(noPassword.field).toBe('password');
  });
});

describe('topic statistics', () => {
  it('lists record counts and sizes, and partition sizes in the detail', async () => {
    await call('createTopic', { name: 'counted', partitions: 2 });
    await call('produceMany', {
      topic: 'counted',
      partitioning: 'fixed',
      partition: 0,
      valueTemplate: 'value-{{i}}',
      from: 0,
      count: 30,
    });
    await call('produceMany', {
      topic: 'counted',
      partitioning: 'fixed',
      partition: 1,
      valueTemplate: 'value-{{i}}',
      from: 0,
      count: 12,
    });
    await call('deleteRecords', { name: 'counted', partitions: [{ partition: 0, offset: '10' }] });
    const t = (await call<TopicSummary[]>('listTopics')).find((x) => x.name === 'counted')!;
    expect(t.recordCount).toBe('32');
    expect(t.sizeBytes).toBeGreaterThan(30 * 7);
    const d = await call<TopicDetail>('topicDetail', { name: 'counted' });
    expect(d.partitions.map((p) => p.sizeBytes! > 0)).toEqual([true, true]);
    expect(d.partitions[0]!.sizeBytes! + d.partitions[1]!.sizeBytes!).toBe(t.sizeBytes);
  });

  it('handles a thousand topics in one listing', async () => {
    for (let i = 0; i < 1000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          call('createTopic', { name: `bulk-${String(i + j).padStart(4, '0')}`, partitions: 1 }),
        ),
      );
    }
    const started = Date.now();
    const list = await call<TopicSummary[]>('listTopics');
    expect(list.filter((t) => t.name.startsWith('bulk-'))).toHaveLength(1000);
    expect(list.every((t) => t.recordCount !== null)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('metrics streams', () => {
  it('samples high watermarks and group lag while open, and stops when cancelled', async () => {
    await call('createTopic', { name: 'metered', partitions: 2 });
    const events: TailEvent[] = [];
    const s: Session = {
      emit: async (_sub, e) => {
        events.push(e);
      },
    };
    const opened = await service.openTail(
      { stream: 'metrics', topics: ['metered'], groups: ['no-such-group'], intervalMs: 500 },
      s,
    );
    const samples = () =>
      events.filter((e): e is { type: 'sample'; sample: MetricsSample } => e.type === 'sample').map((e) => e.sample);
    await until(() => samples().length >= 1);
    expect(samples()[0]!.topics).toEqual({ metered: '0' });
    expect(samples()[0]!.groups).toEqual({ 'no-such-group': '0' });
    await call('produceMany', {
      topic: 'metered',
      partitioning: 'roundRobin',
      valueTemplate: 'v{{i}}',
      from: 0,
      count: 40,
    });
    await until(() => samples().at(-1)!.topics.metered === '40');
    expect(samples().at(-1)!.at).toBeGreaterThan(samples()[0]!.at);
    await service.call('tailCancel', { subscription: opened.subscription }, s);
    expect(events.at(-1)).toEqual({ type: 'closed' });
    const n = events.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(events).toHaveLength(n);
    const bad = await failure(service.openTail({ stream: 'metrics', topics: 'some' }, s));
    expect(bad.field).toBe('topics');
  });

  it("samples every non-internal topic with '*'", async () => {
    const events: TailEvent[] = [];
    const s: Session = {
      emit: async (_sub, e) => {
        events.push(e);
      },
    };
    const opened = await service.openTail({ stream: 'metrics', topics: '*', intervalMs: 500 }, s);
    await until(() => events.some((e) => e.type === 'sample'));
    const sample = (events.find((e) => e.type === 'sample') as { sample: MetricsSample }).sample;
    expect(sample.topics.counted).toBe('42');
    expect(Object.keys(sample.topics)).not.toContain('__consumer_offsets');
    await service.call('tailCancel', { subscription: opened.subscription }, s);
  });
});

describe('replication factor', () => {
  it('refuses more replicas than live brokers, and no change at all, next to the field', async () => {
    const more = await failure(call('alterReplicationFactor', { name: 'counted', replicationFactor: 2 }));
    expect(more).toMatchObject({
      field: 'replicationFactor',
      message: 'Replication factor 2 is more than the 1 live broker.',
    });
    const same = await failure(call('alterReplicationFactor', { name: 'counted', replicationFactor: 1 }));
    expect(same.message).toMatch(/already has 1 replica/);
    const missing = await failure(call('alterReplicationFactor', { name: 'nope', replicationFactor: 1 }));
    expect(missing.message).toMatch(/does not exist/);
  });
});

describe('cluster overview and broker controls', () => {
  it('shows brokers with status and disk; controls only with a ClusterControl on the local cluster', async () => {
    const plain = await call<ClusterOverview>('clusterOverview');
    expect(plain.controllable).toBe(false);
    expect(plain.brokers[0]).toMatchObject({ status: 'online', pid: null, inProcess: false });
    expect(plain.brokers[0]!.diskBytes).toBeGreaterThan(0);
    expect(plain.offlinePartitions).toBe(0);
    expect((await failure(call('brokerControl', { id: 1, action: 'stop' }))).message).toMatch(
      /cannot stop or start brokers/,
    );

    const control = new FakeControl([
      {
        id: 1,
        host: '127.0.0.1',
        port,
        pid: 111,
        status: 'running',
        inProcess: false,
        exitCode: null,
        signal: null,
        startedAt: 1,
        fenced: false,
        partitionsLed: 0,
        diskBytes: 5,
      },
      {
        id: 2,
        host: '127.0.0.1',
        port: port + 1,
        pid: null,
        status: 'dead',
        inProcess: false,
        exitCode: null,
        signal: 'SIGKILL',
        startedAt: 1,
        fenced: true,
        partitionsLed: 0,
        diskBytes: 77,
      },
    ]);
    const local = new ConsoleService({ bootstrap: `127.0.0.1:${port}`, clusterControl: control });
    try {
      const o = (await local.call('clusterOverview', {}, session)) as ClusterOverview;
      expect(o.controllable).toBe(true);
      expect(o.brokers.map((b) => [b.nodeId, b.status, b.pid, b.inProcess])).toEqual([
        [1, 'online', 111, false],
        [2, 'dead', null, false],
      ]);
      expect(o.brokers[1]!.diskBytes).toBe(77);
      await local.call('brokerControl', { id: 2, action: 'start' }, session);
      await local.call('brokerControl', { id: 1, action: 'kill' }, session);
      await local.call('addBroker', {}, session);
      expect(control.calls).toEqual(['start 2', 'kill 1', 'add']);
      expect((await failure(local.call('brokerControl', { id: 1, action: 'explode' }, session))).field).toBe('action');
      // A remote connection has no broker controls.
      const saved = (await local.call(
        'saveConnection',
        { name: 'remote', bootstrap: `localhost:${port}`, sasl: null, tls: null, rememberPassword: false },
        session,
      )) as { saved: string };
      expect(
        ((await local.call('selectConnection', { id: saved.saved }, session)) as ConnectionInfo).controllable,
      ).toBe(false);
      expect(((await local.call('clusterOverview', {}, session)) as ClusterOverview).controllable).toBe(false);
      expect((await failure(local.call('addBroker', {}, session))).message).toMatch(/only on the local cluster/);
    } finally {
      await local.close();
    }
  });
});
