// The ControllerChannel of a broker running in the controller's process: direct
// calls, no wire encoding. Requests and answers are copied, so neither side can
// mutate the other's state through a shared object.
import type {
  BrokerRegistration,
  ControllerChannel,
  ForwardContext,
  HeartbeatRequest,
  HeartbeatResponse,
} from '../metadata/controller-channel.ts';
import type { AlterPartitionRequest, AlterPartitionResponseInput } from '../protocol/messages/alter-partition.ts';
import type { Controller } from './controller.ts';
import type { MetadataDelta } from '../metadata/types.ts';

const copy = <T>(v: T): T => structuredClone(v);

export class InProcessChannel implements ControllerChannel {
  private readonly controller: Controller;
  private closed = false;

  constructor(controller: Controller) {
    this.controller = controller;
  }

  private check(): void {
    if (this.closed) throw new Error('controller channel closed');
  }

  async register(req: BrokerRegistration): Promise<{ errorCode: number; brokerEpoch: number }> {
    this.check();
    return this.controller.register(copy(req));
  }

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    this.check();
    return this.controller.heartbeat(copy(req));
  }

  async fetchMetadata(req: {
    brokerId: number;
    brokerEpoch: number;
    fromSeq: number;
    maxWaitMs: number;
  }): Promise<MetadataDelta> {
    this.check();
    // The controller builds every answer afresh (records parsed from the log, or a copied snapshot).
    return this.controller.fetchMetadata({ ...req });
  }

  async alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponseInput> {
    this.check();
    return copy(this.controller.alterPartition(copy(req)));
  }

  async allocateProducerIds(req: {
    brokerId: number;
    brokerEpoch: number;
  }): Promise<{ errorCode: number; producerIdStart: number; producerIdLen: number }> {
    this.check();
    return this.controller.allocateProducerIds({ ...req });
  }

  async forward(apiKey: number, apiVersion: number, request: unknown, ctx: ForwardContext): Promise<unknown> {
    this.check();
    return copy(await this.controller.forward(apiKey, apiVersion, copy(request), { ...ctx }));
  }

  close(): void {
    this.closed = true;
  }
}
