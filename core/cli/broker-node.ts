// `samsa broker-node` (internal): one broker of a multi-broker cluster, run as
// its own process by the supervisor. It follows the controller at
// `--controller`, tells its parent when it listens (`{ type: 'ready', port }`
// over IPC), does a controlled shutdown on SIGTERM and when its parent goes
// away, and ignores SIGINT (a Ctrl-C reaches the whole process group; the
// parent then stops every broker itself).
import { parseArgs, UsageError, type OptionSpec } from './args.ts';

const SPEC: Record<string, OptionSpec> = {
  id: { value: true, arg: 'N', description: 'Broker id' },
  'data-dir': { value: true, arg: 'DIR', description: 'Cluster data dir (logs in DIR/broker-N)' },
  port: { value: true, arg: 'PORT', description: 'Listener port (0 = any)' },
  host: { value: true, arg: 'HOST', description: 'Listener address' },
  controller: { value: true, arg: 'HOST:PORT', description: "The controller's controller listener" },
  override: { value: true, repeat: true, arg: 'KEY=VALUE', description: 'Broker config' },
};

export async function brokerNode(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const one = (k: string): string => {
    const v = args.values.get(k)?.[0];
    if (v === undefined) throw new UsageError(`--${k} is required`);
    return v;
  };
  const id = Number(one('id'));
  const port = Number(one('port'));
  const dataDir = one('data-dir');
  const host = one('host');
  const m = /^(.+):(\d+)$/.exec(one('controller'));
  if (!Number.isInteger(id) || id < 0 || !Number.isInteger(port) || port < 0 || port > 65535 || !m)
    throw new UsageError('bad --id, --port or --controller');
  // The supervisor timestamps each line it passes on.
  const log = (msg: string): void => {
    console.error(msg);
  };
  process.on('SIGINT', () => undefined);

  const { BrokerConfig } = await import('../broker/configs.ts');
  const { Broker } = await import('../broker/broker.ts');
  const { ControllerClient } = await import('../broker/controller-client.ts');
  const config = BrokerConfig.fromOverrides([
    ...(args.values.get('override') ?? []).filter((o) => !/^(node|broker)\.id=/.test(o)),
    `node.id=${id}`,
  ]);
  const controller = new ControllerClient({ host: m[1]!, port: Number(m[2]) });
  const broker = new Broker({ brokerId: id, host, port, dataDir, config, controller, log });

  // The parent gone before this broker is ready: nothing to hand over.
  const early = (): never => process.exit(1);
  process.on('disconnect', early);
  let addr: { host: string; port: number };
  try {
    addr = await broker.start();
    process.off('disconnect', early);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') console.error(`port ${port} on ${host} is already in use`);
    else console.error(`could not start: ${err.message}`);
    await broker.stop().catch(() => undefined);
    controller.close();
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string): void => {
      if (stopping) return;
      stopping = true;
      log(`[broker ${id}] ${why}: shutting down`);
      const done = (code: number): void => {
        controller.close();
        if (process.connected) process.disconnect();
        // Exit even if a stray handle would keep the process alive.
        setTimeout(() => process.exit(code), 2000).unref();
        resolve(code);
      };
      broker.stop().then(
        () => done(0),
        (e: unknown) => {
          log(`[broker ${id}] error while stopping: ${(e as Error).message}`);
          done(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM received'));
    process.on('disconnect', () => {
      // Nobody would end a shutdown that hangs now (e.g. waiting for the controller that went with the parent).
      setTimeout(() => process.exit(1), 10_000).unref();
      stop('the supervising process is gone');
    });
    process.send?.({ type: 'ready', port: addr.port, pid: process.pid });
  });
}
