// The "Differences from Kafka" table of test/peers/README.md, rendered from known.ts (one row per
// entry: the API, the case and field patterns made readable, the reason or the bug with its
// cause). `node test/peers/differential/table.ts` rewrites the table in the README;
// test/unit/peers/differences-table.test.ts keeps the two equal.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KNOWN, type Known } from './known.ts';

const HEADER =
  '| API | Case (pattern) | Field (pattern) | Why it is kept, or the bug and its cause |\n|---|---|---|---|';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** A pattern as a reader would write it: no anchors or escapes, `\d+` as N, `.*` as …; `|` escaped for the table. */
function readable(re: RegExp): string {
  return re.source
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\\d\+/g, 'N')
    .replace(/\.\*/g, '…')
    .replace(/\\(.)/g, '$1')
    .replace(/\|/g, '\\|');
}

function row(k: Known): string {
  const api = k.modes ? `${k.api} (${k.modes.join(', ')})` : k.api;
  const cases = k.cases ? readable(k.cases) : 'every case';
  const why = k.bug ? `**bug:** ${k.bug}` : (k.reason ?? '');
  return `| ${api} | ${cases} | \`${readable(k.path)}\` | ${why.replace(/\|/g, '\\|')} |`;
}

export function renderTable(): string {
  return [HEADER, ...KNOWN.map(row)].join('\n');
}

/** The README with its table replaced by the rendered one (the table runs from its header to the first non-row line). */
export function withTable(readme: string): string {
  const start = readme.indexOf(HEADER);
  if (start < 0) throw new Error('README: the differences table header is missing');
  const lines = readme.slice(start).split('\n');
  let n = 0;
  while (n < lines.length && lines[n]!.startsWith('|')) n++;
  return readme.slice(0, start) + renderTable() + '\n' + lines.slice(n).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(README, withTable(readFileSync(README, 'utf8')));
}
