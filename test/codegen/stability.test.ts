// Numerically stable forms: sigmoid and softplus (the functions and their written-out
// forms) with finite, correct values and gradients for |u| up to 1000; log1p and expm1
// where 1 + u and exp(u) − 1 would cancel.
import * as math from 'mathjs';
import { describe, expect, it } from 'vitest';
import { compile, compileBatch, compileGradient, compileHessian } from '../../src/codegen/index.js';
import { diff } from '../../src/diff/diff.js';
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

// Forms the float audit found uncovered: log cosh, log-sum-exp (and the softmax quotients of
// its derivatives), √(u² + c) ± u. References in 50-digit arithmetic (mathjs BigNumber).
describe('log cosh, log-sum-exp and √(u² + c) − u at extreme and ordinary points', () => {
  const big = math.create(math.all, { number: 'BigNumber', precision: 50 });
  type Big = math.BigNumber;
  const bn = (t: number): Big => big.bignumber(t);
  const toNumber = (b: Big): number => Number(b.toString());
  const logSumExpRef = (terms: ReadonlyArray<[number, Big]>): Big => {
    let sum = bn(0);
    for (const [c, a] of terms) sum = big.add(sum, big.multiply(bn(c), big.exp(a))) as Big;
    return big.log(sum);
  };
  /** |a − b| ≤ rel·|b| + abs. */
  const close = (a: number, b: number, rel: number, abs = 0): boolean =>
    Math.abs(a - b) <= rel * Math.abs(b) + abs;

  const POINTS = [
    -1e4, -2000, -800, -710, -40, -3, -1, -1e-3, 0, 1e-3, 1, 3, 40, 710, 800, 2000, 1e4,
  ];

  it('log(cosh(w·u)): value, gradient and Hessian finite and right for |w·u| up to 1e4', () => {
    const e = parse('log(cosh(w*u))');
    const f = compileGradient(e, ['w', 'u']);
    const h = compileHessian(e, ['w', 'u']);
    const g = new Float64Array(2);
    for (const [wv, uv] of [...POINTS.map((t) => [1, t]), [10, 1000], [-0.5, 2e4], [1e-3, 3]]) {
      const t = bn(wv * uv);
      const value = toNumber(big.log(big.cosh(t)));
      const th = toNumber(big.tanh(t));
      const sech2 = toNumber(big.divide(1, big.pow(big.cosh(t), 2)) as Big);
      expect(close(f([wv, uv], g), value, 4e-16, 3e-16)).toBe(true);
      expect(evaluate(e, { w: wv, u: uv })).toBe(f([wv, uv], g));
      // ∂/∂w = u·tanh(wu), ∂/∂u = w·tanh(wu): absolutely accurate near wu = 0 (1 − 2σ(−2wu)).
      expect(close(g[0], uv * th, 1e-15, 4e-16 * Math.abs(uv))).toBe(true);
      expect(close(g[1], wv * th, 1e-15, 4e-16 * Math.abs(wv))).toBe(true);
      const [hww, hwu, , huu] = h([wv, uv]);
      expect(close(hww, uv * uv * sech2, 1e-14)).toBe(true);
      expect(close(hwu, th + wv * uv * sech2, 1e-14, 1e-16)).toBe(true);
      expect(close(huu, wv * wv * sech2, 1e-14)).toBe(true);
    }
  });

  const sums: Array<[string, ReadonlyArray<[number, (t: Big) => Big]>]> = [
    [
      'log(exp(u) + exp(2*u))',
      [
        [1, (t) => t],
        [1, (t) => big.multiply(2, t) as Big],
      ],
    ],
    [
      'log(1 + exp(u) + exp(-u))',
      [
        [1, () => bn(0)],
        [1, (t) => t],
        [1, (t) => big.unaryMinus(t)],
      ],
    ],
    [
      'log(2 + 3*exp(u))',
      [
        [2, () => bn(0)],
        [3, (t) => t],
      ],
    ],
    [
      'log(exp(u) + exp(-u))',
      [
        [1, (t) => t],
        [1, (t) => big.unaryMinus(t)],
      ],
    ],
  ];
  it.each(sums)('%s: value and gradient finite and right; the Hessian finite', (text, terms) => {
    const e = parse(text);
    const f = compileGradient(e, ['u']);
    const h = compileHessian(e, ['u']);
    const d = diff(e, 'u');
    const g = new Float64Array(1);
    for (const t of POINTS) {
      const at = (k: number): Big => big.add(bn(t), bn(k * 1e-7)) as Big;
      const ref = (s: Big): Big => logSumExpRef(terms.map(([c, a]) => [c, a(s)]));
      const value = toNumber(ref(bn(t)));
      // The derivative by a central difference of the 50-digit function (error ~1e-14·f″).
      const slope = toNumber(big.divide(big.subtract(ref(at(1)), ref(at(-1))), bn(2e-7)) as Big);
      expect(close(f([t], g), value, 4e-16, 3e-16)).toBe(true);
      expect(evaluate(e, { u: t })).toBe(f([t], g));
      expect(close(g[0], slope, 1e-12, 1e-13)).toBe(true);
      // The symbolic derivative is a sum of softmax weights, not ∞/∞.
      expect(close(evaluate(d, { u: t }), slope, 1e-12, 1e-13)).toBe(true);
      expect(Number.isFinite(h([t])[0])).toBe(true);
    }
  });

  it('log-sum-exp gradients split evenly at a tie (max sends its derivative to one side)', () => {
    const f = compileGradient(parse('log(exp(x) + exp(y))'), ['x', 'y']);
    const g = new Float64Array(2);
    for (const t of [-1000, 0, 3, 1000]) {
      expect(f([t, t], g)).toBeCloseTo(t + Math.LN2, 12);
      expect([...g]).toEqual([0.5, 0.5]);
    }
    const fx = compileGradient(parse('log(exp(x) + exp(-x))'), ['x']);
    expect(fx([0], g)).toBe(Math.LN2);
    expect(g[0]).toBe(0);
  });

  it('√(u² + 1) − u, u + √(u² + 1) and asinh written out keep their digits for both signs', () => {
    // 320 digits: u² + 1 at u = 1e150.
    const big = math.create(math.all, { number: 'BigNumber', precision: 320 });
    const bn = (t: number): Big => big.bignumber(t);
    const root = (t: Big): Big => big.sqrt(big.add(big.multiply(t, t), 1) as Big);
    const cases: Array<[string, (t: Big) => Big]> = [
      ['sqrt(u^2 + 1) - u', (t) => big.subtract(root(t), t) as Big],
      ['u + sqrt(u^2 + 1)', (t) => big.add(root(t), t) as Big],
      ['log(u + sqrt(u^2 + 1))', (t) => big.log(big.add(root(t), t) as Big)],
      [
        'sqrt(4*u^2 + 3) - 2*u',
        (t) =>
          big.subtract(
            big.sqrt(big.add(big.multiply(4, big.multiply(t, t)), 3) as Big),
            big.multiply(2, t),
          ) as Big,
      ],
    ];
    for (const [text, ref] of cases) {
      const e = parse(text);
      const f = compileGradient(e, ['u']);
      const g = new Float64Array(1);
      for (const t of [
        -1e150, -1e8, -1e4, -30, -1, -1e-9, 0, 1e-9, 1, 30, 1e4, 1e8, 1e100, 1e150,
      ]) {
        const value = toNumber(ref(bn(t)));
        const h = Math.max(Math.abs(t) * 1e-20, 1e-30);
        const slope = toNumber(
          big.divide(
            big.subtract(ref(big.add(bn(t), bn(h)) as Big), ref(big.subtract(bn(t), bn(h)) as Big)),
            bn(2 * h),
          ) as Big,
        );
        // log(r) for r near 1 (asinh written out, near 0) has an absolute error of an ulp of 1.
        expect(close(f([t], g), value, 1e-15, 2.3e-16)).toBe(true);
        expect(evaluate(e, { u: t })).toBe(f([t], g));
        // Beyond |u| ≈ 1e100 the adjoint ≈ 1/u² is divided by √(u² + c) before it is
        // multiplied by 2u, and underflows (docs/numerics.md).
        if (Math.abs(t) <= 1e100) expect(close(g[0], slope, 1e-14)).toBe(true);
      }
    }
  });
});
