// The broker's session with the controller (Kafka's BrokerLifecycleManager and metadata
// listener): registration (retried while an old session of the same id is still live),
// heartbeats every broker.heartbeat.interval.ms (re-registering when the controller no longer
// knows this broker's epoch), the metadata long poll that applies each change to the image and
// the topics, and the controlled shutdown, in which the controller moves leaderships away while
// this broker still serves. Every call to the controller is bounded in time.
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { ControllerChannel, HeartbeatResponse } from '../metadata/controller-channel.ts';
import type { MetadataImage } from '../metadata/image.ts';
import type { BrokerConfig } from './configs.ts';
import type { TopicManager } from './topic-manager.ts';

/** How long a fetchMetadata long poll waits for changes. */
const METADATA_POLL_MS = 5_000;
/** How long a controlled shutdown may take. */
export const CONTROLLED_SHUTDOWN_MS = 5_000;
/** A single call to the controller that takes longer than this is given up. */
export const CONTROLLER_CALL_MS = 10_000;

/** What the session needs of its broker. */
export interface LifecycleHost {
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly rack: string | null;
  readonly config: BrokerConfig;
  readonly image: MetadataImage;
  readonly controller: ControllerChannel | undefined;
  readonly topics: TopicManager;
  readonly stopping: boolean;
  log(msg: string): void;
}

export class BrokerLifecycle {
  /** Assigned by the controller at each registration; -1 before. */
  brokerEpoch = -1;
  /** The last metadata seq fully applied (logs created, roles changed). */
  appliedSeq = 0;
  private readonly host: LifecycleHost;
  private closed = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight: Promise<HeartbeatResponse | undefined> | undefined;
  private metadataLoop: Promise<void> | undefined;
  private reregistering: Promise<void> | undefined;

  constructor(host: LifecycleHost) {
    this.host = host;
  }

  /** The metadata snapshot, fetched once after registering. */
  fetchSnapshot() {
    return this.call((c) =>
      c.fetchMetadata({ brokerId: this.host.brokerId, brokerEpoch: this.brokerEpoch, fromSeq: 0, maxWaitMs: 0 }),
    );
  }

  /** Starts the metadata long poll and the heartbeats. */
  follow(): void {
    this.closed = false;
    this.metadataLoop = this.followMetadata();
    const every = Math.max(10, Number(this.host.config.get('broker.heartbeat.interval.ms') ?? 2000));
    this.heartbeatTimer = setInterval(() => {
      void this.heartbeat(false);
    }, every);
    this.heartbeatTimer.unref();
    void this.heartbeat(false);
  }

  /** Stops the heartbeats and the long poll (whose call in flight is left to end). */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Registers with the controller, retrying transient failures for up to `retryMs`. */
  async register(retryMs: number): Promise<void> {
    const deadline = Date.now() + retryMs;
    let lastError = '';
    for (;;) {
      try {
        const res = await this.call((c) =>
          c.register({
            brokerId: this.host.brokerId,
            incarnationId: this.host.incarnationId,
            host: this.host.advertisedHost,
            port: this.host.advertisedPort,
            rack: this.host.rack,
            previousBrokerEpoch: this.brokerEpoch,
          }),
        );
        if (res.errorCode === ErrorCode.NONE) {
          this.brokerEpoch = res.brokerEpoch;
          return;
        }
        lastError = `error code ${res.errorCode}`;
        if (res.errorCode !== ErrorCode.DUPLICATE_BROKER_REGISTRATION) {
          throw new KafkaError(
            res.errorCode,
            `the controller refused the registration of broker ${this.host.brokerId}`,
          );
        }
      } catch (e) {
        if (e instanceof KafkaError) throw e;
        lastError = (e as Error)?.message ?? String(e);
      }
      if (this.closed || Date.now() >= deadline) {
        throw new Error(`could not register broker ${this.host.brokerId} with the controller: ${lastError}`);
      }
      await sleep(250);
    }
  }

