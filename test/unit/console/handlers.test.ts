import { afterAll, describe, expect, it } from 'vitest';
import { argumentsProblem, createBridgeHandlers, STREAM_METHOD } from '../../../core/console/handlers.ts';
import { ConsoleService, type Session } from '../../../core/console/service.ts';
import { bridgeMethodsFromSource } from '../../helpers/electron/bridge-methods.ts';

// Port 1 on loopback: nothing listens, and no operation below needs a broker.
const service = new ConsoleService({ bootstrap: '127.0.0.1:1' });
afterAll(() => service.close());
const session: Session = { emit: async () => undefined };

describe('Bridge handler table', () => {
  const handlers = createBridgeHandlers(service);

  it('serves exactly the Bridge operations and openTail', () => {
    expect([...handlers.methods].sort()).toEqual(bridgeMethodsFromSource().sort());
    expect(handlers.methods).toContain(STREAM_METHOD);
    expect(new Set(handlers.methods).size).toBe(handlers.methods.length);
  });

  it('refuses unknown methods, including inherited property names', async () => {
    for (const m of ['nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(handlers.has(m)).toBe(false);
      const r = await handlers.dispatch(m, {}, session);
      expect(r).toEqual({ ok: false, error: { message: `unknown operation "${m}"` } });
    }
    expect(handlers.has(42)).toBe(false);
  });

  it('refuses arguments that are not plain JSON data', async () => {
    for (const bad of [
      [1, 2],
      'x',
      7,
      { a: new Map() },
      { d: new Date() },
      { n: Number.NaN },
      { b: new Uint8Array(2) },
      { f: () => 1 },
    ]) {
      const r = await handlers.dispatch('topicDetail', bad, session);
      expect(r.ok).toBe(false);
    }
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { deep };
    expect(argumentsProblem(deep)).toMatch(/nested too deeply/);
    expect(
      argumentsProblem({ name: 't', configs: { 'retention.ms': '1' }, list: [1, 'a', null, true] }),
    ).toBeUndefined();
    expect(argumentsProblem(undefined)).toBeUndefined();
  });

  it("passes the service's field errors through", async () => {
    const r = await handlers.dispatch('topicDetail', { name: 5 }, session);
    expect(r).toEqual({ ok: false, error: { message: 'name must be a string', field: 'name' } });
    const t = await handlers.dispatch('tailCancel', { subscription: 'no-such' }, session);
    expect(t.ok).toBe(false);
  });

  it('answers operations that need no broker', async () => {
    const r = await handlers.dispatch('connection', undefined, session);
    expect(r).toEqual({
      ok: true,
      result: { bootstrap: '127.0.0.1:1', connected: false, id: 'local', name: 'Local cluster', controllable: false },
    });
  });
});
