// Compiled gradients: Leibniz (compileGradient, compileBatch) against hand-written JS and the
// peers (nerdamer buildFunction, mathjs compile/evaluate, tfjs batched), measured side by side
// in interleaved rounds by lib/compare.mjs; then value+gradient against value alone.
// Targets (issue 4): Leibniz ≤ 1.1 × hand-written; value+gradient ≤ 3 × value.
import { caseByName } from '../lib/cases.mjs';
import { compareCases, renderMarkdown } from '../lib/compare.mjs';
import { columnsFor, paramsFor, pointsFor } from '../lib/data.mjs';
import { handwritten } from '../lib/handwritten.mjs';
import {
  batchedRunner,
  fmt,
  measureInterleaved,
  measureMs,
  pointLoop,
  ratioValue,
  timeOnce,
  toMarkdownTable,
} from '../lib/measure.mjs';
import { treeNodesOf } from '../lib/peers.mjs';

/** The library under test: dist/index.js, plus dist/codegen until the root exports it. */
export async function loadLeibniz() {
  const lib = await import('../../dist/index.js');
  if (lib.compileGradient) return lib;
  return { ...lib, ...(await import('../../dist/codegen/index.js')) };
}

export const CASES = [
  'sin_x2',
  'two_layer',
  'two_layer_sigmoid',
  'rosenbrock_100',
  'rosenbrock_1000',
  'mlp_16',
];

/** A case's expression through Leibniz's builders (the DAG) or its parser. */
export function expressionOf(lib, c) {
  if (c.build) {
    return c.build({
      num: lib.num,
      sym: lib.sym,
      add: lib.add,
      sub: lib.sub,
      mul: lib.mul,
      div: lib.div,
      pow: lib.pow,
      call: (name, ...args) => lib.call(name, ...args),
    });
  }
  return lib.parse(c.expr);
}

/**
 * Calls `fn` over the points until its time per chunk stops improving (V8 optimises large
 * generated functions in the background; a training loop runs long past that point).
 * Returns the milliseconds spent.
 */
function warmUp(fn, points, nGrad, { minMs = 300, maxMs = 6000 } = {}) {
  const run = pointLoop(fn, points, new Float64Array(nGrad), Math.min(points.length, 200));
  const t0 = performance.now();
  let best = Number.POSITIVE_INFINITY;
  let stale = 0;
  while (performance.now() - t0 < maxMs) {
    const a = performance.now();
    run();
    const dt = performance.now() - a;
    if (dt < best * 0.97) {
      best = dt;
      stale = 0;
    } else stale++;
    if (stale > 50 && performance.now() - t0 > minMs) break;
  }
  return performance.now() - t0;
}

function warmUpBatch(fn, cols, params, nGrad, maxMs = 3000) {
  const g = new Float64Array(nGrad);
  const t0 = performance.now();
  let best = Number.POSITIVE_INFINITY;
  let stale = 0;
  while (performance.now() - t0 < maxMs) {
    const a = performance.now();
    fn(cols, params, g);
    const dt = performance.now() - a;
    if (dt < best * 0.97) {
      best = dt;
      stale = 0;
    } else stale++;
    if (stale > 5) break;
  }
  return performance.now() - t0;
}

