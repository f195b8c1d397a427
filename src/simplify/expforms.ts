/**
 * Exponential forms: the finishing rule `exp-over-sum-hyperbolic` balances e^w/(eᵛ ± 1)ⁿ
 * into cosh or sinh of v/2 when the exponentials meet. It only recognises exact shapes
 * (multiples of the terms of v), decided without building anything, weighs the candidate
 * before building it, and the caller keeps it only when smaller.
 */
import {
  add,
  addAll,
  type Expr,
  fn,
  mul,
  num,
  ONE,
  pow,
  type Rational,
  ratAdd,
  ratMul,
  splitCoefficient,
} from '../expr/index.js';
import { looksNegative } from './assume.js';
import {
  linearCombinationWeight,
  negatedSumWeight,
  scaledProductWeight,
  treeWeight,
} from './measure.js';
import { NodeCache } from './memo.js';

/**
 * `−u` with the sign pushed into a sum's terms (the builder keeps `−1·(a + b)` as a product).
 *
 * @example
 * ```ts
 * format(negate(parse('x - y'))); // 'y - x'
 * ```
 */
export const negate = (u: Expr): Expr =>
  u.op === 'add' ? addAll(u.args.map((t) => mul(-1, t))) : mul(-1, u);

/** ±1 ± exp(v): the sign of the exponential, the constant and v (undefined otherwise). */
function expPlusOne(sum: Expr): { sign: 1 | -1; constant: 1 | -1; v: Expr } | undefined {
  if (sum.op !== 'add' || sum.args.length !== 2) return undefined;
  const [c, t] = sum.args;
  if (c.op !== 'num' || c.value!.den !== 1n || (c.value!.num !== 1n && c.value!.num !== -1n))
    return undefined;
  const constant = c.value!.num === 1n ? 1 : -1;
  if (t.op === 'exp') return { sign: 1, constant, v: t.args[0] };
  const negated =
    t.op === 'mul' &&
    t.args.length === 2 &&
    t.args[0].op === 'num' &&
    t.args[0].value!.num === -1n &&
    t.args[0].value!.den === 1n &&
    t.args[1].op === 'exp';
  return negated ? { sign: -1, constant, v: t.args[1].args[0] } : undefined;
}

/**
 * exp-over-sum-hyperbolic: in a product with exp(w) and (s·eᵛ + c)^k (k a negative integer,
 * s, c = ±1), s·eᵛ + c = s·2·e^(v/2)·h(v/2) with h = cosh when s = c, else sinh, so the
 * pair becomes s^k·2^k·h(v/2)^k·exp(w + k·v/2). Pairs are balanced one after the other on a
 * list of factors while each makes the product smaller (weighed without building it: the
 * exponentials must meet, usually to exp(0) = 1), and the product is built once.
 */
export function expOverSum(node: Expr): Expr | undefined {
  if (!node.args.some((f) => f.op === 'exp') || !node.args.some(isPowerOfExpSum)) return undefined;
  const lead = node.args[0].op === 'num' ? node.args[0].value! : ONE;
  const balanced = balanceFactors(
    lead,
    node.args.filter((a) => a.op !== 'num'),
    treeWeight(node),
  );
  if (balanced === undefined) return undefined;
  const out = mul(num(balanced.scale), ...balanced.factors);
  return treeWeight(out) < treeWeight(node) ? out : undefined;
}

/**
 * The balance of `scale·factors` (exp-over-sum-hyperbolic) as a number and the new factors
 * (built: the hyperbolic powers and the leftover exponentials), when it is lighter than
 * `weight`; the product itself is not built. The exponentials are kept as split terms of
 * their arguments until the end, so the steps weigh and change coefficients without
 * building anything.
 */
