// The Bridge over Electron IPC, on the preload's window.samsaIpc: each call answers with an
// outcome ({ok, result} or {ok: false, error}) that becomes a result or a BridgeError here, since
// errors crossing the context bridge lose their fields.
import type {
  Bridge,
  ConnectionState,
  OpArgs,
  OperationName,
  OpResult,
  StreamArgs,
  TailEvent,
  TailOpened,
} from '../../../core/console/bridge.ts';
import { EXPOSED_NAME, type IpcOutcome, type SamsaIpc } from '../../../electron/shared/ipc.ts';
import { BridgeError } from './errors.ts';

function unwrap(outcome: IpcOutcome): unknown {
  if (outcome.ok) return outcome.result;
  throw new BridgeError(outcome.error);
}

export class IpcBridge implements Bridge {
  readonly #ipc: SamsaIpc;

  constructor(ipc: SamsaIpc) {
    this.#ipc = ipc;
  }

  async invoke<K extends OperationName>(op: K, args: OpArgs<K>): Promise<OpResult<K>> {
    return unwrap(await this.#ipc.invoke(op, args)) as OpResult<K>;
  }

  async openTail(args: StreamArgs, listener: (event: TailEvent) => void): Promise<TailOpened> {
    return unwrap(await this.#ipc.openTail(args, listener)) as TailOpened;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.#ipc.onState(listener);
  }
}

/** The preload's API when the page runs in the desktop app. */
export function desktopIpc(win: object): SamsaIpc | undefined {
  return (win as Record<string, SamsaIpc | undefined>)[EXPOSED_NAME];
}
