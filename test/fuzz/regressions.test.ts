// Bugs the fuzz suite found in the interpreter's stable forms and products, each pinned by
// its reproduction, and the new rewrites checked for value on random input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, grad, hessian } from '../../src/diff/diff.js';
import {
  addAll,
  type Expr,
  evaluate,
  mulAll,
  NUMERIC_FUNCTIONS,
  num,
  parse,
  postorder,
  powValue,
  sigmoid,
  stableForm,
  sym,
  tanh,
} from '../../src/expr/index.js';
import { sigmoid as sigma } from '../../src/expr/numeric.js';
import { close } from '../codegen/helpers.js';
import { runs } from './config.js';

/** Floats straight from the formula, no stable forms: what the rewrites must agree with. */
function naive(e: Expr, at: Record<string, number>): number {
  const values = new Map<Expr, number>();
  for (const n of postorder(e)) {
    const a = n.args.map((x) => values.get(x)!);
    let v: number;
    if (n.op === 'num' || n.op === 'const' || n.op === 'sym') v = evaluate(n, at);
    else if (n.op === 'add') v = a.reduce((s, t) => s + t);
    else if (n.op === 'mul') v = a.reduce((s, t) => s * t, 1);
    else if (n.op === 'pow') v = powValue(a[0], n.args[1], a[1]);
    else if (n.op === 'call') throw new Error('unknown function');
    else v = NUMERIC_FUNCTIONS[n.op](...a);
    values.set(n, v);
  }
  return values.get(e)!;
}

const x = sym('x');
const relative = (got: number, expected: number): number =>
  Math.abs(got - expected) / Math.abs(expected);

describe('binary cross-entropy: gradient and Hessian finite for any logit', () => {
  // Its reverse sweep writes σ(u)·σ(−u)·(a/σ(u) − b/σ(−u)): 0·∞ once σ(−u) underflows.
  const loss = parse('3/10*log(sigmoid(x)) + 7/10*log(1 - sigmoid(x))');
  it.each([40, 710, 800, -800, 1e6])('at x = %d', (at) => {
    const g = evaluate(grad(loss, [x])[0], { x: at });
    expect(close(g, 0.3 * sigma(-at) - 0.7 * sigma(at), 1e-12)).toBe(true);
    const h = evaluate(hessian(loss, [x])[0][0], { x: at });
    expect(close(h, -sigma(at) * sigma(-at), 1e-12, 1e-300)).toBe(true);
  });
});

describe('derivatives of written-out sigmoids and tanh keep their digits in the tails', () => {
  it.each([
    ['exp(x)/(1 + exp(x))', 40, sigma(40) * sigma(-40)],
    ['exp(-x)/(1 + exp(-x))', -40, -sigma(40) * sigma(-40)],
    ['sinh(x)/cosh(x)', 19, 4 * sigma(38) * sigma(-38)],
    ['sinh(x)/cosh(x)', 30, 4 * sigma(60) * sigma(-60)],
    // The root of σ″ at 0: 1 − 2σ(x) cancels, −tanh(x/2) does not.
    ['exp(x)/(1 + exp(x))^2', 1e-160, -0.25 * Math.tanh(0.5e-160)],
  ])('d/dx %s at x = %d', (text, at, expected) => {
    const got = evaluate(diff(parse(text), 'x'), { x: at });
    expect(relative(got, expected)).toBeLessThan(1e-12);
  });

  it('second derivatives of tanh written as a ratio keep their digits', () => {
    const h = evaluate(diff(parse('sinh(x)/cosh(x)'), 'x', 2), { x: 30 });
    const expected = -8 * Math.tanh(30) * sigma(60) * sigma(-60);
    expect(relative(h, expected)).toBeLessThan(1e-12);
  });

  it('stable forms of the polynomials', () => {
    const s = sigmoid(x);
    const t = tanh(x);
    expect(stableForm(parse('sigmoid(x) - sigmoid(x)^2'))).toBe(mulAll([s, sigmoid(parse('-x'))]));
    expect(stableForm(parse('2*tanh(x)^3 - 2*tanh(x)'))).toBe(
      stableForm(parse('-8*tanh(x)*sigmoid(2*x)*sigmoid(-2*x)')),
    );
    expect(stableForm(parse('sinh(x)^2/cosh(x)^3'))).toBe(parse('tanh(x)^2/cosh(x)'));
    // Nothing to cancel: left alone.
    expect(stableForm(parse('sigmoid(x) + sigmoid(x)^2'))).toBe(parse('sigmoid(x) + sigmoid(x)^2'));
    // 1 + tanh x cancels as x → −∞; 2σ(2x) does not.
    expect(stableForm(addAll([t, num(1)]))).toBe(mulAll([num(2), sigmoid(parse('2*x'))]));
  });

  it('rewrites preserve the value (random polynomials in σ(±v) and tanh v, random products)', () => {
    const v = parse('x/2 - y');
    const pieces = [sigmoid(v), sigmoid(parse('y - x/2')), tanh(v), parse('exp(y)'), parse('y')];
    const term = fc
      .tuple(
        fc.integer({ min: -4, max: 4 }),
        fc.array(fc.tuple(fc.constantFrom(...pieces), fc.integer({ min: -2, max: 3 })), {
          maxLength: 3,
        }),
      )
      .map(([c, fs]) => mulAll([num(c), ...fs.map(([f, k]) => parse(`(${f})^${k}`))]));
    const expr = fc
      .tuple(fc.array(term, { minLength: 1, maxLength: 5 }), fc.constantFrom(...pieces))
      .map(([ts, outer]) => mulAll([outer, addAll(ts)]));
    const point = fc.record({
      x: fc.double({ min: -6, max: 6, noNaN: true }),
      y: fc.double({ min: -3, max: 3, noNaN: true }),
    });
    fc.assert(
      fc.property(expr, point, (e, at) => {
        const stable = stableForm(e);
        const before = naive(e, at);
        const after = naive(stable, at);
        if (!Number.isFinite(before)) return;
        // Within the rounding of the naive form: its terms' magnitudes bound its error.
        const scale = Math.max(1, ...postorder(e).map((n) => Math.abs(naive(n, at))));
        expect(
          Math.abs(after - before) <= 1e-9 * scale,
          `${e} → ${stable} at ${JSON.stringify(at)}: ${before} → ${after}`,
        ).toBe(true);
      }),
      { numRuns: runs(500) },
    );
  });
});

describe('products of finite factors with an exact 0 are 0', () => {
  it('even where the partial products overflow (atan″ and erf″ at ±Number.MAX_VALUE)', () => {
    for (const f of ['atan(x)', 'erf(x)']) {
      const h = hessian(parse(f), [x])[0][0];
      expect(evaluate(h, { x: Number.MAX_VALUE })).toBe(-0);
      expect(evaluate(h, { x: -Number.MAX_VALUE })).toBe(0);
    }
    expect(evaluate(parse('-2*x*y'), { x: Number.MAX_VALUE, y: 0 })).toBe(-0);
  });

  it('but an infinite factor times 0 stays NaN', () => {
    expect(evaluate(parse('x*y'), { x: Number.POSITIVE_INFINITY, y: 0 })).toBeNaN();
    expect(evaluate(parse('2*x*y'), { x: Number.NaN, y: 0 })).toBeNaN();
  });
});
