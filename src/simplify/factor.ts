/**
 * Common factors of sums: the numeric content (gcd of the coefficients) and the bases every
 * term shares, with the smallest exponent. Pulling them out of a sum that sits in a product
 * lets the canonical builder cancel them against the other factors (`(2x+2)/(x+1) → 2`).
 */
import {
  type Expr,
  isZero,
  leadingCoefficient,
  mul,
  num,
  ONE,
  ONE_EXPR,
  pow,
  type Rational,
  ratAdd,
  ratCompare,
  ratContent,
  ratInv,
  ratMul,
  ratNeg,
} from '../expr/index.js';

/** A term split into its coefficient and its factors as [base, exponent] pairs. */
export interface TermParts {
  readonly coeff: Rational;
  readonly factors: readonly (readonly [Expr, Expr])[];
}

/** Splits a term: `-3*x^2*y` → coefficient −3, factors [[x, 2], [y, 1]]. */
export function termParts(t: Expr): TermParts {
  if (t.op === 'num') return { coeff: t.value!, factors: [] };
  const asFactor = (f: Expr): readonly [Expr, Expr] =>
    f.op === 'pow' ? [f.args[0], f.args[1]] : [f, ONE_EXPR];
  if (t.op !== 'mul') return { coeff: ONE, factors: [asFactor(t)] };
  const coeff = leadingCoefficient(t);
  return {
    coeff: coeff ?? ONE,
    factors: (coeff !== undefined ? t.args.slice(1) : t.args).map(asFactor),
  };
}

/** The common factor of some terms: coefficient and shared [base, exponent] pairs. */
export interface CommonFactor {
  readonly coeff: Rational;
  readonly factors: readonly (readonly [Expr, Expr])[];
}

/**
 * The greatest common factor of `terms`: the rational content (negative when every
 * coefficient is, or when `negate` says so) and every base present in all terms, with the
 * exponent closest to zero when the exponents are numbers of one sign, or the exponent
 * itself when all terms share the same symbolic exponent.
 */
export function commonFactor(terms: readonly Expr[], negate = false): CommonFactor {
  const parts = terms.map(termParts);
  const content = ratContent(parts.map((p) => p.coeff));
  const allNegative = parts.every((p) => p.coeff.num < 0n);
  const coeff = isZero(content) ? ONE : allNegative || negate ? ratNeg(content) : content;
  // Bases of the first term, kept when every other term has them.
  const factors: (readonly [Expr, Expr])[] = [];
  for (const [base, exp] of parts[0].factors) {
    let best: Expr | undefined = exp;
    for (let i = 1; i < parts.length && best !== undefined; i++) {
      const other = parts[i].factors.find(([b]) => b === base);
      best = other === undefined ? undefined : smallerExponent(best, other[1]);
    }
    if (best !== undefined) factors.push([base, best]);
  }
  return { coeff, factors };
}

/** The exponent to factor out given two: same sign numbers → closer to zero; equal → itself. */
function smallerExponent(a: Expr, b: Expr): Expr | undefined {
  if (a === b) return a;
  if (a.op !== 'num' || b.op !== 'num') return undefined;
  const x = a.value!;
  const y = b.value!;
  if (x.num > 0n && y.num > 0n) return ratCompare(x, y) <= 0 ? a : b;
  if (x.num < 0n && y.num < 0n) return ratCompare(x, y) >= 0 ? a : b;
  return undefined;
}

/** True when the common factor is just 1. */
export const isTrivial = (c: CommonFactor): boolean =>
  c.factors.length === 0 && c.coeff.num === 1n && c.coeff.den === 1n;

/** The common factor as an expression. */
export function commonToExpr(c: CommonFactor): Expr {
  return mul(num(c.coeff), ...c.factors.map(([b, e]) => pow(b, e)));
}

/** `term / common`, exactly, for a term the common factor divides. */
export function divideTerm(t: Expr, c: CommonFactor): Expr {
  const p = termParts(t);
  const coeff = ratMul(p.coeff, ratInv(c.coeff));
  const out: Expr[] = [num(coeff)];
  for (const [base, exp] of p.factors) {
    const shared = c.factors.find(([b]) => b === base);
    if (shared === undefined) out.push(pow(base, exp));
    else if (shared[1] === exp) continue;
    else {
      const d = ratAdd(exp.value!, ratNeg(shared[1].value!));
      if (!isZero(d)) out.push(pow(base, num(d)));
    }
  }
  return mul(...out);
}
