// compileBatch ≡ per-point loops over the compiled point functions (the same float
// operations, summed in the same order, so the agreement is exact), the reductions, the
// point-wise form, hoisting, and the typed errors for bad columns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, compileBatch, compileGradient } from '../../src/codegen/index.js';
import {
  add,
  type Expr,
  exp,
  InvalidArgumentError,
  mul,
  pow,
  sigmoid,
  sub,
  sym,
  tanh,
  UnboundSymbolError,
} from '../../src/expr/index.js';
import { arbNumericExpr } from './helpers.js';

const DATA = ['x', 'y'];
const PARAMS = ['a', 'b'];
const NAMES = [...PARAMS, ...DATA];

const same = (a: number, b: number): boolean =>
  Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

const arbColumns = fc
  .integer({ min: 0, max: 9 })
  .chain((n) =>
    fc.tuple(
      fc.float64Array({ minLength: n, maxLength: n, min: -3, max: 3, noNaN: true }),
      fc.float64Array({ minLength: n, maxLength: n, min: -3, max: 3, noNaN: true }),
    ),
  );
const arbParams = fc.tuple(
  fc.double({ min: -2, max: 2, noNaN: true }),
  fc.double({ min: -2, max: 2, noNaN: true }),
);

/** Σ over points of the point function, in point order (what the kernel must equal). */
function perPoint(e: Expr, xs: Float64Array, ys: Float64Array, p: readonly number[]) {
  const f = compileGradient(e, NAMES);
  const g = new Float64Array(4);
  const values: number[] = [];
  const grads: number[][] = [];
  let sum = 0;
  const gsum = [0, 0];
  for (let i = 0; i < xs.length; i++) {
    const v = f([p[0], p[1], xs[i], ys[i]], g);
    values.push(v);
    grads.push([g[0], g[1]]);
    sum += v;
    gsum[0] += g[0];
    gsum[1] += g[1];
  }
  return { values, grads, sum, gsum };
}

