/**
 * Accurate float64 numeric kernels shared by the expression interpreter and generated code.
 *
 * Every kernel is a self-contained plain function (no module-level state, literals only), so its
 * `toString()` is valid standalone JavaScript; code generation embeds it (`NUMERIC_KERNELS`).
 *
 * erf/erfc re-implement the rational approximations of Sun's fdlibm `s_erf.c` (as shipped in
 * FreeBSD msun), coefficients copied from the published source: errors are within a few ulp.
 */

/** Names of the kernels whose source is available for embedding into generated code. */
export type NumericKernelName = 'erf' | 'erfc' | 'sigmoid' | 'softplus' | 'relu' | 'heaviside';

/**
 * Error function. Computed directly near 0 (relative accuracy down to subnormals) and as
 * 1 - erfc(|x|) elsewhere, where no cancellation occurs because erf(|x|) >= 0.76.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 3.725290298461914e-9) {
      // |x| < 2^-28: erf(x) = x + (2/sqrt(pi) - 1) x; scaling by 8 keeps subnormal x exact.
      return (8 * x + 1.0270333367641007 * x) / 8;
    }
    // erf(x) = x + x * P(x^2)/Q(x^2) (same approximation as the small branch of erfc).
    const z = x * x;
    const r =
      0.12837916709551256 +
      z *
        (-0.3250421072470015 +
          z * (-0.02848174957559851 + z * (-0.005770270296489442 + z * -2.3763016656650163e-5)));
    const s =
      1 +
      z *
        (0.39791722395915535 +
          z *
            (0.0650222499887673 +
              z *
                (0.005081306281875766 + z * (0.00013249473800432164 + z * -3.960228278775368e-6))));
    return x + x * (r / s);
  }
  // NaN propagates through erfc; +-Infinity give erfc = 0.
  const c = 1 - erfc(ax);
  return x < 0 ? -c : c;
}

/**
 * Complementary error function 1 - erf(x), with full relative accuracy in the right tail
 * (erfc(10) ~ 2.09e-45) until the result becomes subnormal (x > ~26.5) and underflows at ~27.3.
 */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 1.3877787807814457e-17) return 1 - x; // |x| < 2^-56
    const z = x * x;
    const r =
      0.12837916709551256 +
      z *
        (-0.3250421072470015 +
          z * (-0.02848174957559851 + z * (-0.005770270296489442 + z * -2.3763016656650163e-5)));
    const s =
      1 +
      z *
        (0.39791722395915535 +
          z *
            (0.0650222499887673 +
              z *
                (0.005081306281875766 + z * (0.00013249473800432164 + z * -3.960228278775368e-6))));
    const y = r / s;
    if (x < 0.25) return 1 - (x + x * y);
    // 1/4 <= x: regroup so the rounding of x*y is not amplified by cancellation against 1.
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    // Taylor-like expansion about 1: erf(1 + s) = erx + P(s)/Q(s), erx = erf(1) rounded to float32.
    const erx = 0.8450629115104675;
    const s = ax - 1;
    const p =
      -0.0023621185607526594 +
      s *
        (0.41485611868374833 +
          s *
            (-0.3722078760357013 +
              s *
                (0.31834661990116175 +
                  s *
                    (-0.11089469428239668 +
                      s * (0.035478304325618236 + s * -0.002166375594868791)))));
    const q =
      1 +
      s *
        (0.10642088040084423 +
          s *
            (0.540397917702171 +
              s *
                (0.07182865441419627 +
                  s *
                    (0.12617121980876164 + s * (0.01363708391202905 + s * 0.011984499846799107)))));
    // 1 - erx is exact (erx has 24 significant bits).
    return x > 0 ? 1 - erx - p / q : 1 + (erx + p / q);
  }
  if (ax < 28) {
    if (x < -6) return 2; // 2 - erfc(6) rounds to 2
    // erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x for x >= 1.25.
    const s = 1 / (ax * ax);
    let rs: number;
    if (ax < 2.857142857142857) {
      const r =
        -0.009864944034847148 +
        s *
          (-0.6938585727071818 +
            s *
              (-10.558626225323291 +
                s *
                  (-62.375332450326006 +
                    s *
                      (-162.39666946257347 +
                        s *
                          (-184.60509290671104 +
                            s * (-81.2874355063066 + s * -9.814329344169145))))));
      const q =
        1 +
        s *
          (19.651271667439257 +
            s *
              (137.65775414351904 +
                s *
                  (434.56587747522923 +
                    s *
                      (645.3872717332679 +
                        s *
                          (429.00814002756783 +
                            s *
                              (108.63500554177944 +
                                s * (6.570249770319282 + s * -0.0604244152148581)))))));
      rs = r / q;
    } else {
      const r =
        -0.0098649429247001 +
        s *
          (-0.799283237680523 +
            s *
              (-17.757954917754752 +
                s *
                  (-160.63638485582192 +
                    s *
                      (-637.5664433683896 + s * (-1025.0951316110772 + s * -483.5191916086514)))));
      const q =
        1 +
        s *
          (30.33806074348246 +
            s *
              (325.7925129965739 +
                s *
                  (1536.729586084437 +
                    s *
                      (3199.8582195085955 +
                        s *
                          (2553.0504064331644 +
                            s * (474.52854120695537 + s * -22.44095244658582))))));
      rs = r / q;
    }
    // Split x = z + (x - z) with z = float32(x): z*z and z*z + 0.5625 are exact, so the large
    // exponent carries no rounding error (exp would amplify it by |x|^2 ulps).
    const z = Math.fround(ax);
    const a = -z * z - 0.5625;
    const b = (z - ax) * (z + ax) + rs;
    let e: number;
    if (ax < 26) {
      e = (Math.exp(a) * Math.exp(b)) / ax;
    } else {
      // Near underflow: exp(a/2)^2 keeps the intermediate normal, so only the final product
      // is rounded to a subnormal.
      const h = Math.exp(0.5 * a);
      e = h * ((h * Math.exp(b)) / ax);
    }
    return x > 0 ? e : 2 - e;
  }
  // |x| >= 28 (erfc(28) underflows), +-Infinity, or NaN (returned unchanged).
  if (x > 0) return 0;
  if (x < 0) return 2;
  return x;
}

