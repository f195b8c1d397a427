// Peer adapters: nerdamer, mathjs (with and without simplify), tfjs (CPU), SymPy.
//
// A case is {name, expr, variables, data?} (see cases.mjs); a point is
// [...variables, ...data]. The symbolic adapters return
//   {peer, case, diffMs, diffMinMs, diffColdMs, diffReps, coldOnly, compileMs,
//    gradFn(point, gOut), valueFn(point), sizes: {printedLength, treeNodes, native},
//    partials: string[]}
// or {peer, case, skipped: reason, ...whatever was measured before the skip}.
//
// How they are measured, and why (matching ../shared/reference/peer-baseline.md):
// - Differentiation is timed in a fresh worker thread per (peer, case) that can be killed:
//   a peer stuck in simplify for minutes cannot hang the benchmark. Cold run first, then
//   the median of ≥ 3 warm runs of "all partials"; a case whose cold run exceeds
//   `diffBudgetMs` (5 s) is reported cold-only and not compiled.
// - The compiled gradient is what a user of that library would write: one compiled
//   function per partial (nerdamer buildFunction with positional args; mathjs
//   node.compile().evaluate(Map scope)), all called once per point. The main thread
//   differentiates again to get live objects to compile (functions cannot cross threads);
//   that run is known to fit the budget.

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { timeOnce } from './measure.mjs';
import { BACKENDS, diffAll } from './symbolic.mjs';
import { treeNodesOf } from './treenodes.mjs';

export { treeNodesOf };

export const DEFAULTS = Object.freeze({
  /** Kill a worker whose cold differentiation hasn't finished after this long. */
  timeoutMs: 20_000,
  /** A cold differentiation slower than this is reported once and not compiled/evaluated. */
  diffBudgetMs: 5_000,
  /** Warm repetitions: at least minReps, until minRepTimeMs spent, at most ~maxRepTimeMs. */
  minReps: 3,
  minRepTimeMs: 200,
  maxRepTimeMs: 5_000,
  /** Time allowed for a worker to load the peer's library (slow on a busy machine). */
  loadTimeoutMs: 60_000,
});

/** Names of the symbolic JS peers. */
export const SYMBOLIC_PEERS = Object.keys(BACKENDS);

// A case crosses the thread boundary by structured clone: drop builders and notes.
const plainCase = (c) => ({
  name: c.name,
  expr: c.expr,
  variables: c.variables,
  data: c.data ?? [],
});

/**
 * Time `backend` differentiating case `c` in a killable worker.
 * @returns {Promise<object>} the worker's result, or {skipped}
 */
export function diffInWorker(backend, c, opts = {}) {
  const o = { ...DEFAULTS, ...opts };
  const timeout = `timeout (> ${o.timeoutMs / 1000} s)`;
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./peer-worker.mjs', import.meta.url), {
      workerData: { backend, case: plainCase(c), opts: o },
    });
    let timer;
    let settled = false;
    let coldMs;
    const finish = (r) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.terminate();
      resolve(r);
    };
    // One kill switch, re-armed per phase: loading the library, the cold run (the phase
    // that can run away), then the warm reps, which the worker bounds itself
    // (maxRepTimeMs, at worst about twice that) — their timer is only a safety net.
    const arm = (ms, onFire) => {
      clearTimeout(timer);
      timer = setTimeout(onFire, ms);
    };
    arm(o.loadTimeoutMs, () =>
      finish({ skipped: `could not load ${backend} in ${o.loadTimeoutMs / 1000} s` }),
    );
    worker.on('message', (m) => {
      if (m.type === 'ready') {
        arm(o.timeoutMs, () => finish({ skipped: timeout }));
      } else if (m.type === 'cold') {
        coldMs = m.ms;
        arm(2 * o.maxRepTimeMs + 10_000, () =>
          finish({
            diffMs: coldMs,
            diffMinMs: coldMs,
            diffColdMs: coldMs,
            diffReps: 0,
            coldOnly: true,
            sizes: null,
          }),
        );
      } else if (m.type === 'result') {
        finish(m);
      } else if (m.type === 'error') {
        finish({ skipped: `error: ${m.message}` });
      }
    });
    worker.on('error', (e) => finish({ skipped: `error: ${e.message}` }));
    worker.on('exit', (code) => finish({ skipped: `worker exited (${code})` }));
  });
}

