// A broker node: the listener, the request pipeline, the API table, and the
// state the handlers share (the metadata image, topics, logs, config, delayed
// fetches).
//
// A broker follows the controller (Kafka's KRaft controller role) through a
// ControllerChannel: it registers, fetches the metadata (a snapshot, then a
// long poll for changes), heartbeats, and forwards admin requests. The entry
// points wire the channel: a socket to the controller's listener for a broker
// process (`samsa broker-node`), an in-process channel to the controller of a
// single-node cluster (`samsa start`; core/cluster/single-node.ts for tests).
// Logs live in `<data-dir>/broker-<id>/`: a single-broker cluster runs the same
// code as a multi-broker one.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BrokerConfig, effectiveTopicConfigs } from './configs.ts';
import { TopicManager, toLogConfig, type PartitionState } from './topic-manager.ts';
import { LogManager } from '../storage/log-manager.ts';
import { ApiTable } from './api-table.ts';
import { createDispatch } from './dispatch.ts';
import { DelayedFetchPurgatory } from './delayed-fetch.ts';
import { SocketServer } from './socket-server.ts';
import { GroupCoordinator } from './group/coordinator.ts';
import { partitionKey } from './delayed-fetch.ts';
import { ProducerIdManager, inMemoryReservations } from './producer/producer-ids.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import { GROUP_METADATA_TOPIC } from '../protocol/internal-topics.ts';
import { MetadataImage } from '../metadata/image.ts';
import { staticNotes } from './config-notes.ts';
import { ReplicaManager } from './replica-manager.ts';
import type { ControllerChannel, ForwardContext } from '../metadata/controller-channel.ts';
import { BrokerLifecycle, CONTROLLER_CALL_MS } from './lifecycle.ts';
import type { Replication } from './replication.ts';
import type { HandlerContext, LogManagerLike } from './handlers/context.ts';

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
  /** broker.rack, registered with the controller. */
  rack?: string | null;
  dataDir: string;
  config?: BrokerConfig;
  clusterId?: string;
  /** The controller's channel. A broker without one (and without injected topics) must be given `openController`. */
  controller?: ControllerChannel;
  /**
   * Opens the controller when the broker starts (a single-node cluster's, in this process:
   * core/cluster/single-node.ts); closed when the broker stops.
   */
  openController?: () => Promise<{ channel: ControllerChannel; close(): void }>;
  /** Replication (leader/follower roles, high watermark, acks=all); the replica manager by default. */
  replication?: Replication | ((broker: Broker) => Replication);
  /** Injected topic manager (tests): the broker then follows no controller. */
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

/** How long start() waits to be unfenced before serving anyway. */
const UNFENCE_WAIT_MS = 10_000;
/** How long start() retries registering (the controller unreachable, or an old session of this id still live). */
const REGISTER_RETRY_MS = 15_000;

export class Broker implements HandlerContext {
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
  /** The cluster metadata as this broker last applied it. */
  readonly image = new MetadataImage();
  /** The controller's channel; undefined on a broker with injected topics. */
  controller: ControllerChannel | undefined;
  /** Closes the controller `openController` opened, if any. */
  private closeOwnController: (() => void) | undefined;
  replication: Replication;
  readonly incarnationId = randomBytes(16).toString('base64url');
  /** Consumer groups and committed offsets. */
  readonly groups: GroupCoordinator;
  /** Producer ids for InitProducerId, in blocks from the controller. */
  readonly producerIds: ProducerIdManager;
  /** True once stop() began: new requests are refused, parked fetches answer. */
  stopping = false;

