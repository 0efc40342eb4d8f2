// Measures of the Samsa-against-Kafka benchmark (kafka.bench.ts): one quantity on both sides,
// every run's value (or the error that stopped it), run in alternating order, and the tables
// that report them: Kafka, Samsa (median and range), the ratio Samsa / Kafka of the medians and
// which side is better, and the issue's targets.
import { int, median, table } from './report.ts';

export type Side = 'kafka' | 'samsa';
export const SIDES: Side[] = ['kafka', 'samsa'];
export const LABEL: Record<Side, string> = { kafka: 'Kafka', samsa: 'Samsa' };

export interface Measure {
  key: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  values: Record<Side, number[]>;
  errors: Record<Side, string[]>;
  /** Counts towards "Samsa ≥ Kafka on every throughput ratio". */
  throughput?: boolean;
  digits?: number;
}

export function newMeasure(
  key: string,
  label: string,
  unit: string,
  higherIsBetter: boolean,
  extra: Partial<Measure> = {},
): Measure {
  return {
    key,
    label,
    unit,
    higherIsBetter,
    values: { kafka: [], samsa: [] },
    errors: { kafka: [], samsa: [] },
    ...extra,
  };
}

export const errText = (e: unknown): string => ((e as Error).message ?? String(e)).split('\n')[0]!.slice(0, 300);

/** Runs `fn` for each side `reps` times, alternating which side goes first. */
export async function alternate(reps: number, fn: (side: Side, rep: number) => Promise<void>): Promise<void> {
  for (let rep = 1; rep <= reps; rep++) {
    const order = rep % 2 === 1 ? SIDES : [...SIDES].reverse();
    for (const side of order) await fn(side, rep);
  }
}

/** Wraps one run: its value goes into `m`, a failure into m.errors (logged whole; the workload goes on). */
export async function into(m: Measure, side: Side, log: (s: string) => void, fn: () => Promise<number>): Promise<void> {
  try {
    const v = await fn();
    m.values[side].push(v);
    log(`${m.label}: ${LABEL[side]} ${fmt(m, v)} ${m.unit}`);
  } catch (e) {
    m.errors[side].push(errText(e));
    log(`${m.label}: ${LABEL[side]} FAILED: ${(e as Error).message ?? String(e)}`);
  }
}

export function fmt(m: Measure, v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return m.digits !== undefined ? v.toFixed(m.digits) : int(v);
}

export function ratio(x: Measure): number {
  if (!x.values.kafka.length || !x.values.samsa.length) return NaN;
  return median(x.values.samsa) / median(x.values.kafka);
}

function better(x: Measure): string {
  const r = ratio(x);
  if (!Number.isFinite(r)) return 'n/a';
  if (Math.abs(r - 1) < 0.005) return 'even';
  const samsaBetter = x.higherIsBetter ? r > 1 : r < 1;
  const factor = r >= 1 ? r : 1 / r;
  return `${samsaBetter ? 'Samsa' : 'Kafka'} (${factor.toFixed(factor >= 10 ? 0 : 2)}×)`;
}

function cell(x: Measure, side: Side): string {
  const vs = x.values[side];
  if (!vs.length) return x.errors[side].length ? `failed: ${x.errors[side][0]}` : 'not run';
  const med = fmt(x, median(vs));
  const failed = x.errors[side].length ? `, ${x.errors[side].length} failed` : '';
  return vs.length > 1 ? `${med} (${fmt(x, Math.min(...vs))}–${fmt(x, Math.max(...vs))}${failed})` : `${med}${failed}`;
}

/** workload | unit | Kafka | Samsa | Samsa / Kafka | better, for every measure that ran. */
export function measuresTable(measures: Measure[]): string {
  const rows: string[][] = [];
  for (const x of measures) {
    if (!x.values.kafka.length && !x.values.samsa.length && !x.errors.kafka.length && !x.errors.samsa.length) continue;
    const r = ratio(x);
    rows.push([
      x.label,
      x.unit,
      cell(x, 'kafka'),
      cell(x, 'samsa'),
      Number.isFinite(r) ? r.toFixed(2) : 'n/a',
      better(x),
    ]);
  }
  return table(['workload', 'unit', 'Kafka', 'Samsa', 'Samsa / Kafka', 'better'], rows);
}

/** The issue's targets: Samsa ≥ Kafka on throughput and p99, start ≥ 10× faster, idle RSS ≤ ¼. */
export function targetsTable(ms: Measure[]): string {
  const by = (k: string): Measure | undefined => ms.find((x) => x.key === k);
  const rows: string[][] = [];
  const tp = ms.filter((x) => x.throughput && Number.isFinite(ratio(x)));
  if (tp.length) {
    const misses = tp.filter((x) => ratio(x) < 1);
    rows.push([
      'Samsa ≥ Kafka on every throughput ratio',
      `${tp.length - misses.length} of ${tp.length} ≥ 1${misses.length ? `; below: ${misses.map((x) => `${x.label} ${ratio(x).toFixed(2)}`).join(', ')}` : ''}`,
      misses.length ? 'no' : 'yes',
    ]);
  }
  const p99 = by('e2e-p99');
  if (p99 && Number.isFinite(ratio(p99)))
    rows.push([
      'Samsa ≤ Kafka on p99 end-to-end latency',
      `${median(p99.values.samsa).toFixed(2)} ms vs ${median(p99.values.kafka).toFixed(2)} ms (${ratio(p99).toFixed(2)})`,
      ratio(p99) <= 1 ? 'yes' : 'no',
    ]);
  const start = by('start');
  if (start && Number.isFinite(ratio(start)))
    rows.push([
      'start ≥ 10× faster than Kafka',
      `${median(start.values.samsa).toFixed(0)} ms vs ${median(start.values.kafka).toFixed(0)} ms: ${(1 / ratio(start)).toFixed(1)}× faster`,
      1 / ratio(start) >= 10 ? 'yes' : 'no',
    ]);
  const rss = by('idle-rss');
  if (rss && Number.isFinite(ratio(rss)))
    rows.push([
      "idle RSS ≤ ¼ of Kafka's",
      `${median(rss.values.samsa).toFixed(1)} MiB vs ${median(rss.values.kafka).toFixed(1)} MiB (${ratio(rss).toFixed(2)})`,
      ratio(rss) <= 0.25 ? 'yes' : 'no',
    ]);
  return table(['target', 'measured', 'met'], rows);
}
