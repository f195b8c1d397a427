// No expression swell: derivative sizes (distinct DAG nodes) stay within a constant factor
// of the function's, on smaller instances of the benchmark families (bench/ runs the large ones).
import { describe, expect, it } from 'vitest';
import { diff, grad } from '../../src/diff/diff.js';
import { cos, type Expr, sin, size, sym } from '../../src/expr/index.js';
import { logisticMap, mlpLoss, nested, rosenbrock } from '../families.js';

const x = sym('x');

describe('derivative size stays within 5·size(f)', () => {
  const cases: Array<[string, Expr, Expr[]]> = [
    ['nested sin/cos, depth 60', nested(60), [x]],
    ['logistic map, 20 steps', logisticMap(20), [x]],
    ['Rosenbrock, 100 variables', ...rosenbrock(100)],
    ['MLP loss, 16 hidden units', ...mlpLoss(16)],
  ];
  for (const [name, f, vars] of cases) {
    it(name, () => {
      const g = grad(f, vars);
      expect(size(g)).toBeLessThanOrEqual(5 * size(f));
      expect(size(diff(f, vars[0]))).toBeLessThanOrEqual(5 * size(f));
    });
  }
});

describe('deep compositions: linear in depth, no stack overflow', () => {
  // Each adjoint (or tangent) along the chain is the previous one times one more partial;
  // building each as a flat product would be quadratic in depth (minutes at 10⁵). The chain
  // rule defers the products, so this finishes fast. Checked by value, not by time.
  const depth = 30_000;
  const f = nested(depth);
  it('diff and grad of a 3·10⁴-deep chain are one product of the partials', () => {
    const d = diff(f, x);
    const [g] = grad(f, [x]);
    expect(g).toBe(d);
    // d/dx = Π over the levels of sin′ = cos or cos′ = −sin at the level's argument.
    const expected = new Set<Expr>();
    let u: Expr = x;
    let sign = 1;
    for (let i = 0; i < depth; i++) {
      if (i % 2 === 0) {
        expected.add(cos(u));
        u = sin(u);
      } else {
        expected.add(sin(u));
        sign = -sign;
        u = cos(u);
      }
    }
    expect(u).toBe(f);
    // 15 000 of the levels are cos, so the signs cancel: no numeric coefficient.
    expect(sign).toBe(1);
    const factors = d.args;
    expect(new Set(factors)).toEqual(expected);
    expect(factors.length).toBe(depth);
  });
});
