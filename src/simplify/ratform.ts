/**
 * Rational forms: an expression as N / Π Fᵢ^mᵢ over atoms, where N is a (Laurent)
 * polynomial and each Fᵢ a primitive polynomial kept as its own factor, so a common
 * denominator stays factored (`2/(x + 1)^2`, not `2/(x^2 + 2*x + 1)`). Atoms are symbols and
 * any subexpression that is not a sum, product or integer power; optionally `exp(k·u)` is
 * `exp(u)^k` (so exp(−u)/(1 + exp(−u)) = 1/(exp(u) + 1)) and `b^(p/q)` is `(b^(1/q))^p`
 * with `(b^(1/q))^q = b` (so √x and x^(3/2) combine). Cancellation uses the multivariate GCD
 * of mpoly.ts. Invariant: every form equals its expression wherever both are defined; all
 * polynomial work is budgeted and gives up (undefined) rather than grow.
 */
import {
  add,
  type Expr,
  fn,
  isInteger,
  isZero,
  memoPostorder,
  mul,
  num,
  ONE,
  pow,
  type Rational,
  ratContent,
  ratInv,
  ratMul,
  ratNeg,
  ratPowInt,
} from '../expr/index.js';
import { looksNegative } from './assume.js';
import { treeWeight } from './measure.js';
import * as D from './mpoly.js';
import {
  AtomTable,
  monoKey,
  type Poly,
  polyAdd,
  polyAtom,
  polyConst,
  polyMul,
  polyPow,
  polyScale,
  polyToExpr,
  polyWeight,
  powerWeights,
  productWeight,
  type Term,
} from './poly.js';

/** Which subexpressions get algebraic structure beyond plain atoms. */
export interface AtomPolicy {
  /** `exp(k·u)` for integer k is the k-th power of the atom `exp(u)` (Laurent in it). */
  readonly exponentials: boolean;
  /** `b^(p/q)` is the p-th power of the atom `b^(1/q)`, reduced by `(b^(1/q))^q = b`. */
  readonly radicals: boolean;
  /**
   * Pythagorean reduction: `'sin'` writes sin(u)² as 1 − cos(u)² (and sinh(u)² as
   * cosh(u)² − 1), `'cos'` the other way round; either way tan, sec, csc and cot become
   * quotients of sin and cos. Absent: trigonometric functions are plain atoms.
   */
  readonly pythagorean?: 'sin' | 'cos';
}

/** atom^power = base (a polynomial in other atoms). */
interface Relation {
  readonly power: number;
  readonly base: Poly;
}

/** A denominator factor: a primitive polynomial (positive-looking), its key and expression. */
export interface DenFactor {
  readonly poly: Poly;
  readonly key: string;
  readonly expr: Expr;
}

/** N / Π factor^exp. */
export interface RatForm {
  readonly num: Poly;
  readonly den: ReadonlyMap<string, { readonly factor: DenFactor; readonly exp: number }>;
}

/** Per-run state: atoms, their relations, memoised forms, interned denominator factors. */
export class RatContext {
  readonly atoms = new AtomTable();
  readonly relations = new Map<number, Relation>();
  readonly memo = new Map<Expr, RatForm | null>();
  private readonly factors = new Map<string, DenFactor>();

  /**
   * @param policy which atoms get structure
   * @param limit largest polynomial (terms) built
   * @param work polynomial work units per GCD or division
   */
  constructor(
    readonly policy: AtomPolicy,
    readonly limit = 256,
    readonly work = 20_000,
  ) {}

  /** The interned factor for a primitive, sign-normalised polynomial. */
  factor(poly: Poly, expr: Expr): DenFactor {
    const key = polyKey(poly);
    let f = this.factors.get(key);
    if (f === undefined) {
      f = { poly, key, expr };
      this.factors.set(key, f);
    }
    return f;
  }
}

const EMPTY_DEN: RatForm['den'] = new Map();

/** A canonical text key of a polynomial (terms sorted). */
export function polyKey(p: Poly): string {
  return [...p.entries()]
    .map(([k, t]) => `${k}:${t.coeff.num}/${t.coeff.den}`)
    .sort()
    .join(';');
}

