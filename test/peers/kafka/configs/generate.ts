// Generates Samsa's table of Kafka's broker and topic configs from real Kafka:
//   node test/peers/kafka/configs/generate.ts
// 1. KafkaConfigDefs.java (next to this file), run with Kafka's classpath, prints what Kafka's
//    runtime knows of every config: type, default, documentation, validator, dynamic update mode,
//    synonyms (KafkaConfig, DynamicConfig.Broker, LogConfig, DynamicBrokerConfig), and Kafka's
//    verdict on sample values.
// 2. A real Kafka (the test peer, startKafka()) is asked DescribeConfigs v4 with synonyms and
//    documentation, of a broker, of the cluster-wide broker defaults and of a new topic. Every
//    config it lists must agree with step 1 (names, types, read-only and sensitive flags,
//    documentation, defaults), or the generator stops and says where; the cluster-wide defaults
//    Kafka sets at bootstrap (min.insync.replicas, for eligible leader replicas) come from there.
// 3. Writes core/broker/config-defs.generated.ts (the table; config-defs.ts builds on it) and
//    test/unit/broker/fixtures/kafka-config-probes.json (Kafka's verdicts, one config of each
//    kind of type and validator, which test/unit/broker/kafka-validation.test.ts holds Samsa to).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../../helpers/clients.ts';
import { JAVA, KAFKA_VERSION, kafkaClasspath, startKafka } from '../../../helpers/kafka-peer.ts';
import { REPO_ROOT } from '../../../helpers/spawn-broker.ts';
import { WireClient } from '../../differential/wire.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(REPO_ROOT, 'core', 'broker', 'config-defs.generated.ts');
const PROBES_OUT = join(REPO_ROOT, 'test', 'unit', 'broker', 'fixtures', 'kafka-config-probes.json');

type Validator = Record<string, unknown> & { kind: string; description?: string; of?: Validator[] };
interface Key {
  name: string;
  type: string;
  hasDefault: boolean;
  default: string | null;
  internal: boolean;
  validator: Validator | null;
  documentation: string | null;
  mode?: string | null;
  synonyms: (string | { name: string; scale: number })[];
  /** Group configs: GroupConfig.isInternal (not listed by DescribeConfigs). */
  groupInternal?: boolean;
}
interface Dump {
  broker: Key[];
  dynamicOnly: Key[];
  topic: Key[];
  group: Key[];
  perListenerOnly: string[];
  dynamicOrder: string[];
  probes: [scope: string, name: string, value: string, verdict: string | null][];
}

/** Kafka's DescribeConfigsResponse.ConfigType ids by ConfigDef.Type. */
const TYPE_IDS: Record<string, number> = {
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
};