/** Leibniz as an extra contender of compareCases (see lib/compare.mjs). */
export function leibnizContender(lib, notes) {
  return {
    name: 'leibniz',
    async prepare(c, ctx) {
      const e = expressionOf(lib, c);
      const data = c.data ?? [];
      const grad = measureMs(() => lib.grad(e, c.variables), { maxTimeMs: 2000 });
      const [gradFn, compileMs] = timeOnce(() => lib.compileGradient(e, c.variables, { data }));
      const warmMs = warmUp(gradFn, ctx.points, c.variables.length);
      let batchGradFn;
      let batchCompileMs;
      let batchWarmMs;
      if (data.length > 0 && ctx.cols) {
        [batchGradFn, batchCompileMs] = timeOnce(() =>
          lib.compileBatch(e, { data, params: c.variables }),
        );
        batchWarmMs = warmUpBatch(batchGradFn, ctx.cols, ctx.params, c.variables.length);
      }
      const printed = grad.result.map((d) => lib.format(d));
      const chunks = (gradFn.source.match(/function gradient_c\d+/g) ?? []).length;
      notes.push({
        case: c.name,
        size: lib.size(e),
        gradSize: lib.size(grad.result),
        compileMs,
        warmMs,
        batchCompileMs,
        batchWarmMs,
        sourceKB: gradFn.source.length / 1024,
        chunks,
      });
      return {
        gradFn,
        batchGradFn,
        diffMs: grad.medianMs,
        diffColdMs: grad.coldMs,
        compileMs,
        sizes: {
          printedLength: printed.reduce((a, t) => a + t.length, 0),
          treeNodes:
            printed.join('').length <= 2_000_000
              ? printed.reduce((a, t) => a + treeNodesOf(t), 0)
              : undefined,
        },
      };
    },
  };
}

/**
 * Value alone against value and gradient, for hand-written JS and Leibniz, all timed in
 * interleaved rounds: the cost of the gradient on top of the value (cheap-gradient bound 4–5).
 */
async function valueVersusGradient(lib, names) {
  const rows = [];
  for (const name of names) {
    const c = caseByName(name);
    const h = handwritten(name);
    const e = expressionOf(lib, c);
    const data = c.data ?? [];
    const nv = c.variables.length;
    const n = nv >= 500 ? 10_000 : 100_000;
    const points = pointsFor(c, n, 1);
    const value = lib.compile(e, [...c.variables, ...data], { input: 'vector' });
    const gradient = lib.compileGradient(e, c.variables, { data });
    warmUp(value, points, nv);
    warmUp(gradient, points, nv);
    const contenders = [
      {
        name: 'handValue',
        run: pointLoop(h.value, points, new Float64Array(nv), 1000),
        inner: 1000,
      },
      { name: 'handGrad', run: pointLoop(h.grad, points, new Float64Array(nv), 1000), inner: 1000 },
      { name: 'lzValue', run: pointLoop(value, points, new Float64Array(nv), 1000), inner: 1000 },
      { name: 'lzGrad', run: pointLoop(gradient, points, new Float64Array(nv), 1000), inner: 1000 },
    ];
    let cols;
    if (h.batchGrad) {
      cols = columnsFor(c, 100_000, 2);
      const params = paramsFor(c, 3);
      const loss = lib.compileBatch(e, { data, params: c.variables, gradient: false });
      const step = lib.compileBatch(e, { data, params: c.variables });
      warmUpBatch((cs, p) => loss(cs, p), cols, params, nv);
      warmUpBatch(step, cols, params, nv);
      contenders.push(
        {
          name: 'handBatchValue',
          ...batchedRunner((cs, p) => h.batchValue(cs, p), cols, params, nv),
        },
        { name: 'handBatchGrad', ...batchedRunner(h.batchGrad, cols, params, nv) },
        { name: 'lzBatchValue', ...batchedRunner((cs, p) => loss(cs, p), cols, params, nv) },
        { name: 'lzBatchGrad', ...batchedRunner(step, cols, params, nv) },
      );
    }
    const m = measureInterleaved(contenders, {
      rounds: 5,
      minTimeMs: 300,
      maxTimeMs: 1200,
      warmupMs: 150,
    });
    const row = (kind, hv, hg, lv, lg) => [
      `${name}${kind}`,
      fmt(m[hv].median),
      fmt(m[hg].median),
      `×${fmt(ratioValue(m[hg].median, m[hv].median))}`,
      fmt(m[lv].median),
      fmt(m[lg].median),
      `**×${fmt(ratioValue(m[lg].median, m[lv].median))}**`,
      `×${fmt(ratioValue(m[lv].median, m[hv].median))}`,
      `×${fmt(ratioValue(m[lg].median, m[hg].median))}`,
    ];
    rows.push(row('', 'handValue', 'handGrad', 'lzValue', 'lzGrad'));
    if (cols) {
      rows.push(row(' (batch)', 'handBatchValue', 'handBatchGrad', 'lzBatchValue', 'lzBatchGrad'));
    }
    console.error(`  value vs gradient: ${name} done`);
  }
  return toMarkdownTable(
    [
      'case',
      'hand value',
      'hand value+grad',
      'hand ratio',
      'Leibniz value',
      'Leibniz value+grad',
      'Leibniz ratio (≤ 3)',
      'Leibniz/hand value',
      'Leibniz/hand value+grad',
    ],
    rows,
  );
}

