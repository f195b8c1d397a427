// Exact gradients against central differences of the tensor-level reference, for losses
// that take each path of the plan: one pass (affine in batch sums), several stages (nested
// batch sums), non-affine losses, several batches, gradients by placeholders, concrete
// expansion; and second derivatives (Hessians, gradients of gradients).
import { describe, expect, it } from 'vitest';
import { Graph, Session, type Tensor } from '../../src/index.js';
import { centralDifference } from '../fd.js';
import {
  asArray,
  randomFeeds,
  randomValue,
  referenceRun,
  rng,
  type Value,
  variableValues,
  worstError,
} from './reference.js';

/** Central differences of the reference loss by every element of `v`. */
function differences(
  loss: Tensor,
  v: Tensor,
  feeds: Record<string, Value>,
  vars: Record<string, Value>,
): Float64Array {
  const base = vars[v.name].data;
  return base.map((x0, i) =>
    centralDifference((t) => {
      const data = Float64Array.from(base);
      data[i] = t;
      const r = referenceRun(loss, feeds, {
        ...vars,
        [v.name]: { shape: vars[v.name].shape, data },
      });
      return r.data[0];
    }, x0),
  );
}

/** Checks g.gradients(loss, variables) against differences, at two batch sizes. */
function checkGradients(
  g: Graph,
  loss: Tensor,
  feedsAt: (n: number) => Record<string, Value>,
  sizes = [6, 3],
): Session {
  const sess = new Session(g);
  sess.initialize();
  const vars = variableValues(sess, g);
  const variables = g.trainableVariables();
  const grads = g.gradients(loss, variables);
  for (const n of sizes) {
    const feeds = feedsAt(n);
    const got = sess.run(grads, feeds);
    variables.forEach((v, k) => {
      const fd = differences(loss, v, feeds, vars);
      expect(worstError(asArray(got[k]), fd), `∂${loss.name}/∂${v.name} at n=${n}`).toBeLessThan(
        2e-7,
      );
    });
  }
  return sess;
}

const batch =
  (g: Graph, seed: number) =>
  (n: number): Record<string, Value> =>
    randomFeeds(g, n, seed + n);

function mlp(g: Graph, x: Tensor, sizes: number[], act: (t: Tensor) => Tensor): Tensor {
  let h = x;
  sizes.slice(1).forEach((m, i) => {
    const W = g.variable(`W${i}`, [sizes[i], m]);
    const b = g.variable(`b${i}`, [m], { init: 0.1 * (i + 1) });
    const z = g.add(g.matmul(h, W), b);
    h = i < sizes.length - 2 ? act(z) : z;
  });
  return h;
}