/** Generate grad(p, g) that calls one compiled partial per gradient entry. */
function makeGradFn(calling, fns, symbols) {
  const n = fns.length;
  if (calling === 'scope') {
    // mathjs: one Map scope, updated in place per point (what its docs recommend for
    // repeated evaluation; a fresh object per call would add allocation).
    const scope = new Map(symbols.map((s) => [s, 0]));
    return new Function(
      'fns',
      'symbols',
      'scope',
      `"use strict";
      const S = symbols.length;
      return function grad(p, g) {
        for (let k = 0; k < S; k++) scope.set(symbols[k], p[k]);
        for (let i = 0; i < ${n}; i++) g[i] = fns[i].evaluate(scope);
      };`,
    )(fns, symbols, scope);
  }
  // Positional (nerdamer): spell out the argument list so each call is a plain call, as a
  // user would write it. Past 64 symbols the source gets huge; use apply instead.
  if (symbols.length <= 64) {
    const args = symbols.map((_, k) => `p[${k}]`).join(', ');
    const body = fns.map((_, i) => `g[${i}] = f${i}(${args});`).join('\n');
    const names = fns.map((_, i) => `f${i}`);
    return new Function(...names, `"use strict"; return function grad(p, g) {\n${body}\n};`)(
      ...fns,
    );
  }
  return new Function(
    'fns',
    `"use strict"; return function grad(p, g) {
      for (let i = 0; i < ${n}; i++) g[i] = fns[i].apply(null, p);
    };`,
  )(fns);
}

function makeValueFn(calling, fn, symbols) {
  if (calling === 'scope') {
    const scope = new Map(symbols.map((s) => [s, 0]));
    return (p) => {
      for (let k = 0; k < symbols.length; k++) scope.set(symbols[k], p[k]);
      return fn.evaluate(scope);
    };
  }
  if (symbols.length <= 64) {
    const args = symbols.map((_, k) => `p[${k}]`).join(', ');
    return new Function('f', `"use strict"; return function value(p) { return f(${args}); };`)(fn);
  }
  return (p) => fn.apply(null, p);
}

/**
 * A symbolic JS peer on one case: time the differentiation (isolated), then compile.
 * @param {'nerdamer'|'mathjs'|'mathjs-nosimp'} peer
 * @param {{name: string, expr: string, variables: string[], data?: string[]}} c
 * @param {Partial<typeof DEFAULTS>} [opts]
 */
export async function symbolicPeer(peer, c, opts = {}) {
  const o = { ...DEFAULTS, ...opts };
  const base = { peer, case: c.name };
  if (!c.expr) return { ...base, skipped: 'no string form of this case' };
  const w = await diffInWorker(peer, c, o);
  if (w.skipped) return { ...base, skipped: w.skipped };
  const { type: _t, printedLength, native, ...measured } = w;
  const out = { ...base, ...measured };
  if (w.partials) {
    // The shared yardstick is computed here, where mathjs is loaded once for all peers.
    const treeNodes = w.partials.reduce((acc, t) => acc + treeNodesOf(t), 0);
    out.sizes = { printedLength, treeNodes, native };
  }
  if (w.coldOnly || w.diffColdMs > o.diffBudgetMs) {
    return {
      ...out,
      skipped: `diff took ${(w.diffColdMs / 1000).toFixed(1)} s (> ${o.diffBudgetMs / 1000} s budget)`,
    };
  }
  const backend = BACKENDS[peer];
  await backend.load();
  const symbols = [...c.variables, ...(c.data ?? [])];
  const parsed = backend.parse(c.expr);
  const [partials] = timeOnce(() => diffAll(backend, parsed, c.variables));
  const [fns, compileMs] = timeOnce(() => partials.map((d) => backend.compile(d, symbols)));
  return {
    ...out,
    compileMs,
    gradFn: makeGradFn(backend.calling, fns, symbols),
    valueFn: makeValueFn(backend.calling, backend.compile(parsed, symbols), symbols),
  };
}

