// `samsa configs`: kafka-configs.sh for topics and brokers — describe, and alter with
// IncrementalAlterConfigs (--add-config / --delete-config).
import type { Admin } from '@platformatic/kafka';
import { clientOptions } from '../../client/options.ts';
import { UsageError } from '../args.ts';
import {
  all,
  BOOTSTRAP_OPTION,
  bootstrapOf,
  closeAll,
  HELP_OPTION,
  one,
  parseToolArgs,
  pickAction,
  runTool,
  type Tool,
} from './common.ts';

const TOOL: Tool = {
  name: 'configs',
  summary: 'Describes and alters topic and broker configs (like kafka-configs.sh).',
  spec: {
    'bootstrap-server': BOOTSTRAP_OPTION,
    describe: { description: 'Show the configs of the entity' },
    alter: { description: 'Change the configs of the entity' },
    'entity-type': { value: true, arg: 'topics|brokers', description: 'The kind of entity' },
    'entity-name': {
      value: true,
      arg: 'NAME',
      description: 'Topic name or broker id (describe: all entities when left out)',
    },
    'entity-default': { description: 'The cluster-wide default of brokers' },
    topic: { value: true, arg: 'TOPIC', description: 'Short for --entity-type topics --entity-name TOPIC' },
    broker: { value: true, arg: 'ID', description: 'Short for --entity-type brokers --entity-name ID' },
    'broker-defaults': { description: 'Short for --entity-type brokers --entity-default' },
    all: { description: 'With --describe: all configs, not only the dynamically set ones' },
    'add-config': {
      value: true,
      repeat: true,
      arg: 'K=V[,K2=V2]',
      description: 'Configs to set; a list value goes in brackets: k=[a,b]',
    },
    'delete-config': {
      value: true,
      repeat: true,
      arg: 'K[,K2]',
      description: 'Configs to remove (back to their defaults)',
    },
    help: HELP_OPTION,
  },
  notes: [
    'Examples:',
    '  samsa configs --describe --entity-type topics --entity-name t --bootstrap-server localhost:9092',
    '  samsa configs --alter --topic t --add-config retention.ms=60000,cleanup.policy=compact',
  ].join('\n'),
};

const RESOURCE = { topics: 2, brokers: 4 } as const;
type EntityType = keyof typeof RESOURCE;

const SOURCE_NAMES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'DYNAMIC_CLIENT_METRICS_CONFIG',
  8: 'DYNAMIC_GROUP_CONFIG',
};

/** Splits `k=v,k2=[a,b]` on commas outside brackets, as kafka-configs.sh does. */
export function parseAddConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let cur = '';
  const items: string[] = [];
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      items.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur !== '') items.push(cur);
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--add-config expects KEY=VALUE[,KEY=VALUE], got "${item}"`);
    let v = item.slice(eq + 1).trim();
    if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    out.set(item.slice(0, eq).trim(), v);
  }
  return out;
}

export async function configs(argv: string[]): Promise<number> {
  const args = parseToolArgs(TOOL, argv);
  if (!args) return 0;
  const action = pickAction(args, ['describe', 'alter']);
  const bootstrap = bootstrapOf(args);
  let type = one(args, 'entity-type') as EntityType | undefined;
  let name = one(args, 'entity-name');
  let isDefault = args.flags.has('entity-default');
  const topic = one(args, 'topic');
  const broker = one(args, 'broker');
  if ([topic, broker, args.flags.has('broker-defaults') ? '' : undefined].filter((x) => x !== undefined).length > 1) {
    throw new UsageError('only one of --topic, --broker, --broker-defaults may be given');
  }
  if (topic !== undefined) {
    type = 'topics';
    name = topic;
  }
  if (broker !== undefined) {
    type = 'brokers';
    name = broker;
  }
  if (args.flags.has('broker-defaults')) {
    type = 'brokers';
    isDefault = true;
  }
  if (type === undefined) throw new UsageError('missing required option --entity-type (topics or brokers)');
  if (!(type in RESOURCE)) throw new UsageError(`--entity-type must be topics or brokers, got "${type}"`);
  if (isDefault && type !== 'brokers') throw new UsageError('--entity-default applies to brokers only');
  if (type === 'brokers' && name !== undefined && !/^\d+$/.test(name))
    throw new UsageError(`The entity name for brokers must be a valid integer broker id, but it is: ${name}`);
  if (action === 'alter' && name === undefined && !isDefault)
    throw new UsageError('--alter needs --entity-name (or --entity-default)');
  const adds = new Map<string, string>();
  for (const a of all(args, 'add-config')) for (const [k, v] of parseAddConfig(a)) adds.set(k, v);
  const deletes = all(args, 'delete-config')
    .flatMap((d) => d.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (action === 'alter' && adds.size === 0 && deletes.length === 0)
    throw new UsageError('--alter needs --add-config or --delete-config');
  for (const d of deletes)
    if (adds.has(d)) throw new UsageError(`Invalid alter config: ${d} is both added and deleted`);

  const { Admin } = await import('@platformatic/kafka');
  return runTool(
    'configs',
    () => bootstrap,
    async () => {
      const admin = new Admin(clientOptions(bootstrap, 'samsa-configs'));
      try {
        if (action === 'describe') return await describe(admin, type!, isDefault ? '' : name, args.flags.has('all'));
        await alter(admin, type!, isDefault ? '' : name!, adds, deletes);
        const what = isDefault
          ? 'default config for brokers in the cluster'
          : `config for ${type === 'topics' ? 'topic' : 'broker'} ${name}`;
        console.log(`Completed updating ${what}.`);
        return 0;
      } finally {
        await closeAll(admin);
      }
    },
  );
}

async function describe(admin: Admin, type: EntityType, name: string | undefined, showAll: boolean): Promise<number> {
  let names: string[];
  if (name !== undefined) names = [name];
  else if (type === 'topics') names = (await admin.listTopics()).sort();
  else names = [...(await admin.metadata({ topics: [] })).brokers.keys()].sort((a, b) => a - b).map(String);
  const dynamicSource = type === 'topics' ? 1 : name === '' ? 3 : 2;
  const described = await admin.describeConfigs({
    resources: names.map((n) => ({ resourceType: RESOURCE[type], resourceName: n })),
    includeSynonyms: true,
  });
  const byName = new Map(described.map((d) => [d.resourceName, d]));
  const out: string[] = [];
  for (const n of names) {
    const d = byName.get(n);
    const label = type === 'topics' ? `topic ${n}` : n === '' ? 'the default broker' : `broker ${n}`;
    out.push(`${showAll ? 'All' : 'Dynamic'} configs for ${label} are:`);
    const entries = (d?.configs ?? [])
      .filter((c) => showAll || c.configSource === dynamicSource)
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const c of entries) {
      const value = c.isSensitive ? 'null' : c.value;
      const synonyms = c.synonyms
        .map((s) => `${SOURCE_NAMES[s.source] ?? 'UNKNOWN'}:${s.name}=${c.isSensitive ? 'null' : s.value}`)
        .join(', ');
      out.push(`  ${c.name}=${value} sensitive=${c.isSensitive} synonyms={${synonyms}}`);
    }
  }
  console.log(out.join('\n'));
  return 0;
}

async function alter(
  admin: Admin,
  type: EntityType,
  name: string,
  adds: Map<string, string>,
  deletes: string[],
): Promise<void> {
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: RESOURCE[type],
        resourceName: name,
        configs: [
          ...[...adds].map(([k, v]) => ({ name: k, configOperation: 0 as const, value: v })),
          ...deletes.map((k) => ({ name: k, configOperation: 1 as const })),
        ],
      },
    ],
  });
}
