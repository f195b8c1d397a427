/**
 * Stable forms: rewrites written-out formulas into forms whose float evaluation neither
 * overflows nor cancels, before anything is evaluated in floats (by `evaluate` and by
 * compiled code alike). Each rewrite is an identity of real functions with the same domain:
 *
 * - `1/(1 + exp(−u))` → σ(u) and `exp(u)/(1 + exp(u))` → σ(u) (no ∞/∞), and likewise
 *   exp(m·v)·σ(−v)ⁿ → σ(v)ᵐ·σ(−v)ⁿ⁻ᵐ and sinh(u)ᵐ/cosh(u)ᵏ → tanh(u)ᵐ/cosh(u)ᵏ⁻ᵐ, so the
 *   derivatives of these forms stay finite too;
 * - `log(1 + exp(u))` → softplus(u), `log(σ(u))` → −softplus(−u) (no log(0) = −∞);
 * - `1 − σ(u)` → σ(−u) (no cancellation; with the above, `log(1 − σ(u))` → −softplus(u));
 * - `1 − tanh(u)²` → 4·σ(2u)·σ(−2u) (= sech² u: keeps its digits where tanh rounds to ±1,
 *   and its derivatives stay finite where cosh overflows);
 * - a polynomial in σ(u) (σ(−u) counting as 1 − σ(u)) or in tanh(u) that vanishes where it
 *   cancels is factored there (the derivatives of the forms above: σ − σ² is σ(u)·σ(−u), not
 *   1 − 1 where σ rounds to 1; 2tanh³u − 2tanh u is −8·tanh u·σ(2u)·σ(−2u));
 * - a product of a positive factor (σ, exp, cosh, softplus) and a sum with a term divided by
 *   it: distributed, so that the factor cancels (σ·σ(−u)·(a/σ − b/σ(−u)) → a·σ(−u) − b·σ, the
 *   gradient of binary cross-entropy, instead of 0·∞);
 * - `1 − erf(u)` → erfc(u), `1 + erf(u)` → erfc(−u) and their negations (erfc(5) ≈ 1.5e-12
 *   is 1 − 0.99999999999846, a difference that keeps 4 digits);
 * - `log(cosh(u))` → u + softplus(−2u) − log 2; a log of a positive exponential sum → a
 *   log-sum-exp, and quotients of such sums → softmax weights; √(t² + c) ± t → a form that
 *   picks by the sign of t (overflow and cancellation beyond |u| ≈ 710 and |t| ≈ 1e8).
 *
 * Invariant: value- and domain-preserving; each distinct node rewritten once; iterative.
 */
import {
  add,
  addAll,
  div,
  erfc,
  exp,
  heaviside,
  log,
  max,
  mulAll,
  neg,
  num,
  ONE_EXPR,
  pow,
  rebuild,
  sigmoid,
  sinh,
  softplus,
  sub,
  tanh,
  ZERO_EXPR,
} from './build.js';
import { type ExprInput, toExpression } from './input.js';
import type { Expr } from './node.js';
import { isZero, ONE, type Rational, ratAdd, ratMul, ZERO } from './rational.js';
import { coefficientOf } from './terms.js';
import { mapBottomUp } from './walk.js';

const isNumber = (e: Expr, n: bigint): boolean =>
  e.op === 'num' && e.value!.num === n && e.value!.den === 1n;

/** For `1 + exp(v)`, the node v. */
function onePlusExp(e: Expr): Expr | undefined {
  if (e.op !== 'add' || e.args.length !== 2) return undefined;
  const [a, b] = e.args[0].op === 'num' ? e.args : [e.args[1], e.args[0]];
  return a === ONE_EXPR && b.op === 'exp' ? b.args[0] : undefined;
}

/** For `−f(u)²` (a term of a sum) with f = `name`, the node u. */
function negatedSquareOf(t: Expr, name: 'tanh'): Expr | undefined {
  if (t.op !== 'mul' || t.args.length !== 2 || !isNumber(t.args[0], -1n)) return undefined;
  const p = t.args[1];
  if (p.op !== 'pow' || !isNumber(p.args[1], 2n) || p.args[0].op !== name) return undefined;
  return p.args[0].args[0];
}

