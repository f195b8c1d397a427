// Sessions: the lecture's run/eval, only the needed subgraph, feeds and their errors,
// uninitialised variables, compile-once caching, disposal.
import { describe, expect, it } from 'vitest';
import {
  AdamOptimizer,
  FeedError,
  GradientDescentOptimizer,
  Graph,
  GraphError,
  LeibnizError,
  Session,
  ShapeError,
  TensorValue,
  UninitializedVariableError,
} from '../../src/index.js';

function lectureGraph() {
  const g = new Graph();
  const a = g.constant(1);
  const b = g.constant(2);
  const c = g.add(a, b);
  return { g, a, b, c };
}

describe('the lecture', () => {
  it('prints tensors with TensorFlow names and runs them in a session', () => {
    const { g, a, b, c } = lectureGraph();
    expect(String(a)).toBe('Tensor("Const:0", shape=[], dtype=float64)');
    expect(String(b)).toBe('Tensor("Const_1:0", shape=[], dtype=float64)');
    expect(String(c)).toBe('Tensor("Add:0", shape=[], dtype=float64)');
    const sess = new Session(g);
    expect(sess.run(c)).toBe(3);
    expect(sess.run([a, b, c])).toEqual([1, 2, 3]);
    expect(sess.run({ a, c })).toEqual({ a: 1, c: 3 });
    expect(c.eval(sess)).toBe(3);
    expect(sess.run([])).toEqual([]);
    expect(sess.run({})).toEqual({});
  });

  it('`using` closes the session at the end of the block', () => {
    const { g, c } = lectureGraph();
    let outer: Session;
    {
      using sess = new Session(g);
      outer = sess;
      expect(sess.run(c)).toBe(3);
    }
    expect(() => outer.run(c)).toThrow(/closed/);
  });
});

describe('only the needed subgraph runs', () => {
  it('needs no feed for a placeholder the fetch does not depend on', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null]);
    const c = g.add(g.constant(1), g.constant(2));
    const d = g.mul(c, x);
    const sess = new Session(g);
    expect(sess.run(c)).toBe(3);
    expect(() => sess.run(d)).toThrow(FeedError);
    try {
      sess.run(d);
    } catch (e) {
      expect((e as FeedError).placeholder).toBe('x');
      expect((e as Error).message).toMatch(/missing feed for placeholder 'x' \(shape \[null\]\)/);
    }
    expect((sess.run(d, { x: [1, 2] }) as TensorValue).toArray()).toEqual([3, 6]);
  });

  it('needs no value for a variable the fetch does not read', () => {
    const g = new Graph();
    const w = g.variable('w', [], { init: 2 });
    const u = g.variable('u', [], { init: 5 });
    const sess = new Session(g);
    sess.initialize([w]);
    expect(sess.run(g.mul(w, 3))).toBe(6);
    expect(() => sess.run(g.add(w, u))).toThrow(UninitializedVariableError);
    expect(() => sess.run(u)).toThrow(/variable 'u' is not initialised/);
  });

  it('compiles each set of fetches once and never again', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 2]);
    const w = g.variable('w', [2, 1]);
    const L = g.reduceMean(g.square(g.matmul(x, w)));
    const train = new GradientDescentOptimizer({ learningRate: 0.1 }).minimize(L);
    const sess = new Session(g);
    sess.initialize();
    for (const n of [4, 7, 1, 4]) sess.run([train, L], { x: new Float64Array(2 * n).fill(0.5) });
    const { plans, kernels } = sess.stats;
    expect(plans).toBe(1);
    for (let i = 0; i < 20; i++) sess.run([train, L], { x: new Float64Array(6).fill(0.1) });
    expect(sess.stats.plans).toBe(plans);
    expect(sess.stats.kernels).toBe(kernels);
    expect(sess.stats.runs).toBe(24);
    expect(sess.globalStep).toBe(24);
  });
});

