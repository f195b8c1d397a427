// Every op's values against the tensor-level reference (reference.ts), for graphs that
// separate per sample (batch kernels) and graphs that do not (concrete expansion), at
// several batch sizes through one compiled plan.
import { describe, expect, it } from 'vitest';
import {
  FUNCTION_NAMES,
  type FunctionName,
  Graph,
  Session,
  type Tensor,
  TensorValue,
} from '../../src/index.js';
import {
  asArray,
  randomFeeds,
  randomValue,
  referenceRun,
  rng,
  variableValues,
  worstError,
} from './reference.js';

const shapeOf = (r: unknown): readonly number[] =>
  typeof r === 'number' ? [] : (r as TensorValue).shape;

/** Runs `fetches` at several batch sizes and compares with the reference. */
function agree(
  g: Graph,
  fetches: Tensor[],
  options: { sizes?: number[]; domain?: [number, number]; tol?: number } = {},
): Session {
  const sess = new Session(g);
  sess.initialize();
  const vars = variableValues(sess, g);
  for (const n of options.sizes ?? [5, 1, 3]) {
    const feeds = randomFeeds(g, n, 7 * n + 1, options.domain);
    const got = sess.run(fetches, feeds);
    fetches.forEach((t, i) => {
      const want = referenceRun(t, feeds, vars);
      expect(shapeOf(got[i]), `${t.name} shape at n=${n}`).toEqual(want.shape);
      expect(worstError(asArray(got[i]), want.data), `${t.name} at n=${n}`).toBeLessThan(
        options.tol ?? 1e-12,
      );
    });
  }
  return sess;
}

describe('element-wise ops', () => {
  it('broadcast scalars, biases and batches', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 3]);
    const c = g.placeholder('c', [null, 1]);
    const b = g.variable('b', [3], { init: [0.5, -1, 2] });
    const w = g.variable('w', [], { init: 1.5 });
    agree(g, [
      g.add(x, b),
      g.mul(w, x),
      g.sub(c, x),
      g.div(x, g.add(g.square(b), 1)),
      g.pow(g.add(g.square(x), 1), w),
      g.neg(g.mul(x, c)),
      g.add(g.mul(x, 0), 1),
      g.maximum(x, c),
      g.minimum(x, 0),
    ]);
  });

  it('every Leibniz function, in its domain', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 2]);
    const y = g.placeholder('y', [null, 2]);
    const u = g.mul(x, 0.9); // (−0.9, 0.9): inside every domain below after the shifts
    const fetches: Tensor[] = [];
    // Shifted into the domain, or away from a pole at 0; asech's domain is (0, 1].
    const shift: Partial<Record<FunctionName, number>> = {
      acosh: 2,
      log: 2,
      log2: 2,
      log10: 2,
      asec: 2,
      acsc: 2,
      acoth: 2,
      csch: 2,
      coth: 2,
      acsch: 2,
    };
    for (const name of FUNCTION_NAMES) {
      if (name === 'atan2' || name === 'min' || name === 'max') {
        fetches.push(g.apply(name, u, y));
        continue;
      }
      const arg =
        name === 'asech'
          ? g.add(g.mul(u, 0.5), 0.5)
          : shift[name] === undefined
            ? u
            : g.add(u, shift[name]);
      fetches.push(g.apply(name as FunctionName, arg));
    }
    fetches.push(g.sqrt(g.add(x, 2)), g.reciprocal(g.add(x, 3)), g.log1p(g.mul(x, 0.5)));
    agree(g, fetches);
  });

  it('g.expr binds symbols to tensors and broadcasts them', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null]);
    const y = g.placeholder('y', [null]);
    const w1 = g.variable('w1', [], { init: 0.5 });
    const w2 = g.variable('w2', [], { init: -0.3 });
    const fromText = g.expr('(tanh(w2*tanh(w1*x)) - y)^2', { x, y, w1, w2 });
    const fromOps = g.square(g.sub(g.tanh(g.mul(w2, g.tanh(g.mul(w1, x)))), y));
    const sess = agree(g, [fromText, g.expr('x*k + 1', { x, k: 2 })]);
    const feeds = randomFeeds(g, 4, 3);
    expect(sess.run(fromText, feeds)).toEqual(sess.run(fromOps, feeds));
  });
});

