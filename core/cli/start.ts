// `samsa start`: runs a local cluster until SIGINT/SIGTERM — one broker in
// this process, or with --brokers N ≥ 2 the controller here and N broker
// processes. Either way a control endpoint serves `samsa broker …`.
import { parseArgs, usage, UsageError, type OptionSpec } from './args.ts';
import { DataDirError, defaultDataDir, lockDataDir, prepareDataDir } from './data-dir.ts';

const SPEC: Record<string, OptionSpec> = {
  'data-dir': {
    value: true,
    arg: 'DIR',
    description: 'Where data is kept (default: the app-data folder; env SAMSA_DATA_DIR)',
  },
  port: {
    value: true,
    arg: 'PORT',
    description: 'Listener port (default 9092; 0 picks a free port); with --brokers N, broker i listens on PORT+i-1',
  },
  brokers: {
    value: true,
    arg: 'N',
    description: 'Number of brokers (default 1, in this process; N ≥ 2 runs each as its own process)',
  },
  host: { value: true, arg: 'HOST', description: 'Listener address (default 127.0.0.1)' },
  'advertised-host': {
    value: true,
    arg: 'HOST',
    description: 'Host name given to clients in metadata (default: --host)',
  },
  'advertised-port': {
    value: true,
    arg: 'PORT',
    description: 'Port given to clients in metadata (default: the listener port), e.g. behind a proxy',
  },
  override: { value: true, repeat: true, arg: 'KEY=VALUE', description: 'Set a broker config, e.g. num.partitions=3' },
  ui: { description: 'Also serve the console (GUI) on 127.0.0.1 and print its URL' },
  'data-dir-group-readable': {
    description: "Let the user's group read the data dir (default: only you; the dir 0700, its files 0600)",
  },
  'ui-port': {
    value: true,
    arg: 'PORT',
    description: 'Port of the console with --ui (default 9000; 0 picks a free port)',
  },
  'schema-registry': {
    description: "Also serve a Confluent-compatible Schema Registry (schemas kept in the cluster's _schemas topic)",
  },
  'schema-registry-port': {
    value: true,
    arg: 'PORT',
    description: 'Port of the Schema Registry on 127.0.0.1 (default 8081; 0 picks a free port)',
  },
  help: { description: 'Show this help' },
};

