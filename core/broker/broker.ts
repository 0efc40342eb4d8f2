// A broker node: the listener, the request pipeline, the API table, and the
// state the handlers share (topics, logs, config, delayed fetches).

import { randomBytes } from 'node:crypto';
import { BrokerConfig } from './configs.ts';
import { join } from 'node:path';
import { TopicManager, toLogConfig } from './topic-manager.ts';
import { effectiveTopicConfigs } from './configs.ts';
import { MetadataStore } from '../cluster/metadata-store.ts';
import { LogManager } from '../storage/log-manager.ts';
import { ApiTable, createApiTable } from './api-table.ts';
import { createDispatch } from './dispatch.ts';
import { DelayedFetchPurgatory } from './delayed-fetch.ts';
import { KafkaServer } from './server.ts';
import { GroupCoordinator } from './group/coordinator.ts';
import { partitionKey } from './delayed-fetch.ts';
import { ProducerIdManager, inMemoryReservations } from './producer/producer-ids.ts';

/** The log manager as the broker sees it: something to close on shutdown. */
export interface LogManagerLike {
  close(): Promise<void> | void;
  /** Writes the broker-level checkpoint files (log start offsets after DeleteRecords). */
  checkpoint?(): Promise<void>;
}

export interface BrokerOptions {
  brokerId?: number;
  /** Interface to bind; 127.0.0.1 by default (the local cluster is not on the network). */
  host?: string;
  /** 0 lets the OS choose. */
  port?: number;
  /** Host clients are told to connect to (Metadata); defaults to `host`. */
  advertisedHost?: string;
  /** Port clients are told to connect to (Metadata, FindCoordinator, DescribeCluster); defaults to the bound port. */
  advertisedPort?: number;
  dataDir: string;
  config?: BrokerConfig;
  clusterId?: string;
  /** Injected topic manager (tests, or when the caller builds it). */
  topics?: TopicManager;
  /** Injected log manager, closed on stop(). */
  logs?: LogManagerLike;
  /** Requests processed at once per connection before the socket is paused. */
  maxInFlightPerConnection?: number;
  /** Outgoing bytes buffered per connection before reading from it pauses. */
  writeHighWaterMark?: number;
  /** Diagnostic messages (closed connections, handler failures). */
  log?: (msg: string) => void;
}

export class Broker {
  readonly brokerId: number;
  readonly host: string;
  readonly advertisedHost: string;
  readonly dataDir: string;
  readonly config: BrokerConfig;
  clusterId: string;
  readonly apis: ApiTable;
  readonly purgatory = new DelayedFetchPurgatory();
  topics: TopicManager;
  logs: LogManagerLike | undefined;
  /** Consumer groups and committed offsets (classic protocol). */
  readonly groups: GroupCoordinator;
  /** Producer ids for InitProducerId, reserved in blocks in the metadata store. */
  readonly producerIds: ProducerIdManager;
  /** True once stop() began: new requests are refused, parked fetches answer. */
  stopping = false;

  private readonly requestedPort: number;
  private boundPort = -1;
  private server: KafkaServer | undefined;
  private readonly opts: BrokerOptions;
  private metadata: MetadataStore | undefined;

  constructor(opts: BrokerOptions) {
    this.opts = opts;
    const self = this;
    this.brokerId = opts.brokerId ?? 1;
    this.host = opts.host ?? '127.0.0.1';
    this.advertisedHost = opts.advertisedHost ?? this.host;
    this.requestedPort = opts.port ?? 9092;
    this.dataDir = opts.dataDir;
    this.config = opts.config ?? new BrokerConfig();
    this.clusterId = opts.clusterId ?? randomBytes(16).toString('base64url');
    this.apis = createApiTable();
    this.logs = opts.logs;
    this.topics = opts.topics ?? missingTopics;
    const fallbackIds = inMemoryReservations();
    this.producerIds = new ProducerIdManager((n) => this.metadata ? this.metadata.allocateProducerIds(n) : fallbackIds(n));
    this.groups = new GroupCoordinator({
      get topics() { return self.topics; },
      config: this.config,
      notifyAppended: (topicId, partition) => this.purgatory.notify(partitionKey(topicId, partition)),
      log: (m) => this.log(m),
    });
  }

  /** The port clients are told to connect to: the configured one, else the bound one once started. */
  get advertisedPort(): number {
    return this.opts.advertisedPort ?? (this.boundPort >= 0 ? this.boundPort : this.requestedPort);
  }

  log(msg: string): void {
    this.opts.log?.(`[broker ${this.brokerId}] ${msg}`);
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.topics === missingTopics) {
      // Single node: the metadata store lives in <data-dir>/metadata.db, the
      // logs in <data-dir>/broker-<id>/.
      const metadata = MetadataStore.open(this.dataDir);
      this.metadata = metadata;
      try {
        if (this.opts.clusterId === undefined) this.clusterId = metadata.clusterId;
        const logs = await LogManager.open({
          dir: join(this.dataDir, `broker-${this.brokerId}`),
          defaultConfig: toLogConfig(effectiveTopicConfigs(this.config, {})),
          retentionCheckIntervalMs: this.config.logRetentionCheckIntervalMs,
          cleanerEnable: this.config.get('log.cleaner.enable') !== 'false',
          cleanerBackoffMs: Number(this.config.get('log.cleaner.backoff.ms')),
          producerExpiry: {
            expirationMs: this.config.producerIdExpirationMs,
            checkIntervalMs: this.config.producerIdExpirationCheckIntervalMs,
          },
        });
        this.logs = logs;
        this.topics = await TopicManager.open(metadata, logs, this.config);
        for (const s of this.topics.strays) this.log(`partition directory ${s} belongs to no known topic; left untouched`);
      } catch (e) {
        await this.logs?.close();
        this.logs = undefined;
        metadata.close();
        this.metadata = undefined;
        throw e;
      }
    }

    this.stopping = false;
    // Replays __consumer_offsets in the background (group APIs answer
    // COORDINATOR_LOAD_IN_PROGRESS meanwhile); `groups.ready` settles when done.
    void this.groups.start();
    const server = new KafkaServer(createDispatch(this), {
      maxFrameBytes: this.config.socketRequestMaxBytes,
      maxInFlight: this.opts.maxInFlightPerConnection ?? 100,
      writeHighWaterMark: this.opts.writeHighWaterMark ?? 4 * 1024 * 1024,
      onLog: (m) => this.log(m),
    });
    const addr = await server.listen(this.host, this.requestedPort);
    this.server = server;
    this.boundPort = addr.port;
    return addr;
  }

  /** Stops accepting, answers parked fetches, closes connections and logs. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.purgatory.wakeAll();
    this.groups.stop();
    // Let woken fetches and in-progress writes settle before connections close.
    await new Promise((r) => setImmediate(r));
    await this.server?.close();
    this.server = undefined;
    await this.logs?.close();
    this.metadata?.close();
    this.metadata = undefined;
  }
}

/** Placeholder until a TopicManager is injected or built in start(). */
const missingTopics = {
  get: () => undefined,
  getById: () => undefined,
  all: () => [],
  partition: () => undefined,
  autoCreate: () => Promise.reject(new Error('no TopicManager')),
} as unknown as TopicManager;
