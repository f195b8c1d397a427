/**
 * Exact polynomial arithmetic over the rationals: sparse multivariate (Laurent) polynomials
 * over "atoms" (symbols and any non-polynomial subexpression) for expansion, and dense
 * univariate polynomials with Euclid's GCD for cancelling quotients. Invariant: no zero
 * coefficients are stored; every operation has a size limit and gives up (`undefined`)
 * rather than building something huge.
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
  ratContent,
  ratInv,
  ratMul,
  ratNeg,
  ZERO,
} from '../expr/index.js';

// ---------------------------------------------------------------------------------------
// Sparse multivariate polynomials

/** Atoms (the "variables" of a polynomial), numbered in order of first appearance. */
export class AtomTable {
  readonly atoms: Expr[] = [];
  private readonly index = new Map<Expr, number>();

  indexOf(e: Expr): number {
    let i = this.index.get(e);
    if (i === undefined) {
      i = this.atoms.length;
      this.atoms.push(e);
      this.index.set(e, i);
    }
    return i;
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

const monoKey = (exps: readonly (readonly [number, number])[]): string =>
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
  for (const [k, t] of b) {
    const old = out.get(k);
    if (old === undefined) out.set(k, t);
    else {
      const c = qadd(old.coeff, t.coeff);
      if (isZero(c)) out.delete(k);
      else out.set(k, { coeff: c, exps: t.exps });
    }
  }
  return out;
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
    const factors = t.exps.map(([i, e]) => pow(atoms.atoms[i], e));
    terms.push(mul(num(t.coeff), ...factors));
  }
  return add(...terms);
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
      let acc: Poly = new Map();
      for (const a of n.args) {
        const p = memo.get(a);
        if (!p) return undefined;
        acc = polyAdd(acc, p);
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
// Dense univariate polynomials (coefficients from degree 0 up, no trailing zeros)

/** A univariate polynomial: `c[i]` is the coefficient of xⁱ; the zero polynomial is `[]`. */
export type UPoly = readonly Rational[];

const trim = (c: Rational[]): Rational[] => {
  while (c.length > 0 && isZero(c[c.length - 1])) c.pop();
  return c;
};

/** Degree; −1 for the zero polynomial. */
export const udeg = (a: UPoly): number => a.length - 1;

/** `a + b`. */
export function uadd(a: UPoly, b: UPoly): UPoly {
  const out: Rational[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    out.push(ratAdd(a[i] ?? ZERO, b[i] ?? ZERO));
  return trim(out);
}

/** `c·a`. */
export function uscale(a: UPoly, c: Rational): UPoly {
  return isZero(c) ? [] : a.map((x) => ratMul(x, c));
}

/** `a·b`. */
export function umul(a: UPoly, b: UPoly): UPoly {
  if (a.length === 0 || b.length === 0) return [];
  const out: Rational[] = new Array(a.length + b.length - 1).fill(ZERO);
  for (let i = 0; i < a.length; i++) {
    if (isZero(a[i])) continue;
    for (let j = 0; j < b.length; j++) out[i + j] = ratAdd(out[i + j], ratMul(a[i], b[j]));
  }
  return trim(out);
}

/** `a^n`, n ≥ 0. */
export function upow(a: UPoly, n: number): UPoly {
  let r: UPoly = [ONE];
  let base = a;
  while (n > 0) {
    if (n & 1) r = umul(r, base);
    n >>= 1;
    if (n > 0) base = umul(base, base);
  }
  return r;
}

/** Quotient and remainder of `a / b` (b ≠ 0). */
export function udivmod(a: UPoly, b: UPoly): { q: UPoly; r: UPoly } {
  const r = [...a];
  const db = udeg(b);
  const lead = ratInv(b[db]);
  const q: Rational[] = new Array(Math.max(0, a.length - db)).fill(ZERO);
  for (let i = r.length - 1; i >= db; i--) {
    if (isZero(r[i])) continue;
    const c = ratMul(r[i], lead);
    q[i - db] = c;
    for (let j = 0; j <= db; j++) r[i - db + j] = ratAdd(r[i - db + j], ratNeg(ratMul(c, b[j])));
  }
  return { q: trim(q), r: trim(r.slice(0, Math.max(0, db))) };
}

/** The monic greatest common divisor (the zero polynomial only when both are zero). */
export function ugcd(a: UPoly, b: UPoly): UPoly {
  let x = a;
  let y = b;
  while (y.length > 0) {
    const { r } = udivmod(x, y);
    x = y;
    y = r;
  }
  return x.length === 0 ? x : uscale(x, ratInv(x[x.length - 1]));
}

/**
 * The rational content c with `a = c·p`, p having coprime integer coefficients and a
 * positive leading coefficient.
 */
export function ucontent(a: UPoly): Rational {
  if (a.length === 0) return ONE;
  const c = ratContent(a);
  return a[a.length - 1].num < 0n ? ratNeg(c) : c;
}

/** The expression Σ cᵢ·xⁱ. */
export function upolyToExpr(a: UPoly, x: Expr): Expr {
  return add(...a.map((c, i) => mul(num(c), pow(x, i))));
}

/** A rational function num/den in one variable. */
export interface RatFun {
  readonly num: UPoly;
  readonly den: UPoly;
}

/** Degree bound for the rational-function conversion (beyond it, cancel leaves things alone). */
const MAX_DEGREE = 256;

/**
 * The rational function of `e` in the symbol `x` (numbers, `x`, `+`, `*`, integer powers), or
 * undefined when `e` is anything else or too large. Not reduced. Iterative.
 */
export function toRatFun(e: Expr, x: Expr, memo: Map<Expr, RatFun | null>): RatFun | undefined {
  const kids = (n: Expr): readonly Expr[] =>
    n.op === 'add' || n.op === 'mul' ? n.args : n.op === 'pow' ? [n.args[0]] : [];
  return memoBottomUp(e, memo, kids, (n) => ratFunOfNode(n, x, memo));
}

function ratFunOfNode(n: Expr, x: Expr, memo: Map<Expr, RatFun | null>): RatFun | undefined {
  const get = (a: Expr): RatFun | undefined => memo.get(a) ?? undefined;
  const ok = (r: RatFun): RatFun | undefined =>
    udeg(r.num) > MAX_DEGREE || udeg(r.den) > MAX_DEGREE ? undefined : r;
  if (n === x) return { num: [ZERO, ONE], den: [ONE] };
  switch (n.op) {
    case 'num':
      return { num: isZero(n.value!) ? [] : [n.value!], den: [ONE] };
    case 'add': {
      let acc: RatFun = { num: [], den: [ONE] };
      for (const a of n.args) {
        const r = get(a);
        if (r === undefined) return undefined;
        acc = reduce(
          udeg(acc.den) === 0 && udeg(r.den) === 0
            ? {
                num: uadd(uscale(acc.num, ratInv(acc.den[0])), uscale(r.num, ratInv(r.den[0]))),
                den: [ONE],
              }
            : { num: uadd(umul(acc.num, r.den), umul(r.num, acc.den)), den: umul(acc.den, r.den) },
        );
        if (ok(acc) === undefined) return undefined;
      }
      return acc;
    }
    case 'mul': {
      let acc: RatFun = { num: [ONE], den: [ONE] };
      for (const a of n.args) {
        const r = get(a);
        if (r === undefined) return undefined;
        acc = reduce({ num: umul(acc.num, r.num), den: umul(acc.den, r.den) });
        if (ok(acc) === undefined) return undefined;
      }
      return acc;
    }
    case 'pow': {
      const b = get(n.args[0]);
      const e = n.args[1];
      if (b === undefined || e.op !== 'num' || !isInteger(e.value!)) return undefined;
      const k = Number(e.value!.num);
      if (Math.abs(k) * Math.max(udeg(b.num), udeg(b.den), 1) > MAX_DEGREE) return undefined;
      if (k >= 0) return { num: upow(b.num, k), den: upow(b.den, k) };
      if (b.num.length === 0) return undefined;
      return { num: upow(b.den, -k), den: upow(b.num, -k) };
    }
    default:
      return undefined;
  }
}

/**
 * Cancels the GCD of numerator and denominator and normalises: the denominator gets
 * coprime integer coefficients and a positive leading coefficient.
 */
export function reduce(r: RatFun): RatFun {
  if (r.num.length === 0) return { num: [], den: [ONE] };
  let { num: n, den: d } = r;
  if (udeg(d) > 0) {
    const g = ugcd(n, d);
    if (udeg(g) > 0) {
      n = udivmod(n, g).q;
      d = udivmod(d, g).q;
    }
  }
  const c = ucontent(d);
  return { num: uscale(n, ratInv(c)), den: uscale(d, ratInv(c)) };
}
