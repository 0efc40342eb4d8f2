// The topics resource: the list (record counts and sizes for every topic from one Metadata request,
// ListOffsets per leader and DescribeLogDirs per broker, so 10,000 topics cost a few requests), a
// topic's detail (partitions with leader, replicas, ISR, offsets and size; its configs with their
// sources), create (checked first as Kafka would: the name rule, partitions and replication factor
// above 0 and not above the brokers), delete, config changes (IncrementalAlterConfigs), adding
// partitions (only more, as Kafka allows) and deleting records up to an offset.
import { partitionKey } from '../client/connection-api.ts';
import { leafErrors } from '../client/errors.ts';
import { offsetsByLeader, type LeaderPartition } from '../client/list-offsets.ts';
import { logDirSizes } from '../client/log-dirs.ts';
import { topicNameError } from '../protocol/topic-name.ts';
import { asArgs, offsetText, optInt, str, type Args } from './args.ts';
import type { ConfigEntry, ConfigSourceName, DeleteRecordsResult, TopicDetail, TopicSummary } from './bridge.ts';
import type { ConsoleContext, HandlerTable } from './context.ts';
import { INTERNAL, topicSummary } from './convert.ts';
import { ConsoleError, errorInfo, isUnknownTopic } from './errors.ts';

/** DescribeConfigs' config sources, by number, as Kafka names them. */
const SOURCES: Record<number, ConfigSourceName> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};

/** The form field of createTopic that a Kafka error from CreateTopics belongs to. */
const CREATE_FIELDS: Record<string, string> = {
  INVALID_TOPIC_EXCEPTION: 'name',
  TOPIC_ALREADY_EXISTS: 'name',
  INVALID_PARTITIONS: 'partitions',
  INVALID_REPLICATION_FACTOR: 'replicationFactor',
  INVALID_CONFIG: 'configs',
  POLICY_VIOLATION: 'configs',
};

export const createTopicField = (kafkaError: string): string | undefined => CREATE_FIELDS[kafkaError];

export function topicOperations(ctx: ConsoleContext) {
  return {
    listTopics: async (a) => listTopics(ctx, a.includeInternal === true),
    createTopic: async (a) => createTopic(ctx, a),
    deleteTopic: async (a) => {
      const name = str(a, 'name');
      await ctx.admin().deleteTopics({ topics: [name] });
      return { deleted: name };
    },
    topicDetail: async (a) => topicDetail(ctx, str(a, 'name')),
    alterTopicConfigs: async (a) => alterTopicConfigs(ctx, a),
    addPartitions: async (a) => {
      const name = str(a, 'name');
      const count = optInt(a, 'count', 1, 1_000_000);
      if (count === undefined) throw new ConsoleError('count must be the new total number of partitions', 'count');
      const current = (await topicDetail(ctx, name)).partitions.length;
      if (count <= current) {
        throw new ConsoleError(
          `Topic '${name}' already has ${current} partition${current === 1 ? '' : 's'}; the new count must be larger (partitions can only be added).`,
          'count',
          'INVALID_PARTITIONS',
        );
      }
      await ctx.admin().createPartitions({ topics: [{ name, count }] });
      return topicDetail(ctx, name);
    },
    deleteRecords: async (a) => deleteRecords(ctx, a),
  } satisfies Partial<HandlerTable>;
}

/** Every topic with its record count and size: one Metadata request, ListOffsets per leader, DescribeLogDirs per broker. */
async function listTopics(ctx: ConsoleContext, includeInternal: boolean): Promise<TopicSummary[]> {
  const meta = await ctx.fullMetadata();
  const shown = meta.topics.filter(
    (t) => t.name !== null && t.errorCode === 0 && (includeInternal || !(t.isInternal || INTERNAL.has(t.name!))),
  );
  const parts: LeaderPartition[] = [];
  for (const t of shown)
    for (const p of t.partitions) parts.push({ topic: t.name!, partition: p.partitionIndex, leader: p.leaderId });
  const admin = ctx.admin();
  const [starts, ends, sizes] = await Promise.all([
    offsetsByLeader(admin, parts, -2n).catch(() => undefined),
    offsetsByLeader(admin, parts, -1n).catch(() => undefined),
    logDirSizes(
      admin,
      meta.brokers.map((b) => b.nodeId),
      null,
    ).catch(() => undefined),
  ]);
  return shown
    .map((t) => {
      const base = topicSummary(t);
      let records: bigint | null = starts && ends ? 0n : null;
      let size: number | null = sizes && sizes.brokers.size > 0 ? 0 : null;
      for (const p of t.partitions) {
        const k = partitionKey(base.name, p.partitionIndex);
        const s = starts?.get(k),
          e = ends?.get(k);
        if (records !== null) records = s === undefined || e === undefined ? null : records + (e > s ? e - s : 0n);
        if (size !== null) size += sizes!.partitions.get(k) ?? 0;
      }
      return { ...base, recordCount: records?.toString() ?? null, sizeBytes: size };
    })
    .sort((x, y) => x.name.localeCompare(y.name));
}

