// The API table is one sorted list of entries, each from its handler's file, and the README's
// "Supported Kafka APIs" table says exactly what it holds: every api key, name and version range.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ENTRIES, ApiTable } from '../../../core/broker/api-table.ts';
import { ApiKey } from '../../../core/protocol/messages/api-keys.ts';
import { REPO_ROOT } from '../../helpers/spawn-broker.ts';

function readmeRows(): { key: number; name: string; min: number; max: number }[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Supported Kafka APIs')[1]!.split('\n## ')[0]!;
  const rows: { key: number; name: string; min: number; max: number }[] = [];
  for (const line of section.split('\n')) {
    const m = /^\| (\d+) \| (\w+) \| (\d+)(?:–(\d+))? \|/.exec(line);
    if (m) rows.push({ key: Number(m[1]), name: m[2]!, min: Number(m[3]), max: Number(m[4] ?? m[3]) });
  }
  return rows;
}

describe('the API table', () => {
  it('is sorted by api key, each key once, each name the key of its schema', () => {
    const keys = API_ENTRIES.map((e) => e.apiKey);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of API_ENTRIES) expect(ApiKey[e.name as keyof typeof ApiKey], e.name).toBe(e.apiKey);
    expect(() => new ApiTable([API_ENTRIES[0]!, API_ENTRIES[0]!])).toThrow(/listed twice/);
  });

  it("is what the README's Supported Kafka APIs table says", () => {
    const table = API_ENTRIES.map((e) => ({ key: e.apiKey, name: e.name, min: e.min, max: e.max }));
    expect(readmeRows()).toEqual(table);
  });
});
