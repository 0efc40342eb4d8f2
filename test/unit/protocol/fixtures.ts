// Loads kafkajs's captured request/response bodies from ../shared (read at
// test time, never copied into the repo).

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiKey } from '../../../core/protocol/messages/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixturesRoot = resolve(repoRoot, '../shared/kafka-fixtures/kafkajs/requests');

export interface Fixture {
  /** kafkajs folder, e.g. 'listOffsets' */
  folder: string;
  file: string;
  apiKey: number;
  version: number;
  kind: 'request' | 'response';
  bytes: Buffer;
}

/** kafkajs folder names are the API names in lower camel case. */
export function apiKeyForFolder(folder: string): number {
  const name = folder[0]!.toUpperCase() + folder.slice(1);
  const key = (ApiKey as Record<string, number>)[name];
  if (key === undefined) throw new Error(`no API for kafkajs folder ${folder}`);
  return key;
}

export function loadFixture(folder: string, file: string): Buffer {
  const json = JSON.parse(readFileSync(join(fixturesRoot, folder, 'fixtures', file), 'utf8')) as { data: number[] };
  return Buffer.from(json.data);
}

/** Every vN_request*.json / vN_response*.json fixture. */
export function allFixtures(): Fixture[] {
  if (!existsSync(fixturesRoot)) throw new Error(`fixtures not found at ${fixturesRoot}`);
  const out: Fixture[] = [];
  for (const folder of readdirSync(fixturesRoot).sort()) {
    const dir = join(fixturesRoot, folder, 'fixtures');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      const m = /^v(\d+)_(request|response)/.exec(file);
      if (!m) continue;
      out.push({
        folder,
        file,
        apiKey: apiKeyForFolder(folder),
        version: Number(m[1]),
        kind: m[2] as 'request' | 'response',
        bytes: loadFixture(folder, file),
      });
    }
  }
  return out;
}
