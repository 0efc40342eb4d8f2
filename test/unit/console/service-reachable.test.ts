// "Is the cluster reachable" asks a broker every time: the client's cached metadata must not report a
// stopped broker as connected (the header's indicator and selectConnection's answer depend on it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../core/broker/broker.ts';
import { singleNodeBroker } from '../../../core/cluster/single-node.ts';
import { BrokerConfig } from '../../../core/broker/configs.ts';
import type { ConnectionInfo } from '../../../core/console/bridge.ts';
import { ConsoleService, type Session } from '../../../core/console/service.ts';

let dataDir: string;
let broker: Broker | undefined;
let service: ConsoleService;
let port: number;
const session: Session = { emit: async () => undefined };
const call = <T>(op: string, args: unknown = {}) => service.call(op, args, session) as Promise<T>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-console-reach-'));
  broker = singleNodeBroker({ port: 0, dataDir, config: new BrokerConfig({}) });
  ({ port } = await broker.start());
  service = new ConsoleService({ bootstrap: `127.0.0.1:${port}` });
});

afterAll(async () => {
  await service?.close();
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('connection status', () => {
  it('says not connected once the broker is gone, though the client has its metadata cached, and connected again when it is back', async () => {
    expect((await call<ConnectionInfo>('connection')).connected).toBe(true);
    expect((await call<ConnectionInfo>('selectConnection', { id: 'local' })).connected).toBe(true);
    // The client now holds the cluster's metadata; the broker goes away.
    await call('listTopics');
    await broker!.stop();
    expect((await call<ConnectionInfo>('connection')).connected).toBe(false);
    expect((await call<ConnectionInfo>('selectConnection', { id: 'local' })).connected).toBe(false);

    broker = singleNodeBroker({ port, dataDir, config: new BrokerConfig({}) });
    await broker.start();
    expect((await call<ConnectionInfo>('connection')).connected).toBe(true);
  });
});
