// Hand-written gradients: the speed limit.
//
// Written the way a careful engineer would for production: straight-line code, every
// forward value computed once and reused in the backward pass, no allocation per call
// (scratch buffers are allocated once, when the function is made), loops only where a
// human would write one (Rosenbrock, the MLP's hidden units, deep chains).
//
// Conventions, shared with the peer adapters and the Leibniz benchmarks:
// - A point is `[...variables, ...data]` in the case's order (peer-cases.json order), e.g.
//   two_layer: [w1, w2, x, y]; mlp(h): [w1..wh, b1..bh, v1..vh, x, y].
// - `grad(p, g)`  writes ∂f/∂variables into g (length = number of variables), returns f(p).
// - `value(p)`    returns f(p).
// - Data cases also have a batched form, reduce = 'sum' over the batch:
//   `batchGrad(cols, params, g)` with cols = {x: Float64Array, y: Float64Array} and params
//   the variables only; writes Σ ∂L/∂params into g and returns Σ L.
//   `batchValue(cols, params)` returns Σ L.
//
// Each case is an object {name, variables, data, grad, value, batchGrad?, batchValue?}.
// Every gradient is checked against central differences by bench/check-handwritten.mjs.

// ---------------------------------------------------------------------------------------
// sin(x²)

/** f = sin(x²); variables [x]. */
export const sin_x2 = {
  name: 'sin_x2',
  variables: ['x'],
  data: [],
  grad(p, g) {
    const x = p[0];
    const x2 = x * x;
    g[0] = 2 * x * Math.cos(x2);
    return Math.sin(x2);
  },
  value(p) {
    const x = p[0];
    return Math.sin(x * x);
  },
};

// ---------------------------------------------------------------------------------------
// Two-layer scalar networks.

/** L = (tanh(w2·tanh(w1·x)) − y)²; variables [w1, w2], data [x, y]. */
export const two_layer = {
  name: 'two_layer',
  variables: ['w1', 'w2'],
  data: ['x', 'y'],
  grad(p, g) {
    const w1 = p[0];
    const w2 = p[1];
    const x = p[2];
    const a = Math.tanh(w1 * x);
    const b = Math.tanh(w2 * a);
    const r = b - p[3];
    // dL/dz2 where z2 = w2·a; tanh' = 1 − tanh².
    const dz2 = 2 * r * (1 - b * b);
    g[1] = dz2 * a;
    g[0] = dz2 * w2 * (1 - a * a) * x;
    return r * r;
  },
  value(p) {
    const r = Math.tanh(p[1] * Math.tanh(p[0] * p[2])) - p[3];
    return r * r;
  },
  batchGrad(cols, params, g) {
    const w1 = params[0];
    const w2 = params[1];
    const xs = cols.x;
    const ys = cols.y;
    const n = xs.length;
    let L = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      const a = Math.tanh(w1 * x);
      const b = Math.tanh(w2 * a);
      const r = b - ys[i];
      L += r * r;
      const dz2 = 2 * r * (1 - b * b);
      g2 += dz2 * a;
      g1 += dz2 * (1 - a * a) * x; // × w2, factored out of the loop
    }
    g[0] = g1 * w2;
    g[1] = g2;
    return L;
  },
  batchValue(cols, params) {
    const w1 = params[0];
    const w2 = params[1];
    const xs = cols.x;
    const ys = cols.y;
    const n = xs.length;
    let L = 0;
    for (let i = 0; i < n; i++) {
      const r = Math.tanh(w2 * Math.tanh(w1 * xs[i])) - ys[i];
      L += r * r;
    }
    return L;
  },
};

/** L = (σ(w2·σ(w1·x)) − y)², σ(z) = 1/(1+exp(−z)); variables [w1, w2], data [x, y]. */
export const two_layer_sigmoid = {
  name: 'two_layer_sigmoid',
  variables: ['w1', 'w2'],
  data: ['x', 'y'],
  grad(p, g) {
    const w1 = p[0];
    const w2 = p[1];
    const x = p[2];
    const a = 1 / (1 + Math.exp(-(w1 * x)));
    const b = 1 / (1 + Math.exp(-(w2 * a)));
    const r = b - p[3];
    // σ' = σ(1 − σ).
    const dz2 = 2 * r * b * (1 - b);
    g[1] = dz2 * a;
    g[0] = dz2 * w2 * a * (1 - a) * x;
    return r * r;
  },
  value(p) {
    const a = 1 / (1 + Math.exp(-(p[0] * p[2])));
    const r = 1 / (1 + Math.exp(-(p[1] * a))) - p[3];
    return r * r;
  },
  batchGrad(cols, params, g) {
    const w1 = params[0];
    const w2 = params[1];
    const xs = cols.x;
    const ys = cols.y;
    const n = xs.length;
    let L = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      const a = 1 / (1 + Math.exp(-(w1 * x)));
      const b = 1 / (1 + Math.exp(-(w2 * a)));
      const r = b - ys[i];
      L += r * r;
      const dz2 = 2 * r * b * (1 - b);
      g2 += dz2 * a;
      g1 += dz2 * a * (1 - a) * x;
    }
    g[0] = g1 * w2;
    g[1] = g2;
    return L;
  },
  batchValue(cols, params) {
    const w1 = params[0];
    const w2 = params[1];
    const xs = cols.x;
    const ys = cols.y;
    const n = xs.length;
    let L = 0;
    for (let i = 0; i < n; i++) {
      const a = 1 / (1 + Math.exp(-(w1 * xs[i])));
      const r = 1 / (1 + Math.exp(-(w2 * a))) - ys[i];
      L += r * r;
    }
    return L;
  },
};

