// `samsa consumer-groups`: kafka-consumer-groups.sh — list, describe, reset offsets, delete.
import type { Admin } from '@platformatic/kafka';
import { kafkaErrorId } from '../../client/errors.ts';
import { clientOptions } from '../../client/options.ts';
import { UsageError } from '../args.ts';
import {
  all,
  BOOTSTRAP_OPTION,
  bootstrapOf,
  closeAll,
  HELP_OPTION,
  one,
  padRight,
  parseToolArgs,
  pickAction,
  runTool,
  ToolError,
  type Tool,
} from './common.ts';

const TOOL: Tool = {
  name: 'consumer-groups',
  summary: 'Lists, describes, resets and deletes consumer groups (like kafka-consumer-groups.sh).',
  spec: {
    'bootstrap-server': BOOTSTRAP_OPTION,
    list: { description: 'List all consumer groups' },
    describe: { description: 'Describe a group: offsets, lag and members per partition' },
    'reset-offsets': { description: 'Reset the committed offsets of an inactive group' },
    delete: { description: 'Delete a group' },
    group: { value: true, repeat: true, arg: 'GROUP', description: 'The consumer group' },
    'all-groups': { description: 'Apply to all groups (--describe, --reset-offsets, --delete)' },
    topic: {
      value: true,
      repeat: true,
      arg: 'TOPIC[:P,...]',
      description: 'With --reset-offsets: the topic, optionally with partitions',
    },
    'all-topics': { description: 'With --reset-offsets: every topic the group has offsets for' },
    'to-earliest': { description: 'Reset to the earliest offset' },
    'to-latest': { description: 'Reset to the latest offset' },
    'to-current': { description: 'Reset to the current committed offset' },
    'to-offset': { value: true, arg: 'N', description: 'Reset to offset N (kept within the log)' },
    'to-datetime': {
      value: true,
      arg: 'YYYY-MM-DDTHH:mm:SS.sss',
      description: 'Reset to the first offset at or after this time (local time unless a zone is given)',
    },
    'shift-by': { value: true, arg: 'N', description: 'Move the committed offset by N (may be negative)' },
    'by-duration': {
      value: true,
      arg: 'PnDTnHnMnS',
      description: 'Reset to the first offset at or after now minus this duration',
    },
    execute: { description: 'Apply the reset' },
    'dry-run': { description: 'Only show what the reset would do (the default)' },
    help: HELP_OPTION,
  },
  notes: [
    'Examples:',
    '  samsa consumer-groups --describe --group my-group --bootstrap-server localhost:9092',
    '  samsa consumer-groups --reset-offsets --group my-group --topic t --to-earliest --execute',
  ].join('\n'),
};

const ACTIONS = ['list', 'describe', 'reset-offsets', 'delete'] as const;
const SCENARIOS = [
  'to-earliest',
  'to-latest',
  'to-current',
  'to-offset',
  'to-datetime',
  'shift-by',
  'by-duration',
] as const;
const MISSING = '-';

export async function consumerGroups(argv: string[]): Promise<number> {
  const args = parseToolArgs(TOOL, argv);
  if (!args) return 0;
  const action = pickAction(args, ACTIONS);
  const bootstrap = bootstrapOf(args);
  const groups = all(args, 'group');
  const allGroups = args.flags.has('all-groups');
  if (action !== 'list' && groups.length === 0 && !allGroups)
    throw new UsageError(`--${action} needs --group (or --all-groups)`);

  const { Admin } = await import('@platformatic/kafka');
  return runTool(
    'consumer-groups',
    () => bootstrap,
    async () => {
      const admin = new Admin(clientOptions(bootstrap, 'samsa-consumer-groups'));
      try {
        const targets = allGroups ? await listGroupIds(admin) : groups;
        switch (action) {
          case 'list':
            for (const g of await listGroupIds(admin)) console.log(g);
            return 0;
          case 'describe':
            return await describe(admin, targets);
          case 'reset-offsets':
            return await reset(admin, targets, args);
          case 'delete':
            return await remove(admin, targets);
          default:
            return 2;
        }
      } finally {
        await closeAll(admin);
      }
    },
  );
}

