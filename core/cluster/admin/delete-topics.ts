// DeleteTopics (v0–6) at the controller: by name, and from v6 by name or
// topic id. One commit per deleted topic; brokers delete their copies when
// they apply it. As Kafka's controller (ControllerApis.deleteTopics): a name
// (or id) given twice is answered once, INVALID_REQUEST "Duplicate topic
// name." (or "… id."), and that topic is not deleted; an entry with both a
// name and an id is INVALID_REQUEST; unknown names and ids get the default
// messages of UNKNOWN_TOPIC_OR_PARTITION and UNKNOWN_TOPIC_ID.
import type {
  DeleteTopicsRequest,
  DeleteTopicsResponseDeletableTopicResultInput,
  DeleteTopicsResponseInput,
} from '../../protocol/messages/delete-topics.ts';
import { ErrorCode, KafkaError, errorMessage } from '../../protocol/errors.ts';
import { type AdminContext, type AdminResult, ZERO_UUID } from './context.ts';

export function deleteTopics(ctx: AdminContext, req: DeleteTopicsRequest, version: number): AdminResult {
  const wanted: { name: string | null; topicId: string }[] =
    version >= 6
      ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
      : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  for (const w of wanted) {
    if (w.name !== null && w.topicId !== ZERO_UUID) continue;
    if (w.name !== null) names.set(w.name, (names.get(w.name) ?? 0) + 1);
    else if (w.topicId !== ZERO_UUID) ids.set(w.topicId, (ids.get(w.topicId) ?? 0) + 1);
  }
  const answered = new Set<string>();
  let seq = 0;
  const responses: DeleteTopicsResponseDeletableTopicResultInput[] = [];
  for (const w of wanted) {
    const byName = w.name !== null && w.topicId === ZERO_UUID;
    const twice = byName ? names.get(w.name!)! > 1 : w.name === null && (ids.get(w.topicId) ?? 0) > 1;
    if (twice) {
      // One answer for the name (or id) given twice, where it first appears.
      const key = byName ? `n:${w.name}` : `i:${w.topicId}`;
      if (answered.has(key)) continue;
      answered.add(key);
      responses.push({
        name: byName ? w.name : null,
        topicId: byName ? ZERO_UUID : w.topicId,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: byName ? 'Duplicate topic name.' : 'Duplicate topic id.',
      });
      continue;
    }
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
          throw new KafkaError(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
        const t = ctx.topicById(w.topicId);
        if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, errorMessage(ErrorCode.UNKNOWN_TOPIC_ID));
        name = t.name;
        r.name = name;
      } else if (name === null) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
      }
      const t = ctx.topic(name);
      if (!t)
        throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
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