/** For `−σ(u)` (a term of a sum), the node u. */
function negatedSigmoid(t: Expr): Expr | undefined {
  if (t.op !== 'mul' || t.args.length !== 2 || !isNumber(t.args[0], -1n)) return undefined;
  return t.args[1].op === 'sigmoid' ? t.args[1].args[0] : undefined;
}

/** A sum with its `1` and one matching term replaced by `replacement(u)`. */
function replaceOnePlus(
  sum: Expr,
  match: (t: Expr) => Expr | undefined,
  replacement: (u: Expr) => Expr,
): Expr | undefined {
  const one = sum.args.indexOf(ONE_EXPR);
  if (one < 0) return undefined;
  for (let i = 0; i < sum.args.length; i++) {
    const u = match(sum.args[i]);
    if (u === undefined) continue;
    const rest = sum.args.filter((_, j) => j !== i && j !== one);
    return addAll([replacement(u), ...rest]);
  }
  return undefined;
}

/** For `f^n` or `f` with f of operator `op`: [f, n] for a positive integer n. */
function integerPowerOf(e: Expr, op: Expr['op']): [Expr, bigint] | undefined {
  if (e.op === op) return [e, 1n];
  if (e.op !== 'pow' || e.args[0].op !== op) return undefined;
  const n = e.args[1];
  return n.op === 'num' && n.value!.den === 1n ? [e.args[0], n.value!.num] : undefined;
}

/**
 * Ratios of functions that overflow together, in a product: exp(m·v)·σ(−v)ⁿ =
 * σ(v)ᵐ·σ(−v)ⁿ⁻ᵐ (e^v·σ(−v) = σ(v); 1 ≤ m ≤ n) and sinh(u)ᵐ·cosh(u)⁻ᵏ = tanh(u)ᵐ·cosh(u)ᵐ⁻ᵏ
 * (1 ≤ m ≤ k). The product with one such pair merged, or undefined.
 */
function mergeRatio(product: Expr): Expr | undefined {
  const factors = product.args;
  const without = (i: number, j: number): Expr[] => factors.filter((_, k) => k !== i && k !== j);
  for (let i = 0; i < factors.length; i++) {
    const sig = integerPowerOf(factors[i], 'sigmoid');
    if (sig !== undefined && sig[1] > 0n) {
      const [s, n] = sig;
      const v = neg(s.args[0]);
      for (let j = 0; j < factors.length; j++) {
        if (factors[j].op !== 'exp') continue;
        const m = div(factors[j].args[0], v);
        if (m.op !== 'num' || m.value!.den !== 1n || m.value!.num < 1n || m.value!.num > n)
          continue;
        const rest = pow(s, num(n - m.value!.num));
        return mulAll([pow(sigmoid(v), m), rest, ...without(i, j)]);
      }
    }
    const ch = integerPowerOf(factors[i], 'cosh');
    if (ch !== undefined && ch[1] < 0n) {
      const [c, k] = ch;
      const u = c.args[0];
      for (let j = 0; j < factors.length; j++) {
        const sh = integerPowerOf(factors[j], 'sinh');
        if (sh === undefined || sh[0] !== sinh(u) || sh[1] < 1n || sh[1] > -k) continue;
        const m = sh[1];
        return mulAll([pow(tanh(u), num(m)), pow(c, num(k + m)), ...without(i, j)]);
      }
    }
  }
  return undefined;
}

/**
 * A variable to read sums as polynomials in: σ(v) or tanh(u). `affine` gives the nodes that
 * are a + b·s in it (σ(−v) = 1 − σ(v)); `roots` the roots worth factoring out, each with the
 * node (s − r) equals, in a form without cancellation.
 */
interface PolynomialVariable {
  readonly s: Expr;
  readonly affine: ReadonlyMap<Expr, readonly [Rational, Rational]>;
  readonly roots: ReadonlyArray<{ readonly r: Rational; readonly factor: () => Expr }>;
}

const rational = (n: bigint, d = 1n): Rational => ({ num: n, den: d });

