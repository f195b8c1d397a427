// The comparison pipeline: for each case, gather every contender's gradient (hand-written,
// extra contenders such as Leibniz, the symbolic peers, tfjs), check it against the
// hand-written one, then time them all together in interleaved rounds, and render tables.
//
// peers-demo.mjs runs it with no extra contender; bench/leibniz-cases.mjs passes Leibniz as
// an `extra` contender and gets the same tables with a Leibniz column:
//
//   const report = await compareCases(['sin_x2', 'two_layer'], {
//     extra: [{ name: 'leibniz', prepare: async (c) => ({ gradFn, batchGradFn, diffMs, sizes }) }],
//   });
//   console.log(renderMarkdown(report));
//
// An extra contender's prepare(c, ctx) returns (all optional except one of the functions):
//   gradFn(point, g) => value     point-wise, point = [...variables, ...data]
//   batchGradFn(cols, params, g) => Σ loss   data cases (reduce 'sum'), like handwritten
//   diffMs, diffColdMs, compileMs, sizes: {printedLength, treeNodes}
//   skipped: reason
// ctx = {handwritten, points, cols, params}: the exact inputs everyone is measured on.

import { caseByName } from './cases.mjs';
import { columnsFor, paramsFor, pointsFor } from './data.mjs';
import { handwritten } from './handwritten.mjs';
import {
  batchedRunner,
  fmt,
  fmtInt,
  machineInfo,
  machineInfoLine,
  measureInterleaved,
  pointwiseRunner,
  ratio,
  toMarkdownTable,
} from './measure.mjs';
import { SYMBOLIC_PEERS, symbolicPeer, sympyAvailable, sympyPeer, tfjsPeer } from './peers.mjs';
import { agreement, relDeviation } from './verify.mjs';

/** Points per batch: 1e5 like the baseline; 1e4 where a point is ≥ 4 KB (rosenbrock_1000),
 *  to keep the point set at 80 MB. */
export const defaultBatch = (_name, nVars) => (nVars >= 500 ? 10_000 : 100_000);

/** tfjs per-point layout: every op has tens of µs of overhead per variable column, so
 *  the big Rosenbrocks get small batches (the baseline used 1e4 for rosenbrock_100). */
export const defaultTfBatch = (_name, nVars) =>
  nVars >= 1000 ? 500 : nVars >= 100 ? 10_000 : 100_000;

export const TIMING = Object.freeze({
  full: { rounds: 5, minTimeMs: 300, maxTimeMs: 1000, warmupMs: 150 },
  quick: { rounds: 3, minTimeMs: 100, maxTimeMs: 400, warmupMs: 50 },
});
export const PEER_OPTS = Object.freeze({
  full: { timeoutMs: 5000, diffBudgetMs: 5000, maxRepTimeMs: 2000 },
  quick: { timeoutMs: 3000, diffBudgetMs: 3000, maxRepTimeMs: 1000 },
});

/**
 * Run the comparison.
 * @param {string[]} names  case names (see cases.mjs caseByName); each needs a hand-written
 *   implementation (handwritten.mjs) — it is the reference for timing and correctness
 * @param {{extra?: {name: string, prepare: Function}[], peers?: string[], tfjs?: boolean,
 *   sympy?: boolean, quick?: boolean, timing?: object, peerOpts?: object,
 *   batch?: (name: string, nVars: number) => number, log?: (...a: unknown[]) => void}} [opts]
 * @returns {Promise<{machine: object, results: object[], sympy: object[], contenders: string[],
 *   totalMs: number}>}
 */
