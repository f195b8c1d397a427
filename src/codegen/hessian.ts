/**
 * Second derivatives: the dense Hessian (each pair i ≤ j computed once, mirrored) and the
 * Hessian-vector product H·v (the gradient's reverse sweep seeded with v), both compiled.
 */
import type { Expr, Variable } from '../expr/index.js';
import { instantiate } from './compile.js';
import { factoryBody } from './emit/js.js';
import { type CompiledSource, withSource } from './function.js';
import { symbolsOf } from './programs/common.js';
import { hessianProgram, hessianVectorProgram } from './programs/hessian.js';

/** `h(x, out?)`: the n×n Hessian at `x`, row-major, in `out` (new when omitted). */
export type CompiledHessian = ((x: ArrayLike<number>, out?: Float64Array) => Float64Array) &
  CompiledSource;

/** `hv(x, v, out?)`: the Hessian at `x` times the vector `v`, in `out` (new when omitted). */
export type CompiledHessianVector = ((
  x: ArrayLike<number>,
  v: ArrayLike<number>,
  out?: Float64Array,
) => Float64Array) &
  CompiledSource;

/**
 * Compiles the dense Hessian of `expr` by `variables`: entry `out[i*n + j]` is
 * ∂²f/∂xᵢ∂xⱼ (symmetric; each pair is computed once).
 *
 * @example
 * ```ts
 * const h = compileHessian(parse('x^2*y'), ['x', 'y']);
 * h([3, 5]); // Float64Array [10, 6, 6, 0]
 * ```
 */
export function compileHessian(expr: Expr, variables: readonly Variable[]): CompiledHessian {
  const vars = symbolsOf(variables, 'compileHessian');
  const body = factoryBody(hessianProgram(expr, vars));
  return withSource(
    instantiate(body) as (x: ArrayLike<number>, out?: Float64Array) => Float64Array,
    body,
  );
}

/**
 * Compiles the Hessian-vector product of `expr`: `hv(x, v)` is H(x)·v, computed without
 * forming H (cost: a constant times the gradient), as Newton-CG and trust-region methods need.
 *
 * @example
 * ```ts
 * const hv = compileHessianVector(parse('x^2*y'), ['x', 'y']);
 * hv([3, 5], [1, 0]); // Float64Array [10, 6] (the first column of H)
 * ```
 */
export function compileHessianVector(
  expr: Expr,
  variables: readonly Variable[],
): CompiledHessianVector {
  const vars = symbolsOf(variables, 'compileHessianVector');
  const body = factoryBody(hessianVectorProgram(expr, vars));
  return withSource(
    instantiate(body) as (
      x: ArrayLike<number>,
      v: ArrayLike<number>,
      out?: Float64Array,
    ) => Float64Array,
    body,
  );
}
