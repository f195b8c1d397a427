/**
 * Candidate rewrites that procedural rules keep only when smaller: the expanded polynomial,
 * the cancelled quotient, the sum over a common denominator. Their caches (polynomials,
 * classifications) live in the run's scratch space, keyed by node, so a DAG is converted once.
 */
import {
  type Expr,
  isNegativeTerm,
  isOne,
  isZero,
  memoPostorder,
  mul,
  num,
  ONE,
  ONE_EXPR,
  type Rational,
  ratAdd,
  ratCompare,
  ratContent,
  ratInv,
  ratMul,
  ratNeg,
  ZERO,
} from '../expr/index.js';
import { balanceFactors, balancesExactly, isPowerOfExpSum } from './expforms.js';
import { termParts } from './factor.js';
import { treeWeight } from './measure.js';
import { NodeCache } from './memo.js';
import {
  AtomTable,
  dense1ToPoly,
  type Poly,
  polyToExpr,
  polyWeight,
  toDense1,
  toPoly,
} from './poly.js';
import { hasDenominator } from './quotient.js';
import { formToExpr, RatContext, ratFormOf } from './ratform.js';
import type { RuleContext } from './rule.js';

const POLY = {};
const RATFORMS = {};

const MADE = {};

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

const DEGREES = new NodeCache<ReadonlyMap<Expr, number>>();

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
    DEGREES.settle().set(sum, most);
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

const SYMBOLS = new NodeCache<Expr | null>();

/**
 * The one symbol a polynomial expression is in (numbers, that symbol, sums, products,
 * integer powers), or undefined when it has another atom or two symbols. Cached per node.
 */
function onlySymbol(node: Expr): Expr | undefined {
  const CONST = node; // marks "no symbol yet" distinctly from null (not polynomial)
  const r = memoPostorder(
    node,
    SYMBOLS.has(node) ? SYMBOLS : SYMBOLS.settle(),
    (n): Expr | null => {
      if (n.op === 'num') return CONST;
      if (n.op === 'sym') return n;
      const polynomial =
        n.op === 'add' ||
        n.op === 'mul' ||
        (n.op === 'pow' &&
          n.args[1].op === 'num' &&
          n.args[1].value!.den === 1n &&
          n.args[1].value!.num > 0n);
      if (!polynomial) return null;
      let sym: Expr | undefined;
      for (const a of n.op === 'pow' ? [n.args[0]] : n.args) {
        const s = SYMBOLS.get(a)!;
        if (s === null) return null;
        if (s.op !== 'sym') continue;
        if (sym !== undefined && sym !== s) return null;
        sym = s;
      }
      return sym ?? CONST;
    },
    (n) => (n.op === 'add' || n.op === 'mul' ? n.args : n.op === 'pow' ? [n.args[0]] : []),
  );
  return r !== null && r.op === 'sym' ? r : undefined;
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
    dense: new Map<Expr, bigint[] | null>(),
  }));
  // One symbol, integer coefficients: dense arithmetic (the derivative of a product).
  const x = onlySymbol(node);
  if (x !== undefined) {
    const d = toDense1(node, x, POLY_LIMIT, s.dense);
    if (d !== undefined) {
      ctx.spend(d.length);
      return { p: dense1ToPoly(d, x, s.atoms), atoms: s.atoms };
    }
  }
  const before = s.memo.size;
  const p = toPoly(node, s.atoms, POLY_LIMIT, s.memo);
  ctx.spend(s.memo.size - before + (p?.size ?? 0));
  return p === undefined ? undefined : { p, atoms: s.atoms };
}

/**
 * Terms a product multiplies out to before like terms meet: Π over its sum factors of
 * (terms)^(power). Capped at 2⁵³ (only comparisons with small numbers matter).
 */
function productTerms(node: Expr): number {
  let n = 1;
  for (const f of node.args) {
    const sum = f.op === 'add' ? f : isPowOfSum(f) ? f.args[0] : undefined;
    if (sum !== undefined)
      n *= sum.args.length ** (f.op === 'add' ? 1 : Number(f.args[1].value!.num));
    if (n > 2 ** 53) return n;
  }
  return n;
}

