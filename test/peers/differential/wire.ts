// A generic Kafka protocol client for the differential check: sends any api key at any version
// with the generated codecs (core/protocol/messages), as test/helpers/kafka-client.ts does for a
// few APIs. The request header is v1 or v2 by the API's first flexible version; the response
// header is v0 for ApiVersions (always) and for non-flexible versions, v1 otherwise
// (KafkaClient.send handles both). Every request has a deadline, so a broker that never answers
// fails the case instead of hanging the suite.
import { apis, type ApiInfo } from '../../../core/protocol/messages/index.ts';
import { Writer } from '../../../core/protocol/writer.ts';
import { KafkaClient, type ClientCodec } from '../../helpers/kafka-client.ts';

const byKey = new Map<number, ApiInfo>(apis.map((a) => [a.apiKey, a]));
const byName = new Map<string, ApiInfo>(apis.map((a) => [a.name, a]));

export function apiInfo(api: string | number): ApiInfo {
  const info = typeof api === 'number' ? byKey.get(api) : byName.get(api);
  if (!info) throw new Error(`no generated codec for API ${api}`);
  return info;
}

export function apiName(apiKey: number): string {
  return byKey.get(apiKey)?.name ?? `api-${apiKey}`;
}

const codecs = new Map<number, ClientCodec<unknown, any>>();

/** The lean client's codec for an API, built from the generated registry. */
export function codecFor(api: string | number): ClientCodec<unknown, any> {
  const info = apiInfo(api);
  let c = codecs.get(info.apiKey);
  if (!c) {
    c = {
      apiKey: info.apiKey,
      flexibleMin: info.flexibleMin,
      encode: (w, v, m) => info.encodeRequest(w, v, m),
      decode: (r, v) => info.decodeResponse(r, v),
    };
    codecs.set(info.apiKey, c);
  }
  return c;
}

/** Long enough for Kafka's slowest answer in the corpus (a group join's initial rebalance delay, 3 s). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** What a request came to: a decoded response, or why there is none. */
export type Outcome = { ok: true; response: any } | { ok: false; error: string };

/** One connection to one broker. */
export class WireClient {
  readonly client: KafkaClient;
  readonly port: number;

  private constructor(client: KafkaClient, port: number) {
    this.client = client;
    this.port = port;
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    const c = await KafkaClient.connect(port, host);
    c.clientId = 'samsa-differential';
    return new WireClient(c, port);
  }

  get closed(): boolean {
    return this.client.closed;
  }

  /** Sends one request and waits for its response (throws on a timeout, a closed connection or a bad frame). */
  async send(api: string | number, version: number, body: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<any> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.client.send(codecFor(api), version, body),
        new Promise<never>((_, rej) => {
          timer = setTimeout(
            () => rej(new Error(`no response to ${apiName(apiInfo(api).apiKey)} v${version} in ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a request that gets no response (Produce acks=0). */
  sendOneWay(api: string | number, version: number, body: unknown): void {
    void this.client.send(codecFor(api), version, body, { expectResponse: false });
  }

  /**
   * Sends a request whose header names `version` but whose body is encoded at `bodyVersion`
   * (an unsupported version: the broker must answer without reading the body). The response is
   * decoded at `decodeVersion` with header v0, as ApiVersions' error response is.
   */
  async sendRawVersion(apiKey: number, version: number, bodyVersion: number, body: unknown): Promise<Buffer> {
    const info = apiInfo(apiKey);
    const w = new Writer();
    const size = w.reserveInt32();
    const correlationId = 0x5a5a;
    w.int16(apiKey).int16(version).int32(correlationId).nullableString('samsa-differential');
    if (info.flexibleMin >= 0 && bodyVersion >= info.flexibleMin) w.uvarint(0);
    info.encodeRequest(w, bodyVersion, body);
    w.fillSize(size);
    return new Promise<Buffer>((resolve, reject) => {
      const sock = this.client.socket;
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => finish(new Error('no response in time')), REQUEST_TIMEOUT_MS);
      const onData = (d: Buffer): void => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) finish(undefined, buf.subarray(4));
      };
      const onClose = (): void => finish(new Error('connection closed'));
      const finish = (err?: Error, frame?: Buffer): void => {
        clearTimeout(timer);
        sock.off('data', onData);
        sock.off('close', onClose);
        if (err) reject(err);
        else resolve(frame!);
      };
      sock.removeAllListeners('data');
      sock.on('data', onData);
      sock.once('close', onClose);
      for (const c of w.toChunks()) sock.write(c);
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Runs `fn`, turning a thrown error into an outcome. */
export async function outcome(fn: () => Promise<any>): Promise<Outcome> {
  try {
    return { ok: true, response: await fn() };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