const polyOf = (c: Rational, exps: Term['exps']): Poly =>
  isZero(c) ? new Map() : new Map([[monoKey(exps), { coeff: c, exps }]]);

/** The form of `e`, or undefined when it is too large or divides by zero. */
export function ratFormOf(e: Expr, ctx: RatContext): RatForm | undefined {
  return (
    memoPostorder(
      e,
      ctx.memo,
      (n) => formOfNode(n, ctx) ?? null,
      (n) => structuralArgs(n, ctx),
    ) ?? undefined
  );
}

/** Integer exponent of a power the form expands (0 when it is not one). */
function integerExponent(n: Expr): number {
  const e = n.args[1];
  if (e.op !== 'num' || !isInteger(e.value!)) return 0;
  const k = Number(e.value!.num);
  return Math.abs(k) <= 64 ? k : 0;
}

/** The exponent p/q of a radical power (q > 1, |p| small), or undefined. */
function radicalExponent(n: Expr): Rational | undefined {
  const e = n.args[1];
  if (e.op !== 'num' || isInteger(e.value!)) return undefined;
  const { num: p, den: q } = e.value!;
  return q <= 12n && p <= 64n && p >= -64n ? e.value! : undefined;
}

function structuralArgs(n: Expr, ctx: RatContext): readonly Expr[] {
  if (n.op === 'add' || n.op === 'mul') return n.args;
  if (n.op === 'pow') {
    if (integerExponent(n) !== 0) return [n.args[0]];
    if (ctx.policy.radicals && radicalExponent(n) !== undefined) return [n.args[0]];
  }
  return [];
}

function formOfNode(n: Expr, ctx: RatContext): RatForm | undefined {
  const get = (a: Expr): RatForm | undefined => ctx.memo.get(a) ?? undefined;
  switch (n.op) {
    case 'num':
      return { num: polyConst(n.value!), den: EMPTY_DEN };
    case 'add': {
      const forms: RatForm[] = [];
      for (const a of n.args) {
        const f = get(a);
        if (f === undefined) return undefined;
        forms.push(f);
      }
      return addForms(forms, ctx);
    }
    case 'mul': {
      let acc: RatForm | undefined = { num: polyConst(ONE), den: EMPTY_DEN };
      for (const a of n.args) {
        const f = get(a);
        if (f === undefined || acc === undefined) return undefined;
        acc = mulForms(acc, f, ctx);
      }
      return acc;
    }
    case 'pow': {
      const k = integerExponent(n);
      if (k !== 0) {
        const b = get(n.args[0]);
        if (b === undefined) return undefined;
        const base = k > 0 ? b : invertForm(b, ctx);
        return base === undefined ? undefined : powForm(base, Math.abs(k), ctx);
      }
      const r = ctx.policy.radicals ? radicalExponent(n) : undefined;
      if (r !== undefined) return radicalForm(n, r, ctx) ?? atomForm(n, ctx);
      return atomForm(n, ctx);
    }
    case 'exp':
      return ctx.policy.exponentials ? expForm(n, ctx) : atomForm(n, ctx);
    case 'sin':
    case 'cos':
    case 'sinh':
    case 'cosh':
    case 'tan':
    case 'sec':
    case 'csc':
    case 'cot':
      return ctx.policy.pythagorean === undefined ? atomForm(n, ctx) : trigForm(n, ctx);
    default:
      return atomForm(n, ctx);
  }
}

/** The partner of each function in its Pythagorean identity, and the identity's sign. */
const PARTNER: Readonly<
  Record<string, readonly [partner: 'sin' | 'cos' | 'sinh' | 'cosh', sign: bigint]>
> = {
  // sin² = 1 − cos², cos² = 1 − sin²; sinh² = cosh² − 1, cosh² = 1 + sinh².
  sin: ['cos', -1n],
  cos: ['sin', -1n],
  sinh: ['cosh', 1n],
  cosh: ['sinh', 1n],
};

/**
 * sin(u), cos(u) (and sinh, cosh) as atoms with the Pythagorean relation on the one the
 * policy reduces; tan, sec, csc, cot as quotients of sin and cos.
 */
