// Numerically stable forms: sigmoid and softplus (the functions and their written-out
// forms) with finite, correct values and gradients for |u| up to 1000; log1p and expm1
// where 1 + u and exp(u) − 1 would cancel.
import { describe, expect, it } from 'vitest';
import { compile, compileBatch, compileGradient, compileHessian } from '../../src/codegen/index.js';
import {
  add,
  div,
  evaluate,
  exp,
  log,
  mul,
  neg,
  parse,
  sigmoid,
  softplus,
  sub,
  sym,
} from '../../src/expr/index.js';

const u = sym('u');
const w = sym('w');
const EXTREMES = [-1000, -745, -40, -1e-20, 0, 1e-20, 40, 745, 1000];

/** Reference σ and softplus in the stable textbook forms. */
const sig = (t: number): number =>
  t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
const sp = (t: number): number => Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-15 * Math.max(1, Math.abs(b));

describe.each([
  ['sigmoid(w·u)', mul(w, sigmoid(mul(w, u)))],
  ['1/(1 + exp(−w·u)) written out', mul(w, div(1, add(1, exp(neg(mul(w, u))))))],
])('%s', (_, e) => {
  it('has finite, correct values and gradients at extremes', () => {
    const f = compileGradient(e, ['w', 'u']);
    const g = new Float64Array(2);
    for (const t of EXTREMES) {
      const s = sig(t);
      expect(near(f([1, t], g), s)).toBe(true);
      // ∂/∂u = w²·σ′(wu) = σ(1 − σ) at w = 1; ∂/∂w = σ + w·u·σ′.
      expect(Number.isFinite(g[0]) && Number.isFinite(g[1])).toBe(true);
      expect(near(g[1], s * (1 - s))).toBe(true);
      expect(near(g[0], s + t * s * (1 - s))).toBe(true);
    }
  });
});

describe.each([
  ['softplus(u)', softplus(u)],
  ['log(1 + exp(u)) written out', log(add(1, exp(u)))],
])('%s', (_, e) => {
  it('has finite, correct values and gradients at extremes', () => {
    const f = compileGradient(e, ['u']);
    const g = new Float64Array(1);
    for (const t of EXTREMES) {
      expect(near(f([t], g), sp(t))).toBe(true);
      expect(near(g[0], sig(t))).toBe(true);
    }
    const batch = compileBatch(mul(w, e), { data: ['u'], params: ['w'] });
    const gb = new Float64Array(1);
    const total = batch({ u: Float64Array.from(EXTREMES) }, [1], gb);
    expect(Number.isFinite(total) && Number.isFinite(gb[0])).toBe(true);
  });
});

describe('cancellation-free forms', () => {
  it('log(1 + u) is exact for tiny u, with its derivative', () => {
    const f = compileGradient(log(add(1, u)), ['u']);
    const g = new Float64Array(1);
    expect(f([1e-20], g)).toBe(1e-20);
    expect(g[0]).toBe(1);
    expect(compile(log(sub(1, u)), ['u'])(1e-18)).toBe(-1e-18);
  });

  it('exp(u) − 1 and 1 − exp(u) are exact for tiny u', () => {
    expect(compile(sub(exp(u), 1), ['u'])(1e-20)).toBe(1e-20);
    expect(compile(sub(1, exp(u)), ['u'])(1e-20)).toBe(-1e-20);
    expect(compile(add(sub(exp(u), 1), w), ['u', 'w'])(1e-20, 0)).toBe(1e-20);
  });

  it('evaluate computes them the same way, to the bit', () => {
    const forms = ['log(1 + u)', 'log(1 - u + w)', 'exp(u) - 1', '1 - exp(u)', 'exp(u) - 1 + w'];
    for (const text of forms) {
      const f = compile(text, ['u', 'w']);
      for (const t of [1e-20, -3e-13, 1e-9, 0.3, -0.7]) {
        for (const v of [0, 1e-15, -0.2]) {
          expect(evaluate(text, { u: t, w: v })).toBe(f(t, v));
        }
      }
    }
    expect(evaluate('log(1 + u)', { u: 1e-12 })).toBe(Math.log1p(1e-12));
    expect(evaluate('exp(u) - 1', { u: 1e-12 })).toBe(Math.expm1(1e-12));
  });
});