function polynomialVariable(s: Expr): PolynomialVariable {
  const u = s.args[0];
  if (s.op === 'sigmoid') {
    return {
      s,
      affine: new Map([
        [s, [ZERO, ONE]],
        [sigmoid(neg(u)), [ONE, rational(-1n)]],
      ]),
      roots: [
        // s − 1 = −σ(−v); s − 1/2 = tanh(v/2)/2.
        { r: ONE, factor: () => neg(sigmoid(neg(u))) },
        { r: rational(1n, 2n), factor: () => mulAll([HALF_EXPR, tanh(mulAll([HALF_EXPR, u]))]) },
      ],
    };
  }
  return {
    s,
    affine: new Map([[s, [ZERO, ONE]]]),
    roots: [
      // t − 1 = −2σ(−2u); t + 1 = 2σ(2u).
      { r: ONE, factor: () => mulAll([num(-2), sigmoid(mulAll([num(-2), u]))]) },
      { r: rational(-1n), factor: () => mulAll([num(2), sigmoid(mulAll([num(2), u]))]) },
    ],
  };
}

/** The product of two polynomials. */
function mulPoly(p: readonly Rational[], q: readonly Rational[]): Rational[] {
  const out: Rational[] = Array.from({ length: p.length + q.length - 1 }, () => ZERO);
  p.forEach((a, i) => {
    q.forEach((b, j) => {
      out[i + j] = ratAdd(out[i + j], ratMul(a, b));
    });
  });
  return out;
}

/** The sum of two polynomials. */
function addPoly(p: readonly Rational[], q: readonly Rational[]): Rational[] {
  const out: Rational[] = [];
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    out.push(ratAdd(p[i] ?? ZERO, q[i] ?? ZERO));
  }
  return out;
}

/** Largest power of a polynomial variable in a term that is worth expanding. */
const MAX_DEGREE = 8n;

/** `t` as rest times a polynomial in the variable, or undefined when it is not one. */
function asPolynomialTerm(
  t: Expr,
  x: PolynomialVariable,
): { readonly poly: Rational[]; readonly rest: Expr } | undefined {
  let poly: Rational[] = [coefficientOf(t)];
  const rest: Expr[] = [];
  for (const f of t.op === 'num' ? [] : t.op === 'mul' ? t.args : [t]) {
    if (f.op === 'num') continue;
    const [base, k] = f.op === 'pow' ? [f.args[0], f.args[1]] : [f, ONE_EXPR];
    const ab = x.affine.get(base);
    if (ab === undefined) {
      rest.push(f);
      continue;
    }
    if (k.op !== 'num' || k.value!.den !== 1n || k.value!.num < 0n || k.value!.num > MAX_DEGREE)
      return undefined;
    for (let i = 0n; i < k.value!.num; i++) poly = mulPoly(poly, [ab[0], ab[1]]);
  }
  return { poly, rest: mulAll(rest) };
}

/**
 * A sum that is rest·P(s) for one s = σ(v) (σ(−v) counting as 1 − s) or s = tanh(u), with
 * P vanishing where it cancels: at s = 1 (σ rounds to 1 for v ≳ 37, tanh for u ≳ 19), at
 * s = −1 for tanh, at s = 1/2 for σ (v = 0). P(s) = Π(s − r)ᵐ·Q(s), each s − r written
 * without cancellation (1 − σ(v) = σ(−v), 1 − tanh u = 2σ(−2u), 2σ(v) − 1 = tanh(v/2)).
 * σ − σ² is σ(v)·σ(−v), not 1 − 1 where σ(v) rounds to 1; 2tanh³u − 2tanh u is
 * −8·tanh u·σ(2u)·σ(−2u).
 */
function factorPolynomial(sum: Expr): Expr | undefined {
  // Canonical sums merge like terms, so at most one term lacks the variable: it is in one of
  // the first two (which keeps this linear in the number of terms).
  const seen = new Set<Expr>();
  for (const t of sum.args.slice(0, 2)) {
    for (const f of t.op === 'mul' ? t.args : [t]) {
      const base = f.op === 'pow' ? f.args[0] : f;
      if ((base.op !== 'sigmoid' && base.op !== 'tanh') || seen.has(base)) continue;
      seen.add(base);
      const factored = factorIn(sum, polynomialVariable(base));
      if (factored !== undefined) return factored;
    }
  }
  return undefined;
}