async function createTopic(ctx: ConsoleContext, a: Args): Promise<TopicSummary> {
  const name = str(a, 'name');
  const nameError = topicNameError(name);
  if (nameError) throw new ConsoleError(nameError, 'name', 'INVALID_TOPIC_EXCEPTION');
  const partitions = optInt(a, 'partitions', -1, 1_000_000) ?? -1;
  if (partitions === 0)
    throw new ConsoleError('Number of partitions must be larger than 0.', 'partitions', 'INVALID_PARTITIONS');
  const replicas = optInt(a, 'replicationFactor', -1, 32767) ?? -1;
  if (replicas === 0)
    throw new ConsoleError(
      'Replication factor must be larger than 0.',
      'replicationFactor',
      'INVALID_REPLICATION_FACTOR',
    );
  const configs = a.configs === undefined || a.configs === null ? {} : asArgs(a.configs);
  for (const [k, v] of Object.entries(configs)) {
    if (typeof v !== 'string') throw new ConsoleError(`config ${k} must be a string value`, 'configs');
  }
  const admin = ctx.admin();
  if (replicas > 0) {
    const meta = await ctx.fullMetadata();
    if (replicas > meta.brokers.length) {
      throw new ConsoleError(
        `Replication factor: ${replicas} larger than available brokers: ${meta.brokers.length}.`,
        'replicationFactor',
        'INVALID_REPLICATION_FACTOR',
      );
    }
  }
  await admin.createTopics({
    topics: [name],
    partitions,
    replicas,
    configs: Object.entries(configs).map(([n, value]) => ({ name: n, value: value as string })),
  });
  const meta = await ctx.fullMetadata();
  const t = meta.topics.find((x) => x.name === name);
  return t
    ? topicSummary(t)
    : {
        name,
        partitions: partitions > 0 ? partitions : 0,
        replicationFactor: replicas > 0 ? replicas : 0,
        internal: false,
        underReplicatedPartitions: 0,
        recordCount: '0',
        sizeBytes: 0,
      };
}

/** A topic's partitions (leader, replicas, ISR, offsets, size on its leader) and configs; UNKNOWN_TOPIC_OR_PARTITION on field `name`. */
export async function topicDetail(ctx: ConsoleContext, name: string): Promise<TopicDetail> {
  const admin = ctx.admin();
  let meta;
  try {
    meta = await admin.metadata({ topics: [name], forceUpdate: true, autocreateTopics: false });
  } catch (e) {
    if (isUnknownTopic(e))
      throw new ConsoleError(`Topic '${name}' does not exist.`, 'name', 'UNKNOWN_TOPIC_OR_PARTITION');
    throw e;
  }
  const t = meta.topics.get(name);
  if (!t) throw new ConsoleError(`Topic '${name}' does not exist.`, 'name', 'UNKNOWN_TOPIC_OR_PARTITION');
  const indexes = [...t.partitions.keys()];
  const leaders = [...new Set(indexes.map((i) => t.partitions[i]!.leader).filter((l) => l >= 0))];
  const [starts, ends, sizes, described] = await Promise.all([
    ctx.offsetsAt(name, indexes, -2n),
    ctx.offsetsAt(name, indexes, -1n),
    logDirSizes(admin, leaders, [{ name, partitions: indexes }]).catch(() => undefined),
    admin
      .describeConfigs({
        resources: [{ resourceType: 2, resourceName: name }],
        includeSynonyms: false,
        includeDocumentation: false,
      })
      .catch((e: unknown) => {
        if (leafErrors(e).some((l) => l.code === 'PLT_KFK_UNSUPPORTED_API')) return [];
        throw e;
      }),
  ]);
  let count = 0n;
  const partitions = indexes.map((i) => {
    const p = t.partitions[i]!;
    const s = starts.get(i) ?? 0n,
      e = ends.get(i) ?? 0n;
    if (e > s) count += e - s;
    const size = sizes?.replicas.get(partitionKey(name, i))?.get(p.leader) ?? null;
    return {
      partition: i,
      leader: p.leader,
      replicas: [...p.replicas],
      isr: [...p.isr],
      startOffset: s.toString(),
      highWatermark: e.toString(),
      sizeBytes: size,
    };
  });
  const configs: ConfigEntry[] = (described[0]?.configs ?? [])
    .map((c) => ({
      name: c.name,
      value: c.isSensitive ? null : (c.value ?? null),
      source: SOURCES[c.configSource] ?? 'UNKNOWN',
      isDefault: c.configSource === 5,
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
    }))
    .sort((x, y) => x.name.localeCompare(y.name));
  return { name, id: t.id, internal: INTERNAL.has(name), partitions, recordCount: count.toString(), configs };
}

