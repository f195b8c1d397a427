// The printer/parser contract: parse(format(e)) === e for every expression, including odd
// names and expressions far too deep or wide for a recursive printer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  call,
  cos,
  derivativeCall,
  div,
  mul,
  neg,
  num,
  pow,
  sin,
  sqrt,
  sym,
} from '../../src/expr/build.js';
import { format } from '../../src/expr/format.js';
import type { Expr } from '../../src/expr/node.js';
import { parse } from '../../src/expr/parse.js';
import { arbExpr, arbHostileName, arbSafeExpr, HOSTILE_NAMES } from '../arbitrary.js';

const x = sym('x');
const y = sym('y');
const N = 100_000;

/** `build(...xs)` in chunks: spreading 10⁵ arguments can overflow the stack. */
function chunked(build: (...xs: Expr[]) => Expr, xs: readonly Expr[]): Expr {
  const parts: Expr[] = [];
  for (let i = 0; i < xs.length; i += 10_000) parts.push(build(...xs.slice(i, i + 10_000)));
  return build(...parts);
}

/** Asserts the round trip, showing the text on failure. */
function roundTrips(e: Expr): void {
  const text = format(e);
  const back = parse(text);
  if (back !== e) expect(format(back), `read back from ${JSON.stringify(text)}`).toBe(text);
  expect(back).toBe(e);
}

describe('parse(format(e)) === e', () => {
  it('for random expressions', () => {
    fc.assert(fc.property(arbExpr(), roundTrips), { numRuns: 1000 });
  });

  it('for deeper random expressions over more names', () => {
    const variables = ['x', 'w1', 'x_0', 'θ', 'theta_i', 'E', 'Pi', 'exp_', 'f'];
    fc.assert(
      fc.property(
        arbExpr({ maxDepth: 6, variables, unknownFunctions: ['f', 'g1', 'φ'] }),
        roundTrips,
      ),
      {
        numRuns: 300,
      },
    );
  });

  it('for smooth random expressions', () => {
    fc.assert(fc.property(arbSafeExpr(), roundTrips), { numRuns: 300 });
  });

  it('for random hostile symbol and function names', () => {
    const arb = arbExpr({
      maxDepth: 3,
      variables: arbHostileName(),
      unknownFunctions: arbHostileName(),
    });
    fc.assert(fc.property(arb, roundTrips), { numRuns: 500 });
  });

  it.each(HOSTILE_NAMES.map((n) => [JSON.stringify(n), n]))('for the name %s', (_, name) => {
    roundTrips(sym(name));
    roundTrips(add(pow(sym(name), 2), mul(-3, sym(name), x)));
    if (!['sin', 'exp', 'atan2', 'sqrt', 'ln'].includes(name)) {
      roundTrips(call(name, sym(name)));
      roundTrips(derivativeCall(name, [x], [0, 0]));
      roundTrips(derivativeCall(name, [x, sym(name)], [0, 1]));
    }
  });

  it('for signs, quotients and powers that are easy to get wrong', () => {
    const s = add(x, y);
    const cases = [
      neg(s),
      mul(2, s),
      div(neg(s), y),
      mul(-2, s, pow(y, -1)),
      div(x, mul(3, s)),
      div(1, mul(2, s, add(x, 2))),
      pow(0, -2),
      pow(0, num(-1n, 2n)),
      pow(2, num(-1n, 2n)),
      pow(num(-8), num(1n, 3n)),
      pow(neg(x), num(1n, 2n)),
      neg(pow(2, x)),
      pow(x, pow(y, -1)),
      pow(pow(x, y), num(-1n, 2n)),
      pow(mul(x, y), num(-3n, 2n)),
      pow(2, -5000),
      pow(s, neg(y)),
      sqrt(mul(-1, x)),
      mul(num(-1n, 3n), s, pow(add(x, 2), -1)),
    ];
    for (const e of cases) roundTrips(e);
  });
});

describe('printing huge expressions', () => {
  it('a 10⁵-deep chain of functions', () => {
    let e: Expr = x;
    for (let i = 0; i < N; i++) e = sin(e);
    roundTrips(e);
  });

  it('a 10⁵-deep chain of alternating operators', () => {
    let e: Expr = x;
    for (let i = 0; i < N; i++)
      e = i % 3 === 0 ? neg(div(e, 2)) : i % 3 === 1 ? add(mul(e, y), 1) : cos(e);
    roundTrips(e);
  });

  it('a 10⁵-deep power tower, both ways', () => {
    let right: Expr = x;
    let left: Expr = x;
    for (let i = 0; i < N; i++) {
      right = pow(y, right);
      left = pow(left, y);
    }
    roundTrips(right);
    roundTrips(left);
  });

  it('10⁵ nested derivative calls', () => {
    let e: Expr = x;
    for (let i = 0; i < N; i++) e = derivativeCall('f', [e, y], [1]);
    roundTrips(e);
  });

  it('a sum of 10⁵ terms and a product of 10⁵ factors', () => {
    const terms = Array.from({ length: N }, (_, i) => mul(i % 2 ? -1 : (i % 5) + 2, sym(`x${i}`)));
    roundTrips(chunked(add, terms));
    roundTrips(
      chunked(
        mul,
        Array.from({ length: N }, (_, i) => pow(sym(`x${i}`), (i % 3) - 1 || 2)),
      ),
    );
  });

  it('a shared DAG, printed once per use', () => {
    let e: Expr = x;
    for (let i = 0; i < 16; i++) e = add(sin(e), cos(e));
    const text = format(e);
    expect(text.length).toBeGreaterThan(2 ** 16);
    expect(parse(text)).toBe(e);
  });
});