describe('gradients', () => {
  it('mean squared error of a tanh MLP (one pass over the batch)', () => {
    const g = new Graph({ seed: 1 });
    const x = g.placeholder('x', [null, 2]);
    const y = g.placeholder('y', [null, 1]);
    const out = mlp(g, x, [2, 4, 3, 1], (t) => g.tanh(t));
    const L = g.reduceMean(g.square(g.sub(out, y)));
    checkGradients(g, L, batch(g, 1));
  });

  it('softmax cross-entropy of a sigmoid network, with an L2 penalty', () => {
    const g = new Graph({ seed: 2 });
    const x = g.placeholder('x', [null, 3]);
    const y = g.placeholder('y', [null, 3]);
    const logits = mlp(g, x, [3, 4, 3], (t) => g.sigmoid(t));
    const penalty = g.mul(0.01, g.reduceSum(g.square(g.variables()[0])));
    const L = g.add(g.reduceMean(g.softmaxCrossEntropy(g.softmax(y), logits)), penalty);
    checkGradients(g, L, batch(g, 2));
  });

  it('a loss that is not affine in its batch sums (log of a mean)', () => {
    const g = new Graph({ seed: 3 });
    const x = g.placeholder('x', [null, 2]);
    const w = g.variable('w', [2, 1]);
    const L = g.log(g.add(g.reduceMean(g.square(g.matmul(x, w))), 1));
    checkGradients(g, L, batch(g, 3));
  });

  it('nested batch sums (standardising by the batch mean and deviation)', () => {
    const g = new Graph({ seed: 4 });
    const x = g.placeholder('x', [null, 2]);
    const w = g.variable('w', [2, 2]);
    const z = g.matmul(x, w);
    const mean = g.reduceMean(z, 0);
    const centred = g.sub(z, mean);
    const sd = g.sqrt(g.add(g.reduceMean(g.square(centred), 0), 0.1));
    const L = g.reduceSum(g.square(g.tanh(g.div(centred, sd))));
    checkGradients(g, L, batch(g, 4));
  });

  it('sums over two batches of different sizes, and a contraction over the batch', () => {
    const g = new Graph({ seed: 5 });
    const x = g.placeholder('x', [null, 2]);
    const z = g.placeholder('z', [null, 2]);
    const w = g.variable('w', [2, 2]);
    const gram = g.matmul(g.matmul(x, w), x, { transposeA: true }); // (xw)ᵀx
    const L = g.add(
      g.mul(g.reduceMean(g.tanh(g.matmul(x, w))), g.reduceSum(g.sin(g.matmul(z, w)))),
      g.reduceSum(g.square(gram)),
    );
    const sess = checkGradients(g, L, (n) => {
      const next = rng(n);
      return { x: randomValue([n, 2], next), z: randomValue([n + 2, 2], next) };
    });
    expect(sess.stats.plans).toBe(2); // gradients, and the variables read for the check
  });

  it('does not separate per sample: concrete expansion, still exact', () => {
    const g = new Graph({ seed: 6 });
    const x = g.placeholder('x', [null, 2]);
    const w = g.variable('w', [2, 2]);
    const L = g.reduceSum(g.mul(g.softmax(g.matmul(x, w), 0), g.reshape(x, [-1, 2])));
    checkGradients(g, L, batch(g, 6));
  });

  it('by a placeholder: a gradient per sample', () => {
    const g = new Graph({ seed: 7 });
    const x = g.placeholder('x', [null, 2]);
    const w = g.variable('w', [2, 1]);
    const z = g.tanh(g.matmul(x, w));
    const L = g.div(g.reduceMean(g.square(z)), g.add(g.reduceMean(z), 3));
    const [dx] = g.gradients(L, x);
    const sess = new Session(g);
    sess.initialize();
    const vars = variableValues(sess, g);
    const feeds = batch(g, 7)(5);
    const got = asArray(sess.run(dx, feeds));
    const fd = feeds.x.data.map((x0, i) =>
      centralDifference((t) => {
        const data = Float64Array.from(feeds.x.data);
        data[i] = t;
        return referenceRun(L, { x: { shape: [5, 2], data } }, vars).data[0];
      }, x0),
    );
    expect(worstError(got, fd)).toBeLessThan(2e-7);
    expect(String(dx)).toBe('Tensor("Gradient:0", shape=[null, 2], dtype=float64)');
  });

  it('is zero for a variable the loss does not depend on', () => {
    const g = new Graph();
    const w = g.variable('w', [3], { init: 1 });
    const u = g.variable('u', [2], { init: 1 });
    const [du] = g.gradients(g.reduceSum(g.square(w)), u);
    const sess = new Session(g);
    sess.initialize();
    expect(Array.from(asArray(sess.run(du)))).toEqual([0, 0]);
  });
});

describe('second derivatives', () => {
  it('hessians and gradients of gradients match differences of the gradient', () => {
    const g = new Graph({ seed: 8 });
    const x = g.placeholder('x', [null, 2]);
    const w = g.variable('w', [2], { init: [0.3, -0.7] });
    const L = g.reduceMean(g.softplus(g.reduceSum(g.mul(x, g.tanh(w)), 1)));
    const [H] = g.hessians(L, w);
    const [gw] = g.gradients(L, w);
    const [ggw] = g.gradients(g.reduceSum(g.square(gw)), w);
    expect(H.shape).toEqual([2, 2]);
    const sess = new Session(g);
    sess.initialize();
    const feeds = batch(g, 8)(4);
    const [h, gg] = sess.run([H, ggw], feeds).map(asArray);
    const w0 = asArray(sess.run(w));
    const gradAt = (point: Float64Array): Float64Array => {
      sess.assign(w, point);
      return asArray(sess.run(gw, feeds));
    };
    const fdH = new Float64Array(4);
    const fdGG = new Float64Array(2);
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < 2; i++) {
        fdH[i * 2 + j] = centralDifference((t) => {
          const p = Float64Array.from(w0);
          p[j] = t;
          return gradAt(p)[i];
        }, w0[j]);
      }
      fdGG[j] = centralDifference((t) => {
        const p = Float64Array.from(w0);
        p[j] = t;
        const gv = gradAt(p);
        return gv[0] ** 2 + gv[1] ** 2;
      }, w0[j]);
    }
    expect(worstError(h, fdH)).toBeLessThan(2e-7);
    expect(worstError(gg, fdGG)).toBeLessThan(2e-7);
    expect(h[1]).toBe(h[2]); // symmetric
  });
});