/** `factorPolynomial` for one variable. */
function factorIn(sum: Expr, x: PolynomialVariable): Expr | undefined {
  let p: readonly Rational[] = [];
  let rest: Expr | undefined;
  for (const t of sum.args) {
    const term = asPolynomialTerm(t, x);
    if (term === undefined || (rest !== undefined && term.rest !== rest)) return undefined;
    rest = term.rest;
    p = addPoly(p, term.poly);
  }
  const factors: Expr[] = [];
  for (const { r, factor } of x.roots) {
    const [m, q] = divideOut(p, r);
    if (m > 0n) factors.push(pow(factor(), num(m)));
    p = q;
  }
  if (factors.length === 0) return undefined;
  const q = addAll(p.map((c, i) => mulAll([num(c), pow(x.s, num(i))])));
  return mulAll([...factors, q, rest!]);
}

const HALF_EXPR = num(1n, 2n);

/**
 * Divides the polynomial with coefficients `coeffs` (lowest degree first) by (s − r) as often
 * as r is a root: [how often, the quotient].
 */
function divideOut(coeffs: readonly Rational[], r: Rational): [bigint, readonly Rational[]] {
  let m = 0n;
  let p = coeffs;
  for (;;) {
    if (p.length < 2 || p.every(isZero)) return [m, p];
    // Synthetic division: q[i−1] = c[i] + r·q[i], remainder c[0] + r·q[0].
    const q: Rational[] = new Array(p.length - 1);
    let carry = ZERO;
    for (let i = p.length - 1; i >= 1; i--) {
      carry = ratAdd(p[i], ratMul(r, carry));
      q[i - 1] = carry;
    }
    if (!isZero(ratAdd(p[0], ratMul(r, carry)))) return [m, p];
    p = q;
    m++;
  }
}

/** Functions that are positive on the whole real line: dividing by them never divides by 0. */
const POSITIVE_FUNCTIONS: ReadonlySet<Expr['op']> = new Set(['sigmoid', 'exp', 'cosh', 'softplus']);

/** For a positive base `f^k` with k > 0 among the factors: the base. */
function positiveBase(f: Expr): Expr | undefined {
  const [base, exponent] = f.op === 'pow' ? [f.args[0], f.args[1]] : [f, ONE_EXPR];
  const positive = exponent.op === 'num' && exponent.value!.num > 0n;
  return positive && POSITIVE_FUNCTIONS.has(base.op) ? base : undefined;
}

/** True when some factor of term `t` is `base` to a negative power. */
function dividesBy(t: Expr, base: Expr): boolean {
  return (t.op === 'mul' ? t.args : [t]).some(
    (f) =>
      f.op === 'pow' && f.args[0] === base && f.args[1].op === 'num' && f.args[1].value!.num < 0n,
  );
}

/**
 * A product of a positive factor f and a sum one of whose terms is divided by f: the product
 * distributed over the sum, so that f cancels in that term (the builders merge f·f⁻¹). The
 * reverse sweep writes the gradient of a·log σ(u) + b·log(1 − σ(u)) as
 * σ(u)·σ(−u)·(a/σ(u) − b/σ(−u)), which is 0·∞ where σ(−u) underflows; distributed it is
 * a·σ(−u) − b·σ(u). Only positive factors: cancelling them changes no domain.
 */
function distributeCancelling(product: Expr): Expr | undefined {
  const factors = product.args;
  const bases = factors.map(positiveBase).filter((b): b is Expr => b !== undefined);
  if (bases.length === 0) return undefined;
  for (let i = 0; i < factors.length; i++) {
    const sum = factors[i];
    if (sum.op !== 'add') continue;
    if (!sum.args.some((t) => bases.some((b) => dividesBy(t, b)))) continue;
    const others = factors.filter((_, j) => j !== i);
    return addAll(sum.args.map((t) => mulAll([...others, t])));
  }
  return undefined;
}

/**
 * A sum with ±1 and ±erf(u) among its terms, with that pair as ±erfc(∓u): c + d·erf(u) =
 * c·erfc(−c·d·u) for c, d = ±1 (1 − erf(u) = erfc(u), erf(u) − 1 = −erfc(u), 1 + erf(u) =
 * erfc(−u)). erf rounds to ±1 from |u| ≈ 6, where the difference is 0 and erfc is not.
 */
