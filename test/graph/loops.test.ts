// The matrix-level path (matmul loop kernels) gives the values and exact gradients of the
// scalar expansion, through stacks of products, computed inputs, frozen weights, nested
// batch sums, and in training.
import { describe, expect, it } from 'vitest';
import { AdamOptimizer, Graph, type MatmulKernel, Session, type Tensor } from '../../src/index.js';
import { asArray, randomValue, rng, worstError } from './reference.js';

/** A 3-layer net whose products use `kernel`; returns its tensors. */
function net(kernel: MatmulKernel) {
  const g = new Graph({ seed: 12 });
  const x = g.placeholder('x', [null, 5]);
  const y = g.placeholder('y', [null, 3]);
  const W0 = g.variable('W0', [5, 4]);
  const b0 = g.variable('b0', [4], { init: 0.1 });
  const W1 = g.variable('W1', [4, 4]);
  const W2 = g.variable('W2', [4, 3]);
  const frozen = g.variable('frozen', [4, 4], { trainable: false });
  const h0 = g.tanh(g.add(g.matmul(x, W0, { kernel }), b0));
  const lin = g.matmul(g.matmul(h0, W1, { kernel }), frozen, { kernel }); // a product of a product
  const h1 = g.sigmoid(lin);
  const logits = g.matmul(h1, W2, { kernel });
  const ce = g.reduceMean(g.softmaxCrossEntropy(y, logits));
  // A batch-normalised activation: nested batch sums that read a product.
  const mean = g.reduceMean(lin, 0);
  const sd = g.sqrt(g.add(g.reduceMean(g.square(g.sub(lin, mean)), 0), 0.5));
  const bn = g.reduceMean(g.square(g.div(g.sub(lin, mean), sd)));
  const loss = g.add(ce, g.mul(0.1, bn));
  return { g, x, y, logits, loss, ce, vars: [W0, b0, W1, W2] as Tensor[] };
}

function feeds(n: number) {
  const next = rng(n);
  return { x: randomValue([n, 5], next), y: randomValue([n, 3], next, 0, 1) };
}

describe('matmul loop kernels', () => {
  it('give the values and gradients of the scalar expansion', () => {
    const results = (['expand', 'loop'] as const).map((kernel) => {
      const { g, logits, loss, ce, vars } = net(kernel);
      const sess = new Session(g);
      sess.initialize();
      const grads = [...g.gradients(loss, vars), ...g.gradients(ce, vars)];
      return [5, 2].map((n) => sess.run([logits, loss, ...grads], feeds(n)).map(asArray));
    });
    results[0].forEach((perN, i) => {
      perN.forEach((want, k) => {
        expect(worstError(results[1][i][k], want), `fetch ${k}`).toBeLessThan(1e-13);
      });
    });
  });

  it('gradients by placeholders and second derivatives see through the loops', () => {
    const results = (['expand', 'loop'] as const).map((kernel) => {
      const { g, x, loss, vars } = net(kernel);
      const [dx] = g.gradients(loss, x);
      const [H] = g.hessians(loss, vars[1]);
      const sess = new Session(g);
      sess.initialize();
      return sess.run([dx, H], feeds(3)).map(asArray);
    });
    results[0].forEach((want, k) => {
      expect(worstError(results[1][k], want)).toBeLessThan(1e-12);
    });
  });

  it('train to the same weights as the scalar expansion', () => {
    const weights = (['expand', 'loop'] as const).map((kernel) => {
      const { g, loss, vars } = net(kernel);
      const train = new AdamOptimizer({ learningRate: 0.05 }).minimize(loss);
      const sess = new Session(g);
      sess.initialize();
      for (let i = 0; i < 10; i++) sess.run(train, feeds(4 + (i % 3)));
      return vars.map((v: Tensor) => asArray(sess.run(v)));
    });
    weights[0].forEach((w, i) => {
      expect(worstError(weights[1][i], w)).toBeLessThan(1e-12);
    });
  });

  it('route per-sample partials of products read together or in part', () => {
    // One kernel reads two products (Z1 + Z2), and a mask leaves columns of a third unread.
    const results = (['expand', 'loop'] as const).map((kernel) => {
      const g = new Graph({ seed: 5 });
      const x = g.placeholder('x', [null, 3]);
      const [W1, W2] = ['W1', 'W2'].map((name) => g.variable(name, [3, 4]));
      const W3 = g.variable('W3', [4, 4]);
      const h = g.tanh(g.add(g.matmul(x, W1, { kernel }), g.matmul(x, W2, { kernel })));
      const masked = g.mul(g.matmul(h, W3, { kernel }), g.constant([1, 0, 2, 0]));
      const loss = g.reduceMean(g.square(g.sigmoid(masked)));
      const sess = new Session(g);
      sess.initialize();
      const grads = g.gradients(loss, [W1, W2, W3, x]);
      return sess.run([loss, ...grads], { x: randomValue([4, 3], rng(7)) }).map(asArray);
    });
    results[0].forEach((want, k) => {
      expect(worstError(results[1][k], want), `fetch ${k}`).toBeLessThan(1e-13);
    });
  });

  it('is chosen automatically for large weight matrices, and prints as a product', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 128]);
    const W = g.variable('W', [128, 32]);
    const z = g.matmul(x, W);
    const f = g.formula(g.reduceSum(z));
    expect(f.toString()).toContain('MatMul[sample] = x·W');
    expect(g.formula(g.matmul(x, g.variable('V', [128, 4]))).toString()).toContain(
      '`V[0,0]`*`x[0]`',
    );
  });
});
