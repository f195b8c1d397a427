/**
 * Example 2: the lecture's two-layer loss L(w1, w2) = (tanh(w2·tanh(w1·x)) − y)², fitted on
 * generated data, with its chain-rule derivation printed. The loss is written once as ops
 * and once as text (`g.expr`); both give the same exact gradient. Halfway through, a
 * checkpoint is saved and a new session restores it and continues.
 *
 *   npm run example -- two-layer
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GradientDescentOptimizer, Graph, Random, Session } from '../src/index.js';

/** Data from w1 = 0.8, w2 = −1.5 with a little noise. */
export function twoLayerData(n: number, seed: string): { x: Float64Array; y: Float64Array } {
  const rng = new Random(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 4 * rng.uniform() - 2;
    y[i] = Math.tanh(-1.5 * Math.tanh(0.8 * x[i])) + 0.01 * rng.normal();
  }
  return { x, y };
}

/** Runs the example; returns the fitted weights and losses. */
export function run(
  options: { steps?: number; log?: (line: string) => void; checkpointDir?: string } = {},
) {
  const steps = options.steps ?? 2000;
  const log = options.log ?? (() => {});
  const g = new Graph();
  const x = g.placeholder('x', [null]);
  const y = g.placeholder('y', [null]);
  const w1 = g.variable('w1', [], { init: 0.5 });
  const w2 = g.variable('w2', [], { init: -0.3 });
  // The per-sample loss, built from ops …
  const perSample = g.square(g.sub(g.tanh(g.mul(w2, g.tanh(g.mul(w1, x)))), y));
  // … or from text: the same expression, the same exact derivatives.
  const fromText = g.expr('(tanh(w2*tanh(w1*x)) - y)^2', { x, y, w1, w2 });
  const L = g.reduceMean(perSample);
  const L2 = g.reduceMean(fromText);

  log(g.derivation(L, w1, { name: 'L' }).toString());
  log('');
  log(g.derivation(L, w2, { name: 'L' }).toString());
  log('');
  const [dw1, dw2] = g.gradients(L, [w1, w2]);
  log(g.formula(dw1).toString());

  const trainOp = new GradientDescentOptimizer({ learningRate: 0.5 }).minimize(L);
  const data = twoLayerData(256, 'two-layer');
  const feeds = { x: data.x, y: data.y };
  const dir = options.checkpointDir ?? mkdtempSync(join(tmpdir(), 'leibniz-two-layer-'));
  const path = join(dir, 'two-layer.ckpt.json');
  const half = Math.floor(steps / 2);
  let initialLoss: number;
  let sameGradient: boolean;
  {
    using sess = new Session(g);
    sess.initialize();
    initialLoss = sess.run(L, feeds) as number;
    const [a1, a2, b1, b2] = sess.run([dw1, dw2, ...g.gradients(L2, [w1, w2])], feeds);
    sameGradient = a1 === b1 && a2 === b2;
    for (let i = 0; i < half; i++) sess.run(trainOp, feeds);
    sess.save(path);
    log(`step ${sess.globalStep}: L = ${(sess.run(L, feeds) as number).toExponential(3)}; saved`);
  }
  using sess = new Session(g);
  sess.restore(path);
  for (let i = half; i < steps; i++) sess.run(trainOp, feeds);
  const [loss, fw1, fw2] = sess.run([L, w1, w2], feeds) as number[];
  log(
    `step ${sess.globalStep}: L = ${loss.toExponential(3)}, w1 = ${fw1.toFixed(4)}, w2 = ${fw2.toFixed(4)} (data from 0.8, −1.5)`,
  );
  return { initialLoss, loss, w1: fw1, w2: fw2, sameGradient, steps: sess.globalStep };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run({ log: console.log });
}
