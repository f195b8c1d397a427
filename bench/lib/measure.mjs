// Timing utilities for a noisy, shared 2-core machine.
//
// Why it looks the way it does:
// - Neighbours steal CPU at random, so a single long timing is polluted by whatever else
//   ran during it. We time many short repetitions and report the MEDIAN (robust to the
//   occasional preempted rep) and the MIN (the best the code can do when left alone).
// - Functions under test range from ~10 ns (hand-written sin(x²)) to seconds (a peer
//   differentiating rosenbrock_100). hrtime costs ~50–100 ns and has µs-level jitter, so
//   fast functions are batched: warm-up calibrates how many calls make one repetition last
//   at least `minRepMs` (see measureInterleaved for why, under contention, that should be
//   ~20 ms rather than 1 ms).
// - V8 compiles in tiers; the first few thousand calls run in the interpreter or baseline
//   compiler. Warm-up runs until both `warmupMs` has elapsed and the function has been
//   called enough times that TurboFan has had a chance to kick in.
// - Results of pure functions must be consumed or V8 may delete the work (`blackhole`).

import os from 'node:os';

// ---------------------------------------------------------------------------------------
// Dead-code-elimination sink.

let sinkValue = 0;
let sinkObject = null;

/**
 * Consume a value so the optimiser cannot prove the computation that produced it is dead.
 * Numbers are folded into a module-level accumulator (a store V8 cannot elide, and a data
 * dependency it cannot hoist); anything else is stored by reference.
 * @param {unknown} v
 */
export function blackhole(v) {
  if (typeof v === 'number') sinkValue += v;
  else sinkObject = v;
}

/** Read the sink (print it at the very end of a script if you want to be extra sure). */
export function sink() {
  return { value: sinkValue, object: sinkObject };
}

// ---------------------------------------------------------------------------------------
// Clock.

/** Nanoseconds since an arbitrary origin, as a JS number (safe: 2^53 ns ≈ 104 days). */
export function nowNs() {
  return Number(process.hrtime.bigint());
}

/** Milliseconds since an arbitrary origin (hrtime-based, monotonic). */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Time a single call: returns [resultOfFn, elapsedMs]. For one-off expensive operations. */
export function timeOnce(fn) {
  const t0 = process.hrtime.bigint();
  const r = fn();
  const t1 = process.hrtime.bigint();
  return [r, Number(t1 - t0) / 1e6];
}

// ---------------------------------------------------------------------------------------
// Statistics.

export function median(xs) {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs, q) {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

// ---------------------------------------------------------------------------------------
// The measurement loop.

/**
 * Measure the time of `fn()`.
 *
 * Each repetition calls `fn` `batch` times (batch is calibrated during warm-up so one
 * repetition lasts ≥ minRepMs; pass `batch` to fix it). If one call of `fn` itself performs
 * `inner` units of work (e.g. loops over 1000 points), pass `inner` and the results are per
 * unit. Return values of `fn` go to the blackhole.
 *
 * Stops when (elapsed ≥ minTimeMs and reps ≥ minReps) or elapsed ≥ maxTimeMs or
 * reps ≥ maxReps. A function slower than maxTimeMs still gets one timed repetition (after
 * its warm-up call), so the caller should guard runaway functions separately.
 *
 * @param {() => unknown} fn
 * @param {{minTimeMs?: number, maxTimeMs?: number, minReps?: number, maxReps?: number,
 *          warmupMs?: number, minWarmupCalls?: number, minRepMs?: number,
 *          inner?: number, batch?: number}} [opts]
 * @returns {{median: number, min: number, p25: number, p75: number, reps: number,
 *            batch: number, inner: number, totalMs: number, warmupMs: number,
 *            samples: number[]}} times in ns per unit of work; totalMs excludes warm-up
 */
export function measure(fn, opts = {}) {
  const {
    minTimeMs = 300,
    maxTimeMs = 3000,
    minReps = 5,
    maxReps = 10_000,
    warmupMs = 100,
    // ~enough calls for TurboFan to optimise a hot function on Node 20.
    minWarmupCalls = 200,
    minRepMs = 1,
    inner = 1,
  } = opts;

  // Warm-up: at least one call, then keep calling until warmupMs and minWarmupCalls are met
  // (but never longer than warmupMs × 4 so slow functions don't eat the budget). The
  // observed cost per call decides the batch size.
  const tStart = process.hrtime.bigint();
  let calls = 0;
  let elapsedNs = 0;
  do {
    blackhole(fn());
    calls++;
    elapsedNs = Number(process.hrtime.bigint() - tStart);
  } while (
    (elapsedNs < warmupMs * 1e6 || calls < minWarmupCalls) &&
    elapsedNs < warmupMs * 4e6 &&
    elapsedNs < maxTimeMs * 1e6
  );
  const perCallNs = elapsedNs / calls;
  const batch = opts.batch ?? Math.max(1, Math.ceil((minRepMs * 1e6) / Math.max(perCallNs, 1)));

  const samples = [];
  const t0 = process.hrtime.bigint();
  let total = 0;
  while (samples.length < maxReps) {
    const a = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) blackhole(fn());
    const b = process.hrtime.bigint();
    samples.push(Number(b - a) / (batch * inner));
    total = Number(b - t0) / 1e6;
    if (total >= maxTimeMs) break;
    if (total >= minTimeMs && samples.length >= minReps) break;
  }
  let min = Number.POSITIVE_INFINITY;
  for (const s of samples) if (s < min) min = s;
  return {
    median: median(samples),
    min,
    p25: quantile(samples, 0.25),
    p75: quantile(samples, 0.75),
    reps: samples.length,
    batch,
    inner,
    totalMs: total,
    warmupMs: elapsedNs / 1e6,
    samples,
  };
}