/**
 * Logistic function 1 / (1 + e^-x). Only ever exponentiates a non-positive number, so it never
 * overflows: sigmoid(1000) = 1, sigmoid(-1000) underflows to 0, never NaN.
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x); // NaN also lands here and propagates
  return e / (1 + e);
}

/**
 * Softplus log(1 + e^x), written as max(x, 0) + log1p(e^-|x|) so e^x cannot overflow and the
 * small tail (~e^x for x << 0) keeps full relative accuracy.
 */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Rectified linear unit max(x, 0); NaN propagates and relu(-0) = +0. */
export function relu(x: number): number {
  return Math.max(x, 0);
}

/**
 * Unit step: 1 for x > 0, 0 for x <= 0 (including -0), NaN for NaN. This is the derivative
 * used for relu, with the convention relu'(0) = 0.
 */
export function heaviside(x: number): number {
  if (x > 0) return 1;
  if (x <= 0) return 0;
  return x;
}

/**
 * The kernels as functions, for embedding their source (`toString()`) in generated
 * JavaScript, so the logic has a single home. A bundler may rename them (and the calls
 * between them, consistently): embed each under its own runtime `name`.
 */
export const NUMERIC_KERNELS: Readonly<Record<NumericKernelName, (x: number) => number>> =
  Object.freeze({ erf, erfc, sigmoid, softplus, relu, heaviside });

/**
 * Other kernels each kernel's source calls; generated code must include their sources too
 * (function declarations are hoisted, so order does not matter).
 */
export const NUMERIC_KERNEL_DEPENDENCIES: Readonly<
  Record<NumericKernelName, readonly NumericKernelName[]>
> = Object.freeze({
  erf: Object.freeze(['erfc'] as const),
  erfc: Object.freeze([] as const),
  sigmoid: Object.freeze([] as const),
  softplus: Object.freeze([] as const),
  relu: Object.freeze([] as const),
  heaviside: Object.freeze([] as const),
});