/** Runs the codegen suite and returns its markdown section. */
export async function run({ cases = CASES, quick = false } = {}) {
  const lib = await loadLeibniz();
  const notes = [];
  const report = await compareCases(cases, {
    extra: [leibnizContender(lib, notes)],
    quick,
    sympy: false,
  });
  const summary = report.results.map((r) => {
    const l = r.peers.leibniz ?? {};
    const peersBest = ['nerdamer', 'mathjs', 'mathjs-nosimp']
      .map((p) => r.peers[p]?.ns)
      .filter((v) => v !== undefined);
    return [
      r.case,
      l.ns !== undefined ? `**×${fmt(ratioValue(l.ns, r.hand))}**` : '—',
      l.nsBatched !== undefined ? `**×${fmt(ratioValue(l.nsBatched, r.handBatched))}**` : '—',
      peersBest.length ? `×${fmt(ratioValue(Math.min(...peersBest), l.ns))}` : '—',
      r.peers.tfjs?.ns !== undefined && l.nsBatched !== undefined
        ? `×${fmt(ratioValue(r.peers.tfjs.ns, l.nsBatched))}`
        : r.peers.tfjs?.ns !== undefined && l.ns !== undefined && r.peers.tfjs.mode === 'per-point'
          ? `×${fmt(ratioValue(r.peers.tfjs.ns, l.ns))}`
          : '—',
    ];
  });
  const compileTable = toMarkdownTable(
    [
      'case',
      'size(f)',
      'size(grad f)',
      'compileGradient ms',
      'source KB',
      'chunks',
      'warm-up ms',
      'compileBatch ms',
      'batch warm-up ms',
    ],
    notes.map((n) => [
      n.case,
      n.size,
      n.gradSize,
      fmt(n.compileMs),
      fmt(n.sourceKB),
      n.chunks,
      fmt(n.warmMs),
      n.batchCompileMs !== undefined ? fmt(n.batchCompileMs) : '—',
      n.batchWarmMs !== undefined ? fmt(n.batchWarmMs) : '—',
    ]),
  );
  console.error('\n## value vs value+gradient');
  const vg = await valueVersusGradient(lib, cases);
  return [
    '## Code generation: compiled value and gradient',
    '',
    'Leibniz `compileGradient` (point-wise) and `compileBatch` (reduce sum over 10⁵ points) ' +
      'against hand-written JS (bench/lib/handwritten.mjs) and the peers, measured side by ' +
      'side in interleaved rounds. Before timing, each Leibniz function is called until its ' +
      'time stops improving ("warm-up", below): V8 optimises large generated functions in ' +
      'the background, which takes seconds for the 10⁴-statement programs.',
    '',
    '### Summary: ratios',
    '',
    toMarkdownTable(
      [
        'case',
        'Leibniz / hand-written (≤ 1.1)',
        'Leibniz batched / hand batched (≤ 1.1)',
        'best CAS peer / Leibniz',
        'tfjs / Leibniz',
      ],
      summary,
    ),
    '',
    '### Value alone against value and gradient, ns per point',
    '',
    vg,
    '',
    '### Compilation',
    '',
    'size = distinct DAG nodes; compileGradient = lowering, adjoints, emission and `new Function` ' +
      '(first compile of that source); warm-up = calls until the time per call stops improving.',
    '',
    compileTable,
    '',
    renderMarkdown(report, { title: 'Details (lib/compare.mjs)' }).replace(
      /^(#+) /gm,
      (_, h) => `${'#'.repeat(Math.min(h.length + 2, 6))} `,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--cases='));
  console.log(await run({ quick, ...(only ? { cases: only.slice(8).split(',') } : {}) }));
}
