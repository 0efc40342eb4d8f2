// Kafka's log tooling on Samsa's files: a real client (confluent-kafka, librdkafka) produces a
// fixed record set to Samsa — batches in every codec, keys (some null), headers (some with a null
// value), explicit timestamps (one batch going back in time), enough data that the offset and time
// indexes have entries and the topic's segments roll (segment.bytes is Kafka's minimum, 1 MiB, a
// topic config; the brokers run with their defaults) — reads it back, and Samsa is stopped
// cleanly. Kafka's own DumpLogSegments (kafka-dump-log) then reads Samsa's .log, .index and
// .timeindex files with --deep-iteration --print-data-log, checks the indexes with
// --index-sanity-check, and decodes the group's commit in __consumer_offsets with
// --offsets-decoder. It must report no error; every batch and record it reads must be what was
// produced and what Samsa served (offsets, keys, values, header keys, timestamps, codec); and
// since each batch's bytes depend only on the record set (no idempotence: producer id -1), the
// same record set produced to a real Kafka (the control) must give the same dump and the same
// files, byte for byte. The same holds for the leader's and each follower's files of a
// replication-factor-3 topic on `samsa start --brokers 3` (a follower may roll its segments at
// other offsets than the leader, as in Kafka, so replicas compare as one log).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, run } from '../helpers/clients.ts';
import { startKafka, type KafkaCluster } from '../helpers/kafka-peer.ts';
import { startKafkaToolRunner, type KafkaToolRunner } from '../helpers/kafka-tool-runner.ts';
import { REPO_ROOT, startBroker, type RunningBroker } from '../helpers/spawn-broker.ts';
import { startCluster, type RunningCluster } from '../helpers/spawn-cluster.ts';
import { removeAllTmpDirs } from '../helpers/tmp.ts';

const SCRIPT = join(REPO_ROOT, 'test', 'peers', 'dump-log', 'records_ck.py');
const TOPIC = 'dumped';
const GROUP = 'dump-log-reader';
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

// ---- the record set -------------------------------------------------------------------------

interface PlannedRecord {
  key: string | null;
  value: string;
  headers: [string, string | null][];
  timestamp: number;
}
interface PlannedBatch {
  codec: (typeof CODECS)[number];
  records: PlannedRecord[];
}

/**
 * Ten rounds of one batch per codec, 120 records (large batches) and 7 records (small ones)
 * in turn: about 2.3 MB, so three 1 MiB segments, with several index entries in each. Values
 * are pseudo-random hex (xorshift, fixed seed) of 200-1400 bytes; timestamps 10 ms apart from an
 * hour ago, except one record of round 3 that is 5 s older than the ones before it.
 */
function recordSet(start: number): PlannedBatch[] {
  let x = 42;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const batches: PlannedBatch[] = [];
  let i = 0;
  for (let round = 0; round < 10; round++) {
    for (const codec of CODECS) {
      const n = round % 2 === 0 ? 120 : 7;
      const records: PlannedRecord[] = [];
      for (let j = 0; j < n; j++, i++) {
        const len = 200 + (next() % 1200);
        let v = '';
        while (v.length < len) v += next().toString(16);
        const headers: [string, string | null][] =
          i % 5 === 0 ? [] : [['h-index', String(i)], ...(i % 3 === 0 ? ([['h-null', null]] as [string, null][]) : [])];
        records.push({
          key: i % 7 === 3 ? null : `key-${i}`,
          value: v.slice(0, len),
          headers,
          timestamp: start + i * 10 - (round === 3 && j === 2 ? 5000 : 0),
        });
      }
      batches.push({ codec, records });
    }
  }
  return batches;
}

const b64 = (s: string | null): string | null => (s === null ? null : Buffer.from(s).toString('base64'));
const unb64 = (s: string | null): string | null => (s === null ? null : Buffer.from(s, 'base64').toString());