export function balanceFactors(
  scale: Rational,
  factors: readonly Expr[],
  weight = scaledProductWeight(scale, factors),
): { scale: Rational; factors: Expr[] } | undefined {
  let state: Balance = {
    scale,
    factors: factors.filter((a) => a.op !== 'exp'),
    hyperbolic: [],
    exps: factors
      .filter((a) => a.op === 'exp')
      .map((g) => ({ source: g, terms: termsOf(g.args[0]) })),
    weight,
  };
  let changed = false;
  for (let step = 0; step < 8; step++) {
    const next = balanceOnce(state);
    if (next === undefined) break;
    state = next;
    changed = true;
  }
  if (!changed) return undefined;
  const exps = state.exps.map(
    (x) =>
      x.source ?? fn('exp', [add(...x.terms.map((t) => mul(num(t.coefficient), ...t.factors)))]),
  );
  return {
    scale: state.scale,
    factors: [...state.factors, ...state.hyperbolic.map((h) => h.power()), ...exps],
  };
}

/** (±1 ± exp(v))^k for a negative integer k: the factor exp-over-sum-hyperbolic balances. */
export const isPowerOfExpSum = (f: Expr): boolean =>
  f.op === 'pow' &&
  f.args[1].op === 'num' &&
  f.args[1].value!.den === 1n &&
  f.args[1].value!.num < 0n &&
  expPlusOne(f.args[0]) !== undefined;

