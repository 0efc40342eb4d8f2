// The common plan of the per-client integration suites.
import { expect } from 'vitest';
import { caps, TARGET } from '../helpers/spawn-broker.ts';
import { expectedSummary, type Codec, type PartitionSummary } from '../helpers/clients.ts';

/**
 * Partitions per test topic: 8, except against the reference broker (librdkafka's mock),
 * which has no CreateTopics and auto-creates every topic with 4 partitions.
 */
export const PARTITIONS = caps.createTopics ? 8 : 4;

/**
 * How many records each codec gets. The suite must finish in a few minutes on 2 cores with
 * five clients, so one codec (none) carries 100k records and each compression codec 15k —
 * enough for many full batches per partition and several compressed batches each.
 */
export const CODEC_PLAN: ReadonlyArray<{ codec: Codec; count: number }> = [
  { codec: 'none', count: 100_000 },
  { codec: 'gzip', count: 15_000 },
  { codec: 'snappy', count: 15_000 },
  { codec: 'lz4', count: 15_000 },
  { codec: 'zstd', count: 15_000 },
];

/** Record timestamps are TS_BASE + i: an hour ago, so nothing is "in the future". */
export function timestampBase(): number {
  return Date.now() - 3_600_000;
}

/** Asserts a consumer's per-partition summaries equal what producing `count` records gives. */
export function expectAllRecords(
  actual: Record<string, { count: number; digest: string } & Record<string, unknown>>,
  count: number,
  partitions = PARTITIONS,
): void {
  const exp = expectedSummary(count, partitions);
  const got: Record<string, PartitionSummary> = {};
  for (const [p, s] of Object.entries(actual)) got[p] = { count: s.count, digest: s.digest };
  expect(got).toEqual(exp);
  for (const [p, s] of Object.entries(actual)) {
    if ('offsets_increasing' in s) expect(s.offsets_increasing, `partition ${p} offsets increase`).toBe(true);
    if ('first_offset' in s) expect(s.first_offset, `partition ${p} starts at 0`).toBe(0);
    if ('last_offset' in s) expect(s.last_offset, `partition ${p} offsets are dense`).toBe(s.count - 1);
  }
}

/**
 * The offset ListOffsets(timestamp = base + j) must return for partition p when records
 * 0..count-1 were produced with timestamp base + i to partition i % partitions: the first
 * record at or after that time, or -1 (none) past the end.
 */
export function expectedOffsetForTime(j: number, p: number, count: number, partitions = PARTITIONS): number {
  const first = j <= p ? p : j + ((((p - j) % partitions) + partitions) % partitions);
  return first < count ? (first - p) / partitions : -1;
}

/** Timestamps (as offsets j from the base) the ListOffsets checks ask for. */
export const TIME_PROBES = [0, 17, 5_003, 99_999, 200_000];

export function describeTarget(): string {
  return `target=${TARGET}`;
}
