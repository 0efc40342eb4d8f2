// One differential run: starts real Kafka and Samsa side by side (one broker each, or three),
// asks both which versions they support, runs the corpus on both at every version of the
// intersection, stops them, and compares the results case by case.
import { startKafka } from '../../helpers/kafka-peer.ts';
import { startBroker } from '../../helpers/spawn-broker.ts';
import { startCluster } from '../../helpers/spawn-cluster.ts';
import { diff, type Difference } from './compare.ts';
import { corpus, prepare } from './corpus.ts';
import { caseId, runCorpus, type Case, type Endpoint, type Mode, type Results } from './runner.ts';
import { apiInfo, WireClient } from './wire.ts';

export interface VersionRange {
  min: number;
  max: number;
}

export interface RunOutput {
  mode: Mode;
  /** What each broker advertises, by api key. */
  advertised: { kafka: Map<number, VersionRange>; samsa: Map<number, VersionRange> };
  /** The versions the corpus ran at, by API name (both brokers' ranges and the codec's, intersected). */
  versions: Map<string, number[]>;
  kafka: Results;
  samsa: Results;
  timings: { kafkaStartMs: number; samsaStartMs: number; kafkaRunMs: number; samsaRunMs: number };
}

async function advertised(port: number): Promise<Map<number, VersionRange>> {
  const c = await WireClient.connect(port);
  try {
    const r = await c.send('ApiVersions', 3, {
      clientSoftwareName: 'samsa-differential',
      clientSoftwareVersion: '1.0',
    });
    return new Map(r.apiKeys.map((k: any) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
  } finally {
    c.close();
  }
}

function intersect(api: string, a: Map<number, VersionRange>, b: Map<number, VersionRange>): number[] {
  const info = apiInfo(api);
  const x = a.get(info.apiKey);
  const y = b.get(info.apiKey);
  if (!x || !y) return [];
  const lo = Math.max(x.min, y.min, info.minVersion);
  const hi = Math.min(x.max, y.max, info.maxVersion);
  return Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i);
}

/** Runs the corpus (the cases of `mode`) on Kafka and on Samsa, concurrently, and stops both. */
export async function runBoth(
  mode: Mode,
  log: (l: string) => void = () => {},
  cases: Case[] = corpus,
): Promise<RunOutput> {
  const brokers = mode === 'single' ? 1 : 3;
  const t0 = Date.now();
  // Generous start deadlines: on a loaded two-core machine three Kafka JVMs take a while to register.
  const kafkaP = startKafka({ brokers, startTimeoutMs: 240_000 }).then((k) => ({ k, ms: Date.now() - t0 }));
  const samsaP = (
    mode === 'single'
      ? startBroker().then((b) => ({
          nodes: new Map([[1, b.port]]),
          stop: () => b.dispose(),
        }))
      : startCluster({ brokers: 3, startTimeoutMs: 180_000 }).then((cl) => ({
          nodes: new Map(cl.ports),
          stop: () => cl.dispose(),
        }))
  ).then((s) => ({ s, ms: Date.now() - t0 }));
  const [kr, sr] = await Promise.allSettled([kafkaP, samsaP]);
  if (kr.status === 'rejected' || sr.status === 'rejected') {
    if (kr.status === 'fulfilled') await kr.value.k.stop();
    if (sr.status === 'fulfilled') await sr.value.s.stop();
    throw kr.status === 'rejected' ? kr.reason : (sr as PromiseRejectedResult).reason;
  }
  const kafka = kr.value.k;
  const samsa = sr.value.s;
  try {
    const kafkaEp: Endpoint = { side: 'kafka', mode, nodes: new Map(kafka.nodes.map((n) => [n.id, n.port])) };
    const samsaEp: Endpoint = { side: 'samsa', mode, nodes: samsa.nodes };
    const adv = {
      kafka: await advertised(kafkaEp.nodes.get(1)!),
      samsa: await advertised(samsaEp.nodes.get(1)!),
    };
    const versions = new Map<string, number[]>();
    for (const c of cases) if (!versions.has(c.api)) versions.set(c.api, intersect(c.api, adv.kafka, adv.samsa));
    const versionsOf = (api: string) => versions.get(api) ?? [];
    const timed = async (ep: Endpoint) => {
      const start = Date.now();
      const r = await runCorpus(ep, cases, versionsOf, prepare, log);
      return { r, ms: Date.now() - start };
    };
    const [k, s] = await Promise.all([timed(kafkaEp), timed(samsaEp)]);
    return {
      mode,
      advertised: adv,
      versions,
      kafka: k.r,
      samsa: s.r,
      timings: { kafkaStartMs: kr.value.ms, samsaStartMs: sr.value.ms, kafkaRunMs: k.ms, samsaRunMs: s.ms },
    };
  } finally {
    await Promise.allSettled([kafka.stop(), samsa.stop()]);
  }
}

export interface CaseReport {
  id: string;
  api: string;
  /** The control on Kafka, per version: why Kafka did not answer as the case expects. */
  controlFailures: { version: number; reason: string }[];
  /** Differences per version. */
  differences: { version: number; diffs: Difference[] }[];
}

/** Compares Kafka's and Samsa's results of one case. */
export function compareCase(c: Case, out: RunOutput): CaseReport {
  const id = caseId(c);
  const k = out.kafka.get(id) ?? new Map<number, unknown>();
  const s = out.samsa.get(id) ?? new Map<number, unknown>();
  const report: CaseReport = { id, api: c.api, controlFailures: [], differences: [] };
  const versions = [...new Set([...k.keys(), ...s.keys()])].sort((a, b) => a - b);
  for (const v of versions) {
    const kr = k.get(v);
    if (c.expect) {
      // The checks see wire errors too: Kafka closing the connection can be what a case expects.
      const why = c.expect(kr, v);
      if (why) report.controlFailures.push({ version: v, reason: why });
    }
    const diffs = diff(kr, s.get(v));
    if (diffs.length) report.differences.push({ version: v, diffs });
  }
  return report;
}

/** The same difference at several versions, once. */
export interface GroupedDifference extends Difference {
  versions: number[];
}

const generic = (s: string): string => s.replace(/-v\d+\b/g, '-vN').replace(/(-vN-)y{10,}/g, '$1y…');

export function groupDifferences(r: CaseReport): GroupedDifference[] {
  const byKey = new Map<string, GroupedDifference>();
  for (const { version, diffs } of r.differences)
    for (const d of diffs) {
      // Per-version names (d-ct-v5) and offsets differ by version only: group them as one.
      const e = { path: generic(d.path), kafka: generic(d.kafka), samsa: generic(d.samsa) };
      const key = `${e.path}\u0000${e.kafka}\u0000${e.samsa}`;
      const g = byKey.get(key);
      if (g) g.versions.push(version);
      else byKey.set(key, { ...e, versions: [version] });
    }
  return [...byKey.values()];
}

/** `v2-5,7` for [2,3,4,5,7]. */
export function versionList(vs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < vs.length;) {
    let j = i;
    while (j + 1 < vs.length && vs[j + 1] === vs[j]! + 1) j++;
    parts.push(i === j ? `${vs[i]}` : `${vs[i]}-${vs[j]}`);
    i = j + 1;
  }
  return `v${parts.join(',')}`;
}