function erfcForm(sum: Expr): Expr | undefined {
  const k = sum.args.findIndex((t) => isNumber(t, 1n) || isNumber(t, -1n));
  if (k < 0) return undefined;
  const c = sum.args[k].value!.num;
  for (let j = 0; j < sum.args.length; j++) {
    const t = sum.args[j];
    const negated =
      t.op === 'mul' && t.args.length === 2 && isNumber(t.args[0], -1n) && t.args[1].op === 'erf';
    if (t.op !== 'erf' && !negated) continue;
    const u = (negated ? t.args[1] : t).args[0];
    const cd = negated ? -c : c;
    const rest = sum.args.filter((_, i) => i !== j && i !== k);
    return addAll([mulAll([num(c), erfc(cd === 1n ? neg(u) : u)]), ...rest]);
  }
  return undefined;
}

// Exponential sums, log cosh, √(q + c) ± t: forms that overflow or cancel for large arguments.

/** log(cosh(u)) = u + softplus(−2u) − log 2 for all real u (cosh overflows beyond |u| ≈ 710). */
function logCosh(arg: Expr): Expr | undefined {
  if (arg.op !== 'cosh') return undefined;
  const u = arg.args[0];
  return addAll([u, softplus(mulAll([num(-2), u])), neg(log(num(2)))]);
}

/** A term c·exp(a) of a positive exponential sum (a = 0 for the constant term c). */
interface ExpTerm {
  readonly a: Expr;
  /** log of the term: a + log c. */
  readonly exponent: Expr;
}

/**
 * The terms of a sum of positive multiples of exponentials plus at most a positive constant
 * (at least one exponential, at least two terms), or undefined. Such a sum is positive
 * wherever its exponents are defined, which is what keeps the rewrites below domain-preserving.
 */
function positiveExpTerms(sum: Expr): ExpTerm[] | undefined {
  if (sum.op !== 'add') return undefined;
  const terms: ExpTerm[] = [];
  let exponentials = 0;
  for (const t of sum.args) {
    const scaled = t.op === 'mul' && t.args.length === 2 && t.args[0].op === 'num';
    const c = t.op === 'num' ? t.value! : scaled ? t.args[0].value! : ONE;
    const f = t.op === 'num' ? undefined : scaled ? t.args[1] : t;
    if (c.num <= 0n || (f !== undefined && f.op !== 'exp')) return undefined;
    if (f !== undefined) exponentials++;
    const a = f === undefined ? ZERO_EXPR : f.args[0];
    terms.push({ a, exponent: add(a, log(num(c))) });
  }
  return exponentials >= 1 && terms.length >= 2 ? terms : undefined;
}

/**
 * log(eᵃ + eᵇ) = m + softplus(a + b − 2m) with m = max(a, b) (a + b − 2m is −|a − b|): no
 * overflow, log1p accuracy where one term dominates. Written without |·| so that at a tie,
 * where max sends its derivative to one argument, the softplus term gives back the half: the
 * gradient is (½, ½) there, not (0, 1).
 */
function logSumExp2(a: Expr, b: Expr): Expr {
  const m = max(a, b);
  return add(m, softplus(addAll([a, b, mulAll([num(-2), m])])));
}

/** log Σ eᵉⁱ as nested two-term log-sum-exps. */
const logSumExpOf = (exponents: readonly Expr[]): Expr =>
  exponents.slice(1).reduce(logSumExp2, exponents[0]);

/**
 * log(c₀ + Σ cᵢ·exp(aᵢ)) (positive cᵢ) as a log-sum-exp: exp overflows beyond 709.78 and
 * underflows below −745, where the sum is still a float.
 */
function logSumExp(arg: Expr): Expr | undefined {
  const terms = positiveExpTerms(arg);
  return terms === undefined ? undefined : logSumExpOf(terms.map((t) => t.exponent));
}

/**
 * `n`·e^−L for L = log D: each term r·exp(a) of `n` (a an exponent of D, or a term without
 * exponentials when D has a constant term) as r·exp(a − L), which is at most r/c. Undefined
 * when a term does not fit or no term has an exponential of D.
 */
