// Normalising and comparing decoded responses for the differential check. Normalising replaces
// only what legitimately differs between two brokers (ports, topic ids, cluster ids, generated
// member ids, session and producer ids, log dirs, the broker's own clock); everything else is
// compared field by field. Arrays of records that carry an identity (a name, a partition index,
// a node id, …) are matched by it, and a differing order of the common elements is a difference
// of its own (`path(order)`).
import { errorName } from '../../../core/protocol/errors.ts';
import { batchPositions, decodeBatchHeader, decodeRecords } from '../../../core/protocol/record-batch.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** What normalising needs to know of one target. */
export interface NormaliseEnv {
  /** Port → node id of this target's brokers. */
  ports: Map<number, number>;
  /** Topic id → topic name, as this target assigned them. */
  topicIds: Map<string, string>;
  /** In a cluster, which broker a replica lands on is the placement's choice: node ids become <node>. */
  cluster: boolean;
}

const NODE_FIELDS = new Set(['leaderId', 'nodeId', 'brokerId', 'controllerId', 'coordinatorId', 'leader']);
const NODE_LIST_FIELDS = new Set([
  'replicaNodes',
  'isrNodes',
  'offlineReplicas',
  'replicas',
  'addingReplicas',
  'removingReplicas',
  'eligibleLeaderReplicas',
  'lastKnownElr',
]);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !Buffer.isBuffer(x);
}

/** Decodes a records field (Fetch) into batches and records, so they compare by content. */
export function decodeRecordSet(buf: Buffer): unknown {
  if (buf.length === 0) return [];
  const out: unknown[] = [];
  let end = 0;
  for (const pos of batchPositions(buf)) {
    const h = decodeBatchHeader(buf, pos);
    end = pos + h.batchLength + 12;
    const { crc: _crc, batchLength: _len, ...header } = h;
    void _crc;
    void _len;
    let records: unknown;
    try {
      records = decodeRecords(buf, pos).map((r) => ({
        ...r,
        key: r.key?.toString('utf8') ?? null,
        value: r.value && r.value.length > 64 ? `<${r.value.length} bytes>` : (r.value?.toString('utf8') ?? null),
        headers: r.headers.map((x) => ({ key: x.key, value: x.value?.toString('utf8') ?? null })),
      }));
    } catch (e) {
      records = `<undecodable: ${(e as Error).message}>`;
    }
    out.push({ ...header, records });
  }
  if (end < buf.length) out.push(`<${buf.length - end} trailing bytes>`);
  return out;
}

/** The generic normalisation, by field name, applied to every response. */
export function normalise(x: unknown, env: NormaliseEnv, field = ''): unknown {
  if (Buffer.isBuffer(x)) {
    if (field === 'records') return decodeRecordSet(x);
    return x.length > 256 ? `<${x.length} bytes>` : `hex:${x.toString('hex')}`;
  }
  if (typeof x === 'bigint') return Number(x);
  if (Array.isArray(x)) {
    if (env.cluster && NODE_LIST_FIELDS.has(field) && x.every((n) => typeof n === 'number'))
      return `<${x.length} node(s)>`;
    return x.map((e) => normalise(e, env, field));
  }
  if (!isPlainObject(x)) {
    if (typeof x === 'string' && x.length > 0) {
      if (field === 'topicId') return x === ZERO_UUID ? x : `<topic-id:${env.topicIds.get(x) ?? '?'}>`;
      if (field === 'clusterId') return '<cluster-id>';
      if (/memberId$|^leader$|^memberIds?$/i.test(field)) return x.replace(UUID_RE, '<uuid>');
      if (field === 'logDir') return '<log-dir>';
    }
    if (typeof x === 'number') {
      if (field === 'port') {
        if (!env.ports.has(x)) return '<port of ?>';
        // In a cluster, which broker coordinates or leads is the placement's choice.
        return env.cluster ? '<port of a broker>' : `<port of node ${env.ports.get(x)}>`;
      }
      if (field === 'throttleTimeMs') return x === 0 ? 0 : '<non-zero>';
      if (field === 'sessionId') return x === 0 ? 0 : '<session-id>';
      if (field === 'producerId') return x < 0 ? x : '<producer-id>';
      if (field === 'totalBytes' || field === 'usableBytes') return x < 0 ? x : '<bytes>';
      if (field === 'logAppendTimeMs') return x < 0 ? x : '<broker time>';
      // The metadata log offset where features were last finalised: any non-negative value.
      if (field === 'finalizedFeaturesEpoch') return x < 0 ? x : '<epoch>';
      if (env.cluster && NODE_FIELDS.has(field)) return x < 0 ? x : '<node>';
    }
    return x;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[k] = normalise(v, env, k);
  return out;
}

// ---- diffing ------------------------------------------------------------------------------

export interface Difference {
  /** e.g. `topics[name=x].errorMessage`. */
  path: string;
  kafka: string;
  samsa: string;
}

export const ABSENT = '<absent>';

const KEY_CANDIDATES = [
  'name',
  'topicName',
  'topic',
  'groupId',
  'resourceName',
  'configName',
  'apiKey',
  'partitionIndex',
  'partition',
  'partitionId',
  'nodeId',
  'brokerId',
  'memberId',
  'transactionalId',
  'key',
  'logDir',
];

function identityKey(a: unknown[], b: unknown[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isPlainObject)) return undefined;
  for (const k of KEY_CANDIDATES) {
    const ok = all.every((e) => {
      const v = (e as Record<string, unknown>)[k];
      return typeof v === 'string' || typeof v === 'number';
    });
    if (!ok) continue;
    const unique = (arr: unknown[]): boolean =>
      new Set(arr.map((e) => (e as Record<string, unknown>)[k])).size === arr.length;
    if (unique(a) && unique(b)) return k;
  }
  return undefined;
}

