// The console service: every operation behind the Bridge, as one handler table (operation name →
// async function with validated arguments), plus tails (live reads without a consumer group) as
// subscriptions the caller can pause, resume, seek and cancel. It reaches the cluster only through
// @platformatic/kafka, so the local broker and a remote Kafka cluster take the same path. It knows
// nothing of its transport: the WebSocket host and (later) Electron IPC both call `call` / `openTail`
// with a Session that carries events back.
import { Admin, Consumer, Producer, defaultPartitioner, metadataV12 } from '@platformatic/kafka';

type MetadataResponse = Awaited<ReturnType<typeof metadataV12.api.async>>;
import { parseBootstrap } from '../client/bootstrap.ts';
import { partitionKey as key } from '../client/connection-api.ts';
import { describeFailure, kafkaErrorId, leafErrors } from '../client/errors.ts';
import { offsetsByLeader, type LeaderPartition } from '../client/list-offsets.ts';
import { logDirSizes } from '../client/log-dirs.ts';
import { clientOptions } from '../client/options.ts';
import { PartitionReader, type ConsumedRecord } from '../client/partition-reader.ts';
import { alterReassignments, listReassignments } from '../client/reassignments.ts';
import type { BrokerProcessInfo, ClusterControl } from '../cluster/cluster-control.ts';
import type {
  BridgeErrorInfo,
  BrokerInfo,
  BrokerStatus,
  ClusterOverview,
  Compression,
  ConfigEntry,
  ConfigSourceName,
  ConnectionInfo,
  ConnectionsState,
  ConnectionTestResult,
  GroupDetail,
  GroupOffset,
  GroupSummary,
  DeleteRecordsResult,
  MetricsSample,
  OperationName,
  Operations,
  Payload,
  ProduceManyResult,
  ProduceResult,
  ReassignmentsResult,
  RecordView,
  ResetTarget,
  StartPosition,
  TailArgs,
  TailEvent,
  TailOpened,
  TopicDetail,
  TopicSummary,
} from './bridge.ts';
import {
  ConnectionError,
  ConnectionStore,
  LOCAL_ID,
  connectionFailure,
  securityOptions,
  type StoredConnection,
} from './connection-store.ts';
import { planReplicas } from './kafka-apis.ts';
import { topicNameError } from '../protocol/topic-name.ts';

/** An error a user caused or can act on; crosses the bridge as its message (and the field it belongs to). */
export class ConsoleError extends Error {
  kafkaError: string | undefined;
  field: string | undefined;
  constructor(message: string, field?: string, kafkaError?: string) {
    super(message);
    this.field = field;
    this.kafkaError = kafkaError;
  }
}

/** The caller's side of a connection: where tail events go. `emit` resolves when the transport can take more. */
export interface Session {
  emit(subscription: string, event: TailEvent): Promise<void>;
}

const INTERNAL = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);
const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const SOURCES: Record<number, ConfigSourceName> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};
export const MAX_PER_PUSH = 2000;
/** Most records one produceMany call sends; the renderer sends N as a sequence of such batches. */
export const MAX_PRODUCE_BATCH = 5000;
const DEFAULT_PER_PUSH = 500;
const POLL_WAIT_MS = 250;

// ---- argument validation ------------------------------------------------------------------

type Args = Record<string, unknown>;

function asArgs(v: unknown): Args {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConsoleError('arguments must be an object');
  return v as Args;
}

function str(a: Args, name: string): string {
  const v = a[name];
  if (typeof v !== 'string') throw new ConsoleError(`${name} must be a string`, name);
  return v;
}

function optStr(a: Args, name: string): string | undefined {
  return a[name] === undefined || a[name] === null ? undefined : str(a, name);
}

function optInt(a: Args, name: string, min: number, max = 2 ** 31 - 1): number | undefined {
  const v = a[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConsoleError(`${name} must be a whole number from ${min} to ${max}`, name);
  }
  return n;
}

function offsetText(v: unknown, name: string): bigint {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^\d+$/.test(s.trim()))
    throw new ConsoleError(`${name} must be an offset (a whole number ≥ 0)`, name);
  return BigInt(s.trim());
}

/** earliest, latest, an offset or a timestamp (the positions a tail start and a group reset share); undefined for anything else. */
function commonPosition(a: Record<string, unknown>): ResetTarget | undefined {
  switch (a.kind) {
    case 'earliest':
    case 'latest':
      return { kind: a.kind };
    case 'offset':
      return { kind: 'offset', offset: offsetText(a.offset, 'offset').toString() };
    case 'timestamp': {
      const t = a.timestamp;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw new ConsoleError('timestamp must be milliseconds since the epoch', 'timestamp');
      return { kind: 'timestamp', timestamp: Math.floor(t) };
    }
    default:
      return undefined;
  }
}

function startPosition(v: unknown): StartPosition {
  const a = asArgs(v);
  if (a.kind === 'lastN') return { kind: 'lastN', n: optInt(a, 'n', 1, 1_000_000) ?? 100 };
  const p = commonPosition(a);
  if (!p) throw new ConsoleError('start must be earliest, latest, offset, timestamp or lastN', 'start');
  return p;
}

function resetTarget(v: unknown): ResetTarget {
  const p = commonPosition(asArgs(v));
  if (!p) throw new ConsoleError('reset to earliest, latest, a timestamp or an offset', 'to');
  return p;
}

// ---- conversions ------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function toPayload(b: Buffer | null | undefined): Payload | null {
  if (b === null || b === undefined) return null;
  try {
    return { encoding: 'utf8', data: utf8.decode(b), size: b.length };
  } catch {
    return { encoding: 'base64', data: b.toString('base64'), size: b.length };
  }
}

function toRecordView(r: ConsumedRecord): RecordView {
  return {
    partition: r.partition,
    offset: r.offset.toString(),
    timestamp: Number(r.timestamp),
    timestampType: r.timestampType,
    key: toPayload(r.key),
    value: toPayload(r.value),
    headers: r.headers.map(([k, v]) => ({ key: k ? k.toString('utf8') : '', value: toPayload(v) })),
  };
}

/** A readable error for the bridge: our own messages as they are, client errors with the Kafka error name. */
export function errorInfo(
  e: unknown,
  bootstrap: string[],
  fieldFor: (kafkaError: string) => string | undefined = () => undefined,
): BridgeErrorInfo {
  if (e instanceof ConsoleError) {
    const info: BridgeErrorInfo = { message: e.message };
    if (e.field) info.field = e.field;
    if (e.kafkaError) info.kafkaError = e.kafkaError;
    return info;
  }
  const id = kafkaErrorId(e);
  const info: BridgeErrorInfo = { message: describeFailure(e, bootstrap) };
  if (id) {
    info.kafkaError = id;
    const f = fieldFor(id);
    if (f) info.field = f;
  }
  return info;
}

const CREATE_FIELDS: Record<string, string> = {
  INVALID_TOPIC_EXCEPTION: 'name',
  TOPIC_ALREADY_EXISTS: 'name',
  INVALID_PARTITIONS: 'partitions',
  INVALID_REPLICATION_FACTOR: 'replicationFactor',
  INVALID_CONFIG: 'configs',
  POLICY_VIOLATION: 'configs',
};

// ---- tails ------------------------------------------------------------------------------------

class Tail {
  readonly id: string;
  readonly topic: string;
  readonly partitions: number[];
  readonly reader: PartitionReader;
  readonly consumer: Consumer;
  readonly maxPerPush: number;
  paused = false;
  cancelled = false;
  pendingSeek: { start: StartPosition; done: (r: { positions: Record<number, string> } | Error) => void } | null = null;
  #wake: (() => void) | null = null;
  finished: Promise<void> = Promise.resolve();

