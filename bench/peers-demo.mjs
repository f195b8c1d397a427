// Exercise the benchmark harness on the hand-written gradients and the peers, without
// Leibniz: the tables that bench/leibniz-cases.mjs will add a Leibniz column to (it calls
// the same compareCases() with Leibniz as an `extra` contender).
//
//   node peers-demo.mjs                 # all demo cases, ~2.5 min on 2 busy cores
//   node peers-demo.mjs --quick         # shorter timings and timeouts, no SymPy
//   node peers-demo.mjs --cases=sin_x2,two_layer --no-sympy --json=/tmp/demo.json
//
// Markdown goes to stdout, progress to stderr.
//
// What is compared (ns per full gradient, i.e. per point):
// - hand-written JS, point-wise: grad(p, g) over 1e5 random points — the reference;
// - hand-written JS, batched: batchGrad over 1e5 data points (data cases only);
// - nerdamer / mathjs / mathjs-nosimp: one compiled function per partial, point-wise over
//   the same points;
// - tfjs: tf.valueAndGrads on the CPU backend, float32, over the whole batch at once —
//   shared weights over the data columns for data cases, per-point variables otherwise
//   (the baseline's layout).

import { writeFileSync } from 'node:fs';
import { compareCases, renderMarkdown } from './lib/compare.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
const quick = Boolean(args.quick);
const cases = String(
  args.cases ?? 'sin_x2,two_layer,two_layer_sigmoid,rosenbrock_100,rosenbrock_1000,mlp_16',
).split(',');

const report = await compareCases(cases, { quick, sympy: !args['no-sympy'] && !quick });
console.log(renderMarkdown(report, { title: 'Peer demo (no Leibniz yet)' }));
if (args.json) {
  const { sympy, ...rest } = report;
  const slim = sympy.map(({ partials, simplifiedPartials, ...s }) => s);
  writeFileSync(args.json, JSON.stringify({ ...rest, sympy: slim }, null, 1));
  console.error(`\nwrote ${args.json}`);
}
console.error(`\ndone in ${(report.totalMs / 1000).toFixed(0)} s`);
// tfjs's CPU backend can leave handles open; the report is out, don't wait for them.
process.exit(0);