  private readonly requestedPort: number;
  private boundPort = -1;
  private server: SocketServer | undefined;
  private readonly opts: BrokerOptions;
  /** True while following the controller (metadata loop and heartbeats run). */
  private following = false;
  /** Set once the topics are built from the controller's metadata; stays set after stop(). */
  private metadataLoaded = false;
  /**
   * Settles once start() is done (metadata loaded, topics built, unfenced) or
   * the broker stops; undefined while it is ready. Requests that arrive before wait on it.
   */
  private readyGate: { promise: Promise<void>; open: () => void } | undefined;
  private closed = false;
  /** Registration, heartbeats, the metadata long poll, controlled shutdown. */
  private readonly lifecycle: BrokerLifecycle;
  /** Leadership changes seen while the topic manager is being built; delivered once it is. */
  private pendingLeadership: PartitionState[] | undefined;

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
    this.apis = new ApiTable();
    this.logs = opts.logs;
    this.topics = opts.topics ?? missingTopics;
    this.controller = opts.controller;
    this.lifecycle = new BrokerLifecycle(this);
    this.replication =
      typeof opts.replication === 'function'
        ? opts.replication(this)
        : (opts.replication ?? ReplicaManager.forBroker(this));
    // Blocks come from the controller (InitProducerId passes `controller`);
    // a broker on injected topics reserves them in memory.
    this.producerIds = new ProducerIdManager(inMemoryReservations());
    this.groups = new GroupCoordinator({
      get topics() {
        return self.topics;
      },
      config: this.config,
      partitionChanged: (topicId, partition) => this.partitionChanged(topicId, partition),
      log: (m) => this.log(m),
      groupConfigs: (groupId) => this.image.groupConfigs.get(groupId) ?? {},
      get brokerId() {
        return self.brokerId;
      },
      get replication() {
        return self.replication;
      },
    });
  }

  /** Assigned by the controller at each registration; -1 before. */
  get brokerEpoch(): number {
    return this.lifecycle.brokerEpoch;
  }

  /** broker.rack, registered with the controller. */
  get rack(): string | null {
    return this.opts.rack ?? null;
  }

  /** The port clients are told to connect to: the configured one, else the bound one once started. */
  get advertisedPort(): number {
    return this.opts.advertisedPort ?? (this.boundPort >= 0 ? this.boundPort : this.requestedPort);
  }

  /**
   * Undefined once the broker may answer requests; until then (the listener is
   * bound first, so the bound port can be registered, then the metadata
   * snapshot is loaded, the topics are built and the controller unfences this
   * broker), a promise that settles when it may, or when the broker stops.
   * Kafka likewise enables request processing only once the broker has caught
   * up with the metadata.
   */
  get notReady(): Promise<void> | undefined {
    return this.readyGate?.promise;
  }

  private openGate(): void {
    const gate = this.readyGate;
    this.readyGate = undefined;
    gate?.open();
  }

  /** A fresh producer id, in blocks from the controller when this broker follows one (else kept in memory). */
  nextProducerId(): Promise<number> {
    const controller = this.controller;
    return this.producerIds.generate(
      controller ? { controller, brokerId: this.brokerId, brokerEpoch: this.brokerEpoch } : undefined,
    );
  }

  /** A partition's log or high watermark moved: wakes the fetches parked on it. */
  partitionChanged(topicId: string, partition: number): void {
    this.purgatory.notify(partitionKey(topicId, partition));
  }

  /** Whether this broker's topics come from a controller's metadata (false with injected topics). */
  get hasMetadata(): boolean {
    return this.metadataLoaded;
  }

  log(msg: string): void {
    this.opts.log?.(`[broker ${this.brokerId}] ${msg}`);
  }

  async start(): Promise<{ host: string; port: number }> {
    this.stopping = false;
    this.closed = false;
    const follow = this.opts.topics === undefined;
    if (follow && !this.readyGate) {
      let open!: () => void;
      const promise = new Promise<void>((r) => {
        open = r;
      });
      this.readyGate = { promise, open };
    }
    const server = new SocketServer(createDispatch(this), {
      maxFrameBytes: this.config.socketRequestMaxBytes,
      maxInFlight: this.opts.maxInFlightPerConnection ?? 100,
      writeHighWaterMark: this.opts.writeHighWaterMark ?? 4 * 1024 * 1024,
      onLog: (m) => this.log(m),
    });
    // The logs load while the listener binds; the bound port is registered.
    const logs = follow ? this.openLogs() : undefined;
    let addr: { host: string; port: number };
    try {
      addr = await server.listen(this.host, this.requestedPort);
    } catch (e) {
      if (logs)
        await logs.then(
          (l) => l.close(),
          () => undefined,
        );
      throw e;
    }
    this.server = server;
    this.boundPort = addr.port;
    // What samsa start's flags decide, reported as Kafka reports its server.properties.
    this.config.setStartup('listeners', `PLAINTEXT://${this.host}:${addr.port}`);
    this.config.setStartup('log.dirs', join(this.dataDir, `broker-${this.brokerId}`));
    if (follow) {
      try {
        await this.startFollowing(await logs!);
      } catch (e) {
        // (Already shut down when stop() came first.)
        if (!this.closed) await this.shutdown(false);
        throw e;
      }
    }
    // Groups load their __consumer_offsets partitions in the background
    // (COORDINATOR_LOAD_IN_PROGRESS meanwhile).
    void this.groups.start();
    this.flushLeadership();
    this.openGate();
    return addr;
  }

  private openLogs(): Promise<LogManager> {
    return LogManager.open({
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
  }

  /** Registers, loads the metadata snapshot, builds the topics, then follows the changes. */
  private async startFollowing(logs: LogManager): Promise<void> {
    this.logs = logs;
    for (const log of logs.all())
      for (const e of log.loadStats.events) this.log(`recovery of partition ${log.topic}-${log.partition}: ${e}`);
    if (!this.controller) {
      if (!this.opts.openController) throw new Error(`broker ${this.brokerId} has no controller to follow`);
      const opened = await this.opts.openController();
      this.controller = opened.channel;
      this.closeOwnController = () => opened.close();
    }
    for (const note of staticNotes(this.config.values)) this.log(note);
    await this.lifecycle.register(REGISTER_RETRY_MS);
    const delta = await this.lifecycle.fetchSnapshot();
    if (this.closed) throw new Error(`broker ${this.brokerId} stopped while starting`);
    this.image.apply(delta);
    if (this.opts.clusterId === undefined && this.image.clusterId) this.clusterId = this.image.clusterId;
    this.pendingLeadership = [];
    this.topics = await TopicManager.open({
      logs,
      config: this.config,
      brokerId: this.brokerId,
      image: this.image,
      replication: this.replication,
      forward: (apiKey, version, req) => this.forward(apiKey, version, req, { clientId: null }),
      onLeadership: (p) => this.onLeadership(p),
      log: (m) => this.log(m),
    });
    this.replication.applyBrokers(this.image.brokers);
    this.lifecycle.appliedSeq = this.image.seq;
    this.metadataLoaded = true;
    for (const s of this.topics.strays)
      this.log(`partition directory ${s} is not hosted by this broker; left untouched`);
    this.following = true;
    this.lifecycle.follow();
    // Serve once the controller has unfenced this broker (it has caught up).
    const me = () => this.image.brokers.get(this.brokerId);
    const unfenced = await this.topics.waitFor(() => me()?.fenced === false, UNFENCE_WAIT_MS);
    if (!unfenced) this.log(`still fenced after ${UNFENCE_WAIT_MS} ms; serving anyway`);
  }

  /**
   * Sends an admin request to the controller (Kafka's forwarding). Rejects when
   * it cannot be reached or does not answer in time; once it answers, this
   * broker has applied the resulting metadata.
   */
  async forward(
    apiKey: number,
    version: number,
    request: unknown,
    ctx: ForwardContext,
    timeoutMs = 30_000,
  ): Promise<unknown> {
    if (!this.controller) throw new Error('this broker follows no controller');
    const res = await this.lifecycle.call(
      (c) => c.forward(apiKey, version, request, { brokerId: this.brokerId, ...ctx }),
      timeoutMs + CONTROLLER_CALL_MS,
    );
    // The controller answers once every live broker has applied the change;
    // finish applying what was fetched meanwhile.
    await this.topics.settled?.();
    return res;
  }

  /** Tells the group coordinator about leadership of `__consumer_offsets` partitions. */
  private onLeadership(p: PartitionState): void {
    if (p.topic !== GROUP_METADATA_TOPIC) return;
    if (this.pendingLeadership) {
      this.pendingLeadership.push(p);
      return;
    }
    this.deliverLeadership(p);
  }

  private flushLeadership(): void {
    const pending = this.pendingLeadership;
    this.pendingLeadership = undefined;
    if (!pending) return;
    // Only the latest state of each partition matters.
    const latest = new Map<number, PartitionState>();
    for (const p of pending) latest.set(p.partition, p);
    for (const p of latest.values()) this.deliverLeadership(p);
  }

  private deliverLeadership(p: PartitionState): void {
    const hosted = this.topics.partition(p.topic, p.partition) === p;
    const leader = hosted && p.leader === this.brokerId;
    this.groups.onPartitionLeadership(p.partition, leader, p.leaderEpoch, hosted ? p : undefined);
  }

  /** Stops accepting, answers parked fetches, closes connections and logs. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    if (this.following && !this.closed) await this.lifecycle.controlledShutdown();
    await this.shutdown(true);
  }

  private async shutdown(graceful: boolean): Promise<void> {
    this.stopping = true;
    this.closed = true;
    this.following = false;
    this.lifecycle.close();
    this.purgatory.wakeAll();
    // Requests held until the metadata was loaded: they see `stopping` and close.
    this.openGate();
    this.groups.stop();
    // Let woken fetches and in-progress writes settle before connections close.
    if (graceful) await new Promise((r) => setImmediate(r));
    await this.server?.close();
    this.server = undefined;
    await this.replication.close();
    await this.topics.settled?.();
    await this.logs?.close();
    if (this.closeOwnController) {
      // The controller opened for this broker: the channel and the store go with it.
      this.controller?.close();
      this.controller = undefined;
      this.closeOwnController();
      this.closeOwnController = undefined;
    }
  }
}

/** Placeholder until a TopicManager is injected or built in start(). */
const missingTopics = {
  get: () => undefined,
  getById: () => undefined,
  all: () => [],
  partition: () => undefined,
  autoCreate: () => Promise.reject(new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, 'The broker is starting.')),
  settled: () => Promise.resolve(),
  waitFor: () => Promise.resolve(false),
} as unknown as TopicManager;
