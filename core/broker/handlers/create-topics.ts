// CreateTopics (v2–7): carried out by the coordinator (validation with Kafka's
// rules, replica placement, `validateOnly`); answered once this broker has the
// new topics.
import type { CreateTopicsRequest, CreateTopicsResponseInput } from '../../protocol/messages/create-topics.ts';
import type { RequestContext } from '../api-table.ts';
import type { Broker } from '../broker.ts';
import { forwardToCoordinator } from './forward.ts';

export function handleCreateTopics(broker: Broker, req: CreateTopicsRequest, version: number, ctx?: RequestContext): Promise<CreateTopicsResponseInput> {
  return forwardToCoordinator(broker, req, version, ctx, req.timeoutMs, (errorCode, errorMessage): CreateTopicsResponseInput => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null })),
  }));
}
