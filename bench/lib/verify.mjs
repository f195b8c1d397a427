// Correctness yardsticks shared by the self-check and the benchmarks: a fast wrong
// gradient is worthless, so every contender is compared before it is timed.

/**
 * Central-difference gradient of `value` at point p for the first `nGrad` coordinates.
 * Step h_i = eps·max(1, |p_i|) with eps ≈ cbrt(machine ε), the usual optimum for
 * central differences (truncation O(h²) vs rounding O(ε/h)).
 * @param {(p: Float64Array) => number} value
 * @param {ArrayLike<number>} p
 * @param {number} nGrad
 */
export function fdGradient(value, p, nGrad, eps = 6e-6) {
  const q = Float64Array.from(p);
  const g = new Float64Array(nGrad);
  for (let i = 0; i < nGrad; i++) {
    const h = eps * Math.max(1, Math.abs(p[i]));
    q[i] = p[i] + h;
    const fp = value(q);
    q[i] = p[i] - h;
    const fm = value(q);
    q[i] = p[i];
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** max_i |a_i − b_i| / max(‖b‖_∞, tiny): deviation relative to the reference's scale. */
export function relDeviation(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
}

/**
 * Max relative deviation of `gradFn` from `refGradFn` over `points` (the baseline's
 * "agree" column). gradFn may return anything; only g is compared.
 */
export function agreement(gradFn, refGradFn, points, nGrad, limit = 200) {
  const g = new Float64Array(nGrad);
  const r = new Float64Array(nGrad);
  let worst = 0;
  const n = Math.min(limit, points.length);
  for (let k = 0; k < n; k++) {
    gradFn(points[k], g);
    refGradFn(points[k], r);
    const d = relDeviation(g, r);
    if (!(d <= worst)) worst = d; // NaN-propagating max
  }
  return worst;
}
