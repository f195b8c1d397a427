// No expression swell: derivative sizes (distinct DAG nodes) stay within a constant factor
// of the function's, on smaller instances of the benchmark families (bench/ runs the large ones).
import { describe, expect, it } from 'vitest';
import { diff, grad } from '../../src/diff/diff.js';
import { add, cos, type Expr, mul, pow, sin, size, sub, sym, tanh } from '../../src/expr/index.js';

const x = sym('x');
const y = sym('y');

export function nested(depth: number): Expr {
  let e = x;
  for (let i = 0; i < depth; i++) e = i % 2 === 0 ? sin(e) : cos(e);
  return e;
}

export function logisticMap(steps: number): Expr {
  let l = x;
  for (let i = 0; i < steps; i++) l = mul(4, l, sub(1, l));
  return l;
}

export function rosenbrock(n: number): [Expr, Expr[]] {
  const xs = Array.from({ length: n }, (_, i) => sym(`x${i}`));
  const terms: Expr[] = [];
  for (let i = 0; i + 1 < n; i++) {
    terms.push(mul(100, pow(sub(xs[i + 1], pow(xs[i], 2)), 2)), pow(sub(1, xs[i]), 2));
  }
  return [add(...terms), xs];
}

export function mlpLoss(hidden: number): [Expr, Expr[]] {
  const ws = Array.from({ length: hidden }, (_, j) => sym(`w${j + 1}`));
  const bs = Array.from({ length: hidden }, (_, j) => sym(`b${j + 1}`));
  const vs = Array.from({ length: hidden }, (_, j) => sym(`v${j + 1}`));
  const out = add(...vs.map((v, j) => mul(v, tanh(add(mul(ws[j], x), bs[j])))));
  return [pow(sub(out, y), 2), [...ws, ...bs, ...vs]];
}

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