/**
 * Time an expensive one-shot operation the way the peer baseline did: one cold run
 * (reported separately, it includes JIT and lazy initialisation), then warm repetitions
 * whose median is the headline figure. At least `minReps` warm reps unless the cold run
 * exceeded `coldOnlyAboveMs`; warm reps also stop once `maxTimeMs` of warm time is spent.
 *
 * `onCold(ms)` is called after the cold run (a watchdog can use it).
 *
 * @param {() => unknown} fn
 * @returns {{coldMs: number, medianMs: number, minMs: number, reps: number,
 *            coldOnly: boolean, result: unknown}} `result` is the last call's return value
 */
export function measureMs(fn, opts = {}) {
  const {
    minReps = 3,
    maxReps = 50,
    minTimeMs = 200,
    maxTimeMs = 5000,
    coldOnlyAboveMs = 5000,
  } = opts;
  let [result, coldMs] = timeOnce(fn);
  opts.onCold?.(coldMs);
  if (coldMs > coldOnlyAboveMs) {
    return { coldMs, medianMs: coldMs, minMs: coldMs, reps: 0, coldOnly: true, result };
  }
  const samples = [];
  let spent = 0;
  while (samples.length < maxReps) {
    // Don't start a rep that would, by the evidence so far, overshoot the budget, once
    // the minimum has been met.
    const est = samples.length ? median(samples) : coldMs;
    if (samples.length >= minReps && (spent >= minTimeMs || spent + est > maxTimeMs)) break;
    if (samples.length > 0 && spent + est > maxTimeMs * 2) break;
    let ms;
    [result, ms] = timeOnce(fn);
    samples.push(ms);
    spent += ms;
  }
  return {
    coldMs,
    medianMs: median(samples),
    minMs: Math.min(...samples),
    reps: samples.length,
    coldOnly: false,
    result,
  };
}

// ---------------------------------------------------------------------------------------
// Drivers: evaluate a gradient over many points.
//
// Each driver is generated with `new Function` so it has its own feedback vector and
// optimised code: a driver shared by all contenders would see a megamorphic call site for
// `gradFn` and penalise whoever runs last (or inline only the first one measured).

/**
 * Build `run()` that evaluates `gradFn(points[i], g)` for the next `chunk` points
 * (cycling through `points`). Use with `measure(run, {inner: chunk})` to get ns per point.
 * Points are visited in order so memory-bound cases (rosenbrock_1000) stream like they
 * would in a real optimiser loop.
 *
 * @param {(p: ArrayLike<number>, g: Float64Array) => unknown} gradFn
 * @param {ArrayLike<number>[]} points
 * @param {Float64Array} g  output buffer, reused
 */
