// DeleteTopics (v0–6) at the controller: by name, and from v6 by name or
// topic id. One commit per deleted topic; brokers delete their copies when
// they apply it.
import type {
  DeleteTopicsRequest,
  DeleteTopicsResponseDeletableTopicResultInput,
  DeleteTopicsResponseInput,
} from '../../protocol/messages/delete-topics.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { type AdminContext, type AdminResult, ZERO_UUID } from './context.ts';

export function deleteTopics(ctx: AdminContext, req: DeleteTopicsRequest, version: number): AdminResult {
  const wanted: { name: string | null; topicId: string }[] =
    version >= 6
      ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
      : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
  let seq = 0;
  const responses: DeleteTopicsResponseDeletableTopicResultInput[] = [];
  for (const w of wanted) {
    const r: DeleteTopicsResponseDeletableTopicResultInput = {
      name: w.name,
      topicId: w.topicId,
      errorCode: 0,
      errorMessage: null,
    };
    responses.push(r);
    try {
      let name = w.name;
      if (w.topicId !== ZERO_UUID) {
        if (name !== null)
          throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Topic name and topic id can not both be specified.');
        const t = ctx.topicById(w.topicId);
        if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${w.topicId} does not exist.`);
        name = t.name;
        r.name = name;
      } else if (name === null) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
      }
      const t = ctx.topic(name);
      if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
      r.topicId = t.topicId;
      if (!ctx.config.deleteTopicEnable)
        throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
      seq = ctx.commit([{ type: 'topicRemoved', name: t.name, topicId: t.topicId }]);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      r.errorCode = e.code;
      r.errorMessage = e.message;
    }
  }
  const response: DeleteTopicsResponseInput = { throttleTimeMs: 0, responses };
  return { response, seq, timeoutMs: req.timeoutMs };
}