// ---------------------------------------------------------------------------------------
// Rosenbrock.

/**
 * f = Σ_{i=0}^{n−2} 100(x_{i+1} − x_i²)² + (1 − x_i)²; variables x1..xn (1-based names,
 * as in peer-cases.json; the point is just the n coordinates).
 * The gradient of term i touches g[i] and g[i+1]; carrying the g[i+1] contribution in a
 * register means each g entry is written once and nothing needs zeroing.
 */
export function makeRosenbrock(n) {
  if (n < 2) throw new RangeError('rosenbrock needs n >= 2');
  return {
    name: `rosenbrock_${n}`,
    variables: Array.from({ length: n }, (_, i) => `x${i + 1}`),
    data: [],
    grad(x, g) {
      let f = 0;
      let carry = 0; // 200·t_{i−1}: contribution of term i−1 to g[i]
      for (let i = 0; i < n - 1; i++) {
        const xi = x[i];
        const t = x[i + 1] - xi * xi;
        const u = 1 - xi;
        f += 100 * t * t + u * u;
        g[i] = carry - 400 * t * xi - 2 * u;
        carry = 200 * t;
      }
      g[n - 1] = carry;
      return f;
    },
    value(x) {
      let f = 0;
      for (let i = 0; i < n - 1; i++) {
        const xi = x[i];
        const t = x[i + 1] - xi * xi;
        const u = 1 - xi;
        f += 100 * t * t + u * u;
      }
      return f;
    },
  };
}

// ---------------------------------------------------------------------------------------
// One-hidden-layer MLP with scalar input and output.

/**
 * L = (Σ_{j=1}^{h} v_j·tanh(w_j·x + b_j) − y)²;
 * variables [w1..wh, b1..bh, v1..vh], data [x, y].
 */
