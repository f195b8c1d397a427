/**
 * Arbitraries aimed at each rule set: random instances of the shapes the set rewrites (and
 * near misses), mixed with noise, so the property tests exercise the rules rather than pass
 * through them. A mutation check (rules.test.ts) makes sure wrong rules would be caught.
 */
import fc from 'fast-check';
import {
  abs,
  add,
  asinh,
  atan,
  cos,
  cosh,
  div,
  EVEN_FUNCTIONS,
  type Expr,
  exp,
  type FunctionName,
  fn,
  heaviside,
  log,
  mul,
  neg,
  num,
  ODD_FUNCTIONS,
  pow,
  relu,
  sigmoid,
  sign,
  sin,
  sinh,
  sqrt,
  sub,
  sym,
  tan,
  tanh,
} from '../../src/expr/index.js';

const atom = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('x', 'y', 'z').map(sym) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }).map((n) => num(n)) },
);
/** Coefficients: numbers, a symbol, a product. */
const coeff = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((n) => num(n)),
  fc.constantFrom(num(1n, 2n), sym('y'), mul(2, sym('z'))),
);

/** Small arguments: atoms, linear combinations, products, differences. */
export const arbArg: fc.Arbitrary<Expr> = fc.oneof(
  atom,
  fc.tuple(coeff, atom, atom).map(([c, a, b]) => add(mul(c, a), b)),
  fc.tuple(atom, atom).map(([a, b]) => mul(a, b)),
  fc.tuple(atom, atom).map(([a, b]) => sub(a, b)),
);

/**
 * A rule set's shapes in context. `simple`: alone, plus noise, times a coefficient, dividing
 * noise: no undefined part can cancel away, so domain changes are checked. `mixed` adds sums
 * and products of two shapes, where the canonical form may cancel (0·asin(2) → 0).
 */
export interface Shaped {
  readonly simple: fc.Arbitrary<Expr>;
  readonly mixed: fc.Arbitrary<Expr>;
}

function inContext(shape: fc.Arbitrary<Expr>): Shaped {
  const simple = fc.oneof(
    shape,
    fc.tuple(shape, arbArg).map(([s, r]) => add(s, r)),
    fc.tuple(shape, coeff).map(([s, c]) => mul(s, c)),
    fc.tuple(shape, arbArg).map(([s, r]) => div(r, s)),
  );
  const mixed = fc.oneof(
    simple,
    fc.tuple(shape, shape).map(([a, b]) => add(a, b)),
    fc.tuple(shape, shape).map(([a, b]) => mul(a, b)),
  );
  return { simple, mixed };
}

const TRIG: readonly FunctionName[] = ['sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh'];

/** Trigonometric and hyperbolic identities (and near misses). */
export const arbTrig: Shaped = inContext(
  fc
    .tuple(arbArg, arbArg, coeff, coeff, fc.integer({ min: 1, max: 3 }))
    .chain(([u, v, c, d, k]) =>
      fc.constantFrom(
        add(mul(c, pow(sin(u), 2)), mul(c, pow(cos(u), 2))),
        add(mul(c, pow(sin(u), 2)), mul(d, pow(cos(u), 2))),
        add(pow(sin(u), 2), pow(cos(v), 2)),
        sub(mul(c, pow(cosh(u), 2)), mul(c, pow(sinh(u), 2))),
        sub(1, pow(sin(u), 2)),
        sub(1, pow(cos(u), 2)),
        sub(pow(cosh(u), 2), 1),
        add(1, pow(sinh(u), 2)),
        sub(1, pow(tanh(u), 2)),
        div(pow(sin(u), k), pow(cos(u), k)),
        div(sin(u), pow(cos(u), k)),
        div(sinh(u), cosh(u)),
        mul(tan(u), cos(u)),
        mul(tanh(u), pow(cosh(u), k)),
        tan(atan(u)),
        sinh(asinh(u)),
        asinh(sinh(u)),
        mul(c, pow(fn(TRIG[k], [u]), 2)),
      ),
    ),
);

const ODD = ODD_FUNCTIONS;
const EVEN = EVEN_FUNCTIONS;

/** Odd and even functions of signed arguments, and integer powers of signed sums. */
export const arbParity: Shaped = inContext(
  fc.oneof(
    fc
      .tuple(fc.constantFrom(...ODD, ...EVEN), arbArg, fc.boolean())
      .map(([f, u, n]) => fn(f, [n ? neg(u) : u])),
    fc
      .tuple(fc.constantFrom(...ODD, ...EVEN), arbArg, arbArg)
      .map(([f, a, b]) => sub(fn(f, [sub(a, b)]), fn(f, [sub(b, a)]))),
    fc
      .tuple(arbArg, arbArg, fc.constantFrom(2, 3, -1, -2, 4))
      .map(([a, b, k]) => pow(sub(a, b), k)),
    fc.tuple(arbArg, arbArg, fc.constantFrom(2, 3)).map(([a, b, k]) => pow(sub(neg(a), b), k)),
  ),
);

