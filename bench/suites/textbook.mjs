// Textbook forms (issue 12): on corpora of calculus-text exercises and ML losses
// (corpus/textbook.json, written for this benchmark, and corpus/validation.json, a second
// one written independently of the first to check the targets on other styles), the size of Leibniz's
// `simplify(diff(f))` against SymPy's `simplify(diff(f))` on one yardstick (tree nodes of
// the mathjs parse of the printed text), whether every value is exact (Leibniz's result
// against its raw derivative and against SymPy's, at random points), and the time: Leibniz
// cold (fresh symbol names per repetition) against one cold SymPy `simplify`.
//
// Targets: geometric mean of the size ratio ≤ 0.95, no case over 1.5, every value exact,
// Leibniz at least 100× faster than SymPy's simplify.
//
// Usage: node bench/suites/textbook.mjs [--corpus=path.json] [--cases=a,b] [--verbose]
// Environment: LEIBNIZ_SYMPY_CACHE=file reuses SymPy's results (written on first run; one
// file for every corpus, entries named by corpus and case); LEIBNIZ_NO_SYMPY=1 measures
// Leibniz alone.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStages, freshName, freshNames } from '../lib/cold.mjs';
import { fmt, machineInfoLine, toMarkdownTable } from '../lib/measure.mjs';
import { sympyAvailable } from '../lib/peers.mjs';
import { treeNodesOf } from '../lib/treenodes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_CORPUS = join(here, '..', 'corpus', 'textbook.json');
/** The corpora `run` compares (bench/run.mjs): the first one, then the validation one. */
const CORPORA = [DEFAULT_CORPUS, join(here, '..', 'corpus', 'validation.json')];

/** Symbols of an expression text (names not followed by `(`), constants excluded. */
function symbolsOf(text) {
  const names = new Set(text.match(/\b[A-Za-z_][A-Za-z0-9_]*\b(?!\s*\()/g) ?? []);
  names.delete('pi');
  names.delete('e');
  return [...names].sort();
}

/** A small deterministic generator (mulberry32), so every run checks the same points. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Points in three regions: (0.1, 0.9), (1.2, 2.5) and (−2.5, −0.1), two each. */
function pointsFor(symbols, seed) {
  const r = rng(seed);
  const ranges = [
    [0.1, 0.9],
    [1.2, 2.5],
    [-2.5, -0.1],
  ];
  const out = [];
  for (const [lo, hi] of ranges)
    for (let i = 0; i < 2; i++) out.push(symbols.map(() => lo + (hi - lo) * r()));
  return out;
}

async function runSympy(cases, timeoutS) {
  const probe = sympyAvailable();
  if (!probe) return new Map();
  const script = join(here, '..', 'lib', 'sympy_corpus.py');
  const lines = await new Promise((resolve) => {
    const child = spawn(probe.python, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', () =>
      resolve(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      ),
    );
    child.stdin.end(JSON.stringify({ cases, timeoutS }));
  });
  return new Map(lines.filter((l) => l.name).map((l) => [l.name, l]));
}

/** Relative agreement of two values (both finite), or both undefined. */
function agree(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return !Number.isFinite(a) && !Number.isFinite(b);
  return Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(a), Math.abs(b));
}

