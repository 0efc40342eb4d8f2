// Samsa's config validation against Kafka's own verdicts: test/unit/broker/fixtures/
// kafka-config-probes.json holds, for one broker and topic config of each kind of type and
// validator and for every group config (KIP-848), sample values (malformed ones, each side of
// every bound, valid strings in other cases) with the message real Kafka 4.4 refused each with,
// or null when Kafka took it. Kafka's runtime wrote it (test/peers/kafka/configs/generate.ts,
// re-runnable); this test checks every row against Samsa's validation, and that the generated
// table knows every name Kafka listed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BROKER_CONFIGS, GROUP_CONFIGS, TOPIC_CONFIGS } from '../../../core/broker/config-defs.ts';
import { KAFKA_BROKER_CONFIGS, KAFKA_GROUP_CONFIGS } from '../../../core/broker/config-defs.generated.ts';
import { groupConfigsError } from '../../../core/broker/config-group.ts';
import { BrokerConfig, configValueError } from '../../../core/broker/configs.ts';

interface Probe {
  scope: 'broker' | 'topic' | 'group';
  name: string;
  value: string;
  error: string | null;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/kafka-config-probes.json', import.meta.url), 'utf8')) as {
  kafka: string;
  probes: Probe[];
};

const broker = new BrokerConfig();

function samsaVerdict(p: Probe): string | null {
  if (p.scope === 'group') return groupConfigsError({ [p.name]: p.value }, broker);
  const def = (p.scope === 'broker' ? BROKER_CONFIGS : TOPIC_CONFIGS).get(p.name);
  if (!def) return `unknown ${p.scope} config ${p.name}`;
  return configValueError(def, p.value);
}

describe(`config values, as Kafka ${fixture.kafka} judges them`, () => {
  it('has probes of every scope', () => {
    for (const scope of ['broker', 'topic', 'group']) {
      expect(fixture.probes.filter((p) => p.scope === scope).length, scope).toBeGreaterThan(10);
    }
  });

  for (const scope of ['broker', 'topic', 'group'] as const) {
    it(`judges every ${scope} probe as Kafka does`, () => {
      const wrong = fixture.probes
        .filter((p) => p.scope === scope)
        .map((p) => ({ ...p, samsa: samsaVerdict(p) }))
        .filter((p) => p.samsa !== p.error);
      expect(wrong).toEqual([]);
    });
  }

  it('knows every broker and group config name Kafka has', () => {
    for (const e of KAFKA_BROKER_CONFIGS) expect(BROKER_CONFIGS.has(e.name), e.name).toBe(true);
    for (const e of KAFKA_GROUP_CONFIGS) expect(GROUP_CONFIGS.has(e.name), e.name).toBe(true);
  });

  it('refuses an unknown group config name and checks a group value against the broker bounds it is given', () => {
    expect(groupConfigsError({ 'no.such.config': '1' }, broker)).toBe('Unknown group config name: no.such.config');
    const wide = new BrokerConfig({ 'group.consumer.min.session.timeout.ms': '6000' });
    expect(groupConfigsError({ 'consumer.session.timeout.ms': '6000' }, broker)).toBe(
      'consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.',
    );
    expect(groupConfigsError({ 'consumer.session.timeout.ms': '6000' }, wide)).toBeNull();
  });
});