/** Powers of powers, roots of squares, abs/sign/relu/heaviside of signed things. */
export const arbPower: Shaped = inContext(
  fc.oneof(
    fc
      .tuple(
        arbArg,
        fc.constantFrom(num(2), num(3), num(4), num(-1), num(1n, 2n), num(2n, 3n)),
        fc.constantFrom(num(1n, 2n), num(1n, 3n), num(3n, 2n), num(-1n, 2n), sym('y')),
      )
      .map(([u, a, b]) => pow(pow(u, a), b)),
    arbArg.map((u) => sqrt(pow(u, 2))),
    fc.tuple(arbArg, fc.constantFrom(2, 3, 4, -2)).map(([u, n]) => pow(abs(u), n)),
    fc
      .tuple(fc.constantFrom(abs, sign, relu, heaviside), arbArg, fc.nat(2), fc.boolean())
      .map(([f, u, i, n]) => {
        const v = [add(pow(u, 2), 1), exp(u), u][i];
        return f(n ? neg(v) : v);
      }),
  ),
);

/** Exponentials of sums and logarithms, logarithms of products and powers. */
export const arbExpLog: Shaped = inContext(
  fc.oneof(
    fc.tuple(arbArg, arbArg).map(([a, b]) => mul(exp(a), exp(b))),
    arbArg.map((u) => exp(log(u))),
    fc.tuple(coeff, arbArg).map(([k, u]) => exp(mul(k, log(u)))),
    fc.tuple(arbArg, coeff, arbArg).map(([a, k, u]) => exp(add(a, mul(k, log(u))))),
    arbArg.map((u) => exp(log(add(pow(u, 2), 1)))),
    fc.tuple(arbArg, arbArg).map(([a, b]) => log(mul(a, b))),
    fc.tuple(arbArg, arbArg).map(([a, b]) => sub(log(mul(a, b)), log(a))),
    fc
      .tuple(arbArg, fc.constantFrom(num(2), num(3), num(4), num(-1), num(1n, 2n), sym('y')))
      .map(([a, b]) => log(pow(a, b))),
  ),
);

/** The logistic function's derivative shapes. */
export const arbMl: Shaped = inContext(
  fc
    .tuple(arbArg, coeff, fc.integer({ min: 1, max: 3 }))
    .chain(([u, c, k]) =>
      fc.constantFrom(
        mul(exp(neg(u)), pow(sigmoid(u), k)),
        mul(exp(u), pow(sigmoid(u), k)),
        sub(mul(c, sigmoid(u)), mul(c, pow(sigmoid(u), 2))),
        pow(add(1, exp(neg(u))), -k),
        div(exp(neg(u)), pow(add(1, exp(neg(u))), 2)),
        pow(add(1, exp(u)), -1),
        mul(sigmoid(u), sub(1, sigmoid(u))),
      ),
    ),
);

/** Random nonzero polynomials in the given symbols with small integer coefficients. */
export const arbPoly = (vars: readonly string[] = ['x']): fc.Arbitrary<Expr> =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: -4, max: 4 }),
        fc.constantFrom(...vars),
        fc.integer({ min: 0, max: 3 }),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    .map((ts) => add(...ts.map(([c, v, k]) => mul(c, pow(sym(v), k)))))
    // A zero denominator makes 0^(−1) = ∞, where ∞·0 = NaN artefacts swamp the comparison.
    .filter((e) => e.op !== 'num' || e.value!.num !== 0n);

/** Quotients with common factors, products, sums of quotients, differences of powers. */
export const arbRational = (vars: readonly string[] = ['x']): Shaped => {
  const p = arbPoly(vars);
  return inContext(
    fc.oneof(
      fc.tuple(p, p, p).map(([a, b, r]) => div(mul(a, r), mul(b, r))),
      fc.tuple(p, p).map(([a, b]) => mul(a, b)),
      fc.tuple(p, p, p, p).map(([a, b, c, d]) => add(div(a, b), div(c, d))),
      fc
        .tuple(p, p, fc.integer({ min: 2, max: 3 }))
        .map(([a, b, k]) => sub(pow(add(a, b), k), pow(a, k))),
      fc.tuple(p, p, p).map(([a, b, c]) => mul(add(div(a, b), c), b)),
      fc.tuple(p, p, coeff).map(([a, b, c]) => add(mul(c, a), mul(c, b))),
    ),
  );
};

