// The metrics stream: every interval (at least 500 ms, 2 s by default) a sample of the summed high
// watermarks of the topics asked for (or of every non-internal topic, for '*') and the total lag
// of each group asked for, until cancelled. A sample costs one Metadata request, ListOffsets per
// leader and one OffsetFetch per group; a failed sample is reported as an event and the next
// one is tried at the next interval.
import { partitionKey } from '../client/connection-api.ts';
import { offsetsByLeader, type LeaderPartition } from '../client/list-offsets.ts';
import { optInt, type Args } from './args.ts';
import type { MetricsSample, TailOpened } from './bridge.ts';
import type { ConsoleContext } from './context.ts';
import { INTERNAL } from './convert.ts';
import { ConsoleError } from './errors.ts';
import type { Session } from './streams.ts';

const MIN_SAMPLE_MS = 500;
const DEFAULT_SAMPLE_MS = 2000;

/** Samples high watermarks of topics and lag of groups every interval until cancelled. */
export function openMetrics(ctx: ConsoleContext, a: Args, session: Session): TailOpened {
  const topicsArg = a.topics === undefined || a.topics === null ? [] : a.topics;
  if (topicsArg !== '*' && (!Array.isArray(topicsArg) || topicsArg.some((t) => typeof t !== 'string')))
    throw new ConsoleError("topics must be a list of topic names or '*'", 'topics');
  const groups = a.groups === undefined || a.groups === null ? [] : a.groups;
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string'))
    throw new ConsoleError('groups must be a list of group ids', 'groups');
  const interval = optInt(a, 'intervalMs', MIN_SAMPLE_MS, 3_600_000) ?? DEFAULT_SAMPLE_MS;
  const id = ctx.streams.nextId('metrics');
  let cancelled = false;
  let wake: (() => void) | undefined;
  const run = async () => {
    // The answer to openTail goes out first, so the caller listens before the first sample arrives.
    await new Promise((r) => setTimeout(r, 0));
    while (!cancelled) {
      const started = Date.now();
      try {
        const s = await sample(ctx, topicsArg as string[] | '*', groups as string[]);
        if (!cancelled) await session.emit(id, { type: 'sample', sample: s });
      } catch (e) {
        if (!cancelled)
          await session.emit(id, { type: 'error', message: ctx.failure(e).message }).catch(() => undefined);
      }
      const wait = Math.max(0, interval - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  };
  const finished = run();
  ctx.streams.add(id, {
    session,
    cancel: async () => {
      if (cancelled) return;
      cancelled = true;
      ctx.streams.delete(id);
      wake?.();
      await finished.catch(() => undefined);
      await session.emit(id, { type: 'closed' }).catch(() => undefined);
    },
  });
  return { subscription: id, partitions: [], positions: {} };
}

/** One sample: summed high watermarks per topic (ListOffsets per leader) and total lag per group. */
async function sample(ctx: ConsoleContext, topics: string[] | '*', groups: string[]): Promise<MetricsSample> {
  const at = Date.now();
  const out: MetricsSample = { at, topics: {}, groups: {} };
  const admin = ctx.admin();
  const committed = new Map<string, Map<string, bigint>>();
  await Promise.all(
    groups.map(async (g) => {
      const m = new Map<string, bigint>();
      const res = await admin.listConsumerGroupOffsets({ groups: [g] }).catch(() => []);
      for (const gr of res)
        for (const t of gr.topics)
          for (const p of t.partitions)
            if (p.committedOffset >= 0n) m.set(partitionKey(t.name, p.partitionIndex), p.committedOffset);
      committed.set(g, m);
    }),
  );
  const wanted = new Set(topics === '*' ? [] : topics);
  for (const m of committed.values()) for (const k of m.keys()) wanted.add(k.split('\0')[0]!);
  if (topics !== '*' && wanted.size === 0) return out;
  const meta = await ctx.fullMetadata();
  const parts: LeaderPartition[] = [];
  for (const t of meta.topics) {
    const name = t.name;
    if (typeof name !== 'string' || t.errorCode !== 0) continue;
    const all = topics === '*' && !(t.isInternal || INTERNAL.has(name));
    if (!all && !wanted.has(name)) continue;
    for (const p of t.partitions) parts.push({ topic: name, partition: p.partitionIndex, leader: p.leaderId });
  }
  const ends = await offsetsByLeader(admin, parts, -1n);
  const sums = new Map<string, bigint>();
  for (const p of parts) {
    const e = ends.get(partitionKey(p.topic, p.partition));
    if (e !== undefined) sums.set(p.topic, (sums.get(p.topic) ?? 0n) + e);
  }
  for (const t of topics === '*' ? [...sums.keys()] : topics) {
    const v = sums.get(t);
    if (v !== undefined) out.topics[t] = v.toString();
  }
  for (const [g, m] of committed) {
    let lag = 0n;
    for (const [k, c] of m) {
      const e = ends.get(k);
      if (e !== undefined && e > c) lag += e - c;
    }
    out.groups[g] = lag.toString();
  }
  return out;
}
