// Exact numbers in sums and products: folded in a balanced tree (found by the text fuzz:
// `1/2 + 1/3 + … + 1/5000`, 30 000 characters, took 4.7 s, and ten times longer took
// minutes). The fold must give exactly what adding one at a time gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addAll, mulAll, num, pow, sym } from '../../src/expr/build.js';
import { parse } from '../../src/expr/parse.js';
import { ONE, type Rational, rat, ratAdd, ratMul, ZERO } from '../../src/expr/rational.js';
import { runs } from './config.js';

const arbRational: fc.Arbitrary<Rational> = fc
  .tuple(
    fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
    fc.bigInt({ min: 1n, max: 10n ** 12n }),
  )
  .map(([n, d]) => rat(n, d));

const x = sym('x');

describe('sums and products of many exact numbers', () => {
  it('equal the one-at-a-time fold, as numbers, coefficients and exponents', () => {
    fc.assert(
      fc.property(fc.array(arbRational, { maxLength: 40 }), (values) => {
        const sum = values.reduce(ratAdd, ZERO);
        const product = values.reduce(ratMul, ONE);
        const nums = values.map((v) => num(v));
        expect(addAll(nums)).toBe(num(sum));
        expect(mulAll(nums)).toBe(num(product));
        expect(addAll(nums.map((c) => mulAll([c, x])))).toBe(mulAll([num(sum), x]));
        expect(mulAll(nums.map((c) => pow(x, c)))).toBe(pow(x, num(sum)));
      }),
      { numRuns: runs(300) },
    );
  });

  it('the harmonic number H(3000) is exact', () => {
    const terms = Array.from({ length: 2999 }, (_, i) => `1/${i + 2}`).join(' + ');
    let h = ZERO;
    for (let k = 2n; k <= 3000n; k++) h = ratAdd(h, rat(1n, k));
    expect(parse(terms)).toBe(num(h));
  });
});