async function dumpDefs(): Promise<Dump> {
  const r = await run(JAVA, ['-cp', kafkaClasspath(), join(HERE, 'KafkaConfigDefs.java')], { timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`KafkaConfigDefs.java failed (code ${r.code}): ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout) as Dump;
}

interface Described {
  broker: any[];
  clusterDefaults: any[];
  topic: any[];
}

async function describeKafka(): Promise<Described> {
  const kafka = await startKafka();
  try {
    const c = await WireClient.connect(kafka.nodes[0]!.port);
    try {
      const topic = 'config-defs-probe';
      const created = await c.send('CreateTopics', 7, {
        topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      if (created.topics[0].errorCode !== 0) throw new Error(`CreateTopics: ${JSON.stringify(created.topics[0])}`);
      const describe = async (resourceType: number, resourceName: string): Promise<any[]> => {
        const r = await c.send('DescribeConfigs', 4, {
          resources: [{ resourceType, resourceName, configurationKeys: null }],
          includeSynonyms: true,
          includeDocumentation: true,
        });
        const res = r.results[0];
        if (res.errorCode !== 0)
          throw new Error(`DescribeConfigs ${resourceType}/${resourceName}: ${res.errorMessage}`);
        return res.configs;
      };
      return {
        broker: await describe(4, '1'),
        clusterDefaults: await describe(4, ''),
        topic: await describe(2, topic),
      };
    } finally {
      c.close();
    }
  } finally {
    await kafka.stop();
  }
}

/** Kafka's answer must agree with its ConfigDef: the table is then what Kafka reports. */
function crossCheck(dump: Dump, seen: Described): string[] {
  const problems: string[] = [];
  const check = (scope: string, listed: any[], defs: Key[]) => {
    const byName = new Map(defs.map((k) => [k.name, k]));
    const names = new Set<string>();
    for (const e of listed) {
      names.add(e.name);
      const k = byName.get(e.name);
      if (!k) {
        // A name from the peer's server.properties that Kafka does not know is listed as UNKNOWN.
        if (e.configType !== 0) problems.push(`${scope} ${e.name}: listed by Kafka, not in its ConfigDef`);
        continue;
      }
      const want = (what: string, a: unknown, b: unknown) => {
        if (a !== b)
          problems.push(
            `${scope} ${e.name}: ${what} is ${JSON.stringify(a)} in DescribeConfigs, ${JSON.stringify(b)} in the ConfigDef`,
          );
      };
      want('configType', e.configType, TYPE_IDS[k.type]);
      want('isSensitive', e.isSensitive, k.type === 'PASSWORD');
      want('documentation', e.documentation, k.documentation);
      if (scope === 'broker') {
        want('readOnly', e.readOnly, !k.mode);
        const dflt = (e.synonyms as any[]).find((s) => s.name === e.name && s.source === 5);
        if (!e.isSensitive) want('default', dflt?.value ?? null, k.default);
      } else if (
        e.configSource === 5 &&
        !e.isSensitive &&
        !['retention.ms', 'segment.ms', 'segment.jitter.ms', 'flush.ms'].includes(e.name)
      ) {
        want('default', e.value, k.default);
      }
    }
    for (const k of defs)
      if (!k.internal && !names.has(k.name)) problems.push(`${scope} ${k.name}: in the ConfigDef, not listed by Kafka`);
  };
  check('broker', seen.broker, dump.broker);
  check('topic', seen.topic, dump.topic);
  return problems;
}

// ---- writing the module --------------------------------------------------------------------

function validatorOut(v: Validator | null): Validator | undefined {
  if (!v) return undefined;
  const { description, ...rest } = v;
  if (rest.of) rest.of = rest.of.map((x) => validatorOut(x)!);
  // The description says what an opaque validator checks; the others are data.
  return v.kind === 'other' ? { ...rest, description } : rest;
}

function entry(k: Key, scope: 'broker' | 'dynamicOnly' | 'topic' | 'group'): string {
  const o: Record<string, unknown> = { name: k.name, type: k.type.toLowerCase(), default: k.default };
  if (scope === 'group') {
    if (k.synonyms.length > 0) o.synonym = k.synonyms[0];
    if (k.groupInternal) o.internal = true;
  } else if (scope !== 'topic') {
    if (k.mode) o.dynamic = k.mode;
    const syn = (k.synonyms as string[]).filter((s) => s !== k.name);
    if (syn.length > 0) o.synonyms = k.synonyms;
  } else {
    o.synonyms = k.synonyms;
  }
  if (k.internal && scope !== 'group') o.internal = true;
  if (scope === 'dynamicOnly') o.unlisted = true;
  const v = validatorOut(k.validator);
  if (v) o.validator = v;
  o.doc = k.documentation ?? '';
  return `  ${JSON.stringify(o)},`;
}

function moduleText(dump: Dump, seen: Described): string {
  const bootstrap = Object.fromEntries(seen.clusterDefaults.map((e) => [e.name, e.value]));
  return [
    `// Code generated by test/peers/kafka/configs/generate.ts from Apache Kafka ${KAFKA_VERSION}; DO NOT EDIT.`,
    '// @generated',
    '//',
    "// Kafka's broker and topic configs as Kafka's own runtime reports them (its ConfigDef, dynamic",
    '// update modes and synonyms, checked against DescribeConfigs of a real Kafka): name, type,',
    '// default as Kafka prints it, validator, dynamic mode (per-broker / cluster-wide; none =',
    "// read-only), synonyms, and Kafka's documentation (Apache License 2.0, from Apache Kafka).",
    '// core/broker/config-defs.ts builds the definitions Samsa uses on this table.',
    "import type { KafkaConfigEntry, KafkaGroupConfigEntry, KafkaTopicConfigEntry } from './config-defs.ts';",
    '',
    `export const KAFKA_CONFIGS_VERSION = ${JSON.stringify(KAFKA_VERSION)};`,
    '',
    '/** The cluster-wide dynamic broker configs a new Kafka cluster starts with. */',
    `export const BOOTSTRAP_CLUSTER_CONFIGS: Readonly<Record<string, string>> = ${JSON.stringify(bootstrap)};`,
    '',
    '/** Security configs that can be set dynamically only with a listener prefix (listener.name.<l>.<config>). */',
    `export const PER_LISTENER_ONLY: readonly string[] = ${JSON.stringify(dump.perListenerOnly)};`,
    '',
    "/** The dynamic broker configs in the order Kafka checks their values (DynamicConfig.Broker's). */",
    `export const DYNAMIC_CHECK_ORDER: readonly string[] = ${JSON.stringify(dump.dynamicOrder)};`,
    '',
    '/** KafkaConfig (in its definition order), then the dynamic-only broker configs (the replication quotas). */',
    'export const KAFKA_BROKER_CONFIGS: readonly KafkaConfigEntry[] = [',
    ...dump.broker.map((k) => entry(k, 'broker')),
    ...dump.dynamicOnly.map((k) => entry(k, 'dynamicOnly')),
    '];',
    '',
    '/** LogConfig (in its definition order): the topic configs, each with the broker configs it falls back to. */',
    'export const KAFKA_TOPIC_CONFIGS: readonly KafkaTopicConfigEntry[] = [',
    ...dump.topic.map((k) => entry(k, 'topic')),
    '];',
    '',
    '/** GroupConfig (in its definition order): the group configs (KIP-848), each with the broker config it falls back to. */',
    'export const KAFKA_GROUP_CONFIGS: readonly KafkaGroupConfigEntry[] = [',
    ...dump.group.map((k) => entry(k, 'group')),
    '];',
    '',
  ].join('\n');
}

/** One config of each kind (type and validator), with Kafka's verdict on each sample value. */
function probes(dump: Dump): string {
  const keys = new Map<string, Key>();
  for (const k of [...dump.broker, ...dump.dynamicOnly]) keys.set(`broker/${k.name}`, k);
  for (const k of dump.topic) keys.set(`topic/${k.name}`, k);
  // Every group config: their rules compare with the broker's bounds, one by one.
  for (const k of dump.group) keys.set(`group/${k.name}`, { ...k, validator: { kind: k.name } });
  const kindOf = (k: Key) => k.type + JSON.stringify(k.validator).replaceAll(k.name, '<name>');
  const chosen = new Map<string, string>();
  for (const [id, k] of keys) if (!chosen.has(kindOf(k))) chosen.set(kindOf(k), id);
  const ids = new Set(chosen.values());
  const rows = dump.probes
    .filter(([scope, name]) => ids.has(`${scope}/${name}`))
    .map(([scope, name, value, verdict]) => ({
      scope,
      name,
      value,
      error: verdict === null ? null : verdict.replace(/^(ConfigException|InvalidConfigurationException): /, ''),
    }));
  return `${JSON.stringify({ kafka: KAFKA_VERSION, probes: rows }, null, 0).replaceAll('},{', '},\n{')}\n`;
}

const dump = await dumpDefs();
const seen = await describeKafka();
const problems = crossCheck(dump, seen);
if (problems.length > 0) {
  console.error(`Kafka's DescribeConfigs disagrees with its ConfigDef:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(OUT, moduleText(dump, seen));
writeFileSync(PROBES_OUT, probes(dump));
console.log(
  `${OUT}: ${dump.broker.length + dump.dynamicOnly.length} broker configs, ${dump.topic.length} topic configs (Kafka ${KAFKA_VERSION})`,
);