describe('structure', () => {
  it('matmul with a batch on either side, transposes, and over the batch', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 3]);
    const z = g.placeholder('z', [null, 2]);
    const W = g.variable('W', [3, 2]);
    const V = g.variable('V', [2, 3]);
    agree(g, [
      g.matmul(x, W),
      g.matmul(x, V, { transposeB: true }),
      g.matmul(V, x, { transposeB: true }), // [2, 3] × [3, n] → [2, n]
      g.matmul(x, x, { transposeA: true }), // xᵀx: a sum over the batch
      g.matmul(g.transpose(z), x), // zᵀx
      g.matmul(W, V),
    ]);
  });

  it('transpose and reshape', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 2, 3]);
    const f = g.placeholder('f', [4, 6]);
    agree(g, [
      g.transpose(x, [0, 2, 1]),
      g.transpose(x, [1, 0, 2]),
      g.reshape(x, [-1, 6]),
      g.reshape(g.reshape(x, [-1, 6]), [-1, 3, 2]),
      g.transpose(f),
      g.reshape(f, [3, -1]),
    ]);
  });

  it('reductions over the batch, other axes, all axes, with keepDims', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 2, 3]);
    agree(g, [
      g.reduceSum(x),
      g.reduceMean(x),
      g.reduceSum(x, 0),
      g.reduceMean(x, 0),
      g.reduceSum(x, 1),
      g.reduceMean(x, -1),
      g.reduceSum(x, [0, 2]),
      g.reduceMean(x, [1, 2], { keepDims: true }),
      g.reduceSum(x, 0, { keepDims: true }),
      // Nested batch sums: x standardised by its batch mean and deviation.
      g.div(
        g.sub(x, g.reduceMean(x, 0)),
        g.sqrt(g.add(g.reduceMean(g.square(g.sub(x, g.reduceMean(x, 0))), 0), 1e-3)),
      ),
    ]);
  });

  it('softmax, log-softmax and cross-entropies, stable for large logits', () => {
    const g = new Graph();
    const z = g.placeholder('z', [null, 4]);
    const y = g.placeholder('y', [null, 4]);
    const big = g.mul(z, 800); // e^800 overflows: the shift must keep everything finite
    const fetches = [
      g.softmax(z),
      g.logSoftmax(z),
      g.softmax(big),
      g.logSoftmax(big),
      g.softmaxCrossEntropy(y, big),
      g.softmaxCrossEntropy(g.softmax(y), z),
      g.sigmoidCrossEntropy(y, big),
      g.softmax(g.transpose(z), 0),
    ];
    const sess = agree(g, fetches, { tol: 1e-11 });
    const out = sess.run(fetches, randomFeeds(g, 6, 2));
    for (const r of out) expect(asArray(r).every(Number.isFinite)).toBe(true);
  });
});

describe('graphs that do not separate per sample (concrete expansion)', () => {
  it('evaluates them correctly, one compilation per fed shape', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 2]);
    const fixed = g.placeholder('k', [3]);
    const any = g.placeholder('m', [null, null]);
    const fetches = [
      g.softmax(x, 0), // along the batch
      g.reshape(x, [2, -1]), // moves elements across samples
      g.add(g.reduceSum(x, 1), fixed), // the batch meets a dimension of 3
      g.reduceSum(g.mul(any, 2), 1),
    ];
    const sess = new Session(g);
    const vars = {};
    for (const [n, m] of [
      [3, 2],
      [3, 4],
    ]) {
      const next = rng(n * 10 + m);
      const feeds = {
        x: randomValue([n, 2], next),
        k: randomValue([3], next),
        m: randomValue([m, n], next),
      };
      const got = sess.run(fetches, feeds);
      fetches.forEach((t, i) => {
        const want = referenceRun(t, feeds, vars);
        expect(shapeOf(got[i])).toEqual(want.shape);
        expect(worstError(asArray(got[i]), want.data)).toBeLessThan(1e-12);
      });
    }
    expect(sess.stats.plans).toBe(2);
    // The same shapes again: no new compilation.
    const next = rng(1);
    sess.run(fetches, {
      x: randomValue([3, 2], next),
      k: randomValue([3], next),
      m: randomValue([2, 3], next),
    });
    expect(sess.stats.plans).toBe(2);
  });

  it('reports a batch that does not fit a known dimension as a shape error', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null]);
    const s = g.add(x, g.constant([1, 2, 3]));
    const sess = new Session(g);
    expect(sess.run(s, { x: [1, 1, 1] })).toBeInstanceOf(TensorValue);
    expect(() => sess.run(s, { x: [1, 1] })).toThrow(/Add.*\[2\] and \[3\]/);
  });
});

describe('fetch results', () => {
  it('returns numbers for 0-d tensors and TensorValues otherwise', () => {
    const g = new Graph();
    const m = g.constant([
      [1, 2],
      [3, 4],
    ]);
    const sess = new Session(g);
    const v = sess.run(m);
    expect(v).toBeInstanceOf(TensorValue);
    expect((v as TensorValue).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect((v as TensorValue).get(1, 0)).toBe(3);
    expect(String(v)).toBe('TensorValue(shape=[2, 2], [[1,2],[3,4]])');
    expect(sess.run(g.reduceSum(m))).toBe(10);
    expect(sess.run(g.constant([]))).toEqual(new TensorValue([0], new Float64Array(0)));
    // A fetched array is a copy: changing it does not change the next run.
    (v as TensorValue).data[0] = 99;
    expect((sess.run(m) as TensorValue).data[0]).toBe(1);
  });
});
