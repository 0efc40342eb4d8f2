// Runs the differential check by hand and prints every difference, known or not:
//   node test/peers/differential/main.ts [single|cluster] [--api NAME[,NAME…]] [--json FILE] [--from FILE]
// (the test, test/peers/differential.test.ts, fails only on the differences not in known.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { corpus } from './corpus.ts';
import { classify } from './known.ts';
import { PREPARE } from './runner.ts';
import { compareCase, groupDifferences, runBoth, versionList, type RunOutput } from './session.ts';

const argv = process.argv.slice(2);
const mode = argv.includes('cluster') ? 'cluster' : 'single';
const apiArg = argv.indexOf('--api');
const only = apiArg >= 0 ? argv[apiArg + 1]!.split(',') : undefined;
const jsonArg = argv.indexOf('--json');
const cases = only ? corpus.filter((c) => only.includes(c.api)) : corpus;

const fromArg = argv.indexOf('--from');
const started = Date.now();
let out: RunOutput;
if (fromArg >= 0) {
  // Compares a dump written by --json again (after editing known.ts or a normalisation), without brokers.
  const saved = JSON.parse(readFileSync(argv[fromArg + 1]!, 'utf8')) as { id: string; kafka: object; samsa: object }[];
  const load = (o: object) => new Map(Object.entries(o).map(([v, r]) => [Number(v), r as unknown]));
  out = {
    mode,
    advertised: { kafka: new Map(), samsa: new Map() },
    versions: new Map(),
    kafka: new Map(saved.map((c) => [c.id, load(c.kafka)])),
    samsa: new Map(saved.map((c) => [c.id, load(c.samsa)])),
    timings: { kafkaStartMs: 0, samsaStartMs: 0, kafkaRunMs: 0, samsaRunMs: 0 },
  };
} else {
  out = await runBoth(mode, (l) => console.error(l), cases);
  console.log(`# ${mode}: ${JSON.stringify(out.timings)}, total ${Date.now() - started} ms`);
  for (const [api, vs] of out.versions) console.log(`# ${api}: ${vs.length ? versionList(vs) : 'none'}`);
}
console.log(
  `# prepare: Kafka ${JSON.stringify(out.kafka.get(PREPARE)?.get(0))}, Samsa ${JSON.stringify(out.samsa.get(PREPARE)?.get(0))}`,
);
const dump: unknown[] = [
  {
    id: PREPARE,
    kafka: Object.fromEntries(out.kafka.get(PREPARE) ?? []),
    samsa: Object.fromEntries(out.samsa.get(PREPARE) ?? []),
  },
];
for (const c of cases) {
  if (!(c.modes ?? ['single']).includes(mode)) continue;
  const r = compareCase(c, out);
  const grouped = groupDifferences(r);
  const status = r.controlFailures.length ? 'CONTROL-FAIL' : grouped.length ? 'DIFF' : 'same';
  console.log(`\n## ${r.id} [${status}]`);
  for (const f of r.controlFailures) console.log(`  control v${f.version}: ${f.reason}`);
  for (const d of grouped) {
    const k = classify(c, mode, d);
    const tag = k ? (k.bug ? `[bug: ${k.bug}]` : '[known]') : '[NEW]';
    console.log(`  ${tag} ${c.api} ${versionList(d.versions)} ${d.path}: Kafka ${d.kafka} vs Samsa ${d.samsa}`);
  }
  dump.push({
    id: r.id,
    kafka: Object.fromEntries(out.kafka.get(r.id) ?? []),
    samsa: Object.fromEntries(out.samsa.get(r.id) ?? []),
  });
}
if (jsonArg >= 0) writeFileSync(argv[jsonArg + 1]!, JSON.stringify(dump, null, 1));
process.exit(0);