export const nerdamerPeer = (c, opts) => symbolicPeer('nerdamer', c, opts);
export const mathjsPeer = (c, opts) =>
  symbolicPeer(opts?.simplify === false ? 'mathjs-nosimp' : 'mathjs', c, opts);

/**
 * Per-point function from a point-wise peer, summed over a batch, so a CAS can be compared
 * with batched code: `(cols, params, gOut) => Σ loss` (reduce 'sum'). Loss values come from
 * `valueFn` — a CAS user needs them too, and the hand-written batch computes them.
 */
export function batchedFromPointwise(gradFn, valueFn, c) {
  const nv = c.variables.length;
  const data = c.data ?? [];
  const p = new Float64Array(nv + data.length);
  const g = new Float64Array(nv);
  return new Function(
    'gradFn',
    'valueFn',
    'p',
    'g',
    'data',
    `"use strict";
    const nv = ${nv};
    return function batch(cols, params, gOut) {
      const dcols = data.map((d) => cols[d]);
      const n = dcols[0].length;
      for (let k = 0; k < nv; k++) { p[k] = params[k]; gOut[k] = 0; }
      let L = 0;
      for (let i = 0; i < n; i++) {
        for (let d = 0; d < dcols.length; d++) p[nv + d] = dcols[d][i];
        L += valueFn(p);
        gradFn(p, g);
        for (let k = 0; k < nv; k++) gOut[k] += g[k];
      }
      return L;
    };`,
  )(gradFn, valueFn, p, g, data);
}

// ---------------------------------------------------------------------------------------
// tfjs (pure-JS CPU backend).

let tf;
/** Load tfjs once, on the CPU backend, in production mode (silences the tfjs-node banner
 *  and skips debug checks, as a performance-minded user would). */
export async function loadTf() {
  if (!tf) {
    tf = await import('@tensorflow/tfjs');
    tf.enableProdMode();
    await tf.setBackend('cpu');
    await tf.ready();
  }
  return tf;
}

const TF_FUNCTIONS = new Set([
  'sin',
  'cos',
  'tan',
  'tanh',
  'sinh',
  'cosh',
  'exp',
  'log',
  'sqrt',
  'abs',
]);

/**
 * Translate a case expression into a tfjs program: parse with mathjs, map every node to the
 * corresponding tensor op. Returns (env: {symbol: Tensor}) => Tensor. Constants are kept
 * tensors, created once (outside any tidy).
 */
function tfProgram(math, expr) {
  const compileNode = (node) => {
    switch (node.type) {
      case 'ParenthesisNode':
        return compileNode(node.content);
      case 'ConstantNode': {
        const t = tf.keep(tf.scalar(Number(node.value)));
        return () => t;
      }
      case 'SymbolNode': {
        const name = node.name;
        return (env) => env[name];
      }
      case 'OperatorNode': {
        const args = node.args.map(compileNode);
        const [a, b] = args;
        switch (node.fn) {
          case 'add':
            return (env) => tf.add(a(env), b(env));
          case 'subtract':
            return (env) => tf.sub(a(env), b(env));
          case 'multiply':
            return (env) => tf.mul(a(env), b(env));
          case 'divide':
            return (env) => tf.div(a(env), b(env));
          case 'unaryMinus':
            return (env) => tf.neg(a(env));
          case 'unaryPlus':
            return a;
          case 'pow': {
            const e = node.args[1];
            if (e.type === 'ConstantNode' && Number(e.value) === 2)
              return (env) => tf.square(a(env));
            return (env) => tf.pow(a(env), b(env));
          }
          default:
            throw new Error(`tfjs: unsupported operator ${node.fn}`);
        }
      }
      case 'FunctionNode': {
        const fn = node.fn.name;
        if (!TF_FUNCTIONS.has(fn)) throw new Error(`tfjs: unsupported function ${fn}`);
        const a = compileNode(node.args[0]);
        return (env) => tf[fn](a(env));
      }
      default:
        throw new Error(`tfjs: unsupported node ${node.type}`);
    }
  };
  return compileNode(math.parse(expr));
}

