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
  ratAdd,
  ratContent,
  ratInv,
  ratMul,
  ratNeg,
  ratPowInt,
  splitCoefficient,
} from '../expr/index.js';
import { looksNegative } from './assume.js';
import { negatedSumWeight, productWeightOf, treeWeight } from './measure.js';
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
  /**
   * With a Pythagorean policy, tanh(u) as sinh(u)/cosh(u) too (for quotients by tanh: the
   * derivative form 1 − tanh²u is otherwise kept as written).
   */
  readonly tanh?: boolean;
}

/** atom^power = base (a polynomial in other atoms). */
interface Relation {
  readonly power: number;
  readonly base: Poly;
}

/**
 * A denominator factor: a primitive polynomial whose leading term is positive, its key,
 * its printed weight, and its expression (built on first use: most factors are only
 * compared and weighed, never printed).
 */
export class DenFactor {
  private built: Expr | undefined;
  private measured: number | undefined;

  constructor(
    readonly poly: Poly,
    readonly key: string,
    private readonly atoms: AtomTable,
  ) {}

  get expr(): Expr {
    this.built ??= polyToExpr(this.poly, this.atoms);
    return this.built;
  }

  get weight(): number {
    this.measured ??= polyWeight(this.poly, this.atoms);
    return this.measured;
  }
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
    /** Sums kept as atoms (not put over their denominators); default none. */
    readonly opaque: (sum: Expr) => boolean = () => false,
    /** Factors of a product kept as atoms there; default none. */
    readonly opaqueFactor: (product: Expr, factor: Expr) => boolean = () => false,
  ) {}

  /** The interned factor for a primitive, sign-normalised polynomial. */
  factor(poly: Poly): DenFactor {
    const key = polyKey(poly);
    let f = this.factors.get(key);
    if (f === undefined) {
      f = new DenFactor(poly, key, this.atoms);
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
  if (n.op === 'add') return ctx.opaque(n) ? [] : n.args;
  if (n.op === 'mul') return n.args.filter((a) => !ctx.opaqueFactor(n, a));
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
      if (ctx.opaque(n)) return atomForm(n, ctx);
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
        const f = ctx.opaqueFactor(n, a) ? atomForm(a, ctx) : get(a);
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
    case 'tanh':
      return ctx.policy.pythagorean === undefined || !ctx.policy.tanh
        ? atomForm(n, ctx)
        : trigForm(n, ctx);
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
  // sin(0) would fold to a number: numeric arguments stay plain atoms.
  if (u.op === 'num') return atomForm(n, ctx);
  const atom = (f: 'sin' | 'cos' | 'sinh' | 'cosh'): RatForm =>
    trigAtom(ctx.atoms.get(ctx.atoms.indexOfKey(`${f}:${u.id}`, () => fn(f, [u]))), ctx);
  switch (n.op) {
    case 'tanh':
      return mulForms(atom('sinh'), invertForm(atom('cosh'), ctx)!, ctx);
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
  const u = n.args[0];
  // Named by function and argument, so a partner is indexed without being built.
  const i = ctx.atoms.indexOfKey(`${n.op}:${u.id}`, () => n);
  if (reduced.includes(n.op) && !ctx.relations.has(i)) {
    const [partner, sign] = PARTNER[n.op];
    const j = ctx.atoms.indexOfKey(`${partner}:${u.id}`, () => fn(partner, [u]));
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

/**
 * The ids of a term's factors without its coefficient, and the coefficient: `x*y` and
 * `-x*y` share their ids, so a sum and its negation name one atom.
 */
function termShape(t: Expr): { ids: string; coeff: Rational } {
  const { coefficient, factors } = splitCoefficient(t);
  return { ids: factors.map((a) => a.id).join('*'), coeff: coefficient };
}

/**
 * exp(k·u) → exp(u)^k for an integer k (the sign taken out of a negative-looking sum). The
 * atom exp(u) is named by u's parts, so exp(−w·x) and exp(w·x) meet without building
 * anything, and built only if printed.
 */
function expForm(n: Expr, ctx: RatContext): RatForm {
  const u = n.args[0];
  let k = 1n;
  let key: string;
  let core: () => Expr = () => u;
  // exp(core) prints as the call, its name and the core.
  let weigh = (): number => 2 + treeWeight(u);
  if (u.op === 'mul') {
    const { coefficient: lead, factors: parts } = splitCoefficient(u);
    if (!isInteger(lead)) return atomForm(n, ctx);
    k = lead.num;
    key = parts.map((a) => a.id).join(',');
    core = () => mul(...parts);
    weigh = () => 2 + productWeightOf(parts);
  } else if (u.op === 'add') {
    // u and −u name one atom: term shapes with signs relative to the first term.
    const shapes = u.args.map(termShape);
    const first = shapes[0].coeff.num < 0n ? -1n : 1n;
    key = `+${shapes.map((t) => `${t.ids}:${t.coeff.num * first}/${t.coeff.den}`).join(';')}`;
    if (looksNegative(u, true)) {
      k = -1n;
      core = () => mul(-1, u);
      weigh = () => 2 + negatedSumWeight(u);
    }
  } else if (u.op === 'num') return atomForm(n, ctx);
  else key = `${u.id}`;
  if (k > 16n || k < -16n) return atomForm(n, ctx);
  const i = ctx.atoms.indexOfKey(`exp:${key}`, () => fn('exp', [core()]), weigh);
  return { num: polyAtom(i, Number(k)), den: EMPTY_DEN };
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
  // One sign per factor, so x − 1 and 1 − x meet: the leading term (highest degree, then
  // the largest monomial key) is positive, as a text writes x − 1, x² − 1, eˣ + 1.
  let lead: Term | undefined;
  let leadDegree = -1;
  let leadKey = '';
  for (const [k, t] of q) {
    let d = 0;
    for (const [, e] of t.exps) d += e;
    if (d > leadDegree || (d === leadDegree && k > leadKey)) {
      lead = t;
      leadDegree = d;
      leadKey = k;
    }
  }
  if (lead !== undefined && lead.coeff.num < 0n) {
    c = ratNeg(c);
    q = polyScale(q, { num: -1n, den: 1n });
  }
  return { factor: ctx.factor(q), cofactor: { coeff: c, exps: m } };
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

/** A polynomial a·v + b in one atom v: its atom, root −b/a and leading coefficient a. */
interface Linear {
  readonly v: number;
  readonly root: Rational;
  readonly lead: Rational;
}

function linearRoot(p: Poly): Linear | undefined {
  if (p.size !== 2) return undefined;
  let v = -1;
  let a: Rational | undefined;
  let b: Rational | undefined;
  for (const t of p.values()) {
    if (t.exps.length === 0) b = t.coeff;
    else if (t.exps.length === 1 && t.exps[0][1] === 1) {
      v = t.exps[0][0];
      a = t.coeff;
    }
  }
  if (a === undefined || b === undefined) return undefined;
  return { v, root: ratNeg(ratMul(b, ratInv(a))), lead: a };
}

/**
 * n / (a·(v − r)) when every group of n (its coefficient polynomials in v) vanishes at r,
 * by synthetic division; undefined when one does not (then the factor shares nothing with
 * n, being irreducible).
 */
function divideLinear(n: Poly, lin: Linear): Poly | undefined {
  const { v, root, lead } = lin;
  const groups = groupsOver(n, new Set([v]));
  let out: Poly = new Map();
  const invLead = ratInv(lead);
  for (const { outside, inside } of groups.values()) {
    // Dense coefficients of the group in v.
    let degree = 0;
    for (const t of inside.values()) degree = Math.max(degree, t.exps[0]?.[1] ?? 0);
    if (degree === 0) return undefined;
    const c: Rational[] = new Array(degree + 1).fill(ZERO_Q);
    for (const t of inside.values()) {
      const e = t.exps[0]?.[1] ?? 0;
      if (e < 0) return undefined;
      c[e] = t.coeff;
    }
    // Synthetic division by (v − r): quotient coefficients q, remainder must be 0.
    const q: Rational[] = new Array(degree).fill(ZERO_Q);
    let carry = ZERO_Q;
    for (let e = degree; e >= 1; e--) {
      carry = ratAdd(c[e], ratMul(carry, root));
      q[e - 1] = carry;
    }
    if (!isZero(ratAdd(c[0], ratMul(carry, root)))) return undefined;
    for (let e = 0; e < degree; e++) {
      if (isZero(q[e])) continue;
      const exps = mulExps(outside, e === 0 ? [] : [[v, e]]);
      out = polyAdd(out, new Map([[monoKey(exps), { coeff: ratMul(q[e], invLead), exps }]]));
    }
  }
  return out;
}

const ZERO_Q: Rational = { num: 0n, den: 1n };

/** The atoms of a polynomial. */
function atomsOf(p: Poly): Set<number> {
  const out = new Set<number>();
  for (const t of p.values()) for (const [i] of t.exps) out.add(i);
  return out;
}

/**
 * `a` as Σ oᵢ·Pᵢ: oᵢ monomials in the atoms outside `vars`, Pᵢ polynomials in `vars`. A
 * polynomial in `vars` divides `a` exactly when it divides every Pᵢ, so GCDs and divisions
 * by a denominator factor only ever run in the factor's own (few) variables.
 */
function groupsOver(
  a: Poly,
  vars: ReadonlySet<number>,
): Map<string, { outside: Term['exps']; inside: Poly }> {
  const groups = new Map<string, { outside: Term['exps']; inside: Map<string, Term> }>();
  for (const t of a.values()) {
    const outside = t.exps.filter(([i]) => !vars.has(i));
    const inside = t.exps.filter(([i]) => vars.has(i));
    const key = monoKey(outside);
    let g = groups.get(key);
    if (g === undefined) {
      g = { outside, inside: new Map() };
      groups.set(key, g);
    }
    g.inside.set(monoKey(inside), { coeff: t.coeff, exps: inside });
  }
  return groups;
}

/** a / b when b divides a (integer coefficients, no negative exponents), group by group. */
function polyExquo(a: Poly, b: Poly, ctx: RatContext): Poly | undefined {
  const bv = atomsOf(b);
  if (bv.size === 0) return undefined;
  const vars = [...bv].sort((x, y) => x - y);
  const bd = toDense(b, vars);
  let out: Poly = new Map();
  for (const { outside, inside } of groupsOver(a, bv).values()) {
    if (variablesOf(inside) === undefined) return undefined;
    const q = D.withBudget(ctx.work, () => D.exquo(toDense(inside, vars), bd, vars.length - 1));
    if (q === undefined) return undefined;
    for (const t of fromDense(q as D.Dense, vars).values()) {
      const exps = mulExps(t.exps, outside);
      out = polyAdd(out, new Map([[monoKey(exps), { coeff: t.coeff, exps }]]));
    }
  }
  return out;
}

/**
 * The non-constant gcd of a and a denominator factor b, or undefined (constant gcd, or over
 * budget). It lies in b's variables, so it is the gcd of b and a's groups over them.
 */
function polyGcd(a: Poly, b: Poly, ctx: RatContext): Poly | undefined {
  const bv = atomsOf(b);
  const av = atomsOf(a);
  if (![...bv].some((i) => av.has(i))) return undefined;
  const vars = [...bv].sort((x, y) => x - y);
  const u = vars.length - 1;
  let g: D.Coeff | undefined = toDense(b, vars);
  for (const { inside } of groupsOver(a, bv).values()) {
    if (variablesOf(inside) === undefined) return undefined;
    const prev: D.Coeff = g;
    g = D.withBudget(ctx.work, () => D.gcd(prev, toDense(inside, vars), u));
    if (g === undefined || D.isConstant(g, u)) return undefined;
  }
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
  // Cancel factor by factor: whole factors by exact division, then common parts by GCD;
  // only factors that share an atom with the numerator can cancel.
  const atoms = atomsOf(n);
  const work = cancelFactors
    ? [...den]
        .filter(([, d]) => [...atomsOf(d.factor.poly)].some((i) => atoms.has(i)))
        .map(([k]) => k)
    : [];
  // Nothing to cancel and already no smaller: stop before building anything.
  if (work.length === 0 && estimate(coeff, m, n, den, ctx) > within + 2) return undefined;
  while (work.length > 0) {
    const key = work.pop()!;
    const d = den.get(key);
    if (d === undefined || d.exp <= 0) continue;
    if (n.size === 1 && [...n.values()][0].exps.length === 0) break;
    // A factor linear in one atom (eᵘ + 1, x − 2) divides n exactly when its root is a
    // root of every group of n, else it shares nothing with n: one evaluation decides.
    const lin = linearRoot(d.factor.poly);
    const q = lin !== undefined ? divideLinear(n, lin) : polyExquo(n, d.factor.poly, ctx);
    if (q !== undefined) {
      // One power of the factor divides the numerator out.
      n = q;
      if (d.exp === 1) den.delete(key);
      else den.set(key, { factor: d.factor, exp: d.exp - 1 });
      work.push(key);
      continue;
    }
    // An irreducible linear factor that does not divide shares nothing.
    if (lin !== undefined) continue;
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
    const atom = ctx.atoms.get(i);
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
  for (const { factor, exp } of den.values())
    bottom.push(exp === 1 ? factor.weight : factor.weight + 2);
  return productWeight(c, top, bottom).w;
}

const ratPowBig = (r: Rational, k: number): Rational => ratPowInt(r, BigInt(k)) ?? r;
