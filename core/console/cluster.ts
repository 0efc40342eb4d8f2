// The cluster resource: its overview (brokers with the partitions they lead and their disk use,
// topic and partition counts, under-replicated and offline partitions, the controller) from one
// Metadata request and DescribeLogDirs of every broker; and, on the local cluster only, the broker
// actions its supervisor offers (stop, kill, start, add a broker). The supervisor also knows
// brokers the metadata no longer lists (stopped, dead, fenced), which the overview shows too.
import { logDirSizes } from '../client/log-dirs.ts';
import type { BrokerProcessInfo, ClusterControl } from '../cluster/cluster-control.ts';
import { optInt } from './args.ts';
import type { BrokerInfo, BrokerStatus, ClusterOverview } from './bridge.ts';
import type { ConsoleContext, HandlerTable } from './context.ts';
import { INTERNAL } from './convert.ts';
import { ConsoleError } from './errors.ts';

export function clusterOperations(ctx: ConsoleContext) {
  return {
    clusterOverview: async () => overview(ctx),
    brokerControl: async (a) => {
      const control = requireControl(ctx);
      const id = optInt(a, 'id', 0);
      if (id === undefined) throw new ConsoleError('id must be a broker id', 'id');
      const action = a.action;
      if (action === 'stop') await control.stop(id);
      else if (action === 'kill') await control.kill(id);
      else if (action === 'start') await control.start(id);
      else throw new ConsoleError('action must be stop, kill or start', 'action');
      return overview(ctx);
    },
    addBroker: async () => {
      await requireControl(ctx).add();
      return overview(ctx);
    },
  } satisfies Partial<HandlerTable>;
}

function requireControl(ctx: ConsoleContext): ClusterControl {
  if (!ctx.controllable) {
    throw new ConsoleError(
      ctx.control
        ? 'Brokers can be stopped and started only on the local cluster; switch to it first.'
        : "This console was not started with the local cluster's supervisor, so it cannot stop or start brokers.",
    );
  }
  return ctx.control!;
}

async function overview(ctx: ConsoleContext): Promise<ClusterOverview> {
  const controllable = ctx.controllable;
  const [meta, processes] = await Promise.all([
    ctx.fullMetadata(),
    controllable
      ? ctx.control!.list().catch(() => [] as BrokerProcessInfo[])
      : Promise.resolve([] as BrokerProcessInfo[]),
  ]);
  const led = new Map<number, number>();
  let partitions = 0,
    under = 0,
    internal = 0,
    topics = 0,
    offline = 0;
  for (const t of meta.topics) {
    if (t.errorCode !== 0 || t.name === null) continue;
    topics++;
    if (t.isInternal || INTERNAL.has(t.name!)) internal++;
    for (const p of t.partitions) {
      partitions++;
      if (p.isrNodes.length < p.replicaNodes.length) under++;
      if (p.leaderId < 0) offline++;
      else led.set(p.leaderId, (led.get(p.leaderId) ?? 0) + 1);
    }
  }
  const disk = await logDirSizes(
    ctx.admin(),
    meta.brokers.map((b) => b.nodeId),
    null,
  ).catch(() => undefined);
  const brokers = new Map<number, BrokerInfo>();
  for (const b of meta.brokers) {
    brokers.set(b.nodeId, {
      nodeId: b.nodeId,
      host: b.host,
      port: b.port,
      rack: b.rack ?? null,
      isController: b.nodeId === meta.controllerId,
      partitionsLed: led.get(b.nodeId) ?? 0,
      status: 'online',
      diskBytes: disk?.brokers.get(b.nodeId) ?? null,
      pid: null,
      inProcess: false,
    });
  }
  // The local cluster's supervisor knows brokers the metadata no longer lists (stopped, dead, fenced).
  for (const p of processes) {
    const known = brokers.get(p.id);
    const status: BrokerStatus =
      p.status === 'running' ? (p.fenced ? 'fenced' : known ? 'online' : 'starting') : p.status;
    brokers.set(p.id, {
      nodeId: p.id,
      host: known?.host ?? p.host,
      port: known?.port ?? p.port,
      rack: known?.rack ?? null,
      isController: known?.isController ?? false,
      partitionsLed: led.get(p.id) ?? 0,
      status,
      diskBytes: known?.diskBytes ?? p.diskBytes,
      pid: p.pid,
      inProcess: p.inProcess,
    });
  }
  return {
    bootstrap: ctx.bootstrap,
    clusterId: meta.clusterId ?? null,
    controllerId: meta.controllerId,
    brokers: [...brokers.values()].sort((x, y) => x.nodeId - y.nodeId),
    topicCount: topics,
    internalTopicCount: internal,
    partitionCount: partitions,
    underReplicatedPartitions: under,
    offlinePartitions: offline,
    controllable,
  };
}