async function python<T>(args: Record<string, unknown>): Promise<T> {
  const r = await run(PYTHON, [SCRIPT], { input: JSON.stringify(args), timeoutMs: 180_000 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.code !== 0 || !last.startsWith('{'))
    throw new Error(
      `records_ck.py ${String(args.cmd)} on ${String(args.bootstrap)} failed (code ${r.code}): ${r.stderr.slice(-3000)}`,
    );
  return JSON.parse(last) as T;
}

interface Served {
  low: number;
  high: number;
  /** Retriable errors the commit met before it succeeded. */
  commitErrors: string[];
  records: {
    offset: number;
    timestamp: number;
    timestampType: number;
    key: string | null;
    value: string | null;
    headers: [string, string | null][];
  }[];
}

// ---- Kafka's DumpLogSegments output ---------------------------------------------------------

interface DumpedRecord {
  offset: number;
  timestamp: number;
  keySize: number;
  valueSize: number;
  sequence: number;
  headerKeys: string[];
  key: string | null;
  payload: string | null;
}
interface DumpedBatch {
  file: string;
  baseOffset: number;
  lastOffset: number;
  count: number;
  producerId: number;
  partitionLeaderEpoch: number;
  position: number;
  timestampType: string;
  maxTimestamp: number;
  size: number;
  magic: number;
  codec: string;
  crc: number;
  valid: boolean;
  records: DumpedRecord[];
}
interface Dump {
  batches: DumpedBatch[];
  /** Per .index / .timeindex file, its entries as printed. */
  indexes: Map<string, string[]>;
  /** Lines the parser did not recognise (must be none). */
  unknown: string[];
}

const BATCH =
  /^baseOffset: (\d+) lastOffset: (\d+) count: (\d+) baseSequence: -?\d+ lastSequence: -?\d+ producerId: (-?\d+) producerEpoch: -?\d+ partitionLeaderEpoch: (-?\d+) isTransactional: (?:true|false) isControl: (?:true|false) deleteHorizonMs: \S+ position: (\d+) (CreateTime|LogAppendTime): (-?\d+) size: (\d+) magic: (\d+) compresscodec: (\w+) crc: (\d+) isvalid: (true|false)$/;
const RECORD =
  /^\| offset: (\d+) (?:CreateTime|LogAppendTime): (-?\d+) keySize: (-?\d+) valueSize: (-?\d+) sequence: (-?\d+) headerKeys: \[([^\]]*)\](?: key: (.*?))?(?: payload: (.*))?$/;

function parseDump(stdout: string): Dump {
  const dump: Dump = { batches: [], indexes: new Map(), unknown: [] };
  let file = '';
  let entries: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const dumping = /^Dumping (.+)$/.exec(line);
    if (dumping) {
      file = dumping[1]!.split('/').at(-1)!;
      entries = /\.(time)?index$/.test(file) ? [] : undefined;
      if (entries) dump.indexes.set(file, entries);
      continue;
    }
    if (/^Log starting offset: \d+$/.test(line)) continue;
    const b = BATCH.exec(line);
    if (b) {
      dump.batches.push({
        file,
        baseOffset: Number(b[1]),
        lastOffset: Number(b[2]),
        count: Number(b[3]),
        producerId: Number(b[4]),
        partitionLeaderEpoch: Number(b[5]),
        position: Number(b[6]),
        timestampType: b[7]!,
        maxTimestamp: Number(b[8]),
        size: Number(b[9]),
        magic: Number(b[10]),
        codec: b[11]!,
        crc: Number(b[12]),
        valid: b[13] === 'true',
        records: [],
      });
      continue;
    }
    const r = RECORD.exec(line);
    if (r && dump.batches.length > 0) {
      dump.batches.at(-1)!.records.push({
        offset: Number(r[1]),
        timestamp: Number(r[2]),
        keySize: Number(r[3]),
        valueSize: Number(r[4]),
        sequence: Number(r[5]),
        headerKeys: r[6] === '' ? [] : r[6]!.split(','),
        key: r[7] ?? null,
        payload: r[8] ?? null,
      });
      continue;
    }
    if (entries && /^(offset: \d+ position: \d+|timestamp: -?\d+ offset: \d+)$/.test(line)) {
      entries.push(line);
      continue;
    }
    dump.unknown.push(`${file}: ${line.slice(0, 300)}`);
  }
  return dump;
}

