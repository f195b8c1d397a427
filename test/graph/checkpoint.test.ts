// Checkpoints: exact round trips, restore-and-continue equal to training without a pause,
// atomic writes, and every kind of bad file refused with the variables untouched.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AdamOptimizer,
  CheckpointError,
  GradientDescentOptimizer,
  Graph,
  initializers,
  MomentumOptimizer,
  Session,
  type Tensor,
} from '../../src/index.js';
import { asArray } from './reference.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'leibniz-ckpt-'));

/** Bitwise equality of float64 arrays (−0 ≠ 0, NaN = NaN). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

/** A small regression model trained with `optimizer`. */
function model(optimizer: () => AdamOptimizer | MomentumOptimizer | GradientDescentOptimizer) {
  const g = new Graph({ seed: 9 });
  const x = g.placeholder('x', [null, 2]);
  const y = g.placeholder('y', [null, 1]);
  const W = g.variable('W', [2, 3], { init: initializers.glorotUniform() });
  const b = g.variable('b', [3], { init: initializers.normal({ stddev: 0.1 }) });
  const V = g.variable('V', [3, 1], { init: initializers.uniform({ min: -0.5, max: 0.5 }) });
  const out = g.matmul(g.tanh(g.add(g.matmul(x, W), b)), V);
  const loss = g.reduceMean(g.square(g.sub(out, y)));
  const train = optimizer().minimize(loss);
  const n = 50;
  const data = { x: new Float64Array(2 * n), y: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    data.x[2 * i] = Math.sin(i);
    data.x[2 * i + 1] = Math.cos(3 * i);
    data.y[i] = Math.sin(data.x[2 * i] * 2) * data.x[2 * i + 1];
  }
  return { g, loss, train, data, vars: [W, b, V] };
}

const snapshot = (sess: Session, vars: readonly Tensor[]): Float64Array[] =>
  vars.map((v) => asArray(sess.run(v)));

describe('round trips', () => {
  it('restores every float64 bit for bit, −0, subnormals and non-finite values included', () => {
    const g = new Graph();
    const w = g.variable('w', [8]);
    const s = g.variable('s', []);
    const special = new Float64Array([
      -0,
      5e-324,
      1.7976931348623157e308,
      0.1 + 0.2,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -1 / 3,
    ]);
    const a = new Session(g);
    a.assign(w, special);
    a.assign(s, Math.PI);
    const path = join(dir(), 'special.ckpt.json');
    a.save(path);
    const b = new Session(g);
    b.restore(path);
    expect(sameBits(asArray(b.run(w)), special)).toBe(true);
    expect(b.run(s)).toBe(Math.PI);
    expect(b.checkpoint()).toBe(a.checkpoint());
  });

  for (const [name, optimizer] of [
    ['Adam', () => new AdamOptimizer({ learningRate: 0.05 })],
    [
      'Nesterov momentum',
      () => new MomentumOptimizer({ learningRate: 0.05, momentum: 0.9, useNesterov: true }),
    ],
  ] as const) {
    it(`restore and continue equals training without the pause, bit for bit (${name})`, () => {
      const opts = { batchSize: 16, seed: 5, progress: 'none' as const };
      const straight = model(optimizer);
      const s1 = new Session(straight.g);
      s1.initialize();
      s1.fit(straight.train, { ...opts, data: straight.data, epochs: 6 });

      const paused = model(optimizer);
      const s2 = new Session(paused.g);
      s2.initialize();
      s2.fit(paused.train, { ...opts, data: paused.data, epochs: 3 });
      const path = join(dir(), 'pause.ckpt.json');
      s2.save(path);
      s2.close();
      const s3 = new Session(paused.g);
      s3.restore(path);
      s3.fit(paused.train, { ...opts, data: paused.data, epochs: 3, initialEpoch: 3 });

      expect(s3.globalStep).toBe(s1.globalStep);
      const a = snapshot(s1, straight.vars);
      const b = snapshot(s3, paused.vars);
      a.forEach((v, i) => {
        expect(sameBits(v, b[i])).toBe(true);
      });
      expect(s3.checkpoint()).toBe(s1.checkpoint());
    });
  }

  it('initialisers are seeded: the same graph gives the same values in every session', () => {
    const a = model(() => new AdamOptimizer());
    const b = model(() => new AdamOptimizer());
    const s1 = new Session(a.g);
    const s2 = new Session(b.g);
    s1.initialize();
    s2.initialize();
    snapshot(s1, a.vars).forEach((v, i) => {
      expect(sameBits(v, snapshot(s2, b.vars)[i])).toBe(true);
    });
  });
});

