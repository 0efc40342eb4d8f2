// The Bridge over a WebSocket to the headless host (`samsa start --ui`). Calls are {id, op, args}
// messages answered by id; tail events arrive as {sub, event}. Reconnects when the socket drops.
import type {
  Bridge,
  BridgeErrorInfo,
  ConnectionState,
  OpArgs,
  OperationName,
  OpResult,
  ServerMessage,
  StreamArgs,
  TailEvent,
  TailOpened,
} from '../../../core/console/bridge.ts';
import { BridgeError } from './errors.ts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class WebSocketBridge implements Bridge {
  readonly #url: string;
  #opened: Promise<WebSocket> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #tails = new Map<string, (e: TailEvent) => void>();
  readonly #stateListeners = new Set<(s: ConnectionState) => void>();
  #state: ConnectionState = 'connecting';

  constructor(url: string) {
    this.#url = url;
    void this.#connect().catch(() => undefined);
  }

  #setState(s: ConnectionState): void {
    this.#state = s;
    for (const l of this.#stateListeners) l(s);
  }

  #connect(): Promise<WebSocket> {
    if (this.#opened) return this.#opened;
    this.#setState('connecting');
    this.#opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.#url);
      ws.onopen = () => {
        this.#setState('open');
        resolve(ws);
      };
      ws.onmessage = (m) => this.#receive(String(m.data));
      ws.onclose = () => {
        this.#opened = undefined;
        for (const p of this.#pending.values())
          p.reject(new BridgeError({ message: 'The connection to the Samsa console host was lost.' }));
        this.#pending.clear();
        for (const l of this.#tails.values())
          l({ type: 'error', message: 'The connection to the Samsa console host was lost.' });
        this.#tails.clear();
        this.#setState('closed');
        reject(new BridgeError({ message: 'Could not reach the Samsa console host.' }));
        setTimeout(() => {
          void this.#connect().catch(() => undefined);
        }, 2000);
      };
    });
    return this.#opened;
  }

  #receive(text: string): void {
    const m = JSON.parse(text) as ServerMessage;
    if ('sub' in m) {
      this.#tails.get(m.sub)?.(m.event);
      if (m.event.type === 'closed') this.#tails.delete(m.sub);
      return;
    }
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new BridgeError(m.error as BridgeErrorInfo));
  }

  async #send(op: string, args: unknown): Promise<unknown> {
    const ws = await this.#connect();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, op, args }));
    });
  }

  invoke<K extends OperationName>(op: K, args: OpArgs<K>): Promise<OpResult<K>> {
    return this.#send(op, args) as Promise<OpResult<K>>;
  }

  async openTail(args: StreamArgs, listener: (event: TailEvent) => void): Promise<TailOpened> {
    // The host answers before the tail's first fetch completes, so the listener is in place before its first event.
    const opened = (await this.#send('openTail', args)) as TailOpened;
    this.#tails.set(opened.subscription, listener);
    return opened;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    listener(this.#state);
    return () => this.#stateListeners.delete(listener);
  }
}

/** The bridge URL for the page the host served: same origin, /bridge, with the page's token. */
export function bridgeUrlFor(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/bridge${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}
