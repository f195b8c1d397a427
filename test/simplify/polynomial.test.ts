import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { diff } from '../../src/diff/diff.js';
import { add, mul, num, pow, sym } from '../../src/expr/build.js';
import { format } from '../../src/expr/format.js';
import { parse } from '../../src/expr/parse.js';
import { cancel, expand, simplify, together } from '../../src/simplify/index.js';
import * as D from '../../src/simplify/mpoly.js';
import { arbPoly, arbRational } from './arb.js';
import { agreeAt, arbGridPoint } from './check.js';

const f = (s: string, g: (e: ReturnType<typeof parse>) => ReturnType<typeof parse>): string =>
  format(g(parse(s)));
const points = arbGridPoint(['x', 'y', 'z'], -3, 3);

describe('expand', () => {
  test.each([
    ['(x + 1)^2*(x - 1)', 'x^3 + x^2 - x - 1'],
    ['(a + b)^3', 'a^3 + 3*a^2*b + 3*a*b^2 + b^3'],
    ['sin((a + b)^2)', 'sin(a^2 + 2*a*b + b^2)'],
    ['(x + 1)*(x - 1) - x^2', '-1'],
    ['2*(x + y)', '2*x + 2*y'],
    ['(x + 1)/(x - 1)', 'x/(x - 1) + 1/(x - 1)'],
    ['(x + 1)^(1/2)', 'sqrt(x + 1)'],
    ['(x + 1)^100', '(x + 1)^100'],
  ])('%s → %s', (input, output) => {
    expect(f(input, expand)).toBe(output);
  });

  test('a size guard leaves a too large expansion alone', () => {
    const e = parse('(a + b + c + d)^10');
    expect(expand(e, { maxTerms: 50 })).toBe(e);
    expect(expand(e).args.length).toBe(286);
  });

  test('preserves the value', () => {
    fc.assert(
      fc.property(arbRational(['x', 'y']).mixed, points, (e, env) => {
        const r = expand(e);
        if (!agreeAt(e, r, env)) throw new Error(`${format(e)} → ${format(r)}`);
      }),
      { numRuns: 200 },
    );
  });

  test('the expansion of a polynomial has no products of sums left', () => {
    fc.assert(
      fc.property(arbPoly(['x', 'y']), arbPoly(['x', 'y']), arbPoly(['x']), (a, b, c) => {
        const r = expand(mul(a, pow(add(b, c), 2)));
        const sums = (e: typeof r): boolean => e.op === 'add' || e.args.some((x) => x.op === 'add');
        const terms = r.op === 'add' ? r.args : [r];
        expect(terms.some((t) => t.op === 'mul' && t.args.some(sums))).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('derivatives of products in one symbol (shared factors)', () => {
  // simplify expands the product rule's sum through the factors its terms share (one pool,
  // exact divisions): the result must be the expansion, term by term.
  const factor = fc.record({
    a: fc.integer({ min: 1, max: 3 }),
    b: fc.integer({ min: -5, max: 5 }),
    k: fc.integer({ min: 1, max: 2 }),
  });
  test('simplify(diff(Π (aᵢx + bᵢ)^kᵢ)) is the expanded derivative', () => {
    const x = sym('x');
    fc.assert(
      // From about two dozen factors on the shared pool is used; below, term by term.
      fc.property(fc.array(factor, { minLength: 3, maxLength: 32 }), (fs) => {
        const f = mul(...fs.map(({ a, b, k }) => pow(add(mul(a, x), num(b)), k)));
        const d = diff(f, 'x');
        const s = simplify(d);
        // Expanded or kept, the value is the same; when expanded it equals expand's result.
        if (s.op === 'add' && s.args.every((t) => !t.args.some((g) => g.op === 'add')))
          expect(s).toBe(expand(d));
        for (const v of [-2.5, -1, 0.5, 3]) {
          const env = { x: v };
          if (!agreeAt(d, s, env)) throw new Error(`${format(d)} → ${format(s)}`);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('the derivative of a product of 30 linear factors', () => {
    const f = parse(Array.from({ length: 30 }, (_, i) => `(x + ${i + 1})`).join('*'));
    const d = diff(f, 'x');
    expect(simplify(d)).toBe(expand(d));
  });
});

describe('cancel and together', () => {
  test.each([
    ['(x^2 - 1)/(x - 1)', 'x + 1'],
    ['(2*x + 2)/(x^2 - 1)', '2/(x - 1)'],
    ['(x^3 - 1)/(x^2 + x + 1)', 'x - 1'],
    ['(x^2 + 2*x + 1)/(2*x + 2)', '(x + 1)/2'],
    ['(x^2 - y^2)/(x - y)', 'x + y'],
    ['(x^3 - y^3)/(x^2 - y^2)', '(x^2 + x*y + y^2)/(x + y)'],
    ['(sin(x)^2 - 1)/(sin(x) + 1)', 'sin(x) - 1'],
    ['(a*x + a*y)/(b*x + b*y)', 'a/b'],
    ['sin((x^2 - 1)/(x + 1))', 'sin(x - 1)'],
  ])('cancel %s → %s', (input, output) => {
    expect(f(input, cancel)).toBe(output);
  });

  test.each([
    ['1/x + 1/y', '(x + y)/(x*y)'],
    ['1/(x - 1) - 1/(x + 1)', '2/(x^2 - 1)'],
    ['a/(x + 1) + b/(x + 1)', '(a + b)/(x + 1)'],
    ['x + 1/x', '(x^2 + 1)/x'],
  ])('together %s → %s', (input, output) => {
    expect(f(input, together)).toBe(output);
  });

  test('cancel removes a common factor and preserves the value', () => {
    fc.assert(
      fc.property(arbPoly(), arbPoly(), arbPoly(), points, (a, b, r, env) => {
        fc.pre(r.op !== 'num' && b.op !== 'num');
        const e = mul(a, r, pow(mul(b, r), -1));
        const c = cancel(e);
        if (!agreeAt(e, c, env)) throw new Error(`${format(e)} → ${format(c)}`);
      }),
      { numRuns: 200 },
    );
  });

  test('together and cancel preserve the value', () => {
    fc.assert(
      fc.property(arbRational(['x', 'y']).mixed, points, (e, env) => {
        for (const g of [together, cancel]) {
          const r = g(e);
          if (!agreeAt(e, r, env)) throw new Error(`${format(e)} → ${format(r)}`);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('multivariate GCD over the integers (recursive dense form)', () => {
  // Polynomials in x, y as dense coefficient arrays: [c0(y), c1(y), ...] in x.
  const arbU = fc
    .array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 4 })
    .map((cs) => cs.map(BigInt));
  const arb2 = fc
    .array(arbU, { minLength: 1, maxLength: 3 })
    .map((rows) =>
      trim(
        rows.map((r) => trim(r, -1)),
        0,
      ),
    )
    .filter((p) => p.length > 0 && !D.isConstant(p, 1));
  const trim = (c: D.Coeff[], u: number): D.Coeff[] => {
    while (c.length > 0 && D.isZero(c[c.length - 1], u)) c.pop();
    return c;
  };

  test('gcd(p·r, q·r) divides both, and r divides it', () => {
    fc.assert(
      fc.property(arb2, arb2, arb2, (p, q, r) => {
        const a = D.mul(p, r, 1);
        const b = D.mul(q, r, 1);
        const g = D.gcd(a, b, 1);
        expect(D.exquo(a, g, 1)).toBeDefined();
        expect(D.exquo(b, g, 1)).toBeDefined();
        expect(D.exquo(g, D.primitivePart(r as D.Dense, 1), 1)).toBeDefined();
        expect(D.signOf(g, 1)).toBe(1);
      }),
      { numRuns: 150 },
    );
  });

  test('fixed cases: x² − y² and x − y; x² + y² and x + y are coprime', () => {
    // x^2 - y^2 = [[0, 0, -1], [], [1]] (coefficients of x^0, x^1, x^2 as polynomials in y).
    const diff2: D.Dense = [[0n, 0n, -1n], [], [1n]];
    const xmy: D.Dense = [[0n, -1n], [1n]];
    expect(D.gcd(diff2, xmy, 1)).toEqual(xmy);
    expect(D.exquo(diff2, xmy, 1)).toEqual([[0n, 1n], [1n]]);
    const sum2: D.Dense = [[0n, 0n, 1n], [], [1n]];
    const xpy: D.Dense = [[0n, 1n], [1n]];
    expect(D.isConstant(D.gcd(sum2, xpy, 1), 1)).toBe(true);
  });

  test('the budget stops a long computation', () => {
    const big = D.pow([[1n, 1n], [1n]], 30, 1) as D.Dense;
    expect(D.withBudget(50, () => D.gcd(big, D.mul(big, [[0n, 1n], [2n]], 1), 1))).toBeUndefined();
    expect(D.withBudget(10_000_000, () => D.gcd(big, big, 1))).toEqual(big);
  });
});

test('expand builds through the canonical builders', () => {
  expect(expand(mul(sym('x'), add(sym('x'), 1)))).toBe(add(pow(sym('x'), 2), sym('x')));
});
