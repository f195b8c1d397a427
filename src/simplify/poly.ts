/**
 * Exact polynomial arithmetic over the rationals: sparse multivariate (Laurent) polynomials
 * over "atoms" (symbols and any non-polynomial subexpression), for expansion and for the
 * rational forms of ratform.ts (whose GCDs run on the dense form of mpoly.ts). Invariant: no
 * zero coefficients are stored; every operation has a size limit and gives up
 * (`undefined`) rather than building something huge.
 */
import {
  add,
  type Expr,
  isInteger,
  isZero,
  memoPostorder,
  mul,
  num,
  ONE,
  pow,
  type Rational,
  ratAdd,
  ratMul,
} from '../expr/index.js';
import { treeWeight } from './measure.js';

// ---------------------------------------------------------------------------------------
// Sparse multivariate polynomials

/** Atoms (the "variables" of a polynomial), numbered in order of first appearance. */
export class AtomTable {
  private readonly built: (Expr | undefined)[] = [];
  private readonly makers: (() => Expr)[] = [];
  private readonly weights: number[] = [];
  private readonly weighers: (() => number)[] = [];
  private readonly index = new Map<Expr | string, number>();

  /** The index of the atom `e`. */
  indexOf(e: Expr): number {
    let i = this.index.get(e);
    if (i === undefined) {
      i = this.built.length;
      this.built.push(e);
      this.makers.push(() => e);
      this.index.set(e, i);
    }
    return i;
  }

  /**
   * The index of the atom named `key`, built by `make` only when its expression is needed
   * (rational forms name exp(u) by u's parts without building exp(u)).
   */
  indexOfKey(key: string, make: () => Expr, weigh?: () => number): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.built.length;
      this.built.push(undefined);
      this.makers.push(make);
      if (weigh !== undefined) this.weighers[i] = weigh;
      this.index.set(key, i);
    }
    return i;
  }

  /** The expression of atom i. */
  get(i: number): Expr {
    let e = this.built[i];
    if (e === undefined) {
      e = this.makers[i]();
      this.built[i] = e;
      this.index.set(e, i);
    }
    return e;
  }

  /** The printed weight of atom i (cached). */
  weight(i: number): number {
    let w = this.weights[i];
    if (w === undefined) {
      const weigh = this.weighers[i];
      w = weigh !== undefined ? weigh() : treeWeight(this.get(i));
      this.weights[i] = w;
    }
    return w;
  }
}

/** One term: coefficient times Π atoms[i]^e (pairs sorted by atom index). */
export interface Term {
  readonly coeff: Rational;
  readonly exps: readonly (readonly [number, number])[];
}

/** A polynomial: terms keyed by their exponent vector. */
export type Poly = ReadonlyMap<string, Term>;

// Integer fast paths: expansion coefficients are mostly integers, and rat() pays a gcd.
const qmul = (a: Rational, b: Rational): Rational =>
  a.den === 1n && b.den === 1n ? { num: a.num * b.num, den: 1n } : ratMul(a, b);
const qadd = (a: Rational, b: Rational): Rational =>
  a.den === 1n && b.den === 1n ? { num: a.num + b.num, den: 1n } : ratAdd(a, b);

export const monoKey = (exps: readonly (readonly [number, number])[]): string =>
  exps.map(([i, e]) => `${i}^${e}`).join(',');

/** The constant polynomial `c`. */
export function polyConst(c: Rational): Poly {
  return isZero(c) ? new Map() : new Map([['', { coeff: c, exps: [] }]]);
}

/** The polynomial `atom^e`. */
export function polyAtom(i: number, e = 1): Poly {
  const exps: [number, number][] = [[i, e]];
  return new Map([[monoKey(exps), { coeff: ONE, exps }]]);
}

/** `a + b`. */
export function polyAdd(a: Poly, b: Poly): Poly {
  const out = new Map(a);
  addInto(out, b);
  return out;
}

/** `out += b`, in place (a sum of k terms adds each once, not k copies of the total). */
function addInto(out: Map<string, Term>, b: Poly): void {
  for (const [k, t] of b) {
    const old = out.get(k);
    if (old === undefined) out.set(k, t);
    else {
      const c = qadd(old.coeff, t.coeff);
      if (isZero(c)) out.delete(k);
      else out.set(k, { coeff: c, exps: t.exps });
    }
  }
}

