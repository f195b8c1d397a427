/**
 * Extreme points and the reference derivatives the extreme-point fuzz checks against. The
 * references are written independently of Leibniz's rule table, in forms that stay accurate
 * at the edges (1 − x² as (1 − x)(1 + x) near ±1, sech² as 4σ(2x)σ(−2x)), and say
 * `undefined` where the derivative does not exist (kinks, poles, outside the domain).
 */
import { sigmoid } from '../../src/expr/numeric.js';
import type { FunctionName } from '../../src/expr/ops.js';

const EPS = Number.EPSILON;

/** Points where float code usually breaks: zeros, tiny and huge values, overflow edges. */
export const EXTREME_POINTS: readonly number[] = [
  0,
  -0,
  Number.MIN_VALUE, // 5e-324, the smallest subnormal
  -Number.MIN_VALUE,
  1e-310, // subnormal
  -1e-310,
  2.2250738585072014e-308, // the smallest normal
  1e-300,
  -1e-300,
  1e-160, // its square underflows
  -1e-160,
  1e-8,
  1 - EPS / 2, // the largest double below 1
  1 - EPS,
  1 + EPS,
  -1 + EPS / 2,
  -1 - EPS,
  0.5,
  -0.5,
  Math.PI / 2,
  2,
  19, // 1 − tanh² has lost all its digits
  -19,
  36.8, // σ rounds to 1
  40,
  -40,
  100,
  -100,
  709, // e^709 is finite
  710, // e^710 is not
  -710,
  745, // e^-745 is the last subnormal
  -745,
  1000,
  -1000,
  1e8,
  1e160, // its square overflows
  -1e160,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

const sech2 = (x: number): number => 4 * sigmoid(2 * x) * sigmoid(-2 * x);
/** 1 − x², accurate near ±1 (Sterbenz: 1 − x is exact there). */
const oneMinusSquare = (x: number): number => (1 - x) * (1 + x);

/** 1/√(x² + 1) without overflowing x²: 1/(|x|·√(1 + 1/x²)) for large |x|. */
const inverseHypot = (x: number): number =>
  Math.abs(x) > 1 ? 1 / (Math.abs(x) * Math.sqrt(1 + 1 / (x * x))) : 1 / Math.sqrt(x * x + 1);

/** 1/(|x|·√(x² − 1)) (asec′) without overflowing x²: 1/(x²·√(1 − 1/x²)) for large |x|. */
const inverseHypotMinusOne = (x: number): number =>
  Math.abs(x) > 2
    ? 1 / (x * x * Math.sqrt(1 - 1 / (x * x)))
    : 1 / (Math.abs(x) * Math.sqrt((Math.abs(x) - 1) * (Math.abs(x) + 1)));

/**
 * f′(x) for each unary known function, computed independently and accurately; undefined
 * where f is not differentiable (kinks of abs/relu/sign/heaviside at 0, poles, the domain's
 * edge) or not defined.
 */
export const REFERENCE_DERIVATIVE: {
  readonly [K in FunctionName]?: (x: number) => number | undefined;
} = {
  sin: (x) => Math.cos(x),
  cos: (x) => -Math.sin(x),
  tan: (x) => 1 / Math.cos(x) ** 2,
  sec: (x) => Math.sin(x) / Math.cos(x) ** 2,
  csc: (x) => (x === 0 ? undefined : -Math.cos(x) / Math.sin(x) ** 2),
  cot: (x) => (x === 0 ? undefined : -1 / Math.sin(x) ** 2),
  asin: (x) => (Math.abs(x) < 1 ? 1 / Math.sqrt(oneMinusSquare(x)) : undefined),
  acos: (x) => (Math.abs(x) < 1 ? -1 / Math.sqrt(oneMinusSquare(x)) : undefined),
  atan: (x) => (Math.abs(x) > 1e150 ? 1 / x / x : 1 / (1 + x * x)),
  acot: (x) => (x === 0 ? undefined : Math.abs(x) > 1e150 ? -1 / x / x : -1 / (1 + x * x)),
  asec: (x) => (Math.abs(x) > 1 ? inverseHypotMinusOne(x) : undefined),
  acsc: (x) => (Math.abs(x) > 1 ? -inverseHypotMinusOne(x) : undefined),
  sinh: (x) => Math.cosh(x),
  cosh: (x) => Math.sinh(x),
  tanh: sech2,
  asinh: inverseHypot,
  acosh: (x) => (x > 1e150 ? 1 / x : x > 1 ? 1 / Math.sqrt((x - 1) * (x + 1)) : undefined),
  atanh: (x) => (Math.abs(x) < 1 ? 1 / oneMinusSquare(x) : undefined),
  sech: (x) => -Math.tanh(x) / Math.cosh(x),
  csch: (x) => (x === 0 ? undefined : -1 / Math.tanh(x) / Math.sinh(x)),
  coth: (x) => (x === 0 ? undefined : -1 / Math.sinh(x) ** 2),
  asech: (x) => (x > 0 && x < 1 ? -1 / x / Math.sqrt(oneMinusSquare(x)) : undefined),
  acsch: (x) => (x === 0 ? undefined : -inverseHypot(x) / Math.abs(x)),
  acoth: (x) => (Math.abs(x) > 1 ? 1 / oneMinusSquare(x) : undefined),
  exp: (x) => Math.exp(x),
  log: (x) => (x > 0 ? 1 / x : undefined),
  log2: (x) => (x > 0 ? 1 / x / Math.LN2 : undefined),
  log10: (x) => (x > 0 ? 1 / x / Math.LN10 : undefined),
  cbrt: (x) => (x === 0 ? undefined : 1 / (3 * Math.cbrt(x) ** 2)),
  abs: (x) => (x === 0 ? undefined : Math.sign(x)),
  sign: (x) => (x === 0 ? undefined : 0),
  sigmoid: (x) => sigmoid(x) * sigmoid(-x),
  softplus: (x) => sigmoid(x),
  relu: (x) => (x === 0 ? undefined : x > 0 ? 1 : 0),
  erf: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
  erfc: (x) => (-2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
  heaviside: (x) => (x === 0 ? undefined : 0),
};

/** The value a reference derivative is checked at, when it and f are finite. */
export function finiteReference(
  name: FunctionName,
  x: number,
): { readonly value: number } | undefined {
  const ref = REFERENCE_DERIVATIVE[name];
  const v = ref?.(x);
  return v !== undefined && Number.isFinite(v) ? { value: v } : undefined;
}

/**
 * Relative closeness with a floor for underflow: derivatives below ~1e-290 (atan′ at 1e160
 * is 1e-320) may come out as 0 or as a subnormal, depending on the order of operations.
 */
export function closeTo(got: number, expected: number, rel: number): boolean {
  if (Number.isNaN(got) || Number.isNaN(expected)) return false;
  if (got === expected) return true;
  if (!Number.isFinite(got) || !Number.isFinite(expected)) return false;
  const diff = Math.abs(got - expected);
  return diff <= rel * Math.max(Math.abs(got), Math.abs(expected)) || diff <= 1e-290;
}