// ---- a replica's files ----------------------------------------------------------------------

interface Replica {
  label: string;
  dir: string;
  /** The segment files, in offset order. */
  segments: string[];
  dump: Dump;
  dumpErr: string;
  dumpCode: number | null;
  sanity: { code: number | null; stdout: string; stderr: string };
}

const SEGMENT_FILE = /^\d{20}\.(log|index|timeindex)$/;

/**
 * Two tool JVMs (test/helpers/kafka-tool-runner.ts), one per core: the commands of one run in
 * turn. Started with the brokers.
 */
let lanes: [KafkaToolRunner, KafkaToolRunner] | undefined;
const lane = (i: 0 | 1): KafkaToolRunner => (lanes ??= [startKafkaToolRunner(), startKafkaToolRunner()])[i];

async function examine(label: string, dir: string): Promise<Replica> {
  const segments = readdirSync(dir)
    .filter((f) => SEGMENT_FILE.test(f))
    .sort((a, b) => a.slice(0, 20).localeCompare(b.slice(0, 20)) || order(a) - order(b));
  const paths = segments.map((f) => join(dir, f));
  const indexes = paths.filter((p) => /\.(time)?index$/.test(p));
  const [d, s] = await Promise.all([
    lane(0).run('kafka-dump-log', ['--files', paths.join(','), '--deep-iteration', '--print-data-log'], {
      timeoutMs: 180_000,
    }),
    lane(1).run('kafka-dump-log', ['--files', indexes.join(','), '--index-sanity-check'], { timeoutMs: 180_000 }),
  ]);
  return {
    label,
    dir,
    segments,
    dump: parseDump(d.stdout),
    dumpErr: d.stderr,
    dumpCode: d.code,
    sanity: { code: s.code, stdout: s.stdout, stderr: s.stderr },
  };
}

/** .log before .index before .timeindex, as a user lists them. */
function order(f: string): number {
  return f.endsWith('.log') ? 0 : f.endsWith('.timeindex') ? 2 : 1;
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The replica's whole log: its segments' .log files, one after the other. */
function wholeLog(r: Replica): Buffer {
  return Buffer.concat(r.segments.filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(r.dir, f))));
}

/** A batch as a replica-independent line (no file, no position within the file). */
const batchLine = (b: DumpedBatch) => {
  const { file: _file, position: _position, ...rest } = b;
  return rest;
};

// ---- the brokers ----------------------------------------------------------------------------

let kafka: KafkaCluster | undefined;
let samsa: RunningBroker | undefined;
let samsa3: RunningCluster | undefined;
const plan = recordSet(Date.now() - 3_600_000);
const planned = plan.flatMap((b) => b.records);
const served = new Map<string, Served>();
let kafkaReplica: Replica;
let samsaReplica: Replica;
let leaderReplica: Replica;
let followerReplicas: Replica[];
let leader3 = -1;
let offsetsDumps: Map<string, { code: number | null; stdout: string; stderr: string }>;
const stopped = new Map<string, { code: number | null; signal: NodeJS.Signals | null }>();

/** The __consumer_offsets partition of a group: abs(Java's String.hashCode) % 50, as Kafka. */
function offsetsPartition(group: string): number {
  let h = 0;
  for (let i = 0; i < group.length; i++) h = (Math.imul(h, 31) + group.charCodeAt(i)) | 0;
  return (h === -2147483648 ? 0 : Math.abs(h)) % 50;
}

