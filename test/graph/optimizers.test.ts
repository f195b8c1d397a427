// Each optimizer against its written-out update rule (TensorFlow 1's kernels), step by
// step and bit for bit; the gradient it uses against the analytic one; and the guard that
// never lets a non-finite value into a variable.
import { describe, expect, it } from 'vitest';
import {
  AdamOptimizer,
  GradientDescentOptimizer,
  Graph,
  MomentumOptimizer,
  NonFiniteError,
  type Optimizer,
  Session,
} from '../../src/index.js';
import { asArray } from './reference.js';

/** Least squares: L = mean((x·w − y)²), w ∈ ℝ², with its analytic gradient. */
function problem(optimizer: Optimizer) {
  const g = new Graph();
  const x = g.placeholder('x', [null, 2]);
  const y = g.placeholder('y', [null, 1]);
  const w = g.variable('w', [2, 1], { init: [[0.3], [-0.2]] });
  const L = g.reduceMean(g.square(g.sub(g.matmul(x, w), y)));
  const train = optimizer.minimize(L);
  const [grad] = g.gradients(L, w);
  const feeds = {
    x: new Float64Array([1, 2, -1, 0.5, 0.25, -3, 2, 2]),
    y: new Float64Array([1, -1, 0.5, 2]),
  };
  const analytic = (wv: Float64Array): Float64Array => {
    const out = new Float64Array(2);
    const n = 4;
    for (let i = 0; i < n; i++) {
      const r = feeds.x[2 * i] * wv[0] + feeds.x[2 * i + 1] * wv[1] - feeds.y[i];
      out[0] += (2 * r * feeds.x[2 * i]) / n;
      out[1] += (2 * r * feeds.x[2 * i + 1]) / n;
    }
    return out;
  };
  const sess = new Session(g);
  sess.initialize();
  return { g, w, L, train, grad, feeds, analytic, sess };
}

/** Runs `steps` steps, checking each against `rule(θ, g) → θ'` exactly. */
function followsRule(
  optimizer: Optimizer,
  rule: (theta: Float64Array, grad: Float64Array, step: number) => Float64Array,
  steps = 6,
): void {
  const { w, train, grad, feeds, analytic, sess } = problem(optimizer);
  for (let t = 1; t <= steps; t++) {
    const theta = asArray(sess.run(w));
    const gv = asArray(sess.run(grad, feeds));
    const exact = analytic(theta);
    for (let i = 0; i < 2; i++) expect(gv[i]).toBeCloseTo(exact[i], 13);
    const expected = rule(theta, gv, t);
    sess.run(train, feeds);
    expect(Array.from(asArray(sess.run(w))), `step ${t}`).toEqual(Array.from(expected));
    expect(sess.globalStep).toBe(t);
  }
}

describe('optimizers follow their formulas bit for bit', () => {
  it('gradient descent: θ ← θ − lr·g', () => {
    const lr = 0.05;
    followsRule(new GradientDescentOptimizer({ learningRate: lr }), (th, g) =>
      th.map((v, i) => v - g[i] * lr),
    );
  });

  for (const useNesterov of [false, true]) {
    it(`momentum${useNesterov ? ' (Nesterov)' : ''}: a ← μa + g; θ ← θ − lr·a ${useNesterov ? '(θ − (lr·g + lr·μ·a))' : ''}`, () => {
      const lr = 0.05;
      const mu = 0.9;
      const a = new Float64Array(2);
      followsRule(new MomentumOptimizer({ learningRate: lr, momentum: mu, useNesterov }), (th, g) =>
        th.map((v, i) => {
          a[i] = a[i] * mu + g[i];
          return useNesterov ? v - (g[i] * lr + a[i] * mu * lr) : v - a[i] * lr;
        }),
      );
    });
  }

  it("Adam with TF1's defaults and update", () => {
    const opt = new AdamOptimizer({ learningRate: 0.1 });
    expect([opt.beta1, opt.beta2, opt.epsilon]).toEqual([0.9, 0.999, 1e-8]);
    expect(new AdamOptimizer().learningRate).toBe(0.001);
    const m = new Float64Array(2);
    const v = new Float64Array(2);
    let b1p = 0.9;
    let b2p = 0.999;
    followsRule(
      opt,
      (th, g) => {
        const lrT = (0.1 * Math.sqrt(1 - b2p)) / (1 - b1p);
        const out = th.map((x, i) => {
          m[i] = m[i] + (g[i] - m[i]) * (1 - 0.9);
          v[i] = v[i] + (g[i] * g[i] - v[i]) * (1 - 0.999);
          return x - (m[i] * lrT) / (Math.sqrt(v[i]) + 1e-8);
        });
        b1p *= 0.9;
        b2p *= 0.999;
        return out;
      },
      8,
    );
  });

  it('a learning rate can be a tensor (a schedule fed each step)', () => {
    const g = new Graph();
    const lr = g.placeholder('lr', []);
    const w = g.variable('w', [], { init: 1 });
    const train = new GradientDescentOptimizer({ learningRate: lr }).minimize(g.square(w));
    const sess = new Session(g);
    sess.initialize();
    sess.run(train, { lr: 0.25 }); // w ← 1 − 0.25·2 = 0.5
    sess.run(train, { lr: 0.5 }); // w ← 0.5 − 0.5·1 = 0
    expect(sess.run(w)).toBe(0);
  });

  it('varList restricts the update; other variables stay', () => {
    const g = new Graph();
    const a = g.variable('a', [], { init: 1 });
    const b = g.variable('b', [], { init: 1 });
    const train = new GradientDescentOptimizer({ learningRate: 0.1 }).minimize(
      g.add(g.square(a), g.square(b)),
      { varList: [b] },
    );
    expect(train.varList).toEqual([b]);
    const sess = new Session(g);
    sess.initialize();
    sess.run(train);
    expect(sess.run([a, b])).toEqual([1, 1 - 0.1 * 2]);
  });
});