function trigForm(n: Expr, ctx: RatContext): RatForm | undefined {
  const u = n.args[0];
  const atom = (f: 'sin' | 'cos'): RatForm => trigAtom(fn(f, [u]), ctx);
  switch (n.op) {
    case 'tan':
      return mulForms(atom('sin'), invertForm(atom('cos'), ctx)!, ctx);
    case 'cot':
      return mulForms(atom('cos'), invertForm(atom('sin'), ctx)!, ctx);
    case 'sec':
      return invertForm(atom('cos'), ctx);
    case 'csc':
      return invertForm(atom('sin'), ctx);
    default:
      return trigAtom(n, ctx);
  }
}

/** The atom sin(u) (etc.), registering its relation when the policy reduces it. */
function trigAtom(n: Expr, ctx: RatContext): RatForm {
  const reduced = ctx.policy.pythagorean === 'sin' ? ['sin', 'sinh'] : ['cos', 'cosh'];
  const i = ctx.atoms.indexOf(n);
  if (reduced.includes(n.op) && !ctx.relations.has(i)) {
    const [partner, sign] = PARTNER[n.op];
    const j = ctx.atoms.indexOf(fn(partner, [n.args[0]]));
    // f² = 1 + sign·g² for sin/cos (sign −1) and cosh (sign +1); sinh² = cosh² − 1.
    const one = n.op === 'sinh' ? -1n : 1n;
    const base = polyAdd(
      polyConst({ num: one, den: 1n }),
      polyScale(polyAtom(j, 2), { num: sign, den: 1n }),
    );
    ctx.relations.set(i, { power: 2, base });
  }
  return { num: polyAtom(i), den: EMPTY_DEN };
}

const atomForm = (n: Expr, ctx: RatContext, k = 1): RatForm => ({
  num: polyAtom(ctx.atoms.indexOf(n), k),
  den: EMPTY_DEN,
});

/** exp(k·u) → exp(u)^k for an integer k (the sign taken out of a negative-looking sum). */
function expForm(n: Expr, ctx: RatContext): RatForm {
  const u = n.args[0];
  let k = 1n;
  let core = u;
  if (u.op === 'mul' && u.args[0].op === 'num' && isInteger(u.args[0].value!)) {
    k = u.args[0].value!.num;
    core = mul(...u.args.slice(1));
  } else if (u.op === 'add' && looksNegative(u, true)) {
    k = -1n;
    core = mul(-1, u);
  } else if (u.op === 'num') return atomForm(n, ctx);
  if (k === 1n || k > 16n || k < -16n) return atomForm(n, ctx);
  return atomForm(fn('exp', [core]), ctx, Number(k));
}

/** b^(p/q) → s^p with s = b^(1/q) and the relation s^q = b, when b is a polynomial. */
function radicalForm(n: Expr, r: Rational, ctx: RatContext): RatForm | undefined {
  const base = ctx.memo.get(n.args[0]);
  if (base === undefined || base === null || base.den.size > 0 || base.num.size === 0)
    return undefined;
  if ([...base.num.values()].some((t) => t.exps.some(([, e]) => e < 0))) return undefined;
  const atom = pow(n.args[0], num({ num: 1n, den: r.den }));
  if (atom.op !== 'pow') return undefined;
  const i = ctx.atoms.indexOf(atom);
  if (!ctx.relations.has(i)) ctx.relations.set(i, { power: Number(r.den), base: base.num });
  return reduceForm({ num: polyAtom(i, Number(r.num)), den: EMPTY_DEN }, ctx);
}

/** Replaces s^e (e ≥ q) by s^(e mod q)·b^(e div q) for every atom with a relation. */
function reduce(p: Poly, ctx: RatContext): Poly | undefined {
  if (ctx.relations.size === 0) return p;
  let reducible = false;
  for (const t of p.values()) {
    for (const [i, e] of t.exps) {
      const rel = ctx.relations.get(i);
      if (rel !== undefined && e >= rel.power) reducible = true;
    }
  }
  if (!reducible) return p;
  let out: Poly = new Map();
  for (const t of p.values()) {
    let term: Poly | undefined = polyConst(t.coeff);
    const kept: [number, number][] = [];
    for (const [i, e] of t.exps) {
      const rel = ctx.relations.get(i);
      if (rel !== undefined && e >= rel.power) {
        const m = e % rel.power;
        if (m !== 0) kept.push([i, m]);
        const b = polyPow(rel.base, Math.floor(e / rel.power), ctx.limit);
        term = b === undefined || term === undefined ? undefined : polyMul(term, b, ctx.limit);
      } else kept.push([i, e]);
    }
    if (term === undefined) return undefined;
    const mono = polyOf(ONE, kept);
    const full = polyMul(term, mono, ctx.limit);
    if (full === undefined) return undefined;
    out = polyAdd(out, full);
    if (out.size > ctx.limit) return undefined;
  }
  return out;
}