async function listGroupIds(admin: Admin): Promise<string[]> {
  const groups = await admin.listGroups();
  return [...groups.values()]
    .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
    .map((g) => g.id)
    .sort();
}

async function groupState(admin: Admin, group: string) {
  const described = (await admin.describeGroups({ groups: [group] })).get(group);
  if (!described || stateName(described.state) === 'Dead') return undefined;
  return described;
}

function stateName(state: string): string {
  // Kafka's tools print the broker's spelling (Stable, Empty, …); accept upper-case names too.
  const names: Record<string, string> = {
    STABLE: 'Stable',
    EMPTY: 'Empty',
    DEAD: 'Dead',
    PREPARING_REBALANCE: 'PreparingRebalance',
    COMPLETING_REBALANCE: 'CompletingRebalance',
  };
  return names[state] ?? state;
}

async function committedOffsets(admin: Admin, group: string): Promise<Map<string, Map<number, bigint>>> {
  const result = await admin.listConsumerGroupOffsets({ groups: [group] });
  const out = new Map<string, Map<number, bigint>>();
  for (const g of result) {
    for (const t of g.topics) {
      for (const p of t.partitions) {
        if (p.committedOffset < 0n) continue;
        const m = out.get(t.name) ?? new Map<number, bigint>();
        m.set(p.partitionIndex, p.committedOffset);
        out.set(t.name, m);
      }
    }
  }
  return out;
}

/** Offsets at `timestamp` (-1 latest, -2 earliest, else the first offset at or after it) per topic/partition. */
async function offsetsAt(
  admin: Admin,
  partitions: Map<string, number[]>,
  timestamp: bigint,
): Promise<Map<string, Map<number, bigint>>> {
  const out = new Map<string, Map<number, bigint>>();
  if (partitions.size === 0) return out;
  const res = await admin.listOffsets({
    topics: [...partitions].map(([name, ps]) => ({
      name,
      partitions: ps.map((partitionIndex) => ({ partitionIndex, timestamp })),
    })),
  });
  for (const t of res) out.set(t.name, new Map(t.partitions.map((p) => [p.partitionIndex, p.offset])));
  return out;
}

interface Row {
  group: string;
  topic: string;
  partition: string;
  current: string;
  end: string;
  lag: string;
  consumerId: string;
  host: string;
  clientId: string;
}

async function describe(admin: Admin, groups: string[]): Promise<number> {
  let failed = false;
  for (const group of groups) {
    const desc = await groupState(admin, group);
    if (!desc) {
      console.error(`Error: Consumer group '${group}' does not exist.`);
      failed = true;
      continue;
    }
    const committed = await committedOffsets(admin, group);
    const assigned = new Map<string, { consumerId: string; host: string; clientId: string }>();
    for (const m of desc.members.values()) {
      for (const [topic, a] of m.assignments ?? new Map()) {
        for (const p of a.partitions)
          assigned.set(`${topic}\0${p}`, { consumerId: m.id, host: m.clientHost, clientId: m.clientId });
      }
    }
    const partitions = new Map<string, Set<number>>();
    const add = (t: string, p: number) => {
      const s = partitions.get(t) ?? new Set<number>();
      s.add(p);
      partitions.set(t, s);
    };
    for (const key of assigned.keys()) {
      const [t, p] = key.split('\0');
      add(t!, Number(p));
    }
    for (const [t, ps] of committed) for (const p of ps.keys()) add(t, p);
    const ends = await offsetsAt(admin, new Map([...partitions].map(([t, s]) => [t, [...s]])), -1n);
    const rows: Row[] = [];
    for (const t of [...partitions.keys()].sort()) {
      for (const p of [...partitions.get(t)!].sort((a, b) => a - b)) {
        const member = assigned.get(`${t}\0${p}`);
        const cur = committed.get(t)?.get(p);
        const end = ends.get(t)?.get(p);
        rows.push({
          group,
          topic: t,
          partition: String(p),
          current: cur === undefined ? MISSING : String(cur),
          end: end === undefined || end < 0n ? MISSING : String(end),
          lag: cur === undefined || end === undefined || end < 0n ? MISSING : String(end - cur),
          consumerId: member?.consumerId ?? MISSING,
          host: member?.host ?? MISSING,
          clientId: member?.clientId ?? MISSING,
        });
      }
    }
    // Members without partitions still show up, with '-' for the partition columns.
    for (const m of desc.members.values()) {
      if (![...(m.assignments?.values() ?? [])].some((a) => a.partitions.length > 0)) {
        rows.push({
          group,
          topic: MISSING,
          partition: MISSING,
          current: MISSING,
          end: MISSING,
          lag: MISSING,
          consumerId: m.id,
          host: m.clientHost,
          clientId: m.clientId,
        });
      }
    }
    const state = stateName(desc.state);
    if (state === 'Empty') console.error(`\nConsumer group '${group}' has no active members.`);
    else if (state === 'PreparingRebalance' || state === 'CompletingRebalance')
      console.error(`\nWarning: Consumer group '${group}' is rebalancing.`);
    if (state !== 'Stable' && rows.length === 0) continue;
    console.log(offsetsTable(rows));
  }
  return failed ? 1 : 0;
}

