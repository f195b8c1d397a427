/**
 * Multivariate polynomials over the integers in recursive dense form (as SymPy's dmp): a
 * polynomial in k variables is the array of its coefficients in the main variable, each a
 * polynomial in the other k − 1; level −1 is a bigint. GCD by the primitive
 * pseudo-remainder sequence, exact division, content. Invariants: no trailing zero
 * coefficients (the zero polynomial is `[]`); every operation spends work units from the
 * active budget and throws `OverBudget` when it runs out, so callers give up instead of
 * running long on big inputs.
 */

/** A coefficient: a bigint at level −1, a dense polynomial above. */
export type Coeff = bigint | Dense;
/** A dense polynomial: coefficients from degree 0 up, no trailing zeros. */
export type Dense = readonly Coeff[];

/** Thrown when the active budget is spent; callers catch it and keep the input. */
export class OverBudget extends Error {
  constructor() {
    super('polynomial work budget exhausted');
  }
}

let workLeft = Number.POSITIVE_INFINITY;

/**
 * Runs `f` with at most `units` of polynomial work (nested budgets take the smaller), and
 * returns its result, or undefined when the budget runs out.
 */
export function withBudget<T>(units: number, f: () => T): T | undefined {
  const outer = workLeft;
  workLeft = Math.min(units, outer);
  const start = workLeft;
  try {
    return f();
  } catch (e) {
    if (e instanceof OverBudget) return undefined;
    throw e;
  } finally {
    workLeft = outer === Number.POSITIVE_INFINITY ? outer : outer - (start - workLeft);
  }
}

function spend(units: number): void {
  workLeft -= units;
  if (workLeft < 0) throw new OverBudget();
}

const asD = (c: Coeff): Dense => c as Dense;
const asZ = (c: Coeff): bigint => c as bigint;

/** The zero of level u. */
export const zero = (u: number): Coeff => (u < 0 ? 0n : []);
/** The one of level u. */
export const one = (u: number): Coeff => (u < 0 ? 1n : [one(u - 1)]);
/** True for the zero of level u. */
export const isZero = (a: Coeff, u: number): boolean =>
  u < 0 ? asZ(a) === 0n : asD(a).length === 0;
/** Degree in the main variable (−1 for zero). */
export const degree = (a: Dense): number => a.length - 1;
/** Leading coefficient in the main variable. */
export const lead = (a: Dense): Coeff => a[a.length - 1];
/** A constant (a bigint) as a polynomial of level u. */
export const constant = (c: bigint, u: number): Coeff =>
  c === 0n ? zero(u) : u < 0 ? c : [constant(c, u - 1)];

function trim(out: Coeff[], u: number): Coeff[] {
  while (out.length > 0 && isZero(out[out.length - 1], u)) out.pop();
  return out;
}

/** a + b. */
export function add(a: Coeff, b: Coeff, u: number): Coeff {
  if (u < 0) return asZ(a) + asZ(b);
  const x = asD(a);
  const y = asD(b);
  if (x.length === 0) return y;
  if (y.length === 0) return x;
  spend(Math.max(x.length, y.length));
  const out: Coeff[] = [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    out.push(i >= x.length ? y[i] : i >= y.length ? x[i] : add(x[i], y[i], u - 1));
  }
  return trim(out, u - 1);
}

/** −a. */
export function neg(a: Coeff, u: number): Coeff {
  if (u < 0) return -asZ(a);
  spend(asD(a).length);
  return asD(a).map((c) => neg(c, u - 1));
}

/** a − b. */
export const sub = (a: Coeff, b: Coeff, u: number): Coeff => add(a, neg(b, u), u);

/** a·b. */
export function mul(a: Coeff, b: Coeff, u: number): Coeff {
  if (u < 0) return asZ(a) * asZ(b);
  const x = asD(a);
  const y = asD(b);
  if (x.length === 0 || y.length === 0) return [];
  spend(x.length * y.length);
  const out: Coeff[] = new Array(x.length + y.length - 1).fill(zero(u - 1));
  for (let i = 0; i < x.length; i++) {
    if (isZero(x[i], u - 1)) continue;
    for (let j = 0; j < y.length; j++) {
      if (isZero(y[j], u - 1)) continue;
      out[i + j] = add(out[i + j], mul(x[i], y[j], u - 1), u - 1);
    }
  }
  return trim(out, u - 1);
}

/** a^n for n ≥ 0. */
export function pow(a: Coeff, n: number, u: number): Coeff {
  let r = one(u);
  let base = a;
  while (n > 0) {
    if (n & 1) r = mul(r, base, u);
    n >>= 1;
    if (n > 0) base = mul(base, base, u);
  }
  return r;
}

/** a times a coefficient c of level u − 1 (every coefficient of a multiplied by c). */
export function scale(a: Dense, c: Coeff, u: number): Dense {
  if (isZero(c, u - 1)) return [];
  spend(a.length);
  return trim(
    a.map((x) => mul(x, c, u - 1)),
    u - 1,
  );
}

