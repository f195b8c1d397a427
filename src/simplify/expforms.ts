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
} from '../expr/index.js';
import { looksNegative } from './assume.js';
import { scaledProductWeight, treeWeight } from './measure.js';

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
  let scale = node.args[0].op === 'num' ? node.args[0].value! : ONE;
  let factors = node.args.filter((a) => a.op !== 'num');
  let weight = treeWeight(node);
  for (let step = 0; step < 8; step++) {
    const next = balanceOnce(scale, factors, weight);
    if (next === undefined) break;
    ({ scale, factors, weight } = next);
  }
  if (weight === treeWeight(node)) return undefined;
  const out = mul(num(scale), ...factors);
  return treeWeight(out) < treeWeight(node) ? out : undefined;
}

/** (±1 ± exp(v))^k for a negative integer k: the factor exp-over-sum-hyperbolic balances. */
const isPowerOfExpSum = (f: Expr): boolean =>
  f.op === 'pow' &&
  f.args[1].op === 'num' &&
  f.args[1].value!.den === 1n &&
  f.args[1].value!.num < 0n &&
  expPlusOne(f.args[0]) !== undefined;

/** A term as its rational coefficient and the rest of its factors. */
function coefficientSplit(e: Expr): { c: Rational; rest: readonly Expr[] } {
  if (e.op === 'num') return { c: e.value!, rest: [] };
  if (e.op === 'mul' && e.args[0].op === 'num')
    return { c: e.args[0].value!, rest: e.args.slice(1) };
  return { c: ONE, rest: e.op === 'mul' ? e.args : [e] };
}

const sameFactors = (a: readonly Expr[], b: readonly Expr[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * w + m·v when every term of v is a multiple of a term of w (v given as split terms), else
 * undefined: only then do the exponentials meet.
 */
function shiftedExponent(
  w: Expr,
  v: readonly { c: Rational; rest: readonly Expr[] }[],
  m: Rational,
): Expr | undefined {
  const terms = (w.op === 'add' ? w.args : [w]).map(coefficientSplit);
  const coeffs = terms.map((t) => t.c);
  for (const t of v) {
    const i = terms.findIndex((u) => sameFactors(u.rest, t.rest));
    if (i < 0) return undefined;
    coeffs[i] = ratAdd(coeffs[i], ratMul(m, t.c));
  }
  return add(...terms.map((t, i) => mul(num(coeffs[i]), ...t.rest)));
}

/** The best single balancing step on `scale·factors` that makes it smaller than `weight`. */
function balanceOnce(
  scale: Rational,
  factors: readonly Expr[],
  weight: number,
): { scale: Rational; factors: Expr[]; weight: number } | undefined {
  let best: { scale: Rational; factors: Expr[]; weight: number } | undefined;
  for (const f of factors) {
    if (f.op !== 'pow' || f.args[1].op !== 'num' || f.args[1].value!.den !== 1n) continue;
    const k = f.args[1].value!.num;
    if (k >= 0n || k < -16n) continue;
    const form = expPlusOne(f.args[0]);
    if (form === undefined) continue;
    const vTerms = (form.v.op === 'add' ? form.v.args : [form.v]).map(coefficientSplit);
    for (const g of factors) {
      if (g.op !== 'exp') continue;
      const left = shiftedExponent(g.args[0], vTerms, { num: k, den: 2n });
      if (left === undefined) continue;
      // cosh is even and sinh odd: the half argument is taken with its sign out.
      let sign = form.sign === -1 && k % 2n !== 0n ? -1n : 1n;
      let half = mul(num({ num: 1n, den: 2n }), form.v);
      const cosh = form.sign === form.constant;
      if (looksNegative(half, true)) {
        half = negate(half);
        if (!cosh && k % 2n !== 0n) sign = -sign;
      }
      const h = fn(cosh ? 'cosh' : 'sinh', [half]);
      const next = factors.filter((a) => a !== f && a !== g);
      next.push(pow(h, num(k)));
      if (left.op !== 'num' || left.value!.num !== 0n) next.push(fn('exp', [left]));
      const nextScale = ratMul(scale, { num: sign, den: 2n ** -k });
      const w = scaledProductWeight(nextScale, next);
      if (w < (best?.weight ?? weight)) best = { scale: nextScale, factors: next, weight: w };
    }
  }
  return best;
}
