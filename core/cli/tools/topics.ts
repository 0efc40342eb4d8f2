// `samsa topics`: kafka-topics.sh — create, list, describe, alter (add partitions), delete.
import type { Admin } from '@platformatic/kafka';
import { isInternalTopic } from '../../protocol/internal-topics.ts';
import { kafkaErrorId, leafErrors } from '../../client/errors.ts';
import { clientOptions } from '../../client/options.ts';
import { UsageError } from '../args.ts';
import {
  all,
  BOOTSTRAP_OPTION,
  bootstrapOf,
  closeAll,
  HELP_OPTION,
  intOption,
  kafkaUuid,
  one,
  parseKeyValues,
  parseToolArgs,
  pickAction,
  runTool,
  ToolError,
  type Tool,
} from './common.ts';

const TOOL: Tool = {
  name: 'topics',
  summary: 'Create, list, describe, alter and delete topics (like kafka-topics.sh).',
  spec: {
    'bootstrap-server': BOOTSTRAP_OPTION,
    create: { description: 'Create a new topic' },
    list: { description: 'List all topics' },
    describe: { description: 'Describe the given topic, or all topics' },
    alter: { description: 'Change the number of partitions of a topic' },
    delete: { description: 'Delete a topic' },
    topic: { value: true, arg: 'TOPIC', description: 'The topic (for --list/--describe: a regular expression)' },
    partitions: {
      value: true,
      arg: 'N',
      description: 'Number of partitions (--create; --alter: the new, larger count)',
    },
    'replication-factor': { value: true, arg: 'N', description: 'Replication factor of a new topic' },
    config: {
      value: true,
      repeat: true,
      arg: 'KEY=VALUE',
      description: 'A topic config for --create, e.g. retention.ms=60000',
    },
    'if-not-exists': { description: 'With --create: do nothing if the topic exists' },
    'if-exists': { description: 'With --alter/--describe/--delete: do nothing if the topic does not exist' },
    'exclude-internal': { description: 'Leave out internal topics (__consumer_offsets, …)' },
    zookeeper: {
      value: true,
      arg: 'HOST:PORT',
      description: 'Accepted for old tutorials; ignored (Samsa needs no ZooKeeper)',
    },
    help: HELP_OPTION,
  },
  notes: [
    'Examples:',
    '  samsa topics --create --topic quickstart-events --bootstrap-server localhost:9092',
    '  samsa topics --describe --topic quickstart-events --bootstrap-server localhost:9092',
  ].join('\n'),
};

const ACTIONS = ['create', 'list', 'describe', 'alter', 'delete'] as const;

export async function topics(argv: string[]): Promise<number> {
  const args = parseToolArgs(TOOL, argv);
  if (!args) return 0;
  const action = pickAction(args, ACTIONS);
  const bootstrap = bootstrapOf(args);
  if (one(args, 'zookeeper') !== undefined) {
    console.error(
      `Note: --zookeeper is not needed (Samsa has no ZooKeeper); using the bootstrap server ${bootstrap.join(',')}.`,
    );
  }
  const topic = one(args, 'topic');
  if ((action === 'create' || action === 'alter' || action === 'delete') && topic === undefined) {
    throw new UsageError(`--${action} needs --topic`);
  }
  const partitions = intOption(args, 'partitions');
  const replication = intOption(args, 'replication-factor');
  if (action === 'alter' && partitions === undefined) throw new UsageError('--alter needs --partitions');
  const configs = parseKeyValues(all(args, 'config'), 'config');

  const { Admin } = await import('@platformatic/kafka');
  return runTool(
    'topics',
    () => bootstrap,
    async () => {
      const admin = new Admin(clientOptions(bootstrap, 'samsa-topics'));
      try {
        switch (action) {
          case 'create':
            return await create(admin, topic!, partitions, replication, configs, args.flags.has('if-not-exists'));
          case 'list':
            return await list(admin, topic, args.flags.has('exclude-internal'));
          case 'describe':
            return await describe(admin, topic, args.flags.has('exclude-internal'), args.flags.has('if-exists'));
          case 'alter':
            return await alter(admin, topic!, partitions!, args.flags.has('if-exists'));
          case 'delete':
            return await remove(admin, topic!, args.flags.has('if-exists'));
          default:
            return 2;
        }
      } finally {
        await closeAll(admin);
      }
    },
  );
}