const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/** Runs the corpus comparison: the markdown section, the per-case rows and the summary. */
export async function compare(options = {}) {
  const lib = await import('../../dist/index.js');
  const { diff, evaluate, format, parse, simplify } = lib;
  const corpusPath = options.corpus ?? DEFAULT_CORPUS;
  let cases = JSON.parse(readFileSync(corpusPath, 'utf8'));
  if (options.cases) cases = cases.filter((c) => options.cases.includes(c.name));
  const prepared = cases.map((c, i) => {
    const symbols = symbolsOf(c.expr);
    if (!symbols.includes(c.variable)) symbols.push(c.variable);
    return { ...c, symbols, points: pointsFor(symbols, 1000 + i) };
  });

  // SymPy (cached on request: it takes minutes). Cache entries are named corpus:case (the
  // random points depend on the case's place in its corpus).
  const sympy = new Map();
  const cache = process.env.LEIBNIZ_SYMPY_CACHE;
  const corpusName = basename(corpusPath, '.json');
  const cacheKey = (name) => `${corpusName}:${name}`;
  if (process.env.LEIBNIZ_NO_SYMPY !== '1') {
    const cached = cache && existsSync(cache) ? JSON.parse(readFileSync(cache, 'utf8')) : {};
    for (const c of prepared)
      if (cached[cacheKey(c.name)]) sympy.set(c.name, cached[cacheKey(c.name)]);
    const missing = prepared.filter((c) => !sympy.has(c.name));
    if (missing.length > 0) {
      console.error(`  textbook: SymPy on ${missing.length} cases of ${corpusName}…`);
      const fresh = await runSympy(missing, options.timeoutS ?? 20);
      for (const [k, v] of fresh) {
        sympy.set(k, v);
        cached[cacheKey(k)] = v;
      }
      if (cache) writeFileSync(cache, JSON.stringify(cached));
    }
  }

  const rows = [];
  for (const c of prepared) {
    const f = parse(c.expr);
    const raw = diff(f, c.variable);
    const out = simplify(raw);
    const text = format(out);
    const nodes = treeNodesOf(text);
    const timing = await coldStages(
      (k) => ({ e: parse(freshNames(c.expr, k)), v: freshName(c.variable, k) }),
      { diff: ({ e, v }) => diff(e, v), simplify: (d) => simplify(d) },
      { minReps: 5, minTimeMs: 20, maxTimeMs: 500 },
    );
    // Exactness: simplified against raw everywhere; against SymPy where SymPy has a value.
    const s = sympy.get(c.name);
    let wrong = 0;
    let domain = 0;
    c.points.forEach((p, i) => {
      const env = Object.fromEntries(c.symbols.map((n, j) => [n, p[j]]));
      const a = evaluate(raw, env);
      const b = evaluate(out, env);
      if (Number.isFinite(a) && !Number.isFinite(b)) domain++;
      else if (Number.isFinite(a) && !agree(a, b)) wrong++;
      const y = s?.values?.[i];
      if (y !== undefined && y !== null && Number.isFinite(b) && !agree(b, y)) wrong++;
    });
    const sympyNodes = s?.simplified !== undefined ? treeNodesOf(s.simplified) : undefined;
    rows.push({
      name: c.name,
      input: c.expr,
      variable: c.variable,
      leibniz: text,
      nodes,
      sympy: s?.simplified,
      sympyNodes,
      sympySkipped: s?.skipped,
      ratio: sympyNodes === undefined ? undefined : nodes / sympyNodes,
      diffMs: timing.ms.diff,
      simplifyMs: timing.ms.simplify,
      sympyMs: s?.simplifyMs,
      wrong,
      domain,
    });
  }

  const compared = rows.filter((r) => r.ratio !== undefined);
  const ratios = compared.map((r) => r.ratio);
  const worst = compared.reduce(
    (w, r) => (w === undefined || r.ratio > w.ratio ? r : w),
    undefined,
  );
  const speed = compared
    .filter((r) => r.sympyMs !== undefined)
    .map((r) => r.sympyMs / (r.diffMs + r.simplifyMs));
  const summary = {
    cases: rows.length,
    compared: compared.length,
    geomean: compared.length ? geomean(ratios) : Number.NaN,
    worst: worst ? { name: worst.name, ratio: worst.ratio } : undefined,
    over15: compared.filter((r) => r.ratio > 1.5).length,
    larger: compared.filter((r) => r.ratio > 1).length,
    smaller: compared.filter((r) => r.ratio < 1).length,
    wrong: rows.filter((r) => r.wrong > 0).map((r) => r.name),
    domain: rows.filter((r) => r.domain > 0).map((r) => r.name),
    speedGeomean: speed.length ? geomean(speed) : Number.NaN,
    speedMin: speed.length ? Math.min(...speed) : Number.NaN,
    leibnizMsTotal: rows.reduce((s, r) => s + r.diffMs + r.simplifyMs, 0),
    sympyMsTotal: compared.reduce((s, r) => s + (r.sympyMs ?? 0), 0),
  };

  const table = toMarkdownTable(
    [
      'case',
      'd/d',
      'f',
      'Leibniz simplify(diff f)',
      'nodes',
      'SymPy simplify(diff f)',
      'nodes',
      'ratio',
      'Leibniz ms',
      'SymPy ms',
    ],
    rows.map((r) => [
      r.name,
      r.variable,
      `\`${r.input}\``,
      `\`${r.leibniz}\``,
      String(r.nodes),
      r.sympy !== undefined ? `\`${r.sympy}\`` : (r.sympySkipped ?? '—'),
      r.sympyNodes !== undefined ? String(r.sympyNodes) : '—',
      r.ratio !== undefined ? fmt(r.ratio) : '—',
      fmt(r.diffMs + r.simplifyMs),
      r.sympyMs !== undefined ? fmt(r.sympyMs) : '—',
    ]),
  );
  const text = [
    `## Textbook forms: simplified derivatives against SymPy (${corpusName})`,
    '',
    `Measured ${machineInfoLine()}. Corpus: \`${corpusPath.replace(/^.*\/bench\//, 'bench/')}\`, ${rows.length} exercises (calculus-text derivatives and ML losses). ` +
      'Size = tree nodes of the mathjs parse of the printed result (the peer baseline yardstick). ' +
      'Leibniz time = `diff` + `simplify`, median of cold repetitions (fresh symbol names each); SymPy = one `simplify` after `clear_cache()`.',
    '',
    `- Size, Leibniz / SymPy: geometric mean **${fmt(summary.geomean)}** over ${summary.compared} cases; ` +
      `worst ${summary.worst ? `${fmt(summary.worst.ratio)} (${summary.worst.name})` : '—'}; ` +
      `${summary.over15} over 1.5×; ${summary.larger} larger, ${summary.smaller} smaller, ${summary.compared - summary.larger - summary.smaller} equal.`,
    `- Values: ${summary.wrong.length === 0 ? 'every value exact' : `mismatch in ${summary.wrong.join(', ')}`}` +
      `${summary.domain.length ? `; defined input, undefined output in ${summary.domain.join(', ')}` : ''} (6 random points per case, against Leibniz's raw derivative and SymPy's simplified one).`,
    `- Speed, SymPy simplify / Leibniz diff+simplify: geometric mean ×${fmt(summary.speedGeomean)}, smallest ×${fmt(summary.speedMin)}; ` +
      `totals ${fmt(summary.leibnizMsTotal)} ms against ${fmt(summary.sympyMsTotal / 1000)} s.`,
    '',
    table,
    '',
  ].join('\n');
  return { text, rows, summary };
}

/** Runs the textbook suite on both corpora and returns their markdown (for bench/run.mjs). */
export async function run() {
  const texts = [];
  for (const corpus of CORPORA) texts.push((await compare({ corpus })).text);
  return texts.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const { text, summary, rows } = await compare({
    corpus: arg('corpus'),
    cases: arg('cases')?.split(','),
  });
  if (process.argv.includes('--verbose')) console.log(text);
  else {
    for (const r of rows.filter((x) => x.ratio === undefined || x.ratio > 1 || x.wrong || x.domain))
      console.log(
        `${r.name.padEnd(12)} ${fmt(r.ratio ?? Number.NaN).padStart(5)}  ${r.leibniz}   |   ${r.sympy ?? r.sympySkipped}${r.wrong ? '  WRONG' : ''}${r.domain ? '  DOMAIN' : ''}`,
      );
    console.log(JSON.stringify(summary, null, 1));
  }
}
