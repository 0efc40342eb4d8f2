// The consumer groups resource: the list (consumer groups, and groups that only commit offsets),
// a group's detail (members with their assignments, committed offsets, log end offsets and lag per
// partition), resetting its offsets (to earliest, latest, a timestamp or an offset, kept within
// each partition's start and end) and deleting it. As in Kafka, resetting and deleting need the
// group to be Empty.
import { resetTarget, optStr, str, type Args } from './args.ts';
import type { GroupDetail, GroupOffset, GroupSummary } from './bridge.ts';
import type { ConsoleContext, HandlerTable } from './context.ts';
import { stateName } from './convert.ts';
import { ConsoleError } from './errors.ts';
import { topicDetail } from './topics.ts';

export function groupOperations(ctx: ConsoleContext) {
  return {
    listGroups: async () => {
      const groups = await ctx.admin().listGroups();
      return [...groups.values()]
        .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
        .map((g): GroupSummary => ({ groupId: g.id, state: stateName(g.state), protocolType: g.protocolType }))
        .sort((x, y) => x.groupId.localeCompare(y.groupId));
    },
    describeGroup: async (a) => describeGroup(ctx, str(a, 'groupId')),
    resetGroupOffsets: async (a) => resetGroupOffsets(ctx, a),
    deleteGroup: async (a) => {
      const groupId = str(a, 'groupId');
      const d = await describeGroup(ctx, groupId);
      if (d.state !== 'Empty') throw new ConsoleError(notEmpty(d, 'deleting it'), 'groupId', 'NON_EMPTY_GROUP');
      await ctx.admin().deleteGroups({ groups: [groupId] });
      return { deleted: groupId };
    },
  } satisfies Partial<HandlerTable>;
}

function notEmpty(d: GroupDetail, doing: string): string {
  const n = d.members.length;
  return `Consumer group '${d.groupId}' is ${d.state} with ${n} member${n === 1 ? '' : 's'}; stop its consumers before ${doing} (Kafka only allows it when the group is Empty).`;
}

async function describeGroup(ctx: ConsoleContext, groupId: string): Promise<GroupDetail> {
  const admin = ctx.admin();
  const desc = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
  if (!desc || stateName(desc.state) === 'Dead')
    throw new ConsoleError(`Consumer group '${groupId}' does not exist.`, 'groupId', 'GROUP_ID_NOT_FOUND');
  const committed = new Map<string, bigint>();
  for (const g of await admin.listConsumerGroupOffsets({ groups: [groupId] })) {
    for (const t of g.topics)
      for (const p of t.partitions)
        if (p.committedOffset >= 0n) committed.set(`${t.name}\0${p.partitionIndex}`, p.committedOffset);
  }
  const owner = new Map<string, string>();
  const members = [...desc.members.values()].map((m) => {
    const assignments = [...(m.assignments ?? new Map()).entries()].map(([topic, as]) => ({
      topic,
      partitions: [...as.partitions].sort((x, y) => x - y),
    }));
    for (const as of assignments) for (const p of as.partitions) owner.set(`${as.topic}\0${p}`, m.id);
    return { memberId: m.id, clientId: m.clientId, host: m.clientHost, assignments };
  });
  const keys = new Set([...committed.keys(), ...owner.keys()]);
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const [t, p] = k.split('\0');
    byTopic.set(t!, [...(byTopic.get(t!) ?? []), Number(p)]);
  }
  const ends = new Map<string, bigint>();
  await Promise.all(
    [...byTopic].map(async ([t, ps]) => {
      const m = await ctx.offsetsAt(t, ps, -1n).catch(() => new Map<number, bigint>());
      for (const [p, o] of m) ends.set(`${t}\0${p}`, o);
    }),
  );
  let total = 0n;
  const offsets: GroupOffset[] = [...keys]
    .map((k) => {
      const [topic, p] = k.split('\0');
      const c = committed.get(k),
        e = ends.get(k);
      const lag = c !== undefined && e !== undefined && e >= 0n ? (e > c ? e - c : 0n) : undefined;
      if (lag !== undefined) total += lag;
      return {
        topic: topic!,
        partition: Number(p),
        committed: c?.toString() ?? null,
        logEnd: e !== undefined && e >= 0n ? e.toString() : null,
        lag: lag?.toString() ?? null,
        memberId: owner.get(k) ?? null,
      };
    })
    .sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
  return {
    groupId,
    state: stateName(desc.state),
    protocol: desc.protocol,
    protocolType: desc.protocolType,
    members,
    offsets,
    totalLag: total.toString(),
  };
}

async function resetGroupOffsets(ctx: ConsoleContext, a: Args): Promise<GroupDetail> {
  const groupId = str(a, 'groupId');
  const topicArg = optStr(a, 'topic');
  const to = resetTarget(a.to);
  const d = await describeGroup(ctx, groupId);
  if (d.state !== 'Empty') throw new ConsoleError(notEmpty(d, 'resetting its offsets'), 'groupId', 'NON_EMPTY_GROUP');
  const byTopic = new Map<string, number[]>();
  if (topicArg) {
    const t = await topicDetail(ctx, topicArg).catch((e: unknown) => {
      throw e instanceof ConsoleError ? new ConsoleError(e.message, 'topic', e.kafkaError) : e;
    });
    byTopic.set(
      topicArg,
      t.partitions.map((p) => p.partition),
    );
  } else {
    for (const o of d.offsets)
      if (o.committed !== null) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o.partition]);
  }
  if (byTopic.size === 0)
    throw new ConsoleError(`Consumer group '${groupId}' has no committed offsets; pick a topic to reset.`, 'topic');
  const topics = await Promise.all(
    [...byTopic].map(async ([name, ps]) => {
      const [lo, hi] = await Promise.all([ctx.offsetsAt(name, ps, -2n), ctx.offsetsAt(name, ps, -1n)]);
      const at = to.kind === 'timestamp' ? await ctx.offsetsAt(name, ps, BigInt(to.timestamp)) : undefined;
      return {
        name,
        partitionOffsets: ps.map((partition) => {
          const l = lo.get(partition) ?? 0n,
            h = hi.get(partition) ?? 0n;
          let o: bigint;
          if (to.kind === 'earliest') o = l;
          else if (to.kind === 'latest') o = h;
          else if (to.kind === 'offset') o = BigInt(to.offset);
          else {
            const t = at?.get(partition) ?? -1n;
            o = t < 0n ? h : t;
          }
          return { partition, offset: o < l ? l : o > h ? h : o };
        }),
      };
    }),
  );
  await ctx.admin().alterConsumerGroupOffsets({ groupId, topics });
  return describeGroup(ctx, groupId);
}
