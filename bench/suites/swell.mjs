// Expression swell: sizes (distinct DAG nodes) of `diff` and `grad` results against the
// function's own size, and the time to compute them, on the differentiation benchmark
// families. Target (issue 5): size(grad f) ≤ 5·size(f), time linear in size(f).
import {
  add,
  cos,
  diff,
  grad,
  mul,
  pow,
  sin,
  size,
  sub,
  sym,
  tanh,
  treeSize,
} from '../../dist/index.js';
import { fmt, measureMs, toMarkdownTable } from '../lib/measure.mjs';

const x = sym('x');
const y = sym('y');

function nested(depth) {
  let e = x;
  for (let i = 0; i < depth; i++) e = i % 2 === 0 ? sin(e) : cos(e);
  return [e, [x]];
}

function logisticMap(steps) {
  let l = x;
  for (let i = 0; i < steps; i++) l = mul(4, l, sub(1, l));
  return [l, [x]];
}

function rosenbrock(n) {
  const xs = Array.from({ length: n }, (_, i) => sym(`x${i}`));
  const terms = [];
  for (let i = 0; i + 1 < n; i++) {
    terms.push(mul(100, pow(sub(xs[i + 1], pow(xs[i], 2)), 2)), pow(sub(1, xs[i]), 2));
  }
  return [add(...terms), xs];
}

function mlpLoss(hidden) {
  const params = { w: [], b: [], v: [] };
  const units = [];
  for (let j = 1; j <= hidden; j++) {
    const [w, b, v] = ['w', 'b', 'v'].map((p) => sym(`${p}${j}`));
    params.w.push(w);
    params.b.push(b);
    params.v.push(v);
    units.push(mul(v, tanh(add(mul(w, x), b))));
  }
  return [pow(sub(add(...units), y), 2), [...params.w, ...params.b, ...params.v]];
}

function deepChain(n) {
  let f = x;
  const ws = [];
  for (let k = 1; k <= n; k++) {
    const w = sym(`w${k}`);
    ws.push(w);
    f = tanh(mul(w, f));
  }
  return [pow(sub(f, y), 2), ws];
}

const CASES = [
  ['nested sin/cos, depth 200', () => nested(200)],
  ['nested sin/cos, depth 400', () => nested(400)],
  ['logistic map, 50 steps', () => logisticMap(50)],
  ['logistic map, 100 steps', () => logisticMap(100)],
  ['Rosenbrock, 1000 variables', () => rosenbrock(1000)],
  ['MLP loss, 64 hidden units', () => mlpLoss(64)],
  ['deep tanh chain, n = 64', () => deepChain(64)],
];

/** Runs the swell suite and returns its markdown section. */
export async function run() {
  const rows = [];
  for (const [name, build] of CASES) {
    const [f, vars] = build();
    const d = measureMs(() => diff(f, vars[0]), { minReps: 3, maxTimeMs: 3000 });
    const g = measureMs(() => grad(f, vars), { minReps: 3, maxTimeMs: 3000 });
    const sf = size(f);
    const sg = size(g.result);
    rows.push([
      name,
      sf,
      String(treeSize(f)).length > 12
        ? `~1e${String(treeSize(f)).length - 1}`
        : String(treeSize(f)),
      size(d.result),
      sg,
      `${fmt(sg / sf)}${sg <= 5 * sf ? '' : ' ✗'}`,
      fmt(d.medianMs),
      fmt(g.medianMs),
      fmt((g.medianMs * 1000) / sf),
    ]);
  }
  return [
    '## Expression swell (issue 5)',
    '',
    'Sizes are distinct DAG nodes (`size`); `diff` is by the first variable, `grad` by all.',
    'Times are medians of warm repetitions in ms; the last column is grad time per node of f (µs).',
    '',
    toMarkdownTable(
      [
        'case',
        'size(f)',
        'tree(f)',
        'size(diff)',
        'size(grad)',
        'grad/f',
        'diff ms',
        'grad ms',
        'µs/node',
      ],
      rows,
    ),
    '',
  ].join('\n');
}