async function create(
  admin: Admin,
  topic: string,
  partitions: number | undefined,
  replication: number | undefined,
  configs: Map<string, string>,
  ifNotExists: boolean,
): Promise<number> {
  if (replication !== undefined && (replication < 1 || replication > 32767))
    throw new ToolError('The replication factor must be between 1 and 32767 inclusive');
  if (partitions !== undefined && partitions < 1) throw new ToolError('The partitions must be greater than 0');
  if (/[._]/.test(topic)) {
    console.log(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.",
    );
  }
  try {
    await admin.createTopics({
      topics: [topic],
      // -1 lets the broker apply num.partitions / default.replication.factor, as Kafka's tool does.
      partitions: partitions ?? -1,
      replicas: replication ?? -1,
      configs: [...configs].map(([name, value]) => ({ name, value })),
    });
  } catch (e) {
    if (kafkaErrorId(e) === 'TOPIC_ALREADY_EXISTS') {
      if (ifNotExists) return 0;
      throw new ToolError(`Error while executing topic command : Topic '${topic}' already exists.`);
    }
    throw e;
  }
  console.log(`Created topic ${topic}.`);
  return 0;
}

/** Topic names, sorted, filtered by the --topic pattern (a regular expression, as in Kafka). */
async function topicNames(admin: Admin, pattern: string | undefined, excludeInternal: boolean): Promise<string[]> {
  const names = (await admin.listTopics({ includeInternals: !excludeInternal })).sort();
  const filtered = excludeInternal ? names.filter((n) => !isInternalTopic(n)) : names;
  if (pattern === undefined) return filtered;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern.replace(/^"|"$/g, '')})$`);
  } catch {
    throw new UsageError(`--topic "${pattern}" is not a valid regular expression`);
  }
  return filtered.filter((n) => re.test(n));
}

function ensureExists(found: string[], topic: string | undefined, ifExists: boolean): void {
  if (topic !== undefined && topic !== '' && !ifExists && found.length === 0) {
    throw new ToolError(`Error while executing topic command : Topic '${topic}' does not exist as expected`);
  }
}

async function list(admin: Admin, pattern: string | undefined, excludeInternal: boolean): Promise<number> {
  const names = await topicNames(admin, pattern, excludeInternal);
  if (names.length > 0) console.log(names.join('\n'));
  return 0;
}

async function describe(
  admin: Admin,
  pattern: string | undefined,
  excludeInternal: boolean,
  ifExists: boolean,
): Promise<number> {
  const names = await topicNames(admin, pattern, excludeInternal);
  ensureExists(names, pattern, ifExists);
  if (names.length === 0) return 0;
  const meta = await admin.metadata({ topics: names, forceUpdate: true });
  // Kafka shows the configs that are not at their defaults. A broker without DescribeConfigs
  // (some minimal or mock brokers) still gets a description, with an empty Configs column.
  const configs = new Map<string, string>();
  try {
    const described = await admin.describeConfigs({
      resources: names.map((n) => ({ resourceType: 2 as const, resourceName: n })),
    });
    for (const d of described) {
      configs.set(
        d.resourceName,
        d.configs
          .filter((c) => c.configSource !== 5)
          .map((c) => `${c.name}=${c.isSensitive ? 'null' : c.value}`)
          .join(','),
      );
    }
  } catch (e) {
    if (!leafErrors(e).some((l) => l.code === 'PLT_KFK_UNSUPPORTED_API')) throw e;
  }
  const out: string[] = [];
  for (const name of names) {
    const t = meta.topics.get(name);
    if (!t) continue;
    const parts = [...t.partitions.entries()].map(([index, p]) => ({ index, ...p }));
    const rf = parts[0]?.replicas.length ?? 0;
    const id = kafkaUuid(t.id);
    // Brokers without topic ids (ids all zero, or absent) get no TopicId column, as in Kafka.
    const hex = t.id.replace(/-/g, '');
    const zero = !/^[0-9a-f]{32}$/i.test(hex) || /^0+$/.test(hex);
    out.push(
      `Topic: ${name}${zero ? '' : `\tTopicId: ${id}`}\tPartitionCount: ${parts.length}\tReplicationFactor: ${rf}\tConfigs: ${configs.get(name) ?? ''}`,
    );
    for (const p of parts) {
      // Kafka 4's tool prints Elr/LastKnownElr; they are N/A when the broker answers through
      // Metadata (as here) rather than DescribeTopicPartitions.
      out.push(
        `\tTopic: ${name}\tPartition: ${p.index}\tLeader: ${p.leader >= 0 ? p.leader : 'none'}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\tElr: N/A\tLastKnownElr: N/A`,
      );
    }
  }
  if (out.length > 0) console.log(out.join('\n'));
  return 0;
}

async function alter(admin: Admin, topic: string, partitions: number, ifExists: boolean): Promise<number> {
  const names = await topicNames(admin, topic, false);
  ensureExists(names, topic, ifExists);
  if (names.length === 0) return 0;
  await admin.createPartitions({ topics: names.map((name) => ({ name, count: partitions })) });
  return 0;
}

async function remove(admin: Admin, topic: string, ifExists: boolean): Promise<number> {
  const names = await topicNames(admin, topic, false);
  ensureExists(names, topic, ifExists);
  if (names.length === 0) return 0;
  await admin.deleteTopics({ topics: names });
  return 0;
}
