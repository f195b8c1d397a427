/**
 * Sampling functions for the plot without drawing lies: non-finite values are gaps, and a
 * segment between two samples is cut where the function jumps (a pole, a step) rather than
 * drawn as a steep line. A jump is told from a steep stretch by bisection: a continuous
 * function's change over an interval shrinks as the interval does, a jump's does not.
 */

/** Evaluates every channel (f, f′, …) at `t` into `out`. */
export type Evaluator = (t: number, out: Float64Array) => void;

/** Samples of several channels over one grid. */
export interface Samples {
  readonly t: Float64Array;
  /** One array a channel; NaN where the function is not a finite number. */
  readonly values: Float64Array[];
  /** One array a channel; `cuts[c][i] === 1`: do not join sample i to sample i + 1. */
  readonly cuts: Uint8Array[];
}

/** Options of `sample`. */
export interface SampleOptions {
  /** Cap on extra evaluations spent looking for jumps, per channel. Default 50,000. */
  readonly refineBudget?: number;
}

/** Bisection steps at most per suspicious segment (float resolution usually ends it first). */
const MAX_BISECTIONS = 60;
/** A segment is suspicious when it spans this fraction of the channel's typical range. */
const SUSPICIOUS = 0.05;

/**
 * Samples `count` evenly spaced points of [from, to] (`count` ≥ 2) and marks the segments
 * that cross a discontinuity.
 */
export function sample(
  evaluate: Evaluator,
  channels: number,
  from: number,
  to: number,
  count: number,
  options: SampleOptions = {},
): Samples {
  const t = new Float64Array(count);
  const values = Array.from({ length: channels }, () => new Float64Array(count));
  const out = new Float64Array(channels);
  for (let i = 0; i < count; i++) {
    // Endpoints exact; interior points by index so errors do not accumulate.
    const ti = i === count - 1 ? to : from + ((to - from) * i) / (count - 1);
    t[i] = ti;
    evaluate(ti, out.fill(Number.NaN));
    for (let c = 0; c < channels; c++) values[c][i] = Number.isFinite(out[c]) ? out[c] : Number.NaN;
  }
  const cuts = values.map((v, c) => {
    const cut = new Uint8Array(Math.max(0, count - 1));
    const scale = typicalRange(v);
    if (!(scale > 0)) return cut;
    let budget = options.refineBudget ?? 50_000;
    for (let i = 0; i + 1 < count && budget > 0; i++) {
      const a = v[i];
      const b = v[i + 1];
      if (Number.isNaN(a) || Number.isNaN(b) || Math.abs(b - a) < SUSPICIOUS * scale) continue;
      const verdict = jumps(evaluate, c, t[i], t[i + 1], a, b, out);
      budget -= verdict.evaluations;
      if (verdict.jump) cut[i] = 1;
    }
    return cut;
  });
  return { t, values, cuts };
}

/**
 * Whether channel `c` jumps inside [lo, hi]: follow the half holding most of the change;
 * a continuous function's change falls below a quarter of the original within a few steps.
 */
function jumps(
  evaluate: Evaluator,
  c: number,
  lo: number,
  hi: number,
  ylo: number,
  yhi: number,
  out: Float64Array,
): { jump: boolean; evaluations: number } {
  const original = Math.abs(yhi - ylo);
  for (let k = 1; k <= MAX_BISECTIONS; k++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) return { jump: true, evaluations: k };
    evaluate(mid, out.fill(Number.NaN));
    const ym = out[c];
    if (!Number.isFinite(ym)) return { jump: true, evaluations: k };
    if (Math.abs(ym - ylo) >= Math.abs(yhi - ym)) {
      hi = mid;
      yhi = ym;
    } else {
      lo = mid;
      ylo = ym;
    }
    if (Math.abs(yhi - ylo) < original / 4) return { jump: false, evaluations: k };
  }
  return { jump: true, evaluations: MAX_BISECTIONS };
}

/** Relative spread below which values are one number up to rounding (plotted flat). */
const ROUNDING_SPREAD = 1e-13;
/** The smallest normal double: below it floats lose precision, and steps are artefacts. */
const SMALLEST_NORMAL = 2.2250738585072014e-308;

/** Whether values spreading over `spread`, at most `magnitude` in size, are one number up to rounding. */
export function isRoundingNoise(spread: number, magnitude: number): boolean {
  return !(spread > Math.max(magnitude * ROUNDING_SPREAD, SMALLEST_NORMAL));
}

/**
 * Spread of the finite values between the 5th and 95th percentiles (so one pole does not
 * make every other change look small); the full spread when that is zero; zero when the
 * spread is rounding noise (a few ulps are not jumps worth finding).
 */
export function typicalRange(values: Float64Array): number {
  const finite = values.filter((x) => !Number.isNaN(x)).sort();
  if (finite.length === 0) return 0;
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.floor(q * finite.length))];
  const inner = at(0.95) - at(0.05);
  const spread = inner > 0 ? inner : finite[finite.length - 1] - finite[0];
  const magnitude = Math.max(Math.abs(finite[0]), Math.abs(finite[finite.length - 1]));
  return isRoundingNoise(spread, magnitude) ? 0 : spread;
}
