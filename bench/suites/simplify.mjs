// Simplification quality and speed (issue 3): on the derivatives of the benchmark families,
// the size of Leibniz's `simplify(grad f)` against nerdamer's and mathjs's simplified
// derivatives (their `diff` output, measured live in killable workers) and SymPy's
// `simplify` (when python3 with SymPy is installed). One yardstick for everyone: tree
// nodes of the mathjs parse of the printed text (`treeNodesOf`), plus printed length.
// Target: geometric mean of the sizes no larger than the smallest peer's, and faster.
//
// Leibniz is timed cold: every repetition renames the symbols (hash-consing and the memo
// tables would make a repeated input nearly free). Targets (issue 12): simplify(grad f)
// within 3× of grad f, and grad + simplify faster than Maxima's diff with its simplifier
// (peer-baseline.md) on every case.
//
// Environment: LEIBNIZ_BENCH_QUICK=1 (fewer cases, shorter time-outs), LEIBNIZ_NO_PEERS=1
// (Leibniz only), LEIBNIZ_NO_SYMPY=1.
import { existsSync, readFileSync } from 'node:fs';
import { loadPeerCases, PEER_CASES_PATH } from '../lib/cases.mjs';
import { coldStages, freshName, freshNames } from '../lib/cold.mjs';
import { fmt, fmtInt, toMarkdownTable } from '../lib/measure.mjs';
import { diffInWorker, sympyPeer, treeNodesOf } from '../lib/peers.mjs';

const lib = await import('../../dist/index.js');
// `simplify` is exported from the package root once src/index.ts re-exports src/simplify.
const simp =
  typeof lib.simplify === 'function' ? lib : await import('../../dist/simplify/index.js');
const { format, grad, parse } = lib;
const { simplify } = simp;

const QUICK = process.env.LEIBNIZ_BENCH_QUICK === '1';
const PEERS = process.env.LEIBNIZ_NO_PEERS !== '1';
const SYMPY = PEERS && process.env.LEIBNIZ_NO_SYMPY !== '1';
const PEER_OPTS = QUICK
  ? { timeoutMs: 5_000, diffBudgetMs: 2_000, minReps: 1, minRepTimeMs: 50, maxRepTimeMs: 500 }
  : { timeoutMs: 10_000, diffBudgetMs: 5_000, minReps: 3, minRepTimeMs: 200, maxRepTimeMs: 2_000 };
const QUICK_CASES = new Set([
  'sin_x2',
  'two_layer',
  'two_layer_sigmoid',
  'nest_10',
  'poly_prod_10',
  'mlp_4',
  'rosenbrock_10',
]);

/** Sizes of printed partials on the shared yardstick. */
function sizesOf(texts) {
  return {
    treeNodes: texts.reduce((acc, t) => acc + treeNodesOf(t), 0),
    printedLength: texts.reduce((acc, t) => acc + t.length, 0),
  };
}

/**
 * Maxima's `diff` time per case (ms; its automatic simplifier included), from the peer
 * baseline's first table, when ../shared/reference/peer-baseline.md is there.
 */
function maximaMs() {
  const path = PEER_CASES_PATH.replace(/peer-cases\.json$/, 'peer-baseline.md');
  const out = new Map();
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = lines.findIndex((l) => l.startsWith('| case |') && l.includes('| maxima |'));
  if (header < 0) return out;
  const col = lines[header]
    .split('|')
    .map((x) => x.trim())
    .indexOf('maxima');
  for (const l of lines.slice(header + 2)) {
    if (!l.startsWith('|')) break;
    const cells = l.split('|').map((x) => x.trim());
    const v = Number.parseFloat(cells[col].replace(/[,*]/g, ''));
    if (Number.isFinite(v)) out.set(cells[1], v);
  }
  return out;
}

/**
 * Leibniz on one case: sizes of grad and simplify(grad) (original names), and the median
 * cold time of each (fresh names every repetition).
 */
async function leibnizCase(c, options = {}) {
  const g = grad(parse(c.expr), c.variables);
  const simplified = simplify(g, options);
  const t = await coldStages(
    (k) => ({ e: parse(freshNames(c.expr, k)), vars: c.variables.map((v) => freshName(v, k)) }),
    { grad: ({ e, vars }) => grad(e, vars), simplify: (d) => simplify(d, options) },
    { minReps: 5, minTimeMs: 1_000, maxTimeMs: 4_000, maxReps: 5_000, warmupMs: 300 },
  );
  return {
    raw: sizesOf(g.map(format)),
    sizes: sizesOf(simplified.map(format)),
    simplifyMs: t.ms.simplify,
    diffMs: t.ms.grad,
    reps: t.reps,
  };
}

const geomean = (xs) =>
  xs.length === 0 ? Number.NaN : Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const cell = (s) => (s === undefined ? '—' : `${fmtInt(s.treeNodes)} / ${fmtInt(s.printedLength)}`);

