import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { add, mul, pow, sym } from '../../src/expr/build.js';
import { format } from '../../src/expr/format.js';
import { parse } from '../../src/expr/parse.js';
import { ONE, rat } from '../../src/expr/rational.js';
import { cancel, expand, together } from '../../src/simplify/index.js';
import { type UPoly, udeg, udivmod, ugcd, umul } from '../../src/simplify/poly.js';
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

describe('cancel and together', () => {
  test.each([
    ['(x^2 - 1)/(x - 1)', 'x + 1'],
    ['(2*x + 2)/(x^2 - 1)', '2/(x - 1)'],
    ['(x^3 - 1)/(x^2 + x + 1)', 'x - 1'],
    ['(x^2 + 2*x + 1)/(2*x + 2)', '(x + 1)/2'],
    ['(x^2 - y^2)/(x - y)', '(x^2 - y^2)/(x - y)'],
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

describe('univariate GCD over the rationals', () => {
  const arbU = fc
    .array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 5 })
    .map((cs): UPoly => {
      const out = cs.map((c) => rat(BigInt(c)));
      while (out.length > 0 && out[out.length - 1].num === 0n) out.pop();
      return out;
    })
    .filter((p) => p.length > 1);

  test('gcd(p·r, q·r) is monic and divides both; r divides it', () => {
    fc.assert(
      fc.property(arbU, arbU, arbU, (p, q, r) => {
        const a = umul(p, r);
        const b = umul(q, r);
        const g = ugcd(a, b);
        expect(g[g.length - 1]).toEqual(ONE);
        expect(udivmod(a, g).r).toEqual([]);
        expect(udivmod(b, g).r).toEqual([]);
        expect(udivmod(g, ugcd(r, r)).r).toEqual([]);
        expect(udeg(g)).toBeGreaterThanOrEqual(udeg(r));
      }),
      { numRuns: 200 },
    );
  });
});

test('expand builds through the canonical builders', () => {
  expect(expand(mul(sym('x'), add(sym('x'), 1)))).toBe(add(pow(sym('x'), 2), sym('x')));
});