const ERROR_FIELDS = /errorCode$|^error$/i;

/** A value as it appears in a difference: JSON, error codes with their names, long values cut. */
export function show(x: unknown, field = ''): string {
  if (x === undefined) return ABSENT;
  if (typeof x === 'number' && ERROR_FIELDS.test(field)) return `${x} ${x === 0 ? 'NONE' : errorName(x)}`;
  const s = typeof x === 'string' ? `'${x}'` : JSON.stringify(x);
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
}

/** A list as it appears in a difference: short ones whole, long ones by count and first identities. */
function showList(a: unknown[]): string {
  const s = show(a);
  if (s.length <= 300) return s;
  const key = identityKey(a, a);
  const ids = key ? a.map((e) => (e as Record<string, unknown>)[key]) : [];
  return `[${a.length} items${ids.length ? `: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}` : ''}]`;
}

/** Every difference between Kafka's (normalised) response and Samsa's. */
export function diff(kafka: unknown, samsa: unknown, path = '', field = '', out: Difference[] = []): Difference[] {
  // A request that got no response on one side: one difference, not one per field of the other side's response.
  const kErr = isPlainObject(kafka) && '$error' in kafka;
  const sErr = isPlainObject(samsa) && '$error' in samsa;
  if (kErr !== sErr) {
    const outcome = (x: unknown, err: boolean) =>
      err ? `no response (${String((x as Record<string, unknown>).$error)})` : `a response: ${show(x)}`;
    out.push({ path: path || '(response)', kafka: outcome(kafka, kErr), samsa: outcome(samsa, sErr) });
    return out;
  }
  if (Array.isArray(kafka) && Array.isArray(samsa)) {
    // One side empty: one difference, not one per element of the other.
    if ((kafka.length === 0) !== (samsa.length === 0)) {
      out.push({ path: path || '(response)', kafka: showList(kafka), samsa: showList(samsa) });
      return out;
    }
    const key = identityKey(kafka, samsa);
    if (key) {
      const ka = new Map(kafka.map((e) => [(e as Record<string, unknown>)[key], e]));
      const sa = new Map(samsa.map((e) => [(e as Record<string, unknown>)[key], e]));
      // Many elements on one side only (configs a broker lacks, APIs it does not serve): one line with their names.
      const onlyK = [...ka.keys()].filter((k) => !sa.has(k));
      const onlyS = [...sa.keys()].filter((k) => !ka.has(k));
      for (const [k, v] of ka)
        if (sa.has(k) || onlyK.length <= 3) diff(v, sa.get(k), `${path}[${key}=${k}]`, field, out);
      for (const [k, v] of sa)
        if (!ka.has(k) && onlyS.length <= 3) diff(undefined, v, `${path}[${key}=${k}]`, field, out);
      if (onlyK.length > 3)
        out.push({ path: `${path}(only in Kafka)`, kafka: `${onlyK.length}: ${onlyK.join(', ')}`, samsa: ABSENT });
      if (onlyS.length > 3)
        out.push({ path: `${path}(only in Samsa)`, kafka: ABSENT, samsa: `${onlyS.length}: ${onlyS.join(', ')}` });
      const kOrder = [...ka.keys()].filter((k) => sa.has(k));
      const sOrder = [...sa.keys()].filter((k) => ka.has(k));
      if (kOrder.join('\u0000') !== sOrder.join('\u0000'))
        out.push({ path: `${path}(order)`, kafka: show(kOrder), samsa: show(sOrder) });
      return out;
    }
    const n = Math.max(kafka.length, samsa.length);
    for (let i = 0; i < n; i++) diff(kafka[i], samsa[i], `${path}[${i}]`, field, out);
    return out;
  }
  if (isPlainObject(kafka) && isPlainObject(samsa)) {
    const keys = new Set([...Object.keys(kafka), ...Object.keys(samsa)]);
    for (const k of keys) diff(kafka[k], samsa[k], path ? `${path}.${k}` : k, k, out);
    return out;
  }
  if (JSON.stringify(kafka) !== JSON.stringify(samsa))
    out.push({ path: path || '(response)', kafka: show(kafka, field), samsa: show(samsa, field) });
  return out;
}

/** Reads a path like `topics[0].errorCode` or `topics[name=x].partitions[0]` out of a value. */
export function at(x: unknown, path: string): unknown {
  let cur: unknown = x;
  for (const part of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (cur === undefined || cur === null) return undefined;
    if (part.startsWith('[')) {
      const inner = part.slice(1, -1);
      const eq = inner.indexOf('=');
      if (eq < 0) cur = (cur as unknown[])[Number(inner)];
      else {
        const k = inner.slice(0, eq);
        const v = inner.slice(eq + 1);
        cur = (cur as Record<string, unknown>[]).find((e) => String(e[k]) === v);
      }
    } else cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