  /** A call to the controller that gives up after CONTROLLER_CALL_MS (or the given time). */
  call<T>(fn: (c: ControllerChannel) => Promise<T>, timeoutMs = CONTROLLER_CALL_MS): Promise<T> {
    const c = this.host.controller;
    if (!c) return Promise.reject(new Error('no controller'));
    return withTimeout(fn(c), timeoutMs, 'the controller did not answer');
  }

  /** The long poll: fetch the changes after the last applied seq, apply them, repeat. */
  private async followMetadata(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const started = Date.now();
      let delta;
      try {
        delta = await this.call(
          (c) =>
            c.fetchMetadata({
              brokerId: this.host.brokerId,
              brokerEpoch: this.brokerEpoch,
              fromSeq: this.host.image.seq,
              maxWaitMs: METADATA_POLL_MS,
            }),
          METADATA_POLL_MS + CONTROLLER_CALL_MS,
        );
        failures = 0;
      } catch (e) {
        if (this.closed) return;
        if (failures++ === 0) this.host.log(`fetching metadata failed: ${(e as Error)?.message ?? String(e)}`);
        await sleep(Math.min(2000, 100 * failures));
        continue;
      }
      if (this.closed) return;
      if (!delta.snapshot && delta.changes.length === 0) {
        // An empty answer long before the poll's end: the controller is closing; don't spin.
        if (Date.now() - started < METADATA_POLL_MS / 2) await sleep(100);
        continue;
      }
      try {
        const changes = this.host.image.apply(delta);
        await this.host.topics.apply(changes);
        this.appliedSeq = this.host.image.seq;
      } catch (e) {
        this.host.log(`applying metadata up to ${delta.seq} failed: ${(e as Error)?.stack ?? String(e)}`);
      }
    }
  }

  /** One heartbeat; re-registers when the controller no longer knows this broker's epoch. */
  heartbeat(wantShutDown: boolean, timeoutMs = CONTROLLER_CALL_MS): Promise<HeartbeatResponse | undefined> {
    if (this.heartbeatInFlight) return this.heartbeatInFlight;
    const p = (async () => {
      try {
        const r = await this.call(
          (c) =>
            c.heartbeat({
              brokerId: this.host.brokerId,
              brokerEpoch: this.brokerEpoch,
              metadataOffset: this.appliedSeq,
              wantFence: false,
              wantShutDown,
            }),
          timeoutMs,
        );
        if (
          (r.errorCode === ErrorCode.STALE_BROKER_EPOCH || r.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) &&
          !this.host.stopping &&
          !this.closed
        ) {
          this.reregistering ??= this.register(0)
            .then(
              () => this.host.log(`registered again at epoch ${this.brokerEpoch}`),
              (e: unknown) => this.host.log(`registering again failed: ${(e as Error)?.message ?? String(e)}`),
            )
            .finally(() => {
              this.reregistering = undefined;
            });
        }
        return r;
      } catch (e) {
        if (!this.closed) this.host.log(`heartbeat failed: ${(e as Error)?.message ?? String(e)}`);
        return undefined;
      } finally {
        this.heartbeatInFlight = undefined;
      }
    })();
    this.heartbeatInFlight = p;
    return p;
  }

  /** Kafka's controlled shutdown: the controller moves leaderships away while this broker still serves. */
  async controlledShutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const deadline = Date.now() + CONTROLLED_SHUTDOWN_MS;
    while (Date.now() < deadline) {
      await this.heartbeatInFlight;
      const r = await this.heartbeat(true, Math.max(1, deadline - Date.now()));
      if (r?.shouldShutDown || (r && r.errorCode !== ErrorCode.NONE)) return;
      await sleep(r ? 20 : 200);
    }
    this.host.log(`controlled shutdown did not complete in ${CONTROLLED_SHUTDOWN_MS} ms`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => {
    setTimeout(r, ms).unref?.();
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