function reduceForm(f: RatForm, ctx: RatContext): RatForm | undefined {
  const n = reduce(f.num, ctx);
  return n === undefined ? undefined : n === f.num ? f : { num: n, den: f.den };
}

function mulForms(a: RatForm, b: RatForm, ctx: RatContext): RatForm | undefined {
  const n = polyMul(a.num, b.num, ctx.limit);
  if (n === undefined) return undefined;
  let den = a.den;
  if (b.den.size > 0) {
    const merged = new Map(a.den);
    for (const [k, d] of b.den) {
      const old = merged.get(k);
      merged.set(k, { factor: d.factor, exp: (old?.exp ?? 0) + d.exp });
    }
    den = merged;
  }
  return reduceForm({ num: n, den }, ctx);
}

function powForm(f: RatForm, k: number, ctx: RatContext): RatForm | undefined {
  if (k === 1) return f;
  const n = polyPow(f.num, k, ctx.limit);
  if (n === undefined) return undefined;
  const den = new Map([...f.den].map(([key, d]) => [key, { factor: d.factor, exp: d.exp * k }]));
  return reduceForm({ num: n, den }, ctx);
}

/** 1/f: a monomial numerator inverts in place; a polynomial becomes a factor. */
function invertForm(f: RatForm, ctx: RatContext): RatForm | undefined {
  if (f.num.size === 0) return undefined;
  let num: Poly | undefined;
  let den: RatForm['den'] = EMPTY_DEN;
  if (f.num.size === 1) {
    const [t] = f.num.values();
    num = polyOf(
      ratInv(t.coeff),
      t.exps.map(([i, e]) => [i, -e] as const),
    );
  } else {
    const { factor, cofactor } = makeFactor(f.num, ctx);
    num = polyOf(
      ratInv(cofactor.coeff),
      cofactor.exps.map(([i, e]) => [i, -e] as const),
    );
    den = new Map([[factor.key, { factor, exp: 1 }]]);
  }
  // The old denominator moves up.
  for (const { factor, exp } of f.den.values()) {
    const p = polyPow(factor.poly, exp, ctx.limit);
    num = p === undefined || num === undefined ? undefined : polyMul(num, p, ctx.limit);
  }
  return num === undefined ? undefined : reduceForm({ num, den }, ctx);
}

/** The monomial every term shares: per atom, the least exponent (0 where it is absent). */
function monomialContent(p: Poly): Term['exps'] {
  const min = new Map<number, number>();
  for (const t of p.values()) for (const [i] of t.exps) min.set(i, 0);
  let first = true;
  for (const t of p.values()) {
    const here = new Map(t.exps);
    for (const [i, e] of min) {
      const x = here.get(i) ?? 0;
      min.set(i, first ? x : Math.min(e, x));
    }
    first = false;
  }
  return [...min].filter(([, e]) => e !== 0).sort((a, b) => a[0] - b[0]);
}

/** p / (c·m) for a rational c and a monomial m (exact term by term). */
function divideMonomial(p: Poly, c: Rational, m: Term['exps']): Poly {
  const inv = ratInv(c);
  const neg = m.map(([i, e]) => [i, -e] as const);
  const out = new Map<string, Term>();
  for (const t of p.values()) {
    const exps = mulExps(t.exps, neg);
    out.set(monoKey(exps), { coeff: ratMul(t.coeff, inv), exps });
  }
  return out;
}