function weighted(n: Expr, known: ReadonlySet<Expr>, logD: Expr): Expr | undefined {
  const out: Expr[] = [];
  let matched = false;
  for (const t of n.op === 'add' ? n.args : [n]) {
    const factors = t.op === 'mul' ? t.args : [t];
    const k = factors.findIndex((f) => f.op === 'exp' && known.has(f.args[0]));
    if (k < 0 && (!known.has(ZERO_EXPR) || factors.some((f) => f.op === 'exp'))) return undefined;
    matched ||= k >= 0;
    const a = k < 0 ? ZERO_EXPR : factors[k].args[0];
    out.push(timesExp(mulAll(factors.filter((_, j) => j !== k)), sub(a, logD)));
  }
  return matched ? addAll(out) : undefined;
}

/**
 * Quotients of exponential sums, N^p·D^−k with N's exponentials among D's (the derivatives
 * of log D): with L = log D as a log-sum-exp, N/D = N·e^−L, a sum of softmax weights
 * exp(a − L) ≤ 1, finite where N and D both overflow (∞/∞); any other D^−k is e^(−k·L).
 * D is positive, so the domain is unchanged.
 */
function softmaxWeights(product: Expr): Expr | undefined {
  const factors = product.args;
  for (let i = 0; i < factors.length; i++) {
    const d = factors[i];
    const k = d.op === 'pow' ? d.args[1] : undefined;
    if (k === undefined || k.op !== 'num' || k.value!.den !== 1n || k.value!.num >= 0n) continue;
    const terms = positiveExpTerms(d.args[0]);
    if (terms === undefined) continue;
    const logD = logSumExpOf(terms.map((t) => t.exponent));
    const known = new Set(terms.map((t) => t.a));
    let left = -k.value!.num;
    const out: Expr[] = [];
    for (let j = 0; j < factors.length; j++) {
      if (j === i) continue;
      const f = factors[j];
      const e = f.op === 'pow' ? f.args[1] : ONE_EXPR;
      const [base, p] =
        e.op === 'num' && e.value!.den === 1n
          ? [f.op === 'pow' ? f.args[0] : f, e.value!.num]
          : [f, 0n];
      // exp(j·a) (the canonical form of exp(a)^j) is exp(a − L)^j.
      const times = f.op === 'exp' ? expMultiple(f.args[0], known, left) : undefined;
      if (times !== undefined) {
        out.push(exp(sub(f.args[0], mulAll([num(times), logD]))));
        left -= times;
        continue;
      }
      const w = p >= 1n && p <= left ? weighted(base, known, logD) : undefined;
      if (w === undefined) {
        out.push(f);
        continue;
      }
      out.push(pow(w, num(p)));
      left -= p;
    }
    // What is left of D^−k is e^(−k·L): as finite as D^−k, and it meets the exponentials
    // it multiplies (see distributeExp) where D overflows.
    return mulAll([...out, exp(mulAll([num(-left), logD]))]);
  }
  return undefined;
}

/** t·exp(b), merged into t's first exponential factor when it has one. */
function timesExp(t: Expr, b: Expr): Expr {
  const factors = t.op === 'mul' ? t.args : [t];
  const k = factors.findIndex((f) => f.op === 'exp');
  if (k < 0) return mulAll([...factors, exp(b)]);
  return mulAll(factors.map((f, j) => (j === k ? exp(add(f.args[0], b)) : f)));
}

const hasExpFactor = (t: Expr): boolean =>
  t.op === 'exp' || (t.op === 'mul' && t.args.some((f) => f.op === 'exp'));

/**
 * Exponentials in a product meet before anything overflows: exp(a)·exp(b) → exp(a + b) and
 * exp(b)·Σ rᵢ·exp(aᵢ) → Σ rᵢ·exp(aᵢ + b) (eᵘ·(eᵘ⁻ᴸ − e²ᵘ⁻²ᴸ), a Hessian entry of a
 * log-sum-exp, is ∞·0 where u > 709; eᵘ⁻ᴸ − … is not). exp never vanishes and is defined
 * wherever its exponent is, so the domain is unchanged.
 */
