/**
 * `compile`: an expression (or several) as a specialised JavaScript function of numbers.
 * The generated code is straight-line, computes every shared subexpression once and uses
 * the fast and stable float forms (x·x, a/b, sqrt, log1p, expm1).
 */
import {
  type Expr,
  type ExprInput,
  InvalidArgumentError,
  optionsOf,
  toExpression,
  type Variable,
} from '../expr/index.js';
import { instantiate } from './compile.js';
import { factoryBody } from './emit/js.js';
import { symbolsOf } from './programs/common.js';
import { type InputStyle, valueProgram } from './programs/value.js';

/** Compiled functions carry the factory source they were made from (for inspection). */
export interface CompiledSource {
  /** The generated JavaScript: the body of the factory that returned this function. */
  readonly source: string;
}

/** Options of `compile`. */
export interface CompileOptions {
  /**
   * How the variables are passed: `'positional'` (default) as separate number arguments in
   * the order of `variables`, `'vector'` as one array-like `x` (better for many variables).
   */
  readonly input?: InputStyle;
}

/** `compile(expr, vars)`: `f(a0, a1, …)` returns the value. */
export type CompiledFunction = ((...args: number[]) => number) & CompiledSource;
/** `compile(expr, vars, { input: 'vector' })`: `f(x)` returns the value. */
export type CompiledVectorFunction = ((x: ArrayLike<number>) => number) & CompiledSource;
/**
 * `compile([e1, e2], vars)`: `f(a0, a1, …, out?)` writes the values into `out` (a new
 * Float64Array when omitted) and returns it.
 */
export type CompiledMultiFunction = ((
  ...args: [...number[], Float64Array] | number[]
) => Float64Array) &
  CompiledSource;
/** `compile([e1, e2], vars, { input: 'vector' })`: `f(x, out?)` fills and returns `out`. */
export type CompiledVectorMultiFunction = ((
  x: ArrayLike<number>,
  out?: Float64Array,
) => Float64Array) &
  CompiledSource;

/** @internal Attaches the source to a generated function. */
export function withSource<F extends object>(fn: F, source: string): F & CompiledSource {
  Object.defineProperty(fn, 'source', { value: source, enumerable: false });
  return fn as F & CompiledSource;
}

/** Most variables a positional compiled function takes (engines cap parameter lists). */
const MAX_POSITIONAL = 10_000;

/**
 * Compiles `expr` (or an array of expressions) into a JavaScript function of the
 * `variables`, in their order. Every free symbol must be a variable (else
 * `UnboundSymbolError`); unknown functions such as `f(x)` have no numeric value and throw
 * `UnboundFunctionError`. Results match `evaluate` (domain errors give NaN, poles ±Infinity).
 *
 * @example
 * ```ts
 * const f = compile(parse('sin(x^2) + y'), ['x', 'y']);
 * f(2, 1); // Math.sin(4) + 1
 * const g = compile([parse('x*y'), parse('x+y')], ['x', 'y'], { input: 'vector' });
 * g([2, 3]); // Float64Array [6, 5]
 * ```
 */
export function compile(
  expr: ExprInput,
  variables: readonly Variable[],
  options?: CompileOptions & { readonly input?: 'positional' },
): CompiledFunction;
export function compile(
  expr: ExprInput,
  variables: readonly Variable[],
  options: CompileOptions & { readonly input: 'vector' },
): CompiledVectorFunction;
export function compile(
  exprs: readonly ExprInput[],
  variables: readonly Variable[],
  options?: CompileOptions & { readonly input?: 'positional' },
): CompiledMultiFunction;
export function compile(
  exprs: readonly ExprInput[],
  variables: readonly Variable[],
  options: CompileOptions & { readonly input: 'vector' },
): CompiledVectorMultiFunction;
export function compile(
  expr: ExprInput | readonly ExprInput[],
  variables: readonly Variable[],
  options?: CompileOptions,
): CompiledFunction | CompiledVectorFunction | CompiledMultiFunction | CompiledVectorMultiFunction {
  const input = optionsOf(options, 'compile').input ?? 'positional';
  if (input !== 'positional' && input !== 'vector') {
    throw new InvalidArgumentError(`compile: input must be 'positional' or 'vector'`);
  }
  const multi = Array.isArray(expr);
  const exprs: readonly Expr[] = (multi ? expr : [expr]).map((e) => toExpression(e, 'compile'));
  const vars = symbolsOf(variables, 'compile');
  if (input === 'positional' && vars.length > MAX_POSITIONAL) {
    throw new InvalidArgumentError(
      `compile: ${vars.length} variables are too many for positional arguments (at most ${MAX_POSITIONAL}); pass { input: 'vector' }`,
    );
  }
  const body = factoryBody(valueProgram(exprs, vars, input, multi));
  const fn = instantiate(body) as (...args: unknown[]) => unknown;
  return withSource(fn, body) as CompiledFunction;
}