describe('feeds', () => {
  const g = new Graph();
  const x = g.placeholder('x', [null, 2]);
  const s = g.placeholder('s', []);
  const y = g.placeholder('y', [null]);
  const total = g.mul(g.reduceSum(x), s);
  const both = g.add(g.reduceSum(x, 1), y);
  const sess = new Session(g);

  it('accepts numbers, nested arrays, flat Float64Arrays, TensorValues and Maps', () => {
    expect(
      sess.run(total, {
        x: [
          [1, 2],
          [3, 4],
        ],
        s: 2,
      }),
    ).toBe(20);
    expect(sess.run(total, { x: new Float64Array([1, 2, 3, 4]), s: 1 })).toBe(10);
    expect(sess.run(total, { x: new TensorValue([1, 2], new Float64Array([5, 5])), s: [1] })).toBe(
      10,
    );
    expect(sess.run(total, { x: { shape: [2, 2], data: [1, 1, 1, 1] }, s: 1 })).toBe(4);
    expect(
      sess.run(
        total,
        new Map<unknown, unknown>([
          [x, [[1, 1]]],
          ['s', 3],
        ]) as never,
      ),
    ).toBe(6);
  });

  it('refuses a feed of the wrong shape, naming the placeholder and both shapes', () => {
    expect(() => sess.run(total, { x: [[1, 2, 3]], s: 1 })).toThrow(
      "feed for placeholder 'x' has shape [1, 3], expected [null, 2]",
    );
    expect(() => sess.run(total, { x: new Float64Array(3), s: 1 })).toThrow(
      "feed for placeholder 'x': 3 values do not fit shape [null, 2]",
    );
    expect(() => sess.run(total, { x: [[1, 2], [3]], s: 1 })).toThrow(/ragged/);
    expect(() => sess.run(total, { x: [[1, 2]], s: 'a' as never })).toThrow(FeedError);
  });

  it('refuses unknown names and non-placeholders', () => {
    expect(() => sess.run(total, { x: [[1, 2]], s: 1, z: 3 })).toThrow(
      "feeds: no placeholder named 'z' in the graph",
    );
    expect(() => sess.run(total, { x: [[1, 2]], s: 1, Sum: 3 })).toThrow(/not a placeholder/);
  });

  it('checks that batches combined per sample have the same size', () => {
    expect(
      (
        sess.run(both, {
          x: [
            [1, 2],
            [3, 4],
          ],
          y: [10, 20],
        }) as TensorValue
      ).toArray(),
    ).toEqual([13, 27]);
    expect(() =>
      sess.run(both, {
        x: [
          [1, 2],
          [3, 4],
        ],
        y: [10],
      }),
    ).toThrow("placeholders 'x' and 'y' must have the same batch size (fed 2 and 1)");
  });
});

describe('errors are typed and name what is wrong', () => {
  it('shape errors at build time name the op and both shapes', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 3]);
    expect(() => g.matmul(x, g.variable('w', [4, 2]))).toThrow(
      'MatMul: inner dimensions differ: [null, 3] × [4, 2]',
    );
    expect(() => g.add(x, g.constant([1, 2]))).toThrow(
      'Add: shapes [null, 3] and [2] do not broadcast (dimension 3 against 2)',
    );
    expect(() => g.reshape(g.constant([1, 2, 3]), [2, -1])).toThrow(ShapeError);
    expect(() => g.reduceSum(x, 2)).toThrow('Sum: axis 2 out of range for shape [null, 3]');
    expect(() => g.transpose(x, [0, 0])).toThrow(ShapeError);
    expect(() => g.matmul(g.constant([1, 2]), x)).toThrow(/rank 2/);
    expect(() => g.softmaxCrossEntropy(g.constant(1), g.constant(2))).toThrow(ShapeError);
  });

  it('names, graphs and fetches are checked', () => {
    const g = new Graph();
    g.variable('w', []);
    expect(() => g.variable('w', [])).toThrow(
      "variable: the name 'w' is already used in this graph",
    );
    expect(() => g.placeholder('bad name', [])).toThrow(/invalid name/);
    expect(() => g.placeholder('x#1', [])).toThrow(/invalid name/);
    expect(() => g.variable('huge', [1e6, 1e6])).toThrow(ShapeError);
    expect(() => g.variable('neg', [-1])).toThrow(ShapeError);
    const other = new Graph();
    expect(() => g.add(other.constant(1), 1)).toThrow(GraphError);
    const sess = new Session(g);
    expect(() => sess.run(other.constant(1))).toThrow(/another graph/);
    expect(() => sess.run(42 as never)).toThrow(LeibnizError);
    expect(() => g.expr('x + z', { x: g.constant(1) })).toThrow(
      "expr: symbol 'z' in 'x + z' has no binding (bound: x)",
    );
    expect(() => g.expr('f(x)', { x: g.constant(1) })).toThrow(/unknown function 'f'/);
    expect(() => g.expr('x +', { x: 1 })).toThrow(LeibnizError);
    expect(() => g.gradients(g.constant(1), g.constant(2))).toThrow(/variables and placeholders/);
  });

  it('optimizers check their options', () => {
    const g = new Graph();
    const L = g.square(g.variable('w', [], { init: 1 }));
    expect(() => new GradientDescentOptimizer({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => new AdamOptimizer({ beta1: 1 })).toThrow(/beta1/);
    expect(() => new AdamOptimizer().minimize(g.constant(1))).toThrow(/no trainable variable/);
    expect(() => new AdamOptimizer().minimize(L, { varList: [g.placeholder('p', [])] })).toThrow(
      /varList/,
    );
  });
});