async function produceAndRead(name: string, bootstrap: string, rf: number): Promise<void> {
  const c = await lane(0).run('kafka-topics', [
    '--create',
    '--topic',
    TOPIC,
    '--replication-factor',
    String(rf),
    '--config',
    'segment.bytes=1048576',
    '--bootstrap-server',
    bootstrap,
  ]);
  if (c.code !== 0) throw new Error(`${name}: kafka-topics --create failed: ${c.stderr}`);
  const batches = plan.map((b) => ({
    codec: b.codec,
    records: b.records.map((r) => ({
      key: b64(r.key),
      value: b64(r.value),
      headers: r.headers.map(([k, v]) => [k, b64(v)]),
      timestamp: r.timestamp,
    })),
  }));
  const p = await python<{ sent: number; errors: string[] }>({ cmd: 'produce', bootstrap, topic: TOPIC, batches });
  if (p.errors.length > 0 || p.sent !== planned.length)
    throw new Error(`${name}: producing failed: ${JSON.stringify(p)}`);
  const s = await python<Served>({ cmd: 'consume', bootstrap, topic: TOPIC, commit: true });
  if (s.commitErrors.length > 0) console.log(`${name}: the commit was retried after ${s.commitErrors.join(', ')}`);
  served.set(name, s);
}

beforeAll(async () => {
  lane(0); // throws one line when Java or Kafka's jars are missing
  const ck = await run(PYTHON, ['-c', 'import confluent_kafka']);
  if (ck.code !== 0)
    throw new Error(`${PYTHON} cannot import confluent_kafka: install python3-confluent-kafka (.ci/run does).`);
  // Start deadlines for a loaded machine (the brokers' own configs are their defaults).
  [kafka, samsa, samsa3] = await Promise.all([
    startKafka({ brokers: 1, startTimeoutMs: 180_000 }),
    startBroker({ startTimeoutMs: 120_000 }),
    startCluster({ brokers: 3, startTimeoutMs: 120_000 }),
  ]);
  await Promise.all([
    produceAndRead('kafka', kafka.bootstrap, 1),
    produceAndRead('samsa', samsa.bootstrap, 1),
    produceAndRead('samsa3', samsa3.bootstrap, 3),
  ]);
  const d = await lane(0).run('kafka-topics', ['--describe', '--topic', TOPIC, '--bootstrap-server', samsa3.bootstrap]);
  leader3 = Number(/\tLeader: (\d+)/.exec(d.stdout)?.[1] ?? -1);

  // Clean shutdowns: indexes are trimmed and flushed, the producer state snapshotted.
  await kafka.stopNode(1);
  stopped.set('samsa', await samsa.stop());
  stopped.set('samsa3', await samsa3.stop());

  const kafkaDir = kafka.nodes[0]!.logDir;
  const samsaDir = join(samsa.dataDir, 'broker-1');
  const dirs3 = [1, 2, 3].map((id) => join(samsa3!.dataDir, `broker-${id}`));
  const part = `${TOPIC}-0`;
  const [k, s, ...r3] = await Promise.all([
    examine('Kafka', join(kafkaDir, part)),
    examine('Samsa (1 broker)', join(samsaDir, part)),
    ...dirs3.map((dir, i) => examine(`Samsa (--brokers 3), broker ${i + 1}`, join(dir, part))),
  ]);
  kafkaReplica = k!;
  samsaReplica = s!;
  leaderReplica = r3[leader3 - 1]!;
  followerReplicas = r3.filter((_, i) => i !== leader3 - 1);

  const op = `__consumer_offsets-${offsetsPartition(GROUP)}`;
  const offsetsDump = async (dir: string) => {
    const files = readdirSync(join(dir, op))
      .filter((f) => f.endsWith('.log'))
      .map((f) => join(dir, op, f));
    return lane(1).run('kafka-dump-log', ['--files', files.join(','), '--offsets-decoder'], { timeoutMs: 120_000 });
  };
  const withOffsets = dirs3.find((dir) => existsSync(join(dir, op)))!;
  const [ok, os, os3] = await Promise.all([offsetsDump(kafkaDir), offsetsDump(samsaDir), offsetsDump(withOffsets)]);
  offsetsDumps = new Map([
    ['kafka', ok!],
    ['samsa', os!],
    ['samsa3', os3!],
  ]);
}, 300_000);