/** Two or more sum factors (or a power of one times another), all in the same atoms. */
function sameAtomSums(node: Expr): boolean {
  let keys: ReadonlySet<AtomKey> | undefined;
  let count = 0;
  for (const f of node.args) {
    const sum = f.op === 'add' ? f : isPowOfSum(f) ? f.args[0] : undefined;
    if (sum === undefined) continue;
    count++;
    const k = atomKeys(sum);
    if (keys === undefined) keys = k;
    else if (k.size !== keys.size || [...k].some((x) => !keys!.has(x))) return false;
  }
  return count >= 2;
}

/** A product multiplied out shrinks only when its cross terms cancel, as in (x + 1)(x − 1). */
const MAX_PRODUCT_TERMS = 16;

/** The expansion of a sum or product that holds products (or powers) of sums. */
export function expandCandidate(node: Expr, ctx: RuleContext): Expr | undefined {
  if (!isExpandable(node)) return undefined;
  // A product multiplied out shrinks only when cross terms cancel, as in (x + 1)(x − 1):
  // small, and its sums in the same atoms. A big one (a sum of 17 terms times 1 − t²) never
  // does; a sum of such products can (the derivative of a product) and is tried as a whole.
  if (node.op === 'mul' && (productTerms(node) > MAX_PRODUCT_TERMS || !sameAtomSums(node)))
    return undefined;
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
      if (u.op === 'mul' && isNegativeTerm(u)) return true;
    }
  }
  return false;
}

/** Whether the rational form of a node may be smaller: a quotient to cancel or combine. */
export function mayCombine(node: Expr): boolean {
  if (node.op === 'add') return sumMayCombine(node);
  if (node.op === 'mul') return productMayCombine(node);
  return powerMayCombine(node);
}

const TRIG_QUOTIENTS: ReadonlySet<string> = new Set(['tan', 'sec', 'csc', 'cot']);
const TRIG_HEADS: ReadonlySet<string> = new Set([
  ...TRIG_QUOTIENTS,
  'sin',
  'cos',
  'sinh',
  'cosh',
  'tanh',
]);
const KEYS = new NodeCache<ReadonlySet<AtomKey>>();
const NO_KEYS: ReadonlySet<AtomKey> = new Set();

/**
 * An atom's key: a node's id and what kind of atom it names (ids are unique among live
 * nodes, so equal keys mean the same node). Numbers, not strings: keys are made for every
 * node the simplifier meets.
 */
type AtomKey = number;
const SYMBOL = 0;
const EXPONENTIAL = 1;
const TRIGONOMETRIC = 2;
const OTHER = 3;
const keyOf = (n: Expr, kind: number): AtomKey => n.id * 4 + kind;
/** The nodes standing for exp(c·u)'s atom u (its coefficient-free core), built once per exponential. */
const CORES = new NodeCache<Expr>();

function expCore(n: Expr): Expr {
  let core = CORES.get(n);
  if (core === undefined) {
    const u = n.args[0];
    core = u.op === 'mul' && u.args[0].op === 'num' ? mul(...u.args.slice(1)) : u;
    CORES.settle().set(n, core);
  }
  return core;
}

/**
 * The atoms a rational form of `e` would relate, coarsely: symbols, exponentials by their
 * argument without its sign (exp(−u) and exp(u) are one atom), sines and cosines of one
 * argument together, other atoms by identity. Two parts that share none cannot cancel.
 */