/** Runs the simplify suite and returns its markdown section. */
export async function run() {
  const { cases: all } = loadPeerCases();
  const cases = QUICK ? all.filter((c) => QUICK_CASES.has(c.name)) : all;
  const rows = [];
  for (const c of cases) {
    const row = { name: c.name, leibniz: await leibnizCase(c), optional: undefined, peers: {} };
    // The optional sets that fit the case: sigmoid recognition, 1/cosh² for tanh networks.
    if (c.name.includes('sigmoid'))
      row.optional = { use: 'sigmoid', ...(await leibnizCase(c, { use: ['sigmoid'] })) };
    else if (/tanh/.test(c.expr))
      row.optional = { use: 'hyperbolic', ...(await leibnizCase(c, { use: ['hyperbolic'] })) };
    if (PEERS) {
      for (const peer of ['nerdamer', 'mathjs']) {
        const w = await diffInWorker(peer, c, PEER_OPTS);
        row.peers[peer] = w.partials
          ? { sizes: sizesOf(w.partials), ms: w.diffMs, cold: w.coldOnly }
          : { skipped: w.skipped ?? 'no result' };
      }
    }
    rows.push(row);
    console.error(`  simplify: ${c.name} done`);
  }
  if (SYMPY) {
    const results = await sympyPeer(cases, {
      timeoutMs: PEER_OPTS.timeoutMs,
      simplifyTimeoutMs: PEER_OPTS.timeoutMs,
      minReps: 1,
      repBudgetMs: PEER_OPTS.maxRepTimeMs,
    });
    for (const r of results) {
      const row = rows.find((x) => x.name === r.case);
      row.peers.sympy = r.simplifiedSizes
        ? { sizes: r.simplifiedSizes, ms: r.simplifyMs }
        : { skipped: r.simplifySkipped ?? r.skipped ?? 'no result' };
    }
  }
  const peerNames = ['nerdamer', 'mathjs', ...(SYMPY ? ['sympy'] : [])].filter(() => PEERS);

  // Sizes.
  const sizeRows = rows.map((r) => {
    const out = [r.name, cell(r.leibniz.raw), `**${cell(r.leibniz.sizes)}**`];
    for (const p of peerNames)
      out.push(r.peers[p]?.sizes ? cell(r.peers[p].sizes) : `— (${r.peers[p]?.skipped ?? 'n/a'})`);
    return out;
  });

  // Geometric means of size ratios: against each peer on the cases it finished, and against
  // the smallest peer result per case.
  const ratioLines = [];
  for (const metric of ['treeNodes', 'printedLength']) {
    const parts = [];
    for (const p of peerNames) {
      const rs = rows
        .filter((r) => r.peers[p]?.sizes)
        .map((r) => r.leibniz.sizes[metric] / r.peers[p].sizes[metric]);
      parts.push(`${p} ${fmt(geomean(rs))} (${rs.length} cases)`);
    }
    const best = rows
      .map((r) => {
        const sizes = peerNames
          .map((p) => r.peers[p]?.sizes?.[metric])
          .filter((x) => x !== undefined);
        return sizes.length ? r.leibniz.sizes[metric] / Math.min(...sizes) : undefined;
      })
      .filter((x) => x !== undefined);
    if (peerNames.length)
      parts.push(`smallest peer per case ${fmt(geomean(best))} (${best.length} cases)`);
    ratioLines.push(
      `- ${metric === 'treeNodes' ? 'Tree nodes' : 'Printed length'}: Leibniz / ${parts.join(', ')}.`,
    );
  }

  // Times.
  const maxima = maximaMs();
  const timeRows = rows.map((r) => {
    const total = r.leibniz.diffMs + r.leibniz.simplifyMs;
    const m = maxima.get(r.name);
    const out = [
      r.name,
      fmt(r.leibniz.diffMs),
      `**${fmt(r.leibniz.simplifyMs)}**`,
      `×${fmt(r.leibniz.simplifyMs / r.leibniz.diffMs)}`,
      fmt(total),
      m === undefined ? '—' : `${fmt(m)} (×${fmt(m / total)})`,
    ];
    for (const p of peerNames) {
      const x = r.peers[p];
      out.push(
        x?.ms !== undefined ? `${fmt(x.ms)}${x.cold ? '*' : ''}` : `— (${x?.skipped ?? 'n/a'})`,
      );
    }
    return out;
  });
  const optionalRows = rows
    .filter((r) => r.optional)
    .map(
      (r) =>
        `- ${r.name} with \`use: ['${r.optional.use}']\`: ${cell(r.optional.sizes)}, ${fmt(r.optional.simplifyMs)} ms.`,
    );

  return [
    '## Simplification: size of simplified derivatives and time',
    '',
    'All partials of each case (`grad`), printed; tree nodes of the mathjs parse of the text / printed length, summed over the partials.',
    'Leibniz raw = `grad` output as built (canonical form only); Leibniz = `simplify(grad(f))` (default rules, no assumptions).',
    'nerdamer, mathjs = their derivative with their default simplification (measured live, time-boxed in workers); sympy = `sp.simplify` of `sp.diff`.',
    '',
    toMarkdownTable(['case', 'Leibniz raw', 'Leibniz simplify', ...peerNames], sizeRows),
    '',
    ...ratioLines,
    '',
    "Optional rule sets (`sigmoid`: 1/(1 + exp(−u)) → sigmoid(u); `hyperbolic`: 1 − tanh²u → 1/cosh²u, as the peers' sech²):",
    '',
    ...optionalRows,
    '',
    "Time, ms. Leibniz: median of cold repetitions (fresh symbol names each time, so no memo or intern table helps): `grad`, `simplify` of all partials, their ratio, and both together against Maxima's `diff` with its simplifier (peer-baseline.md; ×r = Maxima / Leibniz). nerdamer, mathjs: differentiation with their simplification (median of warm runs; `*` = single cold run); sympy: `simplify` only.",
    '',
    toMarkdownTable(
      [
        'case',
        'Leibniz grad',
        'Leibniz simplify',
        'simplify / grad',
        'grad + simplify',
        'Maxima diff',
        ...peerNames,
      ],
      timeRows,
    ),
    '',
  ].join('\n');
}
