// Admin requests the controller carries out (Kafka's forwarding to the
// controller): the broker passes the decoded request on and relays the answer.
// When the controller cannot be reached or does not answer in time, every
// error code of the API's response is REQUEST_TIMED_OUT (a retriable error),
// so a client never hangs on an unreachable controller.
import { requestHeaderVersion } from '../../protocol/header.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { RequestContext, HandlerContext } from './context.ts';

/** The controller's default wait for brokers when a request has no timeout of its own. */
const DEFAULT_TIMEOUT_MS = 30_000;

export async function forwardToController<Res>(
  broker: HandlerContext,
  req: unknown,
  version: number,
  ctx: RequestContext | undefined,
  timeoutMs: number | undefined,
  errorResponse: (errorCode: number, message: string) => Res,
): Promise<Res> {
  const apiKey = ctx?.apiKey;
  if (apiKey === undefined) return errorResponse(ErrorCode.UNKNOWN_SERVER_ERROR, 'No request context.');
  try {
    const wait = timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS;
    return (await broker.forward(
      apiKey,
      version,
      req,
      {
        clientId: ctx?.clientId ?? null,
        headerVersion: requestHeaderVersion(apiKey, version),
      },
      wait,
    )) as Res;
  } catch (e) {
    if (e instanceof KafkaError) return errorResponse(e.code, e.message);
    broker.log(
      `forwarding api key ${apiKey} v${version} to the controller failed: ${(e as Error)?.message ?? String(e)}`,
    );
    return errorResponse(ErrorCode.REQUEST_TIMED_OUT, 'The controller could not be reached.');
  }
}
