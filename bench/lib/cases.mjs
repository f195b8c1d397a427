// Benchmark cases.
//
// A case is {name, expr, variables, data, note, build?}:
// - expr: a string in the common subset of mathjs/nerdamer/SymPy syntax (`^` for powers).
// - variables: the symbols differentiated, in gradient order.
// - data: symbols that are inputs, not differentiated (x, y of a regression). A point is
//   [...variables, ...data]; see handwritten.mjs.
// - build(b): optional; constructs the expression through caller-supplied builders
//   (b.num, b.sym, b.add, b.sub, b.mul, b.div, b.pow, b.call) so that a system with
//   hash-consing gets the shared DAG instead of a string whose size is exponential
//   (the logistic map) or just to skip a parse.
//
// The generators reproduce peer-cases.json byte for byte (bench/check-handwritten.mjs
// checks that), so the bench runs the same cases when ../shared is not there.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const range = (n, from = 1) => Array.from({ length: n }, (_, i) => i + from);

/** sin(x^2). */
export function sinX2() {
  return { name: 'sin_x2', expr: 'sin(x^2)', variables: ['x'], data: [] };
}

/** (tanh(w2*tanh(w1*x)) - y)^2 — also deepChain(2). */
export function twoLayer() {
  return { ...deepChain(2), name: 'two_layer', note: 'tanh activation' };
}

/** The sigmoid two-layer net, σ written inline as in peer-cases.json. */
export function twoLayerSigmoid() {
  return {
    name: 'two_layer_sigmoid',
    expr: '((1/(1+exp(-(w2*(1/(1+exp(-(w1*x)))))))) - y)^2',
    variables: ['w1', 'w2'],
    data: ['x', 'y'],
    note: 'sigmoid f(z)=1/(1+exp(-z)) written inline',
  };
}

/**
 * Deep scalar chain: f_0 = x, f_k = tanh(w_k·f_{k−1}), L = (f_n − y)².
 * The string is linear in n (each f_{k−1} appears once in f_k), so a string is fine.
 */
export function deepChain(n) {
  let f = 'x';
  for (let k = 1; k <= n; k++) f = `tanh(w${k}*${f})`;
  return {
    name: `deep_chain_${n}`,
    expr: `(${f} - y)^2`,
    variables: range(n).map((k) => `w${k}`),
    data: ['x', 'y'],
    note: `f_k = tanh(w_k f_{k-1}), f_0 = x, L = (f_${n} - y)^2`,
    build(b) {
      let e = b.sym('x');
      for (let k = 1; k <= n; k++) e = b.call('tanh', b.mul(b.sym(`w${k}`), e));
      return b.pow(b.sub(e, b.sym('y')), b.num(2));
    },
  };
}

/** n-fold alternating composition, outermost sin: sin(cos(sin(…(x)))). */
export function nest(n) {
  const fns = range(n, 0).map((k) => (k % 2 === 0 ? 'sin' : 'cos'));
  return {
    name: `nest_${n}`,
    expr: `${fns.join('(')}(x${')'.repeat(n)}`,
    variables: ['x'],
    data: [],
    note: `${n}-fold alternating sin/cos composition`,
    build(b) {
      let e = b.sym('x');
      for (let k = n - 1; k >= 0; k--) e = b.call(fns[k], e);
      return e;
    },
  };
}

/** Π_{i=1}^{n} (x + i). */
export function polyProd(n) {
  return {
    name: `poly_prod_${n}`,
    expr: range(n)
      .map((i) => `(x + ${i})`)
      .join('*'),
    variables: ['x'],
    data: [],
    note: `product of (x+i), i=1..${n}`,
  };
}

/**
 * Σ_{i=1}^{n−1} 100(x_{i+1} − x_i²)² + (1 − x_i)² with 1-based names x1..xn, as in
 * peer-cases.json (hand-written code indexes the same coordinates from 0).
 */
export function rosenbrockExpr(n) {
  return range(n - 1)
    .map((i) => `100*(x${i + 1} - x${i}^2)^2 + (1 - x${i})^2`)
    .join(' + ');
}

export function rosenbrock(n) {
  return {
    name: `rosenbrock_${n}`,
    expr: rosenbrockExpr(n),
    variables: range(n).map((i) => `x${i}`),
    data: [],
    note: `sum_{i=1}^{${n - 1}} 100(x_{i+1}-x_i^2)^2+(1-x_i)^2`,
  };
}

/** (Σ_{j=1}^{h} v_j·tanh(w_j·x + b_j) − y)². */
export function mlpExpr(h) {
  const terms = range(h).map((j) => `v${j}*tanh(w${j}*x + b${j})`);
  return `(${terms.join(' + ')} - y)^2`;
}