  constructor(id: string, topic: string, partitions: number[], consumer: Consumer, maxPerPush: number) {
    this.id = id;
    this.topic = topic;
    this.partitions = partitions;
    this.consumer = consumer;
    this.reader = new PartitionReader(consumer, topic);
    this.maxPerPush = maxPerPush;
  }

  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

// ---- the service ------------------------------------------------------------------------------

export interface ConsoleServiceOptions {
  /** Bootstrap servers of the local cluster, "host:port[,host:port]". */
  bootstrap: string;
  clientId?: string;
  /** Where the connection list is kept (e.g. `<data-dir>/console.json`); absent: only in memory. */
  settingsPath?: string;
  /** The local cluster's broker processes; absent (or a remote connection selected): no broker controls. */
  clusterControl?: ClusterControl;
}

/** An open stream (a record tail or a metrics sampler) and the session its events go to. */
interface StreamEntry {
  session: Session;
  tail?: Tail;
  cancel(): Promise<void>;
}

const MIN_SAMPLE_MS = 500;
const DEFAULT_SAMPLE_MS = 2000;

type Handler<K extends OperationName> = (args: Args, session: Session) => Promise<Operations[K]['result']>;

export class ConsoleService {
  #bootstrap: string[];
  readonly #clientId: string;
  #admin: Admin | undefined;
  #producer: Producer | undefined;
  readonly #tails = new Map<string, StreamEntry>();
  #nextTail = 1;
  readonly #roundRobin = new Map<string, number>();
  readonly #connections: ConnectionStore;
  /** The connection in use; an ad-hoc one after `connect`. */
  #conn: StoredConnection;
  readonly #control: ClusterControl | undefined;

  constructor(opts: ConsoleServiceOptions) {
    this.#clientId = opts.clientId ?? 'samsa-console';
    this.#connections = new ConnectionStore(parseBootstrap(opts.bootstrap).join(','), opts.settingsPath);
    this.#conn = this.#connections.selected;
    this.#bootstrap = parseBootstrap(this.#conn.bootstrap);
    this.#control = opts.clusterControl;
  }

  get bootstrap(): string {
    return this.#bootstrap.join(',');
  }

  /** Client options for the connection in use: bootstrap, timeouts, SASL and TLS. */
  #options(suffix: string) {
    return {
      ...clientOptions(this.#bootstrap, `${this.#clientId}-${suffix}`),
      ...securityOptions(this.#conn, this.#connections.password(this.#conn.id)),
    };
  }

  #adminClient(): Admin {
    this.#admin ??= new Admin(this.#options('admin'));
    return this.#admin;
  }

  #producerClient(): Producer {
    this.#producer ??= new Producer({ ...this.#options('producer'), acks: -1, autocreateTopics: false });
    return this.#producer;
  }

