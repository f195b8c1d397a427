// No expression swell: derivative sizes (distinct DAG nodes) stay within a constant factor
// of the function's, on smaller instances of the benchmark families (bench/ runs the large ones).
import { describe, expect, it } from 'vitest';
import { diff, grad } from '../../src/diff/diff.js';
import { type Expr, size, sym } from '../../src/expr/index.js';
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
