// Graphs and training (issue 10): epoch time of the examples' models — the 1-32-32-1 tanh
// sine MLP and the 2-16-16-2 ReLU spiral classifier, batch 64 and 1024 — trained with Adam
// by Leibniz (Graph + Session, float64), a hand-written float64 JS loop, and TensorFlow.js
// on its `cpu` and `wasm` backends (float32), all from the same initial weights, data and
// batch order. Then the scale question: a 784-H-10 softmax network on seeded synthetic data,
// time to first step (in a fresh process: compilation included) and epoch time, as the
// input width grows — where scalar expansion stops paying.
// Targets: Leibniz ≥ 3× faster than tfjs-cpu, faster than tfjs-wasm, ≤ 1.25× hand-written.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, toMarkdownTable } from '../lib/measure.mjs';
import { handwrittenTrainer, tfjsTrainer } from '../lib/mlp-train.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The models of examples 3 and 4, and the synthetic scale models. */
export const MODELS = {
  sine: { sizes: [1, 32, 32, 1], activation: 'tanh', loss: 'mse' },
  spiral: { sizes: [2, 16, 16, 2], activation: 'relu', loss: 'softmax-ce' },
};
const scaleModel = (inputs, hidden = 64) => ({
  sizes: [inputs, hidden, 10],
  activation: 'tanh',
  loss: 'softmax-ce',
});

async function leibniz() {
  return import('../../dist/index.js');
}

/** Seeded data for a model: sine and spiral as in the examples, else synthetic classes. */
export function dataFor(L, name, spec, n) {
  const rng = new L.Random(`bench ${name}`);
  const [d0] = spec.sizes;
  const dL = spec.sizes.at(-1);
  const x = new Float64Array(n * d0);
  const y = new Float64Array(n * dL);
  for (let i = 0; i < n; i++) {
    if (name === 'sine') {
      x[i] = Math.PI * (2 * rng.uniform() - 1);
      y[i] = Math.sin(x[i]) + 0.05 * rng.normal();
    } else if (name === 'spiral') {
      const c = i % 2;
      const r = 0.1 + 0.9 * rng.uniform();
      const t = 3 * Math.PI * r + c * Math.PI;
      x[2 * i] = r * Math.cos(t) + 0.05 * rng.normal();
      x[2 * i + 1] = r * Math.sin(t) + 0.05 * rng.normal();
      y[2 * i + c] = 1;
    } else {
      // Synthetic "images": class c lights up its own band of pixels, plus noise.
      const c = i % dL;
      for (let j = 0; j < d0; j++) {
        x[i * d0 + j] = 0.5 * rng.uniform() + (Math.floor((j * dL) / d0) === c ? 0.5 : 0);
      }
      y[i * dL + c] = 1;
    }
  }
  return { x, y };
}

/** The Leibniz model: the same network as the examples, built with the graph API. */
export function leibnizModel(L, spec, learningRate = 0.01, kernel = 'auto') {
  const g = new L.Graph({ seed: 42 });
  const { sizes } = spec;
  const x = g.placeholder('x', [null, sizes[0]]);
  const y = g.placeholder('y', [null, sizes.at(-1)]);
  let h = x;
  const vars = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const W = g.variable(`W${l}`, [sizes[l], sizes[l + 1]], {
      init: L.initializers.glorotUniform(),
    });
    const b = g.variable(`b${l}`, [sizes[l + 1]], { init: L.initializers.zeros() });
    vars.push(W, b);
    const z = g.add(g.matmul(h, W, { kernel }), b);
    h = l + 2 < sizes.length ? (spec.activation === 'relu' ? g.relu(z) : g.tanh(z)) : z;
  }
  const loss =
    spec.loss === 'mse'
      ? g.reduceMean(g.square(g.sub(h, y)))
      : g.reduceMean(g.softmaxCrossEntropy(y, h));
  const trainOp = new L.AdamOptimizer({ learningRate }).minimize(loss);
  return { g, loss, trainOp, vars };
}

/** Batches as feeds (views, no copies) for Leibniz and the hand-written loop. */
function batchesOf(spec, data, n, size) {
  const [d0] = spec.sizes;
  const dL = spec.sizes.at(-1);
  const out = [];
  for (let s = 0; s < n; s += size) {
    const m = Math.min(size, n - s);
    out.push({
      n: m,
      x: data.x.subarray(s * d0, (s + m) * d0),
      y: data.y.subarray(s * dL, (s + m) * dL),
    });
  }
  return out;
}

let tf;
let wasmReady = false;
async function tfjs(backend) {
  if (tf === undefined) {
    tf = await import('@tensorflow/tfjs');
    tf.enableProdMode();
  }
  if (backend === 'wasm' && !wasmReady) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(`${join(dir, 'dist')}/`);
    wasmReady = true;
  }
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

/**
 * The contenders for one model and batch size, each with `epoch()` (one pass over the
 * batches) and `activate()` (selects its tfjs backend). All start from Leibniz's initial
 * weights.
 */
