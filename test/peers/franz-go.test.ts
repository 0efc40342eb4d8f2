// franz-go's own integration tests — `go test ./pkg/kgo` of github.com/twmb/franz-go at the
// version in test/peers/franz-go/VERSION, the suite other Kafka-compatible brokers report their
// score on — against real Kafka (the control), Samsa single broker and Samsa `--brokers 3`.
//
// How: test/peers/setup.sh pre-builds the kgo test binary (test/peers/franz-go/setup.sh), and
// test/peers/franz-go/kgo.ts runs it with the KGO_* variables set for each target and reads
// every test's and subtest's result (test2json). The targets run one after the other, each a
// fresh broker or cluster started with its defaults:
//   - Kafka, one combined node, KGO_TEST_RF=1: how franz-go's own CI runs the suite against
//     Kafka (with its one config beyond the defaults, KAFKA_OVERRIDES). Every broker-facing test
//     must pass there (or skip for a reason in KAFKA_SKIPS), which proves the run is sound.
//   - Samsa `samsa start`, KGO_TEST_RF=1.
//   - Samsa `samsa start --brokers 3`, KGO_TEST_RF=3: the suite's own default, every partition
//     on every broker, so replication (acks=all, followers) is in every test.
//   - Samsa `samsa start --brokers 3`, KGO_TEST_RF=1: topics as a user gets them by default
//     (default.replication.factor=1), spread over the brokers, so a request to a group
//     coordinator or leader is often about a partition that broker has no replica of.
//   Every test and subtest that passed on Kafka must pass on each Samsa target, except the
//   KNOWN_SAMSA_FAILURES below, each with its reason. All Samsa targets are held to the one
//   Kafka run: the suite is written to pass on one broker and on three alike, and a 3-broker
//   Kafka would cost three more JVMs in CI.
// Each target runs the suite as two processes at once: TestTxnEtl alone, and everything else.
// TestTxnEtl and TestGroupETL take turns on one semaphore of four ETL slots, so on a broker
// without transactions TestTxnEtl's chains hang holding the slots and TestGroupETL could never
// start; apart, TestTxnEtl fails at its own timeout and the rest of the suite is unaffected.
// The counts (e.g. `kgo: Kafka 152/156, Samsa 144/156`) and a table of the broker-facing tests
// are printed at the end; a failed comparison keeps the clients' and the brokers' logs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as findCoordinator from '../../core/protocol/messages/find-coordinator.ts';
import { KafkaClient, type ClientCodec } from '../helpers/kafka-client.ts';
import { KAFKA_VERSION, startKafka } from '../helpers/kafka-peer.ts';
import { startBroker } from '../helpers/spawn-broker.ts';
import { startCluster } from '../helpers/spawn-cluster.ts';
import {
  brokerTests,
  checkKgoBuilt,
  FRANZ_GO_VERSION,
  mergeRuns,
  runKgo,
  score,
  topLevel,
  type KgoRun,
  type TestResult,
} from './franz-go/kgo.ts';

/**
 * Records each ETL chain produces and pushes through three levels of consumer groups (the
 * suite's default is 500000: some 3 minutes for a target on a quiet machine, far more on a busy
 * one, with three ETL tests of 6, 6 and 1 chains). The ETL tests are bounded by their rebalances
 * (the suite adds consumers after 5 s, members leave after a few batches) more than by the
 * records: 50000 keep every chain running past that 5 s mark, so every balancer still
 * rebalances mid-stream, at a tenth of the records' work.
 */
const RECORDS = 50_000;

/** -test.timeout of the run of every test but TestTxnEtl: only a stop for a hung run. */
const MAIN_TIMEOUT_S = 480;
/** -test.timeout of TestTxnEtl's run where the broker has a transaction coordinator. */
const TXN_TIMEOUT_S = 240;
/**
 * -test.timeout of TestTxnEtl's run where the broker has none (FindCoordinator for a
 * transactional id never answers one, see hasTransactionCoordinator): the test cannot pass
 * there, and this is long enough to see that it hangs in InitProducerId.
 */