afterAll(async () => {
  console.log(
    `known differences in __consumer_offsets (Kafka's tool reads both):\n${OFFSETS_DIFFERENCES.map((d, i) => `${i + 1}. ${d.what}\n   why: ${d.why}`).join('\n')}`,
  );
  await Promise.allSettled([
    kafka?.stop(),
    samsa?.dispose(),
    samsa3?.dispose(),
    ...(lanes ?? []).map((r) => r.close()),
  ]);
  removeAllTmpDirs();
}, 120_000);

// ---- the checks -----------------------------------------------------------------------------

/** Kafka's tool read the replica's files without an error, and every index passed. */
function expectReadable(r: Replica): void {
  expect(r.dumpCode, r.dumpErr).toBe(0);
  // Index mismatches, out-of-order time index entries, trailing bytes: all on stderr or stdout.
  // The tool starts each .log with "last offset -1" and so reports every segment but the first
  // as "-1 is followed by <its base offset>", on Kafka's own log too: that alone is left out.
  const stderr = r.dumpErr.replace(
    /^Non-consecutive offsets in \S*\/(\d{20})\.log\n {2}-1 is followed by (\d+)\n/gm,
    (line, base: string, first: string) => (Number(base) === Number(first) ? '' : line),
  );
  expect(stderr.trim(), 'kafka-dump-log stderr').toBe('');
  expect(r.dump.unknown, 'lines kafka-dump-log printed besides batches, records and index entries').toEqual([]);
  expect(
    r.dump.batches.filter((b) => !b.valid).map((b) => b.baseOffset),
    'batches with a bad CRC',
  ).toEqual([]);
  const indexes = r.segments.filter((f) => /\.(time)?index$/.test(f));
  expect(r.sanity.code, r.sanity.stderr).toBe(0);
  expect(r.sanity.stderr.trim()).toBe('');
  const checked = r.sanity.stdout
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('Dumping '));
  expect(checked.sort()).toEqual(indexes.map((f) => `${join(r.dir, f)} passed sanity check.`).sort());
  // Each segment's indexes have entries (the data is 4 KiB past each entry many times over).
  for (const f of indexes) expect(r.dump.indexes.get(f)?.length ?? 0, `${f} entries`).toBeGreaterThan(0);
}

/** Every batch and record Kafka's tool read is the record set, batch by batch. */
function expectRecordSet(r: Replica): void {
  const batches = r.dump.batches;
  expect(batches.map((b) => [b.codec, b.count])).toEqual(plan.map((b) => [b.codec, b.records.length]));
  let offset = 0;
  const mismatches: string[] = [];
  batches.forEach((b, i) => {
    const want = plan[i]!;
    if (b.baseOffset !== offset || b.lastOffset !== offset + want.records.length - 1)
      mismatches.push(`batch ${i}: offsets ${b.baseOffset}..${b.lastOffset}, want ${offset}..`);
    if (b.magic !== 2 || b.timestampType !== 'CreateTime' || b.producerId !== -1)
      mismatches.push(`batch ${i}: magic ${b.magic} ${b.timestampType} producerId ${b.producerId}`);
    const maxTs = Math.max(...want.records.map((x) => x.timestamp));
    if (b.maxTimestamp !== maxTs) mismatches.push(`batch ${i}: max timestamp ${b.maxTimestamp}, want ${maxTs}`);
    b.records.forEach((rec, j) => {
      const p = want.records[j]!;
      const got = {
        offset: rec.offset,
        timestamp: rec.timestamp,
        key: rec.key,
        keySize: rec.keySize,
        payload: rec.payload,
        valueSize: rec.valueSize,
        headerKeys: rec.headerKeys,
      };
      const expected = {
        offset: offset + j,
        timestamp: p.timestamp,
        key: p.key,
        keySize: p.key === null ? -1 : Buffer.byteLength(p.key),
        payload: p.value,
        valueSize: Buffer.byteLength(p.value),
        headerKeys: p.headers.map(([k]) => k),
      };
      if (JSON.stringify(got) !== JSON.stringify(expected))
        mismatches.push(`offset ${offset + j}: ${JSON.stringify(got).slice(0, 300)}`);
    });
    if (b.records.length !== want.records.length) mismatches.push(`batch ${i}: ${b.records.length} records`);
    offset += want.records.length;
  });
  expect(mismatches.slice(0, 20)).toEqual([]);
}