const smallRational = fc.constantFrom(
  num(2),
  num(3),
  num(4),
  num(8),
  num(12),
  num(18),
  num(27),
  num(1n, 2n),
  num(1n, 8n),
  num(4n, 9n),
  num(50),
);
const rootExponent = fc.constantFrom(
  num(1n, 2n),
  num(-1n, 2n),
  num(3n, 2n),
  num(1n, 3n),
  num(2n, 3n),
  num(-3n, 2n),
);

/** Roots of numbers and of products with powers, exact logarithm ratios (and near misses). */
export const arbNumbers: Shaped = inContext(
  fc.oneof(
    fc.tuple(smallRational, rootExponent).map(([r, e]) => pow(r, e)),
    fc
      .tuple(smallRational, arbArg, fc.constantFrom(2, 4, 3), rootExponent)
      .map(([c, u, k, e]) => pow(mul(c, pow(u, k)), e)),
    fc.tuple(smallRational, arbArg, rootExponent).map(([c, u, e]) => pow(mul(c, u), e)),
    fc
      .tuple(smallRational, smallRational, arbArg)
      .map(([a, b, u]) => mul(u, log(a), pow(log(b), -1))),
    fc.tuple(fc.integer({ min: -4, max: 4 }), smallRational).map(([k, a]) => mul(k, log(a))),
  ),
);

/** Products and squares of sines and cosines, for trigonometric contraction. */
export const arbContract: Shaped = inContext(
  fc
    .tuple(arbArg, arbArg, coeff)
    .chain(([u, v, c]) =>
      fc.constantFrom(
        mul(c, sin(u), cos(u)),
        mul(c, pow(sin(u), 2), pow(cos(u), 2)),
        sub(pow(cos(u), 2), pow(sin(u), 2)),
        sub(mul(c, pow(cos(u), 2)), mul(c, pow(sin(u), 2))),
        sub(1, mul(2, pow(sin(u), 2))),
        sub(mul(2, pow(cos(u), 2)), 1),
        add(pow(cosh(u), 2), pow(sinh(u), 2)),
        mul(c, sinh(u), cosh(u)),
        mul(c, sin(u), cos(v)),
        mul(c, cos(u), cos(v)),
        mul(c, sin(u), sin(v)),
        mul(sin(u), cos(v), sin(v)),
        div(c, mul(sin(u), cos(u))),
        div(c, mul(sinh(u), cosh(u))),
      ),
    ),
);

/**
 * Quotients the rational forms combine: reciprocal exponentials, radicals of one base,
 * trigonometric quotients, nested fractions.
 */
export const arbQuotients: Shaped = inContext(
  fc
    .tuple(arbArg, arbArg, fc.integer({ min: 1, max: 2 }))
    .chain(([u, v, k]) =>
      fc.constantFrom(
        div(exp(neg(u)), pow(add(exp(neg(u)), 1), k)),
        mul(v, exp(neg(u)), pow(add(exp(neg(u)), 1), -1)),
        sub(
          div(exp(neg(u)), add(exp(neg(u)), 1)),
          div(exp(neg(mul(2, u))), pow(add(exp(neg(u)), 1), 2)),
        ),
        sub(pow(sym('x'), num(-1n, 2n)), div(add(sym('x'), 1), mul(2, pow(sym('x'), num(3n, 2n))))),
        sub(
          pow(add(pow(u, 2), 4), num(-1n, 2n)),
          div(pow(u, 2), pow(add(pow(u, 2), 4), num(3n, 2n))),
        ),
        sub(1, mul(cos(u), add(1, neg(cos(u))), pow(sin(u), -2))),
        add(mul(-1, fn('csc', [u]), fn('cot', [u])), pow(fn('csc', [u]), 2)),
        mul(sin(u), add(cos(u), mul(-1, sin(u), tan(u)), mul(cos(u), pow(fn('sec', [u]), 2)))),
        pow(add(pow(u, -1), 1), -1),
        div(1, mul(v, add(div(pow(u, 2), pow(v, 2)), 1))),
        div(sub(pow(u, 2), pow(v, 2)), sub(u, v)),
        div(sub(1, pow(tanh(u), 2)), tanh(u)),
        div(mul(v, cosh(u)), tanh(u)),
        div(mul(2, v), mul(pow(u, 2), add(div(pow(v, 2), pow(u, 2)), 1))),
      ),
    ),
);

/**
 * Exponentials over powers of eᵛ ± 1 (exp-over-sum-hyperbolic): balanced pairs (the
 * exponentials cancel), near misses (they only partly meet, or not at all), both signs.
 */
export const arbExpBalance: Shaped = inContext(
  fc
    .tuple(
      arbArg,
      fc.constantFrom(1, -1),
      fc.constantFrom(1, -1),
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(num(1n, 2n), num(1), num(3n, 2n), num(-1), num(2)),
    )
    .map(([v, s, c, k, m]) => div(exp(mul(m, num(k), v)), pow(add(mul(s, exp(mul(2, v))), c), k))),
);
