// `samsa start`: runs one broker in this process until SIGINT/SIGTERM.
import { parseArgs, usage, UsageError, type OptionSpec } from './args.ts';
import { DataDirError, defaultDataDir, lockDataDir, prepareDataDir } from './data-dir.ts';

const SPEC: Record<string, OptionSpec> = {
  'data-dir': { value: true, arg: 'DIR', description: 'Where data is kept (default: the app-data folder; env SAMSA_DATA_DIR)' },
  port: { value: true, arg: 'PORT', description: 'Listener port (default 9092; 0 picks a free port)' },
  host: { value: true, arg: 'HOST', description: 'Listener address (default 127.0.0.1)' },
  'advertised-host': { value: true, arg: 'HOST', description: 'Host name given to clients in metadata (default: --host)' },
  'advertised-port': { value: true, arg: 'PORT', description: 'Port given to clients in metadata (default: the listener port), e.g. behind a proxy' },
  override: { value: true, repeat: true, arg: 'KEY=VALUE', description: 'Set a broker config, e.g. num.partitions=3' },
  ui: { description: 'Also serve the console (GUI) on 127.0.0.1 and print its URL' },
  'ui-port': { value: true, arg: 'PORT', description: 'Port of the console with --ui (default 9000; 0 picks a free port)' },
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
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${portText}"`);
  const host = one('host') ?? '127.0.0.1';
  const advertisedPortText = one('advertised-port');
  const advertisedPort = advertisedPortText === undefined ? undefined : Number(advertisedPortText);
  if (advertisedPortText !== undefined && (!/^\d+$/.test(advertisedPortText) || advertisedPort! < 1 || advertisedPort! > 65535)) {
    throw new UsageError(`--advertised-port must be a number from 1 to 65535, got "${advertisedPortText}"`);
  }
  const dataDir = one('data-dir') ?? defaultDataDir();
  const ui = args.flags.has('ui');
  const uiPortText = one('ui-port') ?? '9000';
  const uiPort = Number(uiPortText);
  if (!/^\d+$/.test(uiPortText) || uiPort > 65535) throw new UsageError(`--ui-port must be a number from 0 to 65535, got "${uiPortText}"`);
  if (one('ui-port') !== undefined && !ui) throw new UsageError('--ui-port needs --ui');

  const { BrokerConfig } = await import('../broker/configs.ts');
  let config;
  try {
    config = BrokerConfig.fromOverrides(args.values.get('override') ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }

  let unlock: () => void;
  try {
    prepareDataDir(dataDir);
    unlock = lockDataDir(dataDir);
  } catch (e) {
    if (e instanceof DataDirError) {
      console.error(`samsa: ${e.message}`);
      return 1;
    }
    throw e;
  }

  const { Broker } = await import('../broker/broker.ts');
  let running = false;
  const broker = new Broker({ brokerId: config.nodeId, host, port, advertisedHost: one('advertised-host'), advertisedPort, dataDir, config,
    // Diagnostics go to stderr once the broker runs (start-up failures are reported as one line below).
    log: (msg) => { if (running) console.error(`${new Date().toISOString()} ${msg}`); } });
  let addr: { host: string; port: number };
  try {
    addr = await broker.start();
    running = true;
  } catch (e) {
    unlock();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') console.error(`samsa: port ${port} on ${host} is already in use; pick another with --port`);
    else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') console.error(`samsa: cannot listen on ${host}: address not available`);
    else if (err.code === 'EACCES') console.error(`samsa: not allowed to listen on ${host}:${port}`);
    else console.error(`samsa: could not start: ${err.message}`);
    await broker.stop().catch(() => undefined);
    return 1;
  }
  const consoleHost = ui ? await startConsole(addr, uiPort) : undefined;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`Samsa: ${signal} received, shutting down`);
      (consoleHost?.close() ?? Promise.resolve()).then(() => broker.stop()).then(
        () => { unlock(); console.log('Samsa: stopped cleanly'); resolve(0); },
        (e: unknown) => { unlock(); console.error(`samsa: error while stopping: ${(e as Error).message}`); resolve(1); },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    // Only now say we are ready: whoever reads this line may signal us at once.
    console.log(`Samsa broker ${config.nodeId} listening on ${addr.host}:${addr.port} (data dir: ${dataDir})`);
    if (consoleHost?.message) console.log(consoleHost.message);
  });
}

/**
 * Starts the console's web host for the broker at `addr`. Never fails the broker: a missing
 * renderer build or a busy port becomes one line of explanation instead.
 */
async function startConsole(addr: { host: string; port: number }, uiPort: number): Promise<{ message: string; close(): Promise<void> }> {
  const { rendererBuilt, startWebHost } = await import('../console/web-host.ts');
  if (!rendererBuilt()) {
    return { message: 'Samsa console: not available, the GUI has not been built (run `npm run build:renderer`, then start again)', close: async () => undefined };
  }
  const { ConsoleService } = await import('../console/service.ts');
  const host = addr.host === '0.0.0.0' || addr.host === '::' ? '127.0.0.1' : addr.host;
  const service = new ConsoleService({ bootstrap: `${host.includes(':') ? `[${host}]` : host}:${addr.port}` });
  try {
    const web = await startWebHost({ service, port: uiPort });
    return { message: `Samsa console: ${web.url}`, close: async () => { await web.close(); await service.close(); } };
  } catch (e) {
    await service.close();
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? `port ${uiPort} is already in use; pick another with --ui-port` : err.message;
    return { message: `Samsa console: not available, ${why}`, close: async () => undefined };
  }
}
