// Extreme points: 0, ±0, subnormals, ±1e-300, ±1e300, ±1000, 19, 710, 1 ± ε … A NaN where
// the value is finite is a failure: where f(x) is finite and f′(x) is finite mathematically,
// the computed derivative (interpreted and compiled) must be a number, and the right one.
// "Finite mathematically" is decided by an independent reference (extremes.ts) for each
// known function and for the stable forms, and by central differences (oracle.ts) for
// random compositions; kinks, poles and points outside a domain get no verdict.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, compileGradient, compileHessian } from '../../src/codegen/index.js';
import { diff, grad, hessian } from '../../src/diff/diff.js';
import {
  type Expr,
  evaluate,
  FUNCTION_NAMES,
  fn,
  parse,
  postorder,
  sym,
} from '../../src/expr/index.js';
import { erfc, sigmoid, softplus } from '../../src/expr/numeric.js';
import { FUNCTIONS } from '../../src/expr/ops.js';
import { arbExpr } from '../arbitrary.js';
import { chainRuleSingular } from '../codegen/helpers.js';
import { RUN_KNOWN, runs, Tally } from './config.js';
import { closeTo, EXTREME_POINTS, REFERENCE_DERIVATIVE } from './extremes.js';
import { type KnownFailure, knownCompiledFailure } from './known.js';
import { atFloatEdge, atKink, describeCase, differenceOracle, matchesOracle } from './oracle.js';

const x = sym('x');
const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** An expression of x with its derivatives, symbolic and compiled (built once). */
interface Prepared {
  readonly e: Expr;
  readonly d: Expr;
  readonly g: Expr;
  readonly h: Expr;
  readonly value: (t: number) => number;
  readonly gradient: (x: ArrayLike<number>, g: Float64Array) => number;
  readonly hessian: (x: ArrayLike<number>) => Float64Array;
}

const prepared = new Map<Expr, Prepared>();

function prepare(e: Expr): Prepared {
  let p = prepared.get(e);
  if (p === undefined) {
    p = {
      e,
      d: diff(e, x),
      g: grad(e, [x])[0],
      h: hessian(e, [x])[0][0],
      value: compile(e, [x]),
      gradient: compileGradient(e, [x]),
      hessian: compileHessian(e, [x]),
    };
    prepared.set(e, p);
  }
  return p;
}

/** Value, first and second derivative of `e` by x at `at`, interpreted and compiled. */
function derivativesAt(p: Prepared, at: number) {
  const compiledGradient = new Float64Array(1);
  const compiledValue = p.gradient([at], compiledGradient);
  return {
    value: evaluate(p.e, { x: at }),
    compiledValue,
    compiledPlain: p.value(at),
    diff: evaluate(p.d, { x: at }),
    grad: evaluate(p.g, { x: at }),
    compiledGradient: compiledGradient[0],
    second: evaluate(p.h, { x: at }),
    compiledSecond: p.hessian([at])[0],
  };
}

/** How close a result must be: relative, or absolute (near a root of the reference). */
interface Tolerance {
  readonly rel: number;
  readonly abs: number;
}

/**
 * What is wrong with `got` as a value of which the reference says `expected` (finite), or
 * undefined. Not finite is always wrong: that is the NaN where the value is finite. Not
 * close is wrong unless `edge` (the expression computed) meets a float edge at the point —
 * an intermediate that overflows, or underflows into the subnormals (asinh′ = (x² + 1)^−½
 * is 0 at x = 1e160 where x² overflows, not 1e-160) — or the case is a known imprecision.
 */
function fault(
  what: string,
  got: number,
  expected: number,
  tolerance: Tolerance,
  edge: Expr | undefined,
  at: number,
  tally: Tally,
  known?: KnownFailure['kind'],
): string | undefined {
  if (!Number.isFinite(got)) {
    if (known === 'not finite' && !RUN_KNOWN) {
      tally.add('known failure of compiled code (see known.ts)');
      return undefined;
    }
    return `${what} is ${got} where it is finite (${expected})`;
  }
  if (closeTo(got, expected, tolerance.rel) || Math.abs(got - expected) <= tolerance.abs) {
    return undefined;
  }
  if (edge !== undefined && atFloatEdge(edge, { x: at })) {
    tally.add('imprecise at a float edge (over/underflowing intermediate; allowed)');
    return undefined;
  }
  if (known !== undefined && !RUN_KNOWN) {
    tally.add('known failure of compiled code (see known.ts)');
    return undefined;
  }
  return `${what} gives ${got}, not ${expected}`;
}

