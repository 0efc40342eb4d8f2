// DeleteTopics (v1–6), by name and from v6 by name or topic id: carried out by
// the controller; every broker deletes its copies when it applies the change.
import {
  type DeleteTopicsRequest,
  type DeleteTopicsResponseInput,
  decodeDeleteTopicsRequest,
  encodeDeleteTopicsResponse,
} from '../../protocol/messages/delete-topics.ts';
import type { ApiEntry, RequestContext, HandlerContext } from './context.ts';
import { forwardToController } from './forward.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export function handleDeleteTopics(
  broker: HandlerContext,
  req: DeleteTopicsRequest,
  version: number,
  ctx?: RequestContext,
): Promise<DeleteTopicsResponseInput> {
  return forwardToController(
    broker,
    req,
    version,
    ctx,
    req.timeoutMs,
    (errorCode, errorMessage): DeleteTopicsResponseInput => ({
      throttleTimeMs: 0,
      responses:
        version >= 6
          ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage }))
          : req.topicNames.map((name) => ({ name, errorCode, errorMessage })),
    }),
  );
}

export const deleteTopicsApi: ApiEntry<DeleteTopicsRequest, DeleteTopicsResponseInput> = {
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  min: 1,
  max: 6,
  decodeRequest: decodeDeleteTopicsRequest,
  encodeResponse: encodeDeleteTopicsResponse,
  handle: handleDeleteTopics,
  errorResponse: (req, errorCode, version) => ({
    responses:
      version >= 6
        ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode }))
        : req.topicNames.map((name) => ({ name, errorCode })),
  }),
};
