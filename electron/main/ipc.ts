// The Bridge over Electron IPC: one `ipcMain.handle` channel per Bridge method, all ending in the
// shared handler table (core/console/handlers.ts) the web host uses too. Every handler first checks
// the sending frame (a top-level frame of our window showing our page) and the shape of its
// arguments. Tail events go to the page with `webContents.send`, with acknowledgements from the
// preload as flow control, and stop when the page goes away.
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { TailEvent } from '../../core/console/bridge.ts';
import type { BridgeHandlers } from '../../core/console/handlers.ts';
import type { Session } from '../../core/console/service.ts';
import {
  BRIDGE_PREFIX,
  SHELL_METHODS,
  SHELL_PREFIX,
  STREAM_ACK_CHANNEL,
  STREAM_CHANNEL,
  type IpcOutcome,
  type ShellMethod,
} from '../shared/ipc.ts';

/** Stream events sent and not yet acknowledged before a tail waits. */
export const STREAM_WINDOW = 32;

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (...args: unknown[]) => void): unknown;
}

export type ShellHandlers = Record<ShellMethod, (args: unknown) => Promise<unknown>>;

export interface IpcOptions {
  ipcMain: IpcMainLike;
  handlers: BridgeHandlers;
  shell: ShellHandlers;
  /** Whether an event's sender frame may call. */
  trusted: (frame: IpcMainInvokeEvent['senderFrame']) => boolean;
  log: (msg: string) => void;
}

export class UntrustedSenderError extends Error {}

interface PageSession extends Session {
  sent: number;
  acked: number;
  wake: (() => void) | undefined;
  closed: boolean;
}

/** Registers the handlers; returns the channels it registered and a function removing them. */
export function registerBridgeIpc(opts: IpcOptions): { channels: string[]; dispose(): Promise<void> } {
  const { ipcMain, handlers, trusted, log } = opts;
  const sessions = new Map<WebContents, PageSession>();

  const sessionFor = (contents: WebContents): PageSession => {
    let s = sessions.get(contents);
    if (s) return s;
    const session: PageSession = {
      sent: 0,
      acked: 0,
      wake: undefined,
      closed: false,
      async emit(subscription: string, event: TailEvent) {
        if (session.closed || contents.isDestroyed()) return;
        contents.send(STREAM_CHANNEL, subscription, event, ++session.sent);
        while (!session.closed && !contents.isDestroyed() && session.sent - session.acked > STREAM_WINDOW) {
          await new Promise<void>((resolve) => {
            session.wake = resolve;
            setTimeout(resolve, 1000);
          });
        }
      },
    };
    s = session;
    sessions.set(contents, session);
    const end = () => {
      if (session.closed) return;
      session.closed = true;
      session.wake?.();
      sessions.delete(contents);
      void handlers.closeSession(session);
    };
    // The page went away or loads anew: its tails end.
    contents.once('destroyed', end);
    contents.once('did-navigate', end);
    contents.once('render-process-gone', end);
    return session;
  };

  const check = (event: IpcMainInvokeEvent | IpcMainEvent, channel: string): void => {
    if (!trusted(event.senderFrame)) {
      log(`IPC ${channel} refused: sender frame ${event.senderFrame?.url ?? '(gone)'} is not the app's page`);
      throw new UntrustedSenderError(`${channel}: refused, the sender is not the app's page`);
    }
  };

  const channels: string[] = [];
  for (const method of handlers.methods) {
    const channel = BRIDGE_PREFIX + method;
    ipcMain.handle(channel, async (event, ...rest) => {
      check(event, channel);
      if (rest.length > 1)
        return { ok: false, error: { message: `${method} takes one argument object` } } satisfies IpcOutcome;
      return handlers.dispatch(method, rest[0], sessionFor(event.sender));
    });
    channels.push(channel);
  }
  for (const method of SHELL_METHODS) {
    const channel = SHELL_PREFIX + method;
    ipcMain.handle(channel, async (event, ...rest) => {
      check(event, channel);
      if (rest.length > 1)
        return { ok: false, error: { message: `${method} takes one argument` } } satisfies IpcOutcome;
      try {
        return { ok: true, result: await opts.shell[method](rest[0]) } satisfies IpcOutcome;
      } catch (e) {
        const err = e as Error & { field?: string };
        return {
          ok: false,
          error: { message: err.message, ...(typeof err.field === 'string' ? { field: err.field } : {}) },
        } satisfies IpcOutcome;
      }
    });
    channels.push(channel);
  }
  const onAck = (event: IpcMainEvent, ...args: unknown[]) => {
    try {
      check(event, STREAM_ACK_CHANNEL);
    } catch {
      return;
    }
    const seq = args[1];
    const s = sessions.get(event.sender);
    if (!s || typeof seq !== 'number' || !Number.isInteger(seq) || seq > s.sent || seq <= s.acked) return;
    s.acked = seq;
    s.wake?.();
  };
  ipcMain.on(STREAM_ACK_CHANNEL, onAck as (event: IpcMainEvent, ...args: unknown[]) => void);

  return {
    channels,
    async dispose() {
      for (const c of channels) ipcMain.removeHandler(c);
      ipcMain.removeListener(STREAM_ACK_CHANNEL, onAck as (...args: unknown[]) => void);
      const open = [...sessions.values()];
      sessions.clear();
      for (const s of open) {
        s.closed = true;
        s.wake?.();
      }
      await Promise.all(open.map((s) => handlers.closeSession(s)));
    },
  };
}
