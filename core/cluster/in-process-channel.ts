// The ControllerChannel of a broker running in the coordinator's process: direct
// calls, no wire encoding. Requests and answers are copied, so neither side can
// mutate the other's state through a shared object.
import type {
  BrokerRegistration,
  ControllerChannel,
  ForwardContext,
  HeartbeatRequest,
  HeartbeatResponse,
} from '../broker/controller-channel.ts';
import type { AlterPartitionRequest, AlterPartitionResponseInput } from '../protocol/messages/alter-partition.ts';
import type { Coordinator } from './coordinator.ts';
import type { MetadataDelta } from './metadata-types.ts';

const copy = <T>(v: T): T => structuredClone(v);

export class InProcessChannel implements ControllerChannel {
  private readonly coordinator: Coordinator;
  private closed = false;

  constructor(coordinator: Coordinator) {
    this.coordinator = coordinator;
  }

  private check(): void {
    if (this.closed) throw new Error('controller channel closed');
  }

  async register(req: BrokerRegistration): Promise<{ errorCode: number; brokerEpoch: number }> {
    this.check();
    return this.coordinator.register(copy(req));
  }

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    this.check();
    return this.coordinator.heartbeat(copy(req));
  }

  async fetchMetadata(req: {
    brokerId: number;
    brokerEpoch: number;
    fromSeq: number;
    maxWaitMs: number;
  }): Promise<MetadataDelta> {
    this.check();
    // The coordinator builds every answer afresh (records parsed from the log, or a copied snapshot).
    return this.coordinator.fetchMetadata({ ...req });
  }

  async alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponseInput> {
    this.check();
    return copy(this.coordinator.alterPartition(copy(req)));
  }

  async allocateProducerIds(req: {
    brokerId: number;
    brokerEpoch: number;
  }): Promise<{ errorCode: number; producerIdStart: number; producerIdLen: number }> {
    this.check();
    return this.coordinator.allocateProducerIds({ ...req });
  }

  async forward(apiKey: number, apiVersion: number, request: unknown, ctx: ForwardContext): Promise<unknown> {
    this.check();
    return copy(await this.coordinator.forward(apiKey, apiVersion, copy(request), { ...ctx }));
  }

  close(): void {
    this.closed = true;
  }
}