/** `c·a`. */
export function polyScale(a: Poly, c: Rational): Poly {
  if (isZero(c)) return new Map();
  const out = new Map<string, Term>();
  for (const [k, t] of a) out.set(k, { coeff: qmul(t.coeff, c), exps: t.exps });
  return out;
}

function mulExps(x: Term['exps'], y: Term['exps']): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (j >= y.length || (i < x.length && x[i][0] < y[j][0])) out.push([x[i][0], x[i++][1]]);
    else if (i >= x.length || y[j][0] < x[i][0]) out.push([y[j][0], y[j++][1]]);
    else {
      const e = x[i][1] + y[j][1];
      if (e !== 0) out.push([x[i][0], e]);
      i++;
      j++;
    }
  }
  return out;
}

/** `a·b`, or undefined when the product would exceed `limit` terms. */
export function polyMul(a: Poly, b: Poly, limit: number): Poly | undefined {
  if (a.size * b.size > limit * 8 && a.size > 1 && b.size > 1) return undefined;
  const out = new Map<string, Term>();
  for (const s of a.values()) {
    for (const t of b.values()) {
      const exps = mulExps(s.exps, t.exps);
      const k = monoKey(exps);
      const c = qmul(s.coeff, t.coeff);
      const old = out.get(k);
      if (old === undefined) out.set(k, { coeff: c, exps });
      else {
        const sum = qadd(old.coeff, c);
        if (isZero(sum)) out.delete(k);
        else out.set(k, { coeff: sum, exps });
      }
    }
    if (out.size > limit) return undefined;
  }
  return out;
}

/** `a^n` for a positive integer n, or undefined beyond `limit` terms. */
export function polyPow(a: Poly, n: number, limit: number): Poly | undefined {
  let result: Poly | undefined = polyConst(ONE);
  for (let i = 0; i < n && result !== undefined; i++) result = polyMul(result, a, limit);
  return result;
}

/** The expression of a polynomial, built canonically. */
export function polyToExpr(p: Poly, atoms: AtomTable): Expr {
  const terms: Expr[] = [];
  for (const t of p.values()) {
    const factors = t.exps.map(([i, e]) => pow(atoms.get(i), e));
    terms.push(mul(num(t.coeff), ...factors));
  }
  return add(...terms);
}

/**
 * The printed weight (measure.ts's tree weight) of a product: a rational coefficient, the
 * factors of the numerator and the denominator factors, given their own weights.
 */
export function productWeight(
  coeff: Rational,
  top: readonly number[],
  bottom: readonly number[],
): { readonly w: number; readonly abs: number } {
  const mag = coeff.num < 0n ? -coeff.num : coeff.num;
  let t = top.reduce((a, b) => a + b, 0);
  let tc = top.length;
  if (mag !== 1n || tc === 0) {
    t++;
    tc++;
  }
  let b = bottom.reduce((a, x) => a + x, 0);
  let bc = bottom.length;
  if (coeff.den !== 1n) {
    b++;
    bc++;
  }
  const abs = t + tc - 1 + (bc > 0 ? 1 + b + bc - 1 : 0);
  return { w: coeff.num < 0n ? abs + 1 : abs, abs };
}

/** Weights of atom^e as a numerator factor (e > 0) or a denominator factor (e < 0). */
export function powerWeights(
  exps: readonly (readonly [number, number])[],
  atoms: AtomTable,
): { readonly top: number[]; readonly bottom: number[] } {
  const top: number[] = [];
  const bottom: number[] = [];
  for (const [i, e] of exps) {
    const a = atoms.weight(i);
    if (e > 0) top.push(e === 1 ? a : a + 2);
    else bottom.push(e === -1 ? a : a + 2);
  }
  return { top, bottom };
}

/** The tree weight `polyToExpr(p)` will have (as measure.ts counts it), without building it. */
export function polyWeight(p: Poly, atoms: AtomTable): number {
  let w = p.size - 1;
  let negatives = 0;
  for (const t of p.values()) {
    const { top, bottom } = powerWeights(t.exps, atoms);
    const c = t.coeff;
    if (c.num < 0n) negatives++;
    w += productWeight({ num: c.num < 0n ? -c.num : c.num, den: c.den }, top, bottom).abs;
  }
  return negatives === p.size ? w + 1 : w;
}