/** What the broker served a consumer is the record set, headers' values included. */
function expectServed(name: string): void {
  const s = served.get(name)!;
  expect([s.low, s.high]).toEqual([0, planned.length]);
  const got = s.records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: unb64(r.key),
    value: unb64(r.value),
    headers: r.headers.map(([k, v]) => [k, unb64(v)]),
  }));
  const want = planned.map((p, i) => ({
    offset: i,
    timestamp: p.timestamp,
    timestampType: 1, // TIMESTAMP_CREATE_TIME
    key: p.key,
    value: p.value,
    headers: p.headers,
  }));
  const bad = got.findIndex((g, i) => JSON.stringify(g) !== JSON.stringify(want[i]));
  expect(bad === -1 ? 'all as produced' : { at: bad, got: got[bad], want: want[bad] }).toBe('all as produced');
  expect(got).toHaveLength(want.length);
}

/** Dump lines that do not name the directory they came from. */
function dumpView(r: Replica) {
  return {
    batches: r.dump.batches,
    indexes: Object.fromEntries(r.dump.indexes),
  };
}

describe('kafka-dump-log on a real Kafka log (the control)', () => {
  it('reads every batch and record without an error; the index sanity checks pass', () => {
    expectReadable(kafkaReplica);
  });
  it('reads the record set as produced (offsets, keys, values, header keys, timestamps, codecs)', () => {
    expectRecordSet(kafkaReplica);
  });
  it('the segments rolled, and a consumer was served the record set', () => {
    expect(kafkaReplica.segments.filter((f) => f.endsWith('.log')).length).toBeGreaterThanOrEqual(3);
    expectServed('kafka');
  });
});

describe("kafka-dump-log on Samsa's log (1 broker)", () => {
  it('Samsa stopped cleanly', () => {
    expect(stopped.get('samsa')).toEqual({ code: 0, signal: null });
  });
  it('reads every batch and record without an error; the index sanity checks pass', () => {
    expectReadable(samsaReplica);
  });
  it('reads the record set as produced, and as Samsa served it', () => {
    expectRecordSet(samsaReplica);
    expectServed('samsa');
  });
  it("prints what it prints for Kafka's log of the same record set: batches, positions, CRCs, index entries", () => {
    expect(samsaReplica.segments).toEqual(kafkaReplica.segments);
    expect(dumpView(samsaReplica)).toEqual(dumpView(kafkaReplica));
  });
  it("the segment files are Kafka's, byte for byte", () => {
    const digests = (r: Replica) => Object.fromEntries(r.segments.map((f) => [f, sha(join(r.dir, f))]));
    expect(digests(samsaReplica)).toEqual(digests(kafkaReplica));
  });
  it("the producer state snapshots and leader-epoch-checkpoint are Kafka's, byte for byte", () => {
    const others = (dir: string) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.snapshot') || f === 'leader-epoch-checkpoint')
        .sort();
    expect(others(samsaReplica.dir)).toEqual(others(kafkaReplica.dir));
    for (const f of others(kafkaReplica.dir))
      expect(readFileSync(join(samsaReplica.dir, f)), f).toEqual(readFileSync(join(kafkaReplica.dir, f)));
  });
  it("partition.metadata is written as Kafka writes it (with the topic's own id)", () => {
    const read = (dir: string) => readFileSync(join(dir, 'partition.metadata'), 'utf8');
    const id = (s: string) => /topic_id: (\S+)/.exec(s)?.[1] ?? '?';
    const k = read(kafkaReplica.dir);
    const s = read(samsaReplica.dir);
    expect(JSON.stringify(s)).toBe(JSON.stringify(k.replace(id(k), id(s))));
  });
});

