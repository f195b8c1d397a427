// Worker thread that times one peer differentiating one case.
//
// Why a worker: peers can run for minutes (nerdamer on rosenbrock_100, mathjs' simplify on
// mlp_16) inside one synchronous call. Only another thread can stop that, and
// Worker.terminate() does, even mid-loop. A fresh worker per (peer, case) also gives the
// cold time the baseline reports (first call in a fresh isolate, JIT and lazy init included)
// and keeps one case's heap growth from slowing the next.
//
// Protocol: posts {type: 'ready'} once the peer's library is loaded (so the parent's timer
// excludes module loading), {type: 'cold', ms} after the first differentiation (the parent
// kills the worker if that doesn't come in time), then {type: 'result', ...} or
// {type: 'error', message}.

import { parentPort, workerData } from 'node:worker_threads';
import { measureMs } from './measure.mjs';
import { BACKENDS, diffAll, printAll } from './symbolic.mjs';

const { backend: name, case: c, opts } = workerData;
const backend = BACKENDS[name];

try {
  await backend.load();
  parentPort.postMessage({ type: 'ready' });
  const parsed = backend.parse(c.expr);
  const m = measureMs(() => diffAll(backend, parsed, c.variables), {
    minReps: opts.minReps,
    minTimeMs: opts.minRepTimeMs,
    maxTimeMs: opts.maxRepTimeMs,
    coldOnlyAboveMs: opts.diffBudgetMs,
    onCold: (ms) => parentPort.postMessage({ type: 'cold', ms }),
  });
  const { texts, printedLength, native } = printAll(backend, m.result);
  parentPort.postMessage({
    type: 'result',
    diffMs: m.medianMs,
    diffMinMs: m.minMs,
    diffColdMs: m.coldMs,
    diffReps: m.reps,
    coldOnly: m.coldOnly,
    printedLength,
    native,
    partials: texts,
  });
} catch (e) {
  parentPort.postMessage({ type: 'error', message: String(e?.message ?? e) });
}
