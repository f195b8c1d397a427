// Expression swell and scaling: sizes (distinct DAG nodes) of `diff` and `grad` results
// against the function's own, their time, and how time and memory grow with the size of
// the family. Every measurement is cold: a fresh process per run (nothing interned from a
// previous run), the median of three. Targets: size(grad f) ≤ 5·size(f) (issue 5); diff and
// grad of a 10⁵-deep chain in under 2 s and 1 GB, time and memory linear in depth (issue 9).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { size } from '../../dist/index.js';
import { fmt, median, toMarkdownTable } from '../lib/measure.mjs';
import { FAMILIES } from '../lib/swell-worker.mjs';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), '../lib/swell-worker.mjs');

/** Median of `reps` cold runs (fresh processes) of `op` on `family` at size `n`. */
function cold(family, n, op, reps = 3) {
  const runs = [];
  for (let r = 0; r < reps; r++) {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=4096', WORKER, family, String(n), op],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    runs.push(JSON.parse(out.trim()));
  }
  return {
    ms: median(runs.map((r) => r.ms)),
    size: runs[0].size,
    rssMB: median(runs.map((r) => r.rssMB)),
  };
}

const SIZE_CASES = [
  ['sin/cos chain', 400],
  ['tanh chain', 400],
  ['logistic map', 100],
  ['Rosenbrock', 1000],
  ['MLP loss', 64],
  ['deep tanh network', 64],
];

const DEPTHS = [1_000, 10_000, 100_000];

/** Sizes at which each family's growth is measured (n and 8n). */
const GROWTH = [
  ['sin/cos chain', 12_500],
  ['tanh chain', 12_500],
  ['logistic map', 200],
  ['Rosenbrock', 2_000],
  ['MLP loss', 256],
  ['deep tanh network', 100],
];

/** Runs the swell suite and returns its markdown section. */
export async function run() {
  const sizeRows = SIZE_CASES.map(([family, n]) => {
    const [f] = FAMILIES[family](n);
    const d = cold(family, n, 'diff');
    const g = cold(family, n, 'grad');
    const sf = size(f);
    return [
      `${family}, n = ${n}`,
      sf,
      d.size,
      g.size,
      `${fmt(g.size / sf)}${g.size <= 5 * sf ? '' : ' ✗'}`,
      fmt(d.ms),
      fmt(g.ms),
      fmt((g.ms * 1000) / sf),
    ];
  });

  const depthRows = [];
  for (const family of ['sin/cos chain', 'tanh chain']) {
    for (const n of DEPTHS) {
      const d = cold(family, n, 'diff', n >= 100_000 ? 1 : 3);
      const g = cold(family, n, 'grad', n >= 100_000 ? 1 : 3);
      const ok = d.ms < 2000 && g.ms < 2000 && Math.max(d.rssMB, g.rssMB) < 1024;
      depthRows.push([
        family,
        n.toLocaleString('en'),
        fmt(d.ms),
        fmt(g.ms),
        fmt(d.rssMB),
        fmt(g.rssMB),
        n === 100_000 ? (ok ? 'yes' : '✗') : '',
      ]);
    }
  }

  const growthRows = GROWTH.map(([family, n]) => {
    const a = { diff: cold(family, n, 'diff'), grad: cold(family, n, 'grad') };
    const b = { diff: cold(family, 8 * n, 'diff'), grad: cold(family, 8 * n, 'grad') };
    const exponent = (x, y) => fmt(Math.log(y / x) / Math.log(8), 2);
    return [
      family,
      `${n} → ${8 * n}`,
      exponent(a.diff.ms, b.diff.ms),
      exponent(a.grad.ms, b.grad.ms),
      exponent(a.grad.size, b.grad.size),
      exponent(Math.max(a.diff.rssMB, a.grad.rssMB), Math.max(b.diff.rssMB, b.grad.rssMB)),
    ];
  });

  return [
    '## Expression swell and scaling (issues 5 and 9)',
    '',
    'Sizes are distinct DAG nodes (`size`); `diff` is by the first variable, `grad` by all.',
    'Every time is cold: a fresh process per run, median of three (one at 10⁵). The last',
    'column is grad time per node of f (µs).',
    '',
    toMarkdownTable(
      ['case', 'size(f)', 'size(diff)', 'size(grad)', 'grad/f', 'diff ms', 'grad ms', 'µs/node'],
      sizeRows,
    ),
    '',
    'Deep compositions (target at 10⁵: under 2 s and 1 GB each). Memory is the peak resident',
    'size of the whole process (Node itself is ~50 MB), building the chain included.',
    '',
    toMarkdownTable(
      ['chain', 'depth', 'diff ms', 'grad ms', 'diff peak MB', 'grad peak MB', 'target met'],
      depthRows,
    ),
    '',
    'Growth: the exponent k in time ∝ nᵏ between n and 8n (1 is linear), for time, result size',
    'and peak memory.',
    '',
    toMarkdownTable(
      ['family', 'n', 'diff time k', 'grad time k', 'grad size k', 'memory k'],
      growthRows,
    ),
    '',
  ].join('\n');
}
