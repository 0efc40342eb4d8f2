// DeleteTopics (v1–6): by name, and from v6 by name or topic id.
import type { DeleteTopicsRequest, DeleteTopicsResponse, DeleteTopicsResponseDeletableTopicResult } from '../../protocol/messages/delete-topics.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { Broker } from '../broker.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export async function handleDeleteTopics(broker: Broker, req: DeleteTopicsRequest, version: number): Promise<DeleteTopicsResponse> {
  const wanted: { name: string | null; topicId: string }[] = version >= 6
    ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
    : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));

  const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
  for (const w of wanted) {
    const r = { name: w.name, topicId: w.topicId, errorCode: 0, errorMessage: null } as DeleteTopicsResponseDeletableTopicResult;
    responses.push(r);
    try {
      let name = w.name;
      if (w.topicId !== ZERO_UUID) {
        if (name !== null) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Topic name and topic id can not both be specified.');
        const t = broker.topics.getById(w.topicId);
        if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${w.topicId} does not exist.`);
        name = t.name;
        r.name = name;
      } else if (name === null) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
      } else {
        const t = broker.topics.get(name);
        if (t) r.topicId = t.topicId;
      }
      await broker.topics.delete(name);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      r.errorCode = e.code;
      r.errorMessage = e.message;
    }
  }
  return { throttleTimeMs: 0, responses } as DeleteTopicsResponse;
}
