// DeleteTopics (v1–6), by name and from v6 by name or topic id: carried out by
// the controller; every broker deletes its copies when it applies the change.
import type { DeleteTopicsRequest, DeleteTopicsResponseInput } from '../../protocol/messages/delete-topics.ts';
import type { RequestContext } from '../api-table.ts';
import type { Broker } from '../broker.ts';
import { forwardToController } from './forward.ts';

export function handleDeleteTopics(
  broker: Broker,
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
