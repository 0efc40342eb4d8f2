// The Bridge the stores talk to: installed once at startup (the WebSocket client, the Electron
// preload's, or a fake in tests).
import type { Bridge } from '../../../core/console/bridge.ts';

let current: Bridge | undefined;

export function installBridge(bridge: Bridge): void {
  current = bridge;
}

export function useBridge(): Bridge {
  if (!current) throw new Error('no Bridge installed');
  return current;
}