describe('1 ∓ erf(u) as erfc(±u): the tail keeps its digits', () => {
  it('evaluate, compile and compileGradient agree with erfc where 1 − erf is 0 or noise', () => {
    // erfc(5) = 1.5374597944280348502e-12, erfc(10) = 2.0884875837625447570e-45 (DLMF 7.2).
    const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-14 * Math.abs(b);
    for (const [text, at, want] of [
      ['1 - erf(u)', 5, 1.537459794428035e-12],
      ['1 + erf(u)', -5, 1.537459794428035e-12],
      ['erf(u) - 1', 10, -2.088487583762545e-45],
      ['w - erf(u) + 1', 10, 2.088487583762545e-45],
    ] as const) {
      expect(close(evaluate(text, { u: at, w: 0 }), want), text).toBe(true);
      expect(compile(text, ['u', 'w'])(at, 0)).toBe(evaluate(text, { u: at, w: 0 }));
      const g = new Float64Array(2);
      expect(close(compileGradient(text, ['u', 'w'])([at, 0], g), want), text).toBe(true);
      const slope = (-2 / Math.sqrt(Math.PI)) * Math.exp(-at * at);
      expect(close(g[0], text.startsWith('1 +') || text.startsWith('erf') ? -slope : slope)).toBe(
        true,
      );
    }
  });
});

describe('the issue-9 edges, compiled', () => {
  const at = (text: string, vars: string[], point: number[]): [number, number[]] => {
    const f = compileGradient(parse(text), vars);
    const g = new Float64Array(vars.length);
    return [f(point, g), [...g]];
  };

  it('exp(u)/(1 + exp(u)) and exp(−u)/(1 + exp(−u)) have finite gradients at |u| = 1000', () => {
    for (const text of ['exp(u)/(1 + exp(u))', 'exp(-u)/(1 + exp(-u))']) {
      for (const t of [-1000, 1000]) {
        const [v, [d]] = at(text, ['u'], [t]);
        expect(Number.isFinite(v) && Number.isFinite(d)).toBe(true);
        expect(Math.abs(d)).toBe(0);
      }
    }
  });

  it('log(sigmoid(u)) and log(1 − sigmoid(u)) stay finite: the two halves of cross-entropy', () => {
    expect(at('log(sigmoid(u))', ['u'], [-1000])).toEqual([-1000, [1]]);
    expect(at('log(1 - sigmoid(u))', ['u'], [1000])).toEqual([-1000, [-1]]);
    expect(at('log(1 - sigmoid(u))', ['u'], [100])[0]).toBe(-100);
  });

  it('the Hessian of log(1 + exp(u)) is finite at u = 1000', () => {
    const h = compileHessian(parse('log(1 + exp(u))'), ['u']);
    expect([...h([1000])]).toEqual([0]);
    expect([...h([0])]).toEqual([0.25]);
  });

  it('1 − tanh(u)² keeps its digits where tanh(u) rounds to 1', () => {
    const f = compile(parse('1 - tanh(u)^2'), ['u']);
    const sech2 = 1 / Math.cosh(19) ** 2;
    expect(f(19) / sech2).toBeCloseTo(1, 12);
    expect(f(1000)).toBe(0);
  });

  it('a step at 0 zeroes the chain: relu(u)^(1/2) has gradient 0 for u < 0, in JS as in evaluate', () => {
    for (const t of [-1, -1000]) expect(at('relu(u)^(1/2)', ['u'], [t])).toEqual([0, [0]]);
    expect(at('relu(u)^(1/2)', ['u'], [4])).toEqual([2, [0.25]]);
    // Out of the domain stays NaN.
    expect(at('heaviside(u)*log(u)', ['u'], [-1])[0]).toBeNaN();
  });

  it("tanh's gradient keeps its digits where tanh(u) rounds to ±1 (sech2 kernel)", () => {
    for (const t of [-40, -19, 0.3, 1.2, 5, 19, 40]) {
      const [, [d]] = at('tanh(u)', ['u'], [t]);
      const sech2 = 1 / Math.cosh(t) ** 2;
      expect(Math.abs(d - sech2)).toBeLessThanOrEqual(1e-14 * sech2);
    }
    expect(at('tanh(u)', ['u'], [1000])[1]).toEqual([0]);
  });

  it('a ReLU network pays one guard per unit, not per weight', () => {
    const f = compileGradient(
      parse('(v1*relu(w1*x + b1) + v2*relu(w2*x + b2) + v3*relu(w3*x + b3) - y)^2'),
      ['w1', 'w2', 'w3', 'b1', 'b2', 'b3', 'v1', 'v2', 'v3'],
      { data: ['x', 'y'] },
    );
    expect(f.source.match(/=== 0 &&/g)?.length).toBe(3);
  });

  it('d/du 0^u is 0 where 0^u is defined', () => {
    expect(at('0^u + u', ['u'], [1])).toEqual([1, [1]]);
  });
});