export function pointLoop(gradFn, points, g, chunk = 1000) {
  const make = new Function(
    'gradFn',
    'points',
    'g',
    'chunk',
    `"use strict";
    let i = 0;
    const n = points.length;
    return function run() {
      let acc = 0;
      for (let k = 0; k < chunk; k++) {
        const v = gradFn(points[i], g);
        acc += (typeof v === 'number' ? v : 0) + g[0];
        if (++i === n) i = 0;
      }
      return acc;
    };`,
  );
  return make(gradFn, points, g, chunk);
}

/**
 * A runner `{run, inner}` for a point-wise gradient over `points` (ns per point).
 * Chunk size: up to 1000 points per call, fewer for slow functions so that one call stays
 * around a millisecond (a peer at 3 ms per point must not spend 3 s per call). The probe
 * runs cold, so it overestimates the cost: chunks err small, and measure() batches calls
 * back up to minRepMs anyway.
 */
export function pointwiseRunner(gradFn, points, nGrad, chunk) {
  const g = new Float64Array(nGrad);
  if (!chunk) {
    const probe = Math.min(points.length, 10);
    const t0 = nowNs();
    for (let k = 0; k < probe; k++) blackhole(gradFn(points[k], g));
    const per = (nowNs() - t0) / probe;
    chunk = Math.max(1, Math.min(points.length, 1000, Math.floor(1e6 / Math.max(per, 1))));
  }
  return { run: pointLoop(gradFn, points, g, chunk), inner: chunk, g };
}

/**
 * A runner `{run, inner}` for a batched function `(cols, params, gOut) => sumLoss`: one call
 * is one pass over the batch of `inner` points.
 */
export function batchedRunner(batchFn, cols, params, nGrad, points) {
  const g = new Float64Array(nGrad);
  const n = points ?? cols.x?.length ?? cols[Object.keys(cols)[0]].length;
  const make = new Function(
    'f',
    'cols',
    'params',
    'g',
    '"use strict"; return function run() { return f(cols, params, g) + g[0]; };',
  );
  return { run: make(batchFn, cols, params, g), inner: n, g };
}

/** Measure ns per point of a point-wise gradient function over `points`. */
export function measurePointwise(gradFn, points, nGrad, opts = {}) {
  const { run, inner } = pointwiseRunner(gradFn, points, nGrad, opts.chunk);
  return measure(run, { ...opts, inner });
}

/**
 * Measure ns per point of a batched function `(cols, params, gOut) => sumLoss` over a batch
 * of `cols.x.length` points (one call = one pass over the batch).
 */
export function measureBatched(batchFn, cols, params, nGrad, opts = {}) {
  const { run, inner } = batchedRunner(batchFn, cols, params, nGrad, opts.points);
  return measure(run, { minReps: 5, warmupMs: 300, minWarmupCalls: 3, ...opts, inner });
}

/**
 * Measure several contenders in interleaved rounds (A B C A B C …) and pool each one's
 * samples. On a shared machine the load drifts over seconds; measuring A fully and then B
 * would hand whichever ran in the quiet spell a free win. Interleaving spreads the drift
 * over everyone, so the ratios — the trustworthy part — stay honest.
 *
 * Every repetition lasts at least `minRepMs` (default 20 ms) for every contender. On a
 * machine with more runnable threads than cores, the scheduler hands out slices of a few
 * ms: a 1 ms sample is either wholly on-CPU or wholly preempted, and the median of many
 * short samples reports the uncontended speed, while a 50 ms sample (one pass of a batched
 * contender) always includes its share of waiting. Mixing the two biases the ratio by the
 * load factor (seen: 2× at load 5 on 2 cores). Equal, long-ish samples measure everyone
 * the same way.
 *
 * Round 0 carries the full warm-up; later rounds only re-warm caches briefly. A contender
 * stops getting rounds once it has spent maxTimeMs (slow ones still get ≥ 1 sample).
 *
 * @param {{name: string, run: () => unknown, inner?: number}[]} contenders
 * @param {{rounds?: number, minTimeMs?: number, maxTimeMs?: number, warmupMs?: number,
 *          minWarmupCalls?: number, minRepMs?: number}} [opts]  time budgets are per contender
 * @returns {Record<string, {median: number, min: number, p25: number, p75: number,
 *          reps: number, rounds: number}>} ns per unit of work
 */
