// The README's lists of configs Samsa accepts but does not act on stay in step with the config
// table: the section between the no-effect-configs markers is what
// test/peers/kafka/configs/readme.ts writes from core/broker/config-defs.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeWithSection } from '../../peers/kafka/configs/readme.ts';

describe('the README lists the configs without effect', () => {
  it('is up to date (node test/peers/kafka/configs/readme.ts rewrites it)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readmeWithSection(readme)).toBe(readme);
    expect(readme).toContain('`sasl.kerberos.min.time.before.relogin`');
  });
});
