// compileGradient ≡ grad + evaluate on random expressions; the fused function's contract
// (value, gradOut, no allocation, the value-only path); Hessian and Hessian-vector products
// against the symbolic Hessian; checkGradient.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkGradient,
  compile,
  compileGradient,
  compileHessian,
  compileHessianVector,
} from '../../src/codegen/index.js';
import { grad, hessian } from '../../src/diff/diff.js';
import {
  abs,
  add,
  div,
  evaluate,
  exp,
  InvalidArgumentError,
  log,
  mul,
  pow,
  relu,
  sigmoid,
  sin,
  sqrt,
  sub,
  sym,
  tanh,
} from '../../src/expr/index.js';
import {
  agrees,
  arbNumericExpr,
  arbValuePoint,
  chainRuleSingular,
  reverseMagnitude,
} from './helpers.js';

const VARS = ['x', 'y', 'z'];
const [x, y, z] = VARS.map(sym);

describe('compileGradient ≡ grad + evaluate', () => {
  it('on random expressions', () => {
    fc.assert(
      fc.property(arbNumericExpr(4), arbValuePoint(VARS), (e, at) => {
        const f = compileGradient(e, VARS);
        const g = new Float64Array(3);
        const point = [at.x, at.y, at.z];
        const value = f(point, g);
        const v = evaluate(e, at);
        if (!agrees(value, v, e, at)) throw new Error(`value of ${String(e)}: ${value} ≠ ${v}`);
        // Where f itself is NaN or infinite its partials are unspecified: the symbolic ones
        // may have simplified the singularity away (z·z⁻¹ = 1), the chain rule keeps it.
        if (!Number.isFinite(v) || chainRuleSingular(e, at)) return;
        const scale = reverseMagnitude(e, VARS, at);
        grad(e, VARS).forEach((d, i) => {
          const expected = evaluate(d, at);
          const cancelled = Math.abs(g[i] - expected) <= 1e-12 * scale[i];
          if (!cancelled && !agrees(g[i], expected, d, at)) {
            throw new Error(
              `∂/∂${VARS[i]} of ${String(e)} at ${JSON.stringify(at)}: ${g[i]} ≠ ${expected} (${String(d)})\n${f.source}`,
            );
          }
        });
      }),
      { numRuns: 1500 },
    );
  });

  it('returns the same value as compile, and the value alone without gradOut', () => {
    fc.assert(
      fc.property(arbNumericExpr(3), arbValuePoint(VARS), (e, at) => {
        const point = [at.x, at.y, at.z];
        const f = compileGradient(e, VARS);
        const withGrad = f(point, new Float64Array(3));
        expect(
          Object.is(f(point), withGrad) || (Number.isNaN(withGrad) && Number.isNaN(f(point))),
        ).toBe(true);
        expect(agrees(withGrad, compile(e, VARS, { input: 'vector' })(point), e, at)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes zeros for variables that do not occur and accepts plain arrays', () => {
    const f = compileGradient(mul(x, x), ['x', 'y']);
    const g = new Float64Array([7, 7]);
    expect(f([3, 1], g)).toBe(9);
    expect([...g]).toEqual([6, 0]);
  });

  it('the two-layer loss, against hand-derived partials', () => {
    const [w1, w2, xs, ys] = ['w1', 'w2', 'x', 'y'].map(sym);
    const loss = pow(sub(tanh(mul(w2, tanh(mul(w1, xs)))), ys), 2);
    const f = compileGradient(loss, ['w1', 'w2', 'x', 'y']);
    const g = new Float64Array(4);
    const p = [0.7, -1.3, 0.4, 0.2];
    const a = Math.tanh(p[0] * p[2]);
    const b = Math.tanh(p[1] * a);
    const r = b - p[3];
    const dz2 = 2 * r * (1 - b * b);
    expect(f(p, g)).toBe(r * r);
    expect(g[0]).toBeCloseTo(dz2 * p[1] * (1 - a * a) * p[2], 15);
    expect(g[1]).toBeCloseTo(dz2 * a, 15);
    expect(g[3]).toBeCloseTo(-2 * r, 15);
  });

  it('takes data inputs that are not differentiated', () => {
    const [w, xs] = ['w', 'x'].map(sym);
    const f = compileGradient(pow(sub(mul(w, xs), y), 2), ['w'], { data: ['x', 'y'] });
    const g = new Float64Array(1);
    expect(f([2, 3, 1], g)).toBe(25);
    expect(g[0]).toBe(2 * 5 * 3);
    expect(() => f([2, 3], g)).toThrow(/at least 3/);
    expect(() => compileGradient(xs, ['x'], { data: ['x'] })).toThrow(/twice/);
  });

  it('rejects short inputs with a typed error', () => {
    const f = compileGradient(add(x, y), ['x', 'y']);
    expect(() => f([1], new Float64Array(2))).toThrow(InvalidArgumentError);
    expect(() => f([1, 2], new Float64Array(1))).toThrow(/gradOut/);
  });
});

describe('Hessians', () => {
  it('compileHessian ≡ hessian + evaluate, symmetric', () => {
    fc.assert(
      fc.property(arbNumericExpr(3), arbValuePoint(VARS), (e, at) => {
        fc.pre(Number.isFinite(evaluate(e, at)) && !chainRuleSingular(e, at));
        fc.pre(grad(e, VARS).every((d) => !chainRuleSingular(d, at)));
        const h = compileHessian(e, VARS)([at.x, at.y, at.z]);
        const expected = hessian(e, VARS);
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            const want = evaluate(expected[i][j], at);
            if (!agrees(h[i * 3 + j], want, expected[i][j], at)) {
              throw new Error(`H[${i}][${j}] of ${String(e)}: ${h[i * 3 + j]} ≠ ${want}`);
            }
            expect(Object.is(h[i * 3 + j], h[j * 3 + i])).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compileHessianVector ≡ H·v', () => {
    const e = add(
      mul(sin(mul(x, y)), exp(z)),
      pow(x, 3),
      mul(y, sqrt(add(z, 4))),
      div(x, add(2, y)),
    );
    const h = compileHessian(e, VARS);
    const hv = compileHessianVector(e, VARS);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (xs) => {
          const p = xs.slice(0, 3);
          const v = xs.slice(3);
          const H = h(p);
          const out = hv(p, v, new Float64Array(3));
          for (let i = 0; i < 3; i++) {
            const want = H[i * 3] * v[0] + H[i * 3 + 1] * v[1] + H[i * 3 + 2] * v[2];
            expect(Math.abs(out[i] - want)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want)) * 10);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a known Hessian', () => {
    const e = mul(pow(x, 2), y);
    expect([...compileHessian(e, ['x', 'y'])([3, 5])]).toEqual([10, 6, 6, 0]);
    expect([...compileHessianVector(e, ['x', 'y'])([3, 5], [1, 0])]).toEqual([10, 6]);
  });
});

describe('checkGradient', () => {
  it('agrees with the compiled gradient on smooth functions', () => {
    const e = add(mul(sin(mul(x, y)), exp(z)), log(add(2, mul(x, x))), sigmoid(mul(3, z)));
    const r = checkGradient(e, VARS, [0.3, -1.2, 0.8]);
    expect(r.ok).toBe(true);
    expect(r.maxRelError).toBeLessThan(1e-7);
    expect(r.components.map((c) => c.variable)).toEqual(VARS);
    expect(r.value).toBe(evaluate(e, { x: 0.3, y: -1.2, z: 0.8 }));
    expect(checkGradient(e, VARS, { x: 0.3, y: -1.2, z: 0.8 }).components).toEqual(r.components);
  });

  it('reports a kink, where the one-sided convention differs from the central difference', () => {
    const r = checkGradient(add(relu(x), abs(y)), ['x', 'y'], [0, 0]);
    expect(r.components[0].analytic).toBe(0);
    expect(r.components[0].numeric).toBeCloseTo(0.5, 12);
    expect(r.components[0].ok).toBe(false);
    expect(r.components[1].ok).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.maxAbsError).toBeCloseTo(0.5, 12);
  });

  it('propagates NaN into the maxima', () => {
    const r = checkGradient(add(log(x), y), ['x', 'y'], [-1, 2]);
    expect(r.ok).toBe(false);
    expect(Number.isNaN(r.maxAbsError)).toBe(true);
  });

  it('checks the point', () => {
    expect(() => checkGradient(x, ['x'], [1, 2])).toThrow(InvalidArgumentError);
    expect(() => checkGradient(x, ['x'], { y: 1 })).toThrow(/'x'/);
  });
});
