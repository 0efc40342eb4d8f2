// Kafka error codes at run time: their names, descriptions and retriability
// looked up by code (the table itself is error-codes.ts), and KafkaError, the
// error handlers throw to answer with a code.
import { errorTable } from './error-codes.ts';

export { ErrorCode, type ErrorCodeName, type ErrorCodeValue } from './error-codes.ts';

/** The error's name, e.g. 'NOT_LEADER_OR_FOLLOWER'; 'UNKNOWN_ERROR_<code>' for codes we do not know. */
export function errorName(code: number): string {
  return errorTable.get(code)?.name ?? `UNKNOWN_ERROR_${code}`;
}

/** Whether clients may retry a request that failed with this code. */
export function isRetriable(code: number): boolean {
  return errorTable.get(code)?.retriable ?? false;
}

/** The default one-line description of a code ('' for NONE). */
export function errorMessage(code: number): string {
  return errorTable.get(code)?.message ?? `Unknown error code ${code}.`;
}

/**
 * An error carrying a Kafka error code. Handlers throw it; the request
 * pipeline turns it into the code in the response.
 */
export class KafkaError extends Error {
  readonly code: number;

  constructor(code: number, message?: string) {
    super(message ?? errorMessage(code));
    this.name = 'KafkaError';
    this.code = code;
  }

  get errorName(): string {
    return errorName(this.code);
  }

  get retriable(): boolean {
    return isRetriable(this.code);
  }
}