describe('training never writes a non-finite value', () => {
  it('a NaN loss names the step and the loss; variables keep their values', () => {
    const { w, train, L, feeds, sess } = problem(new AdamOptimizer({ learningRate: 0.1 }));
    sess.run(train, feeds);
    const before = asArray(sess.run(w));
    const bad = { x: feeds.x, y: Float64Array.from(feeds.y, (v, i) => (i === 2 ? Number.NaN : v)) };
    let error: unknown;
    try {
      sess.run(train, bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).step).toBe(2);
    expect((error as NonFiniteError).variable).toBe(L.name);
    expect((error as Error).message).toMatch(/step 2: the loss 'Mean' is NaN/);
    expect(asArray(sess.run(w))).toEqual(before);
    expect(sess.globalStep).toBe(1);
    // Training continues from the last finite values.
    sess.run(train, feeds);
    expect(sess.globalStep).toBe(2);
  });

  it('an infinite gradient names the variable', () => {
    const g = new Graph();
    const w = g.variable('w', [2], { init: [0, 1] });
    const train = new GradientDescentOptimizer({ learningRate: 0.1 }).minimize(
      g.reduceSum(g.sqrt(w)),
    );
    const sess = new Session(g);
    sess.initialize();
    expect(() => sess.run(train)).toThrow(
      "step 1: the gradient of 'w' is Infinity at element 0; no variable was updated",
    );
    expect(Array.from(asArray(sess.run(w)))).toEqual([0, 1]);
  });

  it('an update that overflows names the variable and changes nothing', () => {
    const g = new Graph();
    const u = g.variable('u', [], { init: 0 });
    const w = g.variable('w', [], { init: 1.7e308 });
    const train = new GradientDescentOptimizer({ learningRate: 1e308 }).minimize(
      g.sub(g.square(u), w),
    );
    const sess = new Session(g);
    sess.initialize();
    expect(() => sess.run(train)).toThrow(/the update of 'w' overflows/);
    expect(sess.run([u, w])).toEqual([0, 1.7e308]);
  });
});

describe('several train ops in one run', () => {
  it('apply in order, each from where the previous left the variables; a repeated op once', () => {
    const g = new Graph();
    const w = g.variable('w', [], { init: 1 });
    const L = g.square(w);
    const a = new GradientDescentOptimizer({ learningRate: 0.25 }).minimize(L);
    const b = new MomentumOptimizer({ learningRate: 0.5, momentum: 0.9 }).minimize(L);
    const sess = new Session(g);
    sess.initialize();
    // Both gradients are taken before the run (2·w = 2); a: w ← 1 − 0.25·2 = 0.5;
    // b continues from 0.5: accumulator 2, w ← 0.5 − 0.5·2 = −0.5.
    sess.run([a, b]);
    expect(sess.run(w)).toBe(-0.5);
    expect(sess.globalStep).toBe(1);
    sess.run([a, a]);
    expect(sess.run(w)).toBe(-0.5 - 0.25 * -1);
    expect(sess.globalStep).toBe(2);
  });
});
