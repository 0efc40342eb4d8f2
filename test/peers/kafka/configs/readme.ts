// Writes the README's lists of the Kafka configs Samsa accepts, validates, stores and reports but
// does not act on (between the `no-effect-configs` markers of its "Configuration" section), from
// the generated table and the sets of applied configs in core/broker/config-defs.ts:
//   node test/peers/kafka/configs/readme.ts          (rewrites README.md)
//   node test/peers/kafka/configs/readme.ts --check  (exits 1 when README.md is out of date)
// test/unit/broker/readme-configs.test.ts runs the check.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROKER_CONFIGS, GROUP_CONFIGS, TOPIC_CONFIGS, type ConfigDef } from '../../../../core/broker/config-defs.ts';

const START = '<!-- no-effect-configs:start (node test/peers/kafka/configs/readme.ts) -->';
const END = '<!-- no-effect-configs:end -->';

const listed = (defs: ReadonlyMap<string, ConfigDef>) => [...defs.values()].filter((d) => !d.hidden);
const names = (defs: ConfigDef[]) => defs.map((d) => `\`${d.name}\``).join(', ');

/** The README section: counts, then the names without effect. */
export function noEffectSection(): string {
  const part = (what: string, defs: ReadonlyMap<string, ConfigDef>) => {
    const all = listed(defs);
    const idle = all.filter((d) => !d.applies);
    return [
      `<details><summary>${what}: ${all.length} that Kafka lists, ${all.length - idle.length} that Samsa acts on, ${idle.length} without effect</summary>`,
      '',
      names(idle),
      '',
      '</details>',
    ].join('\n');
  };
  return [
    START,
    part('Broker configs', BROKER_CONFIGS),
    '',
    part('Topic configs', TOPIC_CONFIGS),
    '',
    part('Group configs', GROUP_CONFIGS),
    END,
  ].join('\n');
}

export function readmeWithSection(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < 0) throw new Error('README.md has no no-effect-configs markers');
  return readme.slice(0, from) + noEffectSection() + readme.slice(to + END.length);
}

if (import.meta.main) {
  const path = join(import.meta.dirname, '..', '..', '..', '..', 'README.md');
  const readme = readFileSync(path, 'utf8');
  const next = readmeWithSection(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error(
        'README.md: the list of configs without effect is out of date; run node test/peers/kafka/configs/readme.ts',
      );
      process.exit(1);
    }
  } else {
    writeFileSync(path, next);
  }
}