function atomKeys(e: Expr): ReadonlySet<AtomKey> {
  return memoPostorder(
    e,
    KEYS.has(e) ? KEYS : KEYS.settle(),
    (n) => {
      switch (n.op) {
        case 'num':
          return NO_KEYS;
        case 'sym':
          return new Set([keyOf(n, SYMBOL)]);
        case 'exp':
          return new Set([keyOf(expCore(n), EXPONENTIAL)]);
        case 'add':
        case 'mul':
        case 'pow': {
          const parts = n.op === 'pow' ? [n.args[0]] : n.args;
          if (n.op === 'pow' && n.args[1].op !== 'num') return new Set([keyOf(n, OTHER)]);
          const out = new Set<AtomKey>();
          for (const a of parts) for (const k of KEYS.get(a)!) out.add(k);
          return out;
        }
        default:
          return new Set([
            TRIG_HEADS.has(n.op) ? keyOf(n.args[0], TRIGONOMETRIC) : keyOf(n, OTHER),
          ]);
      }
    },
    (n) =>
      n.op === 'add' || n.op === 'mul' || (n.op === 'pow' && n.args[1].op === 'num')
        ? n.op === 'pow'
          ? [n.args[0]]
          : n.args
        : [],
  );
}

const shares = (a: ReadonlySet<AtomKey>, b: ReadonlySet<AtomKey>): boolean => {
  for (const k of a) if (b.has(k)) return true;
  return false;
};

const isNegativePower = (f: Expr): boolean =>
  f.op === 'pow' && f.args[1].op === 'num' && f.args[1].value!.num < 0n;

/** Atom keys of a factor's numerator: a sum's terms without their denominators. */
function numeratorKeys(f: Expr): ReadonlySet<AtomKey> {
  if (f.op !== 'add') return atomKeys(f);
  const out = new Set<AtomKey>();
  for (const t of f.args)
    for (const g of t.op === 'mul' ? t.args : [t])
      if (!isNegativePower(g)) for (const k of atomKeys(g)) out.add(k);
  return out;
}

/**
 * A power of a sum with a negative exponent: its rational form differs only when the sum
 * holds a true quotient (1/(1/x + 1) → x/(x + 1)); a reciprocal exponential in it only
 * grows (1/(exp(−x) + 1) → exp(x)/(exp(x) + 1)).
 */
const powerMayCombine = (node: Expr): boolean =>
  hasDenominator(node) &&
  node.args[0].args.some((t) => (t.op === 'mul' ? t.args : [t]).some(isNegativePower));

/**
 * Whether a sum of fractions among a product's factors can gain from going over its own
 * denominator: it combines on its own, or its denominators meet the product's numerator
 * ((1/(x + 1) − y)·(x + 1) → 1 − y·(x + 1)).
 */
function fractionMayCancel(product: Expr, sum: Expr): boolean {
  if (sumMayCombine(sum)) return true;
  const others = new Set<AtomKey>();
  for (const f of product.args)
    if (f !== sum && !isNegativePower(f)) for (const k of atomKeys(f)) others.add(k);
  for (const t of sum.args) {
    for (const f of t.op === 'mul' ? t.args : [t]) {
      if (isNegativePower(f) && shares(atomKeys(f.args[0]), others)) return true;
    }
  }
  return false;
}

/**
 * Whether a sum factor of a product can shrink the product by going over its denominators
 * (`together-in-product`), decided without building anything; `inverted` when the sum is
 * the base of a negative power (its denominators then go up: c²·(u²/c² + 1) → u² + c²). The builder merges equal
 * bases and distributes numeric multiples of sums, nothing else, so the product shrinks
 * only when (a) a denominator of the sum is the base of a positive power among the other
 * factors, and cancels ((1/s − y)·s → 1 − y·s), or (b) it is a denominator of the product
 * too, so the two merge, and the new numerator can collapse: a term that is a number over
 * all but one sum denominator s (to the first power) becomes c·s, which is distributed so
 * like terms meet ((x + y)/(x − y) + 2 → (3x − y)/(x − y)).
 */
export function denominatorMeetsFactor(product: Expr, sum: Expr, inverted = false): boolean {
  const dens = denominatorsOf(sum);
  if (dens.size === 0) return false;
  let merges = false;
  for (const g of product.args) {
    if (g === sum || (g.op === 'pow' && g.args[0] === sum)) continue;
    const base = g.op === 'pow' ? g.args[0] : g;
    if (!dens.has(base)) continue;
    // Under a negative power the sum's denominators go up, and cancel what is below; only
    // denominators that are not sums (a sum there is the rational forms' business: put over
    // its own denominator here, it could no longer meet the sums around the product).
    if (isNegativePower(g) === inverted && !(inverted && base.op === 'add')) return true;
    merges = true;
  }
  return !inverted && merges && sum.args.some((t) => numberTimesOneSum(t, dens));
}

