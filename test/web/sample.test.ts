// The plot sampler: gaps where values are not finite, cuts exactly at jumps and poles, and
// never a cut in a continuous function, however steep.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Evaluator, sample, typicalRange } from '../../web/src/sample.js';

const one =
  (f: (t: number) => number): Evaluator =>
  (t, out) => {
    out[0] = f(t);
  };

/** The [t_i, t_{i+1}] intervals that were cut. */
function cutIntervals(f: (t: number) => number, from: number, to: number, count = 601) {
  const s = sample(one(f), 1, from, to, count);
  const cuts: [number, number][] = [];
  s.cuts[0].forEach((c, i) => {
    if (c === 1) cuts.push([s.t[i], s.t[i + 1]]);
  });
  return { s, cuts };
}

describe('sample', () => {
  it('samples evenly, endpoints exact, every channel', () => {
    const s = sample(
      (t, out) => {
        out[0] = t * t;
        out[1] = 2 * t;
      },
      2,
      -1,
      3,
      5,
    );
    expect([...s.t]).toEqual([-1, 0, 1, 2, 3]);
    expect([...s.values[0]]).toEqual([1, 0, 1, 4, 9]);
    expect([...s.values[1]]).toEqual([-2, 0, 2, 4, 6]);
    expect(s.cuts.map((c) => c.length)).toEqual([4, 4]);
  });

  it('leaves smooth functions uncut', () => {
    expect(cutIntervals(Math.sin, -10, 10).cuts).toEqual([]);
    expect(cutIntervals((t) => Math.sin(t * t), -3, 3).cuts).toEqual([]);
    expect(cutIntervals(Math.exp, -5, 20).cuts).toEqual([]);
    expect(cutIntervals(Math.abs, -1, 1).cuts).toEqual([]);
  });

  it('does not cut a steep but continuous rise', () => {
    // atan(1000 t) climbs by ~π within about one sample interval.
    expect(cutIntervals((t) => Math.atan(1000 * t), -1, 1).cuts).toEqual([]);
    expect(cutIntervals((t) => Math.tanh(5000 * (t - 0.3)), -1, 1).cuts).toEqual([]);
  });

  it('cuts at each pole of tan, inside the interval holding it', () => {
    const { cuts } = cutIntervals(Math.tan, -3, 3);
    expect(cuts).toHaveLength(2);
    expect(cuts[0][0] < -Math.PI / 2 && -Math.PI / 2 < cuts[0][1]).toBe(true);
    expect(cuts[1][0] < Math.PI / 2 && Math.PI / 2 < cuts[1][1]).toBe(true);
  });

  it('cuts at steps and at 1/x, but not elsewhere', () => {
    for (const f of [Math.sign, (t: number) => 1 / t, (t: number) => (t < 0.25 ? 0 : 3)]) {
      const { cuts } = cutIntervals(f, -1, 1, 600);
      expect(cuts).toHaveLength(1);
    }
  });

  it('marks non-finite values as NaN gaps', () => {
    const { s } = cutIntervals(Math.sqrt, -1, 1, 201);
    expect(Number.isNaN(s.values[0][0])).toBe(true);
    expect(s.values[0][200]).toBe(1);
    const log = sample(one(Math.log), 1, 0, 1, 11);
    expect(Number.isNaN(log.values[0][0])).toBe(true); // log 0 = -Infinity: not drawable
  });

  it('stops looking for jumps when its budget is spent', () => {
    let calls = 0;
    const counted: Evaluator = (t, out) => {
      calls++;
      out[0] = Math.tan(t);
    };
    const s = sample(counted, 1, -3, 3, 601, { refineBudget: 0 });
    expect(calls).toBe(601);
    expect(s.cuts[0].every((c) => c === 0)).toBe(true);
  });

  it('never cuts a random cubic (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: 1e-3, max: 100, noNaN: true }),
        ([a, b, c, d], from, width) => {
          const f = (t: number) => ((a * t + b) * t + c) * t + d;
          const s = sample(one(f), 1, from, from + width, 301);
          return s.cuts[0].every((x) => x === 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('typicalRange', () => {
  it('ignores a few huge values near a pole', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => (i === 50 ? 1e12 : i % 10));
    expect(typicalRange(values)).toBe(9);
  });
  it('is zero for constants, rounding noise and empty input', () => {
    expect(typicalRange(new Float64Array([2, 2, 2]))).toBe(0);
    expect(typicalRange(new Float64Array([1e-72, 1e-72 * (1 + 2 ** -52), 1e-72]))).toBe(0);
    expect(typicalRange(new Float64Array([1, 1 + 2 ** -30]))).toBe(2 ** -30);
    expect(typicalRange(new Float64Array([0, -5e-324, 0]))).toBe(0); // subnormal steps
    expect(typicalRange(new Float64Array([Number.NaN]))).toBe(0);
  });
});
