// What every console resource module works through: the connection in use (the local cluster, a
// saved remote one, or an ad-hoc bootstrap list) with its @platformatic/kafka clients, made lazily
// and closed when the console switches clusters; the open streams; the local cluster's supervisor;
// and the lookups several resources share: Metadata from the first broker that answers, ListOffsets
// of one topic's partitions, and any failure turned into a ConsoleError the Bridge can carry.
import { Admin, Consumer, Producer, metadataV12 } from '@platformatic/kafka';
import { parseBootstrap } from '../client/bootstrap.ts';
import { kafkaErrorId } from '../client/errors.ts';
import { clientOptions } from '../client/options.ts';
import type { ClusterControl } from '../cluster/cluster-control.ts';
import type { OperationName, Operations } from './bridge.ts';
import type { Args } from './args.ts';
import {
  ConnectionError,
  ConnectionStore,
  LOCAL_ID,
  connectionFailure,
  securityOptions,
  type StoredConnection,
} from './connection-store.ts';
import { ConsoleError, errorInfo } from './errors.ts';
import { Streams, type Session } from './streams.ts';

export type MetadataResponse = Awaited<ReturnType<typeof metadataV12.api.async>>;

/** One operation: checked arguments in, the Bridge's result out; `session` is the caller's. */
export type Handler<K extends OperationName> = (args: Args, session: Session) => Promise<Operations[K]['result']>;

/** The handler of every Bridge operation; each resource module gives its part. */
export type HandlerTable = { [K in OperationName]: Handler<K> };

export interface ConsoleServiceOptions {
  /** Bootstrap servers of the local cluster, "host:port[,host:port]". */
  bootstrap: string;
  clientId?: string;
  /** Where the connection list is kept (e.g. `<data-dir>/console.json`); absent: only in memory. */
  settingsPath?: string;
  /** The local cluster's broker processes; absent (or a remote connection selected): no broker controls. */
  clusterControl?: ClusterControl;
}

export class ConsoleContext {
  readonly clientId: string;
  readonly connections: ConnectionStore;
  readonly control: ClusterControl | undefined;
  readonly streams = new Streams();
  /** The connection in use; an ad-hoc one after `connect`. */
  #conn: StoredConnection;
  #bootstrap: string[];
  #admin: Admin | undefined;
  #producer: Producer | undefined;

  constructor(opts: ConsoleServiceOptions) {
    this.clientId = opts.clientId ?? 'samsa-console';
    this.connections = new ConnectionStore(parseBootstrap(opts.bootstrap).join(','), opts.settingsPath);
    this.#conn = this.connections.selected;
    this.#bootstrap = parseBootstrap(this.#conn.bootstrap);
    this.control = opts.clusterControl;
  }

  get conn(): StoredConnection {
    return this.#conn;
  }

  /** The bootstrap servers of the connection in use. */
  get servers(): string[] {
    return this.#bootstrap;
  }

  get bootstrap(): string {
    return this.#bootstrap.join(',');
  }

  /** Whether the connection in use is the local cluster and its supervisor is known (brokers can be stopped, started, added). */
  get controllable(): boolean {
    return this.control !== undefined && this.#conn.id === LOCAL_ID;
  }

  /** Client options for the connection in use: bootstrap, timeouts, SASL and TLS. */
  options(suffix: string) {
    return {
      ...clientOptions(this.#bootstrap, `${this.clientId}-${suffix}`),
      ...securityOptions(this.#conn, this.connections.password(this.#conn.id)),
    };
  }

  admin(): Admin {
    this.#admin ??= new Admin(this.options('admin'));
    return this.#admin;
  }

  producer(): Producer {
    this.#producer ??= new Producer({ ...this.options('producer'), acks: -1, autocreateTopics: false });
    return this.#producer;
  }

  /** A consumer of its own for a tail or a page of messages (it reads partitions directly; the group is never joined). */
  newConsumer(): Consumer {
    return new Consumer({
      ...this.options('tail'),
      groupId: `samsa-console-${process.pid}-${this.streams.nextNumber}`,
    });
  }

  /** Any failure as a ConsoleError: mistakes in a connection's settings, connection failures (TLS, SASL) readable, Kafka errors named. */
  failure(e: unknown, fieldFor?: (kafkaError: string) => string | undefined): ConsoleError {
    if (e instanceof ConnectionError) return new ConsoleError(e.message, e.field);
    if (!(e instanceof ConsoleError) && !kafkaErrorId(e)) {
      const f = connectionFailure(e, this.#conn);
      if (f) return new ConsoleError(f.message, f.field === 'bootstrap' ? undefined : f.field);
    }
    const info = errorInfo(e, this.#bootstrap, fieldFor);
    return new ConsoleError(info.message, info.field, info.kafkaError);
  }

  /** Whether a broker of the cluster answers now (asked, not the client's cached metadata). */
  async reachable(): Promise<boolean> {
    try {
      await this.askBroker([]);
      return true;
    } catch {
      return false;
    }
  }

  /** One Metadata request for all topics (fast with 10,000 topics), to the first broker that answers. */
  fullMetadata(): Promise<MetadataResponse> {
    return this.askBroker(null);
  }

  /**
   * A Metadata request (`null`: every topic; `[]`: brokers only) to the first broker that answers.
   * The client's broker list is refreshed first: for a request without topics it is cached for good
   * (so it says nothing about whether a broker is up now), and connecting to every broker it lists
   * fails for as long as one of them is gone (killed or stopped).
   */
  async askBroker(topics: null | []): Promise<MetadataResponse> {
    const admin = this.admin();
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

  /** ListOffsets at `timestamp` (-2 earliest, -1 latest, else the first offset at or after it). -1 when there is none. */
  async offsetsAt(topic: string, partitions: number[], timestamp: bigint): Promise<Map<number, bigint>> {
    const res = await this.admin().listOffsets({
      topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
    });
    return new Map((res.find((r) => r.name === topic)?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
  }

  /** Switches to another cluster: clients are closed and streams of the old one end. */
  async switchTo(conn: StoredConnection): Promise<void> {
    await this.streams.cancelAll();
    await this.#closeClients();
    this.#conn = conn;
    this.#bootstrap = parseBootstrap(conn.bootstrap);
  }

  /** Ends every stream and closes the clients. */
  async close(): Promise<void> {
    await this.streams.cancelAll();
    await this.#closeClients();
  }

  async #closeClients(): Promise<void> {
    const admin = this.#admin,
      producer = this.#producer;
    this.#admin = undefined;
    this.#producer = undefined;
    await Promise.all([admin?.close().catch(() => undefined), producer?.close().catch(() => undefined)]);
  }
}