/** A sum's denominators, base → most negative exponent (as togetherSum takes them). */
function denominatorsOf(sum: Expr): Map<Expr, Rational> {
  const dens = new Map<Expr, Rational>();
  for (const t of sum.args) {
    for (const f of t.op === 'mul' ? t.args : [t]) {
      if (!isNegativePower(f)) continue;
      const e = f.args[1].value!;
      const old = dens.get(f.args[0]);
      if (old === undefined || ratCompare(e, old) < 0) dens.set(f.args[0], e);
    }
  }
  return dens;
}

/** t·D is c·s for a sum s, D the common denominator `dens`: t is a number over the rest of D. */
function numberTimesOneSum(t: Expr, dens: ReadonlyMap<Expr, Rational>): boolean {
  const own = new Map<Expr, Rational>();
  for (const f of t.op === 'mul' ? t.args : [t]) {
    if (f.op === 'num') continue;
    if (!isNegativePower(f)) return false;
    own.set(f.args[0], f.args[1].value!);
  }
  let left: Expr | undefined;
  for (const [base, e] of dens) {
    const rest = ratAdd(ratNeg(e), own.get(base) ?? ZERO);
    if (isZero(rest)) continue;
    if (left !== undefined || base.op !== 'add' || !isOne(rest)) return false;
    left = base;
  }
  return left !== undefined;
}

/** A numerator factor and a denominator factor (or two denominator sums) that may cancel. */
function productMayCombine(node: Expr): boolean {
  const top: Expr[] = [];
  const sums: Expr[] = [];
  const bottom: Expr[] = [];
  const fractions: Expr[] = [];
  for (const f of node.args) {
    if (f.op === 'num') continue;
    const negative = f.op === 'pow' && f.args[1].op === 'num' && f.args[1].value!.num < 0n;
    const base = f.op === 'pow' ? f.args[0] : f;
    if (negative && base.op === 'add') sums.push(base);
    else if (negative) bottom.push(base);
    else top.push(f);
    if (!negative && base.op === 'add' && base.args.some(hasQuotientPart)) fractions.push(base);
  }
  // A quotient by tanh(u) meets another hyperbolic function of u (through sinh/cosh).
  for (const b of bottom) {
    if (b.op !== 'tanh') continue;
    const k = keyOf(b.args[0], TRIGONOMETRIC);
    if (top.some((f) => atomKeys(f).has(k))) return true;
  }
  if (sums.length === 0 && fractions.length === 0) return false;
  const topKeys = new Set<AtomKey>();
  for (const f of top) for (const k of numeratorKeys(f)) topKeys.add(k);
  // A sum of fractions among the factors: it combines on its own, or its denominators meet
  // the rest of the numerator ((1/s − y)·s).
  for (const sum of fractions) if (fractionMayCancel(node, sum)) return true;
  if (sums.length === 0) return false;
  for (let i = 0; i < sums.length; i++) {
    const k = atomKeys(sums[i]);
    if (shares(k, topKeys) || bottom.some((b) => shares(k, atomKeys(b)))) return true;
    for (let j = i + 1; j < sums.length; j++) if (shares(k, atomKeys(sums[j]))) return true;
  }
  return false;
}

/**
 * Two terms with quotient parts, or one with a denominator that shares atoms with its own
 * numerator or the other terms (1 − (x − 1)/(x + 1) → 2/(x + 1)); a lone 1/(u + 1) − y or
 * exp(−u) + 1 over a common denominator only grows.
 */
