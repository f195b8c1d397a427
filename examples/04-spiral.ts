/**
 * Example 4: two interleaved spirals, classified by a 2-16-16-2 ReLU network with a
 * softmax cross-entropy loss (Adam, seeded mini-batches). Halfway it saves a checkpoint;
 * a new session restores it and continues.
 *
 *   npm run example -- spiral
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AdamOptimizer,
  Graph,
  initializers,
  Random,
  Session,
  type Tensor,
  type TensorValue,
} from '../src/index.js';

/** Options (defaults: the full run). */
export interface SpiralOptions {
  readonly samples?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly hidden?: number;
  readonly checkpointDir?: string;
  readonly log?: (line: string) => void;
}

/**
 * `n` points of two spirals (class 0 and 1, alternating), radius 0.1–1, 1.5 turns each,
 * with Gaussian noise (σ = 0.05); features [n, 2], one-hot labels [n, 2].
 */
export function spiralData(n: number, seed: string): { x: Float64Array; y: Float64Array } {
  const rng = new Random(seed);
  const x = new Float64Array(2 * n);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const r = 0.1 + 0.9 * rng.uniform();
    const t = 3 * Math.PI * r + c * Math.PI;
    x[2 * i] = r * Math.cos(t) + 0.05 * rng.normal();
    x[2 * i + 1] = r * Math.sin(t) + 0.05 * rng.normal();
    y[2 * i + c] = 1;
  }
  return { x, y };
}

/** The model: a 2-h-h-2 ReLU network, its logits, the mean cross-entropy, Adam. */
export function spiralModel(hidden = 16, learningRate = 0.01) {
  const g = new Graph({ seed: 4 });
  const x = g.placeholder('x', [null, 2]);
  const y = g.placeholder('y', [null, 2]);
  const dense = (input: Tensor, name: string, n: number, m: number, act: boolean): Tensor => {
    const W = g.variable(`${name}/W`, [n, m], { init: initializers.glorotUniform() });
    const b = g.variable(`${name}/b`, [m], { init: initializers.zeros() });
    const z = g.add(g.matmul(input, W), b);
    return act ? g.relu(z) : z;
  };
  const h1 = dense(x, 'layer1', 2, hidden, true);
  const h2 = dense(h1, 'layer2', hidden, hidden, true);
  const logits = dense(h2, 'output', hidden, 2, false);
  const loss = g.reduceMean(g.softmaxCrossEntropy(y, logits));
  const probabilities = g.softmax(logits);
  const trainOp = new AdamOptimizer({ learningRate }).minimize(loss);
  return { g, x, y, logits, probabilities, loss, trainOp };
}

/** Fraction of samples whose largest probability is at the labelled class. */
export function accuracy(probabilities: TensorValue, labels: Float64Array): number {
  const n = probabilities.shape[0];
  let right = 0;
  for (let i = 0; i < n; i++) {
    const predicted = probabilities.data[2 * i + 1] > probabilities.data[2 * i] ? 1 : 0;
    if (labels[2 * i + predicted] === 1) right++;
  }
  return right / n;
}

/** Trains, checkpoints halfway, restores into a new session, finishes; returns the metrics. */
export function run(options: SpiralOptions = {}) {
  const samples = options.samples ?? 2000;
  const epochs = options.epochs ?? 300;
  const batchSize = options.batchSize ?? 64;
  const log = options.log ?? (() => {});
  const dir = options.checkpointDir ?? mkdtempSync(join(tmpdir(), 'leibniz-spiral-'));
  const checkpoint = join(dir, 'spiral.ckpt.json');
  const train = spiralData(samples, 'spiral train');
  const test = spiralData(1000, 'spiral test');
  const { g, loss, probabilities, trainOp } = spiralModel(options.hidden ?? 16);
  const first = Math.floor(epochs / 2);
  {
    using sess = new Session(g);
    sess.initialize();
    sess.fit(trainOp, {
      data: { x: train.x, y: train.y },
      batchSize,
      epochs: first,
      seed: 11,
      progress: 'none',
    });
    sess.save(checkpoint);
    log(`epoch ${first}: saved ${checkpoint}`);
  }
  using sess = new Session(g);
  sess.restore(checkpoint);
  const history = sess.fit(trainOp, {
    data: { x: train.x, y: train.y },
    batchSize,
    epochs: epochs - first,
    initialEpoch: first,
    seed: 11,
    progress: options.log ? 'auto' : 'none',
  });
  const [testLoss, p] = sess.run([loss, probabilities], { x: test.x, y: test.y });
  const testAccuracy = accuracy(p as TensorValue, test.y);
  log(
    `held-out cross-entropy ${(testLoss as number).toFixed(4)}, accuracy ${(100 * testAccuracy).toFixed(1)}% (target ≥ 95%)`,
  );
  return {
    testAccuracy,
    testLoss: testLoss as number,
    trainLoss: history.loss.at(-1) ?? Number.NaN,
    steps: sess.globalStep,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const result = run({ log: console.log });
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s, ${result.steps} steps`);
}
