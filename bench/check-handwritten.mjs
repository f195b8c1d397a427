// Self-check of the benchmark's reference implementations. Prints OK and exits 0, or
// lists every failure and exits 1. Fast (< 1 s): run it after touching bench/lib.
//
// 1. Each hand-written gradient agrees with central finite differences of its own value
//    function, and grad() returns the same value as value().
// 2. Batched forms equal the sum of the point-wise forms.
// 3. The case generators reproduce peer-cases.json exactly (when ../shared is present), so
//    the embedded fallback runs the same benchmark; and each hand-written value function
//    agrees with the case's expression (evaluated by mathjs) — same function, same
//    variable order.

import * as math from 'mathjs';
import {
  caseByName,
  generatedPeerCases,
  loadPeerCases,
  logisticMap,
  PEER_CASES_PATH,
} from './lib/cases.mjs';
import { columnsFor, paramsFor, pointsFor } from './lib/data.mjs';
import { handwritten } from './lib/handwritten.mjs';
import { fdGradient, relDeviation } from './lib/verify.mjs';

const failures = [];
const fail = (msg) => failures.push(msg);

const NAMES = [
  'sin_x2',
  'two_layer',
  'two_layer_sigmoid',
  'rosenbrock_2',
  'rosenbrock_10',
  'rosenbrock_100',
  'rosenbrock_1000',
  'mlp_1',
  'mlp_4',
  'mlp_16',
  'mlp_64',
  'nest_1',
  'nest_5',
  'nest_10',
  'nest_40',
  'deep_chain_1',
  'deep_chain_2',
  'deep_chain_20',
  'logistic_1',
  'logistic_6',
  'logistic_30',
];

// Central differences carry truncation O(h²·f''') and rounding O(ε·|f|/h) ≈ 4e-11·|f|
// error. A relative test alone fails where the gradient is tiny next to f (nest_40's
// derivative is ~1e-7; deep_chain_20's vanishes with random weights), so the tolerance is
// relative to the gradient plus absolute to f. A real slip (a wrong or missing term) is far
// larger. Cases with a build() are additionally checked against forward-mode dual numbers,
// which are exact up to rounding, at 1e-12.
const FD_REL = 1e-6;
const FD_ABS = 1e-8;
const DUAL_TOL = 1e-12;
// The logistic map is chaotic: its derivative grows like 4ⁿ and its curvature like 16ⁿ,
// so over any usable FD step the function is not locally linear. Dual numbers (exact up to
// rounding, and independent of the hand-written code) are its reference instead.
const FD_UNRELIABLE = /^logistic_/;

/**
 * Builders (see cases.mjs) that evaluate value and one directional derivative. Each node
 * caches its result for the current env: build() returns a DAG (the logistic map references
 * each l_k twice), and an uncached walk of it would be exponential.
 */
const node = (compute) => {
  let lastEnv = null;
  let last = null;
  return (env) => {
    if (env !== lastEnv) {
      last = compute(env);
      lastEnv = env;
    }
    return last;
  };
};
const dualBuilders = {
  num: (v) => () => [v, 0],
  sym: (name) => (env) => env[name],
  add: (a, b) =>
    node((env) => {
      const [u, du] = a(env);
      const [v, dv] = b(env);
      return [u + v, du + dv];
    }),
  sub: (a, b) =>
    node((env) => {
      const [u, du] = a(env);
      const [v, dv] = b(env);
      return [u - v, du - dv];
    }),
  mul: (a, b) =>
    node((env) => {
      const [u, du] = a(env);
      const [v, dv] = b(env);
      return [u * v, du * v + u * dv];
    }),
  pow: (a, b) =>
    node((env) => {
      const [u, du] = a(env);
      const [k] = b(env); // constant exponents only, which is all the builders use
      return [u ** k, k * u ** (k - 1) * du];
    }),
  call: (fn, a) =>
    node((env) => {
      const [u, du] = a(env);
      if (fn === 'sin') return [Math.sin(u), Math.cos(u) * du];
      if (fn === 'cos') return [Math.cos(u), -Math.sin(u) * du];
      if (fn === 'tanh') {
        const t = Math.tanh(u);
        return [t, (1 - t * t) * du];
      }
      throw new Error(`dual: no rule for ${fn}`);
    }),
};

function dualGradient(c, p) {
  const f = c.build(dualBuilders);
  const syms = [...c.variables, ...c.data];
  return Float64Array.from(c.variables, (_, i) => {
    const env = Object.fromEntries(syms.map((s, k) => [s, [p[k], k === i ? 1 : 0]]));
    return f(env)[1];
  });
}

