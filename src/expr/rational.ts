/**
 * Exact rational numbers over bigint. Invariant: `den > 0` and `gcd(num, den) = 1`,
 * so equal values have equal fields and can be interned by their text.
 */

/** An exact rational number `num/den` in lowest terms with a positive denominator. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const absBig = (a: bigint): bigint => (a < 0n ? -a : a);

/**
 * The content of some rationals: gcd of the numerators over lcm of the denominators,
 * non-negative (0 when every value is 0). Each value divided by it has coprime integers.
 *
 * @example
 * ```ts
 * ratContent([rat(2n, 3n), rat(-4n, 9n)]); // 2/9
 * ```
 */
export function ratContent(values: Iterable<Rational>): Rational {
  let g = 0n;
  let l = 1n;
  for (const v of values) {
    g = gcd(g, v.num);
    l = (l / gcd(l, v.den)) * v.den;
  }
  return g === 0n ? ZERO : rat(g, l);
}

/** Greatest common divisor of two bigints (non-negative). */
export function gcd(a: bigint, b: bigint): bigint {
  a = absBig(a);
  b = absBig(b);
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Builds `num/den` in lowest terms; throws RangeError on a zero denominator. */
export function rat(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('rational with zero denominator');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g === 1n || g === 0n ? { num, den } : { num: num / g, den: den / g };
}

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };
export const MINUS_ONE: Rational = { num: -1n, den: 1n };

export const isZero = (a: Rational): boolean => a.num === 0n;
export const isOne = (a: Rational): boolean => a.num === 1n && a.den === 1n;
export const isInteger = (a: Rational): boolean => a.den === 1n;

/**
 * Combines many values in a balanced tree rather than left to right: exact sums and products
 * of n fractions grow to ~n digits, and folding them one at a time redoes that arithmetic n
 * times (quadratic in the digits, cubic with the gcds); pairing costs ~log n passes.
 */