/**
 * tfjs adapter: `tf.valueAndGrads` on the CPU backend over a whole batch (float32).
 *
 * mode 'shared' (data cases: the training workload): variables are scalars shared by all
 *   points, data symbols are columns; loss = Σ over the batch. Returns
 *   gradFn(cols, params, gOut) => Σ loss, comparable with handwritten batchGrad.
 * mode 'per-point' (the baseline's layout): every symbol is a column and each point gets its
 *   own gradient (grads of Σ f w.r.t. per-point variables). Returns
 *   gradFn(cols, gCols: Float64Array[] per variable) => Σ f.
 *
 * Data tensors are built from `cols` once per cols object and cached (a tfjs user keeps
 * their data as tensors); gradients are copied back into JS arrays on every call (a user
 * needs them there). A first call with the given data is timed; if it exceeds `budgetMs` the
 * case is skipped.
 */
export async function tfjsPeer(
  c,
  { mode = 'shared', cols, params, budgetMs = DEFAULTS.diffBudgetMs } = {},
) {
  const base = { peer: 'tfjs', case: c.name, mode };
  if (!c.expr) return { ...base, skipped: 'no string form of this case' };
  await loadTf();
  const math = await import('mathjs');
  let prog;
  try {
    prog = tfProgram(math, c.expr);
  } catch (e) {
    return { ...base, skipped: String(e.message) };
  }
  const vars = c.variables;
  const data = c.data ?? [];
  const cache = new WeakMap();
  const tensorsOf = (cs, names) => {
    let t = cache.get(cs);
    if (!t) {
      t = {};
      for (const s of names) t[s] = tf.keep(tf.tensor1d(Float32Array.from(cs[s])));
      cache.set(cs, t);
    }
    return t;
  };

  let gradFn;
  if (mode === 'shared') {
    if (!data.length) return { ...base, skipped: 'shared mode needs data columns' };
    let env = null;
    const vg = tf.valueAndGrads((...ts) => {
      const e = { ...env };
      for (let i = 0; i < vars.length; i++) e[vars[i]] = ts[i];
      return tf.sum(prog(e));
    });
    gradFn = (cs, ps, gOut) =>
      tf.tidy(() => {
        env = tensorsOf(cs, data);
        const args = vars.map((_, i) => tf.scalar(ps[i]));
        const { value, grads } = vg(args);
        const gs = tf.stack(grads).dataSync();
        for (let i = 0; i < vars.length; i++) gOut[i] = gs[i];
        return value.dataSync()[0];
      });
  } else if (mode === 'per-point') {
    let env = null;
    const vg = tf.valueAndGrads((...ts) => {
      const e = { ...env };
      for (let i = 0; i < vars.length; i++) e[vars[i]] = ts[i];
      return tf.sum(prog(e));
    });
    gradFn = (cs, gCols) =>
      tf.tidy(() => {
        const t = tensorsOf(cs, [...vars, ...data]);
        env = t;
        const { value, grads } = vg(vars.map((v) => t[v]));
        for (let i = 0; i < vars.length; i++) gCols[i].set(grads[i].dataSync());
        return value.dataSync()[0];
      });
  } else {
    throw new Error(`tfjs: unknown mode ${mode}`);
  }

  if (cols) {
    const n = cols[Object.keys(cols)[0]].length;
    const g =
      mode === 'shared' ? new Float64Array(vars.length) : vars.map(() => new Float64Array(n));
    let firstCallMs;
    try {
      [, firstCallMs] = timeOnce(() =>
        mode === 'shared' ? gradFn(cols, params, g) : gradFn(cols, g),
      );
    } catch (e) {
      return { ...base, skipped: `error: ${e.message}` };
    }
    if (firstCallMs > budgetMs) {
      return {
        ...base,
        firstCallMs,
        skipped: `first call took ${(firstCallMs / 1000).toFixed(1)} s (> ${budgetMs / 1000} s budget)`,
      };
    }
    return { ...base, firstCallMs, points: n, gradFn, diffMs: null, sizes: null };
  }
  return { ...base, gradFn, diffMs: null, sizes: null };
}

/** Release the tensors tfjs keeps (cached data, constants). */
export function disposeTf() {
  if (tf) tf.disposeVariables();
}

// ---------------------------------------------------------------------------------------
// SymPy (CPython subprocess).

const SYMPY_SCRIPT = fileURLToPath(new URL('./sympy_peer.py', import.meta.url));
let sympyProbe;

