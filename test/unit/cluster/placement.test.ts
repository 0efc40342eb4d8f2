// Replica placement: even spread of replicas and preferred leaders, no broker
// twice in a replica list; and leader choice by preference among the ISR.
import { describe, expect, it } from 'vitest';
import { chooseLeader, chooseUncleanLeader, placeReplicas } from '../../../core/cluster/placement.ts';

function counts(xs: number[]): number[] {
  const m = new Map<number, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m.values()];
}

describe('placeReplicas', () => {
  it('spreads leaders and replicas evenly for N·k partitions, from any start', () => {
    for (const n of [1, 2, 3, 5]) {
      const brokers = Array.from({ length: n }, (_, i) => 10 + i);
      for (let rf = 1; rf <= n; rf++) {
        for (const k of [1, 3, 7]) {
          for (let trial = 0; trial < 5; trial++) {
            const a = placeReplicas(brokers, n * k, rf);
            expect(a).toHaveLength(n * k);
            for (const r of a) {
              expect(r).toHaveLength(rf);
              expect(new Set(r).size).toBe(rf);
              for (const id of r) expect(brokers).toContain(id);
            }
            const lead = counts(a.map((r) => r[0]!));
            expect(lead).toHaveLength(n);
            expect(Math.max(...lead) - Math.min(...lead)).toBeLessThanOrEqual(1);
            const all = counts(a.flat());
            expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
          }
        }
      }
    }
  });

  it('leaders differ by at most one for any partition count, and followers shift', () => {
    const a = placeReplicas([3, 1, 2], 7, 2, { startIndex: 0, shift: 0 });
    const lead = counts(a.map((r) => r[0]!));
    expect(Math.max(...lead) - Math.min(...lead)).toBeLessThanOrEqual(1);
    // Sorted ids, partition p led by broker (p + start) mod n; followers one further on, then two after n partitions.
    expect(a.slice(0, 4)).toEqual([
      [1, 2],
      [2, 3],
      [3, 1],
      [1, 3],
    ]);
    // Continuing an existing topic keeps the rotation going.
    expect(placeReplicas([1, 2, 3], 1, 1, { startIndex: 0, firstPartition: 4 })).toEqual([[2]]);
  });

  it('refuses more replicas than brokers', () => {
    expect(() => placeReplicas([1, 2], 1, 3)).toThrow();
    expect(() => placeReplicas([], 1, 1)).toThrow();
  });
});

describe('leader choice', () => {
  it('takes the first replica in preference order that is in the ISR and eligible', () => {
    expect(chooseLeader([1, 2, 3], [3, 2], () => true)).toBe(2);
    expect(chooseLeader([1, 2, 3], [3, 2], (id) => id !== 2)).toBe(3);
    expect(chooseLeader([1, 2, 3], [1], (id) => id !== 1)).toBe(-1);
    expect(chooseUncleanLeader([1, 2, 3], (id) => id === 3)).toBe(3);
    expect(chooseUncleanLeader([1, 2], () => false)).toBe(-1);
  });
});
