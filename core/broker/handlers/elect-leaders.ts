// ElectLeaders (v0–2): preferred (0) or unclean (1, v1+) leader elections,
// carried out by the controller.
import {
  type ElectLeadersRequest,
  type ElectLeadersResponseInput,
  decodeElectLeadersRequest,
  encodeElectLeadersResponse,
} from '../../protocol/messages/elect-leaders.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleElectLeaders(
  broker: HandlerContext,
  req: ElectLeadersRequest,
  version: number,
  ctx?: RequestContext,
): Promise<ElectLeadersResponseInput> {
  return forwardToController(
    broker,
    req,
    version,
    ctx,
    req.timeoutMs,
    (errorCode, errorMessage): ElectLeadersResponseInput => ({
      throttleTimeMs: 0,
      // v0 has no top-level error code: each listed partition carries it.
      errorCode: version >= 1 ? errorCode : 0,
      replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
      })),
    }),
  );
}

export const electLeadersApi: ApiEntry<ElectLeadersRequest, ElectLeadersResponseInput> = {
  apiKey: ApiKey.ElectLeaders,
  name: 'ElectLeaders',
  min: 0,
  max: 2,
  decodeRequest: decodeElectLeadersRequest,
  encodeResponse: encodeElectLeadersResponse,
  handle: handleElectLeaders,
};