/**
 * Checks one expression of x at one point against reference value and derivative
 * functions: interpreted and compiled value, first derivative (diff, grad, compileGradient)
 * and second derivative (hessian, compileHessian; against central differences of the
 * reference derivative, where they settle).
 */
function checkAgainstReference(
  name: string,
  e: Expr,
  at: number,
  ref: { value?: (t: number) => number; derivative: (t: number) => number | undefined },
  tally: Tally,
  tolerance: Tolerance = { rel: 1e-9, abs: 0 },
): void {
  const p = prepare(e);
  const r = derivativesAt(p, at);
  const where = `${name}: ${e.toString()} at x = ${show(at)}`;
  const faults: (string | undefined)[] = [];
  if (!Number.isFinite(r.value)) {
    tally.add('f not finite (no verdict)');
    return;
  }
  const knownFirst = knownCompiledFailure(e, at, 1);
  const knownSecond = knownCompiledFailure(e, at, 2);
  if (ref.value !== undefined) {
    const v = ref.value(at);
    const exact = { rel: 1e-12, abs: 0 };
    faults.push(fault('evaluate', r.value, v, exact, e, at, tally));
    faults.push(fault('compile', r.compiledPlain, v, exact, e, at, tally));
    faults.push(fault('compileGradient (value)', r.compiledValue, v, exact, e, at, tally));
  }
  const expected = ref.derivative(at);
  if (expected === undefined || !Number.isFinite(expected)) {
    tally.add('no finite derivative here (no verdict)');
  } else {
    tally.add('first derivative checked');
    const d = p.d;
    faults.push(fault('diff', r.diff, expected, tolerance, d, at, tally));
    faults.push(fault('grad', r.grad, expected, tolerance, d, at, tally));
    faults.push(
      fault('compileGradient', r.compiledGradient, expected, tolerance, d, at, tally, knownFirst),
    );
    // The second derivative: central differences of the reference derivative.
    const second = differenceOracle((t) => ref.derivative(t) ?? Number.NaN, at);
    if (second === undefined) tally.add('second derivative undecided');
    else {
      tally.add('second derivative checked');
      const h = p.h;
      const loose = { rel: 1e-6, abs: 16 * second.error + tolerance.abs };
      faults.push(fault('hessian', r.second, second.value, loose, h, at, tally));
      faults.push(
        fault('compileHessian', r.compiledSecond, second.value, loose, h, at, tally, knownSecond),
      );
    }
  }
  const found = faults.filter((f) => f !== undefined);
  expect(found, where).toEqual([]);
}

const UNARY = FUNCTION_NAMES.filter((f) => FUNCTIONS[f].arity === 1);

describe('every known function at extreme points', () => {
  for (const name of UNARY) {
    it(name, () => {
      const tally = new Tally(`extreme points: ${name}`);
      const e = fn(name, [x]);
      const derivative = (t: number): number | undefined => REFERENCE_DERIVATIVE[name]?.(t);
      for (const at of EXTREME_POINTS) {
        checkAgainstReference(name, e, at, { derivative }, tally);
      }
      tally.report();
    });
  }
});

const TWO_OVER_ROOT_PI = 2 / Math.sqrt(Math.PI);

/**
 * Written-out forms with a closed form that stays finite: the stable forms of
 * src/expr/stable.ts and their neighbours. Each with its value and derivative in u.
 */
