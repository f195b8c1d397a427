/**
 * Quotients: `together` puts a sum of fractions over a common denominator; `cancel` reduces
 * quotients of polynomials in one variable by their GCD over the rationals (exact bigint
 * arithmetic). Both walk the DAG bottom-up, iteratively, each distinct node once.
 */
import {
  add,
  type Expr,
  mapBottomUp,
  memoPostorder,
  mul,
  num,
  ONE_EXPR,
  pow,
  ratInv,
  rebuild,
} from '../expr/index.js';
import { termParts } from './factor.js';
import { type RatFun, reduce, toRatFun, ucontent, udeg, upolyToExpr, uscale } from './poly.js';

/** What a node is, for cancellation: numeric, rational in one symbol, or neither. */
export type Kind = { readonly symbol: Expr | undefined } | 'other';

/** Classifies nodes bottom-up: rational functions of at most one symbol. */
function classify(node: Expr, kinds: Map<Expr, Kind>): Kind {
  switch (node.op) {
    case 'num':
      return { symbol: undefined };
    case 'sym':
      return { symbol: node };
    case 'add':
    case 'mul':
    case 'pow': {
      if (node.op === 'pow' && (node.args[1].op !== 'num' || node.args[1].value!.den !== 1n))
        return 'other';
      let symbol: Expr | undefined;
      for (const a of node.op === 'pow' ? [node.args[0]] : node.args) {
        const k = kinds.get(a)!;
        if (k === 'other') return 'other';
        if (k.symbol !== undefined) {
          if (symbol !== undefined && symbol !== k.symbol) return 'other';
          symbol = k.symbol;
        }
      }
      return { symbol };
    }
    default:
      return 'other';
  }
}

/** The expression of a reduced rational function: `c·P/Q` with P, Q primitive. */
export function ratFunToExpr(r: RatFun, x: Expr): Expr {
  if (r.num.length === 0) return num(0);
  const c = ucontent(r.num);
  const top = upolyToExpr(uscale(r.num, ratInv(c)), x);
  const bottom = udeg(r.den) <= 0 ? ONE_EXPR : pow(upolyToExpr(r.den, x), -1);
  return mul(num(c), top, bottom);
}

/**
 * The kind of `e`, classifying its not-yet-classified polynomial structure iteratively
 * (function nodes are 'other' without looking inside).
 */
export function kindOf(e: Expr, kinds: Map<Expr, Kind>): Kind {
  return memoPostorder(e, kinds, (n) => classify(n, kinds), polynomialChildren);
}

const polynomialChildren = (n: Expr): readonly Expr[] =>
  n.op === 'add' || n.op === 'mul' ? n.args : n.op === 'pow' ? [n.args[0]] : [];

/** True when the node is a product or power with a sum (or a power of one) in a denominator. */
export function hasDenominator(e: Expr): boolean {
  const negativePowerOfSum = (f: Expr): boolean =>
    f.op === 'pow' && f.args[1].op === 'num' && f.args[1].value!.num < 0n && f.args[0].op === 'add';
  if (e.op === 'mul') return e.args.some(negativePowerOfSum);
  if (e.op === 'add')
    return e.args.some(
      (t) => negativePowerOfSum(t) || (t.op === 'mul' && t.args.some(negativePowerOfSum)),
    );
  return negativePowerOfSum(e);
}

/**
 * Cancels common polynomial factors of quotients in one variable: every maximal
 * subexpression that is a rational function of a single symbol (numbers, that symbol, `+`,
 * `*`, integer powers) and has a denominator is rewritten as `c·P/Q` with P and Q expanded,
 * coprime, with integer coefficients. Quotients in several variables are left alone (their
 * numeric and monomial common factors are `simplify`'s job).
 *
 * @example
 * ```ts
 * format(cancel(parse('(x^2 - 1)/(x - 1)')));   // 'x + 1'
 * format(cancel(parse('(2*x + 2)/(x^2 - 1)')));  // '2/(x - 1)'
 * ```
 */
export function cancel(expr: Expr): Expr {
  const kinds = new Map<Expr, Kind>();
  const memos = new Map<Expr, Map<Expr, RatFun | null>>();
  const [out] = mapBottomUp([expr], (node, args) => {
    const n = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
    // kindOf, not classify: the rebuilt node's arguments may be new (canonical merging).
    const k = kindOf(n, kinds);
    if (k === 'other' || k.symbol === undefined || !hasDenominator(n)) return n;
    const r = cancelIn(n, k.symbol, memos) ?? n;
    kinds.set(r, k);
    return r;
  });
  return out;
}

/** `cancel` for one node known to be rational in `x`. */
export function cancelIn(
  n: Expr,
  x: Expr,
  memos: Map<Expr, Map<Expr, RatFun | null>>,
): Expr | undefined {
  let memo = memos.get(x);
  if (memo === undefined) {
    memo = new Map();
    memos.set(x, memo);
  }
  const r = toRatFun(n, x, memo);
  return r === undefined ? undefined : ratFunToExpr(reduce(r), x);
}

/**
 * Writes every sum of fractions over a common denominator, `a/b + c/d → (a·d + c·b)/(b·d)`,
 * bottom-up; the denominator is the product of each distinct denominator factor to its
 * highest power, so shared factors are not repeated. Quotients in one variable are then
 * cancelled (see {@link cancel}).
 *
 * @example
 * ```ts
 * format(together(parse('1/x + 1/y')));         // '(x + y)/(x*y)'
 * format(together(parse('1/(x - 1) - 1/(x + 1)'))); // '2/(x^2 - 1)'
 * ```
 */
export function together(expr: Expr): Expr {
  const [combined] = mapBottomUp([expr], (node, args) => {
    const n = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
    return n.op === 'add' ? togetherSum(n) : n;
  });
  return cancel(combined);
}

/** One sum over its common denominator (unchanged when no term has a denominator). */
export function togetherSum(n: Expr): Expr {
  // Denominator factors: bases with a negative numeric exponent, at their most negative.
  const dens = new Map<Expr, Expr>();
  const order: Expr[] = [];
  for (const t of n.args) {
    for (const [base, e] of termParts(t).factors) {
      if (e.op !== 'num' || e.value!.num >= 0n) continue;
      const old = dens.get(base);
      if (old === undefined) order.push(base);
      if (old === undefined || e.value!.num * old.value!.den < old.value!.num * e.value!.den)
        dens.set(base, e);
    }
  }
  if (order.length === 0) return n;
  // D = Π base^(−e): each term times D clears its own denominators.
  const d = mul(...order.map((b) => pow(b, mul(-1, dens.get(b)!))));
  const numerator = add(...n.args.map((t) => mul(t, d)));
  return mul(numerator, pow(d, -1));
}