/** Largest exponent expanded: `(x + 1)^1000` is left alone. */
const MAX_EXPONENT = 64;

/** `memoPostorder` with `null` standing for "not representable" in the memo. */
const memoBottomUp = <T>(
  e: Expr,
  memo: Map<Expr, T | null>,
  kids: (n: Expr) => readonly Expr[],
  compute: (n: Expr) => T | undefined,
): T | undefined => memoPostorder(e, memo, (n) => compute(n) ?? null, kids) ?? undefined;

/**
 * The polynomial of `e` over atoms: sums, products and integer powers are arithmetic;
 * everything else (functions, fractional powers, powers of sums with negative exponents) is
 * an atom. Memoised in `memo` (per atom table). Undefined when larger than `limit` terms.
 * Iterative; descends only through `+`, `*` and integer powers.
 */
export function toPoly(
  e: Expr,
  atoms: AtomTable,
  limit: number,
  memo: Map<Expr, Poly | null>,
): Poly | undefined {
  return memoBottomUp(e, memo, structuralArgs, (n) => polyOfNode(n, atoms, limit, memo));
}

/** True when `toPoly` combines the polynomials of `n`'s arguments (else `n` is an atom). */
export function combinesArgs(n: Expr): boolean {
  return n.op === 'add' || n.op === 'mul' || (n.op === 'pow' && expandableExponent(n) > 0);
}

/** The arguments `toPoly` descends into. */
function structuralArgs(n: Expr): readonly Expr[] {
  if (n.op === 'add' || n.op === 'mul') return n.args;
  if (n.op === 'pow' && expandableExponent(n) > 0) return [n.args[0]];
  return [];
}

/** The integer exponent of a power `toPoly` expands (0 when it is an atom). */
function expandableExponent(n: Expr): number {
  const e = n.args[1];
  if (e.op !== 'num' || !isInteger(e.value!)) return 0;
  const k = Number(e.value!.num);
  return k > 0 && k <= MAX_EXPONENT ? k : 0;
}

function polyOfNode(
  n: Expr,
  atoms: AtomTable,
  limit: number,
  memo: Map<Expr, Poly | null>,
): Poly | undefined {
  switch (n.op) {
    case 'num':
      return polyConst(n.value!);
    case 'add': {
      const acc = new Map<string, Term>();
      for (const a of n.args) {
        const p = memo.get(a);
        if (!p) return undefined;
        addInto(acc, p);
        if (acc.size > limit) return undefined;
      }
      return acc;
    }
    case 'mul': {
      let acc: Poly | undefined = polyConst(ONE);
      for (const a of n.args) {
        const p = memo.get(a);
        if (!p || acc === undefined) return undefined;
        acc = polyMul(acc, p, limit);
      }
      return acc;
    }
    case 'pow': {
      const k = expandableExponent(n);
      if (k > 0) {
        const p = memo.get(n.args[0]);
        return p ? polyPow(p, k, limit) : undefined;
      }
      const [b, e] = n.args;
      // x^-2 is a Laurent monomial in the atom x; a sum to a negative power is one atom.
      if (
        e.op === 'num' &&
        isInteger(e.value!) &&
        b.op !== 'add' &&
        b.op !== 'mul' &&
        b.op !== 'num'
      ) {
        return polyAtom(atoms.indexOf(b), Number(e.value!.num));
      }
      return polyAtom(atoms.indexOf(n));
    }
    default:
      return polyAtom(atoms.indexOf(n));
  }
}

// ---------------------------------------------------------------------------------------
// Dense univariate integer polynomials: the fast path for expanding in one symbol

/** c[i] is the coefficient of xⁱ; no trailing zeros; the zero polynomial is []. */
type Dense1 = bigint[];

function mulDense(a: Dense1, b: Dense1): Dense1 {
  if (a.length === 0 || b.length === 0) return [];
  const out: Dense1 = new Array(a.length + b.length - 1).fill(0n);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    if (ai === 0n) continue;
    for (let j = 0; j < b.length; j++) out[i + j] += ai * b[j];
  }
  while (out.length > 0 && out[out.length - 1] === 0n) out.pop();
  return out;
}

function addDense(a: Dense1, b: Dense1): Dense1 {
  const out = a.length >= b.length ? [...a] : [...b];
  const other = a.length >= b.length ? b : a;
  for (let i = 0; i < other.length; i++) out[i] += other[i];
  while (out.length > 0 && out[out.length - 1] === 0n) out.pop();
  return out;
}

