// The preload of the console window (sandboxed, context-isolated): exposes window.samsaIpc, the
// transport the renderer's IPC Bridge uses. Only fixed channels are reachable: method names are
// checked here, and every call is checked again in the main process.
import { contextBridge, ipcRenderer } from 'electron';
import type { ConnectionState, TailEvent } from '../../core/console/bridge.ts';
import {
  BRIDGE_PREFIX,
  EXPOSED_NAME,
  METHOD_NAME,
  SHELL_METHODS,
  SHELL_PREFIX,
  STREAM_ACK_CHANNEL,
  STREAM_CHANNEL,
  type IpcOutcome,
  type SamsaIpc,
  type ShellMethod,
} from '../shared/ipc.ts';

const listeners = new Map<string, (event: TailEvent) => void>();
// Events of a tail whose openTail answer has not been seen yet (kept only while one is pending).
const early = new Map<string, TailEvent[]>();
let opening = 0;
const EARLY_LIMIT = 10_000;
let earlyCount = 0;

ipcRenderer.on(STREAM_CHANNEL, (_event, subscription: unknown, tailEvent: unknown, seq: unknown) => {
  if (typeof subscription === 'string' && typeof tailEvent === 'object' && tailEvent !== null) {
    const event = tailEvent as TailEvent;
    const listener = listeners.get(subscription);
    if (listener) {
      if (event.type === 'closed') listeners.delete(subscription);
      try {
        listener(event);
      } catch {
        /* the page's listener failing must not stop the stream */
      }
    } else if (opening > 0 && earlyCount < EARLY_LIMIT) {
      const list = early.get(subscription) ?? [];
      list.push(event);
      early.set(subscription, list);
      earlyCount++;
    }
  }
  if (typeof seq === 'number') ipcRenderer.send(STREAM_ACK_CHANNEL, subscription, seq);
});

function call(channel: string, args: unknown): Promise<IpcOutcome> {
  return ipcRenderer.invoke(channel, args) as Promise<IpcOutcome>;
}

const api: SamsaIpc = {
  invoke(method: string, args: unknown): Promise<IpcOutcome> {
    if (typeof method !== 'string' || !METHOD_NAME.test(method) || method === 'openTail') {
      return Promise.resolve({ ok: false, error: { message: `unknown operation "${String(method)}"` } });
    }
    return call(BRIDGE_PREFIX + method, args);
  },
  async openTail(args: unknown, listener: (event: TailEvent) => void): Promise<IpcOutcome> {
    if (typeof listener !== 'function') return { ok: false, error: { message: 'openTail needs a listener' } };
    opening++;
    try {
      const outcome = await call(`${BRIDGE_PREFIX}openTail`, args);
      if (outcome.ok) {
        const sub = (outcome.result as { subscription: string }).subscription;
        listeners.set(sub, listener);
        const pending = early.get(sub) ?? [];
        early.delete(sub);
        earlyCount -= pending.length;
        // Deliver after the caller has its answer, in order.
        queueMicrotask(() => {
          for (const e of pending) {
            if (e.type === 'closed') listeners.delete(sub);
            try {
              listener(e);
            } catch {
              /* as above */
            }
          }
        });
      }
      return outcome;
    } finally {
      if (--opening === 0) {
        early.clear();
        earlyCount = 0;
      }
    }
  },
  onState(listener: (state: ConnectionState) => void): () => void {
    // IPC to the main process is open for the life of the page.
    listener('open');
    return () => undefined;
  },
  shell(method: ShellMethod, args?: unknown): Promise<IpcOutcome> {
    if (!(SHELL_METHODS as readonly string[]).includes(method))
      return Promise.resolve({ ok: false, error: { message: `unknown shell method "${String(method)}"` } });
    return call(SHELL_PREFIX + method, args);
  },
};

contextBridge.exposeInMainWorld(EXPOSED_NAME, api);