const NO_TXN_TIMEOUT_S = 30;
/** The vitest timeout of one target: start the broker, the longer part's timeout, stop it. */
const TARGET_TIMEOUT_MS = (MAIN_TIMEOUT_S + 180) * 1000;

/**
 * Kafka's config beyond its defaults: franz-go's CI runs Kafka with a share-group delivery count
 * limit of 10 (Kafka's default is 5), because TestShareGroupETL releases, bails and lets
 * acquisition locks expire often enough that, on a loaded machine, a record reaches 5 deliveries,
 * is archived, and the test waits for it until it fails. It changes nothing else the suite does
 * (and Samsa has no share groups).
 */
const KAFKA_OVERRIDES = { 'group.share.delivery.count.limit': 10 };

/** Tests that skip on Kafka run with its defaults, and why. */
const KAFKA_SKIPS: Record<string, string> = {
  TestSCRAMAuth:
    'needs a SASL_PLAINTEXT listener with a SCRAM user (KGO_TEST_SCRAM_SEEDS); the default broker has none',
  TestSCRAMAuthBadCredentials: 'as TestSCRAMAuth',
  TestOAuthAuth: 'needs an OAUTHBEARER listener (KGO_TEST_OAUTH_SEEDS); the default broker has none',
  TestIssueProduceBrokerTooOldFailsRecords:
    'tests a broker that refuses Produce v2; Kafka 4.4 (and Samsa) still take Produce v0-v2, so it skips itself',
};

type SamsaTarget = 'samsa-1' | 'samsa-3' | 'samsa-3-rf1';
const TARGET_NAMES: Record<'kafka' | SamsaTarget, string> = {
  kafka: 'Kafka',
  'samsa-1': 'Samsa',
  'samsa-3': 'Samsa --brokers 3',
  'samsa-3-rf1': 'Samsa --brokers 3 (RF 1)',
};

interface KnownFailure {
  reason: string;
  /** Fails in some runs only (so passing is no news). */
  flaky?: boolean;
  /** The Samsa targets it fails on (all when absent). */
  targets?: SamsaTarget[];
}

/**
 * Tests that pass on Kafka and are known to fail (or skip) on Samsa, with the reason. A name
 * covers its subtests. Anything else that passed on Kafka and fails on Samsa is a regression.
 */
const KNOWN_SAMSA_FAILURES: Record<string, KnownFailure> = {
  // Transactions are not implemented yet: FindCoordinator for a transactional id is answered
  // COORDINATOR_NOT_AVAILABLE, and so is InitProducerId with one, which kgo retries until the
  // test's timeout. Remove when transactions land.
  TestTxnEtl: { reason: 'no transactions yet: InitProducerId with a transactional id is COORDINATOR_NOT_AVAILABLE' },

  // Share groups (KIP-932, GA in Kafka 4.2) are not implemented: Samsa's ApiVersions lists no
  // ShareFetch (78) / ShareAcknowledge (79), so these tests skip themselves ("broker does not
  // support share groups"). Kafka 4.4 enables share groups by default and passes them.
  TestShareGroup: { reason: 'no share groups (KIP-932): ShareFetch/ShareAcknowledge not served, the test skips' },
  TestShareGroupETL: { reason: 'no share groups (KIP-932), as TestShareGroup' },
  TestShareGroupAckOnClose: { reason: 'no share groups (KIP-932), as TestShareGroup' },
  TestShareGroupOffsetsAdmin: { reason: 'no share groups (KIP-932), as TestShareGroup' },
  TestConsumeRegexShareSkipsInternal: { reason: 'no share groups (KIP-932), as TestShareGroup' },

  // Samsa bug, fails in some runs: Samsa checks an OffsetCommit's member epoch strictly, as
  // Kafka did before KIP-1251 (assignment epochs, in Kafka 4.4). kgo pipelines commits with
  // heartbeats, so a commit often carries the epoch just before a bump: Samsa answers
  // STALE_MEMBER_EPOCH, kgo retries 500 ms later with the new epoch and reports the partitions
  // it lost meanwhile as REBALANCE_IN_PROGRESS, and the ETL loop fails ("unable to commit:
  // REBALANCE_IN_PROGRESS"). Kafka 4.4 accepts an older epoch for a partition assigned to the
  // member (or pending revocation) since at most that epoch. Cause: ConsumerGroups.commitError
  // (core/broker/group/consumer-coordinator.ts), `memberEpoch !== m.memberEpoch`.
  'TestGroupETL/range/848': {
    reason: 'Samsa bug: no KIP-1251, an OffsetCommit one epoch behind is STALE_MEMBER_EPOCH (consumer-coordinator.ts)',
    flaky: true,
  },
  'TestGroupETL/sticky/848': { reason: 'as TestGroupETL/range/848', flaky: true },
  'TestGroupETL/sticky/848/static': { reason: 'as TestGroupETL/range/848', flaky: true },
};