export function makeMlp(h) {
  const t = new Float64Array(h); // hidden activations, reused between forward and backward
  const gAcc = new Float64Array(3 * h); // batch accumulator
  return {
    name: `mlp_${h}`,
    variables: [
      ...Array.from({ length: h }, (_, j) => `w${j + 1}`),
      ...Array.from({ length: h }, (_, j) => `b${j + 1}`),
      ...Array.from({ length: h }, (_, j) => `v${j + 1}`),
    ],
    data: ['x', 'y'],
    grad(p, g) {
      const x = p[3 * h];
      let s = 0;
      for (let j = 0; j < h; j++) {
        const tj = Math.tanh(p[j] * x + p[h + j]);
        t[j] = tj;
        s += p[2 * h + j] * tj;
      }
      const r = s - p[3 * h + 1];
      const d = 2 * r;
      for (let j = 0; j < h; j++) {
        const tj = t[j];
        const dz = d * p[2 * h + j] * (1 - tj * tj);
        g[j] = dz * x;
        g[h + j] = dz;
        g[2 * h + j] = d * tj;
      }
      return r * r;
    },
    value(p) {
      const x = p[3 * h];
      let s = 0;
      for (let j = 0; j < h; j++) s += p[2 * h + j] * Math.tanh(p[j] * x + p[h + j]);
      const r = s - p[3 * h + 1];
      return r * r;
    },
    batchGrad(cols, params, g) {
      const xs = cols.x;
      const ys = cols.y;
      const n = xs.length;
      gAcc.fill(0);
      let L = 0;
      for (let i = 0; i < n; i++) {
        const x = xs[i];
        let s = 0;
        for (let j = 0; j < h; j++) {
          const tj = Math.tanh(params[j] * x + params[h + j]);
          t[j] = tj;
          s += params[2 * h + j] * tj;
        }
        const r = s - ys[i];
        L += r * r;
        const d = 2 * r;
        for (let j = 0; j < h; j++) {
          const tj = t[j];
          const dz = d * params[2 * h + j] * (1 - tj * tj);
          gAcc[j] += dz * x;
          gAcc[h + j] += dz;
          gAcc[2 * h + j] += d * tj;
        }
      }
      for (let k = 0; k < 3 * h; k++) g[k] = gAcc[k];
      return L;
    },
    batchValue(cols, params) {
      const xs = cols.x;
      const ys = cols.y;
      const n = xs.length;
      let L = 0;
      for (let i = 0; i < n; i++) {
        const x = xs[i];
        let s = 0;
        for (let j = 0; j < h; j++)
          s += params[2 * h + j] * Math.tanh(params[j] * x + params[h + j]);
        const r = s - ys[i];
        L += r * r;
      }
      return L;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Deep cases (the shapes where expression swell matters). Speed limits for cases.mjs.

/**
 * f = sin(cos(sin(…(x)))) with n alternating functions, outermost sin (as nest_n in
 * peer-cases.json). One variable, so forward mode (value and derivative carried together
 * from the inside out) is optimal and needs no storage.
 */
export function makeNest(n) {
  // Function k (0 = outermost) is sin for even k, cos for odd k.
  return {
    name: `nest_${n}`,
    variables: ['x'],
    data: [],
    grad(p, g) {
      let u = p[0];
      let d = 1;
      for (let k = n - 1; k >= 0; k--) {
        if ((k & 1) === 0) {
          d *= Math.cos(u);
          u = Math.sin(u);
        } else {
          d *= -Math.sin(u);
          u = Math.cos(u);
        }
      }
      g[0] = d;
      return u;
    },
    value(p) {
      let u = p[0];
      for (let k = n - 1; k >= 0; k--) u = (k & 1) === 0 ? Math.sin(u) : Math.cos(u);
      return u;
    },
  };
}

/**
 * Deep scalar chain: f_0 = x, f_k = tanh(w_k·f_{k−1}), L = (f_n − y)²;
 * variables [w1..wn], data [x, y]. Reverse mode over a stored forward pass.
 */
export function makeDeepChain(n) {
  const f = new Float64Array(n + 1);
  return {
    name: `deep_chain_${n}`,
    variables: Array.from({ length: n }, (_, k) => `w${k + 1}`),
    data: ['x', 'y'],
    grad(p, g) {
      let u = p[n];
      f[0] = u;
      for (let k = 1; k <= n; k++) {
        u = Math.tanh(p[k - 1] * u);
        f[k] = u;
      }
      const r = u - p[n + 1];
      let d = 2 * r;
      for (let k = n; k >= 1; k--) {
        const fk = f[k];
        const dz = d * (1 - fk * fk);
        g[k - 1] = dz * f[k - 1];
        d = dz * p[k - 1];
      }
      return r * r;
    },
    value(p) {
      let u = p[n];
      for (let k = 1; k <= n; k++) u = Math.tanh(p[k - 1] * u);
      const r = u - p[n + 1];
      return r * r;
    },
  };
}

/** Logistic map l_{k+1} = 4·l_k·(1 − l_k), l_0 = x, f = l_n; forward mode. */
export function makeLogisticMap(n) {
  return {
    name: `logistic_${n}`,
    variables: ['x'],
    data: [],
    grad(p, g) {
      let l = p[0];
      let d = 1;
      for (let k = 0; k < n; k++) {
        d *= 4 - 8 * l;
        l = 4 * l * (1 - l);
      }
      g[0] = d;
      return l;
    },
    value(p) {
      let l = p[0];
      for (let k = 0; k < n; k++) l = 4 * l * (1 - l);
      return l;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Lookup by case name.

const fixed = { sin_x2, two_layer, two_layer_sigmoid };
const families = [
  [/^rosenbrock_(\d+)$/, makeRosenbrock],
  [/^mlp_(\d+)$/, makeMlp],
  [/^nest_(\d+)$/, makeNest],
  [/^deep_chain_(\d+)$/, makeDeepChain],
  [/^logistic_(\d+)$/, makeLogisticMap],
];

/**
 * The hand-written implementation for a case name ('sin_x2', 'rosenbrock_100', 'mlp_16',
 * 'nest_10', 'deep_chain_50', 'logistic_20'), or undefined. Each call to a factory returns
 * fresh closures (fresh scratch buffers, and no feedback shared with other sizes).
 */
export function handwritten(name) {
  if (fixed[name]) return fixed[name];
  for (const [re, make] of families) {
    const m = re.exec(name);
    if (m) return make(Number(m[1]));
  }
  return undefined;
}