export async function compareCases(names, opts = {}) {
  const {
    extra = [],
    peers = SYMBOLIC_PEERS,
    tfjs = true,
    sympy: withSympy = true,
    quick = false,
    timing = quick ? TIMING.quick : TIMING.full,
    peerOpts = quick ? PEER_OPTS.quick : PEER_OPTS.full,
    batch = defaultBatch,
    log = (...a) => console.error(...a),
  } = opts;
  const machine = machineInfo();
  log(`# ${machineInfoLine(machine)}`);
  const t0 = Date.now();
  const results = [];

  for (const name of names) {
    const tCase = Date.now();
    const c = caseByName(name);
    const h = handwritten(name);
    if (!h) throw new Error(`${name}: no hand-written reference (handwritten.mjs)`);
    const nv = c.variables.length;
    const isData = Boolean(h.batchGrad);
    const row = { case: name, variables: nv, points: batch(name, nv), peers: {} };
    results.push(row);
    log(`\n## ${name} (${nv} variable${nv === 1 ? '' : 's'}${isData ? ', data x, y' : ''})`);

    // Everything point-wise sees the same points; everything batched the same columns and
    // parameters.
    const points = pointsFor(c, batch(name, nv), 1);
    const contenders = [{ name: 'hand', ...pointwiseRunner(h.grad, points, nv) }];
    let cols;
    let params;
    if (isData) {
      cols = columnsFor(c, batch(name, nv), 2);
      params = paramsFor(c, 3);
      contenders.push({ name: 'handBatched', ...batchedRunner(h.batchGrad, cols, params, nv) });
    }

    for (const x of extra) {
      let r;
      try {
        r = await x.prepare(c, { handwritten: h, points, cols, params });
      } catch (e) {
        r = { skipped: `error: ${e.message}` };
      }
      const entry = pick(r);
      row.peers[x.name] = entry;
      if (r.skipped || (!r.gradFn && !r.batchGradFn)) {
        entry.skipped ??= 'no gradient function';
        log(`  ${x.name.padEnd(14)} skipped: ${entry.skipped}`);
        continue;
      }
      if (r.gradFn) {
        entry.agree = agreement(r.gradFn, h.grad, points, nv, 200);
        contenders.push({ name: x.name, ...pointwiseRunner(r.gradFn, points, nv) });
      }
      if (r.batchGradFn && isData) {
        entry.agreeBatched = batchAgreement(r.batchGradFn, h, cols, params, nv);
        contenders.push({
          name: `${x.name}Batched`,
          ...batchedRunner(r.batchGradFn, cols, params, nv),
        });
      }
      log(`  ${x.name.padEnd(14)} ${describe(entry)}`);
    }

    for (const peer of peers) {
      const r = await symbolicPeer(peer, c, peerOpts);
      const entry = pick(r);
      row.peers[peer] = entry;
      if (!r.gradFn) {
        log(`  ${peer.padEnd(14)} skipped: ${r.skipped}`);
        continue;
      }
      entry.agree = agreement(r.gradFn, h.grad, points, nv, 200);
      contenders.push({ name: peer, ...pointwiseRunner(r.gradFn, points, nv) });
      log(`  ${peer.padEnd(14)} ${describe(entry)}`);
    }

    if (tfjs) {
      const entry = await prepareTfjs(c, h, {
        isData,
        points,
        cols,
        params,
        budgetMs: peerOpts.diffBudgetMs,
      });
      row.peers.tfjs = entry.entry;
      if (entry.contender) contenders.push(entry.contender);
      log(
        `  ${'tfjs'.padEnd(14)} ${entry.entry.skipped ? `skipped: ${entry.entry.skipped}` : `${entry.entry.mode}, ${entry.entry.points} points, first call ${fmt(entry.entry.firstCallMs)} ms, agree ${entry.entry.agree.toExponential(1)}`}`,
      );
    }

    // Time everyone, interleaved.
    const m = measureInterleaved(contenders, timing);
    row.hand = m.hand.median;
    row.handMin = m.hand.min;
    row.handBatched = m.handBatched?.median;
    for (const [k, v] of Object.entries(m)) {
      if (k === 'hand' || k === 'handBatched') continue;
      if (k.endsWith('Batched') && row.peers[k.slice(0, -7)])
        row.peers[k.slice(0, -7)].nsBatched = v.median;
      else if (row.peers[k]) row.peers[k].ns = v.median;
    }
    if (row.peers.tfjs?.ref) row.peers.tfjs.refNs = m[row.peers.tfjs.ref].median;
    for (const [k, v] of Object.entries(m)) {
      log(
        `  ${k.padEnd(14)} ${fmt(v.median)} ns/point (min ${fmt(v.min)}, ${v.reps} reps / ${v.rounds} rounds)`,
      );
    }
    log(`  (${((Date.now() - tCase) / 1000).toFixed(0)} s)`);
  }

  let sympy = [];
  if (withSympy) {
    const probe = sympyAvailable();
    if (probe) {
      log(`\n## SymPy ${probe.version} (${probe.python})`);
      const tS = Date.now();
      // SymPy gets the cases it can finish in seconds (rosenbrock_1000 would take minutes).
      const todo = names.map(caseByName).filter((c) => c.expr && c.expr.length <= 20_000);
      sympy = await sympyPeer(todo, {
        timeoutMs: quick ? 4000 : 8000,
        simplify: true,
        simplifyTimeoutMs: 2000,
        repBudgetMs: 2000,
      });
      for (const s of sympy) {
        log(
          `  ${s.case.padEnd(20)} ${s.skipped ?? `diff ${fmt(s.diffMs)} ms, ${s.sizes.treeNodes} nodes`}`,
        );
      }
      log(`  (${((Date.now() - tS) / 1000).toFixed(0)} s)`);
    } else {
      log('\nSymPy: python3 with sympy not found, skipped');
    }
  }

  return {
    machine,
    results,
    sympy,
    contenders: [...extra.map((x) => x.name), ...peers, ...(tfjs ? ['tfjs'] : [])],
    extra: extra.map((x) => x.name),
    peers,
    totalMs: Date.now() - t0,
  };
}

