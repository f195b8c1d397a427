/**
 * Candidate rewrites that procedural rules keep only when smaller: the expanded polynomial,
 * the cancelled quotient, the sum over a common denominator. Their caches (polynomials,
 * classifications) live in the run's scratch space, keyed by node, so a DAG is converted once.
 */
import type { Expr } from '../expr/index.js';
import { termParts } from './factor.js';
import { treeWeight } from './measure.js';
import { AtomTable, type Poly, polyToExpr, polyWeight, toPoly } from './poly.js';
import { hasDenominator } from './quotient.js';
import { formToExpr, RatContext, ratFormOf } from './ratform.js';
import type { RuleContext } from './rule.js';

const POLY = {};
const RATFORMS = {};

/** Largest polynomial (in terms) the simplifier builds while looking for a smaller form. */
const POLY_LIMIT = 512;

const isPowOfSum = (f: Expr): boolean =>
  f.op === 'pow' &&
  f.args[0].op === 'add' &&
  f.args[1].op === 'num' &&
  f.args[1].value!.den === 1n &&
  f.args[1].value!.num > 1n;
const hasSumFactor = (e: Expr): boolean =>
  e.op === 'mul' && e.args.some((f) => f.op === 'add' || isPowOfSum(f));

const DEGREES = new WeakMap<Expr, ReadonlyMap<Expr, number>>();

/** Highest power of each base in a sum's terms (cached: one sum sits in many products). */
function degreesOf(sum: Expr): ReadonlyMap<Expr, number> {
  let most = DEGREES.get(sum);
  if (most === undefined) {
    const m = new Map<Expr, number>();
    for (const term of sum.args) {
      for (const [base, exp] of termParts(term).factors) {
        const d = exp.op === 'num' && exp.value!.den === 1n ? Math.abs(Number(exp.value!.num)) : 1;
        m.set(base, Math.max(m.get(base) ?? 0, d));
      }
    }
    most = m;
    DEGREES.set(sum, most);
  }
  return most;
}

/**
 * A rough bound on the number of terms expanding `e` gives (a gate, not a guarantee): the
 * smaller of Σ over terms of Π (terms of each sum factor), and Π over all bases of
 * (highest total degree in a term + 1). Cheap (no polynomial arithmetic, cached per sum), so hopeless expansions (a
 * product of 100 binomials in 100 different atoms) are not even started.
 */
function termBound(e: Expr): number {
  // Per term: the count from its sum factors, and every base's total degree in it.
  const degree = new Map<Expr, number>();
  let byTerms = 0;
  for (const t of e.op === 'add' ? e.args : [e]) {
    let terms = 1;
    const own = new Map<Expr, number>();
    for (const f of t.op === 'mul' ? t.args : [t]) {
      const k = isPowOfSum(f) ? Number(f.args[1].value!.num) : 1;
      const sum = f.op === 'add' ? f : isPowOfSum(f) ? f.args[0] : undefined;
      if (sum === undefined) {
        if (f.op !== 'num') {
          const [base, exp] = f.op === 'pow' ? f.args : [f, undefined];
          const d =
            exp === undefined
              ? 1
              : exp.op === 'num' && exp.value!.den === 1n
                ? Math.abs(Number(exp.value!.num))
                : 1;
          own.set(base, (own.get(base) ?? 0) + d);
        }
        continue;
      }
      terms *= sum.args.length ** k;
      for (const [base, d] of degreesOf(sum)) own.set(base, (own.get(base) ?? 0) + k * d);
      // More than 9 bases: at least 2¹⁰ monomials possible, and already too many terms.
      if (terms > POLY_LIMIT && own.size > 9) return Number.POSITIVE_INFINITY;
    }
    byTerms += terms;
    for (const [base, d] of own) degree.set(base, Math.max(degree.get(base) ?? 0, d));
  }
  let byDegree = 1;
  for (const d of degree.values()) byDegree *= d + 1;
  return Math.min(byTerms, byDegree);
}

/** The expansion of a sum or product that holds products (or powers) of sums. */
export function expandCandidate(node: Expr, ctx: RuleContext): Expr | undefined {
  const expandable =
    node.op === 'mul'
      ? hasSumFactor(node)
      : node.args.some((t) => hasSumFactor(t) || isPowOfSum(t));
  if (!expandable || termBound(node) > POLY_LIMIT) return undefined;
  const s = ctx.scratch(POLY, () => ({
    atoms: new AtomTable(),
    memo: new Map<Expr, Poly | null>(),
  }));
  const before = s.memo.size;
  const p = toPoly(node, s.atoms, POLY_LIMIT, s.memo);
  ctx.spend(s.memo.size - before + (p?.size ?? 0));
  // Only build the expansion when its estimated weight is smaller.
  if (p === undefined || polyWeight(p, s.atoms) >= treeWeight(node)) return undefined;
  return polyToExpr(p, s.atoms);
}

/**
 * True when a term has something a rational form can combine: a negative or fractional
 * power, or an exponential of a negative multiple (exp(−u) = 1/exp(u)).
 */
function hasQuotientPart(t: Expr): boolean {
  for (const f of t.op === 'mul' ? t.args : [t]) {
    if (f.op === 'pow' && f.args[1].op === 'num') {
      const v = f.args[1].value!;
      if (v.num < 0n || v.den !== 1n) return true;
    }
    if (f.op === 'exp') {
      const u = f.args[0];
      if (u.op === 'mul' && u.args[0].op === 'num' && u.args[0].value!.num < 0n) return true;
    }
  }
  return false;
}

/** Whether the rational form of a node may be smaller: a quotient to cancel or combine. */
export function mayCombine(node: Expr): boolean {
  if (node.op === 'add') return node.args.some(hasQuotientPart);
  if (node.op === 'mul')
    return (
      hasDenominator(node) || node.args.some((f) => f.op === 'add' && f.args.some(hasQuotientPart))
    );
  return hasDenominator(node);
}

/**
 * The node as one quotient over factored denominators, with common factors cancelled by
 * the multivariate GCD (ratform.ts): exponentials of negative multiples as reciprocals and
 * radicals of one base as powers of one root, so they combine.
 */
export function rationalCandidate(node: Expr, ctx: RuleContext): Expr | undefined {
  if (!mayCombine(node)) return undefined;
  const rc = ctx.scratch(RATFORMS, () => new RatContext({ exponentials: true, radicals: true }));
  const before = rc.memo.size;
  const f = ratFormOf(node, rc);
  ctx.spend(rc.memo.size - before + (f?.num.size ?? 0));
  // Expressions are built only when the estimate says the result may be smaller.
  return f === undefined ? undefined : formToExpr(f, rc, true, treeWeight(node));
}
