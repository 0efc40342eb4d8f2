// The README of test/peers lists the differential check's known differences from Kafka: its
// "Differences from Kafka" table must be the one rendered from test/peers/differential/known.ts
// (regenerate it with `node test/peers/differential/table.ts`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNOWN } from '../../peers/differential/known.ts';
import { README, renderTable, withTable } from '../../peers/differential/table.ts';

describe('the differences table of test/peers/README.md', () => {
  it('is the table rendered from known.ts', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(renderTable());
    expect(withTable(readme)).toBe(readme);
  });

  it('has one row per known difference, each with a reason or a bug', () => {
    expect(renderTable().split('\n')).toHaveLength(KNOWN.length + 2);
    for (const k of KNOWN) expect(Boolean(k.reason) !== Boolean(k.bug), `${k.api} ${k.path}`).toBe(true);
  });
});