// What of a contender's result goes in the report (not the functions, not the partials).
function pick(r) {
  const { diffMs, diffColdMs, coldOnly, sizes, compileMs, skipped } = r;
  return { diffMs, diffColdMs, coldOnly, sizes, compileMs, skipped };
}

function describe(e) {
  const parts = [];
  if (e.diffMs !== undefined) parts.push(`diff ${fmt(e.diffMs)} ms (cold ${fmt(e.diffColdMs)})`);
  if (e.sizes) parts.push(`${fmtInt(e.sizes.treeNodes)} nodes`);
  if (e.compileMs !== undefined) parts.push(`compile ${fmt(e.compileMs)} ms`);
  if (e.agree !== undefined) parts.push(`agree ${e.agree.toExponential(1)}`);
  if (e.agreeBatched !== undefined) parts.push(`batched agree ${e.agreeBatched.toExponential(1)}`);
  return parts.join(', ');
}

function batchAgreement(batchGradFn, h, cols, params, nv) {
  const g = new Float64Array(nv);
  const gh = new Float64Array(nv);
  batchGradFn(cols, params, g);
  h.batchGrad(cols, params, gh);
  return relDeviation(g, gh);
}

async function prepareTfjs(c, h, { isData, points, cols, params, budgetMs }) {
  const nv = c.variables.length;
  const mode = isData ? 'shared' : 'per-point';
  const nTf = isData ? cols.x.length : Math.min(points.length, defaultTfBatch(c.name, nv));
  const syms = [...c.variables, ...c.data];
  const tfCols =
    mode === 'shared'
      ? cols
      : Object.fromEntries(
          syms.map((s, k) => [s, Float64Array.from(points.slice(0, nTf), (p) => p[k])]),
        );
  const r = await tfjsPeer(c, { mode, cols: tfCols, params, budgetMs });
  const entry = { mode, points: nTf, skipped: r.skipped, firstCallMs: r.firstCallMs };
  if (!r.gradFn) return { entry };
  if (mode === 'shared') {
    entry.agree = batchAgreement(r.gradFn, h, tfCols, params, nv);
    entry.ref = 'handBatched';
    return { entry, contender: { name: 'tfjs', ...batchedRunner(r.gradFn, tfCols, params, nv) } };
  }
  const gCols = c.variables.map(() => new Float64Array(nTf));
  r.gradFn(tfCols, gCols);
  const g = new Float64Array(nv);
  const gh = new Float64Array(nv);
  let worst = 0;
  for (let i = 0; i < Math.min(200, nTf); i++) {
    for (let k = 0; k < nv; k++) g[k] = gCols[k][i];
    h.grad(points[i], gh);
    worst = Math.max(worst, relDeviation(g, gh));
  }
  entry.agree = worst;
  entry.ref = 'hand';
  return { entry, contender: { name: 'tfjs', run: () => r.gradFn(tfCols, gCols), inner: nTf } };
}

// ---------------------------------------------------------------------------------------
// Rendering.