async function contenders(L, name, spec, samples, batchSize, which) {
  const kernels = { leibniz: 'auto', 'leibniz-expand': 'expand', 'leibniz-loop': 'loop' };
  const data = dataFor(L, name, spec, samples);
  const batches = batchesOf(spec, data, samples, batchSize);
  let weights;
  const out = [];
  for (const [contender, kernel] of Object.entries(kernels)) {
    if (!which.includes(contender) && weights !== undefined) continue;
    const model = leibnizModel(L, spec, 0.01, kernel);
    const sess = new L.Session(model.g);
    sess.initialize();
    weights ??= model.vars.map((v) => Float64Array.from(sess.run(v).data));
    if (!which.includes(contender)) continue;
    const feeds = batches.map((b) => ({ x: b.x, y: b.y }));
    const fetch = [model.trainOp, model.loss];
    out.push({
      name: contender,
      activate: async () => {},
      epoch: () => {
        let total = 0;
        for (let k = 0; k < feeds.length; k++) total += sess.run(fetch, feeds[k])[1] * batches[k].n;
        return total / samples;
      },
    });
  }
  if (which.includes('hand')) {
    const hand = handwrittenTrainer(spec, weights);
    out.push({
      name: 'hand-written',
      activate: async () => {},
      epoch: () => {
        let total = 0;
        for (const b of batches) total += hand.step(b.x, b.y, b.n) * b.n;
        return total / samples;
      },
    });
  }
  for (const backend of ['cpu', 'wasm']) {
    if (!which.includes(`tfjs-${backend}`)) continue;
    const t = await tfjs(backend);
    const trainer = tfjsTrainer(t, spec, weights);
    const tb = batches.map((b) => ({ ...trainer.batch(b.x, b.y, b.n), n: b.n }));
    out.push({
      name: `tfjs-${backend}`,
      activate: () => tfjs(backend),
      epoch: () => {
        let total = 0;
        for (const b of tb) total += trainer.step(b) * b.n;
        return total / samples;
      },
    });
  }
  return out;
}

/**
 * Interleaved rounds (A B C A B C …, each one epoch or more ≥ 20 ms) after warm-up epochs;
 * the median epoch time per contender, and its first epoch's mean loss (a check that all
 * contenders train the same model).
 */
async function interleave(cs, { warm = 3, warmMs = 0, rounds = 7, maxMs = 20000 } = {}) {
  const res = new Map(cs.map((c) => [c.name, { samples: [], loss: Number.NaN, reps: 1 }]));
  for (const c of cs) {
    await c.activate();
    const t0 = performance.now();
    // The first epoch's loss: every contender starts from the same weights, so they agree.
    res.get(c.name).loss = c.epoch();
    // At least `warm` epochs and `warmMs`: V8 optimises large functions on background
    // threads, and a contender timed alone must not be timed before that is done.
    let epochs = 1;
    let last = performance.now();
    let per = last - t0;
    while (epochs < warm || last - t0 < warmMs) {
      c.epoch();
      epochs++;
      const now = performance.now();
      per = now - last;
      last = now;
    }
    res.get(c.name).reps = Math.max(1, Math.ceil(20 / Math.max(per, 0.01)));
  }
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const c of cs) {
      await c.activate();
      const s = res.get(c.name);
      const t0 = performance.now();
      for (let k = 0; k < s.reps; k++) c.epoch();
      s.samples.push((performance.now() - t0) / s.reps);
    }
    if (performance.now() - started > maxMs && r >= 2) break;
  }
  return new Map(
    [...res].map(([k, s]) => [k, { ms: median(s.samples), loss: s.loss, n: s.samples.length }]),
  );
}

