// The local cluster as the desktop app runs it: the controller (Kafka's controller role) and its
// controller listener here in the main process, the brokers as child processes (`samsa
// broker-node`, Electron utility processes) under the supervisor, and the control endpoint that
// `samsa broker …` uses (its address in <data-dir>/cluster.json while running).
import type { BrokerSpawner, ClusterControl } from '../../core/cluster/cluster-control.ts';
import { BrokerConfig } from '../../core/broker/configs.ts';
import { lockDataDir, prepareDataDir } from '../../core/cli/data-dir.ts';
import { removeClusterFile, startControlEndpoint, writeClusterFile } from '../../core/cluster/control-endpoint.ts';
import { ControllerServer } from '../../core/cluster/controller-server.ts';
import { Controller } from '../../core/cluster/controller.ts';
import { Supervisor } from '../../core/cluster/supervisor.ts';
import type { Log } from './log.ts';
import { brokerOverrides, type Settings } from './settings.ts';
import { portFree } from './ports.ts';

export interface LocalCluster {
  /** host:port list clients bootstrap from. */
  readonly bootstrap: string;
  /** Where it listens, for people (see listenSummary). */
  readonly listening: string;
  readonly control: ClusterControl;
  /** Controlled shutdown of every broker (SIGTERM, waiting for the exits), then the controller. */
  stop(): Promise<void>;
}

/** host:port of every broker, comma-separated (a wildcard listen address is reached as localhost). */
export function bootstrapFor(s: Pick<Settings, 'host' | 'port' | 'brokers'>): string {
  const host = s.host === '0.0.0.0' || s.host === '::' ? 'localhost' : s.host;
  return Array.from({ length: s.brokers }, (_, i) => `${host.includes(':') ? `[${host}]` : host}:${s.port + i}`).join(
    ',',
  );
}

/** Where the cluster listens, for the title bar: "127.0.0.1:9092", or "127.0.0.1:9092–9094" for three brokers. */
export function listenSummary(s: Pick<Settings, 'host' | 'port' | 'brokers'>): string {
  const first = bootstrapFor({ ...s, brokers: 1 });
  return s.brokers > 1 ? `${first}–${s.port + s.brokers - 1}` : first;
}

/** Starts the local cluster the settings describe; on a failure everything started is stopped again. */
export async function startLocalCluster(settings: Settings, spawner: BrokerSpawner, log: Log): Promise<LocalCluster> {
  prepareDataDir(settings.dataDir);
  const unlock = lockDataDir(settings.dataDir);
  const overrides = brokerOverrides(settings);
  let controller: Controller | undefined;
  let server: ControllerServer | undefined;
  let supervisor: Supervisor | undefined;
  let endpoint: Awaited<ReturnType<typeof startControlEndpoint>> | undefined;
  const stop = async () => {
    if (endpoint) {
      removeClusterFile(settings.dataDir);
      await endpoint.close().catch(() => undefined);
    }
    await supervisor?.shutdown().catch((e: unknown) => log(`stopping the brokers: ${(e as Error).message}`));
    await server?.close().catch(() => undefined);
    controller?.close();
    unlock();
  };
  try {
    controller = Controller.open(settings.dataDir, BrokerConfig.fromOverrides(overrides), {
      log: (m) => log(`[controller] ${m}`),
    });
    server = new ControllerServer(controller, { log: (m) => log(`[controller] ${m}`) });
    const wanted = (await portFree('127.0.0.1', settings.controllerPort)) ? settings.controllerPort : 0;
    if (wanted === 0)
      log(`controller port ${settings.controllerPort} is in use; the controller listens on a free port`);
    const listener = await server.listen(wanted, '127.0.0.1');
    const c = controller;
    supervisor = new Supervisor({
      dataDir: settings.dataDir,
      host: settings.host,
      basePort: settings.port,
      controllerAddress: `127.0.0.1:${listener.port}`,
      overrides,
      spawner,
      controller: {
        brokerExited: (id) => c.brokerExited(id),
        metadata: () => ({ brokers: c.brokers(), partitions: [...c.topics()].flatMap((t) => c.partitions(t.topicId)) }),
      },
      log,
    });
    log(
      `starting ${settings.brokers} broker${settings.brokers === 1 ? '' : 's'} (controller on 127.0.0.1:${listener.port})`,
    );
    await supervisor.startBrokers(settings.brokers);
    const bootstrap = bootstrapFor(settings);
    endpoint = await startControlEndpoint(supervisor);
    writeClusterFile(settings.dataDir, {
      pid: process.pid,
      controlUrl: endpoint.url,
      token: endpoint.token,
      bootstrap,
    });
    return { bootstrap, listening: listenSummary(settings), control: supervisor, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