  get #controllable(): boolean {
    return this.#control !== undefined && this.#conn.id === LOCAL_ID;
  }

  #info(connected: boolean): ConnectionInfo {
    return {
      bootstrap: this.bootstrap,
      connected,
      id: this.#conn.id,
      name: this.#conn.name,
      controllable: this.#controllable,
    };
  }

  #state(): ConnectionsState {
    return { connections: this.#connections.list(), selected: this.#conn.id };
  }

  /** Switches to another cluster: clients are closed and streams of the old one end. */
  async #switchTo(conn: StoredConnection): Promise<void> {
    await Promise.all([...this.#tails.values()].map((e) => e.cancel()));
    await this.#closeClients();
    this.#conn = conn;
    this.#bootstrap = parseBootstrap(conn.bootstrap);
  }

  /** Connects once with a connection's settings (a new client, closed after) and reports what it found. */
  async #test(conn: StoredConnection, password: string | undefined): Promise<ConnectionTestResult> {
    const started = Date.now();
    const admin = new Admin({
      ...clientOptions(parseBootstrap(conn.bootstrap), `${this.#clientId}-test`),
      ...securityOptions(conn, password),
    });
    try {
      const conns = await admin.connectToBrokers(null);
      const c = conns.values().next().value;
      if (!c) throw new ConsoleError(`Could not connect to the Kafka broker at ${conn.bootstrap}.`, 'bootstrap');
      const meta = await metadataV12.api.async(c, [], false, false);
      return {
        brokers: meta.brokers.length,
        clusterId: meta.clusterId ?? null,
        controllerId: meta.controllerId,
        ms: Date.now() - started,
      };
    } catch (e) {
      const f = connectionFailure(e, conn);
      if (f) throw new ConsoleError(f.message, f.field);
      throw e;
    } finally {
      await admin.close().catch(() => undefined);
    }
  }

  /** Runs one operation; failures come back as BridgeErrorInfo-shaped ConsoleErrors. */
  async call(op: string, rawArgs: unknown, session: Session): Promise<unknown> {
    const handler = (this.handlers as Record<string, Handler<OperationName> | undefined>)[op];
    if (!handler || !Object.hasOwn(this.handlers, op)) throw new ConsoleError(`unknown operation "${op}"`);
    try {
      return await handler(asArgs(rawArgs), session);
    } catch (e) {
      throw this.#failure(e, op === 'createTopic' ? (id) => CREATE_FIELDS[id] : undefined);
    }
  }

  /** Any failure as a ConsoleError: mistakes in a connection's settings, connection failures (TLS, SASL) readable, Kafka errors named. */
  #failure(e: unknown, fieldFor?: (kafkaError: string) => string | undefined): ConsoleError {
    if (e instanceof ConnectionError) return new ConsoleError(e.message, e.field);
    if (!(e instanceof ConsoleError) && !kafkaErrorId(e)) {
      const f = connectionFailure(e, this.#conn);
      if (f) return new ConsoleError(f.message, f.field === 'bootstrap' ? undefined : f.field);
    }
    const info = errorInfo(e, this.#bootstrap, fieldFor);
    return new ConsoleError(info.message, info.field, info.kafkaError);
  }

  readonly handlers: { [K in OperationName]: Handler<K> } = {
    connection: async () => this.#info(await this.#reachable()),
    connect: async (a) => {
      const list = (() => {
        try {
          return parseBootstrap(str(a, 'bootstrap'));
        } catch (e) {
          throw new ConsoleError((e as Error).message.replace('--bootstrap-server', 'bootstrap'), 'bootstrap');
        }
      })();
      const local = this.#connections.get(LOCAL_ID)!;
      await this.#switchTo(
        list.join(',') === local.bootstrap
          ? local
          : {
              id: 'adhoc',
              name: list.join(','),
              bootstrap: list.join(','),
              sasl: null,
              tls: null,
              rememberPassword: false,
            },
      );
      return this.#info(await this.#reachable());
    },
    listConnections: async () => this.#state(),
    testConnection: async (a) => {
      const { conn, password } = this.#connections.resolve(a);
      if (conn.sasl && password === undefined) throw new ConsoleError('Enter the SASL password.', 'password');
      return this.#test(conn, password);
    },
    saveConnection: async (a) => {
      const { conn, password } = this.#connections.resolve(a);
      this.#connections.upsert(conn, password);
      // Saving the connection in use applies its new settings at once.
      if (this.#conn.id === conn.id) await this.#switchTo(conn);
      return { ...this.#state(), saved: conn.id };
    },
    deleteConnection: async (a) => {
      const id = str(a, 'id');
      const wasSelected = this.#conn.id === id;
      this.#connections.remove(id);
      if (wasSelected) await this.#switchTo(this.#connections.selected);
      return this.#state();
    },
    selectConnection: async (a) => {
      const conn = this.#connections.select(str(a, 'id'), optStr(a, 'password'));
      await this.#switchTo(conn);
      let connected = false;
      try {
        await this.#askBroker([]);
        connected = true;
      } catch (e) {
        // A SASL or TLS mistake is worth saying now, next to the connection; an unreachable cluster shows in the header.
        const f = connectionFailure(e, conn);
        if (f && f.field !== 'bootstrap') throw new ConsoleError(f.message, f.field);
      }
      return this.#info(connected);
    },
    clusterOverview: async () => this.#overview(),
    brokerControl: async (a) => {
      const control = this.#requireControl();
      const id = optInt(a, 'id', 0);
      if (id === undefined) throw new ConsoleError('id must be a broker id', 'id');
      const action = a.action;
      if (action === 'stop') await control.stop(id);
      else if (action === 'kill') await control.kill(id);
      else if (action === 'start') await control.start(id);
      else throw new ConsoleError('action must be stop, kill or start', 'action');
      return this.#overview();
    },
    addBroker: async () => {
      await this.#requireControl().add();
      return this.#overview();
    },
    listTopics: async (a) => this.#listTopics(a.includeInternal === true),
    createTopic: async (a) => this.#createTopic(a),
    deleteTopic: async (a) => {
      const name = str(a, 'name');
      await this.#adminClient().deleteTopics({ topics: [name] });
      return { deleted: name };
    },
    topicDetail: async (a) => this.#topicDetail(str(a, 'name')),
    alterTopicConfigs: async (a) => this.#alterTopicConfigs(a),
    addPartitions: async (a) => {
      const name = str(a, 'name');
      const count = optInt(a, 'count', 1, 1_000_000);
      if (count === undefined) throw new ConsoleError('count must be the new total number of partitions', 'count');
      const current = (await this.#topicDetail(name)).partitions.length;
      if (count <= current) {
        throw new ConsoleError(
          `Topic '${name}' already has ${current} partition${current === 1 ? '' : 's'}; the new count must be larger (partitions can only be added).`,
          'count',
          'INVALID_PARTITIONS',
        );
      }
      await this.#adminClient().createPartitions({ topics: [{ name, count }] });
      return this.#topicDetail(name);
    },
    deleteRecords: async (a) => this.#deleteRecords(a),
    alterReplicationFactor: async (a) => this.#alterReplicationFactor(a),
    listReassignments: async (a) => this.#reassignments(str(a, 'name')),
    cancelReassignments: async (a) => {
      const name = str(a, 'name');
      const now = await this.#reassignments(name);
      if (now.partitions.length === 0) return now;
      const meta = await this.#fullMetadata();
      await alterReassignments(
        this.#adminClient(),
        meta.controllerId,
        name,
        new Map(now.partitions.map((p) => [p.partition, null])),
      );
      return this.#reassignments(name);
    },
    produce: async (a) => this.#produce(a),
    produceMany: async (a) => this.#produceMany(a),
    fetchMessagesPage: async (a) => {
      const topic = str(a, 'topic');
      const partition = optInt(a, 'partition', 0) ?? 0;
      const from = offsetText(a.offset, 'offset');
      const limit = optInt(a, 'limit', 1, 10_000) ?? 100;
      return this.#fetchPage(topic, partition, from, limit);
    },
    listGroups: async () => {
      const groups = await this.#adminClient().listGroups();
      return [...groups.values()]
        .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
        .map((g): GroupSummary => ({ groupId: g.id, state: stateName(g.state), protocolType: g.protocolType }))
        .sort((x, y) => x.groupId.localeCompare(y.groupId));
    },
    describeGroup: async (a) => this.#describeGroup(str(a, 'groupId')),
    resetGroupOffsets: async (a) => this.#resetGroupOffsets(a),
    deleteGroup: async (a) => {
      const groupId = str(a, 'groupId');
      const d = await this.#describeGroup(groupId);
      if (d.state !== 'Empty') throw new ConsoleError(notEmpty(d, 'deleting it'), 'groupId', 'NON_EMPTY_GROUP');
      await this.#adminClient().deleteGroups({ groups: [groupId] });
      return { deleted: groupId };
    },
    tailPause: async (a, s) => {
      const t = this.#tail(a, s);
      if (!t.paused) {
        t.paused = true;
        await s.emit(t.id, { type: 'paused' });
      }
      return { ok: true };
    },
    tailResume: async (a, s) => {
      const t = this.#tail(a, s);
      if (t.paused) {
        t.paused = false;
        t.wake();
        await s.emit(t.id, { type: 'resumed' });
      }
      return { ok: true };
    },
    tailSeek: async (a, s) => {
      const t = this.#tail(a, s);
      const start = startPosition(a.start);
      return new Promise((resolve, reject) => {
        t.pendingSeek?.done(new ConsoleError('replaced by a newer seek'));
        t.pendingSeek = { start, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) };
        t.wake();
      });
    },
    tailCancel: async (a, s) => {
      const id = str(a, 'subscription');
      const entry = this.#tails.get(id);
      if (!entry || entry.session !== s) throw new ConsoleError(`no stream with subscription "${id}"`);
      await entry.cancel();
      return { ok: true };
    },
  };

  #tail(a: Args, session: Session): Tail {
    const id = str(a, 'subscription');
    const entry = this.#tails.get(id);
    if (!entry || entry.session !== session || !entry.tail) throw new ConsoleError(`no tail with subscription "${id}"`);
    return entry.tail;
  }

  /** Whether a broker of the cluster answers now (asked, not the client's cached metadata). */
  async #reachable(): Promise<boolean> {
    try {
      await this.#askBroker([]);
      return true;
    } catch {
      return false;
    }
  }

  /** One Metadata request for all topics (fast with 10,000 topics), to the first broker that answers. */
  #fullMetadata(): Promise<MetadataResponse> {
    return this.#askBroker(null);
  }

  /**
   * A Metadata request (`null`: every topic; `[]`: brokers only) to the first broker that answers.
   * The client's broker list is refreshed first: for a request without topics it is cached for good
   * (so it says nothing about whether a broker is up now), and connecting to every broker it lists
   * fails for as long as one of them is gone (killed or stopped).
   */
  async #askBroker(topics: null | []): Promise<MetadataResponse> {
    const admin = this.#adminClient();
    const { brokers } = await admin.metadata({ topics: [], forceUpdate: true });
    let failure: unknown;
    for (const id of brokers.keys()) {
      try {
        const conn = (await admin.connectToBrokers([id])).get(id);
        if (conn) return await metadataV12.api.async(conn, topics, false, false);
      } catch (e) {
        failure = e;
      }
    }
    throw failure ?? new ConsoleError(`Could not connect to the Kafka broker at ${this.bootstrap}.`);
  }

  async #overview(): Promise<ClusterOverview> {
    const controllable = this.#controllable;
    const [meta, processes] = await Promise.all([
      this.#fullMetadata(),
      controllable
        ? this.#control!.list().catch(() => [] as BrokerProcessInfo[])
        : Promise.resolve([] as BrokerProcessInfo[]),
    ]);
    const led = new Map<number, number>();
    let partitions = 0,
      under = 0,
      internal = 0,
      topics = 0,
      offline = 0;
    for (const t of meta.topics) {
      if (t.errorCode !== 0 || t.name === null) continue;
      topics++;
      if (t.isInternal || INTERNAL.has(t.name!)) internal++;
      for (const p of t.partitions) {
        partitions++;
        if (p.isrNodes.length < p.replicaNodes.length) under++;
        if (p.leaderId < 0) offline++;
        else led.set(p.leaderId, (led.get(p.leaderId) ?? 0) + 1);
      }
    }
    const disk = await logDirSizes(
      this.#adminClient(),
      meta.brokers.map((b) => b.nodeId),
      null,
    ).catch(() => undefined);
    const brokers = new Map<number, BrokerInfo>();
    for (const b of meta.brokers) {
      brokers.set(b.nodeId, {
        nodeId: b.nodeId,
        host: b.host,
        port: b.port,
        rack: b.rack ?? null,
        isController: b.nodeId === meta.controllerId,
        partitionsLed: led.get(b.nodeId) ?? 0,
        status: 'online',
        diskBytes: disk?.brokers.get(b.nodeId) ?? null,
        pid: null,
        inProcess: false,
      });
    }
    // The local cluster's supervisor knows brokers the metadata no longer lists (stopped, dead, fenced).
    for (const p of processes) {
      const known = brokers.get(p.id);
      const status: BrokerStatus =
        p.status === 'running' ? (p.fenced ? 'fenced' : known ? 'online' : 'starting') : p.status;
      brokers.set(p.id, {
        nodeId: p.id,
        host: known?.host ?? p.host,
        port: known?.port ?? p.port,
        rack: known?.rack ?? null,
        isController: known?.isController ?? false,
        partitionsLed: led.get(p.id) ?? 0,
        status,
        diskBytes: known?.diskBytes ?? p.diskBytes,
        pid: p.pid,
        inProcess: p.inProcess,
      });
    }
    return {
      bootstrap: this.bootstrap,
      clusterId: meta.clusterId ?? null,
      controllerId: meta.controllerId,
      brokers: [...brokers.values()].sort((x, y) => x.nodeId - y.nodeId),
      topicCount: topics,
      internalTopicCount: internal,
      partitionCount: partitions,
      underReplicatedPartitions: under,
      offlinePartitions: offline,
      controllable,
    };
  }

  #requireControl(): ClusterControl {
    if (!this.#controllable) {
      throw new ConsoleError(
        this.#control
          ? 'Brokers can be stopped and started only on the local cluster; switch to it first.'
          : "This console was not started with the local cluster's supervisor, so it cannot stop or start brokers.",
      );
    }
    return this.#control!;
  }

  /** Every topic with its record count and size: one Metadata request, ListOffsets per leader, DescribeLogDirs per broker. */
  async #listTopics(includeInternal: boolean): Promise<TopicSummary[]> {
    const meta = await this.#fullMetadata();
    const shown = meta.topics.filter(
      (t) => t.name !== null && t.errorCode === 0 && (includeInternal || !(t.isInternal || INTERNAL.has(t.name!))),
    );
    const parts: LeaderPartition[] = [];
    for (const t of shown)
      for (const p of t.partitions) parts.push({ topic: t.name!, partition: p.partitionIndex, leader: p.leaderId });
    const admin = this.#adminClient();
    const [starts, ends, sizes] = await Promise.all([
      offsetsByLeader(admin, parts, -2n).catch(() => undefined),
      offsetsByLeader(admin, parts, -1n).catch(() => undefined),
      logDirSizes(
        admin,
        meta.brokers.map((b) => b.nodeId),
        null,
      ).catch(() => undefined),
    ]);
    return shown
      .map((t) => {
        const base = summary(t);
        let records: bigint | null = starts && ends ? 0n : null;
        let size: number | null = sizes && sizes.brokers.size > 0 ? 0 : null;
        for (const p of t.partitions) {
          const k = key(base.name, p.partitionIndex);
          const s = starts?.get(k),
            e = ends?.get(k);
          if (records !== null) records = s === undefined || e === undefined ? null : records + (e > s ? e - s : 0n);
          if (size !== null) size += sizes!.partitions.get(k) ?? 0;
        }
        return { ...base, recordCount: records?.toString() ?? null, sizeBytes: size };
      })
      .sort((x, y) => x.name.localeCompare(y.name));
  }

  /** Partitions of a topic that are being moved. */
  async #reassignments(name: string): Promise<ReassignmentsResult> {
    const meta = await this.#topicMetadata(name);
    const partitions = await listReassignments(
      this.#adminClient(),
      meta.controllerId,
      name,
      meta.partitions.map((p) => p.partition),
    );
    return { topic: name, partitions };
  }

  async #topicMetadata(name: string) {
    const meta = await this.#fullMetadata();
    const t = meta.topics.find((x) => x.name === name && x.errorCode === 0);
    if (!t) throw new ConsoleError(`Topic '${name}' does not exist.`, 'name', 'UNKNOWN_TOPIC_OR_PARTITION');
    return {
      controllerId: meta.controllerId,
      brokers: meta.brokers.map((b) => b.nodeId).sort((x, y) => x - y),
      partitions: t.partitions.map((p) => ({
        partition: p.partitionIndex,
        replicas: [...p.replicaNodes],
        leader: p.leaderId,
      })),
    };
  }

  async #alterReplicationFactor(a: Args): Promise<ReassignmentsResult> {
    const name = str(a, 'name');
    const rf = optInt(a, 'replicationFactor', 1, 32767);
    if (rf === undefined) throw new ConsoleError('Enter the new replication factor.', 'replicationFactor');
    const meta = await this.#topicMetadata(name);
    if (rf > meta.brokers.length) {
      throw new ConsoleError(
        `Replication factor ${rf} is more than the ${meta.brokers.length} live broker${meta.brokers.length === 1 ? '' : 's'}.`,
        'replicationFactor',
        'INVALID_REPLICATION_FACTOR',
      );
    }
    const plan = planReplicas(meta.partitions, meta.brokers, rf);
    const changed = new Map(
      [...plan].filter(([p, r]) => meta.partitions.find((x) => x.partition === p)!.replicas.join() !== r.join()),
    );
    if (changed.size === 0)
      throw new ConsoleError(
        `Every partition of '${name}' already has ${rf} replica${rf === 1 ? '' : 's'}.`,
        'replicationFactor',
      );
    try {
      await alterReassignments(this.#adminClient(), meta.controllerId, name, changed);
    } catch (e) {
      const f = this.#failure(e);
      throw new ConsoleError(f.message, 'replicationFactor', f.kafkaError);
    }
    return this.#reassignments(name);
  }

  async #createTopic(a: Args): Promise<TopicSummary> {
    const name = str(a, 'name');
    const nameError = topicNameError(name);
    if (nameError) throw new ConsoleError(nameError, 'name', 'INVALID_TOPIC_EXCEPTION');
    const partitions = optInt(a, 'partitions', -1, 1_000_000) ?? -1;
    if (partitions === 0)
      throw new ConsoleError('Number of partitions must be larger than 0.', 'partitions', 'INVALID_PARTITIONS');
    const replicas = optInt(a, 'replicationFactor', -1, 32767) ?? -1;
    if (replicas === 0)
      throw new ConsoleError(
        'Replication factor must be larger than 0.',
        'replicationFactor',
        'INVALID_REPLICATION_FACTOR',
      );
    const configs = a.configs === undefined || a.configs === null ? {} : asArgs(a.configs);
    for (const [k, v] of Object.entries(configs)) {
      if (typeof v !== 'string') throw new ConsoleError(`config ${k} must be a string value`, 'configs');
    }
    const admin = this.#adminClient();
    if (replicas > 0) {
      const meta = await this.#fullMetadata();
      if (replicas > meta.brokers.length) {
        throw new ConsoleError(
          `Replication factor: ${replicas} larger than available brokers: ${meta.brokers.length}.`,
          'replicationFactor',
          'INVALID_REPLICATION_FACTOR',
        );
      }
    }
    await admin.createTopics({
      topics: [name],
      partitions,
      replicas,
      configs: Object.entries(configs).map(([n, value]) => ({ name: n, value: value as string })),
    });
    const meta = await this.#fullMetadata();
    const t = meta.topics.find((x) => x.name === name);
    return t
      ? summary(t)
      : {
          name,
          partitions: partitions > 0 ? partitions : 0,
          replicationFactor: replicas > 0 ? replicas : 0,
          internal: false,
          underReplicatedPartitions: 0,
          recordCount: '0',
          sizeBytes: 0,
        };
  }

  async #topicDetail(name: string): Promise<TopicDetail> {
    const admin = this.#adminClient();
    let meta;
    try {
      meta = await admin.metadata({ topics: [name], forceUpdate: true, autocreateTopics: false });
    } catch (e) {
      if (isUnknownTopic(e))
        throw new ConsoleError(`Topic '${name}' does not exist.`, 'name', 'UNKNOWN_TOPIC_OR_PARTITION');
      throw e;
    }
    const t = meta.topics.get(name);
    if (!t) throw new ConsoleError(`Topic '${name}' does not exist.`, 'name', 'UNKNOWN_TOPIC_OR_PARTITION');
    const indexes = [...t.partitions.keys()];
    const leaders = [...new Set(indexes.map((i) => t.partitions[i]!.leader).filter((l) => l >= 0))];
    const [starts, ends, sizes, described] = await Promise.all([
      this.#offsetsAt(name, indexes, -2n),
      this.#offsetsAt(name, indexes, -1n),
      logDirSizes(admin, leaders, [{ name, partitions: indexes }]).catch(() => undefined),
      admin
        .describeConfigs({
          resources: [{ resourceType: 2, resourceName: name }],
          includeSynonyms: false,
          includeDocumentation: false,
        })
        .catch((e: unknown) => {
          if (leafErrors(e).some((l) => l.code === 'PLT_KFK_UNSUPPORTED_API')) return [];
          throw e;
        }),
    ]);
    let count = 0n;
    const partitions = indexes.map((i) => {
      const p = t.partitions[i]!;
      const s = starts.get(i) ?? 0n,
        e = ends.get(i) ?? 0n;
      if (e > s) count += e - s;
      const size = sizes?.replicas.get(key(name, i))?.get(p.leader) ?? null;
      return {
        partition: i,
        leader: p.leader,
        replicas: [...p.replicas],
        isr: [...p.isr],
        startOffset: s.toString(),
        highWatermark: e.toString(),
        sizeBytes: size,
      };
    });
    const configs: ConfigEntry[] = (described[0]?.configs ?? [])
      .map((c) => ({
        name: c.name,
        value: c.isSensitive ? null : (c.value ?? null),
        source: SOURCES[c.configSource] ?? 'UNKNOWN',
        isDefault: c.configSource === 5,
        readOnly: c.readOnly,
        sensitive: c.isSensitive,
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
    return { name, id: t.id, internal: INTERNAL.has(name), partitions, recordCount: count.toString(), configs };
  }

  async #alterTopicConfigs(a: Args): Promise<TopicDetail> {
    const name = str(a, 'name');
    const set = a.set === undefined || a.set === null ? {} : asArgs(a.set);
    const remove = a.remove === undefined || a.remove === null ? [] : a.remove;
    if (!Array.isArray(remove) || remove.some((r) => typeof r !== 'string'))
      throw new ConsoleError('remove must be a list of config names', 'remove');
    const configs: ({ name: string; configOperation: 0; value: string } | { name: string; configOperation: 1 })[] = [];
    for (const [k, v] of Object.entries(set)) {
      if (k.trim() === '') throw new ConsoleError('A config needs a name.', 'configs');
      if (typeof v !== 'string') throw new ConsoleError(`config ${k} must be a string value`, k);
      configs.push({ name: k.trim(), configOperation: 0, value: v });
    }
    for (const k of remove as string[]) configs.push({ name: k, configOperation: 1 });
    if (configs.length === 0) throw new ConsoleError('Nothing to change.', 'configs');
    try {
      await this.#adminClient().incrementalAlterConfigs({
        resources: [{ resourceType: 2, resourceName: name, configs }],
      });
    } catch (e) {
      // The error belongs to the one config being changed (the form shows it next to that field).
      const info = errorInfo(e, this.#bootstrap);
      const field =
        info.kafkaError === 'UNKNOWN_TOPIC_OR_PARTITION' ? 'name' : configs.length === 1 ? configs[0]!.name : 'configs';
      throw new ConsoleError(info.message, field, info.kafkaError);
    }
    return this.#topicDetail(name);
  }

  async #deleteRecords(a: Args): Promise<DeleteRecordsResult> {
    const name = str(a, 'name');
    if (!Array.isArray(a.partitions) || a.partitions.length === 0)
      throw new ConsoleError('Pick at least one partition.', 'partitions');
    const partitions = a.partitions.map((p) => {
      const pa = asArgs(p);
      const partition = optInt(pa, 'partition', 0);
      if (partition === undefined) throw new ConsoleError('partition must be a partition number', 'partition');
      return { partition, offset: offsetText(pa.offset, 'offset') };
    });
    const detail = await this.#topicDetail(name);
    for (const p of partitions) {
      const d = detail.partitions.find((x) => x.partition === p.partition);
      if (!d) throw new ConsoleError(`Topic '${name}' has no partition ${p.partition}.`, 'partition');
      if (p.offset > BigInt(d.highWatermark)) {
        throw new ConsoleError(
          `Partition ${p.partition} ends at offset ${d.highWatermark}; records can be deleted up to there, not to ${p.offset}.`,
          'offset',
          'OFFSET_OUT_OF_RANGE',
        );
      }
    }
    const res = await this.#adminClient().deleteRecords({ topics: [{ name, partitions }] });
    const low = new Map((res.find((t) => t.name === name)?.partitions ?? []).map((p) => [p.partition, p.lowWatermark]));
    return {
      partitions: partitions.map((p) => ({
        partition: p.partition,
        startOffset: (low.get(p.partition) ?? p.offset).toString(),
      })),
    };
  }

  async #resetGroupOffsets(a: Args): Promise<GroupDetail> {
    const groupId = str(a, 'groupId');
    const topicArg = optStr(a, 'topic');
    const to = resetTarget(a.to);
    const d = await this.#describeGroup(groupId);
    if (d.state !== 'Empty') throw new ConsoleError(notEmpty(d, 'resetting its offsets'), 'groupId', 'NON_EMPTY_GROUP');
    const byTopic = new Map<string, number[]>();
    if (topicArg) {
      const t = await this.#topicDetail(topicArg).catch((e: unknown) => {
        throw e instanceof ConsoleError ? new ConsoleError(e.message, 'topic', e.kafkaError) : e;
      });
      byTopic.set(
        topicArg,
        t.partitions.map((p) => p.partition),
      );
    } else {
      for (const o of d.offsets)
        if (o.committed !== null) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o.partition]);
    }
    if (byTopic.size === 0)
      throw new ConsoleError(`Consumer group '${groupId}' has no committed offsets; pick a topic to reset.`, 'topic');
    const topics = await Promise.all(
      [...byTopic].map(async ([name, ps]) => {
        const [lo, hi] = await Promise.all([this.#offsetsAt(name, ps, -2n), this.#offsetsAt(name, ps, -1n)]);
        const at = to.kind === 'timestamp' ? await this.#offsetsAt(name, ps, BigInt(to.timestamp)) : undefined;
        return {
          name,
          partitionOffsets: ps.map((partition) => {
            const l = lo.get(partition) ?? 0n,
              h = hi.get(partition) ?? 0n;
            let o: bigint;
            if (to.kind === 'earliest') o = l;
            else if (to.kind === 'latest') o = h;
            else if (to.kind === 'offset') o = BigInt(to.offset);
            else {
              const t = at?.get(partition) ?? -1n;
              o = t < 0n ? h : t;
            }
            return { partition, offset: o < l ? l : o > h ? h : o };
          }),
        };
      }),
    );
    await this.#adminClient().alterConsumerGroupOffsets({ groupId, topics });
    return this.#describeGroup(groupId);
  }

  /** ListOffsets at `timestamp` (-2 earliest, -1 latest, else the first offset at or after it). -1 when there is none. */
  async #offsetsAt(topic: string, partitions: number[], timestamp: bigint): Promise<Map<number, bigint>> {
    const res = await this.#adminClient().listOffsets({
      topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
    });
    return new Map((res.find((r) => r.name === topic)?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
  }

  /** The arguments produce and produceMany share, checked, with the topic's partition count. */
  async #produceCommon(a: Args) {
    const topic = str(a, 'topic');
    if (topic === '') throw new ConsoleError('Pick a topic to produce to.', 'topic');
    const partition = optInt(a, 'partition', 0);
    const partitioning = a.partitioning ?? (partition !== undefined ? 'fixed' : 'key');
    if (partitioning !== 'key' && partitioning !== 'roundRobin' && partitioning !== 'fixed') {
      throw new ConsoleError('partitioning must be key, roundRobin or fixed', 'partitioning');
    }
    if (partitioning === 'fixed' && partition === undefined)
      throw new ConsoleError('Pick the partition to send to.', 'partition');
    const acks = a.acks ?? 'all';
    if (acks !== 0 && acks !== 1 && acks !== 'all' && acks !== -1)
      throw new ConsoleError('acks must be 0, 1 or all', 'acks');
    const format = a.valueFormat ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw new ConsoleError('valueFormat must be text or json', 'valueFormat');
    const compression = (a.compression ?? 'none') as Compression;
    if (!COMPRESSIONS.includes(compression))
      throw new ConsoleError(`compression must be one of ${COMPRESSIONS.join(', ')}`, 'compression');
    const headerList = a.headers === undefined || a.headers === null ? [] : a.headers;
    if (!Array.isArray(headerList)) throw new ConsoleError('headers must be a list of {key, value}', 'headers');
    const headers = new Map<Buffer, Buffer>();
    for (const h of headerList) {
      const ha = asArgs(h);
      const hk = str(ha, 'key');
      if (hk === '') throw new ConsoleError('A header needs a key.', 'headers');
      headers.set(Buffer.from(hk), Buffer.from(optStr(ha, 'value') ?? ''));
    }
    const producer = this.#producerClient();
    const meta = await producer.metadata({ topics: [topic], autocreateTopics: false }).catch((e: unknown) => {
      if (isUnknownTopic(e))
        throw new ConsoleError(`Topic '${topic}' does not exist.`, 'topic', 'UNKNOWN_TOPIC_OR_PARTITION');
      throw e;
    });
    const count = meta.topics.get(topic)?.partitionsCount ?? 0;
    if (partitioning === 'fixed' && partition !== undefined && partition >= count) {
      throw new ConsoleError(
        `Topic '${topic}' has ${count} partition${count === 1 ? '' : 's'}; there is no partition ${partition}.`,
        'partition',
      );
    }
    /** The partition of the next record (undefined: by key hash, done by the client). */
    const pickRoundRobin = (): number => {
      const n = this.#roundRobin.get(topic) ?? 0;
      this.#roundRobin.set(topic, n + 1);
      return n % Math.max(count, 1);
    };
    const pick = (): number | undefined =>
      partitioning === 'fixed' ? partition : partitioning === 'roundRobin' ? pickRoundRobin() : undefined;
    return {
      topic,
      format,
      compression,
      headers,
      pick,
      pickRoundRobin,
      partitionCount: Math.max(count, 1),
      acks: acks === 'all' ? -1 : (acks as number),
    };
  }

  async #produce(a: Args): Promise<ProduceResult> {
    const c = await this.#produceCommon(a);
    const key = optStr(a, 'key');
    const value = optStr(a, 'value');
    if (c.format === 'json' && value !== undefined) jsonCheck(value);
    const message: Record<string, unknown> = {
      topic: c.topic,
      key: key === undefined || key === '' ? undefined : Buffer.from(key),
      value: value === undefined ? null : Buffer.from(value),
      headers: c.headers,
    };
    const partition = c.pick();
    if (partition !== undefined) message.partition = partition;
    const result = await this.#producerClient().send({
      messages: [message as never],
      compression: c.compression,
      acks: c.acks,
    });
    const o = result.offsets?.[0];
    return {
      topic: c.topic,
      partition: o?.partition ?? partition ?? -1,
      offset: (o?.offset ?? -1n).toString(),
      timestamp: Date.now(),
    };
  }

  /** One batch of records from templates (`{{i}}`: the counter, `{{now}}`: the time in ms). */
  async #produceMany(a: Args): Promise<ProduceManyResult> {
    const c = await this.#produceCommon(a);
    const keyTemplate = optStr(a, 'keyTemplate') ?? '';
    const valueTemplate = str(a, 'valueTemplate');
    const from = optInt(a, 'from', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const n = optInt(a, 'count', 1, MAX_PRODUCE_BATCH);
    if (n === undefined) throw new ConsoleError(`count must be a whole number from 1 to ${MAX_PRODUCE_BATCH}`, 'count');
    const fill = (t: string, i: number, now: string) => t.replaceAll('{{i}}', String(i)).replaceAll('{{now}}', now);
    const messages: Record<string, unknown>[] = [];
    const now = String(Date.now());
    for (let i = from; i < from + n; i++) {
      const value = fill(valueTemplate, i, now);
      if (c.format === 'json' && i === from) jsonCheck(value);
      const key = keyTemplate === '' ? undefined : Buffer.from(fill(keyTemplate, i, now));
      const m: Record<string, unknown> = { topic: c.topic, key, value: Buffer.from(value), headers: c.headers };
      // By key, hash here as the client would (murmur2), so every record's partition is known and counted.
      m.partition = c.pick() ?? (key ? defaultPartitioner(m as never, key) % c.partitionCount : c.pickRoundRobin());
      messages.push(m);
    }
    const result = await this.#producerClient().send({
      messages: messages as never[],
      compression: c.compression,
      acks: c.acks,
    });
    const base = new Map<number, bigint>();
    for (const o of result.offsets ?? []) {
      const prev = base.get(o.partition);
      if (prev === undefined || o.offset < prev) base.set(o.partition, o.offset);
    }
    const counts = new Map<number, number>();
    for (const m of messages) counts.set(m.partition as number, (counts.get(m.partition as number) ?? 0) + 1);
    const partitions = [...counts]
      .sort(([x], [y]) => x - y)
      .map(([partition, k]) => {
        const first = base.get(partition);
        return {
          partition,
          count: k,
          firstOffset: first?.toString() ?? null,
          lastOffset: first !== undefined ? (first + BigInt(k) - 1n).toString() : null,
        };
      });
    return { count: n, partitions };
  }

  async #fetchPage(topic: string, partition: number, from: bigint, limit: number) {
    const consumer = this.#newConsumer();
    try {
      const reader = new PartitionReader(consumer, topic);
      await reader.partitions(partition).catch((e: unknown) => {
        throw new ConsoleError((e as Error).message.replace(/^Error: /, ''), 'topic');
      });
      const [lo, hi] = await Promise.all([
        this.#offsetsAt(topic, [partition], -2n),
        this.#offsetsAt(topic, [partition], -1n),
      ]);
      const end = hi.get(partition) ?? 0n;
      // Records before the start offset are gone (retention, DeleteRecords): read from the start.
      const start = lo.get(partition) ?? 0n;
      await reader.seek([partition], from < start ? start : from);
      const out: RecordView[] = [];
      for (let i = 0; i < 20 && out.length < limit; i++) {
        const batch = await reader.poll(50);
        for (const r of batch) if (out.length < limit && r.offset < end) out.push(toRecordView(r));
        if (batch.length === 0 || (batch.at(-1)?.offset ?? 0n) + 1n >= end) break;
      }
      return { records: out, highWatermark: end.toString() };
    } finally {
      await consumer.close().catch(() => undefined);
    }
  }

  async #describeGroup(groupId: string): Promise<GroupDetail> {
    const admin = this.#adminClient();
    const desc = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    if (!desc || stateName(desc.state) === 'Dead')
      throw new ConsoleError(`Consumer group '${groupId}' does not exist.`, 'groupId', 'GROUP_ID_NOT_FOUND');
    const committed = new Map<string, bigint>();
    for (const g of await admin.listConsumerGroupOffsets({ groups: [groupId] })) {
      for (const t of g.topics)
        for (const p of t.partitions)
          if (p.committedOffset >= 0n) committed.set(`${t.name}\0${p.partitionIndex}`, p.committedOffset);
    }
    const owner = new Map<string, string>();
    const members = [...desc.members.values()].map((m) => {
      const assignments = [...(m.assignments ?? new Map()).entries()].map(([topic, as]) => ({
        topic,
        partitions: [...as.partitions].sort((x, y) => x - y),
      }));
      for (const as of assignments) for (const p of as.partitions) owner.set(`${as.topic}\0${p}`, m.id);
      return { memberId: m.id, clientId: m.clientId, host: m.clientHost, assignments };
    });
    const keys = new Set([...committed.keys(), ...owner.keys()]);
    const byTopic = new Map<string, number[]>();
    for (const k of keys) {
      const [t, p] = k.split('\0');
      byTopic.set(t!, [...(byTopic.get(t!) ?? []), Number(p)]);
    }
    const ends = new Map<string, bigint>();
    await Promise.all(
      [...byTopic].map(async ([t, ps]) => {
        const m = await this.#offsetsAt(t, ps, -1n).catch(() => new Map<number, bigint>());
        for (const [p, o] of m) ends.set(`${t}\0${p}`, o);
      }),
    );
    let total = 0n;
    const offsets: GroupOffset[] = [...keys]
      .map((k) => {
        const [topic, p] = k.split('\0');
        const c = committed.get(k),
          e = ends.get(k);
        const lag = c !== undefined && e !== undefined && e >= 0n ? (e > c ? e - c : 0n) : undefined;
        if (lag !== undefined) total += lag;
        return {
          topic: topic!,
          partition: Number(p),
          committed: c?.toString() ?? null,
          logEnd: e !== undefined && e >= 0n ? e.toString() : null,
          lag: lag?.toString() ?? null,
          memberId: owner.get(k) ?? null,
        };
      })
      .sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
    return {
      groupId,
      state: stateName(desc.state),
      protocol: desc.protocol,
      protocolType: desc.protocolType,
      members,
      offsets,
      totalLag: total.toString(),
    };
  }

  #newConsumer(): Consumer {
    return new Consumer({ ...this.#options('tail'), groupId: `samsa-console-${process.pid}-${this.#nextTail}` });
  }

  // ---- tails ----

  /** Opens a stream: a record tail, or a metrics sampler when `stream` is 'metrics'. */
  async openTail(rawArgs: unknown, session: Session): Promise<TailOpened> {
    try {
      const a = asArgs(rawArgs);
      if (a.stream === 'metrics') return this.#openMetrics(a, session);
      if (a.stream !== undefined && a.stream !== 'records')
        throw new ConsoleError('stream must be records or metrics', 'stream');
      return await this.#openTail(a, session);
    } catch (e) {
      throw this.#failure(e);
    }
  }

  /** Samples high watermarks of topics and lag of groups every interval until cancelled. */
  #openMetrics(a: Args, session: Session): TailOpened {
    const topicsArg = a.topics === undefined || a.topics === null ? [] : a.topics;
    if (topicsArg !== '*' && (!Array.isArray(topicsArg) || topicsArg.some((t) => typeof t !== 'string')))
      throw new ConsoleError("topics must be a list of topic names or '*'", 'topics');
    const groups = a.groups === undefined || a.groups === null ? [] : a.groups;
    if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string'))
      throw new ConsoleError('groups must be a list of group ids', 'groups');
    const interval = optInt(a, 'intervalMs', MIN_SAMPLE_MS, 3_600_000) ?? DEFAULT_SAMPLE_MS;
    const id = `metrics-${this.#nextTail++}`;
    let cancelled = false;
    let wake: (() => void) | undefined;
    const run = async () => {
      // The answer to openTail goes out first, so the caller listens before the first sample arrives.
      await new Promise((r) => setTimeout(r, 0));
      while (!cancelled) {
        const started = Date.now();
        try {
          const sample = await this.#sample(topicsArg as string[] | '*', groups as string[]);
          if (!cancelled) await session.emit(id, { type: 'sample', sample });
        } catch (e) {
          if (!cancelled)
            await session.emit(id, { type: 'error', message: this.#failure(e).message }).catch(() => undefined);
        }
        const wait = Math.max(0, interval - (Date.now() - started));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, wait);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    };
    const finished = run();
    this.#tails.set(id, {
      session,
      cancel: async () => {
        if (cancelled) return;
        cancelled = true;
        this.#tails.delete(id);
        wake?.();
        await finished.catch(() => undefined);
        await session.emit(id, { type: 'closed' }).catch(() => undefined);
      },
    });
    return { subscription: id, partitions: [], positions: {} };
  }

  /** One sample: summed high watermarks per topic (ListOffsets per leader) and total lag per group. */
  async #sample(topics: string[] | '*', groups: string[]): Promise<MetricsSample> {
    const at = Date.now();
    const out: MetricsSample = { at, topics: {}, groups: {} };
    const admin = this.#adminClient();
    const committed = new Map<string, Map<string, bigint>>();
    await Promise.all(
      groups.map(async (g) => {
        const m = new Map<string, bigint>();
        const res = await admin.listConsumerGroupOffsets({ groups: [g] }).catch(() => []);
        for (const gr of res)
          for (const t of gr.topics)
            for (const p of t.partitions)
              if (p.committedOffset >= 0n) m.set(key(t.name, p.partitionIndex), p.committedOffset);
        committed.set(g, m);
      }),
    );
    const wanted = new Set(topics === '*' ? [] : topics);
    for (const m of committed.values()) for (const k of m.keys()) wanted.add(k.split('\0')[0]!);
    if (topics !== '*' && wanted.size === 0) return out;
    const meta = await this.#fullMetadata();
    const parts: LeaderPartition[] = [];
    for (const t of meta.topics) {
      const name = t.name;
      if (typeof name !== 'string' || t.errorCode !== 0) continue;
      const all = topics === '*' && !(t.isInternal || INTERNAL.has(name));
      if (!all && !wanted.has(name)) continue;
      for (const p of t.partitions) parts.push({ topic: name, partition: p.partitionIndex, leader: p.leaderId });
    }
    const ends = await offsetsByLeader(admin, parts, -1n);
    const sums = new Map<string, bigint>();
    for (const p of parts) {
      const e = ends.get(key(p.topic, p.partition));
      if (e !== undefined) sums.set(p.topic, (sums.get(p.topic) ?? 0n) + e);
    }
    for (const t of topics === '*' ? [...sums.keys()] : topics) {
      const v = sums.get(t);
      if (v !== undefined) out.topics[t] = v.toString();
    }
    for (const [g, m] of committed) {
      let lag = 0n;
      for (const [k, c] of m) {
        const e = ends.get(k);
        if (e !== undefined && e > c) lag += e - c;
      }
      out.groups[g] = lag.toString();
    }
    return out;
  }

  async #openTail(a: Args, session: Session): Promise<TailOpened> {
    const args: TailArgs = { topic: str(a, 'topic'), start: startPosition(a.start) };
    if (args.topic === '') throw new ConsoleError('Pick a topic to tail.', 'topic');
    const maxPerPush = optInt(a, 'maxPerPush', 1, MAX_PER_PUSH) ?? DEFAULT_PER_PUSH;
    const wanted = a.partitions === undefined || a.partitions === null ? [] : a.partitions;
    if (!Array.isArray(wanted) || wanted.some((p) => !Number.isInteger(p) || (p as number) < 0))
      throw new ConsoleError('partitions must be a list of partition numbers', 'partitions');
    const consumer = this.#newConsumer();
    const id = `tail-${this.#nextTail++}`;
    try {
      const reader = new PartitionReader(consumer, args.topic);
      const all = await reader.partitions().catch((e: unknown) => {
        if (isUnknownTopic(e) || /does not exist/.test((e as Error).message))
          throw new ConsoleError(`Topic '${args.topic}' does not exist.`, 'topic', 'UNKNOWN_TOPIC_OR_PARTITION');
        throw e;
      });
      const missing = (wanted as number[]).filter((p) => !all.includes(p));
      if (missing.length > 0)
        throw new ConsoleError(`Topic '${args.topic}' has no partition ${missing.join(', ')}.`, 'partitions');
      const partitions =
        wanted.length > 0 ? [...(wanted as number[])].sort((x, y) => x - y) : all.sort((x, y) => x - y);
      const tail = new Tail(id, args.topic, partitions, consumer, maxPerPush);
      const positions = await this.#seekTail(tail, args.start);
      this.#tails.set(id, { tail, session, cancel: () => this.#cancel(tail) });
      tail.finished = this.#runTail(tail, session);
      return { subscription: id, partitions, positions };
    } catch (e) {
      await consumer.close().catch(() => undefined);
      throw e;
    }
  }

  async #seekTail(tail: Tail, start: StartPosition): Promise<Record<number, string>> {
    const ps = tail.partitions;
    let target: Map<number, bigint>;
    if (start.kind === 'earliest') target = await this.#offsetsAt(tail.topic, ps, -2n);
    else if (start.kind === 'latest') target = await this.#offsetsAt(tail.topic, ps, -1n);
    else {
      const [lo, hi] = await Promise.all([this.#offsetsAt(tail.topic, ps, -2n), this.#offsetsAt(tail.topic, ps, -1n)]);
      target = new Map();
      const at =
        start.kind === 'timestamp' ? await this.#offsetsAt(tail.topic, ps, BigInt(start.timestamp)) : undefined;
      for (const p of ps) {
        const l = lo.get(p) ?? 0n,
          h = hi.get(p) ?? 0n;
        let o: bigint;
        if (start.kind === 'offset') o = BigInt(start.offset);
        else if (start.kind === 'lastN') o = h - BigInt(start.n);
        else {
          const t = at?.get(p) ?? -1n;
          o = t < 0n ? h : t;
        }
        target.set(p, o < l ? l : o > h ? h : o);
      }
    }
    const out: Record<number, string> = {};
    for (const p of ps) {
      const o = target.get(p) ?? 0n;
      await tail.reader.seek([p], o);
      out[p] = o.toString();
    }
    return out;
  }

  async #runTail(tail: Tail, session: Session): Promise<void> {
    let failures = 0;
    while (!tail.cancelled) {
      if (tail.pendingSeek) {
        const { start, done } = tail.pendingSeek;
        tail.pendingSeek = null;
        try {
          const positions = await this.#seekTail(tail, start);
          await session.emit(tail.id, { type: 'seeked', positions });
          done({ positions });
        } catch (e) {
          done(new ConsoleError(this.#failure(e).message, 'start'));
        }
        continue;
      }
      if (tail.paused) {
        await tail.sleep(60_000);
        continue;
      }
      let records: ConsumedRecord[];
      try {
        records = await tail.reader.poll(POLL_WAIT_MS);
        failures = 0;
      } catch (e) {
        if (tail.cancelled) break;
        failures++;
        await session.emit(tail.id, { type: 'error', message: this.#failure(e).message }).catch(() => undefined);
        await tail.sleep(Math.min(5000, 250 * 2 ** Math.min(failures, 5)));
        continue;
      }
      // Paused while this fetch was under way: hold its records until resumed.
      while (tail.paused && !tail.cancelled && !tail.pendingSeek) await tail.sleep(60_000);
      // A seek asked for while this fetch was under way wins: its records are from the old position.
      if (tail.cancelled || tail.pendingSeek) continue;
      for (let i = 0; i < records.length && !tail.cancelled && !tail.pendingSeek; i += tail.maxPerPush) {
        await session.emit(tail.id, {
          type: 'records',
          records: records.slice(i, i + tail.maxPerPush).map(toRecordView),
        });
      }
    }
  }

  async #cancel(tail: Tail): Promise<void> {
    if (tail.cancelled) return;
    tail.cancelled = true;
    tail.pendingSeek?.done(new ConsoleError('the tail was cancelled'));
    tail.pendingSeek = null;
    tail.wake();
    const entry = this.#tails.get(tail.id);
    this.#tails.delete(tail.id);
    await tail.finished.catch(() => undefined);
    await tail.consumer.close().catch(() => undefined);
    await entry?.session.emit(tail.id, { type: 'closed' }).catch(() => undefined);
  }

  /** Cancels every tail of a session (its transport went away). */
  async closeSession(session: Session): Promise<void> {
    await Promise.all([...this.#tails.values()].filter((e) => e.session === session).map((e) => e.cancel()));
  }

  get tailCount(): number {
    return this.#tails.size;
  }

  async #closeClients(): Promise<void> {
    const admin = this.#admin,
      producer = this.#producer;
    this.#admin = undefined;
    this.#producer = undefined;
    await Promise.all([admin?.close().catch(() => undefined), producer?.close().catch(() => undefined)]);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#tails.values()].map((e) => e.cancel()));
    await this.#closeClients();
  }
}

function summary(t: MetadataResponse['topics'][number]): TopicSummary {
  const name = t.name!;
  return {
    name,
    partitions: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
    internal: t.isInternal || INTERNAL.has(name),
    underReplicatedPartitions: t.partitions.filter((p) => p.isrNodes.length < p.replicaNodes.length).length,
    recordCount: null,
    sizeBytes: null,
  };
}

function jsonCheck(value: string): void {
  try {
    JSON.parse(value);
  } catch (e) {
    throw new ConsoleError(`The value is not valid JSON: ${(e as Error).message}`, 'value');
  }
}

function isUnknownTopic(e: unknown): boolean {
  return (
    kafkaErrorId(e) === 'UNKNOWN_TOPIC_OR_PARTITION' || leafErrors(e).some((l) => /unknown topic/i.test(l.message))
  );
}

function notEmpty(d: GroupDetail, doing: string): string {
  const n = d.members.length;
  return `Consumer group '${d.groupId}' is ${d.state} with ${n} member${n === 1 ? '' : 's'}; stop its consumers before ${doing} (Kafka only allows it when the group is Empty).`;
}

function stateName(state: string): string {
  const names: Record<string, string> = {
    STABLE: 'Stable',
    EMPTY: 'Empty',
    DEAD: 'Dead',
    PREPARING_REBALANCE: 'PreparingRebalance',
    COMPLETING_REBALANCE: 'CompletingRebalance',
  };
  return names[state] ?? state;
}