/** Kafka's describe table: widths grow with the longest group, topic, consumer id and host (at least 15). */
export function offsetsTable(rows: Row[]): string {
  const w = (f: (r: Row) => string) => Math.max(15, ...rows.map((r) => f(r).length));
  const gw = w((r) => r.group),
    tw = w((r) => r.topic),
    cw = w((r) => r.consumerId),
    hw = w((r) => r.host);
  const line = (c: string[]) =>
    [
      padRight(c[0]!, gw),
      padRight(c[1]!, tw),
      padRight(c[2]!, 10),
      padRight(c[3]!, 15),
      padRight(c[4]!, 15),
      padRight(c[5]!, 15),
      padRight(c[6]!, cw),
      padRight(c[7]!, hw),
      c[8]!,
    ].join(' ');
  const out = [
    '',
    line([
      'GROUP',
      'TOPIC',
      'PARTITION',
      'CURRENT-OFFSET',
      'LOG-END-OFFSET',
      'LAG',
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
    ]),
  ];
  for (const r of rows)
    out.push(line([r.group, r.topic, r.partition, r.current, r.end, r.lag, r.consumerId, r.host, r.clientId]));
  return out.join('\n');
}

/** ISO-8601 duration (PnDTnHnMnS) in milliseconds. */
function parseDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T'))
    throw new UsageError(`--by-duration expects an ISO-8601 duration like P1DT2H, got "${text}"`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

async function reset(
  admin: Admin,
  groups: string[],
  args: NonNullable<ReturnType<typeof parseToolArgs>>,
): Promise<number> {
  const scenarios = SCENARIOS.filter((s) => args.flags.has(s) || one(args, s) !== undefined);
  if (scenarios.length !== 1)
    throw new UsageError(`--reset-offsets needs exactly one of ${SCENARIOS.map((s) => `--${s}`).join(', ')}`);
  const scenario = scenarios[0]!;
  const topicSpecs = all(args, 'topic');
  if (topicSpecs.length === 0 && !args.flags.has('all-topics'))
    throw new UsageError('--reset-offsets needs --topic or --all-topics');
  if (args.flags.has('execute') && args.flags.has('dry-run'))
    throw new UsageError('--execute and --dry-run cannot be used together');
  const execute = args.flags.has('execute');
  if (!execute && !args.flags.has('dry-run')) {
    console.log(
      'WARN: No action will be performed as the --execute option is missing. ' +
        'In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. ' +
        'You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.',
    );
  }
  let value: bigint | undefined;
  let timestamp: bigint | undefined;
  if (scenario === 'to-offset' || scenario === 'shift-by') {
    const v = one(args, scenario)!;
    if (!/^-?\d+$/.test(v)) throw new UsageError(`--${scenario} must be an integer, got "${v}"`);
    value = BigInt(v);
  } else if (scenario === 'to-datetime') {
    const v = one(args, scenario)!;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new UsageError(`--to-datetime expects YYYY-MM-DDTHH:mm:SS.sss, got "${v}"`);
    timestamp = BigInt(ms);
  } else if (scenario === 'by-duration') {
    timestamp = BigInt(Date.now() - parseDuration(one(args, scenario)!));
  }

  const results: { group: string; topic: string; partition: number; offset: bigint }[] = [];
  for (const group of groups) {
    const desc = (await admin.describeGroups({ groups: [group] })).get(group);
    const state = desc ? stateName(desc.state) : 'Dead';
    if (state !== 'Empty' && state !== 'Dead') {
      throw new ToolError(
        `Error: Assignments can only be reset if the group '${group}' is inactive, but the current state is ${state}.`,
      );
    }
    const committed = await committedOffsets(admin, group);
    const partitions = new Map<string, number[]>();
    if (topicSpecs.length > 0) {
      const needAll: string[] = [];
      for (const spec of topicSpecs) {
        const [name, list] = spec.split(':');
        if (list) partitions.set(name!, list.split(',').map(Number));
        else needAll.push(name!);
      }
      if (needAll.length > 0) {
        const meta = await admin.metadata({ topics: needAll });
        for (const name of needAll) {
          const t = meta.topics.get(name);
          if (!t) throw new ToolError(`Error: topic '${name}' does not exist`);
          partitions.set(name, [...t.partitions.keys()]);
        }
      }
    } else {
      for (const [t, ps] of committed)
        partitions.set(
          t,
          [...ps.keys()].sort((a, b) => a - b),
        );
    }
    const earliest = await offsetsAt(admin, partitions, -2n);
    const latest = await offsetsAt(admin, partitions, -1n);
    const atTime = timestamp !== undefined ? await offsetsAt(admin, partitions, timestamp) : undefined;
    for (const [topic, ps] of partitions) {
      for (const p of ps) {
        const lo = earliest.get(topic)?.get(p) ?? 0n;
        const hi = latest.get(topic)?.get(p) ?? 0n;
        const clamp = (o: bigint) => (o < lo ? lo : o > hi ? hi : o);
        const cur = committed.get(topic)?.get(p);
        let target: bigint;
        switch (scenario) {
          case 'to-earliest':
            target = lo;
            break;
          case 'to-latest':
            target = hi;
            break;
          case 'to-current':
            target = cur ?? hi;
            break;
          case 'to-offset':
            target = clamp(value!);
            break;
          case 'shift-by':
            target = clamp((cur ?? hi) + value!);
            break;
          default: {
            const o = atTime?.get(topic)?.get(p) ?? -1n;
            target = o < 0n ? hi : o;
          }
        }
        results.push({ group, topic, partition: p, offset: target });
      }
    }
    if (execute) {
      const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
      for (const r of results.filter((x) => x.group === group)) {
        const l = byTopic.get(r.topic) ?? [];
        l.push({ partition: r.partition, offset: r.offset });
        byTopic.set(r.topic, l);
      }
      await admin.alterConsumerGroupOffsets({
        groupId: group,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      });
    }
  }
  const line = (c: string[]) =>
    `${padRight(c[0]!, 30)} ${padRight(c[1]!, 30)} ${padRight(c[2]!, 10)} ${padRight(c[3]!, 15)}`;
  const out = ['', line(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'])];
  for (const r of results) out.push(line([r.group, r.topic, String(r.partition), String(r.offset)]));
  console.log(out.join('\n'));
  return 0;
}

async function remove(admin: Admin, groups: string[]): Promise<number> {
  try {
    await admin.deleteGroups({ groups });
  } catch (e) {
    const id = kafkaErrorId(e);
    const why =
      id === 'NON_EMPTY_GROUP'
        ? 'The group is not empty.'
        : id === 'GROUP_ID_NOT_FOUND'
          ? 'The group id does not exist.'
          : undefined;
    if (why)
      throw new ToolError(
        `Error: Deletion of some consumer groups failed: Group '${groups.join("', '")}' could not be deleted due to: ${id}: ${why}`,
      );
    throw e;
  }
  console.log(`Deletion of requested consumer groups ('${groups.join("', '")}') was successful.`);
  return 0;
}
