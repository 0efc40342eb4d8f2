// Chart data from metrics samples: records/s in per topic (from deltas of summed high watermarks)
// and lag per group over time, keeping a bounded window of points.
import type { MetricsSample } from '../../../core/console/bridge.ts';

export interface Point {
  /** ms since the epoch. */
  at: number;
  value: number;
}

/** Most points kept per series (at a 2 s interval: five minutes). */
export const MAX_POINTS = 150;

/**
 * The rate per second between two totals. A total that went down (the topic was deleted and
 * created again, or a partition's leader lost records) gives no rate, rather than a negative one.
 */
export function rateBetween(prev: { at: number; total: bigint }, next: { at: number; total: bigint }): number | null {
  const dt = next.at - prev.at;
  if (dt <= 0 || next.total < prev.total) return null;
  return Number(next.total - prev.total) / (dt / 1000);
}

function push(list: Point[], p: Point, max: number): void {
  list.push(p);
  if (list.length > max) list.splice(0, list.length - max);
}

export class MetricsHistory {
  readonly max: number;
  readonly #last = new Map<string, { at: number; total: bigint }>();
  readonly #rates = new Map<string, Point[]>();
  readonly #lags = new Map<string, Point[]>();
  samples = 0;

  constructor(max = MAX_POINTS) {
    this.max = max;
  }

  add(sample: MetricsSample): void {
    this.samples++;
    for (const [topic, text] of Object.entries(sample.topics)) {
      const next = { at: sample.at, total: BigInt(text) };
      const prev = this.#last.get(topic);
      this.#last.set(topic, next);
      if (!prev) continue;
      const r = rateBetween(prev, next);
      if (r === null) continue;
      const list = this.#rates.get(topic) ?? [];
      this.#rates.set(topic, list);
      push(list, { at: sample.at, value: r }, this.max);
    }
    for (const [group, lag] of Object.entries(sample.groups)) {
      const list = this.#lags.get(group) ?? [];
      this.#lags.set(group, list);
      push(list, { at: sample.at, value: Number(lag) }, this.max);
    }
  }

  rate(topic: string): Point[] {
    return this.#rates.get(topic) ?? [];
  }

  lag(group: string): Point[] {
    return this.#lags.get(group) ?? [];
  }

  /** The latest records/s of a topic, or null before two samples. */
  latestRate(topic: string): number | null {
    return this.#rates.get(topic)?.at(-1)?.value ?? null;
  }

  /** Records/s of all topics together, per sample time. */
  total(): Point[] {
    const byTime = new Map<number, number>();
    for (const list of this.#rates.values()) for (const p of list) byTime.set(p.at, (byTime.get(p.at) ?? 0) + p.value);
    return [...byTime].sort(([a], [b]) => a - b).map(([at, value]) => ({ at, value }));
  }

  /** The `n` busiest topics over the window (highest average rate), busiest first; idle ones left out. */
  busiest(n: number): string[] {
    const avg = (l: Point[]) => l.reduce((s, p) => s + p.value, 0) / Math.max(1, l.length);
    return [...this.#rates]
      .map(([t, l]) => [t, avg(l)] as const)
      .filter(([, a]) => a > 0)
      .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
      .slice(0, n)
      .map(([t]) => t);
  }
}