/** The entry for a test, or for a test it is a subtest of (`TestTxnEtl` covers `TestTxnEtl/range`). */
function knownFailure(name: string, target: SamsaTarget): KnownFailure | undefined {
  for (const [key, k] of Object.entries(KNOWN_SAMSA_FAILURES)) {
    if ((name === key || name.startsWith(`${key}/`)) && (!k.targets || k.targets.includes(target))) return k;
  }
  return undefined;
}

// ---- the runs --------------------------------------------------------------------------------

interface TargetRun {
  label: string;
  run: KgoRun;
  /** The broker's or cluster's own log, for a failed comparison. */
  brokerOutput: () => string;
}

const runs = new Map<string, TargetRun>();
const logDir = mkdtempSync(join(tmpdir(), 'kgo-peer-'));
let keepLogs = false;

function saveBrokerLog(t: TargetRun): string {
  const file = join(logDir, `broker-${t.label}.log`);
  writeFileSync(file, t.brokerOutput());
  return file;
}

function describeResult(r: TestResult | undefined): string {
  if (!r) return 'not run';
  return r.unfinished ? 'timeout' : r.outcome;
}

function outputOf(r: TestResult | undefined, lines = 30): string {
  return (r?.output ?? []).slice(-lines).join('\n');
}

const FindCoordinator: ClientCodec<
  findCoordinator.FindCoordinatorRequestInput,
  findCoordinator.FindCoordinatorResponse
> = {
  apiKey: 10,
  flexibleMin: findCoordinator.FindCoordinatorRequestVersions.flexibleMin,
  encode: findCoordinator.encodeFindCoordinatorRequest,
  decode: findCoordinator.decodeFindCoordinatorResponse,
};

/**
 * Whether the broker has a transaction coordinator: FindCoordinator (v3, key type 1) for a
 * transactional id, asked until it names one. Kafka answers COORDINATOR_NOT_AVAILABLE while it
 * creates __transaction_state, then the coordinator; a broker without transactions keeps
 * answering COORDINATOR_NOT_AVAILABLE.
 */
async function hasTransactionCoordinator(bootstrap: string, withinMs = 20_000): Promise<boolean> {
  const [host, port] = bootstrap.split(',')[0]!.split(':');
  const client = await KafkaClient.connect(Number(port), host);
  try {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const r = await client.send(FindCoordinator, 3, { key: `kgo-peer-probe-${Date.now()}`, keyType: 1 });
      if (r.errorCode === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((res) => setTimeout(res, 250));
    }
  } finally {
    client.close();
  }
}

/**
 * Runs the suite against one target: every test but TestTxnEtl at once, and TestTxnEtl beside
 * it as soon as hasTransactionCoordinator has said which timeout it gets.
 */
