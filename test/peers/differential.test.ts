// The differential check: one corpus of requests (test/peers/differential/corpus.ts: the normal
// path and the error paths of every API Samsa advertises, at every version both brokers support)
// goes to real Kafka and to Samsa, and the decoded responses are compared field by field after
// normalising what legitimately differs (ports, topic and cluster ids, generated member ids,
// session and producer ids, log dirs, the broker's clock). One test per case: it fails when
// Kafka does not answer as the case expects (the control: the case tests what it says), and on
// every difference that test/peers/differential/known.ts does not list as deliberate. A known
// bug still fails, with its cause in core/. Runs once against one broker (Kafka single node vs
// `samsa start`) and once against three (Kafka 3 brokers vs `samsa start --brokers 3`, the
// cases marked for the cluster). By hand, with every difference printed:
//   node test/peers/differential/main.ts [single|cluster]
import { beforeAll, describe, expect, it } from 'vitest';
import { corpus } from './differential/corpus.ts';
import { classify } from './differential/known.ts';
import { caseId, PREPARE, type Mode } from './differential/runner.ts';
import { compareCase, groupDifferences, runBoth, versionList, type RunOutput } from './differential/session.ts';

// Starting Kafka (a JVM) and playing the whole corpus on both brokers takes a few minutes on two cores.
const RUN_TIMEOUT_MS = 900_000;

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
          console.log(`differential (${mode}): ${JSON.stringify(out.timings)}`);
        } catch (e) {
          failure = e as Error;
        }
      }, RUN_TIMEOUT_MS);

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
          for (const d of groupDifferences(r)) {
            const k = classify(c, mode, d);
            if (k && !k.bug) continue;
            const line = `${c.api} ${versionList(d.versions)} ${d.path}: Kafka ${d.kafka} vs Samsa ${d.samsa}`;
            unexplained.push(
              k?.bug ? `${line}\n    known bug: ${k.bug}` : `${line}\n    (not in test/peers/differential/known.ts)`,
            );
          }
          expect(unexplained, 'Samsa answers differently from Kafka').toEqual([]);
        });
      }
    },
  );
}