function sumMayCombine(node: Expr): boolean {
  let q: Expr | undefined;
  for (const t of node.args) {
    if (!hasQuotientPart(t)) continue;
    if (q !== undefined) return true;
    q = t;
  }
  if (q === undefined) return false;
  const others = new Set<AtomKey>();
  for (const t of node.args) if (t !== q) for (const k of atomKeys(t)) others.add(k);
  // The quotient's denominators: negative powers, and the sines and cosines of tan etc.
  const parts = q.op === 'mul' ? q.args : [q];
  const dens = parts.filter(
    (f) => isNegativePower(f) || TRIG_QUOTIENTS.has((f.op === 'pow' ? f.args[0] : f).op),
  );
  const numKeys = new Set<AtomKey>();
  for (const f of parts) if (!dens.includes(f)) for (const k of atomKeys(f)) numKeys.add(k);
  // Constants meet too: 1 − 1/(e⁻ᶻ + 1) = e⁻ᶻ/(e⁻ᶻ + 1), and 1 − cos²/sin² through sin² + cos².
  const constant = node.args.some((t) => t.op === 'num');
  return dens.some((d) => {
    const base = d.op === 'pow' ? d.args[0] : d;
    const keys = atomKeys(base);
    if (shares(keys, others) || shares(keys, numKeys)) return true;
    if (!constant) return false;
    return (
      (base.op === 'add' && base.args.some((t) => t.op === 'num')) ||
      [...keys].some((k) => k % 4 === TRIGONOMETRIC)
    );
  });
}

/**
 * The node as one quotient over factored denominators, with common factors cancelled by
 * the multivariate GCD (ratform.ts): exponentials of negative multiples as reciprocals and
 * radicals of one base as powers of one root, so they combine. A product is combined group
 * by group: factors that share no atom cannot cancel or merge (the GCD of polynomials in
 * disjoint atoms is a number, and their product multiplied out is never smaller), so each
 * group of factors that do is put over its own denominator, at the cost of that group only.
 */
export function rationalCandidate(node: Expr, ctx: RuleContext): Expr | undefined {
  if (!mayCombine(node)) return undefined;
  if (node.op !== 'mul') return combined(node, ctx);
  const groups = interactingGroups(node);
  if (groups.length === 1) return combined(node, ctx);
  // Each group is combined with the product's number (a content can merge with it:
  // 4·(6s⁶/r⁷ − 12s¹²/r¹³) → 24s⁶(r⁶ − 2s⁶)/r¹³), which is divided out again after.
  const c = node.args[0].op === 'num' ? node.args[0] : undefined;
  const parts: Expr[] = [];
  let changed = false;
  for (const group of groups) {
    // Alone, a factor gains only by merging a content with the number.
    if (group.length === 1 && (c === undefined || !mayCombine(group[0]) || !hasContent(group[0]))) {
      parts.push(group[0]);
      continue;
    }
    // Exponentials that balance exactly are left to the finishing rule (hyperbolic forms).
    const sub = balancesExactly(group) ? undefined : mul(c ?? ONE_EXPR, ...group);
    const r = sub?.op === 'mul' && mayCombine(sub) ? combined(sub, ctx) : undefined;
    if (r === undefined) parts.push(...group);
    else {
      changed = true;
      parts.push(c === undefined ? r : mul(r, num(ratInv(c.value!))));
    }
  }
  if (!changed) return undefined;
  return mul(c ?? ONE_EXPR, ...parts);
}

/**
 * A product with its groups of interacting factors (interactingGroups) that balance
 * exactly written as hyperbolic functions (exp-over-sum-hyperbolic), or undefined. A group
 * shares no atom with the rest of the product, so nothing else could have combined with it.
 */
export function balancedGroups(node: Expr): Expr | undefined {
  if (!node.args.some((f) => f.op === 'exp') || !node.args.some(isPowerOfExpSum)) return undefined;
  let scale = node.args[0].op === 'num' ? node.args[0].value! : ONE;
  let changed = false;
  const parts = interactingGroups(node).map((group) => {
    if (group.length < 2 || !balancesExactly(group)) return group;
    const h = balanceFactors(ONE, group);
    if (h === undefined) return group;
    changed = true;
    scale = ratMul(scale, h.scale);
    return h.factors;
  });
  if (!changed) return undefined;
  return mul(num(scale), ...parts.flat());
}