function balanced(
  values: readonly Rational[],
  combine: (a: Rational, b: Rational) => Rational,
  identity: Rational,
): Rational {
  if (values.length === 0) return identity;
  let level = values;
  while (level.length > 1) {
    const next: Rational[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(combine(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** The exact sum of many rationals (balanced: see `balanced`). */
export const ratSum = (values: readonly Rational[]): Rational => balanced(values, ratAdd, ZERO);

/** The exact product of many rationals (balanced: see `balanced`). */
export const ratProduct = (values: readonly Rational[]): Rational => balanced(values, ratMul, ONE);

export const ratAdd = (a: Rational, b: Rational): Rational =>
  a.den === b.den ? rat(a.num + b.num, a.den) : rat(a.num * b.den + b.num * a.den, a.den * b.den);
export const ratMul = (a: Rational, b: Rational): Rational => rat(a.num * b.num, a.den * b.den);
export const ratNeg = (a: Rational): Rational => ({ num: -a.num, den: a.den });
export const ratInv = (a: Rational): Rational => rat(a.den, a.num);
export const ratCompare = (a: Rational, b: Rational): number => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** Largest exponent folded exactly; beyond it powers stay symbolic rather than allocate huge bigints. */
const MAX_EXACT_BITS = 4096n;

function bitLength(a: bigint): bigint {
  return BigInt(absBig(a).toString(2).length);
}

/**
 * `a^e` for an integer `e` when the result stays reasonably small, else `undefined`.
 * `0^negative` is `undefined` (division by zero is left symbolic).
 */
export function ratPowInt(a: Rational, e: bigint): Rational | undefined {
  if (e === 0n) return ONE;
  if (a.num === 0n) return e > 0n ? ZERO : undefined;
  const n = absBig(e);
  // The reciprocal costs nothing, whatever the size: one value, one canonical form.
  if (n === 1n) return e < 0n ? ratInv(a) : a;
  if (
    (bitLength(a.num) + bitLength(a.den)) * n > MAX_EXACT_BITS &&
    !(absBig(a.num) === 1n && a.den === 1n)
  ) {
    return undefined;
  }
  const p =
    absBig(a.num) === 1n && a.den === 1n
      ? a.num < 0n && n % 2n === 1n
        ? MINUS_ONE
        : ONE
      : rat(a.num ** n, a.den ** n);
  return e < 0n ? (p.num === 0n ? undefined : ratInv(p)) : p;
}

/** Exact integer k-th root of a non-negative bigint, or undefined if it is not a perfect power. */
function exactRoot(a: bigint, k: bigint): bigint | undefined {
  if (a < 0n) return undefined;
  if (a < 2n) return a;
  // Newton's method on integers, seeded from a float estimate.
  const approx = Math.round(Number(a) ** (1 / Number(k)));
  let x = Number.isFinite(approx) && approx > 0 ? BigInt(approx) : 1n << (bitLength(a) / k + 1n);
  for (let i = 0; i < 200; i++) {
    const xk1 = x ** (k - 1n);
    const next = ((k - 1n) * x + a / xk1) / k;
    if (next === x || next === x + 1n || next === x - 1n) {
      for (const c of [next - 1n, next, next + 1n, x]) if (c >= 0n && c ** k === a) return c;
      return undefined;
    }
    x = next;
  }
  return undefined;
}

/**
 * `a^(p/q)` when it is exactly rational (e.g. `4^(1/2) = 2`, `8^(-2/3) = 1/4`), else undefined.
 * Negative bases with fractional exponents are not real and stay symbolic.
 */
export function ratPow(a: Rational, e: Rational): Rational | undefined {
  if (e.den === 1n) return ratPowInt(a, e.num);
  if (a.num < 0n) return undefined;
  if (a.num === 0n) return e.num > 0n ? ZERO : undefined;
  if (e.den > 64n) return undefined;
  const rn = exactRoot(a.num, e.den);
  const rd = exactRoot(a.den, e.den);
  if (rn === undefined || rd === undefined) return undefined;
  return ratPowInt(rat(rn, rd), e.num);
}

/** Nearest float64 value of a rational (correct for huge numerators/denominators too). */
export function ratToNumber(a: Rational): number {
  if (a.den === 1n) return Number(a.num);
  const n = Number(a.num);
  const d = Number(a.den);
  if (Number.isFinite(n) && Number.isFinite(d) && Math.abs(n) < 2 ** 53 && d < 2 ** 53)
    return n / d;
  const num = absBig(a.num);
  const shift = bitLength(a.den) - bitLength(num) + 65n;
  // Below 2^-1022 the grid is 2^-1074: round to a whole number of steps, half to even.
  const steps = shift > 1074n ? (num << 1074n) / a.den : -1n;
  let magnitude: number;
  if (steps >= 0n && steps < 1n << 52n) {
    const twiceRest = ((num << 1074n) % a.den) * 2n;
    const odd = (steps & 1n) === 1n;
    const q = twiceRest > a.den || (twiceRest === a.den && odd) ? steps + 1n : steps;
    magnitude = Number(q) * 2 ** -1074;
  } else {
    // q = |a|·2^shift has at least 65 bits; a sticky low bit when inexact lets Number(q)
    // (nearest, ties to even) round once and correctly. The powers of two are then exact.
    const scaledNum = shift >= 0n ? num << shift : num;
    const scaledDen = shift >= 0n ? a.den : a.den << -shift;
    let q = scaledNum / scaledDen;
    if (scaledNum % scaledDen !== 0n) q |= 1n;
    magnitude = Number(q) * 2 ** -64 * 2 ** -Number(shift - 64n);
  }
  return a.num < 0n ? -magnitude : magnitude;
}

/**
 * The exact rational value of a finite double, via its shortest round-trip decimal
 * (so `0.1` is 1/10, as a person means it). Throws RangeError for NaN and infinities.
 */
export function ratFromNumber(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  if (Number.isInteger(x)) return rat(BigInt(x));
  return ratFromDecimal(String(x));
}

/** Longest number literal `parse` reads (so any number up to a million digits round-trips). */
export const MAX_LITERAL_LENGTH = 1_000_000;

/** Parses a decimal literal such as `12`, `0.25`, `1.5e-3`, `2E10` exactly. */
export function ratFromDecimal(text: string): Rational {
  // Checked first: a 10⁶-digit literal parses in ~0.2 s; the cap keeps hostile input cheap.
  if (text.length > MAX_LITERAL_LENGTH) {
    throw new RangeError(`number literal longer than ${MAX_LITERAL_LENGTH} characters`);
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new RangeError(`not a decimal literal: ${text}`);
  const frac = m[3] ?? '';
  let num = BigInt((m[2] || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  const exp = m[4] ? BigInt(m[4]) : 0n;
  // Guards against `1e999999999` allocating a gigantic bigint.
  if (exp > 4000n || exp < -4000n) throw new RangeError(`exponent out of range: ${text}`);
  if (exp > 0n) num *= 10n ** exp;
  else if (exp < 0n) den *= 10n ** -exp;
  if (m[1] === '-') num = -num;
  return rat(num, den);
}

/** `num` or `num/den` as text. */
export const ratToString = (a: Rational): string =>
  a.den === 1n ? a.num.toString() : `${a.num}/${a.den}`;
