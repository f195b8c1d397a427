// The graph examples of README.md, docs/graph.md, the issue and the TSDoc, run as written.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AdamOptimizer,
  Graph,
  initializers,
  Session,
  type Tensor,
  TensorValue,
} from '../../src/index.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'leibniz-docs-'));

function twoLayerData() {
  const xs = Float64Array.from({ length: 64 }, (_, i) => -2 + (4 * i) / 63);
  const ys = xs.map((v) => Math.tanh(-1.2 * Math.tanh(0.8 * v)));
  return { xs, ys };
}

describe('the issue and README', () => {
  it('the API walk-through', () => {
    const g = new Graph();
    const a = g.constant(1);
    const b = g.constant(2);
    const c = g.add(a, b);
    expect(String(c)).toBe('Tensor("Add:0", shape=[], dtype=float64)');
    const sess = new Session(g);
    expect(sess.run(c)).toBe(3);
    expect(sess.run([a, b, c])).toEqual([1, 2, 3]);
    expect(sess.run({ a, c })).toEqual({ a: 1, c: 3 });
    expect(c.eval(sess)).toBe(3);

    const x = g.placeholder('x', [null]);
    const y = g.placeholder('y', [null]);
    const w1 = g.variable('w1', [], { init: 0.5 });
    const w2 = g.variable('w2', [], { init: -0.3 });
    const L = g.reduceMean(g.square(g.sub(g.tanh(g.mul(w2, g.tanh(g.mul(w1, x)))), y)));
    const fromText = g.reduceMean(g.expr('(tanh(w2*tanh(w1*x)) - y)^2', { x, y, w1, w2 }));
    const trainOp = new AdamOptimizer({ learningRate: 0.01 }).minimize(L);
    sess.initialize();
    const { xs, ys } = twoLayerData();
    expect(sess.run(L, { x: xs, y: ys })).toBe(sess.run(fromText, { x: xs, y: ys }));
    const before = sess.run(L, { x: xs, y: ys }) as number;
    sess.run(trainOp, { x: xs, y: ys });
    sess.run(trainOp, { x: Array.from(xs), y: Array.from(ys) }); // number[] feeds too
    expect(sess.run(L, { x: xs, y: ys }) as number).toBeLessThan(before);
    const path = join(dir(), 'model.ckpt.json');
    sess.save(path);
    const restored = new Session(g);
    restored.restore(path);
    expect(restored.run([w1, w2])).toEqual(sess.run([w1, w2]));
    expect(restored.globalStep).toBe(2);
    const [d1, d2] = g.gradients(L, [w1, w2]);
    expect(restored.run([d1, d2], { x: xs, y: ys }).every(Number.isFinite)).toBe(true);
    expect(g.derivation(L, w1).toString()).toContain('∂(w1*x)/∂w1');
    expect(g.toDot()).toContain('digraph G');
  });

  it('README: training the lecture loss from text, the exact gradient printed', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null]);
    const y = g.placeholder('y', [null]);
    const w1 = g.variable('w1', [], { init: 0.5 });
    const w2 = g.variable('w2', [], { init: -0.3 });
    const L = g.reduceMean(g.expr('(tanh(w2*tanh(w1*x)) - y)^2', { x, y, w1, w2 }));
    const trainOp = new AdamOptimizer({ learningRate: 0.01 }).minimize(L);
    const { xs, ys } = twoLayerData();
    {
      using sess = new Session(g);
      sess.initialize();
      for (let step = 0; step < 500; step++) sess.run(trainOp, { x: xs, y: ys });
      sess.save(join(dir(), 'model.ckpt.json'));
      expect(sess.run(L, { x: xs, y: ys }) as number).toBeLessThan(1e-3);
    }
    expect(g.formula(g.gradients(L, w1)[0]).toString()).toMatch(
      /^Gradient(_\d+)? = Σ\d+\/`\|x\|`\nΣ\d+ = Σ over the batch of /,
    );
  });
});

describe('docs/graph.md', () => {
  it('the structure of training code (small)', () => {
    const g = new Graph({ seed: 3 });
    const x = g.placeholder('x', [null, 1]);
    const y = g.placeholder('y', [null, 1]);
    const dense = (input: Tensor, name: string, n: number, m: number, act: boolean) => {
      const W = g.variable(`${name}/W`, [n, m], { init: initializers.glorotUniform() });
      const b = g.variable(`${name}/b`, [m], { init: initializers.zeros() });
      const z = g.add(g.matmul(input, W), b);
      return act ? g.tanh(z) : z;
    };
    const out = dense(dense(dense(x, 'l1', 1, 8, true), 'l2', 8, 8, true), 'out', 8, 1, false);
    const loss = g.reduceMean(g.square(g.sub(out, y)));
    const trainOp = new AdamOptimizer({ learningRate: 0.01 }).minimize(loss);
    using sess = new Session(g);
    sess.initialize();
    const xs = Float64Array.from({ length: 128 }, (_, i) => -3 + (6 * i) / 127);
    const ys = xs.map(Math.sin);
    const h = sess.fit(trainOp, {
      data: { x: xs, y: ys },
      batchSize: 32,
      epochs: 40,
      progress: 'none',
    });
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0]);
    expect(sess.run(out, { x: xs })).toBeInstanceOf(TensorValue);
  });
});