/** A numeric content other than ±1 in a sum factor (or the base of a power of one). */
function hasContent(f: Expr): boolean {
  const sum = f.op === 'pow' ? f.args[0] : f;
  if (sum.op !== 'add') return true;
  const c = ratContent(sum.args.map((t) => termParts(t).coeff));
  return !(c.den === 1n && (c.num === 1n || c.num === -1n));
}

/**
 * Non-numeric factors of a product in groups that share atoms (atomKeys; a factor the
 * rational form keeps whole, an opaque sum or factor, is its own atom), in factor order.
 */
function interactingGroups(node: Expr): Expr[][] {
  const factors = node.args.filter((a) => a.op !== 'num');
  const parent = factors.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const owner = new Map<AtomKey, number>();
  factors.forEach((f, i) => {
    const base = f.op === 'pow' ? f.args[0] : f;
    const whole = opaqueFactor(node, f) || (base.op === 'add' && opaque(base));
    for (const k of whole ? [keyOf(f, OTHER)] : atomKeys(f)) {
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else parent[root(i)] = root(j);
    }
  });
  const groups = new Map<number, Expr[]>();
  factors.forEach((f, i) => {
    const r = root(i);
    const g = groups.get(r);
    if (g === undefined) groups.set(r, [f]);
    else g.push(f);
  });
  return [...groups.values()];
}

/**
 * Rational-form work a run may spend: a floor that covers any textbook-sized input, plus
 * a share per input node, so that the work grows linearly with the input however many
 * quotients it holds. Units: nodes converted to forms, numerator terms and nodes built.
 */
const RATIONAL_WORK_FLOOR = 4000;
const RATIONAL_WORK_PER_NODE = 40;
const RATIONAL_WORK = {};

/** The node (a quotient, or a group of a product's factors) over one denominator, or undefined. */
function combined(node: Expr, ctx: RuleContext): Expr | undefined {
  // A rational form's own output is already one (normalising it again tries it again).
  const made = ctx.scratch(MADE, () => new WeakSet<Expr>());
  if (made.has(node)) return undefined;
  const budget = ctx.scratch(RATIONAL_WORK, () => ({
    left: RATIONAL_WORK_FLOOR + RATIONAL_WORK_PER_NODE * ctx.inputSize,
  }));
  if (budget.left <= 0) return undefined;
  const contexts = ctx.scratch(RATFORMS, () => ({
    plain: new RatContext(
      { exponentials: true, radicals: true },
      256,
      20_000,
      opaque,
      opaqueFactor,
    ),
    sin: new RatContext(
      { exponentials: true, radicals: true, pythagorean: 'sin' },
      256,
      20_000,
      opaque,
      opaqueFactor,
    ),
    cos: new RatContext(
      { exponentials: true, radicals: true, pythagorean: 'cos' },
      256,
      20_000,
      opaque,
      opaqueFactor,
    ),
    sinTanh: new RatContext(
      { exponentials: true, radicals: true, pythagorean: 'sin', tanh: true },
      256,
      20_000,
      opaque,
      opaqueFactor,
    ),
    cosTanh: new RatContext(
      { exponentials: true, radicals: true, pythagorean: 'cos', tanh: true },
      256,
      20_000,
      opaque,
      opaqueFactor,
    ),
  }));
  let best: Expr | undefined;
  let bound = treeWeight(node);
  // With a sine and a cosine of one argument, sin² + cos² = 1 may cancel more: try reducing either.
  // A quotient by tanh is one of cosh by sinh: then tanh takes part too.
  const tanh = hasTanhBelow(node);
  const policies = !hasTrigPair(node, tanh)
    ? [contexts.plain]
    : tanh
      ? [contexts.plain, contexts.sinTanh, contexts.cosTanh]
      : [contexts.plain, contexts.sin, contexts.cos];
  for (const rc of policies) {
    const before = rc.memo.size;
    const f = ratFormOf(node, rc);
    // Expressions are built only when the estimate says the result may be smaller.
    const e = f === undefined ? undefined : formToExpr(f, rc, true, bound);
    const work = rc.memo.size - before + (f?.num.size ?? 0) + (e === undefined ? 0 : treeWeight(e));
    ctx.spend(work);
    budget.left -= work;
    if (e !== undefined && treeWeight(e) < bound) {
      best = e;
      bound = treeWeight(e);
    }
  }
  if (best !== undefined) made.add(best);
  return best;
}

