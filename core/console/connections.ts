// The connections resource: which cluster the console talks to and the list the user keeps —
// the connection in use and whether a broker answers, connecting to an ad-hoc bootstrap list,
// testing a connection's settings with a client of its own, and saving, deleting and selecting
// connections (a switch closes the old cluster's clients and ends its streams).
import { Admin, metadataV12 } from '@platformatic/kafka';
import { parseBootstrap } from '../client/bootstrap.ts';
import { clientOptions } from '../client/options.ts';
import { optStr, str } from './args.ts';
import type { ConnectionInfo, ConnectionsState, ConnectionTestResult } from './bridge.ts';
import { LOCAL_ID, connectionFailure, securityOptions, type StoredConnection } from './connection-store.ts';
import type { ConsoleContext, HandlerTable } from './context.ts';
import { ConsoleError } from './errors.ts';

export function connectionOperations(ctx: ConsoleContext) {
  const info = (connected: boolean): ConnectionInfo => ({
    bootstrap: ctx.bootstrap,
    connected,
    id: ctx.conn.id,
    name: ctx.conn.name,
    controllable: ctx.controllable,
  });

  const state = (): ConnectionsState => ({ connections: ctx.connections.list(), selected: ctx.conn.id });

  return {
    connection: async () => info(await ctx.reachable()),
    connect: async (a) => {
      const list = (() => {
        try {
          return parseBootstrap(str(a, 'bootstrap'));
        } catch (e) {
          throw new ConsoleError((e as Error).message.replace('--bootstrap-server', 'bootstrap'), 'bootstrap');
        }
      })();
      const local = ctx.connections.get(LOCAL_ID)!;
      await ctx.switchTo(
        list.join(',') === local.bootstrap
          ? local
          : {
              id: 'adhoc',
              name: list.join(','),
              bootstrap: list.join(','),
              sasl: null,
              tls: null,
              rememberPassword: false,
            },
      );
      return info(await ctx.reachable());
    },
    listConnections: async () => state(),
    testConnection: async (a) => {
      const { conn, password } = ctx.connections.resolve(a);
      if (conn.sasl && password === undefined) throw new ConsoleError('Enter the SASL password.', 'password');
      return testConnection(ctx, conn, password);
    },
    saveConnection: async (a) => {
      const { conn, password } = ctx.connections.resolve(a);
      ctx.connections.upsert(conn, password);
      // Saving the connection in use applies its new settings at once.
      if (ctx.conn.id === conn.id) await ctx.switchTo(conn);
      return { ...state(), saved: conn.id };
    },
    deleteConnection: async (a) => {
      const id = str(a, 'id');
      const wasSelected = ctx.conn.id === id;
      ctx.connections.remove(id);
      if (wasSelected) await ctx.switchTo(ctx.connections.selected);
      return state();
    },
    selectConnection: async (a) => {
      const conn = ctx.connections.select(str(a, 'id'), optStr(a, 'password'));
      await ctx.switchTo(conn);
      let connected = false;
      try {
        await ctx.askBroker([]);
        connected = true;
      } catch (e) {
        // A SASL or TLS mistake is worth saying now, next to the connection; an unreachable cluster shows in the header.
        const f = connectionFailure(e, conn);
        if (f && f.field !== 'bootstrap') throw new ConsoleError(f.message, f.field);
      }
      return info(connected);
    },
  } satisfies Partial<HandlerTable>;
}

/** Connects once with a connection's settings (a new client, closed after) and reports what it found. */
async function testConnection(
  ctx: ConsoleContext,
  conn: StoredConnection,
  password: string | undefined,
): Promise<ConnectionTestResult> {
  const started = Date.now();
  const admin = new Admin({
    ...clientOptions(parseBootstrap(conn.bootstrap), `${ctx.clientId}-test`),
    ...securityOptions(conn, password),
  });
  try {
    const conns = await admin.connectToBrokers(null);
    const c = conns.values().next().value;
    if (!c) throw new ConsoleError(`Could not connect to the Kafka broker at ${conn.bootstrap}.`, 'bootstrap');
    const meta = await metadataV12.api.async(c, [], false, false);
    return {
      brokers: meta.brokers.length,
      clusterId: meta.clusterId ?? null,
      controllerId: meta.controllerId,
      ms: Date.now() - started,
    };
  } catch (e) {
    const f = connectionFailure(e, conn);
    if (f) throw new ConsoleError(f.message, f.field);
    throw e;
  } finally {
    await admin.close().catch(() => undefined);
  }
}
