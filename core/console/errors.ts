// The console's errors as they cross the Bridge: a ConsoleError is a message the user can act on,
// with the form field it belongs to and the Kafka error name when there is one; any other failure
// (a client-library error tree) becomes one readable line with its Kafka error name.
import { describeFailure, kafkaErrorId, leafErrors } from '../client/errors.ts';
import type { BridgeErrorInfo } from './bridge.ts';

/** An error a user caused or can act on; crosses the bridge as its message (and the field it belongs to). */
export class ConsoleError extends Error {
  kafkaError: string | undefined;
  field: string | undefined;
  constructor(message: string, field?: string, kafkaError?: string) {
    super(message);
    this.field = field;
    this.kafkaError = kafkaError;
  }
}

/** A readable error for the bridge: our own messages as they are, client errors with the Kafka error name. */
export function errorInfo(
  e: unknown,
  bootstrap: string[],
  fieldFor: (kafkaError: string) => string | undefined = () => undefined,
): BridgeErrorInfo {
  if (e instanceof ConsoleError) {
    const info: BridgeErrorInfo = { message: e.message };
    if (e.field) info.field = e.field;
    if (e.kafkaError) info.kafkaError = e.kafkaError;
    return info;
  }
  const id = kafkaErrorId(e);
  const info: BridgeErrorInfo = { message: describeFailure(e, bootstrap) };
  if (id) {
    info.kafkaError = id;
    const f = fieldFor(id);
    if (f) info.field = f;
  }
  return info;
}

/** Whether a client error says the topic does not exist (UNKNOWN_TOPIC_OR_PARTITION). */
export function isUnknownTopic(e: unknown): boolean {
  return (
    kafkaErrorId(e) === 'UNKNOWN_TOPIC_OR_PARTITION' || leafErrors(e).some((l) => /unknown topic/i.test(l.message))
  );
}