/** Markdown tables (evaluation, differentiation, agreement) for a compareCases() report. */
export function renderMarkdown(
  report,
  { title = 'Compiled gradient evaluation and differentiation cost' } = {},
) {
  const { results, sympy, extra, peers, machine } = report;
  const symbolic = [...extra, ...peers];
  const hasTf = report.contenders.includes('tfjs');
  const batchedExtra = extra.filter((x) =>
    results.some((r) => r.peers[x]?.nsBatched !== undefined),
  );
  const out = [];
  out.push(`# ${title}\n`);
  out.push(
    `Machine: ${machineInfoLine(machine)}. Total run ${(report.totalMs / 1000).toFixed(0)} s.\n`,
  );

  out.push('## Compiled gradient, ns per point (full gradient)\n');
  out.push(
    'Median of all repetitions; contenders measured in interleaved rounds after warm-up. ' +
      'Ratios are to hand-written JS of the same layout: point-wise for point-wise contenders, ' +
      'batched (reduce sum over the data columns) for batched ones and for tfjs on data cases. ' +
      'Hand-written computes value and gradient; the CAS peers compute the gradient only ' +
      '(one compiled function per partial). tfjs is float32.\n',
  );
  const evalCell = (e, ref) => {
    if (!e) return '—';
    if (e.ns !== undefined) return `${fmt(e.ns)} (${ratio(e.ns, ref)})`;
    return `n/a (${e.skipped ?? 'batched only'})`;
  };
  out.push(
    toMarkdownTable(
      [
        'case',
        'points',
        'hand-written JS',
        'hand-written batched',
        ...symbolic,
        ...batchedExtra.map((x) => `${x} batched`),
        ...(hasTf ? ['tfjs (CPU)'] : []),
      ],
      results.map((r) => [
        r.case,
        fmtInt(r.points),
        `**${fmt(r.hand)}**`,
        r.handBatched !== undefined
          ? `${fmt(r.handBatched)} (${ratio(r.handBatched, r.hand)})`
          : '—',
        ...symbolic.map((p) => evalCell(r.peers[p], r.hand)),
        ...batchedExtra.map((x) =>
          r.peers[x]?.nsBatched !== undefined
            ? `${fmt(r.peers[x].nsBatched)} (${ratio(r.peers[x].nsBatched, r.handBatched)})`
            : '—',
        ),
        ...(hasTf
          ? [
              r.peers.tfjs?.ns !== undefined
                ? `${fmt(r.peers.tfjs.ns)} (${ratio(r.peers.tfjs.ns, r.peers.tfjs.refNs)}, ${r.peers.tfjs.mode}, ${fmtInt(r.peers.tfjs.points)} pts)`
                : `n/a (${r.peers.tfjs?.skipped})`,
            ]
          : []),
      ]),
    ),
  );

  out.push('\n## Time to differentiate (all partials), ms / output size (tree nodes)\n');
  out.push(
    'Median of warm runs (`*` = single cold run); peers run in a fresh worker per case. Tree ' +
      'nodes = mathjs parse of the printed output, summed over partials. Compile = compiling ' +
      'all partials, ms.\n',
  );
  const sympyBy = new Map(sympy.map((s) => [s.case, s]));
  const diffCell = (e) => {
    if (!e || e.diffMs === undefined) return e?.skipped ?? '—';
    return `${fmt(e.diffMs)}${e.coldOnly ? '*' : ''} / ${e.sizes ? fmtInt(e.sizes.treeNodes) : '?'}`;
  };
  const withSympy = sympy.length > 0;
  out.push(
    toMarkdownTable(
      [
        'case',
        ...symbolic,
        ...(withSympy ? ['sympy', 'sympy simplify()'] : []),
        ...symbolic.map((p) => `${p} compile`),
      ],
      results.map((r) => [
        r.case,
        ...symbolic.map((p) => diffCell(r.peers[p])),
        ...(withSympy
          ? [
              diffCell(sympyBy.get(r.case)),
              (() => {
                const s = sympyBy.get(r.case);
                if (!s || s.skipped) return '—';
                if (s.simplifySkipped) return s.simplifySkipped;
                return `${fmt(s.simplifyMs)} / ${fmtInt(s.simplifiedSizes.treeNodes)}`;
              })(),
            ]
          : []),
        ...symbolic.map((p) =>
          r.peers[p]?.compileMs !== undefined ? fmt(r.peers[p].compileMs) : '—',
        ),
      ]),
    ),
  );

  out.push(
    '\n## Agreement with the hand-written gradient (max deviation relative to its inf-norm; point-wise: 200 points)\n',
  );
  const agreeCols = [...symbolic, ...(hasTf ? ['tfjs'] : [])];
  out.push(
    toMarkdownTable(
      ['case', ...agreeCols],
      results.map((r) => [
        r.case,
        ...agreeCols.map((p) => {
          const e = r.peers[p];
          const a = e?.agree ?? e?.agreeBatched;
          return a !== undefined ? a.toExponential(1) : '—';
        }),
      ]),
    ),
  );
  return out.join('\n');
}
