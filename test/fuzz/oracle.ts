/**
 * The fuzz suite's oracles. A derivative is "finite mathematically" at a point when central
 * differences at several step sizes agree and are finite, with steps scaled to the point
 * (relative to |t|, so a kink at 0 is not smoothed over at t = 1e-300) and large enough that
 * the rounding of f cannot fake agreement (exp(1e-300 ± h) is 1 either way: no verdict).
 * Agreement between steps ten times apart bounds the truncation error; a kink, a pole or a
 * jump between the steps makes them disagree, and no verdict is given.
 */
import { postorder } from '../../src/expr/dag.js';
import { evaluate } from '../../src/expr/evaluate.js';
import type { Expr } from '../../src/expr/node.js';
import { atFloatEdge as atCodegenFloatEdge } from '../codegen/helpers.js';

/** A derivative decided by central differences, with the error it may carry. */
export interface Oracle {
  readonly value: number;
  /** Absolute error bound of `value` (truncation + rounding), before any safety factor. */
  readonly error: number;
}

const EPS = Number.EPSILON;
/** Relative step sizes, largest first; neighbours are compared. */
const STEPS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7];

/**
 * The derivative of `f` at `t` by central differences, or undefined when the differences
 * do not settle (not smooth at this scale, not finite, or lost in rounding).
 */
export function differenceOracle(f: (t: number) => number, t: number): Oracle | undefined {
  const ft = f(t);
  if (!Number.isFinite(ft)) return undefined;
  // Relative steps (absolute at 0): at t = 1e-300, abs's kink is 1e-300 away, not 1e-3.
  const scale = t === 0 ? 1 : Math.abs(t);
  let previous: Step | undefined;
  for (const s of STEPS) {
    const step = differences(f, t, ft, s * scale);
    if (step === undefined) return undefined;
    if (step === 'not finite') {
      previous = undefined;
      continue;
    }
    if (previous !== undefined) {
      const size = Math.max(Math.abs(step.central), Math.abs(previous.central));
      const noise = step.rounding + previous.rounding;
      const gap = Math.abs(step.central - previous.central);
      // Central differences agree to 1e-6, and rounding is well below the value (else the
      // agreement may be two equally wrong roundings, such as 0 and 0).
      const settled = gap <= 1e-6 * size + noise && noise <= 1e-3 * size;
      // At a kink the central difference settles too (to the mean of the two slopes):
      // the one-sided slopes differ by the same amount at every step there, while on a
      // smooth curve their difference (h·f″) shrinks with h.
      const smooth = step.sides <= 0.3 * previous.sides + 4 * noise;
      if (settled && smooth) return { value: step.central, error: gap + noise };
    }
    previous = step;
  }
  return undefined;
}

interface Step {
  readonly central: number;
  /** |forward − backward| difference. */
  readonly sides: number;
  /** f's own rounding, amplified by the step. */
  readonly rounding: number;
}

function differences(
  f: (t: number) => number,
  t: number,
  ft: number,
  h: number,
): Step | 'not finite' | undefined {
  const up = t + h;
  const down = t - h;
  if (!(up > t && t > down)) return undefined;
  const fu = f(up);
  const fd = f(down);
  if (!Number.isFinite(fu) || !Number.isFinite(fd)) return 'not finite';
  // A few ulps of the largest value, or underflow (x·sin(x) is 0 at x = 1e-250 although its
  // derivative 2x is not), amplified by 1/step.
  const ulps = EPS * Math.max(Math.abs(fu), Math.abs(fd), Math.abs(ft));
  const rounding = (8 * (ulps + Number.MIN_VALUE)) / (up - down);
  const forward = (fu - ft) / (up - t);
  const backward = (ft - fd) / (t - down);
  return { central: (fu - fd) / (up - down), sides: Math.abs(forward - backward), rounding };
}

/**
 * True when `got` is within the oracle's error (times a safety factor), relative 1e-4 of
 * the larger, or `abs`.
 */
export function matchesOracle(got: number, oracle: Oracle, abs = 0): boolean {
  if (!Number.isFinite(got)) return false;
  const diff = Math.abs(got - oracle.value);
  const size = Math.max(Math.abs(got), Math.abs(oracle.value));
  return diff <= 16 * oracle.error + 1e-4 * size + abs;
}

/** A short, replayable description of an expression and a point for failure messages. */
export function describeCase(e: Expr, at: Record<string, number>): string {
  const point = Object.entries(at)
    .map(([k, v]) => `${k} = ${Object.is(v, -0) ? '-0' : String(v)}`)
    .join(', ');
  return `${e.toString()} at ${point}`;
}

/** Piecewise functions whose exact 0 at a nonzero argument is no underflow. */
const EXACT_ZEROS: ReadonlySet<string> = new Set([
  'add',
  'relu',
  'heaviside',
  'sign',
  'min',
  'max',
]);

/**
 * True when evaluating `e` at `at` meets a float edge: the codegen tests' edges (a
 * subexpression not finite, beyond 1e250 or below 1e-250 in magnitude), or one that
 * underflows to 0 (a product, power or function of nonzero finite arguments that is 0).
 * There a formula keeps few digits or none (x·(x + x·y²)⁻² at x = 1e160: the square
 * underflows and the sign of a derivative flips), so only finiteness, not accuracy, is asked
 * of results computed through it.
 */
export function atFloatEdge(e: Expr, at: Record<string, number>): boolean {
  if (atCodegenFloatEdge(e, at)) return true;
  const values = new Map<Expr, number>();
  for (const node of postorder(e)) {
    const v = evaluate(node, at);
    values.set(node, v);
    if (v === 0 && node.args.length > 0 && !EXACT_ZEROS.has(node.op)) {
      if (node.args.every((a) => values.get(a) !== 0)) return true;
    }
  }
  return false;
}

const KINKED: ReadonlySet<string> = new Set(['abs', 'relu', 'sign', 'heaviside']);

/**
 * True when a piecewise function of `e` sits exactly on its kink or tie at `at` (abs, relu,
 * sign or heaviside of 0; min or max of equal arguments). Its derivative there is a
 * convention (docs/derivatives.md), which may differ from the slope of f even where f is
 * smooth: min(z, heaviside(z)) is z near 0, but the tie at 0 sends the derivative to
 * heaviside. No verdict.
 */
export function atKink(e: Expr, at: Record<string, number>): boolean {
  return postorder(e).some((n) => {
    if (KINKED.has(n.op)) return evaluate(n.args[0], at) === 0;
    if (n.op === 'min' || n.op === 'max') {
      return evaluate(n.args[0], at) === evaluate(n.args[1], at);
    }
    return false;
  });
}