const STABLE_FAMILIES: ReadonlyArray<{
  readonly text: string;
  readonly value: (u: number) => number;
  readonly derivative: (u: number) => number;
}> = [
  { text: 'exp(u)/(1 + exp(u))', value: sigmoid, derivative: (u) => sigmoid(u) * sigmoid(-u) },
  {
    text: 'exp(-u)/(1 + exp(-u))',
    value: (u) => sigmoid(-u),
    derivative: (u) => -sigmoid(u) * sigmoid(-u),
  },
  { text: '1/(1 + exp(-u))', value: sigmoid, derivative: (u) => sigmoid(u) * sigmoid(-u) },
  { text: '(exp(-u) + 1)^-1', value: sigmoid, derivative: (u) => sigmoid(u) * sigmoid(-u) },
  {
    text: 'exp(u)/(1 + exp(u))^2',
    value: (u) => sigmoid(u) * sigmoid(-u),
    // σ(−u) − σ(u) = −tanh(u/2), without its cancellation near 0.
    derivative: (u) => -sigmoid(u) * sigmoid(-u) * Math.tanh(u / 2),
  },
  { text: 'log(1 + exp(u))', value: softplus, derivative: sigmoid },
  { text: 'log(sigmoid(u))', value: (u) => -softplus(-u), derivative: (u) => sigmoid(-u) },
  { text: 'log(1 - sigmoid(u))', value: (u) => -softplus(u), derivative: (u) => -sigmoid(u) },
  {
    text: '3/10*log(sigmoid(u)) + 7/10*log(1 - sigmoid(u))',
    value: (u) => -0.3 * softplus(-u) - 0.7 * softplus(u),
    derivative: (u) => 0.3 * sigmoid(-u) - 0.7 * sigmoid(u),
  },
  {
    text: '1 - sigmoid(u)',
    value: (u) => sigmoid(-u),
    derivative: (u) => -sigmoid(u) * sigmoid(-u),
  },
  {
    text: '1 - tanh(u)^2',
    value: (u) => 4 * sigmoid(2 * u) * sigmoid(-2 * u),
    derivative: (u) => -2 * Math.tanh(u) * 4 * sigmoid(2 * u) * sigmoid(-2 * u),
  },
  {
    text: 'sinh(u)/cosh(u)',
    value: Math.tanh,
    derivative: (u) => 4 * sigmoid(2 * u) * sigmoid(-2 * u),
  },
  { text: 'sigmoid(u)', value: sigmoid, derivative: (u) => sigmoid(u) * sigmoid(-u) },
  { text: 'softplus(u)', value: softplus, derivative: sigmoid },
  { text: 'tanh(u)', value: Math.tanh, derivative: (u) => 4 * sigmoid(2 * u) * sigmoid(-2 * u) },
  // erfc is the fdlibm kernel, accurate in the tail; 1 − erf(u) there would be 0 or noise.
  { text: '1 - erf(u)', value: erfc, derivative: (u) => -TWO_OVER_ROOT_PI * Math.exp(-u * u) },
  {
    text: '1 + erf(u)',
    value: (u) => erfc(-u),
    derivative: (u) => TWO_OVER_ROOT_PI * Math.exp(-u * u),
  },
];

/** Inner arguments u(x) = a·x + b, so the chain rule and the matchers see more than `x`. */
const INNER: ReadonlyArray<{ readonly text: string; readonly a: number; readonly b: number }> = [
  { text: 'x', a: 1, b: 0 },
  { text: '-x', a: -1, b: 0 },
  { text: '2*x', a: 2, b: 0 },
  { text: 'x/4 - 1', a: 0.25, b: -1 },
];

describe('stable forms at extreme points', () => {
  for (const family of STABLE_FAMILIES) {
    it(family.text, () => {
      const tally = new Tally(`extreme points: ${family.text}`);
      for (const inner of INNER) {
        const e = parse(family.text.replace(/\bu\b/g, `(${inner.text})`));
        const u = (t: number): number => inner.a * t + inner.b;
        const ref = {
          value: (t: number) => family.value(u(t)),
          derivative: (t: number) => inner.a * family.derivative(u(t)),
        };
        for (const at of EXTREME_POINTS) {
          // Beyond ±1e300, a·x + b itself overflows: nothing to compare.
          if (!Number.isFinite(u(at)) || Math.abs(at) > 1e300) continue;
          // These derivatives cross 0 near u = 0; there a sum of O(1) terms is accurate to
          // O(ε), not relatively. In the tails (|u| > 1) they must keep every digit.
          const nearRoot = Math.abs(u(at)) <= 1;
          const tolerance = { rel: 1e-9, abs: nearRoot ? 1e-15 : 0 };
          checkAgainstReference(family.text, e, at, ref, tally, tolerance);
        }
      }
      tally.report();
    });
  }
});

/** True when some input is beyond √MAX_VALUE, where its square overflows. */
const beyondSquares = (at: Record<string, number>): boolean =>
  Object.values(at).some((v) => Math.abs(v) > 1.3e154);

/** True when some subexpression of `e` at `at` is infinite although the inputs are finite. */
const overflows = (e: Expr, at: Record<string, number>): boolean =>
  postorder(e).some((n) => Math.abs(evaluate(n, at)) === Number.POSITIVE_INFINITY);

const PERIODIC: ReadonlySet<string> = new Set(['sin', 'cos', 'tan', 'sec', 'csc', 'cot']);