export async function start(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.flags.has('help')) {
    console.log(usage('start', 'Runs a Kafka-compatible broker; stops cleanly on Ctrl-C (SIGINT) or SIGTERM.', SPEC));
    return 0;
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const one = (k: string) => args.values.get(k)?.[0];
  const portText = one('port') ?? '9092';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, got "${portText}"`);
  const host = one('host') ?? '127.0.0.1';
  const advertisedPortText = one('advertised-port');
  const advertisedPort = advertisedPortText === undefined ? undefined : Number(advertisedPortText);
  if (
    advertisedPortText !== undefined &&
    (!/^\d+$/.test(advertisedPortText) || advertisedPort! < 1 || advertisedPort! > 65535)
  ) {
    throw new UsageError(`--advertised-port must be a number from 1 to 65535, got "${advertisedPortText}"`);
  }
  const brokersText = one('brokers') ?? '1';
  const brokerCount = Number(brokersText);
  if (!/^\d+$/.test(brokersText) || brokerCount < 1 || brokerCount > 64)
    throw new UsageError(`--brokers must be a number from 1 to 64, got "${brokersText}"`);
  if (brokerCount > 1 && port !== 0 && port + brokerCount - 1 > 65535)
    throw new UsageError(`--port ${port} leaves no room for ${brokerCount} brokers`);
  if (brokerCount > 1 && (one('advertised-host') !== undefined || advertisedPortText !== undefined))
    throw new UsageError('--advertised-host and --advertised-port go with a single broker');
  const dataDir = one('data-dir') ?? defaultDataDir();
  const ui = args.flags.has('ui');
  const uiPortText = one('ui-port') ?? '9000';
  const uiPort = Number(uiPortText);
  if (!/^\d+$/.test(uiPortText) || uiPort > 65535)
    throw new UsageError(`--ui-port must be a number from 0 to 65535, got "${uiPortText}"`);
  if (one('ui-port') !== undefined && !ui) throw new UsageError('--ui-port needs --ui');
  const registryPortText = one('schema-registry-port') ?? '8081';
  const registryPort = args.flags.has('schema-registry') ? Number(registryPortText) : undefined;
  if (!/^\d+$/.test(registryPortText) || Number(registryPortText) > 65535)
    throw new UsageError(`--schema-registry-port must be a number from 0 to 65535, got "${registryPortText}"`);
  if (one('schema-registry-port') !== undefined && registryPort === undefined)
    throw new UsageError('--schema-registry-port needs --schema-registry');

  const { BrokerConfig } = await import('../broker/configs.ts');
  let config;
  try {
    config = BrokerConfig.fromOverrides(args.values.get('override') ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }

  let unlock: () => void;
  try {
    prepareDataDir(dataDir, { shared: args.flags.has('data-dir-group-readable') });
    unlock = lockDataDir(dataDir);
  } catch (e) {
    if (e instanceof DataDirError) {
      console.error(`samsa: ${e.message}`);
      return 1;
    }
    throw e;
  }

  if (brokerCount > 1)
    return startCluster({
      brokers: brokerCount,
      dataDir,
      host,
      port,
      overrides: args.values.get('override') ?? [],
      ui,
      uiPort,
      registryPort,
      unlock,
      config,
    });

  const [{ Broker }, { Controller }, { InProcessChannel }] = await Promise.all([
    import('../broker/broker.ts'),
    import('../cluster/controller.ts'),
    import('../cluster/in-process-channel.ts'),
  ]);
  let running = false;
  const startup: string[] = [];
  // A single-node cluster: the controller here, the broker following it in this process.
  // Its routine messages (registration, fencing of this only broker) are not logged.
  let controller: InstanceType<typeof Controller>;
  try {
    controller = Controller.open(dataDir, config);
  } catch (e) {
    unlock();
    console.error(`samsa: could not start: ${(e as Error).message}`);
    return 1;
  }
  const broker = new Broker({
    controller: new InProcessChannel(controller),
    brokerId: config.nodeId,
    host,
    port,
    advertisedHost: one('advertised-host'),
    advertisedPort,
    dataDir,
    config,
    // Diagnostics go to stderr; those of start-up (recovery, offline partitions) are held until the
    // broker runs, then printed, so a failed start is still reported as one line below.
    log: (msg) => {
      const line = `${new Date().toISOString()} ${msg}`;
      if (running) console.error(line);
      else if (startup.length < 1000) startup.push(line);
    },
  });
  let addr: { host: string; port: number };
  try {
    addr = await broker.start();
    running = true;
    for (const line of startup.splice(0)) console.error(line);
  } catch (e) {
    unlock();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      console.error(`samsa: port ${port} on ${host} is already in use; pick another with --port`);
    else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
      console.error(`samsa: cannot listen on ${host}: address not available`);
    else if (err.code === 'EACCES') console.error(`samsa: not allowed to listen on ${host}:${port}`);
    else console.error(`samsa: could not start: ${err.message}`);
    await broker.stop().catch(() => undefined);
    controller.close();
    return 1;
  }
  const bootstrap = `${clientHost(addr.host)}:${addr.port}`;
  const { InProcessBrokerControl } = await import('../cluster/in-process-control.ts');
  const control = new InProcessBrokerControl({
    id: config.nodeId,
    host: addr.host,
    port: addr.port,
    dataDir,
    startedAt: Date.now(),
    metadata: () => controllerMetadata(controller),
  });
  const registry = registryPort === undefined ? undefined : await startRegistry(bootstrap, registryPort);
  if (registry === null) {
    await broker.stop().catch(() => undefined);
    controller.close();
    unlock();
    return 1;
  }
  const consoleHost = ui ? await startConsole(bootstrap, uiPort, dataDir, control) : undefined;
  const endpoint = await openControl(control, dataDir, bootstrap);
  return runUntilSignalled(
    [endpoint, consoleHost, registry, { close: () => broker.stop() }, { close: () => controller.close() }],
    unlock,
    () => {
      // Only now say we are ready: whoever reads this line may signal us at once.
      console.log(`Samsa broker ${config.nodeId} listening on ${addr.host}:${addr.port} (data dir: ${dataDir})`);
      if (registry) console.log(registry.message);
      if (consoleHost?.message) console.log(consoleHost.message);
    },
  );
}

/** The controller's brokers and partitions, for `samsa broker list`. */
function controllerMetadata(c: import('../cluster/controller.ts').Controller) {
  return { brokers: c.brokers(), partitions: [...c.topics()].flatMap((t) => c.partitions(t.topicId)) };
}

/**
 * Prints the ready lines (`ready`), then runs until SIGINT or SIGTERM, when it closes `parts` in
 * order and releases the data dir. Resolves with the exit code.
 */
function runUntilSignalled(
  parts: ({ close(): unknown } | undefined)[],
  unlock: () => void,
  ready: () => void,
): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`Samsa: ${signal} received, shutting down`);
      try {
        for (const p of parts) await p?.close();
        unlock();
        console.log('Samsa: stopped cleanly');
        resolve(0);
      } catch (e) {
        unlock();
        console.error(`samsa: error while stopping: ${(e as Error).message}`);
        resolve(1);
      }
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    ready();
  });
}

/** The address clients use for a listener bound to `host`. */
function clientHost(host: string): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return h.includes(':') ? `[${h}]` : h;
}

/** Serves `control` on 127.0.0.1 and publishes it in `<data-dir>/cluster.json` until closed. */
async function openControl(
  control: import('../cluster/cluster-control.ts').ClusterControl,
  dataDir: string,
  bootstrap: string,
): Promise<{ close(): Promise<void> }> {
  const { removeClusterFile, startControlEndpoint, writeClusterFile } = await import('../cluster/control-endpoint.ts');
  const ep = await startControlEndpoint(control);
  writeClusterFile(dataDir, { pid: process.pid, controlUrl: ep.url, token: ep.token, bootstrap });
  return {
    close: async () => {
      removeClusterFile(dataDir);
      await ep.close();
    },
  };
}

/**
 * Starts the console's web host for the cluster at `bootstrap`. Never fails the broker: a missing
 * renderer build or a busy port becomes one line of explanation instead.
 */
async function startConsole(
  bootstrap: string,
  uiPort: number,
  dataDir: string,
  clusterControl?: import('../cluster/cluster-control.ts').ClusterControl,
): Promise<{ message: string; close(): Promise<void> }> {
  const { rendererBuilt, startWebHost } = await import('../console/web-host.ts');
  if (!rendererBuilt()) {
    return {
      message:
        'Samsa console: not available, the GUI has not been built (run `npm run build:renderer`, then start again)',
      close: async () => undefined,
    };
  }
  const { ConsoleService } = await import('../console/service.ts');
  const service = new ConsoleService({ bootstrap, settingsPath: `${dataDir}/console.json`, clusterControl });
  try {
    const web = await startWebHost({ service, port: uiPort });
    return {
      message: `Samsa console: ${web.url}`,
      close: async () => {
        await web.close();
        await service.close();
      },
    };
  } catch (e) {
    await service.close();
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EADDRINUSE' ? `port ${uiPort} is already in use; pick another with --ui-port` : err.message;
    return { message: `Samsa console: not available, ${why}`, close: async () => undefined };
  }
}

interface ClusterOptions {
  brokers: number;
  dataDir: string;
  host: string;
  port: number;
  overrides: string[];
  ui: boolean;
  uiPort: number;
  registryPort: number | undefined;
  unlock: () => void;
  config: import('../broker/configs.ts').BrokerConfig;
}

/** --brokers N ≥ 2: the controller and the supervisor here, each broker its own process. */
async function startCluster(o: ClusterOptions): Promise<number> {
  // A taken port is reported before anything starts.
  if (o.port !== 0) {
    for (let i = 0; i < o.brokers; i++) {
      const why = await portProblem(o.host, o.port + i);
      if (why) {
        o.unlock();
        console.error(`samsa: ${why}`);
        return 1;
      }
    }
  }
  const { Controller } = await import('../cluster/controller.ts');
  const { ControllerServer } = await import('../cluster/controller-server.ts');
  const { Supervisor } = await import('../cluster/supervisor.ts');
  let running = false;
  const log = (line: string): void => {
    if (running) console.error(`${new Date().toISOString()} ${line}`);
  };
  const startupOutput: string[] = [];
  let controller: InstanceType<typeof Controller> | undefined;
  let server: InstanceType<typeof ControllerServer> | undefined;
  let supervisor: InstanceType<typeof Supervisor> | undefined;
  const closeAll = async (): Promise<void> => {
    await supervisor?.shutdown();
    await server?.close();
    controller?.close();
  };
  try {
    controller = Controller.open(o.dataDir, o.config, { log });
    server = new ControllerServer(controller, { log });
    const listener = await server.listen(0, '127.0.0.1');
    const c = controller;
    supervisor = new Supervisor({
      dataDir: o.dataDir,
      host: o.host,
      basePort: o.port,
      controllerAddress: `127.0.0.1:${listener.port}`,
      overrides: o.overrides,
      controller: {
        brokerExited: (id) => c.brokerExited(id),
        metadata: () => controllerMetadata(c),
      },
      log: (line) => {
        if (running) log(line);
        else startupOutput.push(line);
      },
    });
    await supervisor.startBrokers(o.brokers);
  } catch (e) {
    const err = e as Error & { output?: string[] };
    const last = err.output?.filter((l) => l.trim()).at(-1);
    console.error(
      `samsa: ${last ? `${err.message.split('\n')[0]!.replace(/ \(code .*$/, '')}: ${last.replace(/^\[broker \d+\] /, '')}` : `could not start: ${err.message.split('\n')[0]}`}`,
    );
    await closeAll().catch(() => undefined);
    o.unlock();
    return 1;
  }
  running = true;
  const sup = supervisor;
  const bootstrap = sup.bootstrap();
  const registry = o.registryPort === undefined ? undefined : await startRegistry(bootstrap, o.registryPort);
  if (registry === null) {
    await closeAll().catch(() => undefined);
    o.unlock();
    return 1;
  }
  const consoleHost = o.ui ? await startConsole(bootstrap, o.uiPort, o.dataDir, sup) : undefined;
  const endpoint = await openControl(sup, o.dataDir, bootstrap);
  return runUntilSignalled([endpoint, consoleHost, registry, { close: closeAll }], o.unlock, () => {
    for (const b of sup.statuses()) console.log(`Samsa broker ${b.id} listening on ${o.host}:${b.port}`);
    console.log(`Samsa cluster of ${o.brokers} brokers ready, bootstrap ${bootstrap} (data dir: ${o.dataDir})`);
    if (registry) console.log(registry.message);
    if (consoleHost?.message) console.log(consoleHost.message);
  });
}

/**
 * Starts the Schema Registry on 127.0.0.1:`port` against the cluster; null (after printing one
 * line saying why) when it cannot listen or cannot read `_schemas`.
 */
async function startRegistry(
  bootstrap: string,
  port: number,
): Promise<{ close(): Promise<void>; message: string } | null> {
  const { startSchemaRegistry } = await import('../registry/server.ts');
  try {
    const r = await startSchemaRegistry({ bootstrap: bootstrap.split(','), port });
    return { close: () => r.close(), message: `Samsa Schema Registry listening on ${r.url}` };
  } catch (e) {
    console.error(`samsa: schema registry: ${(e as Error).message}`);
    return null;
  }
}

/** Why `host:port` cannot be listened on, or undefined when it can. */
async function portProblem(host: string, port: number): Promise<string | undefined> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolve(`port ${port} on ${host} is already in use; pick another with --port`);
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        resolve(`cannot listen on ${host}: address not available`);
      else if (e.code === 'EACCES') resolve(`not allowed to listen on ${host}:${port}`);
      else resolve(`cannot listen on ${host}:${port}: ${e.message}`);
    });
    s.listen(port, host, () => s.close(() => resolve(undefined)));
  });
}
