// CreateTopics (v2–7): carried out by the controller (validation with Kafka's
// rules, replica placement, `validateOnly`); answered once this broker has the
// new topics (the controller waits for every live broker, up to the request's
// timeout; a broker that was not counted waits here, a little at least).
import {
  type CreateTopicsRequest,
  type CreateTopicsResponseInput,
  decodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
} from '../../protocol/messages/create-topics.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const MIN_LOCAL_WAIT_MS = 1000;
/** What a response below v7 (which carries no topic id) decodes the id as. */
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export async function handleCreateTopics(
  broker: HandlerContext,
  req: CreateTopicsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<CreateTopicsResponseInput> {
  const res = await forwardToController(
    broker,
    req,
    version,
    ctx,
    req.timeoutMs,
    (errorCode, errorMessage): CreateTopicsResponseInput => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        errorCode,
        errorMessage,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      })),
    }),
  );
  if (!req.validateOnly && broker.hasMetadata) {
    const created = (res.topics ?? []).filter((t) => (t.errorCode ?? 0) === 0 && t.name !== undefined);
    // The controller's answer comes at the client's version: below v7 it names no topic id,
    // and then the topic's name is what this broker waits for.
    const here = () =>
      created.every((t) => {
        const s = broker.topics.get(t.name!);
        const id = t.topicId === undefined || t.topicId === ZERO_UUID ? undefined : t.topicId;
        return s !== undefined && (id === undefined || s.topicId === id);
      });
    if (created.length > 0) await broker.topics.waitFor(here, Math.max(req.timeoutMs, MIN_LOCAL_WAIT_MS));
  }
  return res;
}

export const createTopicsApi: ApiEntry<CreateTopicsRequest, CreateTopicsResponseInput> = {
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  min: 2,
  max: 7,
  decodeRequest: decodeCreateTopicsRequest,
  encodeResponse: encodeCreateTopicsResponse,
  handle: handleCreateTopics,
  errorResponse: (req, errorCode) => ({
    topics: req.topics.map((t) => ({
      name: t.name,
      errorCode,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    })),
  }),
};