export function measureInterleaved(contenders, opts = {}) {
  const {
    rounds = 5,
    minTimeMs = 300,
    maxTimeMs = 1500,
    warmupMs = 100,
    minWarmupCalls = 200,
    minRepMs = 20,
  } = opts;
  const state = contenders.map((c) => ({
    c,
    samples: [],
    spentMs: 0,
    batch: undefined,
    rounds: 0,
  }));
  for (let r = 0; r < rounds; r++) {
    for (const s of state) {
      if (r > 0 && s.spentMs >= maxTimeMs) continue;
      const m = measure(s.c.run, {
        inner: s.c.inner ?? 1,
        warmupMs: r === 0 ? warmupMs : Math.min(10, warmupMs),
        minWarmupCalls: r === 0 ? minWarmupCalls : 1,
        minTimeMs: minTimeMs / rounds,
        maxTimeMs: maxTimeMs / rounds,
        minReps: 1,
        minRepMs,
        batch: s.batch,
      });
      s.batch = m.batch;
      s.samples.push(...m.samples);
      s.spentMs += m.totalMs + m.warmupMs;
      s.rounds++;
    }
  }
  const out = {};
  for (const s of state) {
    out[s.c.name] = {
      median: median(s.samples),
      min: Math.min(...s.samples),
      p25: quantile(s.samples, 0.25),
      p75: quantile(s.samples, 0.75),
      reps: s.samples.length,
      rounds: s.rounds,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Formatting.

/** Format a number with `sig` significant digits and thousands separators (1,243; 0.873). */
export function fmt(x, sig = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** sig) return Math.round(x).toLocaleString('en-US');
  const digits = Math.max(0, sig - 1 - Math.floor(Math.log10(a)));
  return x.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Integer with thousands separators (node counts, lengths): 25,440. */
export function fmtInt(n) {
  return n === null || n === undefined || Number.isNaN(n)
    ? '—'
    : Math.round(n).toLocaleString('en-US');
}

/** Ratio a/b as a number (NaN if either is missing). */
export function ratioValue(a, b) {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return Number.NaN;
  }
  return a / b;
}

/** Ratio a/b formatted like the baseline: "×3.86" ("—" if undefined). */
export function ratio(a, b, sig = 3) {
  const r = ratioValue(a, b);
  return Number.isNaN(r) ? '—' : `×${fmt(r, sig)}`;
}

/** "value (×ratio)" cell, e.g. "660 (×8.42)"; `bold` for the reference column. */
export function cellWithRatio(a, ref, { bold = false } = {}) {
  if (a == null || Number.isNaN(a)) return '—';
  if (bold) return `**${fmt(a)}**`;
  return `${fmt(a)} (${ratio(a, ref)})`;
}

// ---------------------------------------------------------------------------------------
// Machine description and markdown output.

/** Describe the machine so that tables are never separated from where they were measured. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    date: new Date().toISOString(),
  };
}

/** One-line markdown summary of machineInfo(). */
export function machineInfoLine(info = machineInfo()) {
  return (
    `${info.date.slice(0, 10)} · ${info.cpu} · ${info.cores} cores · ${info.memGiB} GiB · ` +
    `Node ${info.node} (V8 ${info.v8}) · load ${info.loadavg.join('/')}`
  );
}

/**
 * Render a GitHub-flavoured markdown table. Cells are stringified; `|` is escaped.
 * @param {string[]} headers
 * @param {unknown[][]} rows
 * @param {{align?: ('l'|'r'|'c')[]}} [opts]  default: first column left, others right
 */
export function toMarkdownTable(headers, rows, opts = {}) {
  const esc = (c) => String(c ?? '').replace(/\|/g, '\\|');
  const align = opts.align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const rule = align.map((a) => (a === 'r' ? '---:' : a === 'c' ? ':---:' : '---'));
  const line = (cells) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}
