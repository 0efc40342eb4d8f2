// Errors of @platformatic/kafka made readable: its error trees (MultipleErrors, ResponseError and
// their causes) walked down to the leaves, the Kafka error name inside (TOPIC_ALREADY_EXISTS, …),
// and one line describing a failure the way Kafka's tools word it: the broker being unreachable
// (naming the addresses tried), a Kafka error code with the broker's own message, or the client's.
import { CONNECT_TIMEOUT_MS } from './options.ts';

/**
 * A failure already worded for the user, e.g. "Error: topic 'orders' does not exist":
 * `describeFailure` gives its message as it is.
 */
export class ReadableError extends Error {}

interface ErrorLike {
  message: string;
  code?: string;
  apiId?: string;
  /** The broker's own error message, when its response carried one. */
  serverErrorMessage?: string | null;
  errors?: unknown[];
  cause?: unknown;
}

/** The innermost errors of a client-library error tree (MultipleErrors / ResponseError / causes). */
export function leafErrors(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const walk = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || depth > 8) return;
    const err = x as ErrorLike;
    if (err.apiId !== undefined) {
      out.push(err);
      return;
    }
    if (Array.isArray(err.errors) && err.errors.length > 0) {
      for (const c of err.errors) walk(c, depth + 1);
      return;
    }
    if (err.code === 'PLT_KFK_NETWORK' || !err.cause) {
      out.push(err);
      return;
    }
    walk(err.cause, depth + 1);
  };
  walk(e, 0);
  return out.length > 0 ? out : [{ message: String((e as Error)?.message ?? e) }];
}

/** The Kafka error name (e.g. TOPIC_ALREADY_EXISTS) inside a client error, if any. */
export function kafkaErrorId(e: unknown): string | undefined {
  return leafErrors(e).find((l) => l.apiId !== undefined)?.apiId;
}

export function isUnreachable(e: unknown): boolean {
  const leaves = leafErrors(e);
  return leaves.every(
    (l) =>
      l.code === 'PLT_KFK_NETWORK' ||
      l.code === 'PLT_KFK_TIMEOUT' ||
      /Cannot connect to any broker|timed out/i.test(l.message),
  );
}

/**
 * One line describing a failure: the broker being unreachable (naming the addresses tried),
 * a Kafka error code with the broker's message, or the client's message.
 */
export function describeFailure(e: unknown, bootstrap: string[]): string {
  if (e instanceof ReadableError) return e.message;
  if (isUnreachable(e)) {
    const leaf = leafErrors(e)[0];
    const cause = (leaf?.cause as { code?: string } | undefined)?.code;
    const why =
      cause === 'ECONNREFUSED'
        ? 'connection refused'
        : cause === 'ENOTFOUND' || cause === 'EAI_AGAIN'
          ? 'host not found'
          : /timed out/i.test(leaf?.message ?? '') || cause === 'ETIMEDOUT'
            ? `no answer within ${CONNECT_TIMEOUT_MS} ms`
            : (cause ?? leaf?.message ?? 'unreachable');
    return `Could not connect to the Kafka broker at ${bootstrap.join(',')} (${why}).`;
  }
  const leaves = leafErrors(e);
  const withId = leaves.find((l) => l.apiId !== undefined);
  if (withId) return `${withId.apiId}: ${withId.serverErrorMessage || withId.message}`;
  const unsupported = leaves.find((l) => l.code === 'PLT_KFK_UNSUPPORTED_API');
  if (unsupported) return `The broker does not support this operation (${unsupported.message.replace(/\.$/, '')}).`;
  return leaves[0]!.message;
}