async function runTarget(label: 'kafka' | SamsaTarget, seeds: string, rf: number): Promise<KgoRun> {
  const common = { seeds, rf, records: RECORDS, logDir };
  const started = Date.now();
  let txnTimeoutS = 0;
  const [main, txn] = await Promise.all([
    runKgo({ ...common, label: `${label}-main`, part: { skip: '^TestTxnEtl$', timeout: `${MAIN_TIMEOUT_S}s` } }),
    hasTransactionCoordinator(seeds).then((has) => {
      txnTimeoutS = has ? TXN_TIMEOUT_S : NO_TXN_TIMEOUT_S;
      return runKgo({ ...common, label: `${label}-txn`, part: { run: '^TestTxnEtl$', timeout: `${txnTimeoutS}s` } });
    }),
  ]);
  const run = { ...mergeRuns(main, txn), wallMs: Date.now() - started };
  const s = score(run);
  const slowest = topLevel(run.results)
    .sort((a, b) => b.elapsed - a.elapsed)
    .slice(0, 6)
    .map((r) => `${r.name} ${r.elapsed.toFixed(0)} s`);
  console.log(
    `kgo on ${TARGET_NAMES[label]}: ${s.passed}/${s.total} passed in ${(run.wallMs / 1000).toFixed(0)} s (TestTxnEtl ${(txn.wallMs / 1000).toFixed(0)} s of its -test.timeout ${txnTimeoutS} s; KGO_SEEDS=${seeds}, KGO_TEST_RF=${rf}); slowest: ${slowest.join(', ')}`,
  );
  return run;
}

/** Fails with the tests and subtests that passed on Kafka and do not pass on this Samsa target. */
function compareWithKafka(target: SamsaTarget): void {
  const kafka = runs.get('kafka');
  const samsa = runs.get(target)!;
  expect(kafka, 'the Kafka run (the control) must come first').toBeDefined();
  const regressions: string[] = [];
  const known: string[] = [];
  const nowPassing: string[] = [];
  const failing = [...samsa.run.results.values()].filter((r) => r.outcome !== 'pass').map((r) => r.name);
  for (const k of kafka!.run.results.values()) {
    if (k.outcome !== 'pass') continue;
    const s = samsa.run.results.get(k.name);
    const kf = knownFailure(k.name, target);
    if (s?.outcome === 'pass') {
      if (kf && !kf.flaky && KNOWN_SAMSA_FAILURES[k.name]) nowPassing.push(k.name);
      continue;
    }
    if (kf) {
      known.push(`${k.name}: ${describeResult(s)} — ${kf.reason}`);
      continue;
    }
    // A parent fails with its subtests: excused when every failing subtest is a known failure.
    const subs = failing.filter((n) => n.startsWith(`${k.name}/`));
    if (subs.length > 0 && subs.every((n) => knownFailure(n, target))) {
      known.push(`${k.name}: ${describeResult(s)} with its known failing subtests ${subs.join(', ')}`);
      continue;
    }
    regressions.push(k.name);
  }
  if (known.length) console.log(`known failures on ${TARGET_NAMES[target]}:\n  ${known.join('\n  ')}`);
  if (nowPassing.length)
    console.log(
      `NOTE: now passing on ${TARGET_NAMES[target]}, remove from KNOWN_SAMSA_FAILURES in test/peers/franz-go.test.ts: ${nowPassing.join(', ')}`,
    );
  if (regressions.length) {
    keepLogs = true;
    const details = regressions
      // The innermost: a parent fails with its subtest, and the subtest's output says why.
      .filter((n) => !regressions.some((o) => o.startsWith(`${n}/`)))
      .map((n) => {
        const s = samsa.run.results.get(n);
        return `--- ${n}: ${describeResult(s)} on ${TARGET_NAMES[target]}, passed on Kafka\n${outputOf(s)}`;
      });
    console.log(
      `${details.join('\n')}\nlogs: kgo clients ${samsa.run.logFile}; broker ${saveBrokerLog(samsa)}; Kafka run's clients ${kafka!.run.logFile}`,
    );
  }
  expect(regressions, `passed on Kafka, not on ${TARGET_NAMES[target]}`).toEqual([]);
}

let brokerTestSet: Set<string> | undefined;
function brokerTestNames(): Set<string> {
  brokerTestSet ??= brokerTests();
  return brokerTestSet;
}

