// Shared helpers of the code generator's tests: float comparison with NaN ≡ NaN, and
// compiling through the program builders with a given chunk budget (to force chunking).
import { instantiate } from '../../src/codegen/compile.js';
import { factoryBody } from '../../src/codegen/emit/js.js';
import type { Program } from '../../src/codegen/program.js';

/**
 * True when `a` and `b` agree: both NaN, equal (infinities included), or within `rel`
 * relative to the larger magnitude (and `abs` absolutely, for results that cancel to ~0).
 */
export function close(a: number, b: number, rel = 1e-12, abs = 0): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), abs);
}

/**
 * Instantiates a program (as the public compilers do), laid out with chunk `budget` (and
 * `blockGain`: 0 runs every chunked loop that can be in blocks).
 */
export function build<F>(program: Program, budget?: number, blockGain?: number): F {
  return instantiate(factoryBody(program, budget, blockGain)) as F;
}

import type fc from 'fast-check';
import { partial } from '../../src/diff/diff.js';
import {
  type Environment,
  type Expr,
  evaluate,
  NUMERIC_FUNCTIONS,
  postorder,
  powValue,
} from '../../src/expr/index.js';
import { arbExpr, arbPoint } from '../arbitrary.js';

/**
 * Points for value comparisons: arbPoint's doubles in [−3, 3], with magnitudes below 1e-60
 * flushed to 0 (so a product of a few inputs cannot underflow). Near-underflow inputs make `x/y` and the
 * interpreter's `x·(1/y)` disagree (0 vs 0·∞ = NaN) without either being wrong.
 */
export function arbValuePoint(variables: readonly string[]): fc.Arbitrary<Record<string, number>> {
  return arbPoint(variables).map((p) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(p)) out[k] = Math.abs(v) < 1e-60 ? 0 : v;
    return out;
  });
}

/**
 * Evaluates `e` like the interpreter, with the value of node `nudged` (by id) scaled by
 * `factor`: how much one differently rounded intermediate can move the result.
 */
function evaluateNudged(e: Expr, at: Environment, nudged: number, factor: number): number {
  const values = new Map<number, number>();
  for (const node of postorder(e)) {
    let v: number;
    const arg = (i: number): number => values.get(node.args[i].id)!;
    switch (node.op) {
      case 'add':
        v = 0;
        for (let i = 0; i < node.args.length; i++) v += arg(i);
        break;
      case 'mul':
        v = 1;
        for (let i = 0; i < node.args.length; i++) v *= arg(i);
        break;
      case 'pow':
        v = powValue(arg(0), node.args[1], arg(1));
        break;
      case 'num':
      case 'const':
      case 'sym':
        v = evaluate(node, at);
        break;
      case 'call':
        throw new Error('unknown function');
      default:
        v =
          node.args.length === 1
            ? NUMERIC_FUNCTIONS[node.op](arg(0))
            : NUMERIC_FUNCTIONS[node.op](arg(0), arg(1));
    }
    values.set(node.id, node.id === nudged ? v * factor : v);
  }
  return values.get(e.id)!;
}

/**
 * The relative tolerance a comparison with the interpreter deserves at `at`: 1e-12, or more
 * where the expression amplifies rounding (cancellation, sin of a huge argument). Measured
 * by rounding each intermediate (and input) up or down by a couple of ulps, as a program
 * that orders its operations differently would; Infinity when that changes NaN-ness or
 * overflows (two correct programs may then disagree outright).
 */
export function toleranceAt(e: Expr, at: Environment, base = 1e-12): number {
  const value = evaluate(e, at);
  let tol = base;
  for (const node of postorder(e)) {
    if (node.op === 'num' || node.op === 'const') continue;
    for (const s of [1, -1]) {
      const nudged = evaluateNudged(e, at, node.id, 1 + s * 2 * Number.EPSILON);
      if (Number.isNaN(nudged) || Number.isNaN(value)) {
        if (Number.isNaN(nudged) !== Number.isNaN(value)) return Number.POSITIVE_INFINITY;
        continue;
      }
      if (nudged === value) continue;
      if (!Number.isFinite(nudged) || !Number.isFinite(value)) return Number.POSITIVE_INFINITY;
      const scale = Math.max(Math.abs(nudged), Math.abs(value));
      tol = Math.max(tol, (8 * Math.abs(nudged - value)) / scale);
    }
  }
  return tol;
}