/**
 * Which python has SymPy: $LEIBNIZ_PYTHON, then `python3` on PATH, then /usr/bin/python3
 * (Debian's python3-sympy lives there even when a pyenv python shadows it).
 * @returns {{python: string, version: string} | null}
 */
export function sympyAvailable() {
  if (sympyProbe !== undefined) return sympyProbe;
  const candidates = [process.env.LEIBNIZ_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  sympyProbe = null;
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import sympy; print(sympy.__version__)'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status === 0) {
      sympyProbe = { python, version: r.stdout.trim() };
      break;
    }
  }
  return sympyProbe;
}

/**
 * Time SymPy on `cases` in one python3 process: sp.diff of all partials (cold + median of
 * warm runs, cache cleared per run) and, if `simplify`, sp.simplify of the partials (once).
 * Sizes use the same yardstick as the JS peers (treeNodes: mathjs parse of str(e)).
 *
 * @returns {Promise<object[]>} one entry per case: {peer: 'sympy', case, diffMs, diffColdMs,
 *   diffReps, sizes, countOps, simplifyMs?, simplifiedSizes?, partials} or
 *   {peer, case, skipped}. If python3 or SymPy is missing, every entry is skipped.
 */
export async function sympyPeer(cases, opts = {}) {
  const {
    timeoutMs = DEFAULTS.timeoutMs,
    simplify = true,
    simplifyTimeoutMs = DEFAULTS.timeoutMs,
    minReps = DEFAULTS.minReps,
    repBudgetMs = DEFAULTS.maxRepTimeMs,
  } = opts;
  const probe = sympyAvailable();
  if (!probe) {
    return cases.map((c) => ({
      peer: 'sympy',
      case: c.name,
      skipped: 'python3 with sympy not found',
    }));
  }
  const withExpr = cases.filter((c) => c.expr);
  const req = {
    cases: withExpr.map(plainCase),
    diffTimeoutS: timeoutMs / 1000,
    simplify,
    simplifyTimeoutS: simplifyTimeoutMs / 1000,
    minReps,
    repBudgetS: repBudgetMs / 1000,
  };
  // Worst case per case: diff timeout + reps + simplify timeout; plus interpreter start-up.
  const totalMs =
    withExpr.length * (timeoutMs + repBudgetMs * 2 + (simplify ? simplifyTimeoutMs : 0)) + 30_000;
  const lines = await new Promise((resolve) => {
    const child = spawn(probe.python, [SYMPY_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), totalMs);
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const parsed = out
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return null;
          }
        })
        .filter(Boolean);
      if (code !== 0 && err) parsed.push({ error: err.trim().split('\n').slice(-1)[0] });
      resolve(parsed);
    });
    child.stdin.end(JSON.stringify(req));
  });
  const header = lines.find((l) => l.sympy);
  const error = lines.find((l) => l.error)?.error;
  const byName = new Map(lines.filter((l) => l.name).map((l) => [l.name, l]));
  const sizes = (s) => ({
    printedLength: s.printedLength,
    treeNodes: s.partials.reduce((acc, t) => acc + treeNodesOf(t), 0),
    native: s.nativeNodes,
  });
  return cases.map((c) => {
    const base = { peer: 'sympy', case: c.name, version: header?.sympy };
    if (!c.expr) return { ...base, skipped: 'no string form of this case' };
    const r = byName.get(c.name);
    if (!r) return { ...base, skipped: error ? `error: ${error}` : 'not reached (killed)' };
    if (r.skipped) return { ...base, skipped: r.skipped };
    return {
      ...base,
      diffMs: r.diffMs,
      diffMinMs: r.diffMinMs,
      diffColdMs: r.diffColdMs,
      diffReps: r.reps,
      coldOnly: r.coldOnly,
      sizes: sizes(r),
      countOps: r.countOps,
      partials: r.partials,
      ...(r.simplifyMs !== undefined
        ? {
            simplifyMs: r.simplifyMs,
            simplifiedSizes: sizes(r.simplified),
            simplifiedPartials: r.simplified.partials,
          }
        : {}),
      ...(r.simplifySkipped ? { simplifySkipped: r.simplifySkipped } : {}),
    };
  });
}
