// Symbolic cost: Leibniz's time to differentiate (`grad`, symbolic reverse mode over the
// DAG) and to compile the fused gradient (`compileGradient`) against the peers' time to
// differentiate the same cases (nerdamer, mathjs with and without simplify; each in a
// killable worker, time-boxed). Cases: Rosenbrock-1000 and the deep chain
// f_k = tanh(w_k·f_{k−1}), L = (f_n − y)² for n = 8, 16, 64.
import { caseByName } from '../lib/cases.mjs';
import {
  fmt,
  fmtInt,
  machineInfoLine,
  measureMs,
  ratioValue,
  toMarkdownTable,
} from '../lib/measure.mjs';
import {
  diffInWorker,
  SYMBOLIC_PEERS,
  sympyAvailable,
  sympyPeer,
  treeNodesOf,
} from '../lib/peers.mjs';
import { expressionOf, loadLeibniz } from './codegen.mjs';

export const CASES = ['deep_chain_8', 'deep_chain_16', 'deep_chain_64', 'rosenbrock_1000'];

/** Per (peer, case): kill after this long; the baseline's peers need 0.6 s to > 120 s at n = 16. */
const PEER_OPTS = { timeoutMs: 10_000, diffBudgetMs: 10_000, maxRepTimeMs: 2000 };

const cell = (r) => {
  if (!r) return '—';
  if (r.skipped) return r.skipped;
  return `${fmt(r.diffMs)}${r.coldOnly ? '*' : ''}`;
};

/** Runs the symbolic suite and returns its markdown section. */
export async function run({ cases = CASES } = {}) {
  const lib = await loadLeibniz();
  const rows = [];
  const sizeRows = [];
  for (const name of cases) {
    const c = caseByName(name);
    const data = c.data ?? [];
    const [e, buildMs] = (() => {
      const t0 = performance.now();
      const expr = expressionOf(lib, c);
      return [expr, performance.now() - t0];
    })();
    const grad = measureMs(() => lib.grad(e, c.variables), { maxTimeMs: 3000 });
    const compiled = measureMs(() => lib.compileGradient(e, c.variables, { data }), {
      maxTimeMs: 5000,
    });
    const both = grad.medianMs + compiled.medianMs;
    console.error(
      `${name}: build ${fmt(buildMs)} ms, grad ${fmt(grad.medianMs)} ms (cold ${fmt(grad.coldMs)}), compileGradient ${fmt(compiled.medianMs)} ms (cold ${fmt(compiled.coldMs)})`,
    );
    const peers = {};
    for (const peer of SYMBOLIC_PEERS) {
      const r = await diffInWorker(peer, c, PEER_OPTS);
      if (r.partials) {
        const text = r.partials.join('');
        r.treeNodes =
          text.length <= 1_000_000 ? r.partials.reduce((a, t) => a + treeNodesOf(t), 0) : undefined;
      }
      peers[peer] = r;
      console.error(
        `  ${peer.padEnd(14)} ${r.skipped ?? `${fmt(r.diffMs)} ms (cold ${fmt(r.diffColdMs)})`}`,
      );
    }
    let sympy;
    if (sympyAvailable())
      [sympy] = await sympyPeer([c], { timeoutMs: PEER_OPTS.timeoutMs, simplify: false });
    // mathjs-nosimp does no simplification at all (its output is far larger), so the
    // ratio is to the computer-algebra peers that simplify: nerdamer, mathjs, SymPy.
    const fastestPeer = Math.min(
      ...[peers.nerdamer, peers.mathjs, sympy]
        .filter((r) => r !== undefined && !r.skipped)
        .map((r) => r.diffMs),
    );
    rows.push([
      name,
      `${fmt(grad.medianMs)} (cold ${fmt(grad.coldMs)})`,
      `${fmt(compiled.medianMs)} (cold ${fmt(compiled.coldMs)})`,
      ...SYMBOLIC_PEERS.map((p) => cell(peers[p])),
      ...(sympy ? [cell(sympy)] : []),
      // All timed out: the time box is a lower bound.
      Number.isFinite(fastestPeer)
        ? `×${fmt(ratioValue(fastestPeer, grad.medianMs))}`
        : `> ×${fmt(PEER_OPTS.timeoutMs / grad.medianMs)}`,
      Number.isFinite(fastestPeer)
        ? `×${fmt(ratioValue(fastestPeer, both))}`
        : `> ×${fmt(PEER_OPTS.timeoutMs / both)}`,
    ]);
    sizeRows.push([
      name,
      fmtInt(lib.size(e)),
      fmtInt(lib.size(grad.result)),
      ...SYMBOLIC_PEERS.map((p) =>
        peers[p].treeNodes !== undefined ? fmtInt(peers[p].treeNodes) : '—',
      ),
    ]);
  }
  return [
    '## Symbolic cost: differentiate and compile',
    '',
    `Measured ${machineInfoLine()}. Leibniz: median of warm runs (cold = first run in this ` +
      'process); `grad` = all partials symbolically (reverse mode over the DAG); ' +
      '`compileGradient` = lowering, adjoints, emission, `new Function` (warm runs hit the ' +
      'source cache for `new Function`). Peers: time to differentiate all partials in a ' +
      `fresh worker, killed after ${PEER_OPTS.timeoutMs / 1000} s (\`*\` = single cold run). ` +
      'Fastest CAS = the fastest of nerdamer, mathjs and SymPy that finished (mathjs-nosimp ' +
      'does no simplification: see its output sizes below); `> ×r` = all timed out.',
    '',
    toMarkdownTable(
      [
        'case',
        'Leibniz grad, ms',
        'Leibniz compileGradient, ms',
        ...SYMBOLIC_PEERS,
        ...(sympyAvailable() ? ['sympy'] : []),
        'fastest CAS / Leibniz grad',
        'fastest CAS / Leibniz grad + compile',
      ],
      rows,
    ),
    '',
    'Sizes: distinct DAG nodes of f and of its gradient (Leibniz); peers: tree nodes of the ' +
      'printed partials (mathjs parse, summed), where they finished.',
    '',
    toMarkdownTable(['case', 'size(f)', 'size(grad f)', ...SYMBOLIC_PEERS], sizeRows),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv.find((a) => a.startsWith('--cases='));
  console.log(await run(only ? { cases: only.slice(8).split(',') } : {}));
}
