// Large programs are split into chunk functions that pass values through a scratch array.
// A tiny chunk budget forces splitting on small random programs of every kind, which must
// compute exactly what the unsplit program does; then 10⁵-node gradients, deep and wide.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGradient } from '../../src/codegen/index.js';
import { BLOCK_GAIN, BLOCK_POINTS, layout } from '../../src/codegen/layout.js';
import { type BatchSpec, batchProgram, type Reduction } from '../../src/codegen/programs/batch.js';
import { gradientProgram } from '../../src/codegen/programs/gradient.js';
import { hessianProgram, hessianVectorProgram } from '../../src/codegen/programs/hessian.js';
import { valueProgram } from '../../src/codegen/programs/value.js';
import { add, type Expr, mul, pow, sin, size, sub, sym, tanh } from '../../src/expr/index.js';
import { arbNumericExpr, build } from './helpers.js';

const VARS = ['x', 'y', 'z'].map(sym);
const same = (a: number, b: number): boolean =>
  Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
const sameArrays = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => same(v, b[i]));
const arbP = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 });
const BUDGETS = [1, 4, 25];

type Vec = ArrayLike<number>;

describe('chunked ≡ unchunked', () => {
  it('value functions (positional, vector, several outputs)', () => {
    fc.assert(
      fc.property(
        arbNumericExpr(4),
        arbNumericExpr(3),
        arbP,
        fc.constantFrom(...BUDGETS),
        (e, e2, p, budget) => {
          const whole = build<(...a: number[]) => number>(
            valueProgram([e], VARS, 'positional', false),
          );
          const f = build<(...a: number[]) => number>(
            valueProgram([e], VARS, 'positional', false),
            budget,
          );
          expect(same(f(p[0], p[1], p[2]), whole(p[0], p[1], p[2]))).toBe(true);
          const fv = build<(x: Vec) => number>(valueProgram([e], VARS, 'vector', false), budget);
          expect(same(fv(p), whole(p[0], p[1], p[2]))).toBe(true);
          const multi = build<(x: Vec) => Float64Array>(
            valueProgram([e, e2], VARS, 'vector', true),
            budget,
          );
          const multiWhole = build<(x: Vec) => Float64Array>(
            valueProgram([e, e2], VARS, 'vector', true),
          );
          expect(sameArrays(multi(p), multiWhole(p))).toBe(true);
          const mp = build<(...a: number[]) => Float64Array>(
            valueProgram([e, e2], VARS, 'positional', true),
            budget,
          );
          expect(sameArrays(mp(p[0], p[1], p[2]), multiWhole(p))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gradients and Hessians', () => {
    fc.assert(
      fc.property(arbNumericExpr(3), arbP, fc.constantFrom(...BUDGETS), (e, p, budget) => {
        type G = (x: Vec, g?: Float64Array) => number;
        const whole = build<G>(gradientProgram(e, VARS));
        const split = build<G>(gradientProgram(e, VARS), budget);
        const g1 = new Float64Array(3);
        const g2 = new Float64Array(3);
        expect(same(split(p, g1), whole(p, g2))).toBe(true);
        expect(sameArrays(g1, g2)).toBe(true);
        expect(same(split(p), whole(p))).toBe(true);
        type H = (x: Vec) => Float64Array;
        expect(
          sameArrays(
            build<H>(hessianProgram(e, VARS), budget)(p),
            build<H>(hessianProgram(e, VARS))(p),
          ),
        ).toBe(true);
        type HV = (x: Vec, v: Vec) => Float64Array;
        const v = [p[2], -p[0], 0.5];
        expect(
          sameArrays(
            build<HV>(hessianVectorProgram(e, VARS), budget)(p, v),
            build<HV>(hessianVectorProgram(e, VARS))(p, v),
          ),
        ).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('batch loops and their prologue', () => {
    const [a, b, x, y] = ['a', 'b', 'x', 'y'].map(sym);
    fc.assert(
      fc.property(
        arbNumericExpr(3, ['a', 'b', 'x', 'y']),
        fc.constantFrom(...BUDGETS),
        fc.constantFrom(0, BLOCK_GAIN),
        (e, budget, gain) => {
          const xs = Float64Array.from([0.5, -1.25, 2, 0.125]);
          const ys = Float64Array.from([1, 0.25, -0.75, 3]);
          const p = [0.7, -0.3];
          const spec = (reduce: Reduction): BatchSpec => ({
            data: [x, y],
            params: [a, b],
            constants: [],
            reduce,
            gradient: true,
            dataGradient: [],
            accumulate: false,
            valueOnly: true,
          });
          type K = (cols: Float64Array[], p: Vec, g?: Float64Array) => number;
          for (const reduce of ['sum', 'mean'] as const) {
            const whole = build<K>(batchProgram(e, spec(reduce)));
            const split = build<K>(batchProgram(e, spec(reduce)), budget, gain);
            const g1 = new Float64Array(2);
            const g2 = new Float64Array(2);
            expect(same(split([xs, ys], p, g1), whole([xs, ys], p, g2))).toBe(true);
            expect(sameArrays(g1, g2)).toBe(true);
            expect(same(split([xs, ys], p), whole([xs, ys], p))).toBe(true);
          }
          type N = (cols: Float64Array[], p: Vec, o: Float64Array, go?: Float64Array) => void;
          const whole = build<N>(batchProgram(e, spec('none')));
          const split = build<N>(batchProgram(e, spec('none')), budget, gain);
          const o1 = new Float64Array(4);
          const o2 = new Float64Array(4);
          const go1 = new Float64Array(8);
          const go2 = new Float64Array(8);
          whole([xs, ys], p, o1, go1);
          split([xs, ys], p, o2, go2);
          expect(sameArrays(o1, o2) && sameArrays(go1, go2)).toBe(true);
          // A constant, per-point partials by x, accumulation.
          type D = (cols: Float64Array[], p: Vec, g: Float64Array, dg: Float64Array) => number;
          const options: BatchSpec = {
            ...spec('sum'),
            params: [a],
            constants: [b],
            dataGradient: [x],
            accumulate: true,
            valueOnly: false,
          };
          const wholeD = build<D>(batchProgram(e, options));
          const splitD = build<D>(batchProgram(e, options), budget, gain);
          const [h1, h2] = [Float64Array.of(1), Float64Array.of(1)];
          const [dg1, dg2] = [new Float64Array(4).fill(2), new Float64Array(4).fill(2)];
          expect(same(splitD([xs, ys], p, h1, dg1), wholeD([xs, ys], p, h2, dg2))).toBe(true);
          expect(sameArrays(h1, h2) && sameArrays(dg1, dg2)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a chunked batch loop runs in blocks: invariants hoisted, accumulators in locals', () => {
    const [a, b, s, x, y] = ['a', 'b', 's', 'x', 'y'].map(sym);
    const e = add(pow(sub(tanh(add(mul(a, x), b)), y), 2), mul(s, a, sin(b)));
    const options: BatchSpec = {
      data: [x, y],
      params: [a, b],
      constants: [s],
      reduce: 'mean',
      gradient: true,
      dataGradient: [y],
      accumulate: false,
      valueOnly: true,
    };
    // Tiny chunks pass more values between them than blocking saves: by default they run
    // point by point; with a gain of 0 every loop that can runs in blocks.
    expect(
      layout(batchProgram(e, options), 6).units.some((u) =>
        u.main.body.some((l) => l.kind === 'blocks'),
      ),
    ).toBe(false);
    const laid = layout(batchProgram(e, options), 6, 0);
    const main = laid.units.find((u) => u.main.name === 'lossGradient')!;
    const blocks = main.main.body.find((l) => l.kind === 'blocks');
    expect(blocks).toBeDefined();
    expect(main.main.body.some((l) => l.kind === 'loop')).toBe(false);
    const blocked = main.chunks.filter((c) => c.params[0]?.name === 'i_from');
    expect(blocked.length).toBeGreaterThan(1);
    for (const c of blocked) {
      const loop = c.body.findIndex((l) => l.kind === 'range');
      expect(loop).toBeGreaterThanOrEqual(0);
      const inside = JSON.stringify(c.body[loop]);
      // Parameters and constants are read before the loop, never in it; accumulators too.
      expect(inside).not.toMatch(/"array":"p"|lossGradient_A/);
    }
    // Points not a multiple of the block, against the unchunked kernel, bit for bit.
    type D = (cols: Float64Array[], p: Vec, g: Float64Array, dg: Float64Array) => number;
    const whole = build<D>(batchProgram(e, options));
    const split = build<D>(batchProgram(e, options), 6, 0);
    const n = 3 * BLOCK_POINTS + 5;
    const xs = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const ys = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
    const [g1, g2] = [new Float64Array(2), new Float64Array(2)];
    const [d1, d2] = [new Float64Array(n), new Float64Array(n)];
    expect(split([xs, ys], [0.3, -0.2, 1.5], g1, d1)).toBe(
      whole([xs, ys], [0.3, -0.2, 1.5], g2, d2),
    );
    expect(sameArrays(g1, g2) && sameArrays(d1, d2)).toBe(true);
  });

  it('loops whose points share a location are not blocked', () => {
    // A rerolled gradient loop adds into g[i] and g[i + 1]: its chunks run point by point.
    const xs = Array.from({ length: 12 }, (_, k) => sym(`r${k}`));
    const terms = xs
      .slice(0, -1)
      .map((v, k) => add(mul(100, pow(sub(xs[k + 1], pow(v, 2)), 2)), pow(sub(1, v), 2)));
    const laid = layout(gradientProgram(add(...terms), xs), 6, 0);
    const unit = laid.units.find((u) => u.main.name === 'gradient_r1')!;
    expect(unit.chunks.length).toBeGreaterThan(0);
    const lines = [unit.main.body, ...unit.chunks.map((c) => c.body)].flat();
    expect(lines.some((l) => l.kind === 'blocks' || l.kind === 'range')).toBe(false);
    // Its value-only twin only accumulates a sum: that one runs in blocks.
    const value = laid.units.find((u) => u.main.name === 'value_r1')!;
    expect(value.main.body.some((l) => l.kind === 'blocks')).toBe(true);
  });

  it('blocks an MLP training kernel at the default budget', () => {
    // (Σ_j v_j·tanh(Σ_i W_ij·tanh(w_i·x + b_i) + c_j) − y)², 16 units per layer.
    const H = 16;
    const [x, y] = [sym('x'), sym('y')];
    const row = (name: string) => Array.from({ length: H }, (_, i) => sym(`${name}${i}`));
    const [w, b, c, v] = [row('w'), row('b'), row('c'), row('v')];
    const W = w.map((_, i) => row(`W${i}_`));
    const h1 = w.map((wi, i) => tanh(add(mul(wi, x), b[i])));
    const h2 = c.map((cj, j) => tanh(add(...h1.map((h, i) => mul(W[i][j], h)), cj)));
    const e = pow(sub(add(...h2.map((h, j) => mul(v[j], h))), y), 2);
    const spec: BatchSpec = {
      data: [x, y],
      params: [...w, ...b, ...W.flat(), ...c, ...v],
      constants: [],
      reduce: 'sum',
      gradient: true,
      dataGradient: [],
      accumulate: false,
      valueOnly: false,
    };
    const laid = layout(batchProgram(e, spec));
    expect(laid.chunks).toBeGreaterThan(1);
    expect(laid.units[0].main.body.some((l) => l.kind === 'blocks')).toBe(true);
  });

  it('actually splits', () => {
    const e = add(...Array.from({ length: 30 }, (_, k) => sin(mul(k + 1, VARS[k % 3]))));
    expect(layout(gradientProgram(e, VARS), 10).chunks).toBeGreaterThan(5);
    expect(layout(gradientProgram(e, VARS)).chunks).toBe(0);
  });
});

describe('10⁵-node gradients', () => {
  it('a deep chain f_k = tanh(w_k·f_{k−1}), L = (f_n − y)²', () => {
    const n = 33_334;
    const ws = Array.from({ length: n }, (_, k) => sym(`w${k}`));
    let f: Expr = sym('x');
    for (const w of ws) f = tanh(mul(w, f));
    const loss = pow(sub(f, sym('y')), 2);
    expect(size(loss)).toBeGreaterThanOrEqual(100_000);
    const lg = compileGradient(loss, [...ws, sym('x'), sym('y')]);
    expect(lg.source).toContain('gradient_c1(');
    // Weights near 1 keep the gradient from vanishing along the chain.
    const p = Float64Array.from({ length: n + 2 }, (_, k) => 1 + 0.001 * Math.sin(k));
    p[n] = 0.8;
    p[n + 1] = -0.3;
    const g = new Float64Array(n + 2);
    const value = lg(p, g);
    // Hand-written reverse mode.
    const fs = new Float64Array(n + 1);
    fs[0] = p[n];
    for (let k = 1; k <= n; k++) fs[k] = Math.tanh(p[k - 1] * fs[k - 1]);
    const r = fs[n] - p[n + 1];
    expect(value).toBe(r * r);
    let d = 2 * r;
    let worst = 0;
    for (let k = n; k >= 1; k--) {
      const dz = d * (1 - fs[k] * fs[k]);
      const want = dz * fs[k - 1];
      worst = Math.max(worst, Math.abs(g[k - 1] - want) / Math.abs(want));
      d = dz * p[k - 1];
    }
    expect(worst).toBeLessThan(1e-12);
    expect(Math.abs(g[n] - d) / Math.abs(d)).toBeLessThan(1e-12);
    expect(g[n + 1]).toBe(-2 * r);
  }, 120_000);

  it('a wide sum Σ_k (k+1)·sin(w_k·x)·w_k (distinct coefficients: not rerolled)', () => {
    const n = 20_000;
    const x = sym('x');
    const ws = Array.from({ length: n }, (_, k) => sym(`w${k}`));
    const e = add(...ws.map((w, k) => mul(k + 1, sin(mul(w, x)), w)));
    expect(size(e)).toBeGreaterThanOrEqual(100_000);
    const lg = compileGradient(e, [x, ...ws]);
    expect(lg.source).not.toContain('_r1');
    expect(lg.source).toContain('gradient_c1(');
    const p = Float64Array.from({ length: n + 1 }, (_, k) => Math.cos(k));
    const g = new Float64Array(n + 1);
    const value = lg(p, g);
    let sum = 0;
    let dx = 0;
    let worst = 0;
    for (let k = 0; k < n; k++) {
      const w = p[k + 1];
      const c = k + 1;
      sum += c * Math.sin(w * p[0]) * w;
      dx += c * Math.cos(w * p[0]) * w * w;
      const dw = c * (Math.sin(w * p[0]) + Math.cos(w * p[0]) * p[0] * w);
      worst = Math.max(worst, Math.abs(g[k + 1] - dw) / (1 + Math.abs(dw)));
    }
    expect(worst).toBeLessThan(1e-13);
    expect(Math.abs(value - sum)).toBeLessThan(1e-12 * n * n);
    expect(Math.abs(g[0] - dx)).toBeLessThan(1e-12 * n * n);
  }, 120_000);
});
