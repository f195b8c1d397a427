/**
 * Exact numbers as a calculus text writes them: perfect powers out of radicals (√8 = 2√2,
 * ∛(−16)… stays, 8^(3/2) = 16√2) and logarithms of rationals in rational bases
 * (log 8 / log 2 = 3). Pure integer arithmetic; bounded trial division, so huge numbers
 * are left alone rather than factored slowly.
 */
import { type Rational, rat, ratMul, ratPow, ratPowInt } from '../expr/index.js';

/** Largest root index handled (x^(651/1000) is left alone). */
const MAX_ROOT = 12n;
/** Largest rationalised radicand (2⁵³: one a float holds exactly). */
const MAX_RADICAND = 2n ** 53n;

/** Trial division bound: factors beyond it are only found as a perfect power remainder. */
const TRIAL_LIMIT = 10_000n;

/**
 * The largest `a` with `a^q` dividing `n` (n > 0), found by trial division up to 10⁴ and a
 * perfect-power test of what remains; `[a, n / a^q]`.
 */
export function splitPower(n: bigint, q: bigint): readonly [outside: bigint, inside: bigint] {
  let outside = 1n;
  let inside = 1n;
  let rest = n;
  for (let p = 2n; p <= TRIAL_LIMIT && p ** q <= rest; p += p === 2n ? 1n : 2n) {
    let count = 0n;
    while (rest % p === 0n) {
      rest /= p;
      count++;
    }
    outside *= p ** (count / q);
    inside *= p ** (count % q);
  }
  const root = ratPow(rat(rest), rat(1n, q));
  if (root !== undefined && root.den === 1n) return [outside * root.num, inside];
  return [outside, inside * rest];
}

/**
 * `r^(p/q)` (q > 1, r > 0) as `k · s^(m/q)` with 0 < m < q and an integer radicand s free
 * of q-th powers: the denominator rationalised (`(n/d)^(1/q) = (n·d^(q−1))^(1/q)/d`), the
 * largest q-th power and whole powers taken out (√8 = 2√2, 8^(3/2) = 16√2, 1/√2 = √2/2,
 * √(1/12) = √3/6). Undefined when r^(p/q) already is in that form.
 */
export function extractRoot(
  r: Rational,
  e: Rational,
  rationalise = true,
):
  | { readonly outside: Rational; readonly inside: Rational; readonly exponent: Rational }
  | undefined {
  if (r.num <= 0n || e.den === 1n || e.den > MAX_ROOT) return undefined;
  const q = e.den;
  if (!rationalise) {
    // Perfect powers of numerator and denominator only; the exponent stays.
    const [a, n] = splitPower(r.num, q);
    const [b, d] = splitPower(r.den, q);
    if (a === 1n && b === 1n) return undefined;
    const outside = ratPowInt(rat(a, b), e.num);
    return outside === undefined ? undefined : { outside, inside: rat(n, d), exponent: e };
  }
  // (n/d)^(p/q) = (n·d^(q−1))^(p/q) / d^p, then s^(p/q) = s^w · s^(m/q) with p = w·q + m.
  const radicand = r.num * r.den ** (q - 1n);
  // Small numbers only: the point is a readable radicand.
  if (radicand > MAX_RADICAND) return undefined;
  const [a, s] = splitPower(radicand, q);
  const m = ((e.num % q) + q) % q;
  const w = (e.num - m) / q;
  if (a === 1n && r.den === 1n && w === 0n) return undefined;
  const outside = ratPowInt(rat(a, r.den), e.num);
  const whole = ratPowInt(rat(s), w);
  if (outside === undefined || whole === undefined) return undefined;
  return { outside: ratMul(outside, whole), inside: rat(s), exponent: rat(m, q) };
}

/** Continued-fraction convergents of x with denominators up to `maxDen`. */
function convergents(x: number, maxDen: number): Rational[] {
  const out: Rational[] = [];
  let [h0, h1, k0, k1] = [0n, 1n, 1n, 0n];
  let y = x;
  for (let i = 0; i < 40; i++) {
    const a = Math.floor(y);
    if (!Number.isFinite(a) || Math.abs(a) > 1e15) break;
    const ab = BigInt(a);
    [h0, h1] = [h1, ab * h1 + h0];
    [k0, k1] = [k1, ab * k1 + k0];
    if (k1 > BigInt(maxDen)) break;
    out.push(rat(h1, k1));
    const frac = y - a;
    if (Math.abs(frac) < 1e-12) break;
    y = 1 / frac;
  }
  return out;
}

/**
 * log(a) / log(b) for positive rationals a, b ≠ 1 when it is rational (a^n = b^m with
 * small n), else undefined: log(8)/log(2) = 3, log(1/9)/log(27) = −2/3.
 *
 * @example
 * ```ts
 * logRatio(rat(8n), rat(2n)); // { num: 3n, den: 1n }
 * ```
 */
export function logRatio(a: Rational, b: Rational): Rational | undefined {
  if (a.num <= 0n || b.num <= 0n) return undefined;
  if (b.num === b.den) return undefined;
  if (a.num === a.den) return rat(0n);
  const x = Math.log(Number(a.num) / Number(a.den)) / Math.log(Number(b.num) / Number(b.den));
  for (const c of convergents(x, 64)) {
    // a^den = b^num exactly (both sides small enough to compute).
    const lhs = ratPowInt(a, c.den);
    const rhs = ratPowInt(b, c.num);
    if (lhs !== undefined && rhs !== undefined && lhs.num === rhs.num && lhs.den === rhs.den)
      return c;
  }
  return undefined;
}
