// Runs franz-go's kgo tests against a running broker or cluster, for a look by hand:
//   node test/peers/franz-go/run-kgo.ts --seeds 127.0.0.1:9092 [--rf 1] [--records 100000]
//        [--run REGEX] [--skip REGEX] [--timeout 6m]
// Prints each top-level test's outcome and time (slowest first), then the count; the kgo
// clients' log goes to a file in the temp dir, named at the end. test/peers/franz-go.test.ts
// is the test; this only runs the same binary (built by test/peers/franz-go/setup.sh).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKgo, score, topLevel } from './kgo.ts';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const seeds = opt('seeds');
if (!seeds) {
  console.error(
    'usage: run-kgo.ts --seeds HOST:PORT[,…] [--rf N] [--records N] [--run REGEX] [--skip REGEX] [--timeout 6m]',
  );
  process.exit(2);
}
const logDir = mkdtempSync(join(tmpdir(), 'kgo-run-'));
const run = await runKgo({
  seeds,
  rf: Number(opt('rf') ?? 1),
  records: Number(opt('records') ?? 100_000),
  part: { run: opt('run'), skip: opt('skip'), timeout: opt('timeout') ?? '6m' },
  logDir,
  label: 'run',
});
for (const r of topLevel(run.results).sort((a, b) => b.elapsed - a.elapsed)) {
  console.log(
    `${r.outcome.padEnd(5)} ${r.elapsed.toFixed(2).padStart(8)} s  ${r.name}${r.unfinished ? ' (unfinished)' : ''}`,
  );
  if (r.outcome === 'fail') console.log(r.output.map((l) => `        ${l}`).join('\n'));
}
const s = score(run);
console.log(
  `${s.passed}/${s.total} passed in ${(run.wallMs / 1000).toFixed(0)} s${run.timedOut ? ' (timed out)' : ''}; clients' log: ${run.logFile}`,
);