/** a·x^k in the main variable. */
const shift = (a: Dense, k: number, u: number): Dense =>
  a.length === 0 ? a : [...new Array<Coeff>(k).fill(zero(u - 1)), ...a];

/** a / b when b divides a exactly, else undefined. */
export function exquo(a: Coeff, b: Coeff, u: number): Coeff | undefined {
  if (u < 0) {
    const y = asZ(b);
    if (y === 0n) return undefined;
    return asZ(a) % y === 0n ? asZ(a) / y : undefined;
  }
  const x = asD(a);
  const y = asD(b);
  if (y.length === 0) return undefined;
  if (x.length === 0) return [];
  const dy = degree(y);
  if (degree(x) < dy) return undefined;
  const r = [...x];
  const q: Coeff[] = new Array(degree(x) - dy + 1).fill(zero(u - 1));
  const ly = lead(y);
  for (let i = degree(x); i >= dy; i--) {
    if (isZero(r[i], u - 1)) continue;
    const c = exquo(r[i], ly, u - 1);
    if (c === undefined) return undefined;
    q[i - dy] = c;
    spend(dy + 1);
    for (let j = 0; j <= dy; j++) r[i - dy + j] = sub(r[i - dy + j], mul(c, y[j], u - 1), u - 1);
  }
  for (let j = 0; j < dy; j++) if (!isZero(r[j], u - 1)) return undefined;
  return trim(q, u - 1);
}

/** The pseudo-remainder of a by b in the main variable: lc(b)^(da−db+1)·a mod b. */
export function prem(a: Dense, b: Dense, u: number): Dense {
  const db = degree(b);
  let r = a;
  let n = degree(a) - db + 1;
  const lb = lead(b);
  while (r.length > 0 && degree(r) >= db) {
    const j = degree(r) - db;
    r = asD(sub(scale(r, lb, u), shift(scale(b, lead(r), u), j, u), u));
    n--;
  }
  for (let i = 0; i < n; i++) r = scale(r, lb, u);
  return r;
}

const bigAbs = (x: bigint): bigint => (x < 0n ? -x : x);

function bigGcd(a: bigint, b: bigint): bigint {
  let x = bigAbs(a);
  let y = bigAbs(b);
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** The sign of the innermost leading coefficient (−1, 0, 1). */
export function signOf(a: Coeff, u: number): number {
  if (u < 0) return asZ(a) < 0n ? -1 : asZ(a) > 0n ? 1 : 0;
  const x = asD(a);
  return x.length === 0 ? 0 : signOf(lead(x), u - 1);
}

/** The content: the gcd of the coefficients in the main variable (level u − 1, positive). */
export function content(a: Dense, u: number): Coeff {
  let g = zero(u - 1);
  for (const c of a) {
    g = gcd(g, c, u - 1);
    if (u - 1 < 0 ? asZ(g) === 1n : degreeZeroOne(g, u - 1)) break;
  }
  return g;
}

/** True when c is the constant 1 of level u. */
function degreeZeroOne(c: Coeff, u: number): boolean {
  if (u < 0) return asZ(c) === 1n;
  const x = asD(c);
  return x.length === 1 && degreeZeroOne(x[0], u - 1);
}

/** a divided by its content, with a positive leading coefficient. */
export function primitivePart(a: Dense, u: number): Dense {
  if (a.length === 0) return a;
  let c = content(a, u);
  if (signOf(a, u) < 0) c = neg(c, u - 1);
  return a.map((x) => exquo(x, c, u - 1)!);
}

/**
 * The greatest common divisor, with a positive leading coefficient (the gcd of 0 and 0 is
 * 0). Primitive pseudo-remainder sequence in the main variable, contents recursively.
 */
export function gcd(a: Coeff, b: Coeff, u: number): Coeff {
  if (u < 0) return bigGcd(asZ(a), asZ(b));
  let x = asD(a);
  let y = asD(b);
  if (x.length === 0) return normalize(y, u);
  if (y.length === 0) return normalize(x, u);
  const c = gcd(content(x, u), content(y, u), u - 1);
  x = primitivePart(x, u);
  y = primitivePart(y, u);
  if (degree(x) < degree(y)) [x, y] = [y, x];
  while (y.length > 0) {
    if (degree(y) === 0) {
      y = [];
      x = [one(u - 1)];
      break;
    }
    const r = prem(x, y, u);
    x = y;
    y = r.length === 0 ? r : primitivePart(r, u);
  }
  return scale(primitivePart(x, u), c, u);
}

/** a with a positive leading coefficient. */
const normalize = (a: Dense, u: number): Dense => (signOf(a, u) < 0 ? asD(neg(a, u)) : a);

/** True when a is a constant (degree 0 in every variable). */
export function isConstant(a: Coeff, u: number): boolean {
  if (u < 0) return true;
  const x = asD(a);
  return x.length <= 1 && (x.length === 0 || isConstant(x[0], u - 1));
}