export function mlp(h) {
  return {
    name: `mlp_${h}`,
    expr: mlpExpr(h),
    variables: [
      ...range(h).map((j) => `w${j}`),
      ...range(h).map((j) => `b${j}`),
      ...range(h).map((j) => `v${j}`),
    ],
    data: ['x', 'y'],
    note: `${h} hidden tanh units, scalar input x, target y`,
  };
}

/** Largest n for which logisticMap(n) carries an `expr` string (≈ 12·2ⁿ characters). */
export const LOGISTIC_MAX_STRING_N = 10;

/**
 * Logistic map l_{k+1} = 4·l_k·(1 − l_k), l_0 = x, f = l_n.
 *
 * As a tree this is exponential (l_k appears twice in l_{k+1}), as a DAG it is linear. So
 * the case is primarily a recurrence: `recurrence` describes it, `build(b)` constructs it
 * through the caller's builders (each l_k built once, referenced twice: a hash-consing
 * system gets O(n) nodes). `expr` is present only for n ≤ LOGISTIC_MAX_STRING_N, for peers
 * that need a string.
 */
export function logisticMap(n) {
  let expr;
  if (n <= LOGISTIC_MAX_STRING_N) {
    let l = 'x';
    for (let k = 0; k < n; k++) l = `4*${wrap(l)}*(1 - ${wrap(l)})`;
    expr = l;
  }
  return {
    name: `logistic_${n}`,
    expr,
    variables: ['x'],
    data: [],
    note: `l_{k+1} = 4 l_k (1 - l_k), l_0 = x, unrolled ${n} times`,
    recurrence: { state: 'l', init: 'x', step: '4*l*(1 - l)', steps: n },
    build(b) {
      let l = b.sym('x');
      for (let k = 0; k < n; k++) l = b.mul(b.mul(b.num(4), l), b.sub(b.num(1), l));
      return l;
    },
  };
}

const wrap = (s) => (s === 'x' ? s : `(${s})`);

// ---------------------------------------------------------------------------------------
// peer-cases.json

/** Where the shared reference cases live (override with LEIBNIZ_PEER_CASES). */
export const PEER_CASES_PATH =
  process.env.LEIBNIZ_PEER_CASES ??
  fileURLToPath(new URL('../../../shared/reference/peer-cases.json', import.meta.url));

/** Data symbols of the peer cases (peer-cases.json lists only the variables). */
function dataOf(c) {
  return /^(two_layer|mlp_|deep_chain_)/.test(c.name) ? ['x', 'y'] : [];
}

/** The peer-cases.json cases as generated here (the fallback when ../shared is missing). */
export function generatedPeerCases() {
  return [
    sinX2(),
    twoLayer(),
    twoLayerSigmoid(),
    ...[5, 10, 20, 40].map(nest),
    ...[10, 20, 40].map(polyProd),
    ...[4, 16].map(mlp),
    ...[10, 100].map(rosenbrock),
  ];
}

/**
 * The peer baseline's cases: read from peer-cases.json when it exists (so a change there is
 * picked up), otherwise the embedded generators. Adds `data` and, where a generator has
 * one, `build`.
 * @returns {{cases: object[], source: string}}
 */
export function loadPeerCases(path = PEER_CASES_PATH) {
  const generated = new Map(generatedPeerCases().map((c) => [c.name, c]));
  if (!existsSync(path)) return { cases: [...generated.values()], source: 'embedded' };
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const cases = json.map((c) => {
    const g = generated.get(c.name);
    const sameExpr = g && g.expr === c.expr;
    return {
      ...c,
      data: c.data ?? dataOf(c),
      ...(sameExpr && g.build ? { build: g.build } : {}),
    };
  });
  return { cases, source: path };
}

/**
 * A case by name: a fixed one ('sin_x2', 'two_layer', 'two_layer_sigmoid') or a family
 * member ('rosenbrock_1000', 'mlp_64', 'nest_7', 'poly_prod_5', 'deep_chain_50',
 * 'logistic_20').
 */
export function caseByName(name) {
  if (name === 'sin_x2') return sinX2();
  if (name === 'two_layer') return twoLayer();
  if (name === 'two_layer_sigmoid') return twoLayerSigmoid();
  const families = [
    [/^rosenbrock_(\d+)$/, rosenbrock],
    [/^mlp_(\d+)$/, mlp],
    [/^nest_(\d+)$/, nest],
    [/^poly_prod_(\d+)$/, polyProd],
    [/^deep_chain_(\d+)$/, deepChain],
    [/^logistic_(\d+)$/, logisticMap],
  ];
  for (const [re, make] of families) {
    const m = re.exec(name);
    if (m) return make(Number(m[1]));
  }
  throw new Error(`unknown case ${name}`);
}
