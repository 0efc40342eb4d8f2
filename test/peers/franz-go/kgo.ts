// Runs franz-go's own kgo test suite (`go test ./pkg/kgo` of github.com/twmb/franz-go at the
// version in ./VERSION) against one broker or cluster, and reads each test's result.
//
// test/peers/franz-go/setup.sh (called by test/peers/setup.sh) fetches the module from the Go
// module proxy into target/ and pre-builds the test binary and test2json, so a run does not
// compile. Here the binary's -test.v output goes through test2json (one JSON event per line: run,
// pass, fail, skip, output), in the package's source dir as `go test` runs it, with the KGO_*
// variables the suite's helpers_test.go reads:
//   KGO_SEEDS         the bootstrap brokers (the suite's default is 127.0.0.1:9092);
//   KGO_TEST_RF       replication factor of every topic it creates (default 3: a 3-broker cluster);
//   KGO_TEST_RECORDS  records the ETL chains (TestGroupETL, TestTxnEtl, TestShareGroupETL) produce
//                     and pass through three levels of groups (default 500000);
//   KGO_TEST_UNSAFE   lets TestTxnEtl use EndBeginTxnUnsafe (off, as in franz-go's own CI);
//   KGO_TEST_SCRAM / KGO_TEST_SCRAM_SEEDS / KGO_TEST_OAUTH_SEEDS: SASL listeners, which a broker
//                     run with its defaults does not have, so the three SASL tests skip;
//   KGO_TEST_TLS, KGO_TEST_MAX_TOPIC_PARTS, KGO_TEST_CHAOS, KGO_LOG_LEVEL: left unset (no TLS,
//                     topics of 7, 11 and 31 partitions, no injected connection deaths, info logs).
// (franz-go's CI also sets KGO_TEST_STABLE_FETCH, which this version's tests no longer read.)
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/spawn-broker.ts';

export const FRANZ_GO_DIR = join(REPO_ROOT, 'test', 'peers', 'franz-go');
export const FRANZ_GO_VERSION = readFileSync(join(FRANZ_GO_DIR, 'VERSION'), 'utf8').trim();
const TARGET_DIR = join(FRANZ_GO_DIR, 'target');
export const KGO_TEST_BINARY = join(TARGET_DIR, `kgo-${FRANZ_GO_VERSION}.test`);
const TEST2JSON = join(TARGET_DIR, 'test2json');
/** Where `go test ./pkg/kgo` would run the binary: the package's dir in the module's source. */
const KGO_PACKAGE_DIR = join(TARGET_DIR, `franz-go-${FRANZ_GO_VERSION}`, 'pkg', 'kgo');

/** Throws one line saying how to get the binary when setup.sh has not been run. */
export function checkKgoBuilt(): void {
  for (const f of [KGO_TEST_BINARY, TEST2JSON, KGO_PACKAGE_DIR]) {
    if (!existsSync(f))
      throw new Error(
        `franz-go ${FRANZ_GO_VERSION}'s kgo tests are not built (${f.slice(REPO_ROOT.length + 1)} is missing): run bash test/peers/setup.sh (needs go).`,
      );
  }
}

export type Outcome = 'pass' | 'fail' | 'skip';

export interface TestResult {
  /** `TestX` or `TestX/sub`. */
  name: string;
  outcome: Outcome;
  /** Seconds, as the test reported. */
  elapsed: number;
  /** True when the binary stopped (its -test.timeout) before this test ended: counted as a failure. */
  unfinished?: boolean;
  /** The test's own output lines (t.Log, the --- lines), last ones kept. */
  output: string[];
}

export interface KgoRun {
  results: Map<string, TestResult>;
  /** Wall time, ms. */
  wallMs: number;
  /** True when the binary hit its -test.timeout (the panic names the tests still running). */
  timedOut: boolean;
  /** The kgo clients' log (the binary's stderr); its -test.v output is beside it, in .out. */
  logFile: string;
}

export interface KgoPart {
  /** -test.run / -test.skip regexes; neither runs every test. */
  run?: string;
  skip?: string;
  /** -test.timeout (go's duration syntax, e.g. '4m'). */
  timeout: string;
}

export interface KgoOptions {
  seeds: string;
  rf: number;
  records: number;
  part: KgoPart;
  /** Directory for the clients' log and the -test.v output. */
  logDir: string;
  label: string;
}

interface TestEvent {
  Action: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
}

const MAX_OUTPUT_LINES = 80;

