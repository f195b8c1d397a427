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

/** True when a sum or product holds products (or powers) of sums, so expanding can help. */
export const isExpandable = (node: Expr): boolean =>
  node.op === 'mul'
    ? hasSumFactor(node)
    : node.op === 'add' && node.args.some((t) => hasSumFactor(t) || isPowOfSum(t));

/** The expanded polynomial of `node`, from the run's cache, or undefined when too large. */
export function expandedPoly(
  node: Expr,
  ctx: RuleContext,
): { p: Poly; atoms: AtomTable } | undefined {
  if (termBound(node) > POLY_LIMIT) return undefined;
  const s = ctx.scratch(POLY, () => ({
    atoms: new AtomTable(),
    memo: new Map<Expr, Poly | null>(),
  }));
  const before = s.memo.size;
  const p = toPoly(node, s.atoms, POLY_LIMIT, s.memo);
  ctx.spend(s.memo.size - before + (p?.size ?? 0));
  return p === undefined ? undefined : { p, atoms: s.atoms };
}

/** The expansion of a sum or product that holds products (or powers) of sums. */
export function expandCandidate(node: Expr, ctx: RuleContext): Expr | undefined {
  if (!isExpandable(node)) return undefined;
  const x = expandedPoly(node, ctx);
  // Only build the expansion when its estimated weight is smaller.
  if (x === undefined || polyWeight(x.p, x.atoms) >= treeWeight(node)) return undefined;
  return polyToExpr(x.p, x.atoms);
}

/**
 * True when a term has something a rational form can combine: a negative or fractional
 * power, an exponential of a negative multiple (exp(−u) = 1/exp(u)), or a trigonometric
 * quotient (tan = sin/cos, sec, csc, cot).
 */
function hasQuotientPart(t: Expr): boolean {
  for (const f of t.op === 'mul' ? t.args : [t]) {
    if (f.op === 'pow' && f.args[1].op === 'num') {
      const v = f.args[1].value!;
      if (v.num < 0n || v.den !== 1n) return true;
    }
    // tan, sec, csc, cot are quotients of sin and cos.
    const g = f.op === 'pow' ? f.args[0] : f;
    if (g.op === 'tan' || g.op === 'sec' || g.op === 'csc' || g.op === 'cot') return true;
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
  const contexts = ctx.scratch(RATFORMS, () => ({
    plain: new RatContext({ exponentials: true, radicals: true }),
    sin: new RatContext({ exponentials: true, radicals: true, pythagorean: 'sin' }),
    cos: new RatContext({ exponentials: true, radicals: true, pythagorean: 'cos' }),
  }));
  let best: Expr | undefined;
  let bound = treeWeight(node);
  // With sines and cosines about, sin² + cos² = 1 may cancel more: try reducing either.
  const policies = hasTrig(node) ? [contexts.plain, contexts.sin, contexts.cos] : [contexts.plain];
  for (const rc of policies) {
    const before = rc.memo.size;
    const f = ratFormOf(node, rc);
    ctx.spend(rc.memo.size - before + (f?.num.size ?? 0));
    // Expressions are built only when the estimate says the result may be smaller.
    const e = f === undefined ? undefined : formToExpr(f, rc, true, bound);
    if (e !== undefined && treeWeight(e) < bound) {
      best = e;
      bound = treeWeight(e);
    }
  }
  return best;
}

const TRIG = new Set(['sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'sinh', 'cosh']);

/** True when the rational structure of `node` reaches a trigonometric function. */
function hasTrig(node: Expr): boolean {
  const stack = [node];
  const seen = new Set<Expr>();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (TRIG.has(n.op)) return true;
    if (seen.has(n) || !(n.op === 'add' || n.op === 'mul' || n.op === 'pow')) continue;
    seen.add(n);
    stack.push(...n.args);
  }
  return false;
}
