// The renderer's IPC Bridge over a stand-in window.samsaIpc (the built preload itself is tested
// in main-bundle.test.ts, after the build).
import { describe, expect, it } from 'vitest';
import type { TailEvent } from '../../../core/console/bridge.ts';
import type { SamsaIpc } from '../../../electron/shared/ipc.ts';
import { BridgeError, fieldOf } from '../../../renderer/src/bridge/errors.ts';
import { desktopIpc, IpcBridge } from '../../../renderer/src/bridge/ipc-bridge.ts';

describe('IpcBridge (renderer side)', () => {
  const calls: [string, unknown][] = [];
  const fake: SamsaIpc = {
    async invoke(method, args) {
      calls.push([method, args]);
      if (method === 'createTopic')
        return { ok: false, error: { message: 'Topic exists', field: 'name', kafkaError: 'TOPIC_ALREADY_EXISTS' } };
      return { ok: true, result: { method } };
    },
    async openTail(_args, listener) {
      listener({ type: 'paused' });
      return { ok: true, result: { subscription: 's1', partitions: [0], positions: { 0: '0' } } };
    },
    onState(listener) {
      listener('open');
      return () => undefined;
    },
    async shell() {
      return { ok: true, result: null };
    },
  };
  const bridge = new IpcBridge(fake);

  it('unwraps results and turns errors into BridgeErrors with their field', async () => {
    await expect(bridge.invoke('listTopics', {})).resolves.toEqual({ method: 'listTopics' });
    const e = await bridge.invoke('createTopic', { name: 'x' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BridgeError);
    expect((e as BridgeError).message).toBe('Topic exists');
    expect(fieldOf(e)).toBe('name');
    expect((e as BridgeError).kafkaError).toBe('TOPIC_ALREADY_EXISTS');
    expect(calls).toEqual([
      ['listTopics', {}],
      ['createTopic', { name: 'x' }],
    ]);
  });

  it('opens tails and reports the IPC state as open', async () => {
    const events: TailEvent[] = [];
    await expect(
      bridge.openTail({ topic: 't', start: { kind: 'earliest' } }, (ev) => events.push(ev)),
    ).resolves.toMatchObject({ subscription: 's1' });
    expect(events).toEqual([{ type: 'paused' }]);
    const states: string[] = [];
    bridge.onState((s) => states.push(s));
    expect(states).toEqual(['open']);
  });

  it('finds the preload API only where the preload put it', () => {
    expect(desktopIpc({})).toBeUndefined();
    expect(desktopIpc({ samsaIpc: fake })).toBe(fake);
  });
});