/** Runs the binary once against the seeds and gathers every test's result. */
export function runKgo(opts: KgoOptions): Promise<KgoRun> {
  checkKgoBuilt();
  const part = opts.part;
  const into = new Map<string, TestResult>();
  const started = Date.now();
  const args = ['-test.v', `-test.timeout=${part.timeout}`];
  if (part.run) args.push(`-test.run=${part.run}`);
  if (part.skip) args.push(`-test.skip=${part.skip}`);
  const logFile = join(opts.logDir, `kgo-${opts.label}.log`);
  const log = createWriteStream(logFile);
  const out = createWriteStream(join(opts.logDir, `kgo-${opts.label}.out`));
  // The binary's stdout (the testing package's -test.v output) goes through test2json; its
  // stderr is the kgo clients' log (and a timeout's panic), kept in a file.
  const test = spawn(KGO_TEST_BINARY, args, {
    cwd: KGO_PACKAGE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KGO_SEEDS: opts.seeds,
      KGO_TEST_RF: String(opts.rf),
      KGO_TEST_RECORDS: String(opts.records),
    },
  });
  const json = spawn(TEST2JSON, ['-p', 'kgo'], { stdio: ['pipe', 'pipe', 'inherit'] });
  test.stdout.pipe(json.stdin);
  test.stdout.pipe(out);
  let timedOut = false;
  let tail = '';
  test.stderr.on('data', (d: Buffer) => {
    log.write(d);
    const seen = tail + d.toString();
    if (seen.includes('panic: test timed out')) timedOut = true;
    tail = seen.slice(-100);
  });
  const running = new Set<string>();
  let buf = '';
  const onEvent = (e: TestEvent): void => {
    if (!e.Test) return;
    let r = into.get(e.Test);
    if (!r) {
      r = { name: e.Test, outcome: 'fail', elapsed: 0, output: [] };
      into.set(e.Test, r);
    }
    if (e.Action === 'run') running.add(e.Test);
    else if (e.Action === 'output' && e.Output !== undefined) {
      // The time, from the result line (this test2json leaves the events' Elapsed out).
      const done = /^\s*--- (?:PASS|FAIL|SKIP): (\S+) \(([\d.]+)s\)/.exec(e.Output);
      const timed = done && into.get(done[1]!);
      if (timed) timed.elapsed = Number(done![2]);
      r.output.push(e.Output.replace(/\n$/, ''));
      if (r.output.length > MAX_OUTPUT_LINES) r.output.splice(0, r.output.length - MAX_OUTPUT_LINES);
    } else if (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip') {
      r.outcome = e.Action;
      if (e.Elapsed !== undefined) r.elapsed = e.Elapsed;
      running.delete(e.Test);
    }
  };
  json.stdout.setEncoding('utf8');
  json.stdout.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        onEvent(JSON.parse(line) as TestEvent);
      } catch {
        /* not an event */
      }
    }
  });
  const testExit = new Promise<void>((res, rej) => {
    test.once('error', rej);
    test.once('close', () => res());
  });
  const jsonExit = new Promise<void>((res, rej) => {
    json.once('error', rej);
    json.once('close', () => res());
  });
  return Promise.all([testExit, jsonExit]).then(
    () =>
      new Promise<KgoRun>((res) => {
        // A test still running when the binary stopped (its timeout, or a crash) did not pass.
        for (const name of running) {
          const r = into.get(name)!;
          r.outcome = 'fail';
          r.unfinished = true;
        }
        out.end();
        log.end(() => res({ results: into, wallMs: Date.now() - started, timedOut, logFile }));
      }),
  );
}

/** Two runs of different tests, side by side, as one (wall time: the longer). */
export function mergeRuns(a: KgoRun, b: KgoRun): KgoRun {
  return {
    results: new Map([...a.results, ...b.results]),
    wallMs: Math.max(a.wallMs, b.wallMs),
    timedOut: a.timedOut || b.timedOut,
    logFile: `${a.logFile}, ${b.logFile}`,
  };
}

/** Top-level test names (no subtests). */
export function topLevel(results: Map<string, TestResult>): TestResult[] {
  return [...results.values()].filter((r) => !r.name.includes('/'));
}

/**
 * The suite's tests that talk to a broker: their bodies use the helpers that reach KGO_SEEDS
 * (tmpTopic, adm(), newTestClient, …). The rest of the suite are unit tests with no broker, or
 * against a fake listener of their own.
 */
export function brokerTests(): Set<string> {
  const uses =
    /\b(?:tmpTopic|tmpNamedTopicPartitions|tmpGroup|tmpShareGroup|internalTopic|adm\(\)|newTestClient|testClientOpts|getSeedBrokers|scramSeeds|oauthSeeds)/;
  const out = new Set<string>();
  for (const f of readdirSync(KGO_PACKAGE_DIR)) {
    if (!f.endsWith('_test.go')) continue;
    const src = readFileSync(join(KGO_PACKAGE_DIR, f), 'utf8');
    for (const m of src.matchAll(/^func (Test\w+)\(t \*testing\.T\) \{\n([\s\S]*?)^\}/gm)) {
      if (uses.test(m[2]!)) out.add(m[1]!);
    }
  }
  return out;
}

/** `passed/total` of the given top-level tests. */
export function score(run: KgoRun, only?: Set<string>): { passed: number; total: number } {
  const tests = topLevel(run.results).filter((r) => !only || only.has(r.name));
  return { passed: tests.filter((r) => r.outcome === 'pass').length, total: tests.length };
}
