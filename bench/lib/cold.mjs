// Cold symbolic timing: hash-consing and the memo tables make a repeated input nearly free
// (the second `simplify` of the same DAG is a few map look-ups), so every repetition gets
// fresh symbol names and builds its expression anew. The JIT is warm (many repetitions);
// the expressions never are.
//
// Every repetition starts in a new task of the event loop. The intern table holds nodes
// through WeakRefs, and a WeakRef's target stays alive until the synchronous job that
// created it ends (ECMAScript's KeepDuringJob): in one long synchronous loop no expression
// of an earlier repetition can be collected, the heap grows with the length of the run and
// every stage pays a growing garbage-collection bill (a few % after 10³ repetitions, ×10
// after 10⁵). An application that differentiates on demand returns to the event loop
// between requests; so does this loop.

import { median } from './measure.mjs';

const NAME = /\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()/g;
const CONSTANTS = new Set(['e', 'pi']);

/** `text` with every symbol renamed `name_r<k>` (function names and constants kept). */
export function freshNames(text, k) {
  return text.replace(NAME, (m) => (CONSTANTS.has(m) ? m : `${m}_r${k}`));
}

/** The name `freshNames` gives `name` in repetition `k`. */
export const freshName = (name, k) => `${name}_r${k}`;

let counter = 0;

/**
 * Times the stages of one symbolic pipeline cold: `prepare(k)` builds a fresh input for
 * repetition k (not timed), then each stage runs on the previous stage's result and is
 * timed alone. Repeats for at least `minReps` and until `minTimeMs` of stage time is spent
 * (at most `maxReps` or `maxTimeMs`), after `warmupMs` of untimed repetitions. Resolves
 * to the median ms per stage and the last results.
 * @param {(k: number) => unknown} prepare
 * @param {Record<string, (input: any) => any>} stages
 */
export async function coldStages(prepare, stages, opts = {}) {
  const { minReps = 5, maxReps = 200, minTimeMs = 300, maxTimeMs = 3000, warmupMs = 0 } = opts;
  const names = Object.keys(stages);
  // Warm-up (untimed, fresh inputs too): the code paths a case takes are compiled by the JIT
  // before its repetitions are timed, as in a program that has been running a while.
  const warmStart = performance.now();
  while (performance.now() - warmStart < warmupMs) {
    await new Promise((resolve) => setImmediate(resolve));
    let value = prepare(++counter);
    for (const n of names) value = stages[n](value);
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  let results = {};
  let spent = 0;
  const start = performance.now();
  for (let r = 0; r < maxReps; r++) {
    if (r >= minReps && (spent >= minTimeMs || performance.now() - start >= maxTimeMs)) break;
    await new Promise((resolve) => setImmediate(resolve));
    let value = prepare(++counter);
    results = {};
    for (const n of names) {
      const t0 = performance.now();
      value = stages[n](value);
      const ms = performance.now() - t0;
      samples[n].push(ms);
      spent += ms;
      results[n] = value;
    }
  }
  return {
    ms: Object.fromEntries(names.map((n) => [n, median(samples[n])])),
    reps: samples[names[0]].length,
    results,
  };
}