describe('compileBatch ≡ per-point loops', () => {
  it('sum and mean, value and gradient', () => {
    fc.assert(
      fc.property(arbNumericExpr(3, NAMES), arbColumns, arbParams, (e, [xs, ys], p) => {
        const ref = perPoint(e, xs, ys, p);
        const n = xs.length;
        const sum = compileBatch(e, { data: DATA, params: PARAMS });
        const mean = compileBatch(e, { data: DATA, params: PARAMS, reduce: 'mean' });
        const g = new Float64Array(2);
        expect(same(sum({ x: xs, y: ys }, p, g), ref.sum)).toBe(true);
        expect(same(g[0], ref.gsum[0]) && same(g[1], ref.gsum[1])).toBe(true);
        expect(same(sum({ x: xs, y: ys }, p), ref.sum)).toBe(true);
        expect(same(mean({ x: xs, y: ys }, p, g), ref.sum / n)).toBe(true);
        expect(same(g[0], ref.gsum[0] / n) && same(g[1], ref.gsum[1] / n)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('value-only kernels', () => {
    fc.assert(
      fc.property(arbNumericExpr(3, NAMES), arbColumns, arbParams, (e, [xs, ys], p) => {
        const f = compile(e, NAMES);
        let sum = 0;
        for (let i = 0; i < xs.length; i++) sum += f(p[0], p[1], xs[i], ys[i]);
        const k = compileBatch(e, { data: DATA, params: PARAMS, gradient: false });
        expect(same(k({ x: xs, y: ys }, p), sum)).toBe(true);
        expect(() => k({ x: xs, y: ys }, p, new Float64Array(2))).toThrow(/gradient: false/);
      }),
      { numRuns: 200 },
    );
  });

  it("reduce: 'none' writes per-point values and gradients", () => {
    fc.assert(
      fc.property(arbNumericExpr(3, NAMES), arbColumns, arbParams, (e, [xs, ys], p) => {
        const ref = perPoint(e, xs, ys, p);
        const k = compileBatch(e, { data: DATA, params: PARAMS, reduce: 'none' });
        const out = new Float64Array(xs.length);
        const go = new Float64Array(2 * xs.length);
        expect(k({ x: xs, y: ys }, p, out, go)).toBeUndefined();
        for (let i = 0; i < xs.length; i++) {
          expect(same(out[i], ref.values[i])).toBe(true);
          expect(same(go[2 * i], ref.grads[i][0]) && same(go[2 * i + 1], ref.grads[i][1])).toBe(
            true,
          );
        }
        const values = new Float64Array(xs.length);
        k({ x: xs, y: ys }, p, values);
        expect([...values].every((v, i) => same(v, ref.values[i]))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('the two-layer loss over many points, against the hand-written loop', () => {
    const [w1, w2, x, y] = ['w1', 'w2', 'x', 'y'].map(sym);
    const loss = pow(sub(tanh(mul(w2, tanh(mul(w1, x)))), y), 2);
    const n = 1000;
    const xs = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 2);
    const ys = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
    const k = compileBatch(loss, { data: ['x', 'y'], params: ['w1', 'w2'], reduce: 'mean' });
    const g = new Float64Array(2);
    const L = k({ x: xs, y: ys }, [0.4, -0.9], g);
    let L0 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.tanh(0.4 * xs[i]);
      const b = Math.tanh(-0.9 * a);
      const r = b - ys[i];
      L0 += r * r;
      g2 += 2 * r * (1 - b * b) * a;
      g1 += 2 * r * (1 - b * b) * -0.9 * (1 - a * a) * xs[i];
    }
    expect(L).toBeCloseTo(L0 / n, 14);
    expect(g[0]).toBeCloseTo(g1 / n, 14);
    expect(g[1]).toBeCloseTo(g2 / n, 14);
  });

  it('hoists parameter-only subexpressions out of the loop', () => {
    const [a, b, x] = ['a', 'b', 'x'].map(sym);
    const e = mul(tanh(sigmoid(add(a, b))), exp(mul(a, x)));
    const k = compileBatch(e, { data: ['x'], params: ['a', 'b'] });
    const src = k.source.slice(k.source.indexOf('function lossGradient'));
    const loop = src.slice(src.indexOf('for (i = 0'));
    expect(src.indexOf('Math.tanh(')).toBeLessThan(src.indexOf('for (i = 0'));
    expect(loop).not.toContain('Math.tanh(');
    expect(loop).toContain('Math.exp(');
  });
});

describe('compileBatch options', () => {
  // Per point, the reference is compileGradient by every symbol: params a, b, data x, y.
  it('constants: read after the parameters, not differentiated', () => {
    fc.assert(
      fc.property(arbNumericExpr(3, NAMES), arbColumns, arbParams, (e, [xs, ys], p) => {
        const ref = perPoint(e, xs, ys, p);
        // b as a constant: the same sums, the gradient by a only.
        const k = compileBatch(e, { data: DATA, params: ['a'], constants: ['b'] });
        const g = new Float64Array([Number.NaN, 7]);
        expect(same(k({ x: xs, y: ys }, p, g), ref.sum)).toBe(true);
        expect(same(g[0], ref.gsum[0])).toBe(true);
        expect(g[1]).toBe(7); // one entry per parameter: the rest is untouched
      }),
      { numRuns: 150 },
    );
  });

  it('constants are loop-invariant: what depends on them alone is hoisted', () => {
    const [a, s, x] = ['a', 's', 'x'].map(sym);
    const k = compileBatch(mul(tanh(s), exp(mul(a, x))), {
      data: ['x'],
      params: ['a'],
      constants: ['s'],
    });
    const src = k.source.slice(k.source.indexOf('function lossGradient'));
    expect(src.indexOf('Math.tanh(')).toBeLessThan(src.indexOf('for (i = 0'));
    expect(src.slice(src.indexOf('for (i = 0'))).not.toContain('Math.tanh(');
    const g = new Float64Array(1);
    const xs = Float64Array.from([0.5, -1]);
    const value = k({ x: xs }, [0.3, 2], g);
    const expected = Math.tanh(2) * (Math.exp(0.15) + Math.exp(-0.3));
    expect(value).toBeCloseTo(expected, 14);
    expect(g[0]).toBeCloseTo(Math.tanh(2) * (0.5 * Math.exp(0.15) - Math.exp(-0.3)), 14);
  });

  it('dataGradient: the partial by data variables at every point, whatever the reduction', () => {
    fc.assert(
      fc.property(arbNumericExpr(3, NAMES), arbColumns, arbParams, (e, [xs, ys], p) => {
        const n = xs.length;
        const f = compileGradient(e, NAMES);
        const point = new Float64Array(4);
        const ref: number[][] = [];
        for (let i = 0; i < n; i++) {
          f([p[0], p[1], xs[i], ys[i]], point);
          ref.push([...point]);
        }
        const ours = perPoint(e, xs, ys, p);
        for (const reduce of ['sum', 'mean'] as const) {
          const k = compileBatch(e, {
            data: DATA,
            params: PARAMS,
            reduce,
            dataGradient: ['y', 'x'],
          });
          const g = new Float64Array(2);
          const dg = new Float64Array(2 * n);
          const value = k({ x: xs, y: ys }, p, g, dg);
          expect(same(value, reduce === 'sum' ? ours.sum : ours.sum / n)).toBe(true);
          const scale = reduce === 'sum' ? 1 : n;
          expect(same(g[0], ours.gsum[0] / scale) && same(g[1], ours.gsum[1] / scale)).toBe(true);
          for (let i = 0; i < n; i++) {
            expect(same(dg[2 * i], ref[i][3]) && same(dg[2 * i + 1], ref[i][2])).toBe(true);
          }
        }
        const none = compileBatch(e, {
          data: DATA,
          params: PARAMS,
          reduce: 'none',
          dataGradient: ['x'],
        });
        const out = new Float64Array(n);
        const go = new Float64Array(2 * n);
        const dx = new Float64Array(n);
        none({ x: xs, y: ys }, p, out, go, dx);
        for (let i = 0; i < n; i++) {
          expect(same(out[i], ours.values[i]) && same(dx[i], ref[i][2])).toBe(true);
          expect(same(go[2 * i], ref[i][0]) && same(go[2 * i + 1], ref[i][1])).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('accumulate: gradients are added into gradOut and dataGradOut', () => {
    const [a, x] = ['a', 'x'].map(sym);
    const e = mul(tanh(mul(a, x)), x);
    const xs = Float64Array.from([0.5, -1.5, 2]);
    const fresh = compileBatch(e, { data: ['x'], params: ['a'], dataGradient: ['x'] });
    const added = compileBatch(e, {
      data: ['x'],
      params: ['a'],
      dataGradient: ['x'],
      accumulate: true,
    });
    const g = new Float64Array(1);
    const dx = new Float64Array(3);
    fresh({ x: xs }, [0.7], g, dx);
    const g2 = Float64Array.from([10]);
    const dx2 = Float64Array.from([1, 2, 3]);
    added({ x: xs }, [0.7], g2, dx2);
    expect(g2[0]).toBe(10 + g[0]);
    expect([...dx2]).toEqual([1 + dx[0], 2 + dx[1], 3 + dx[2]]);
    const pointwise = compileBatch(e, {
      data: ['x'],
      params: ['a'],
      reduce: 'none',
      accumulate: true,
    });
    const out = new Float64Array(3);
    const go = Float64Array.from([1, 1, 1]);
    pointwise({ x: xs }, [0.7], out, go);
    const t = (v: number) => Math.tanh(0.7 * v);
    xs.forEach((v, i) => {
      expect(out[i]).toBe(t(v) * v); // values are written, not added
      expect(go[i]).toBeCloseTo(1 + (1 - t(v) ** 2) * v * v, 14);
    });
  });

  it("gradOut: 'required' compiles no value-only version", () => {
    fc.assert(
      fc.property(arbNumericExpr(3, NAMES), arbColumns, arbParams, (e, [xs, ys], p) => {
        const ref = perPoint(e, xs, ys, p);
        const k = compileBatch(e, { data: DATA, params: PARAMS, gradOut: 'required' });
        expect(k.source).not.toContain('function loss(');
        const g = new Float64Array(2);
        expect(same(k({ x: xs, y: ys }, p, g), ref.sum)).toBe(true);
        expect(same(g[0], ref.gsum[0]) && same(g[1], ref.gsum[1])).toBe(true);
        expect(() => k({ x: xs, y: ys }, p)).toThrow(/gradOut: 'required'/);
        const none = compileBatch(e, {
          data: DATA,
          params: PARAMS,
          reduce: 'none',
          gradOut: 'required',
        });
        expect(none.source).not.toContain('function values(');
        const out = new Float64Array(xs.length);
        const go = new Float64Array(2 * xs.length);
        none({ x: xs, y: ys }, p, out, go);
        expect([...out].every((v, i) => same(v, ref.values[i]))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('checks the new options and outputs', () => {
    const [a, s, x, y] = ['a', 's', 'x', 'y'].map(sym);
    const e = mul(a, s, x, y);
    const base = { data: ['x', 'y'], params: ['a'], constants: ['s'] };
    expect(() => compileBatch(e, { ...base, constants: ['s', 'a'] })).toThrow(
      /'a' is both a parameter and a constant/,
    );
    expect(() => compileBatch(e, { ...base, constants: ['s', 'x'] })).toThrow(/both/);
    expect(() => compileBatch(e, { ...base, dataGradient: ['a'] })).toThrow(
      /'a' is not one of the data variables/,
    );
    expect(() => compileBatch(e, { ...base, gradient: false, dataGradient: ['x'] })).toThrow(
      /dataGradient needs gradient: true/,
    );
    expect(() => compileBatch(e, { ...base, gradient: false, accumulate: true })).toThrow(
      /accumulate needs gradient: true/,
    );
    expect(() => compileBatch(e, { ...base, gradOut: 'always' as unknown as 'required' })).toThrow(
      /gradOut must be/,
    );
    const col = Float64Array.from([1, 2]);
    const k = compileBatch(e, { ...base, dataGradient: ['y'] });
    expect(() => k({ x: col, y: col }, [1, 2], undefined, new Float64Array(2))).toThrow(
      /dataGradOut needs gradOut/,
    );
    expect(() => k({ x: col, y: col }, [1, 2], new Float64Array(1))).toThrow(/dataGradOut/);
    expect(() => k({ x: col, y: col }, [1, 2], new Float64Array(1), new Float64Array(1))).toThrow(
      /dataGradOut must be a Float64Array with one entry per point/,
    );
    expect(() => k({ x: col, y: col }, [1], new Float64Array(1), new Float64Array(2))).toThrow(
      /params needs at least 2 entries/,
    );
    const plain = compileBatch(e, base);
    expect(() => plain({ x: col, y: col }, [1, 2], new Float64Array(1), col)).toThrow(
      /no dataGradient variables/,
    );
    expect(k({ x: col, y: col }, [3, 2])).toBe(3 * 2 * (1 + 4)); // value only, params [a, s]
  });
});

describe('compileBatch errors', () => {
  const [a, x, y] = ['a', 'x', 'y'].map(sym);
  const k = compileBatch(mul(a, x, y), { data: ['x', 'y'], params: ['a'] });
  const col = (n: number): Float64Array => new Float64Array(n).fill(1);

  it('names a missing, mistyped or mismatched column', () => {
    expect(() => k({ x: col(3) }, [1])).toThrow(InvalidArgumentError);
    expect(() => k({ x: col(3) }, [1])).toThrow(/'y' is missing/);
    expect(() => k({ x: col(3), y: [1, 2, 3] as unknown as Float64Array }, [1])).toThrow(
      /'y' must be a Float64Array/,
    );
    expect(() => k({ x: col(3), y: col(4) }, [1])).toThrow(/'y' has 4 entries, 'x' has 3/);
  });

  it('checks params, gradOut and out', () => {
    expect(() => k({ x: col(3), y: col(3) }, [])).toThrow(/params/);
    expect(() => k({ x: col(3), y: col(3) }, [1], new Float64Array(0))).toThrow(/gradOut/);
    const none = compileBatch(mul(a, x), { data: ['x'], params: ['a'], reduce: 'none' });
    expect(() => none({ x: col(3) }, [1], new Float64Array(2))).toThrow(/out/);
    expect(() => none({ x: col(3) }, [1], new Float64Array(3), new Float64Array(2))).toThrow(
      /gradOut/,
    );
  });

  it('checks the options', () => {
    expect(() => compileBatch(mul(a, x), { data: [], params: ['a', 'x'] })).toThrow(
      /data variable/,
    );
    expect(() => compileBatch(mul(a, x), { data: ['x'], params: ['x', 'a'] })).toThrow(/both/);
    expect(() => compileBatch(mul(a, x, y), { data: ['x'], params: ['a'] })).toThrow(
      UnboundSymbolError,
    );
    expect(() =>
      compileBatch(mul(a, x), { data: ['x'], params: ['a'], reduce: 'max' as unknown as 'sum' }),
    ).toThrow(/reduce/);
  });

  it('an empty batch sums to 0 and averages to NaN', () => {
    const empty = new Float64Array(0);
    expect(k({ x: empty, y: empty }, [1])).toBe(0);
    const mean = compileBatch(mul(a, x), { data: ['x'], params: ['a'], reduce: 'mean' });
    expect(mean({ x: empty }, [1])).toBeNaN();
  });
});