describe("kafka-dump-log on Samsa's --brokers 3 replicas (replication factor 3)", () => {
  it('the cluster stopped cleanly', () => {
    expect(stopped.get('samsa3')).toEqual({ code: 0, signal: null });
    expect(leader3).toBeGreaterThan(0);
  });
  it("the leader's files: read without an error, the index checks pass, the record set as produced and served", () => {
    expectReadable(leaderReplica);
    expectRecordSet(leaderReplica);
    expectServed('samsa3');
  });
  it("the leader's files are Kafka's, byte for byte", () => {
    expect(dumpView(leaderReplica)).toEqual(dumpView(kafkaReplica));
    expect(wholeLog(leaderReplica).equals(wholeLog(kafkaReplica))).toBe(true);
  });
  for (const n of [0, 1]) {
    it(`follower ${n + 1}'s files: read without an error, the index checks pass, the record set as produced`, () => {
      const f = followerReplicas[n]!;
      expect(existsSync(f.dir), f.dir).toBe(true);
      expectReadable(f);
      expectRecordSet(f);
    });
    it(`follower ${n + 1}'s log is the leader's, byte for byte (batches, CRCs; segments may roll elsewhere)`, () => {
      const f = followerReplicas[n]!;
      expect(f.dump.batches.map(batchLine)).toEqual(leaderReplica.dump.batches.map(batchLine));
      expect(wholeLog(f).equals(wholeLog(leaderReplica))).toBe(true);
    });
  }
});

/**
 * Where Samsa's __consumer_offsets records differ from Kafka 4.4's and Kafka reads both. Each
 * rewrites Kafka's decoded record into Samsa's form.
 */
const OFFSETS_DIFFERENCES: { what: string; why: string; rewrite: (s: string) => string }[] = [
  {
    what: 'an offset commit is an OffsetCommitValue of version 3 on Samsa, of version 4 (with the topic id) on Kafka 4.4',
    why: "Kafka reads every version from 0 to 4; Samsa's coordinator writes v3, which has every field it uses",
    rewrite: (s) =>
      s.replace(/payload: \{"version":"4","data":(.*),"topicId":"[\w-]+"\}\}$/, 'payload: {"version":"3","data":$1}}'),
  },
  {
    what: "the coordinator's batches carry baseSequence 0 on Kafka, -1 on Samsa (both without a producer id)",
    why: 'without a producer id (-1) the sequence means nothing; -1 is what any other non-idempotent batch carries',
    rewrite: (s) => s.replace(/ sequence: 0 /, ' sequence: -1 '),
  },
];

describe('kafka-dump-log --offsets-decoder on __consumer_offsets', () => {
  /** The decoded records, with what differs by run (times, sizes) left out. */
  const decoded = (name: string) => {
    const o = offsetsDumps.get(name)!;
    return {
      code: o.code,
      stderr: o.stderr.trim(),
      records: o.stdout
        .split('\n')
        .filter((l) => l.startsWith('| '))
        .map((l) => (name === 'kafka' ? OFFSETS_DIFFERENCES.reduce((acc, d) => d.rewrite(acc), l) : l))
        .map((l) =>
          l
            .replace(/CreateTime: \d+/, 'CreateTime: <t>')
            .replace(/"commitTimestamp":\d+/, '"commitTimestamp":<t>')
            .replace(/valueSize: \d+/, 'valueSize: <n>'),
        ),
    };
  };
  it(`Kafka: the commit of ${GROUP} for ${TOPIC}-0 at the end of the log`, () => {
    const k = decoded('kafka');
    expect(k.code).toBe(0);
    expect(k.records.join('\n')).toContain(
      `key: {"type":"1","data":{"group":"${GROUP}","topic":"${TOPIC}","partition":0}} payload: {"version":"`,
    );
    expect(k.records.join('\n')).toContain(`"offset":${planned.length},`);
  });
  for (const name of ['samsa', 'samsa3'] as const) {
    it(`${name === 'samsa' ? 'Samsa (1 broker)' : 'Samsa (--brokers 3)'}: the same records, decoded by Kafka's tool`, () => {
      expect(decoded(name)).toEqual(decoded('kafka'));
    });
  }
});
