// What crosses between the desktop shell's main process and its preload: channel names and the
// surface the preload exposes to the page (window.samsaIpc). Types and constants only, no Node or
// Electron code, so the preload, the main process and the renderer can all import it.
import type { BridgeErrorInfo, ConnectionState, TailEvent } from '../../core/console/bridge.ts';

/** A Bridge call: `ipcRenderer.invoke(BRIDGE_PREFIX + method, args)`, one channel per method, answered with an IpcOutcome. */
export const BRIDGE_PREFIX = 'samsa:bridge:';
/** Events of a stream, main → page: `(subscription, event, seq)`. */
export const STREAM_CHANNEL = 'samsa:stream';
/** The page took stream events up to `seq`, page → main (flow control). */
export const STREAM_ACK_CHANNEL = 'samsa:stream-ack';
/** The desktop shell's own calls (settings, brokers): `ipcRenderer.invoke(SHELL_PREFIX + method, args)`. */
export const SHELL_PREFIX = 'samsa:shell:';
export const SHELL_METHODS = ['getSettings', 'saveSettings', 'clusterStatus', 'openDataFolder'] as const;
export type ShellMethod = (typeof SHELL_METHODS)[number];

/** Method names are identifiers; anything else never reaches ipcRenderer. */
export const METHOD_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** The name under which the preload exposes its API on the page's window. */
export const EXPOSED_NAME = 'samsaIpc';

export type IpcOutcome = { ok: true; result: unknown } | { ok: false; error: BridgeErrorInfo };

/** The preload's API on the page. Tails run until `invoke('tailCancel', …)`; `openTail` returns the same outcome shape. */
export interface SamsaIpc {
  invoke(method: string, args: unknown): Promise<IpcOutcome>;
  openTail(args: unknown, listener: (event: TailEvent) => void): Promise<IpcOutcome>;
  onState(listener: (state: ConnectionState) => void): () => void;
  shell(method: ShellMethod, args?: unknown): Promise<IpcOutcome>;
}