let checked = 0;
for (const name of NAMES) {
  const c = caseByName(name);
  const h = handwritten(name);
  if (!h) {
    fail(`${name}: no hand-written implementation`);
    continue;
  }
  if (JSON.stringify(h.variables) !== JSON.stringify(c.variables)) {
    fail(`${name}: variable order differs from the case`);
  }
  const nGrad = c.variables.length;
  const pts = pointsFor(c, 20, 7);
  const g = new Float64Array(nGrad);
  for (const p of pts) {
    const v = h.grad(p, g);
    const v2 = h.value(p);
    if (!(Math.abs(v - v2) <= 1e-12 * Math.max(1, Math.abs(v2)))) {
      fail(`${name}: grad() returned ${v}, value() ${v2}`);
    }
    if (FD_UNRELIABLE.test(name) && !c.build) fail(`${name}: no reference gradient`);
    const fd = FD_UNRELIABLE.test(name) ? g : fdGradient(h.value, p, nGrad);
    let absDev = 0;
    let scale = 0;
    for (let i = 0; i < nGrad; i++) {
      absDev = Math.max(absDev, Math.abs(g[i] - fd[i]));
      scale = Math.max(scale, Math.abs(fd[i]));
    }
    if (!(absDev <= FD_REL * scale + FD_ABS * Math.max(1, Math.abs(v2)))) {
      fail(
        `${name}: gradient vs central differences deviates ${absDev.toExponential(2)} (|g|∞ ${scale.toExponential(2)})`,
      );
    }
    checked++;
    if (c.build) {
      const dev = relDeviation(g, dualGradient(c, p));
      if (!(dev <= DUAL_TOL))
        fail(`${name}: gradient vs dual numbers deviates ${dev.toExponential(2)}`);
      checked++;
    }
  }

  // Batched = Σ point-wise.
  if (h.batchGrad) {
    const cols = columnsFor(c, 257, 11);
    const params = paramsFor(c, 13);
    const gb = new Float64Array(nGrad);
    const Lb = h.batchGrad(cols, params, gb);
    const Lv = h.batchValue(cols, params);
    const gs = new Float64Array(nGrad);
    let Ls = 0;
    const p = new Float64Array(nGrad + c.data.length);
    p.set(params);
    for (let i = 0; i < cols.x.length; i++) {
      c.data.forEach((d, k) => {
        p[nGrad + k] = cols[d][i];
      });
      Ls += h.grad(p, g);
      for (let k = 0; k < nGrad; k++) gs[k] += g[k];
    }
    const tol = 1e-12 * cols.x.length;
    if (!(Math.abs(Lb - Ls) <= tol * Math.max(1, Ls)))
      fail(`${name}: batchGrad loss ${Lb} vs Σ ${Ls}`);
    if (!(Math.abs(Lv - Ls) <= tol * Math.max(1, Ls))) fail(`${name}: batchValue ${Lv} vs Σ ${Ls}`);
    const dev = relDeviation(gb, gs);
    if (!(dev < 1e-12 * cols.x.length))
      fail(`${name}: batchGrad vs Σ grad deviates ${dev.toExponential(2)}`);
    checked++;
  }

  // Hand-written value = the case's expression (skip the huge ones: mathjs evaluate is slow
  // but correct; 100 is enough to catch an indexing slip).
  if (c.expr && c.expr.length < 20_000) {
    const compiled = math.compile(c.expr);
    const syms = [...c.variables, ...c.data];
    for (const p of pts.slice(0, 5)) {
      const scope = new Map(syms.map((s, i) => [s, p[i]]));
      const want = compiled.evaluate(scope);
      const got = h.value(p);
      if (!(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)))) {
        fail(`${name}: hand value ${got} vs mathjs(expr) ${want}`);
      }
    }
    checked++;
  }
}

// The logistic builder (DAG) and string agree.
{
  const c = logisticMap(6);
  const b = {
    num: (v) => () => v,
    sym: () => (x) => x,
    add: (a, bb) => (x) => a(x) + bb(x),
    sub: (a, bb) => (x) => a(x) - bb(x),
    mul: (a, bb) => (x) => a(x) * bb(x),
  };
  const f = c.build(b);
  const want = math.evaluate(c.expr, { x: 0.3 });
  if (!(Math.abs(f(0.3) - want) < 1e-12)) fail(`logistic_6: build() ${f(0.3)} vs expr ${want}`);
  checked++;
}

// Generated cases = peer-cases.json.
const { cases: fileCases, source } = loadPeerCases();
if (source === 'embedded') {
  console.log(`note: ${PEER_CASES_PATH} not found; generator/file comparison skipped`);
} else {
  const gen = new Map(generatedPeerCases().map((c) => [c.name, c]));
  for (const c of fileCases) {
    const g = gen.get(c.name);
    if (!g) fail(`peer case ${c.name}: no generator`);
    else if (g.expr !== c.expr) fail(`peer case ${c.name}: generated expr differs`);
    else if (JSON.stringify(g.variables) !== JSON.stringify(c.variables)) {
      fail(`peer case ${c.name}: generated variables differ`);
    }
    checked++;
  }
  if (gen.size !== fileCases.length)
    fail(`generated ${gen.size} peer cases, file has ${fileCases.length}`);
}

if (failures.length) {
  for (const f of failures) console.log(`FAIL ${f}`);
  console.log(`${failures.length} failure(s) in ${checked} checks`);
  process.exit(1);
}
console.log(`OK (${checked} checks)`);
