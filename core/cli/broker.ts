// `samsa broker list|stop|kill|start|add`: the brokers of the local cluster
// that `samsa start` runs on a data dir, through its control endpoint.
import { parseArgs, usage, UsageError, type OptionSpec } from './args.ts';
import { defaultDataDir } from './data-dir.ts';
import type { BrokerProcessInfo } from '../cluster/cluster-control.ts';

const SPEC: Record<string, OptionSpec> = {
  'data-dir': {
    value: true,
    arg: 'DIR',
    description: 'Data dir of the running cluster (default: the app-data folder; env SAMSA_DATA_DIR)',
  },
  id: { value: true, arg: 'N', description: 'Broker id (stop, kill, start)' },
  json: { description: 'list: print JSON' },
  help: { description: 'Show this help' },
};

const SUMMARY = `Lists and controls the broker processes of the cluster \`samsa start\` runs.

  samsa broker list [--json]    id, address, pid, status, partitions led, disk use
  samsa broker stop --id N      controlled shutdown (leadership moves first)
  samsa broker kill --id N      a crash (SIGKILL)
  samsa broker start --id N     start a stopped or dead broker again
  samsa broker add              start a new broker with the next id and port`;

export async function broker(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.flags.has('help')) {
    console.log(usage('broker list|stop|kill|start|add', SUMMARY, SPEC));
    return 0;
  }
  const [action, extra] = args.positional;
  if (action === undefined) throw new UsageError('missing action: list, stop, kill, start or add');
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  if (!['list', 'stop', 'kill', 'start', 'add'].includes(action))
    throw new UsageError(`unknown action "${action}" (list, stop, kill, start or add)`);
  const idText = args.values.get('id')?.[0];
  const needsId = action === 'stop' || action === 'kill' || action === 'start';
  if (needsId && idText === undefined) throw new UsageError(`${action} needs --id N`);
  if (!needsId && idText !== undefined) throw new UsageError(`${action} takes no --id`);
  if (idText !== undefined && !/^\d+$/.test(idText))
    throw new UsageError(`--id must be a broker id (a number), got "${idText}"`);
  if (args.flags.has('json') && action !== 'list') throw new UsageError('--json goes with list');
  const id = Number(idText);

  const dataDir = args.values.get('data-dir')?.[0] ?? defaultDataDir();
  const { ControlClient, ControlRefused, readClusterFile } = await import('../cluster/control-endpoint.ts');
  const file = readClusterFile(dataDir);
  if (!file) {
    console.error(`samsa broker: no Samsa cluster is running on data dir ${dataDir} (start one with samsa start)`);
    return 1;
  }
  const client = new ControlClient(file);
  try {
    switch (action) {
      case 'list': {
        const brokers = await client.list();
        console.log(args.flags.has('json') ? JSON.stringify(brokers, null, 2) : table(brokers));
        break;
      }
      case 'stop':
        await client.stop(id);
        console.log(`Broker ${id} stopped`);
        break;
      case 'kill':
        await client.kill(id);
        console.log(`Broker ${id} killed`);
        break;
      case 'start': {
        const b = (await client.start(id)).find((x) => x.id === id);
        console.log(`Broker ${id} running on ${b ? `${b.host}:${b.port}` : '?'}${b?.pid ? ` (pid ${b.pid})` : ''}`);
        break;
      }
      case 'add': {
        const b = await client.add();
        console.log(`Broker ${b.id} running on ${b.host}:${b.port}${b.pid ? ` (pid ${b.pid})` : ''}`);
        break;
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof ControlRefused) console.error(`samsa broker: ${e.message}`);
    else console.error(`samsa broker: cannot reach the cluster at ${file.controlUrl}: ${causeOf(e)}`);
    return 1;
  }
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

function table(brokers: BrokerProcessInfo[]): string {
  const rows = [['ID', 'ADDRESS', 'PID', 'STATUS', 'LEADER FOR', 'DISK']];
  for (const b of brokers) {
    let status: string = b.status;
    if (b.status === 'running' && b.fenced) status = 'running (fenced)';
    if (b.inProcess) status += ' (in-process)';
    if ((b.status === 'dead' || b.status === 'stopped') && (b.signal || b.exitCode))
      status += ` (${b.signal ?? `exit ${b.exitCode}`})`;
    rows.push([
      String(b.id),
      `${b.host}:${b.port}`,
      b.pid === null ? '-' : String(b.pid),
      status,
      String(b.partitionsLed),
      bytes(b.diskBytes),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
