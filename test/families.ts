/**
 * The benchmark families as builders, shared by the tests: nested compositions, the logistic
 * map unrolled, Rosenbrock and a scalar-written MLP loss.
 */
import { add, cos, type Expr, mul, pow, sin, sub, sym, tanh } from '../src/expr/index.js';

const x = sym('x');
const y = sym('y');

/** sin(cos(sin(…x))) to the given depth. */
export function nested(depth: number): Expr {
  let e = x;
  for (let i = 0; i < depth; i++) e = i % 2 === 0 ? sin(e) : cos(e);
  return e;
}

/** lₖ₊₁ = 4lₖ(1 − lₖ) from l₀ = x, unrolled. */
export function logisticMap(steps: number): Expr {
  let l = x;
  for (let i = 0; i < steps; i++) l = mul(4, l, sub(1, l));
  return l;
}

/** Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² and its variables x0…x(n−1). */
export function rosenbrock(n: number): [Expr, Expr[]] {
  const xs = Array.from({ length: n }, (_, i) => sym(`x${i}`));
  const terms: Expr[] = [];
  for (let i = 0; i + 1 < n; i++) {
    terms.push(mul(100, pow(sub(xs[i + 1], pow(xs[i], 2)), 2)), pow(sub(1, xs[i]), 2));
  }
  return [add(...terms), xs];
}

/** (Σⱼ vⱼ·tanh(wⱼ·x + bⱼ) − y)² and its parameters [w…, b…, v…]. */
export function mlpLoss(hidden: number): [Expr, Expr[]] {
  const ws = Array.from({ length: hidden }, (_, j) => sym(`w${j + 1}`));
  const bs = Array.from({ length: hidden }, (_, j) => sym(`b${j + 1}`));
  const vs = Array.from({ length: hidden }, (_, j) => sym(`v${j + 1}`));
  const out = add(...vs.map((v, j) => mul(v, tanh(add(mul(ws[j], x), bs[j])))));
  return [pow(sub(out, y), 2), [...ws, ...bs, ...vs]];
}
