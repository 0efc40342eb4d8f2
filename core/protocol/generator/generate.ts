// Generates core/protocol/messages/*.ts from Kafka's JSON message schemas in
// ../shared/kafka-protocol/message (relative to the repository root).
//
// One module per API (request + response), one per "data" schema (e.g.
// ConsumerProtocolAssignment), and messages/index.ts with the API table.
// The emitted code is plain TypeScript with explicit `version` checks: no
// schema interpretation at runtime. See core/protocol/README.md for the rules.
//
// It also emits codecs for the records the coordinators keep in their internal
// topics (keys and values, each written after an int16 version): the group
// coordinator's `__consumer_offsets` records (../shared/kafka-protocol/group-coordinator)
// and the transaction coordinator's `__transaction_state` records
// (../shared/kafka-protocol/transaction-coordinator), into core/protocol/records/.
//
// Usage: npm run gen:protocol
//   (or: node core/protocol/generator/generate.ts --out <dir> [--records-out <dir>];
//    with --out alone only the message modules are written)

import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSchema, type MessageSchema } from './schema.ts';
import { generateMessageModule, type ModuleSummary } from './emit-message.ts';
import { generateApiKeys, generateIndex } from './emit-index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const schemaDir = resolve(repoRoot, '../shared/kafka-protocol/message');
// `--out <dir>` writes elsewhere (the tests use it to check the committed output is current).
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? resolve(process.argv[outArg + 1]!) : resolve(repoRoot, 'core/protocol/messages');
const recordsSchemaFolders = ['group-coordinator', 'transaction-coordinator'];
const recordsArg = process.argv.indexOf('--records-out');
const recordsOutDir =
  recordsArg > 0
    ? resolve(process.argv[recordsArg + 1]!)
    : outArg > 0
      ? undefined
      : resolve(repoRoot, 'core/protocol/records');

/** The coordinators' record schemas: one module each, into `dir`. */
function generateRecords(dir: string): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for (const folder of recordsSchemaFolders) {
    const schemaFolder = resolve(repoRoot, '../shared/kafka-protocol', folder);
    for (const f of readdirSync(schemaFolder)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const s = parseSchema(readFileSync(join(schemaFolder, f), 'utf8'), f);
      const mod = generateMessageModule([s], folder);
      writeFileSync(join(dir, mod.fileName), mod.source);
      count++;
    }
  }
  return count;
}

function main(): void {
  const files = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const schemas: MessageSchema[] = files.map((f) => parseSchema(readFileSync(join(schemaDir, f), 'utf8'), f));

  // Pair requests and responses by API key; "data" schemas stand alone.
  const byKey = new Map<number, { request?: MessageSchema; response?: MessageSchema }>();
  const dataSchemas: MessageSchema[] = [];
  for (const s of schemas) {
    if (s.type === 'request' || s.type === 'response') {
      const entry = byKey.get(s.apiKey!) ?? {};
      entry[s.type] = s;
      byKey.set(s.apiKey!, entry);
    } else if (s.type === 'data') {
      dataSchemas.push(s);
    }
    // "header" schemas are hand-written in core/protocol/header.ts.
  }

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const summaries: ModuleSummary[] = [];
  for (const key of [...byKey.keys()].sort((a, b) => a - b)) {
    const { request, response } = byKey.get(key)!;
    if (!request || !response) throw new Error(`API key ${key} lacks a request or a response schema`);
    const mod = generateMessageModule([request, response]);
    writeFileSync(join(outDir, mod.fileName), mod.source);
    summaries.push(mod.summary);
  }
  for (const s of dataSchemas) {
    const mod = generateMessageModule([s]);
    writeFileSync(join(outDir, mod.fileName), mod.source);
  }
  writeFileSync(join(outDir, 'index.ts'), generateIndex(summaries));
  writeFileSync(join(outDir, 'api-keys.ts'), generateApiKeys(summaries));
  const records = recordsOutDir ? generateRecords(recordsOutDir) : 0;
  console.log(
    `generated ${summaries.length} APIs, ${dataSchemas.length} data types and ${records} coordinator record types`,
  );
}

main();
