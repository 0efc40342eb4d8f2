// The options every @platformatic/kafka client of the CLI tools and the console starts from: the
// bootstrap servers, a client id, and a short connect timeout with few retries, so that an
// unreachable broker fails fast instead of being retried for minutes as the library's defaults do.

/** How long one connection attempt may take before the client gives up on that address. */
export const CONNECT_TIMEOUT_MS = 3000;

/** Options every client gets: a short connect timeout and few retries, so an unreachable broker fails fast. */
export function clientOptions(bootstrap: string[], clientId: string) {
  return {
    clientId,
    bootstrapBrokers: bootstrap,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retries: 1,
    retryDelay: 200,
  };
}
