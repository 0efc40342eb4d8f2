// The differential check: one corpus of requests (test/peers/differential/corpus.ts: the normal
// path and the error paths of every API Samsa advertises, at every version both brokers support)
// goes to real Kafka and to Samsa, and the decoded responses are compared field by field after
// normalising what legitimately differs (ports, topic and cluster ids, generated member ids,
// session and producer ids, log dirs, the broker's clock). One test per case: it fails when
// Kafka does not answer as the case expects (the control: the case tests what it says), and on
// every difference that test/peers/differential/known.ts does not list, either as deliberate
// (with its reason) or as a known Samsa bug (with its cause in core/); the known bugs a case
// shows are printed. A last test fails when a bug listed in known.ts no longer shows in any
// case (fixed: remove the entry), so the list cannot hide a fix or outlive it. Runs once against
// one broker (Kafka single node vs `samsa start`) and once against three (Kafka 3 brokers vs
// `samsa start --brokers 3`, the cases marked for the cluster). By hand, with every difference
// printed:
//   node test/peers/differential/main.ts [single|cluster]
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from './differential/corpus.ts';
import { classify, KNOWN, type Known } from './differential/known.ts';
import { caseId, PREPARE, type Mode } from './differential/runner.ts';
import { compareCase, groupDifferences, runBoth, versionList, type RunOutput } from './differential/session.ts';

// Starting Kafka (a JVM) and playing the whole corpus on both brokers takes a few minutes on two cores.
const RUN_TIMEOUT_MS = 900_000;

/** The known bugs some difference matched, and the modes whose run completed. */
const bugsSeen = new Set<Known>();
const modesRun = new Set<Mode>();
/** Per mode, how many cases answered as Kafka, differed only deliberately, showed a known bug, or something else. */
const tally = new Map<Mode, { identical: number; deliberate: number; bug: number; unexplained: number }>();

for (const mode of ['single', 'cluster'] as Mode[]) {
  const cases = corpus.filter((c) => (c.modes ?? ['single']).includes(mode));
  describe(
    mode === 'single' ? 'one broker: Kafka vs samsa start' : 'three brokers: Kafka vs samsa start --brokers 3',
    () => {
      let out: RunOutput | undefined;
      let failure: Error | undefined;

      beforeAll(async () => {
        try {
          out = await runBoth(mode, () => {}, cases);
          modesRun.add(mode);
          console.log(`differential (${mode}): ${JSON.stringify(out.timings)}`);
        } catch (e) {
          failure = e as Error;
        }
      }, RUN_TIMEOUT_MS);

      afterAll(() => {
        const t = tally.get(mode);
        if (t) console.log(`differential (${mode}): ${cases.length} cases, ${JSON.stringify(t)}`);
      });

      it('prepares the same topics, records, groups and producer on both', () => {
        if (failure) throw failure;
        expect(out!.kafka.get(PREPARE)?.get(0), 'Kafka (the control)').toEqual([]);
        expect(out!.samsa.get(PREPARE)?.get(0), 'Samsa').toEqual([]);
      });

      for (const c of cases) {
        it(`${caseId(c)}`, () => {
          if (failure) throw failure;
          const r = compareCase(c, out!);
          const versions = out!.versions.get(c.api) ?? [];
          expect(versions.length, `${c.api}: no version both brokers support`).toBeGreaterThan(0);
          expect(
            r.controlFailures.map((f) => `Kafka v${f.version}: ${f.reason}`),
            'Kafka (the control) did not answer as the case expects: fix the case',
          ).toEqual([]);
          const unexplained: string[] = [];
          const bugs: string[] = [];
          for (const d of groupDifferences(r)) {
            const k = classify(c, mode, d);
            const line = `${c.api} ${versionList(d.versions)} ${d.path}: Kafka ${d.kafka} vs Samsa ${d.samsa}`;
            if (k?.bug) {
              bugsSeen.add(k);
              bugs.push(`${line}\n    known bug: ${k.bug}`);
            } else if (!k) unexplained.push(`${line}\n    (not in test/peers/differential/known.ts)`);
          }
          if (bugs.length > 0) console.log(`${mode} ${caseId(c)}:\n  ${bugs.join('\n  ')}`);
          const t = tally.get(mode) ?? { identical: 0, deliberate: 0, bug: 0, unexplained: 0 };
          tally.set(mode, t);
          if (unexplained.length > 0) t.unexplained++;
          else if (bugs.length > 0) t.bug++;
          else if (groupDifferences(r).length > 0) t.deliberate++;
          else t.identical++;
          expect(unexplained, 'Samsa answers differently from Kafka').toEqual([]);
        });
      }
    },
  );
}

describe('known.ts', () => {
  it('lists no Samsa bug that no case shows any more', () => {
    expect([...modesRun].sort(), 'both runs completed').toEqual(['cluster', 'single']);
    const stale = KNOWN.filter((k) => k.bug && !bugsSeen.has(k)).map(
      (k) => `${k.api} ${k.cases ?? 'every case'} ${k.path}: ${k.bug}`,
    );
    expect(stale, 'fixed (or no longer reached): remove these entries from known.ts').toEqual([]);
  });
});
