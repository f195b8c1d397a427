// Guarded rules never extend a domain (docs/simplify.md): where the input is NaN on a
// region, so is the output. The sign analysis tracks definedness beside the signs, so a
// rule that drops its argument (sign(u) → 1, relu(u) → 0) needs u defined everywhere.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  acos,
  acosh,
  add,
  asin,
  atanh,
  type Expr,
  evaluate,
  exp,
  log,
  mul,
  neg,
  num,
  parse,
  pow,
  sigmoid,
  sqrt,
  sym,
  tanh,
} from '../../src/expr/index.js';
import { SignOracle, simplify } from '../../src/simplify/index.js';
import { arbGridPoint, changesDomain } from './check.js';

const x = sym('x');

describe('definedness in the sign analysis', () => {
  test.each([
    ['x', true],
    ['x^2 + 1', true],
    ['exp(x)', true],
    ['sqrt(x)', false],
    ['sqrt(x^2 + 1)', true],
    ['exp(sqrt(x))', false],
    ['log(x)', false],
    ['log(x^2 + 1)', true],
    ['log(exp(x) + 1)', true],
    ['sigmoid(log(x))', false],
    ['asin(x)', false],
    ['x^(3/2)', false],
    ['abs(x)^(3/2)', true],
    ['1/x', true],
    ['f(x)', false],
    ['sech(x) + csch(x) + coth(x) + acot(x) + acsch(x) + erfc(x)', true],
    ['asec(x)', false],
    ['acsc(x^2 + 1)', false],
    ['acoth(x)', false],
    ['asech(x^2)', false],
  ])('%s defined everywhere: %s', (text, defined) => {
    expect(new SignOracle().isDefined(parse(text))).toBe(defined);
  });

  test('assumptions narrow the domain', () => {
    const signs = new SignOracle({ nonnegative: ['x'] });
    expect(signs.isDefined(parse('sqrt(x)'))).toBe(true);
    expect(signs.isDefined(parse('log(x)'))).toBe(true);
  });
});

describe('signs of the reciprocal and inverse reciprocal functions', () => {
  test('from the table: positive, nonnegative, odd and increasing', () => {
    const signs = new SignOracle();
    for (const text of ['sech(x)', 'erfc(x)', 'acot(x^2)', 'asec(-2 - x^2)', 'coth(x^2 + 1)']) {
      expect(signs.isPositive(parse(text)), text).toBe(true);
    }
    expect(signs.isNonnegative(parse('asec(x)'))).toBe(true);
    expect(signs.isNonnegative(parse('asech(x)'))).toBe(true);
    for (const text of ['acsc(-x^2 - 1)', 'acoth(-x^2 - 2)', 'csch(-exp(x))', 'acot(-exp(x))']) {
      expect(signs.isNegative(parse(text)), text).toBe(true);
    }
    // A pole at 0: ±∞ by the sign of the zero, so either sign.
    expect(signs.isNonnegative(parse('coth(x)')) || signs.isNonpositive(parse('coth(x)'))).toBe(
      false,
    );
    expect(simplify('abs(sech(x))')).toBe(parse('sech(x)'));
    expect(simplify('sign(erfc(x))')).toBe(parse('1'));
  });
});

describe('the held-out fuzz cases: undefined at x = -1, so they stay', () => {
  test.each([
    'heaviside(exp(sqrt(x)))',
    'sign(exp(sqrt(x)))',
    'sign(sigmoid(log(x)))',
    'relu(-log(x)^2)',
  ])('%s', (text) => {
    const e = parse(text);
    const s = simplify(e);
    expect(evaluate(e, { x: -1 })).toBeNaN();
    expect(evaluate(s, { x: -1 })).toBeNaN();
  });

  test('the same rules still fire on defined arguments', () => {
    expect(String(simplify(parse('heaviside(exp(x))')))).toBe('1');
    expect(String(simplify(parse('sign(sigmoid(x^2))')))).toBe('1');
    expect(String(simplify(parse('relu(-log(x^2 + 1)^2)')))).toBe('0');
    expect(String(simplify(parse('sign(exp(sqrt(x)))'), { assume: { nonnegative: ['x'] } }))).toBe(
      '1',
    );
  });
});

/** Functions with a restricted domain and ones that hide it (exp(NaN) is NaN, positive). */
const partial = fc.constantFrom<(u: Expr) => Expr>(
  sqrt,
  log,
  asin,
  acos,
  acosh,
  atanh,
  (u) => pow(u, num(3n, 2n)),
  (u) => pow(u, sym('y')),
  (u) => log(neg(u)),
);
const hiding = fc.constantFrom<(u: Expr) => Expr>(
  exp,
  sigmoid,
  tanh,
  (u) => neg(pow(u, 2)),
  (u) => add(pow(u, 2), 1),
  (u) => mul(-1, exp(u)),
  (u) => pow(u, 2),
  (u) => u,
);
const outer = fc.constantFrom('sign', 'heaviside', 'relu', 'abs', 'exp', 'sqrt', 'log');
const inner = fc.constantFrom(x, add(x, 1), neg(x), mul(2, x), add(pow(x, 2), -1));

/** g(h(p(u))): a domain restriction, something that hides it, then a guarded function. */
const arbGuarded: fc.Arbitrary<Expr> = fc
  .tuple(outer, hiding, partial, inner)
  .map(([g, h, p, u]) => parse(`${g}(${String(h(p(u)))})`));

describe('simplify never defines a result where the input is undefined', () => {
  test('random guarded shapes at random points', () => {
    const points = arbGridPoint(['x', 'y'], -3, 3);
    fc.assert(
      fc.property(arbGuarded, points, (e, env) => {
        const s = simplify(e);
        if (changesDomain(e, s, env, true))
          throw new Error(`${String(e)} → ${String(s)} at ${JSON.stringify(env)}`);
      }),
      { numRuns: 400 },
    );
  });
});