function mulExps(x: Term['exps'], y: Term['exps']): [number, number][] {
  const m = new Map<number, number>(x);
  for (const [i, e] of y) m.set(i, (m.get(i) ?? 0) + e);
  return [...m].filter(([, e]) => e !== 0).sort((a, b) => a[0] - b[0]);
}

/**
 * A polynomial as content × primitive factor: the factor has coprime integer coefficients,
 * no monomial content, and looks positive (`x - 1`, not `1 - x`).
 */
function makeFactor(p: Poly, ctx: RatContext): { factor: DenFactor; cofactor: Term } {
  const m = monomialContent(p);
  let c = ratContent([...p.values()].map((t) => t.coeff));
  let q = divideMonomial(p, c, m);
  let expr = polyToExpr(q, ctx.atoms);
  if (looksNegative(expr, true)) {
    c = ratNeg(c);
    q = polyScale(q, { num: -1n, den: 1n });
    expr = polyToExpr(q, ctx.atoms);
  }
  return { factor: ctx.factor(q, expr), cofactor: { coeff: c, exps: m } };
}

/** Sum over the least common multiple of the denominators (factor by factor). */
function addForms(forms: readonly RatForm[], ctx: RatContext): RatForm | undefined {
  const lcm = new Map<string, { factor: DenFactor; exp: number }>();
  for (const f of forms) {
    for (const [k, d] of f.den) {
      const old = lcm.get(k);
      if (old === undefined || old.exp < d.exp) lcm.set(k, d);
    }
  }
  let total: Poly = new Map();
  for (const f of forms) {
    let n: Poly | undefined = f.num;
    for (const [k, d] of lcm) {
      const missing = d.exp - (f.den.get(k)?.exp ?? 0);
      if (missing === 0) continue;
      const p = polyPow(d.factor.poly, missing, ctx.limit);
      n = p === undefined || n === undefined ? undefined : polyMul(n, p, ctx.limit);
    }
    if (n === undefined) return undefined;
    total = polyAdd(total, n);
    if (total.size > ctx.limit) return undefined;
  }
  return reduceForm({ num: total, den: lcm }, ctx);
}

// ---------------------------------------------------------------------------------------
// GCD and division through the dense representation

/** The atoms of some polynomials, sorted, or undefined if an exponent is negative. */
function variablesOf(...ps: Poly[]): number[] | undefined {
  const vars = new Set<number>();
  for (const p of ps) {
    for (const t of p.values()) {
      for (const [i, e] of t.exps) {
        if (e < 0) return undefined;
        vars.add(i);
      }
    }
  }
  return [...vars].sort((a, b) => a - b);
}

/** Integer coefficients required (callers pass primitive polynomials). */
function toDense(p: Poly, vars: readonly number[]): D.Dense {
  const u = vars.length - 1;
  const root: D.Coeff[] = [];
  for (const t of p.values()) {
    if (t.coeff.den !== 1n) throw new Error('toDense: integer coefficients expected');
    const exps = new Map(t.exps);
    let arr: D.Coeff[] = root;
    for (let level = u; level >= 0; level--) {
      const e = exps.get(vars[u - level]) ?? 0;
      while (arr.length <= e) arr.push(level === 0 ? 0n : []);
      if (level === 0) arr[e] = (arr[e] as bigint) + t.coeff.num;
      else arr = arr[e] as D.Coeff[];
    }
  }
  return trimDeep(root, u);
}

function trimDeep(a: D.Coeff[], u: number): D.Dense {
  if (u > 0) for (let i = 0; i < a.length; i++) a[i] = trimDeep(a[i] as D.Coeff[], u - 1);
  while (a.length > 0 && D.isZero(a[a.length - 1], u - 1)) a.pop();
  return a;
}

function fromDense(d: D.Dense, vars: readonly number[]): Poly {
  const u = vars.length - 1;
  const out = new Map<string, Term>();
  const walk = (c: D.Coeff, level: number, exps: [number, number][]): void => {
    if (level < 0) {
      if (c === 0n) return;
      const sorted = [...exps].sort((a, b) => a[0] - b[0]);
      out.set(monoKey(sorted), { coeff: { num: c as bigint, den: 1n }, exps: sorted });
      return;
    }
    (c as D.Dense).forEach((x, e) => {
      walk(x, level - 1, e === 0 ? exps : [...exps, [vars[u - level], e]]);
    });
  };
  walk(d, u, []);
  return out;
}