/**
 * The expansion of `e` when it is a polynomial in the one symbol `x` with integer
 * coefficients (numbers, x, sums, products, positive integer powers), as dense
 * coefficients; undefined otherwise or beyond `maxDegree`. Memoised in `memo`; iterative.
 * A product of 39 linear factors costs O(39²) here, against a sparse product per factor.
 */
export function toDense1(
  e: Expr,
  x: Expr,
  maxDegree: number,
  memo: Map<Expr, Dense1 | null>,
): Dense1 | undefined {
  if (e.op === 'add' && !memo.has(e)) sharedFactorTerms(e, x, maxDegree, memo);
  return memoBottomUp(e, memo, structuralArgs, (n) => dense1Node(n, x, maxDegree, memo));
}

/** toDense1 of one node, its arguments' forms being in `memo`. */
function dense1Node(
  n: Expr,
  x: Expr,
  maxDegree: number,
  memo: Map<Expr, Dense1 | null>,
): Dense1 | undefined {
  if (n === x) return [0n, 1n];
  switch (n.op) {
    case 'num':
      return n.value!.den === 1n ? (n.value!.num === 0n ? [] : [n.value!.num]) : undefined;
    case 'add': {
      let acc: Dense1 = [];
      for (const a of n.args) {
        const p = memo.get(a);
        if (!p) return undefined;
        acc = addDense(acc, p);
      }
      return acc;
    }
    case 'mul': {
      let acc: Dense1 = [1n];
      for (const a of n.args) {
        const p = memo.get(a);
        if (!p || acc.length + p.length - 2 > maxDegree) return undefined;
        acc = mulDense(acc, p);
      }
      return acc;
    }
    case 'pow': {
      const k = expandableExponent(n);
      const p = memo.get(n.args[0]);
      if (k === 0 || !p || (p.length - 1) * k > maxDegree) return undefined;
      let acc: Dense1 = [1n];
      for (let i = 0; i < k; i++) acc = mulDense(acc, p);
      return acc;
    }
    default:
      return undefined;
  }
}

/** a / b when b divides a exactly over the integers (long division from the top), else undefined. */
function divDenseExact(a: Dense1, b: Dense1): Dense1 | undefined {
  if (b.length === 0) return undefined;
  if (a.length === 0) return [];
  const n = a.length - b.length;
  if (n < 0) return undefined;
  const r = [...a];
  const q: Dense1 = new Array(n + 1).fill(0n);
  const lead = b[b.length - 1];
  // A monic divisor (x + a, the usual factor) needs no bigint division.
  const unit = lead === 1n ? 1 : lead === -1n ? -1 : 0;
  for (let k = n; k >= 0; k--) {
    const c = r[k + b.length - 1];
    let qk: bigint;
    if (unit === 1) qk = c;
    else if (unit === -1) qk = -c;
    else {
      if (c % lead !== 0n) return undefined;
      qk = c / lead;
    }
    q[k] = qk;
    if (qk !== 0n) for (let j = 0; j < b.length; j++) r[k + j] -= qk * b[j];
  }
  for (let j = 0; j < b.length - 1; j++) if (r[j] !== 0n) return undefined;
  return q;
}

/** A product term as an integer coefficient and [base, positive integer exponent] factors. */
function productFactors(t: Expr): { c: bigint; factors: Map<Expr, number> } | undefined {
  let c = 1n;
  const factors = new Map<Expr, number>();
  for (const f of t.op === 'mul' ? t.args : [t]) {
    if (f.op === 'num') {
      if (f.value!.den !== 1n) return undefined;
      c *= f.value!.num;
      continue;
    }
    const k = f.op === 'pow' ? expandableExponent(f) : 1;
    if (k === 0) return undefined;
    const base = f.op === 'pow' ? f.args[0] : f;
    factors.set(base, (factors.get(base) ?? 0) + k);
  }
  return { c, factors };
}

/**
 * Dense forms of a sum's product terms through the factors they share, put in `memo` (a
 * shortcut for toDense1, which then only adds them up). The derivative of a product
 * Π fⱼ is Σᵢ fᵢ′·Πⱼ≠ᵢ fⱼ: its terms share all but one factor, and multiplying each out costs
 * O(n³) for n linear factors. Here the pool P (every shared factor at its highest power) is
 * multiplied out once, O(n²), and each term is P divided by what it lacks (exact division,
 * O(n) per linear factor) times its own other factors. Used only when the estimated work is
 * smaller; a term whose division is not exact is left to the ordinary path.
 */