function mergeExponentials(product: Expr): Expr | undefined {
  const factors = product.args;
  const exps = factors.filter((f) => f.op === 'exp');
  if (exps.length === 0) return undefined;
  const others = factors.filter((f) => f.op !== 'exp');
  if (exps.length > 1) return mulAll([exp(addAll(exps.map((f) => f.args[0]))), ...others]);
  const b = exps[0].args[0];
  const i = others.findIndex((f) => f.op === 'add' && f.args.every(hasExpFactor));
  if (i < 0) return undefined;
  const terms = others[i].args.map((t) => timesExp(t, b));
  return mulAll([addAll(terms), ...others.filter((_, j) => j !== i)]);
}

/** D^k (k < 0) for a positive exponential sum D as e^(k·log D): finite where D overflows. */
function reciprocalExpSum(d: Expr, k: bigint): Expr | undefined {
  const terms = positiveExpTerms(d);
  if (terms === undefined) return undefined;
  return exp(mulAll([num(k), logSumExpOf(terms.map((t) => t.exponent))]));
}

/** The least j ≤ `most` with b/j an exponent in `known`, or undefined. */
function expMultiple(b: Expr, known: ReadonlySet<Expr>, most: bigint): bigint | undefined {
  for (let j = 1n; j <= most && j <= MAX_DEGREE; j++) if (known.has(div(b, num(j)))) return j;
  return undefined;
}

/** True for `|v|` and multiples of it (never negative: s + |v| does not cancel). */
const isAbsTerm = (t: Expr): boolean =>
  t.op === 'abs' || (t.op === 'mul' && t.args.some((f) => f.op === 'abs'));

/**
 * A sum with √(t² + c) + t (c > 0 a number, t any term): s + t cancels where t → −∞, and
 * c/(s − t), its other form, where t → +∞. With r = s + |t| (never cancels), s + t is r for
 * t ≥ 0 and c/r for t < 0: c^H(−t)·r^(1 − 2H(−t)), picked by the value of t (H(0) = 0), with
 * H′ = 0. Same domain: t's.
 */
function rootPlusLinear(sum: Expr): Expr | undefined {
  const terms = sum.args;
  // The roots first, by the square they hold: one pass over the other terms after (linear).
  const roots = new Map<Expr, [number, Expr]>();
  terms.forEach((s, i) => {
    if (s.op !== 'pow' || !isNumberValue(s.args[1], 1n, 2n)) return;
    const radicand = s.args[0];
    if (radicand.op !== 'add' || radicand.args.length !== 2) return;
    const [c, q] =
      radicand.args[0].op === 'num' ? radicand.args : [radicand.args[1], radicand.args[0]];
    if (c.op === 'num' && c.value!.num > 0n && !roots.has(q)) roots.set(q, [i, c]);
  });
  if (roots.size === 0) return undefined;
  for (let j = 0; j < terms.length; j++) {
    const t = terms[j];
    const root = isAbsTerm(t) ? undefined : roots.get(pow(t, num(2)));
    if (root === undefined || root[0] === j) continue;
    const [i, c] = root;
    // r = s + t·(1 − 2H(−t)) is s + |t|, with the derivative s′ + t′ at t = 0 (|t|′ is 0 there).
    const negative = heaviside(neg(t));
    const r = add(terms[i], mulAll([t, sub(1, mulAll([num(2), negative]))]));
    const form = mulAll([pow(c, negative), pow(r, sub(1, mulAll([num(2), negative])))]);
    return addAll([form, ...terms.filter((_, m) => m !== i && m !== j)]);
  }
  return undefined;
}

const isNumberValue = (e: Expr, n: bigint, d: bigint): boolean =>
  e.op === 'num' && e.value!.num === n && e.value!.den === d;