/** a / b when b divides a (both with integer coefficients and no negative exponents). */
function polyExquo(a: Poly, b: Poly, ctx: RatContext): Poly | undefined {
  const vars = variablesOf(a, b);
  if (vars === undefined) return undefined;
  if (vars.length === 0) return undefined;
  const q = D.withBudget(ctx.work, () =>
    D.exquo(toDense(a, vars), toDense(b, vars), vars.length - 1),
  );
  return q === undefined ? undefined : fromDense(q as D.Dense, vars);
}

/** The non-constant gcd of two polynomials, or undefined (constant gcd, or over budget). */
function polyGcd(a: Poly, b: Poly, ctx: RatContext): Poly | undefined {
  const shared = new Set<number>();
  for (const t of a.values()) for (const [i] of t.exps) shared.add(i);
  let common = false;
  for (const t of b.values()) for (const [i] of t.exps) if (shared.has(i)) common = true;
  if (!common) return undefined;
  const vars = variablesOf(a, b);
  if (vars === undefined) return undefined;
  const g = D.withBudget(ctx.work, () =>
    D.gcd(toDense(a, vars), toDense(b, vars), vars.length - 1),
  );
  if (g === undefined || D.isConstant(g, vars.length - 1)) return undefined;
  return fromDense(g as D.Dense, vars);
}

// ---------------------------------------------------------------------------------------
// Back to expressions

/** Content c, monomial m and primitive remainder of a numerator. */
function splitNumerator(p: Poly): { c: Rational; m: Term['exps']; rest: Poly } {
  const m = monomialContent(p);
  const c = ratContent([...p.values()].map((t) => t.coeff));
  return { c, m, rest: divideMonomial(p, c, m) };
}

/**
 * The form as an expression with every common factor of numerator and denominators
 * cancelled: `c · monomial · N / Π Fᵢ^mᵢ`, N expanded and primitive, each Fᵢ its own factor.
 * Undefined when the work runs out.
 */
export function formToExpr(
  f: RatForm,
  ctx: RatContext,
  cancelFactors = true,
  within = Number.POSITIVE_INFINITY,
): Expr | undefined {
  if (f.num.size === 0) return num(0);
  let { c, m, rest } = splitNumerator(f.num);
  // Clearing the Laurent denominators can raise radicals to powers that reduce
  // (√x·x^(3/2) = x²), which may leave a new content.
  const reduced = reduce(rest, ctx);
  if (reduced === undefined) return undefined;
  if (reduced !== rest) {
    if (reduced.size === 0) return num(0);
    const again = splitNumerator(reduced);
    c = ratMul(c, again.c);
    m = mulExps(m, again.m);
    rest = again.rest;
  }
  let coeff = c;
  let n = rest;
  const den = new Map<string, { factor: DenFactor; exp: number }>(f.den);
  // Cancel factor by factor: whole factors by exact division, then common parts by GCD.
  const work = cancelFactors ? [...den.keys()] : [];
  while (work.length > 0) {
    const key = work.pop()!;
    const d = den.get(key);
    if (d === undefined || d.exp <= 0) continue;
    if (n.size === 1 && [...n.values()][0].exps.length === 0) break;
    const q = polyExquo(n, d.factor.poly, ctx);
    if (q !== undefined) {
      n = q;
      if (d.exp === 1) den.delete(key);
      else den.set(key, { factor: d.factor, exp: d.exp - 1 });
      work.push(key);
      continue;
    }
    const g = polyGcd(n, d.factor.poly, ctx);
    if (g === undefined) continue;
    const h = polyExquo(d.factor.poly, g, ctx);
    const nq = polyExquo(n, g, ctx);
    if (h === undefined || nq === undefined) continue;
    n = nq;
    den.delete(key);
    const gf = makeFactor(g, ctx);
    const hf = makeFactor(h, ctx);
    // d.factor = g·h = (cg·G)·(ch·H): the cofactors are numbers (no monomial content).
    coeff = ratMul(coeff, ratPowBig(ratInv(ratMul(gf.cofactor.coeff, hf.cofactor.coeff)), d.exp));
    coeff = ratMul(coeff, gf.cofactor.coeff); // one g cancelled against the numerator
    for (const [part, e] of [
      [gf.factor, d.exp - 1],
      [hf.factor, d.exp],
    ] as const) {
      if (e <= 0) continue;
      const old = den.get(part.key);
      den.set(part.key, { factor: part, exp: (old?.exp ?? 0) + e });
      work.push(part.key);
    }
  }
  if (estimate(coeff, m, n, den, ctx) > within + 2) return undefined;
  let numerator = collected(n, ctx);
  // A numerator of mostly negative terms takes the sign out: -(x^2 + y)/…, not (-x^2 - y)/….
  if (looksNegative(numerator, false)) {
    coeff = ratNeg(coeff);
    numerator = collected(polyScale(n, { num: -1n, den: 1n }), ctx);
  }
  const top = mul(num(coeff), polyToExpr(polyOf(ONE, m), ctx.atoms), numerator);
  const factored = mul(top, ...[...den.values()].map((d) => pow(d.factor.expr, -d.exp)));
  // Several factors may print smaller multiplied out: 2/(x^2 - 1), not 2/((x - 1)*(x + 1)).
  if (den.size < 2) return factored;
  let product: Poly | undefined = polyConst(ONE);
  for (const { factor, exp } of den.values()) {
    const p = polyPow(factor.poly, exp, ctx.limit);
    product = p === undefined || product === undefined ? undefined : polyMul(product, p, ctx.limit);
  }
  if (product === undefined) return factored;
  const expanded = mul(top, pow(polyToExpr(product, ctx.atoms), -1));
  return treeWeight(expanded) < treeWeight(factored) ? expanded : factored;
}

