/**
 * Example 3: an MLP (1-32-32-1, tanh) fitting a noisy sine, trained with Adam over seeded
 * mini-batches. Halfway it saves a checkpoint; a new session restores it and continues.
 *
 *   npm run example -- sine-mlp
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdamOptimizer, Graph, initializers, Random, Session, type Tensor } from '../src/index.js';

/** Options (defaults: the full run). */
export interface SineOptions {
  readonly samples?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly hidden?: number;
  readonly checkpointDir?: string;
  readonly log?: (line: string) => void;
}

/** Noisy samples of sin(x) on [−π, π]. */
export function sineData(n: number, seed: string): { x: Float64Array; y: Float64Array } {
  const rng = new Random(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.PI * (2 * rng.uniform() - 1);
    y[i] = Math.sin(x[i]) + 0.05 * rng.normal();
  }
  return { x, y };
}

/** The model: placeholders, a 1-h-h-1 tanh network, the mean squared error, an optimizer. */
export function sineModel(hidden = 32, learningRate = 0.01) {
  const g = new Graph({ seed: 3 });
  // 1. Assemble the graph: placeholders, the network, the loss, the optimizer.
  const x = g.placeholder('x', [null, 1]);
  const y = g.placeholder('y', [null, 1]);
  const dense = (input: Tensor, name: string, n: number, m: number, act: boolean): Tensor => {
    const W = g.variable(`${name}/W`, [n, m], { init: initializers.glorotUniform() });
    const b = g.variable(`${name}/b`, [m], { init: initializers.zeros() });
    const z = g.add(g.matmul(input, W), b);
    return act ? g.tanh(z) : z;
  };
  const h1 = dense(x, 'layer1', 1, hidden, true);
  const h2 = dense(h1, 'layer2', hidden, hidden, true);
  const prediction = dense(h2, 'output', hidden, 1, false);
  const loss = g.reduceMean(g.square(g.sub(prediction, y)));
  const trainOp = new AdamOptimizer({ learningRate }).minimize(loss);
  return { g, x, y, prediction, loss, trainOp };
}

/** Trains, checkpoints halfway, restores into a new session, finishes; returns the metrics. */
export function run(options: SineOptions = {}) {
  const samples = options.samples ?? 2048;
  const epochs = options.epochs ?? 300;
  const batchSize = options.batchSize ?? 64;
  const log = options.log ?? (() => {});
  const dir = options.checkpointDir ?? mkdtempSync(join(tmpdir(), 'leibniz-sine-'));
  const checkpoint = join(dir, 'sine.ckpt.json');
  const train = sineData(samples, 'sine train');
  const test = sineData(1024, 'sine test');
  const { g, loss, trainOp } = sineModel(options.hidden ?? 32);

  // 2. Train in a session: initialise, run the optimizer over batches, save.
  const first = Math.floor(epochs / 2);
  let lossAtSave: number;
  {
    using sess = new Session(g);
    sess.initialize();
    const history = sess.fit(trainOp, {
      data: { x: train.x, y: train.y },
      batchSize,
      epochs: first,
      seed: 7,
      progress: 'none',
    });
    lossAtSave = history.loss.at(-1) ?? Number.NaN;
    sess.save(checkpoint);
    log(`epoch ${first}: training loss ${lossAtSave.toFixed(5)}; saved ${checkpoint}`);
  }
  // A new session restores the checkpoint (variables, Adam's slots, the step) and continues.
  using sess = new Session(g);
  sess.restore(checkpoint);
  const history = sess.fit(trainOp, {
    data: { x: train.x, y: train.y },
    batchSize,
    epochs: epochs - first,
    initialEpoch: first,
    seed: 7,
    progress: options.log ? 'auto' : 'none',
    stream: options.log ? undefined : { write: () => true },
  });
  const testMse = sess.run(loss, { x: test.x, y: test.y }) as number;
  log(`epoch ${epochs}: training loss ${(history.loss.at(-1) ?? Number.NaN).toFixed(5)}`);
  log(`held-out MSE ${testMse.toFixed(5)} (noise variance 0.0025; target < 0.01)`);
  return {
    testMse,
    trainLoss: history.loss.at(-1) ?? Number.NaN,
    lossAtSave,
    steps: sess.globalStep,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const result = run({ log: console.log });
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s, ${result.steps} steps`);
}
