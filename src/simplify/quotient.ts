/**
 * Quotients: `cancel` and `together` write every maximal rational subexpression (sums,
 * products and integer powers over atoms: symbols and anything else, such as `sin(x)`) as
 * one quotient over a factored denominator; `cancel` also divides out common factors by the
 * multivariate GCD over the rationals (ratform.ts). Both walk the DAG bottom-up,
 * iteratively, each distinct node once.
 */
import {
  add,
  type Expr,
  type ExprInput,
  isInteger,
  mapBottomUp,
  mul,
  postorder,
  pow,
  rebuild,
  toExpression,
} from '../expr/index.js';
import { termParts } from './factor.js';
import { formToExpr, RatContext, ratFormOf } from './ratform.js';

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

/** A sum, product or integer power: the structure a rational form looks through. */
const isRationalNode = (e: Expr): boolean =>
  e.op === 'add' ||
  e.op === 'mul' ||
  (e.op === 'pow' && e.args[1].op === 'num' && isInteger(e.args[1].value!));

/** A negative power anywhere in the rational structure below `e`. */
function hasNegativePower(e: Expr, seen: Map<Expr, boolean>): boolean {
  for (const n of postorder(e)) {
    if (seen.has(n)) continue;
    let v = false;
    if (isRationalNode(n)) {
      v =
        (n.op === 'pow' && n.args[1].value!.num < 0n) ||
        (n.op === 'pow' ? seen.get(n.args[0])! : n.args.some((a) => seen.get(a)!));
    }
    seen.set(n, v);
  }
  return seen.get(e)!;
}

/**
 * Rewrites the maximal rational subexpressions that have a denominator (the root, and the
 * arguments of functions and non-integer powers) as single quotients.
 */
function quotients(expr: Expr, cancelFactors: boolean): Expr {
  const roots = new Set<Expr>([expr]);
  for (const n of postorder(expr)) if (!isRationalNode(n)) for (const a of n.args) roots.add(a);
  const ctx = new RatContext({ exponentials: false, radicals: false }, 10_000, 1_000_000);
  const negative = new Map<Expr, boolean>();
  const [out] = mapBottomUp([expr], (node, args) => {
    const n = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
    if (!roots.has(node) || !isRationalNode(n) || !hasNegativePower(n, negative)) return n;
    const f = ratFormOf(n, ctx);
    return f === undefined ? n : (formToExpr(f, ctx, cancelFactors) ?? n);
  });
  return out;
}

/**
 * Cancels common factors of quotients: every maximal rational subexpression with a
 * denominator becomes `c·P/Q`, P expanded with coprime integer coefficients, Q the product
 * of its factors (kept as given, or multiplied out when that prints smaller), P and Q
 * coprime by the multivariate GCD over the rationals. Non-polynomial parts are atoms
 * (`sin(x)`, `sqrt(x)`); a sum of fractions is put over a common denominator first.
 *
 * @example
 * ```ts
 * format(cancel(parse('(x^2 - 1)/(x - 1)')));   // 'x + 1'
 * format(cancel(parse('(x^2 - y^2)/(x - y)')));  // 'x + y'
 * format(cancel(parse('(2*x + 2)/(x^2 - 1)')));  // '2/(x - 1)'
 * ```
 */
export function cancel(expr: ExprInput): Expr {
  return quotients(toExpression(expr, 'cancel'), true);
}

/**
 * Writes every maximal sum of fractions over a common denominator: the least common
 * multiple of the denominators, factor by factor (a factor shared by two terms is not
 * repeated, `x − 1` and `1 − x` are one factor), kept as a product or multiplied out when
 * that prints smaller. Unlike {@link cancel} it divides out no common factors of numerator
 * and denominator.
 *
 * @example
 * ```ts
 * format(together(parse('1/x + 1/y')));             // '(x + y)/(x*y)'
 * format(together(parse('1/(x - 1) - 1/(x + 1)'))); // '2/(x^2 - 1)'
 * ```
 */
export function together(expr: ExprInput): Expr {
  return quotients(toExpression(expr, 'together'), false);
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