const sameFactors = (a: readonly Expr[], b: readonly Expr[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Split terms: the terms of a sum, or the one term. */
const termsOf = (e: Expr): SplitTerm[] => (e.op === 'add' ? e.args : [e]).map(splitCoefficient);

/** A term as its rational coefficient and the rest of its factors. */
interface SplitTerm {
  readonly coefficient: Rational;
  readonly factors: readonly Expr[];
}

/**
 * The terms of w + m·v when every term of v is a multiple of a term of w, else undefined:
 * only then do the exponentials meet. Terms that cancel are left out.
 */
function shiftedExponent(
  w: readonly SplitTerm[],
  v: readonly SplitTerm[],
  m: Rational,
): SplitTerm[] | undefined {
  const coeffs = w.map((t) => t.coefficient);
  for (const t of v) {
    const i = w.findIndex((u) => sameFactors(u.factors, t.factors));
    if (i < 0) return undefined;
    coeffs[i] = ratAdd(coeffs[i], ratMul(m, t.coefficient));
  }
  return w
    .map((t, i) => ({ coefficient: coeffs[i], factors: t.factors }))
    .filter((t) => t.coefficient.num !== 0n);
}

/**
 * A product during balancing: its number, its other factors, its exponentials (as split
 * terms of their arguments; `source` is the original node while unchanged) and its weight.
 */
interface Balance {
  readonly scale: Rational;
  readonly factors: readonly Expr[];
  /** Balanced sums: their hyperbolic factors, built only for the final product. */
  readonly hyperbolic: readonly Hyperbolic[];
  readonly exps: readonly { readonly source?: Expr; readonly terms: readonly SplitTerm[] }[];
  readonly weight: number;
}

/** The best single balancing step that makes the product smaller. */
function balanceOnce(state: Balance): Balance | undefined {
  let best: Balance | undefined;
  for (const f of state.factors) {
    if (!isPowerOfExpSum(f)) continue;
    const h = hyperbolicOf(f);
    if (h === undefined) continue;
    state.exps.forEach((g, j) => {
      const left = shiftedExponent(g.terms, h.vTerms, { num: h.k, den: 2n });
      if (left === undefined) return;
      const factors = state.factors.filter((a) => a !== f);
      const hyperbolic = [...state.hyperbolic, h];
      const exps = state.exps.filter((_, i) => i !== j);
      if (left.length > 0) exps.push({ terms: left });
      const scale = ratMul(state.scale, h.scale);
      const weight = scaledProductWeight(
        scale,
        factors,
        exps.map((x) =>
          x.source !== undefined ? treeWeight(x.source) : 2 + linearCombinationWeight(x.terms),
        ),
        hyperbolic.map((x) => x.below),
      );
      if (weight < (best ?? state).weight) best = { scale, factors, hyperbolic, exps, weight };
    });
  }
  return best;
}

/**
 * What a factor (s·eᵛ + c)^k is worth to the balance: the split terms of v, the factor that
 * replaces it (h(v/2)^k, the half argument sign-normalised) and the number it leaves.
 * Cached per factor: one sum sits in many products, and the steps revisit it.
 */
interface Hyperbolic {
  readonly k: bigint;
  readonly vTerms: readonly SplitTerm[];
  /** h(v/2)^k, built on first use (testing a balance needs only the terms). */
  readonly power: () => Expr;
  /** The printed weight of h(v/2)^(−k) as a denominator, found without building it. */
  readonly below: number;
  readonly scale: Rational;
}

const HYPERBOLIC = new NodeCache<Hyperbolic | null>();
const HALF: Rational = { num: 1n, den: 2n };

function hyperbolicOf(f: Expr): Hyperbolic | undefined {
  let h = HYPERBOLIC.get(f);
  if (h === undefined) {
    h = null;
    const k = f.op === 'pow' && f.args[1].op === 'num' ? f.args[1].value! : undefined;
    const form =
      k !== undefined && k.den === 1n && k.num < 0n && k.num >= -16n
        ? expPlusOne(f.args[0])
        : undefined;
    if (k !== undefined && form !== undefined) {
      // cosh is even and sinh odd: the half argument is taken with its sign out.
      let sign = form.sign === -1 && k.num % 2n !== 0n ? -1n : 1n;
      const cosh = form.sign === form.constant;
      const negative = looksNegative(form.v, true);
      if (negative && !cosh && k.num % 2n !== 0n) sign = -sign;
      // v/2 with v's sign out, built once (a product's coefficient is halved in place).
      const v = form.v;
      let power: Expr | undefined;
      const build = (): Expr => {
        const { coefficient: c, factors: rest } = splitCoefficient(v);
        const half =
          v.op === 'add'
            ? mul(num({ num: 1n, den: 2n }), negative ? negate(v) : v)
            : mul(num(ratMul({ num: c.num < 0n ? -c.num : c.num, den: c.den }, HALF)), ...rest);
        return pow(fn(cosh ? 'cosh' : 'sinh', [half]), num(k));
      };
      const { coefficient: c, factors: rest } = splitCoefficient(v);
      const halfWeight =
        v.op === 'add'
          ? scaledProductWeight(
              { num: 1n, den: 2n },
              [],
              [negative ? negatedSumWeight(v) : treeWeight(v)],
            )
          : scaledProductWeight(
              ratMul({ num: c.num < 0n ? -c.num : c.num, den: c.den }, HALF),
              rest,
            );
      h = {
        k: k.num,
        below: 2 + halfWeight + (k.num === -1n ? 0 : 2),
        vTerms: (v.op === 'add' ? v.args : [v]).map(splitCoefficient),
        power: () => {
          power ??= build();
          return power;
        },
        scale: { num: sign, den: 2n ** -k.num },
      };
    }
    HYPERBOLIC.settle().set(f, h);
  }
  return h ?? undefined;
}

/**
 * True when some factors are exponentials and powers of ±1 ± eᵛ only, and balancing them
 * pair by pair leaves no exponential: exp-over-sum-hyperbolic writes such a group as a
 * number times hyperbolic functions, no larger than any quotient of them, so combining it
 * over a common denominator would be wasted work. Decided on split terms, building nothing.
 */
export function balancesExactly(factors: readonly Expr[]): boolean {
  const exps: SplitTerm[][] = [];
  const sums: Hyperbolic[] = [];
  for (const f of factors) {
    if (f.op === 'exp') exps.push(termsOf(f.args[0]));
    else {
      const h = isPowerOfExpSum(f) ? hyperbolicOf(f) : undefined;
      if (h === undefined) return false;
      sums.push(h);
    }
  }
  if (exps.length === 0 || sums.length === 0) return false;
  for (const h of sums) {
    const j = exps.findIndex((terms) => shiftedExponent(terms, h.vTerms, { num: h.k, den: 2n }));
    if (j < 0) return false;
    exps[j] = shiftedExponent(exps[j], h.vTerms, { num: h.k, den: 2n })!;
  }
  return exps.every((terms) => terms.length === 0);
}