/** The stable form of one node whose arguments are already stable, or the node itself. */
function stableNode(node: Expr): Expr {
  switch (node.op) {
    case 'pow': {
      // (1 + exp(v))⁻ⁿ = σ(−v)ⁿ
      const e = node.args[1];
      const negative = e.op === 'num' && e.value!.den === 1n && e.value!.num < 0n;
      const v = negative ? onePlusExp(node.args[0]) : undefined;
      if (v !== undefined) return pow(sigmoid(neg(v)), neg(e));
      return negative ? (reciprocalExpSum(node.args[0], e.value!.num) ?? node) : node;
    }
    case 'log': {
      const a = node.args[0];
      // log(σ(u)) = −softplus(−u)
      if (a.op === 'sigmoid') return neg(softplus(neg(a.args[0])));
      // log(1 + exp(v)) = softplus(v)
      const v = onePlusExp(a);
      if (v !== undefined) return softplus(v);
      return logCosh(a) ?? logSumExp(a) ?? node;
    }
    case 'add':
      return (
        replaceOnePlus(node, negatedSigmoid, (u) => sigmoid(neg(u))) ??
        replaceOnePlus(
          node,
          (t) => negatedSquareOf(t, 'tanh'),
          (u) => mulAll([num(4), sigmoid(mulAll([num(2), u])), sigmoid(mulAll([num(-2), u]))]),
        ) ??
        factorPolynomial(node) ??
        rootPlusLinear(node) ??
        erfcForm(node) ??
        node
      );
    case 'mul':
      return (
        mergeRatio(node) ??
        distributeCancelling(node) ??
        softmaxWeights(node) ??
        mergeExponentials(node) ??
        node
      );
    default:
      return node;
  }
}

/**
 * A cache of stable forms: rewrites each distinct node once, however many expressions pass
 * through it.
 *
 * @example
 * ```ts
 * const forms = new StableForms();
 * forms.of(parse('1/(1 + exp(-x))')); // sigmoid(x)
 * forms.of(parse('log(1 - sigmoid(x))')); // -softplus(x)
 * ```
 */
export class StableForms {
  private readonly image = new Map<Expr, Expr>();

  /** The stable form of `expr` (or of its text). */
  of(input: ExprInput): Expr {
    const expr = toExpression(input, 'stableForm');
    const hit = this.image.get(expr);
    if (hit !== undefined) return hit;
    const [out] = mapBottomUp([expr], (node, args) => {
      const known = this.image.get(node);
      if (known !== undefined) return known;
      const rebuilt = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
      // A rewrite can expose another (1 − σ(u) inside a log): settle the new node too.
      let stable = stableNode(rebuilt);
      for (let guard = 0; stable !== rebuilt && guard < 4; guard++) {
        const again = stableNode(stable);
        if (again === stable) break;
        stable = again;
      }
      this.image.set(node, stable);
      return stable;
    });
    return out;
  }
}

/** The stable form of `expr` (see `StableForms` to share the work between expressions). */
export const stableForm = (expr: ExprInput): Expr => new StableForms().of(expr);

/**
 * The terms `u` of `log(1 + u)` (the argument without its term 1, in order), which float
 * code evaluates as log1p(u): exact for small u, where 1 + u would round u away. Undefined
 * when `arg` is not a sum with the term 1. `evaluate` and the code generator both read it.
 */
export function log1pTerms(arg: Expr): readonly Expr[] | undefined {
  if (arg.op !== 'add') return undefined;
  const rest = arg.args.filter((t) => !isNumber(t, 1n));
  return rest.length === arg.args.length - 1 ? rest : undefined;
}

/** A sum `±1 ∓ exp(u) + rest`, split for evaluation as ∓expm1(u) + rest (see `expm1Split`). */
export interface Expm1Split {
  /** The `exp(u)` node. */
  readonly exp: Expr;
  /** True for `1 − exp(u)` (that is −expm1(u)), false for `exp(u) − 1`. */
  readonly negated: boolean;
  /** The other terms, in order. */
  readonly rest: readonly Expr[];
}

/**
 * `exp(u) − 1` or `1 − exp(u)` among the terms of a sum, which float code evaluates as
 * ±expm1(u) (no cancellation for small u) followed by the other terms in order; undefined
 * when the sum has no such pair. `evaluate` and the code generator both read it.
 */
export function expm1Split(sum: Expr): Expm1Split | undefined {
  if (sum.op !== 'add') return undefined;
  const args = sum.args;
  const k = args.findIndex((t) => isNumber(t, 1n) || isNumber(t, -1n));
  if (k < 0) return undefined;
  const negated = isNumber(args[k], 1n);
  const j = args.findIndex((t) =>
    negated
      ? t.op === 'mul' && t.args.length === 2 && isNumber(t.args[0], -1n) && t.args[1].op === 'exp'
      : t.op === 'exp',
  );
  if (j < 0) return undefined;
  return {
    exp: negated ? args[j].args[1] : args[j],
    negated,
    rest: args.filter((_, i) => i !== j && i !== k),
  };
}