/**
 * A sum with a fraction that would only grow over its own denominator (1/(eᵘ + 1) − y)
 * stays one atom inside a larger quotient: the rest can still cancel, at a fraction of the
 * work. (Sums with only reciprocal atoms, x²/y² + 1 or exp(−x) + 1, are always opened.)
 */
const opaque = (sum: Expr): boolean => hasDenominator(sum) && !sumMayCombine(sum);

/**
 * A denominator 1/(e⁻ᵘ + 1) whose exponential the rest of the numerator never mentions
 * stays as written inside a product: clearing it would only move eᵘ up
 * (eᵘ/(eᵘ + 1)), a node larger, and cost the work of doing so.
 */
function opaqueFactor(product: Expr, f: Expr): boolean {
  let set = OPAQUE.get(product);
  if (set === undefined) {
    set = new Set(product.args.filter((g) => isOpaqueIn(product, g)));
    OPAQUE.settle().set(product, set);
  }
  return set.has(f);
}

const OPAQUE = new NodeCache<ReadonlySet<Expr>>();

function isOpaqueIn(product: Expr, f: Expr): boolean {
  if (!isNegativePower(f) || f.args[0].op !== 'add') return false;
  const keys = new Set<AtomKey>();
  for (const t of f.args[0].args) {
    for (const g of t.op === 'mul' ? t.args : [t]) {
      if (isNegativePower(g)) return false;
      if (g.op === 'exp' && hasQuotientPart(g)) for (const k of atomKeys(g)) keys.add(k);
    }
  }
  if (keys.size === 0) return false;
  for (const g of product.args)
    if (g !== f && !isNegativePower(g) && shares(numeratorKeys(g), keys)) return false;
  return true;
}

/** True when the rational structure of `node` divides by a power of tanh. */
function hasTanhBelow(node: Expr): boolean {
  const stack = [node];
  const seen = new Set<Expr>();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n) || !(n.op === 'add' || n.op === 'mul' || n.op === 'pow')) continue;
    seen.add(n);
    if (
      n.op === 'pow' &&
      n.args[0].op === 'tanh' &&
      n.args[1].op === 'num' &&
      n.args[1].value!.num < 0n
    )
      return true;
    stack.push(...n.args);
  }
  return false;
}

/** Bits of the functions a Pythagorean relation ties together (tan, sec, … are both sides). */
const TRIG_BITS: Readonly<Record<string, number>> = {
  sin: 1,
  cos: 2,
  tan: 3,
  sec: 3,
  csc: 3,
  cot: 3,
  sinh: 4,
  cosh: 8,
};

/**
 * True when the rational structure of `node` reaches both sides of a Pythagorean identity
 * for one argument: sin(u) and cos(u) (or a quotient of them such as tan(u)), or sinh(u)
 * and cosh(u). The identity relates two functions, so with one alone it cannot cancel
 * anything and the reduced policies are not worth their work.
 */
function hasTrigPair(node: Expr, tanh: boolean): boolean {
  const stack = [node];
  const seen = new Set<Expr>();
  const found = new Map<Expr, number>();
  while (stack.length > 0) {
    const n = stack.pop()!;
    const bit = n.op === 'tanh' && tanh ? 12 : TRIG_BITS[n.op];
    if (bit !== undefined) {
      const m = (found.get(n.args[0]) ?? 0) | bit;
      if ((m & 3) === 3 || (m & 12) === 12) return true;
      found.set(n.args[0], m);
      continue;
    }
    if (seen.has(n) || !(n.op === 'add' || n.op === 'mul' || n.op === 'pow')) continue;
    seen.add(n);
    stack.push(...n.args);
  }
  return false;
}
