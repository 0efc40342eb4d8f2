// How a broker talks to the controller (Kafka's KRaft controller role): over
// a loopback socket with Kafka framing in a multi-broker cluster, or by direct
// calls when the controller runs in the same process (a single broker, tests).
import type { MetadataDelta } from './types.ts';
import type { AlterPartitionRequest, AlterPartitionResponseInput } from '../protocol/messages/alter-partition.ts';

export interface BrokerRegistration {
  brokerId: number;
  incarnationId: string;
  host: string;
  port: number;
  rack: string | null;
  /** The epoch of this broker's previous registration, -1 if none (Kafka's previousBrokerEpoch). */
  previousBrokerEpoch: number;
}

export interface HeartbeatRequest {
  brokerId: number;
  brokerEpoch: number;
  /** The last metadata change applied. */
  metadataOffset: number;
  wantFence: boolean;
  /** Controlled shutdown: asks the controller to move this broker's leaderships away. */
  wantShutDown: boolean;
}

export interface HeartbeatResponse {
  errorCode: number;
  isCaughtUp: boolean;
  isFenced: boolean;
  /** The controlled shutdown may finish: no leaderships left. */
  shouldShutDown: boolean;
}

export interface ForwardContext {
  clientId: string | null;
  /** Kafka's request header version for (apiKey, apiVersion), for re-encoding. */
  headerVersion?: number;
  /**
   * The broker the client sent the request to. A broker config resource other
   * than '' must name it (as in Kafka); when absent, any registered broker id.
   */
  brokerId?: number;
}

export interface ControllerChannel {
  register(req: BrokerRegistration): Promise<{ errorCode: number; brokerEpoch: number }>;
  heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse>;
  /**
   * Long poll: answers at once when there are changes after `fromSeq`, else
   * after up to `maxWaitMs` with none. `fromSeq` also tells the controller how
   * far this broker has applied the metadata.
   */
  fetchMetadata(req: {
    brokerId: number;
    brokerEpoch: number;
    fromSeq: number;
    maxWaitMs: number;
  }): Promise<MetadataDelta>;
  /** ISR changes requested by a partition leader (AlterPartition). */
  alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponseInput>;
  /** A block of producer ids (AllocateProducerIds). */
  allocateProducerIds(req: {
    brokerId: number;
    brokerEpoch: number;
  }): Promise<{ errorCode: number; producerIdStart: number; producerIdLen: number }>;
  /**
   * An admin request a client sent this broker (CreateTopics, DeleteTopics,
   * CreatePartitions, AlterConfigs, IncrementalAlterConfigs, ElectLeaders,
   * AlterPartitionReassignments, ListPartitionReassignments), carried out by
   * the controller: Kafka's forwarding (the Envelope API). Takes the decoded
   * request, returns the decoded response; it resolves once the brokers have
   * the resulting metadata.
   */
  forward(apiKey: number, apiVersion: number, request: unknown, ctx: ForwardContext): Promise<unknown>;
  close(): void;
}
