// fit: batches, seeded shuffles, progress output on a terminal and elsewhere, callbacks,
// data checks; and the seeded initialisers.
import { describe, expect, it } from 'vitest';
import {
  AdamOptimizer,
  FeedError,
  fit as fitBatches,
  GradientDescentOptimizer,
  Graph,
  InvalidArgumentError,
  initializers,
  Random,
  Session,
  type TensorValue,
} from '../../src/index.js';

function linear() {
  const g = new Graph();
  const x = g.placeholder('x', [null, 1]);
  const y = g.placeholder('y', [null]);
  const w = g.variable('w', [1, 1], { init: 0 });
  const loss = g.reduceMean(g.square(g.sub(g.reshape(g.matmul(x, w), [-1]), y)));
  const train = new GradientDescentOptimizer({ learningRate: 0.1 }).minimize(loss);
  const xs = Float64Array.from({ length: 10 }, (_, i) => i / 10);
  const ys = xs.map((v) => 3 * v);
  return { g, w, loss, train, xs, ys };
}

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (t: string) => chunks.push(t) } };
};

describe('fit', () => {
  it('runs epochs of batches (the last one smaller) and reports the mean loss', () => {
    const { g, w, train, xs, ys } = linear();
    const sess = new Session(g);
    sess.initialize();
    const seen: number[] = [];
    const history = sess.fit(train, {
      data: { x: xs, y: ys },
      batchSize: 4,
      epochs: 30,
      progress: 'none',
      onEpochEnd: (log) => {
        seen.push(log.epoch);
        return undefined;
      },
    });
    expect(sess.globalStep).toBe(30 * 3);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(history.loss.length).toBe(30);
    expect(history.loss[29]).toBeLessThan(history.loss[0] / 10);
    expect((sess.run(w) as TensorValue).data[0]).toBeCloseTo(3, 1);
  });

  it('shuffles reproducibly by seed and epoch, and stops early on request', () => {
    const runOnce = (seed: number) => {
      const { g, w, train, xs, ys } = linear();
      const sess = new Session(g);
      sess.initialize();
      fitBatches(sess, train, {
        data: { x: xs, y: ys },
        batchSize: 3,
        epochs: 5,
        seed,
        progress: 'none',
        onEpochEnd: (log) => log.epoch < 2,
      });
      return { w: (sess.run(w) as TensorValue).data[0], step: sess.globalStep };
    };
    const a = runOnce(1);
    expect(runOnce(1)).toEqual(a);
    expect(runOnce(2).w).not.toBe(a.w);
    expect(a.step).toBe(3 * 4); // stopped after epoch index 2
  });

  it('draws a progress bar on a terminal and prints lines elsewhere', () => {
    const { g, train, xs, ys } = linear();
    const sess = new Session(g);
    sess.initialize();
    const tty = sink(true);
    sess.fit(train, { data: { x: xs, y: ys }, batchSize: 5, epochs: 2, stream: tty.stream });
    const text = tty.chunks.join('');
    expect(text).toMatch(/\repoch 1\/2 \[=+\] 2\/2 loss \d/);
    expect(text.endsWith(' s\n')).toBe(true);
    const pipe = sink(false);
    sess.fit(train, {
      data: { x: xs, y: ys },
      batchSize: 5,
      epochs: 2,
      initialEpoch: 2,
      stream: pipe.stream,
    });
    expect(pipe.chunks).toHaveLength(2);
    expect(pipe.chunks[0]).toMatch(/^epoch 3\/4: loss \d\.\d+ \(\d+\.\d+ s\)\n$/);
    expect(pipe.chunks.join('')).not.toContain('\r');
  });

  it('checks its data', () => {
    const { g, train, xs, ys } = linear();
    const sess = new Session(g);
    sess.initialize();
    const opts = { progress: 'none' as const };
    expect(() => sess.fit(train, { ...opts, data: { x: xs, y: ys.subarray(1) } })).toThrow(
      "fit: 'y' has 9 samples, 'x' has 10",
    );
    expect(() => sess.fit(train, { ...opts, data: { x: xs, z: ys } })).toThrow(FeedError);
    expect(() => sess.fit(train, { ...opts, data: { x: xs, y: ys }, batchSize: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => fitBatches(sess, g.constant(1) as never, { data: {} })).toThrow(/train op/);
  });
});

describe('initialisers', () => {
  it('are deterministic per graph seed and name, with the documented distributions', () => {
    const values = (seed: number) => {
      const g = new Graph({ seed });
      const vs = [
        g.variable('u', [4000], { init: initializers.uniform({ min: -2, max: 2 }) }),
        g.variable('n', [4000], { init: initializers.normal({ mean: 1, stddev: 0.5 }) }),
        g.variable('G', [30, 70], { init: initializers.glorotUniform() }),
        g.variable('z', [3], { init: initializers.zeros() }),
        g.variable('o', [3], { init: initializers.ones() }),
        g.variable('c', [2], { init: initializers.constant(7) }),
        g.variable('v', [2, 2], {
          init: [
            [1, 2],
            [3, 4],
          ],
        }),
      ];
      const sess = new Session(g);
      sess.initialize();
      return vs.map((v) => Array.from((sess.run(v) as TensorValue).data));
    };
    const [u, n, G, z, o, c, v] = values(0);
    expect(values(0)).toEqual([u, n, G, z, o, c, v]);
    expect(values(1)[0]).not.toEqual(u);
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const sd = (a: number[]) => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(2);
    expect(mean(u)).toBeCloseTo(0, 1);
    expect(mean(n)).toBeCloseTo(1, 1);
    expect(sd(n)).toBeCloseTo(0.5, 1);
    const limit = Math.sqrt(6 / 100);
    expect(Math.max(...G.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...G.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect([z, o, c, v]).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [7, 7],
      [1, 2, 3, 4],
    ]);
  });

  it('Random is a reproducible stream', () => {
    const a = new Random('seed');
    const b = new Random('seed');
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(() => initializers.uniform({ min: 1, max: 0 })).toThrow(InvalidArgumentError);
    expect(() => initializers.normal({ stddev: -1 })).toThrow(InvalidArgumentError);
    const g = new Graph();
    expect(() => g.variable('a', [2], { init: { kind: 'bogus' } as never })).toThrow(
      /unknown initialiser kind "bogus"/,
    );
    expect(() => g.variable('b', [2], { init: { kind: 'uniform', min: 1, max: 0 } })).toThrow(
      /min ≤ max/,
    );
    expect(() => g.variable('c', [2], { init: { kind: 'constant', value: Number.NaN } })).toThrow(
      InvalidArgumentError,
    );
    // Null options are the defaults; other non-objects are refused.
    expect(new AdamOptimizer(null as never).learningRate).toBe(0.001);
    expect(() => g.matmul(g.constant([[1]]), g.constant([[1]]), 3 as never)).toThrow(
      /options must be an object/,
    );
    expect(() => new Session(g).fit(null as never, null as never)).toThrow(InvalidArgumentError);
  });
});
