// The known differences between Samsa's answers and Kafka's, each with its reason. A deliberate
// one is accepted by test/peers/differential.test.ts; a bug is listed so its failure says what
// is known of it, but it still fails the test until Samsa is fixed. test/peers/README.md
// ("Differences from Kafka") holds the same table for readers.
import type { Difference } from './compare.ts';
import type { Case, Mode } from './runner.ts';

export interface Known {
  api: string;
  /** The case ids (`API: name`) it applies to, as a pattern over the case name; every case of the API when absent. */
  cases?: RegExp;
  /** The difference's path. */
  path: RegExp;
  /** Kafka's value (as shown in the difference). */
  kafka?: RegExp;
  /** Samsa's value. */
  samsa?: RegExp;
  modes?: Mode[];
  /** Why the difference is kept (a deliberate one). */
  reason?: string;
  /** What is wrong, and where (a bug): the test still fails. */
  bug?: string;
}

export const KNOWN: Known[] = [];

/** The known entry that explains a difference, if any. */
export function classify(c: Case, mode: Mode, d: Difference): Known | undefined {
  return KNOWN.find(
    (k) =>
      k.api === c.api &&
      (!k.cases || k.cases.test(c.name)) &&
      (!k.modes || k.modes.includes(mode)) &&
      k.path.test(d.path) &&
      (!k.kafka || k.kafka.test(d.kafka)) &&
      (!k.samsa || k.samsa.test(d.samsa)),
  );
}