describe('atomic writes', () => {
  it('leaves only the checkpoint, replaces an old one, and reports unwritable paths', () => {
    const d = dir();
    const { g } = model(() => new AdamOptimizer());
    const sess = new Session(g);
    sess.initialize();
    const path = join(d, 'model.ckpt.json');
    writeFileSync(path, 'old');
    sess.save(path);
    expect(readdirSync(d)).toEqual(['model.ckpt.json']);
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('leibniz-checkpoint');
    expect(() => sess.save(join(d, 'missing', 'x.json'))).toThrow(CheckpointError);
    expect(readdirSync(d)).toEqual(['model.ckpt.json']);
  });
});

describe('bad checkpoints are refused and change nothing', () => {
  const { g, train, data, vars } = model(() => new AdamOptimizer({ learningRate: 0.01 }));
  const sess = new Session(g);
  sess.initialize();
  sess.run(train, data);
  const d = dir();
  const good = join(d, 'good.json');
  sess.save(good);
  const text = readFileSync(good, 'utf8');
  sess.run(train, data); // the session has moved on from the file
  const write = (name: string, content: string): string => {
    const p = join(d, name);
    writeFileSync(p, content);
    return p;
  };
  const refused = (path: string, pattern: RegExp): void => {
    const before = snapshot(sess, vars);
    const step = sess.globalStep;
    const ckpt = sess.checkpoint();
    expect(() => sess.restore(path)).toThrow(CheckpointError);
    expect(() => sess.restore(path)).toThrow(pattern);
    snapshot(sess, vars).forEach((v, i) => {
      expect(sameBits(v, before[i])).toBe(true);
    });
    expect(sess.globalStep).toBe(step);
    expect(sess.checkpoint()).toBe(ckpt);
  };

  it('missing', () => refused(join(d, 'nope.json'), /cannot read checkpoint/));
  it('truncated', () =>
    refused(write('truncated.json', text.slice(0, text.length / 2)), /not valid JSON/));
  it('corrupt (a digit changed)', () => {
    // The first digit after a decimal point in the values: still valid JSON, another number.
    const m = /"values":\[-?\d+\.(\d)/.exec(text)!;
    const i = m.index + m[0].length - 1;
    const digit = text[i] === '1' ? '2' : '1';
    refused(write('corrupt.json', text.slice(0, i) + digit + text.slice(i + 1)), /checksum/);
  });
  it('another format version', () =>
    refused(
      write('v2.json', text.replace('"version": 1', '"version": 2')),
      /version 2 is not supported/,
    ));
  it('not a checkpoint', () =>
    refused(write('other.json', '{"hello": 1}'), /not a Leibniz checkpoint/));

  it('a shape, a variable or an optimizer that does not match the graph', () => {
    const other = new Graph({ seed: 9 });
    other.variable('W', [2, 4]);
    other.variable('b', [3]);
    other.variable('V', [3, 1]);
    const o = new Session(other);
    o.initialize();
    const wrongShape = join(d, 'shape.json');
    o.save(wrongShape);
    refused(wrongShape, /variable 'W' has shape \[2, 4\] in the checkpoint, \[2, 3\] in the graph/);

    const fewer = new Graph();
    fewer.variable('W', [2, 3]);
    const f = new Session(fewer);
    f.initialize();
    const missing = join(d, 'fewer.json');
    f.save(missing);
    refused(missing, /variable 'b' is missing/);

    const { g: g2, vars: v2 } = model(() => new GradientDescentOptimizer({ learningRate: 0.1 }));
    const s2 = new Session(g2);
    s2.initialize();
    const noAdam = join(d, 'gd.json');
    s2.save(noAdam);
    refused(noAdam, /optimizer 'Adam' is missing/);
    // The weights alone can still be loaded on purpose.
    sess.restore(noAdam, { variablesOnly: true });
    snapshot(sess, vars).forEach((v, i) => {
      expect(sameBits(v, snapshot(s2, v2)[i])).toBe(true);
    });
  });
});