/**
 * True when a periodic function's argument is beyond 1e6 at `at`: the smallest step central
 * differences take there is many periods wide.
 */
const periodicOfHugeArgument = (e: Expr, at: Record<string, number>): boolean =>
  postorder(e).some((n) => PERIODIC.has(n.op) && !(Math.abs(evaluate(n.args[0], at)) <= 1e6));

describe('random compositions at extreme points', () => {
  const arbExtreme = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EXTREME_POINTS) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...EXTREME_POINTS), fc.double({ min: 0.5, max: 2, noNaN: true }))
        .map(([p, k]) => p * k),
    },
  );

  it('a derivative that is finite (central differences settle) is never NaN', () => {
    const tally = new Tally('extreme points: random compositions');
    fc.assert(
      fc.property(
        arbExpr({ maxDepth: 3, variables: ['x', 'y'], unknownFunctions: ['f'] }),
        arbExtreme,
        arbExtreme,
        (e, ax, ay) => {
          if (postorder(e).some((n) => n.op === 'call')) return;
          const at = { x: ax, y: ay };
          const value = evaluate(e, at);
          if (!Number.isFinite(value)) {
            tally.add('f not finite (no verdict)');
            return;
          }
          const g = grad(e, ['x', 'y']);
          const compiled = new Float64Array(2);
          compileGradient(e, ['x', 'y'])([ax, ay], compiled);
          if (atFloatEdge(e, at)) {
            // f itself went through an overflow or underflow (sqrt(1/y²) at y = 1e160 is 0,
            // flat to every step): its differences say nothing about its derivative.
            tally.add('f computed through an over- or underflow (no verdict)');
            return;
          }
          if (atKink(e, at)) {
            tally.add('on a kink or tie: derivative is a convention (no verdict)');
            return;
          }
          if (periodicOfHugeArgument(e, at)) {
            // sin(x) at x = 1e160: steps of 1e153 average its oscillation away, so central
            // differences settle on the wrong slope (1, not 1 + cos x). No verdict.
            tally.add('periodic function of a huge argument (no verdict)');
            return;
          }
          const singular = chainRuleSingular(e, at);
          (['x', 'y'] as const).forEach((v, i) => {
            const oracle = differenceOracle((t) => evaluate(e, { ...at, [v]: t }), at[v]);
            if (oracle === undefined) {
              tally.add('derivative undecided (no verdict)');
              return;
            }
            if (singular) {
              // A local partial is infinite here (√u at u = 0 …): the chain rule meets 0·∞,
              // as in any automatic differentiation, though f may be smooth. No verdict.
              tally.add('chain rule singular (no verdict)');
              return;
            }
            tally.add('derivative decided');
            const where = `∂/∂${v} of ${describeCase(e, at)}`;
            const d = diff(e, v);
            const symbolic = evaluate(g[i], at);
            const byDiff = evaluate(d, at);
            const results = [symbolic, byDiff, compiled[i]];
            if (!results.every(Number.isFinite) && beyondSquares(at) && overflows(d, at)) {
              // Past √MAX_VALUE ≈ 1.3e154, textbook partials square their inputs:
              // ∂atan2(x, y)/∂x·y = y²/(x² + y²) is ∞/∞ at y = 5e299. A limit of float
              // formulas (docs/testing.md), not a verdict.
              tally.add('not finite past √MAX_VALUE: squares overflow (float range; no verdict)');
              return;
            }
            expect(Number.isFinite(symbolic), `grad is ${symbolic}: ${where}`).toBe(true);
            expect(Number.isFinite(byDiff), `diff is ${byDiff}: ${where}`).toBe(true);
            expect(Number.isNaN(compiled[i]), `compileGradient is NaN: ${where}`).toBe(false);
            if (matchesOracle(symbolic, oracle, 1e-290) || matchesOracle(byDiff, oracle, 1e-290)) {
              return;
            }
            // (x + x·y)⁻² at x = 1e160 is subnormal: few digits left, but a number.
            const edge = atFloatEdge(g[i], at) || atFloatEdge(d, at);
            tally.add('imprecise at a float edge (allowed)');
            expect(
              edge,
              `${symbolic} (diff ${byDiff}), central differences ${oracle.value}: ${where}`,
            ).toBe(true);
          });
        },
      ),
      { numRuns: runs(400) },
    );
    const counts = tally.report();
    expect(counts['derivative decided'] ?? 0).toBeGreaterThan(runs(40));
  });
});