/** The interpreter as a function of the environment. */
export const evaluator =
  (e: Expr) =>
  (env: Environment): number =>
    evaluate(e, env);

/**
 * Random expressions without unknown functions (`f(x)` has no numeric value). Filters
 * arbExpr's output: `arbExpr({ unknownFunctions: [] })` currently throws (constantFrom of
 * an empty list).
 */
export function arbNumericExpr(maxDepth = 4, variables?: readonly string[]): fc.Arbitrary<Expr> {
  return arbExpr({ maxDepth, ...(variables ? { variables } : {}) }).filter(
    (e) => !postorder(e).some((n) => n.op === 'call'),
  );
}

/**
 * True when some subexpression of `e` at `at` is non-finite, huge or near underflow. There,
 * reordering a product (`a·b/c` against the interpreter's `a·b·(1/c)`) can turn ∞·0 into
 * 0/0 or underflow into 0, so a mismatch with the interpreter is not evidence of a bug.
 */
export function atFloatEdge(e: Expr, at: Environment): boolean {
  for (const node of postorder(e)) {
    let v: number;
    try {
      v = evaluate(node, at);
    } catch {
      return true;
    }
    const a = Math.abs(v);
    if (!Number.isFinite(v) || a > 1e250 || (a !== 0 && a < 1e-250)) return true;
  }
  return false;
}

/**
 * compiled ≡ interpreted: equal up to relative 1e-12 (NaN ≡ NaN), widened only where the
 * expression itself amplifies rounding at `at`, or a mismatch explained by a float edge.
 */
export function agrees(
  got: number,
  expected: number,
  e: Expr,
  at: Record<string, number>,
): boolean {
  if (close(got, expected)) return true;
  const tol = toleranceAt(e, at);
  // Past 1e-3 the point is so ill-conditioned that no comparison means anything.
  return tol >= 1e-3 || close(got, expected, tol) || atFloatEdge(e, at);
}

/**
 * True when some local partial ∂node/∂arg of `e` is NaN or infinite at `at` (√u at u = 0,
 * log at 0, …). The chain rule then multiplies ∞ by 0 (reverse mode gives NaN, as in any
 * autodiff system) while the symbolic derivative may have merged the singularity away
 * (d(y·√y)/dy = 3√y/2, finite at 0): such points say nothing about either.
 */
export function chainRuleSingular(e: Expr, at: Environment): boolean {
  for (const node of postorder(e)) {
    if (node.args.length === 0) continue;
    for (let i = 0; i < node.args.length; i++) {
      let v: number;
      try {
        v = evaluate(partial(node, i), at);
      } catch {
        return true;
      }
      if (!Number.isFinite(v)) return true;
    }
  }
  return false;
}

/**
 * For each variable, Σ over paths from `e` down to it of |Π local partials|: the scale of
 * the terms reverse mode adds up into ∂e/∂v. Its rounding error is ε times this, not ε
 * times the (possibly cancelled) result: d(tanh z − z)/dz = (1 − t²) − 1 is 0 in floats
 * for tiny z although −t² is not, and both are right to within ε·2.
 */
export function reverseMagnitude(e: Expr, variables: readonly string[], at: Environment): number[] {
  const order = postorder(e);
  const adj = new Map<number, number>([[e.id, 1]]);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const a = adj.get(node.id);
    if (a === undefined || node.args.length === 0) continue;
    node.args.forEach((arg, i) => {
      const p = Math.abs(evaluate(partial(node, i), at));
      adj.set(arg.id, (adj.get(arg.id) ?? 0) + a * p);
    });
  }
  return variables.map((v) => {
    const s = order.find((n) => n.op === 'sym' && n.name === v);
    return s === undefined ? 0 : (adj.get(s.id) ?? 0);
  });
}

/**
 * A batch kernel with every option (a constant, per-point partials by x, accumulation, no
 * value-only version), for losses in w, b, x, y: the module tests emit it and compare.
 */
export const BACKWARD_BATCH = {
  data: ['x', 'y'],
  params: ['w'],
  constants: ['b'],
  dataGradient: ['x'],
  accumulate: true,
  gradOut: 'required',
} as const;