async function alterTopicConfigs(ctx: ConsoleContext, a: Args): Promise<TopicDetail> {
  const name = str(a, 'name');
  const set = a.set === undefined || a.set === null ? {} : asArgs(a.set);
  const remove = a.remove === undefined || a.remove === null ? [] : a.remove;
  if (!Array.isArray(remove) || remove.some((r) => typeof r !== 'string'))
    throw new ConsoleError('remove must be a list of config names', 'remove');
  const configs: ({ name: string; configOperation: 0; value: string } | { name: string; configOperation: 1 })[] = [];
  for (const [k, v] of Object.entries(set)) {
    if (k.trim() === '') throw new ConsoleError('A config needs a name.', 'configs');
    if (typeof v !== 'string') throw new ConsoleError(`config ${k} must be a string value`, k);
    configs.push({ name: k.trim(), configOperation: 0, value: v });
  }
  for (const k of remove as string[]) configs.push({ name: k, configOperation: 1 });
  if (configs.length === 0) throw new ConsoleError('Nothing to change.', 'configs');
  try {
    await ctx.admin().incrementalAlterConfigs({
      resources: [{ resourceType: 2, resourceName: name, configs }],
    });
  } catch (e) {
    // The error belongs to the one config being changed (the form shows it next to that field).
    const info = errorInfo(e, ctx.servers);
    const field =
      info.kafkaError === 'UNKNOWN_TOPIC_OR_PARTITION' ? 'name' : configs.length === 1 ? configs[0]!.name : 'configs';
    throw new ConsoleError(info.message, field, info.kafkaError);
  }
  return topicDetail(ctx, name);
}

async function deleteRecords(ctx: ConsoleContext, a: Args): Promise<DeleteRecordsResult> {
  const name = str(a, 'name');
  if (!Array.isArray(a.partitions) || a.partitions.length === 0)
    throw new ConsoleError('Pick at least one partition.', 'partitions');
  const partitions = a.partitions.map((p) => {
    const pa = asArgs(p);
    const partition = optInt(pa, 'partition', 0);
    if (partition === undefined) throw new ConsoleError('partition must be a partition number', 'partition');
    return { partition, offset: offsetText(pa.offset, 'offset') };
  });
  const detail = await topicDetail(ctx, name);
  for (const p of partitions) {
    const d = detail.partitions.find((x) => x.partition === p.partition);
    if (!d) throw new ConsoleError(`Topic '${name}' has no partition ${p.partition}.`, 'partition');
    if (p.offset > BigInt(d.highWatermark)) {
      throw new ConsoleError(
        `Partition ${p.partition} ends at offset ${d.highWatermark}; records can be deleted up to there, not to ${p.offset}.`,
        'offset',
        'OFFSET_OUT_OF_RANGE',
      );
    }
  }
  const res = await ctx.admin().deleteRecords({ topics: [{ name, partitions }] });
  const low = new Map((res.find((t) => t.name === name)?.partitions ?? []).map((p) => [p.partition, p.lowWatermark]));
  return {
    partitions: partitions.map((p) => ({
      partition: p.partition,
      startOffset: (low.get(p.partition) ?? p.offset).toString(),
    })),
  };
}
