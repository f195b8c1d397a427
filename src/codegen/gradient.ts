/**
 * `compileGradient`: value and gradient fused in one straight-line function. The forward
 * values stay in locals and the backward (adjoint) sweep reuses them, so the gradient costs
 * a small constant times the value and a call allocates nothing.
 */
import { type ExprInput, optionsOf, toExpression, type Variable } from '../expr/index.js';
import { instantiate } from './compile.js';
import { factoryBody } from './emit/js.js';
import { type CompiledSource, withSource } from './function.js';
import { symbolsOf } from './programs/common.js';
import { gradientProgram } from './programs/gradient.js';

/**
 * `f(x, gradOut?)`: returns the value at `x` (entries in the order of the variables) and,
 * when `gradOut` is given, writes ∂f/∂variables into it.
 */
export type CompiledGradient = ((x: ArrayLike<number>, gradOut?: Float64Array) => number) &
  CompiledSource;

/** Options of `compileGradient`. */
export interface CompileGradientOptions {
  /**
   * Further inputs that are not differentiated (a loss's data `x`, `y`): read from `x` after
   * the variables, so `x = [...variables, ...data]` while `gradOut` has one entry per
   * variable. Default none.
   */
  readonly data?: readonly Variable[];
}

/**
 * Compiles the value and gradient of `expr` with respect to `variables` into one function.
 * Every free symbol must be a variable or listed in `options.data`. Programs too large for
 * V8 to optimise as one function are split into chunks automatically (see
 * docs/codegen.md); to loop over many data points, `compileBatch` is faster still.
 *
 * @example
 * ```ts
 * const f = compileGradient(parse('(tanh(w2*tanh(w1*x)) - y)^2'), ['w1', 'w2'], {
 *   data: ['x', 'y'],
 * });
 * const g = new Float64Array(2);
 * const loss = f([0.5, -0.3, 1.2, 0.1], g); // x = [w1, w2, x, y]; g = [∂/∂w1, ∂/∂w2]
 * ```
 */
export function compileGradient(
  expr: ExprInput,
  variables: readonly Variable[],
  options?: CompileGradientOptions,
): CompiledGradient {
  const variablesList = symbolsOf(variables, 'compileGradient');
  const data = symbolsOf(
    optionsOf(options, 'compileGradient').data ?? [],
    'compileGradient (data)',
  );
  const vars = symbolsOf([...variablesList, ...data], 'compileGradient');
  const body = factoryBody(
    gradientProgram(
      toExpression(expr, 'compileGradient'),
      vars.slice(0, variables.length),
      vars.slice(variables.length),
    ),
  );
  return withSource(
    instantiate(body) as (x: ArrayLike<number>, gradOut?: Float64Array) => number,
    body,
  );
}
