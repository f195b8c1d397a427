/**
 * Sizes and reporting of the fuzz suite. `npm test` runs it at scale 1 (a few seconds);
 * `npm run fuzz` (scripts/fuzz.mjs) sets FUZZ_SCALE (default 50) and FUZZ_REPORT, a file
 * that every fuzz test appends its counts to, one JSON object a line, for the summary.
 * The seed is fast-check's global one (test/seed.setup.ts: fixed, or FC_SEED=random).
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

const scaleSetting = Number(process.env.FUZZ_SCALE ?? 1);

/** How much larger than the default this run is (FUZZ_SCALE, default 1). */
export const FUZZ_SCALE = Number.isFinite(scaleSetting) && scaleSetting > 0 ? scaleSetting : 1;

/** The number of runs of a property whose default count is `base`. */
export const runs = (base: number): number => Math.max(1, Math.round(base * FUZZ_SCALE));

/**
 * True when the cases written down for other people's areas (known-failures.test.ts)
 * should run: FUZZ_KNOWN=1. They fail today, so `npm test` skips them.
 */
export const RUN_KNOWN = process.env.FUZZ_KNOWN === '1';

/** The fast-check seed of this run (for messages and the report). */
export const fuzzSeed = (): number | undefined => fc.readConfigureGlobal().seed;

/** What one fuzz test did: how many inputs, and how they were decided. */
export type Counts = Record<string, number>;

/** A tally of named outcomes, reported when the test ends. */
export class Tally {
  readonly counts: Counts = {};
  private readonly started = performance.now();

  constructor(readonly category: string) {}

  /** Failures seen, the first few of each test, for the report. */
  readonly failures: string[] = [];

  /** Counts one outcome. */
  add(outcome: string, n = 1): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + n;
  }

  /** Measurements (the script shows the largest of each name). */
  readonly measures: Record<string, number> = {};

  /** Records a measurement, such as a time ratio. */
  measure(name: string, value: number): void {
    this.measures[name] = Math.max(this.measures[name] ?? Number.NEGATIVE_INFINITY, value);
  }

  /** Records a failure (the test still fails on its own assertion). */
  fail(message: string): void {
    this.add('failed');
    if (this.failures.length < 5) this.failures.push(message);
  }

  /** Appends the tally to FUZZ_REPORT (if set); returns the counts for assertions. */
  report(): Counts {
    const file = process.env.FUZZ_REPORT;
    if (file) {
      const line = {
        category: this.category,
        scale: FUZZ_SCALE,
        seed: fuzzSeed(),
        ms: Math.round(performance.now() - this.started),
        counts: this.counts,
        ...(Object.keys(this.measures).length > 0 ? { measures: this.measures } : {}),
        ...(this.failures.length > 0 ? { failures: this.failures } : {}),
      };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    }
    return this.counts;
  }
}