afterAll(() => {
  const only = brokerTestNames();
  const labels = (Object.keys(TARGET_NAMES) as (keyof typeof TARGET_NAMES)[]).filter((l) => runs.has(l));
  if (labels.length) {
    const counts = labels.map((l) => {
      const run = runs.get(l)!.run;
      const all = score(run);
      const b = score(run, only);
      return `${TARGET_NAMES[l]} ${all.passed}/${all.total} (broker tests ${b.passed}/${b.total}, ${(run.wallMs / 1000).toFixed(0)} s)`;
    });
    const table = [...only].sort().map((name) => {
      const cells = labels.map((l) => describeResult(runs.get(l)!.run.results.get(name)).padEnd(10));
      return `  ${name.padEnd(56)} ${cells.join(' ')}`;
    });
    console.log(
      `kgo (franz-go ${FRANZ_GO_VERSION}, Kafka ${KAFKA_VERSION}, KGO_TEST_RECORDS=${RECORDS}): ${counts.join(', ')}\n` +
        `  ${'broker test'.padEnd(56)} ${labels.map((l) => l.padEnd(10)).join(' ')}\n${table.join('\n')}`,
    );
  }
  if (keepLogs) console.log(`kgo logs kept in ${logDir}`);
  else rmSync(logDir, { recursive: true, force: true });
});

describe.sequential(`franz-go ${FRANZ_GO_VERSION} kgo tests (go test ./pkg/kgo)`, () => {
  it(
    'pass on real Kafka (one node, KGO_TEST_RF=1), skipping only what needs a non-default listener',
    async () => {
      checkKgoBuilt();
      const kafka = await startKafka({ brokers: 1, overrides: KAFKA_OVERRIDES });
      let run: KgoRun;
      try {
        run = await runTarget('kafka', kafka.bootstrap, 1);
      } finally {
        await kafka.stop();
      }
      runs.set('kafka', { label: 'kafka', run, brokerOutput: () => '' });
      const failed = topLevel(run.results).filter((r) => r.outcome === 'fail');
      for (const r of failed) console.log(`--- ${r.name}: ${describeResult(r)} on Kafka\n${outputOf(r)}`);
      if (failed.length) keepLogs = true;
      expect(
        failed.map((r) => r.name),
        `failed on Kafka (clients' log: ${run.logFile})`,
      ).toEqual([]);
      expect(run.timedOut).toBe(false);
      // Every broker-facing test ran and passed, but those that skip for a reason given above.
      const outcomes = Object.fromEntries([...brokerTestNames()].map((n) => [n, describeResult(run.results.get(n))]));
      const expected = Object.fromEntries([...brokerTestNames()].map((n) => [n, KAFKA_SKIPS[n] ? 'skip' : 'pass']));
      expect(outcomes).toEqual(expected);
    },
    TARGET_TIMEOUT_MS,
  );

  it(
    'pass on Samsa (samsa start, KGO_TEST_RF=1) wherever they pass on Kafka',
    async () => {
      checkKgoBuilt();
      const broker = await startBroker();
      let run: KgoRun;
      try {
        run = await runTarget('samsa-1', broker.bootstrap, 1);
      } finally {
        await broker.dispose();
      }
      runs.set('samsa-1', { label: 'samsa-1', run, brokerOutput: () => broker.output() });
      compareWithKafka('samsa-1');
    },
    TARGET_TIMEOUT_MS,
  );

  for (const [target, rf] of [
    ['samsa-3', 3],
    ['samsa-3-rf1', 1],
  ] as const) {
    it(
      `pass on Samsa --brokers 3 (KGO_TEST_RF=${rf}) wherever they pass on Kafka`,
      async () => {
        checkKgoBuilt();
        const cluster = await startCluster({ brokers: 3 });
        let run: KgoRun;
        try {
          run = await runTarget(target, cluster.bootstrap, rf);
        } finally {
          await cluster.dispose();
        }
        runs.set(target, { label: target, run, brokerOutput: () => cluster.output() });
        compareWithKafka(target);
      },
      TARGET_TIMEOUT_MS,
    );
  }
});
