// Test brokers for the controller: register, follow the metadata with long
// polls (optionally paused to play a lagging broker), heartbeat on demand.
import { randomUUID } from 'node:crypto';
import type { ControllerChannel } from '../../../core/metadata/controller-channel.ts';
import type { MetadataChange, MetadataDelta, MetadataSnapshot, PartitionInfo } from '../../../core/metadata/types.ts';
import * as ct from '../../../core/protocol/messages/create-topics.ts';

export class FakeBroker {
  readonly id: number;
  readonly channel: ControllerChannel;
  epoch = -1;
  seq = 0;
  paused = false;
  snapshot: MetadataSnapshot | null = null;
  readonly changes: MetadataChange[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private beat: NodeJS.Timeout | null = null;

  constructor(channel: ControllerChannel, id: number) {
    this.channel = channel;
    this.id = id;
  }

  incarnationId = randomUUID();

  async register(): Promise<number> {
    const r = await this.channel.register({
      brokerId: this.id,
      incarnationId: this.incarnationId,
      host: '127.0.0.1',
      port: 9000 + this.id,
      rack: null,
      previousBrokerEpoch: this.epoch,
    });
    this.epoch = r.brokerEpoch;
    return r.errorCode;
  }

  /** One fetch; applies the answer. */
  async fetchOnce(maxWaitMs = 0): Promise<MetadataDelta> {
    const d = await this.channel.fetchMetadata({
      brokerId: this.id,
      brokerEpoch: this.epoch,
      fromSeq: this.seq,
      maxWaitMs,
    });
    if (d.snapshot) {
      this.snapshot = d.snapshot;
      this.changes.length = 0;
    }
    this.changes.push(...d.changes);
    this.seq = d.seq;
    return d;
  }

  /** Registers and follows the metadata in a loop of long polls. */
  async start(): Promise<void> {
    await this.register();
    await this.fetchOnce();
    await this.fetchOnce(); // reports the caught-up seq: unfenced
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        if (this.paused) {
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        try {
          await this.fetchOnce(100);
        } catch {
          return;
        }
      }
    })();
  }

  heartbeat(extra: { wantShutDown?: boolean; wantFence?: boolean } = {}) {
    return this.channel.heartbeat({
      brokerId: this.id,
      brokerEpoch: this.epoch,
      metadataOffset: this.seq,
      wantFence: extra.wantFence ?? false,
      wantShutDown: extra.wantShutDown ?? false,
    });
  }

  /** Heartbeats every `ms` until stopped (or `stopHeartbeats`). */
  heartbeatEvery(ms: number): void {
    this.stopHeartbeats();
    this.beat = setInterval(() => {
      void this.heartbeat().catch(() => undefined);
    }, ms);
  }

  stopHeartbeats(): void {
    if (this.beat) clearInterval(this.beat);
    this.beat = null;
  }

  async stop(): Promise<void> {
    this.stopHeartbeats();
    this.running = false;
    await this.loop;
  }
}

export function createTopicsRequest(
  topics: Partial<ct.CreateTopicsRequestCreatableTopic>[],
  extra: Partial<ct.CreateTopicsRequest> = {},
): ct.CreateTopicsRequest {
  return {
    topics: topics.map((t) => ({
      name: 'x',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [],
      configs: [],
      ...t,
    })),
    timeoutMs: 5000,
    validateOnly: false,
    ...extra,
  };
}

export const leaders = (ps: readonly PartitionInfo[]) => ps.map((p) => p.leader);