/** Time to first step of a contender in a fresh process (includes compiling / backend setup). */
function firstStep(model, contender, batchSize, inputs, kernel = 'auto') {
  const script = join(here, '..', 'lib', 'graph-first-step.mjs');
  const out = execFileSync(
    process.execPath,
    [script, model, contender, String(batchSize), String(inputs ?? 0), kernel],
    { encoding: 'utf8', cwd: join(here, '..'), timeout: 600_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** Epoch time of a Leibniz scale model in a fresh process (lib/graph-epoch.mjs). */
function scaleEpoch(inputs, kernel, batchSize, samples) {
  const script = join(here, '..', 'lib', 'graph-epoch.mjs');
  const out = execFileSync(
    process.execPath,
    [script, String(inputs), kernel, String(batchSize), String(samples)],
    { encoding: 'utf8', cwd: join(here, '..'), timeout: 900_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

const ratioCell = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? `${fmt(a / b, 3)}×` : '—');

export async function run() {
  const L = await leibniz();
  const sections = ['## Graphs and training (issue 10)', ''];
  sections.push(
    "Epoch time (median of interleaved rounds, after warm-up) for the examples' models trained",
    'with Adam from the same initial weights, data (4,096 samples) and batch order. Leibniz and',
    "the hand-written loop compute in float64; tfjs in float32. Ratios are Leibniz's speed-up",
    '(peer time / Leibniz time; > 1 means Leibniz is faster) and Leibniz / hand-written.',
    '',
  );
  const rows = [];
  const all = ['leibniz', 'hand', 'tfjs-cpu', 'tfjs-wasm'];
  for (const name of ['sine', 'spiral']) {
    for (const batchSize of [64, 1024]) {
      const cs = await contenders(L, name, MODELS[name], 4096, batchSize, all);
      const r = await interleave(cs, { warmMs: 1000, rounds: batchSize === 64 ? 9 : 7 });
      const lz = r.get('leibniz').ms;
      rows.push([
        `${name} ${MODELS[name].sizes.join('-')}`,
        String(batchSize),
        fmt(lz),
        fmt(r.get('hand-written').ms),
        fmt(r.get('tfjs-cpu').ms),
        fmt(r.get('tfjs-wasm').ms),
        ratioCell(r.get('tfjs-cpu').ms, lz),
        ratioCell(r.get('tfjs-wasm').ms, lz),
        ratioCell(lz, r.get('hand-written').ms),
        [...r.values()].map((v) => fmt(v.loss, 3)).join(' / '),
      ]);
      console.error(`  ${name} batch ${batchSize}: ${rows.at(-1).join(' | ')}`);
    }
  }
  sections.push(
    toMarkdownTable(
      [
        'model',
        'batch',
        'Leibniz ms',
        'hand ms',
        'tfjs-cpu ms',
        'tfjs-wasm ms',
        'vs tfjs-cpu',
        'vs tfjs-wasm',
        'Leibniz / hand',
        'first epoch loss (L / hand / cpu / wasm)',
      ],
      rows,
    ),
  );

  // Time to first step (fresh process each) for the examples' models.
  const first = [];
  for (const name of ['sine', 'spiral']) {
    const lz = firstStep(name, 'leibniz', 64);
    const cpu = firstStep(name, 'tfjs-cpu', 64);
    const wasm = firstStep(name, 'tfjs-wasm', 64);
    first.push([name, fmt(lz.firstMs), fmt(lz.compileMs), fmt(cpu.firstMs), fmt(wasm.firstMs)]);
  }
  sections.push(
    '',
    'Time to first step (fresh process; graph, session, initialisation, compilation, one step):',
    '',
    toMarkdownTable(
      ['model', 'Leibniz ms', 'of which compiling', 'tfjs-cpu ms', 'tfjs-wasm ms'],
      first,
    ),
  );

  // Scale: 784-64-10 and narrower inputs, products written out (SX) or in loops (MX).
  const scaleRows = [];
  for (const inputs of [16, 64, 196, 784]) {
    const spec = scaleModel(inputs);
    const name = `scale${inputs}`;
    const sxFirst = firstStep('scale', 'leibniz', 64, inputs, 'expand');
    const mxFirst = firstStep('scale', 'leibniz', 64, inputs, 'loop');
    const wasmFirst = firstStep('scale', 'tfjs-wasm', 64, inputs);
    // The scalar expansion in a process of its own (see lib/graph-epoch.mjs), then the others.
    const sx = scaleEpoch(inputs, 'expand', 64, 1024).ms;
    const cs = await contenders(L, name, spec, 1024, 64, ['leibniz-loop', 'hand', 'tfjs-wasm']);
    const r = await interleave(cs, { warmMs: 2000, rounds: 5, maxMs: 40000 });
    const mx = r.get('leibniz-loop').ms;
    const wasm = r.get('tfjs-wasm').ms;
    scaleRows.push([
      spec.sizes.join('-'),
      `${fmt(sxFirst.firstMs)} / ${fmt(mxFirst.firstMs)}`,
      `${fmt(sxFirst.sourceKB)} / ${fmt(mxFirst.sourceKB)}`,
      fmt(wasmFirst.firstMs),
      `${fmt(sx)} / ${fmt(mx)}`,
      fmt(r.get('hand-written').ms),
      fmt(wasm),
      `${ratioCell(wasm, sx)} / ${ratioCell(wasm, mx)}`,
      `${ratioCell(sx, r.get('hand-written').ms)} / ${ratioCell(mx, r.get('hand-written').ms)}`,
    ]);
    console.error(`  scale ${inputs}: ${scaleRows.at(-1).join(' | ')}`);
  }
  sections.push(
    '',
    'Scale: softmax networks D-64-10 (tanh) on 1,024 synthetic samples, batch 64, with the',
    "first layer's product written out per sample (SX, `kernel: 'expand'`) or multiplied in a",
    "loop kernel (MX, `kernel: 'loop'`; `'auto'` picks it from 4,096 weights). First step in a",
    'fresh process; epoch time as above, the SX epoch in a process of its own (V8 optimises its',
    'megabytes of code on background threads, which would slow whatever runs beside it).',
    '"kernel KB" is the generated source of the plan.',
    '',
    toMarkdownTable(
      [
        'network',
        'Leibniz first step ms (SX / MX)',
        'kernel KB (SX / MX)',
        'tfjs-wasm first step ms',
        'Leibniz epoch ms (SX / MX)',
        'hand epoch ms',
        'tfjs-wasm epoch ms',
        'vs tfjs-wasm (SX / MX)',
        'Leibniz / hand (SX / MX)',
      ],
      scaleRows,
    ),
  );
  return sections.join('\n');
}

export { batchesOf, contenders, interleave, leibniz, scaleModel, tfjs };
