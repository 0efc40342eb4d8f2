import type { BridgeErrorInfo } from '../../../core/console/bridge.ts';

/** An operation's failure as the renderer sees it: a readable message and the form field it belongs to. */
export class BridgeError extends Error {
  readonly field: string | undefined;
  readonly kafkaError: string | undefined;
  constructor(info: BridgeErrorInfo) {
    super(info.message);
    this.field = info.field;
    this.kafkaError = info.kafkaError;
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function fieldOf(e: unknown): string | undefined {
  return e instanceof BridgeError ? e.field : undefined;
}
