// The log lines that make the configs Samsa accepts but does not act on visible: Kafka's
// DescribeConfigs has no field to mark them (Samsa answers as Kafka does), so a broker says so in
// its log when one is set at start (--override) or changed in the cluster metadata (a topic's
// overrides, the dynamic broker configs of this broker or the cluster, a group's configs). The
// names are those whose definition has applies=false (core/broker/config-defs.ts; the README
// lists them).
import { BROKER_CONFIGS, GROUP_CONFIGS, TOPIC_CONFIGS, baseConfigName, type ConfigDef } from './config-defs.ts';
import type { ImageChanges, MetadataImage } from '../metadata/image.ts';

const line = (name: string, value: string, where: string) =>
  `config ${name}=${value} (${where}) is accepted but has no effect in Samsa`;

function idle(
  defs: ReadonlyMap<string, ConfigDef>,
  configs: Readonly<Record<string, string>>,
  where: string,
): string[] {
  return Object.entries(configs)
    .filter(([k]) => defs.get(defs === BROKER_CONFIGS ? baseConfigName(k) : k)?.applies === false)
    .map(([k, v]) => line(k, defs.get(k)?.sensitive ? '[hidden]' : v, where));
}

/** Static broker configs without effect (the --override values a broker starts with). */
export function staticNotes(values: ReadonlyMap<string, string>): string[] {
  return idle(BROKER_CONFIGS, Object.fromEntries(values), 'static broker config');
}

/** What a metadata update set that has no effect, for this broker's log. */
export function changeNotes(changes: ImageChanges, image: MetadataImage, brokerId: number): string[] {
  if (changes.snapshot) return [];
  const out: string[] = [];
  // Internal topics' configs are Samsa's own choice (__consumer_offsets' compaction and codec).
  for (const t of changes.topics.values()) {
    if (!t.internal) out.push(...idle(TOPIC_CONFIGS, t.configs, `topic ${t.name}`));
  }
  for (const r of changes.brokerConfigs) {
    if (r !== '' && r !== String(brokerId)) continue;
    const where = r === '' ? 'cluster-wide broker default' : `broker ${r}`;
    out.push(...idle(BROKER_CONFIGS, image.brokerConfigs.get(r) ?? {}, where));
  }
  for (const g of changes.groupConfigs) {
    out.push(...idle(GROUP_CONFIGS, image.groupConfigs.get(g) ?? {}, `group ${g}`));
  }
  return out;
}