/**
 * A polynomial as printed smallest: expanded, or collected in one atom (Σ aᵏ·Pₖ with the
 * Pₖ free of a), as a text writes (1 − y)·eᶻ − y rather than eᶻ − y·eᶻ − y.
 */
function collected(p: Poly, ctx: RatContext): Expr {
  let best = polyToExpr(p, ctx.atoms);
  if (p.size < 3 || p.size > 16) return best;
  let bestWeight = treeWeight(best);
  const counts = new Map<number, number>();
  for (const t of p.values()) for (const [i] of t.exps) counts.set(i, (counts.get(i) ?? 0) + 1);
  for (const [i, count] of counts) {
    if (count < 2) continue;
    const groups = new Map<number, Map<string, Term>>();
    for (const t of p.values()) {
      const e = t.exps.find(([j]) => j === i)?.[1] ?? 0;
      const rest = t.exps.filter(([j]) => j !== i);
      const g = groups.get(e) ?? new Map<string, Term>();
      groups.set(e, g);
      g.set(monoKey(rest), { coeff: t.coeff, exps: rest });
    }
    if ([...groups.values()].every((g) => g.size < 2)) continue;
    const atom = ctx.atoms.atoms[i];
    const e = add(...[...groups].map(([k, g]) => mul(pow(atom, k), polyToExpr(g, ctx.atoms))));
    const w = treeWeight(e);
    if (w < bestWeight) {
      best = e;
      bestWeight = w;
    }
  }
  return best;
}

/** The tree weight of c·m·n/Π den (measure.ts's count), estimated without building it. */
function estimate(
  c: Rational,
  m: Term['exps'],
  n: Poly,
  den: ReadonlyMap<string, { readonly factor: DenFactor; readonly exp: number }>,
  ctx: RatContext,
): number {
  const { top, bottom } = powerWeights(m, ctx.atoms);
  if (n.size > 1) top.push(polyWeight(n, ctx.atoms));
  else if (n.size === 1) {
    const [t] = n.values();
    const more = powerWeights(t.exps, ctx.atoms);
    top.push(...more.top);
    bottom.push(...more.bottom);
  }
  for (const { factor, exp } of den.values()) {
    const w = treeWeight(factor.expr);
    bottom.push(exp === 1 ? w : w + 2);
  }
  return productWeight(c, top, bottom).w;
}

const ratPowBig = (r: Rational, k: number): Rational => ratPowInt(r, BigInt(k)) ?? r;