function sharedFactorTerms(
  sum: Expr,
  x: Expr,
  maxDegree: number,
  memo: Map<Expr, Dense1 | null>,
): void {
  // The same cost model at a glance, before any bookkeeping: term by term costs about the
  // square of a term's factor count, the pool about 24 look-ups per factor.
  let square = 0;
  let linear = 0;
  for (const t of sum.args) {
    const k = t.op === 'mul' ? t.args.length : 1;
    square += k * k;
    linear += k;
  }
  if (square <= 24 * linear) return;
  const terms: { t: Expr; c: bigint; factors: Map<Expr, number> }[] = [];
  const count = new Map<Expr, number>();
  for (const t of sum.args) {
    if (t.op !== 'mul' || memo.has(t)) continue;
    const p = productFactors(t);
    if (p === undefined) continue;
    terms.push({ t, ...p });
    for (const b of p.factors.keys()) count.set(b, (count.get(b) ?? 0) + 1);
  }
  if (terms.length < 3) return;
  // The pool: bases shared by at least two terms, at their highest power.
  const pool = new Map<Expr, number>();
  for (const { factors } of terms)
    for (const [b, k] of factors) if (count.get(b)! > 1) pool.set(b, Math.max(pool.get(b) ?? 0, k));
  const dense = new Map<Expr, Dense1>();
  const degree = (b: Expr): number => dense.get(b)!.length - 1;
  for (const { factors } of terms) {
    for (const b of factors.keys()) {
      if (dense.has(b)) continue;
      const d = toDense1(b, x, maxDegree, memo);
      if (d === undefined || d.length === 0) return;
      dense.set(b, d);
    }
  }
  let poolDegree = 0;
  for (const [b, k] of pool) poolDegree += k * degree(b);
  if (poolDegree > maxDegree || poolDegree === 0) return;
  // Estimated work: multiplications term by term, against the pool once plus divisions and
  // extras plus the bookkeeping of comparing every term with the pool (a map look-up costs
  // about as much as 24 multiply-adds of small coefficients), so the pool pays off only
  // from a few dozen factors on (the derivative of a product of 40 is 2× faster).
  let direct = 0;
  let shared = (poolDegree * poolDegree) / 2 + 24 * terms.length * pool.size;
  for (const { factors } of terms) {
    let acc = 0;
    let changes = 0;
    for (const [b, k] of factors) {
      for (let i = 0; i < k; i++) {
        direct += (acc + 1) * (degree(b) + 1);
        acc += degree(b);
      }
      changes += Math.abs(k - (pool.get(b) ?? 0)) * degree(b);
    }
    for (const [b, k] of pool) if (!factors.has(b)) changes += k * degree(b);
    shared += (poolDegree + 1) * (changes + 1);
  }
  if (shared >= direct) return;
  let product: Dense1 = [1n];
  for (const [b, k] of pool) for (let i = 0; i < k; i++) product = mulDense(product, dense.get(b)!);
  for (const { t, c, factors } of terms) {
    let q: Dense1 | undefined = product;
    for (const [b, k] of pool) {
      for (let i = factors.get(b) ?? 0; i < k && q !== undefined; i++)
        q = divDenseExact(q, dense.get(b)!);
    }
    if (q === undefined) continue;
    for (const [b, k] of factors) {
      for (let i = pool.get(b) ?? 0; i < k; i++) q = mulDense(q, dense.get(b)!);
    }
    if (q.length - 1 > maxDegree) continue;
    memo.set(
      t,
      q.map((v) => v * c),
    );
  }
}

/** A dense univariate polynomial as a sparse one over the atom table. */
export function dense1ToPoly(c: Dense1, x: Expr, atoms: AtomTable): Poly {
  const i = atoms.indexOf(x);
  const out = new Map<string, Term>();
  c.forEach((v, k) => {
    if (v === 0n) return;
    const exps: [number, number][] = k === 0 ? [] : [[i, k]];
    out.set(monoKey(exps), { coeff: { num: v, den: 1n }, exps });
  });
  return out;
}
