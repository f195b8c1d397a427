/**
 * Central differences for the tests, the yardstick derivatives are checked against:
 * h = ε^(1/3)·max(1, |t|), which balances truncation and rounding error.
 */
import { type Expr, evaluate } from '../src/expr/index.js';

/** (f(t + h) − f(t − h)) / 2h for a function of one number. */
export function centralDifference(f: (t: number) => number, t: number): number {
  const h = Math.cbrt(Number.EPSILON) * Math.max(1, Math.abs(t));
  return (f(t + h) - f(t - h)) / (2 * h);
}

/** ∂expr/∂v at `point` by central differences of the interpreter. */
export function partialByDifferences(expr: Expr, v: string, point: Record<string, number>): number {
  return centralDifference((t) => evaluate(expr, { ...point, [v]: t }), point[v]);
}
