// Deterministic benchmark inputs.
//
// Every contender must see exactly the same points, and a re-run must see the same points
// as the previous run, so inputs come from a small seeded PRNG rather than Math.random.
// Points are preallocated Float64Arrays: the measured loop then allocates nothing, and the
// memory layout (one contiguous array per point) is what a user of a point-wise gradient
// would have.

/** mulberry32: tiny, fast, good enough for benchmark inputs (not for statistics). */
export function rng(seed = 0x5eed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi). */
export function uniform(next, lo, hi) {
  return lo + (hi - lo) * next();
}

/**
 * `n` points of dimension `dim`, each a Float64Array. `ranges` gives [lo, hi] per
 * coordinate (or one [lo, hi] for all).
 * @returns {Float64Array[]}
 */
export function randomPoints(n, dim, ranges = [-1, 1], seed = 1) {
  const next = rng(seed);
  const per = Array.isArray(ranges[0]) ? ranges : Array.from({ length: dim }, () => ranges);
  const pts = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = new Float64Array(dim);
    for (let j = 0; j < dim; j++) p[j] = uniform(next, per[j][0], per[j][1]);
    pts[i] = p;
  }
  return pts;
}

/**
 * Columns of `n` samples: `{name: Float64Array(n)}`. `ranges` maps name → [lo, hi].
 * @param {number} n
 * @param {Record<string, [number, number]>} ranges
 */
export function randomColumns(n, ranges, seed = 2) {
  const next = rng(seed);
  const cols = {};
  for (const name of Object.keys(ranges)) cols[name] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (const name of Object.keys(ranges)) {
      const [lo, hi] = ranges[name];
      cols[name][i] = uniform(next, lo, hi);
    }
  }
  return cols;
}

/**
 * Per-coordinate ranges for a case's symbols (variables then data), chosen so every case is
 * well-conditioned: weights in [-1, 1], inputs x in [-2, 2], targets y in [-1, 1],
 * Rosenbrock coordinates in [-2, 2], the logistic map's x in [0, 1].
 * @param {{variables: string[], data?: string[]}} c
 */
export function rangesFor(c) {
  const syms = [...c.variables, ...(c.data ?? [])];
  // The logistic map stays bounded only on [0, 1] (outside it iterates to −∞).
  if (c.name?.startsWith('logistic_')) return syms.map(() => [0, 1]);
  return syms.map((s) => {
    if (s === 'x' || /^x\d+$/.test(s)) return [-2, 2];
    return [-1, 1];
  });
}

/** Random points for a case, ordered [...variables, ...data]. */
export function pointsFor(c, n, seed = 1) {
  const r = rangesFor(c);
  return randomPoints(n, r.length, r, seed);
}

/** Random parameter vector for a case's variables. */
export function paramsFor(c, seed = 3) {
  const next = rng(seed);
  return Float64Array.from(c.variables, () => uniform(next, -1, 1));
}

/** Random data columns {x, y, …} for a case's data symbols. */
export function columnsFor(c, n, seed = 2) {
  const ranges = {};
  for (const d of c.data ?? []) ranges[d] = d === 'x' ? [-2, 2] : [-1, 1];
  return randomColumns(n, ranges, seed);
}
