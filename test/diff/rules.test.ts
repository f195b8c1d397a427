// One generated finite-difference test per entry of the derivative table: adding a rule
// (or a function to the core) adds its test, and a missing domain entry fails to compile.
import { describe, expect, it } from 'vitest';
import { diff } from '../../src/diff/diff.js';
import { FUNCTION_PARTIALS } from '../../src/diff/rules.js';
import {
  add,
  derivativeCall,
  evaluate,
  fn,
  mul,
  pow,
  sym,
  ZERO_EXPR,
} from '../../src/expr/index.js';
import type { FunctionName } from '../../src/expr/ops.js';
import { centralDifference } from '../fd.js';

const x = sym('x');
const y = sym('y');

/** Points inside each function's domain, away from kinks and poles. */
const DOMAIN: { readonly [K in FunctionName]: readonly number[][] } = {
  sin: [[-2.3], [0.4], [5]],
  cos: [[-2.3], [0.4], [5]],
  tan: [[-1.2], [0.3], [1.1]],
  sec: [[-1.2], [0.3], [1.1]],
  csc: [[-2.5], [0.3], [1.4]],
  cot: [[-2.5], [0.3], [1.4]],
  asin: [[-0.9], [0.1], [0.7]],
  acos: [[-0.9], [0.1], [0.7]],
  atan: [[-3], [0.2], [7]],
  atan2: [
    [1, 2],
    [-1.5, 0.5],
    [0.3, -2],
  ],
  acot: [[-3], [-0.2], [0.4], [7]],
  asec: [[-3], [-1.2], [1.3], [40]],
  acsc: [[-3], [-1.2], [1.3], [40]],
  sinh: [[-2], [0.5], [3]],
  cosh: [[-2], [0.5], [3]],
  tanh: [[-2], [0.5], [3]],
  asinh: [[-2], [0.5], [30]],
  acosh: [[1.5], [3], [40]],
  atanh: [[-0.9], [0.1], [0.6]],
  sech: [[-2], [0.5], [3]],
  csch: [[-2], [0.5], [3]],
  coth: [[-2], [0.5], [3]],
  asech: [[0.05], [0.4], [0.9]],
  acsch: [[-2], [-0.01], [0.5], [30]],
  acoth: [[-3], [1.2], [40]],
  exp: [[-3], [0.5], [4]],
  log: [[0.01], [1.5], [300]],
  log2: [[0.01], [1.5], [300]],
  log10: [[0.01], [1.5], [300]],
  cbrt: [[-8], [0.3], [27]],
  abs: [[-2], [0.7], [5]],
  sign: [[-2], [0.7], [5]],
  min: [
    [1, 2],
    [3, -1],
    [-0.5, 0.25],
  ],
  max: [
    [1, 2],
    [3, -1],
    [-0.5, 0.25],
  ],
  sigmoid: [[-30], [0.4], [12]],
  softplus: [[-30], [0.4], [12]],
  relu: [[-2], [0.7], [5]],
  erf: [[-2.5], [0.3], [1.7]],
  erfc: [[-2.5], [0.3], [1.7], [5]],
  heaviside: [[-2], [0.7], [5]],
};

describe('derivative table against central differences', () => {
  for (const name of Object.keys(FUNCTION_PARTIALS) as FunctionName[]) {
    const vars = [x, y].slice(0, FUNCTION_PARTIALS[name].length);
    const f = fn(name, vars);
    vars.forEach((v, i) => {
      it(`∂${name}/∂arg${i + 1}`, () => {
        const d = diff(f, v);
        for (const point of DOMAIN[name]) {
          const env = Object.fromEntries(vars.map((s, k) => [s.name!, point[k]]));
          const fd = centralDifference((t) => evaluate(f, { ...env, [v.name!]: t }), point[i]);
          const exact = evaluate(d, env);
          expect(Math.abs(exact - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      });
    });
  }
});

describe('operators and unknown functions', () => {
  it('differentiates symbolic powers x^x and a^x', () => {
    const a = sym('a');
    const f = pow(x, x);
    const g = pow(a, x);
    for (const t of [0.5, 1.3, 2.2]) {
      const fd = centralDifference((s) => evaluate(f, { x: s }), t);
      expect(evaluate(diff(f, x), { x: t })).toBeCloseTo(fd, 6);
      const fg = centralDifference((s) => evaluate(g, { x: s, a: 3 }), t);
      expect(evaluate(diff(g, x), { x: t, a: 3 })).toBeCloseTo(fg, 6);
    }
  });

  it("f(u)' = f'(u)·u' with partials by argument index", () => {
    const u = mul(sym('w1'), x);
    expect(diff(derivativeCall('f', [u], []), x)).toBe(
      mul(derivativeCall('f', [u], [0]), sym('w1')),
    );
    const g = derivativeCall('g', [x, y], []);
    expect(diff(g, y)).toBe(derivativeCall('g', [x, y], [1]));
    expect(diff(diff(g, y), x)).toBe(derivativeCall('g', [x, y], [0, 1]));
    expect(diff(g, x, 2)).toBe(derivativeCall('g', [x, y], [0, 0]));
  });

  it('is exact: d/dx x^3 = 3x^2', () => {
    expect(diff(pow(x, 3), x)).toBe(mul(3, pow(x, 2)));
    expect(diff(add(pow(x, 3), mul(2, x)), x, 2)).toBe(mul(6, x));
    expect(diff(pow(x, 3), x, 4)).toBe(ZERO_EXPR);
  });

  it('even powers of abs are smooth through the kink: d²/dx² |x|² = 2 at x = 0', () => {
    const square = pow(fn('abs', [x]), 2);
    expect(evaluate(diff(square, x, 2), { x: 0 })).toBe(2);
    expect(evaluate(diff(pow(fn('abs', [x]), 4), x, 4), { x: 0 })).toBe(24);
  });
});
