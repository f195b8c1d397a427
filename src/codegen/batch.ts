/**
 * `compileBatch`: kernels that loop over data columns (struct of arrays, one Float64Array
 * per data variable) with the parameters as a vector — the loss and gradient of a training
 * step. The loop allocates nothing; parameter-only subexpressions are hoisted out of it.
 */
import {
  type ExprInput,
  InvalidArgumentError,
  toExpression,
  type Variable,
} from '../expr/index.js';
import { instantiate } from './compile.js';
import { factoryBody } from './emit/js.js';
import { type CompiledSource, withSource } from './function.js';
import { type BatchSpec, batchProgram, type Reduction } from './programs/batch.js';
import { symbolsOf } from './programs/common.js';

/** Options of `compileBatch`. */
export interface BatchOptions {
  /** Data variables: one column per variable, looked up by name in the `data` argument. */
  readonly data: readonly Variable[];
  /** Parameters: the `params` vector, in this order; the gradient is taken by them. */
  readonly params: readonly Variable[];
  /**
   * Further per-call inputs that are not differentiated (a batch size, a frozen weight, a
   * value computed elsewhere): read from the `params` vector after the parameters, so
   * `params = [...parameters, ...constants]` while `gradOut` has one entry per parameter.
   * Like parameters they are the same at every point, so what depends on them alone is
   * computed once, before the loop. Default none.
   */
  readonly constants?: readonly Variable[];
  /**
   * `'sum'` (default) or `'mean'` over the points; `'none'` writes one value per point (see
   * `PointwiseKernel`). The mean of an empty batch is NaN; its sum is 0.
   */
  readonly reduce?: Reduction;
  /** Also compute the gradient by the parameters (default true). */
  readonly gradient?: boolean;
  /**
   * Data variables (some of `data`) to differentiate by at each point: the kernel takes
   * `dataGradOut`, a Float64Array with `dataGradient.length` entries per point, and writes
   * ∂f/∂v at point i into `dataGradOut[i * dataGradient.length + j]` (v the j-th of them):
   * the point's own partial, whatever the reduction (for `'mean'`, the partial of the mean
   * is that divided by n). Needs the gradient. Default none.
   */
  readonly dataGradient?: readonly Variable[];
  /**
   * Add the gradients into `gradOut` and `dataGradOut` instead of overwriting them, to chain
   * backward passes. Needs the gradient. Default false.
   */
  readonly accumulate?: boolean;
  /**
   * `'optional'` (default): called without `gradOut`, the kernel computes the value only
   * (a value-only version is compiled beside the gradient). `'required'`: every call
   * passes `gradOut` (and `dataGradOut`), and no value-only version is compiled — less
   * code and a faster compile for kernels that always run with their gradient.
   */
  readonly gradOut?: 'optional' | 'required';
}

/** Data columns by variable name; all of the same length. */
export type BatchData = Readonly<Record<string, Float64Array>>;

/**
 * A reducing kernel: `kernel(data, params, gradOut?, dataGradOut?)` returns Σ (or mean of)
 * f over the points and, when `gradOut` is given (and the kernel was compiled with the
 * gradient), writes the reduced gradient by the parameters into it, and the per-point
 * partials by the `dataGradient` variables into `dataGradOut` (required then, if any).
 */
export type BatchKernel = ((
  data: BatchData,
  params: ArrayLike<number>,
  gradOut?: Float64Array,
  dataGradOut?: Float64Array,
) => number) &
  CompiledSource;

/**
 * A point-wise kernel (`reduce: 'none'`): `kernel(data, params, out, gradOut?, dataGradOut?)`
 * writes f at point i into `out[i]` and, when `gradOut` is given (and the kernel was
 * compiled with the gradient), ∂f/∂params[j] at point i into `gradOut[i * k + j]` (k
 * parameters) and the partials by the `dataGradient` variables into `dataGradOut`. `out`
 * needs at least one entry per point and `gradOut` k per point.
 */
export type PointwiseKernel = ((
  data: BatchData,
  params: ArrayLike<number>,
  out: Float64Array,
  gradOut?: Float64Array,
  dataGradOut?: Float64Array,
) => void) &
  CompiledSource;

/**
 * Compiles `expr` into a kernel over a batch of points. Throws `InvalidArgumentError` when a
 * data column is missing, is not a Float64Array or differs in length from the others.
 *
 * @example
 * ```ts
 * const step = compileBatch(parse('(tanh(w2*tanh(w1*x)) - y)^2'), {
 *   data: ['x', 'y'], params: ['w1', 'w2'], reduce: 'mean',
 * });
 * const g = new Float64Array(2);
 * const loss = step({ x: xs, y: ys }, [0.5, -0.3], g); // mean loss; g = mean gradient
 *
 * // A scale that is not differentiated, and the partial by x at every point:
 * const k = compileBatch(parse('s*(w*x - y)^2'), {
 *   data: ['x', 'y'], params: ['w'], constants: ['s'], dataGradient: ['x'],
 * });
 * const dx = new Float64Array(xs.length);
 * k({ x: xs, y: ys }, [0.5, 2], g, dx); // params = [w, s]; g[0] = Σ ∂/∂w; dx[i] = ∂f/∂x at i
 * ```
 */
export function compileBatch(
  expr: ExprInput,
  options: BatchOptions & { readonly reduce: 'none' },
): PointwiseKernel;
export function compileBatch(
  expr: ExprInput,
  options: BatchOptions & { readonly reduce?: 'sum' | 'mean' },
): BatchKernel;
export function compileBatch(expr: ExprInput, options: BatchOptions): BatchKernel | PointwiseKernel;
export function compileBatch(
  input: ExprInput,
  options: BatchOptions,
): BatchKernel | PointwiseKernel {
  const expr = toExpression(input, 'compileBatch');
  const spec = batchSpec(options, 'compileBatch');
  const { reduce, gradient, valueOnly } = spec;
  const body = factoryBody(batchProgram(expr, spec));
  const kernel = instantiate(body) as (
    cols: readonly Float64Array[],
    p: ArrayLike<number>,
    a?: Float64Array,
    b?: Float64Array,
    c?: Float64Array,
  ) => number;
  const names = spec.data.map((s) => s.name!);
  const withData = spec.dataGradient.length > 0;
  // Reused between calls: the columns in `data` order, so a call allocates nothing.
  const cols: Float64Array[] = new Array(names.length);
  const gather = (d: BatchData): void => {
    if (typeof d !== 'object' || d === null)
      throw new InvalidArgumentError('compileBatch: data must be an object of columns');
    for (let k = 0; k < names.length; k++) {
      const c = Object.hasOwn(d, names[k]) ? d[names[k]] : undefined;
      if (c === undefined)
        throw new InvalidArgumentError(`compileBatch: data column '${names[k]}' is missing`);
      if (!(c instanceof Float64Array)) {
        throw new InvalidArgumentError(
          `compileBatch: data column '${names[k]}' must be a Float64Array`,
        );
      }
      if (k > 0 && c.length !== cols[0].length) {
        throw new InvalidArgumentError(
          `compileBatch: data column '${names[k]}' has ${c.length} entries, '${names[0]}' has ${cols[0].length}`,
        );
      }
      cols[k] = c;
    }
  };
  const release = (): void => {
    // Drop the references so the caller's columns are not kept alive by the kernel.
    cols.fill(EMPTY);
  };
  /** The outputs the call passes must fit how the kernel was compiled. */
  const checkOutputs = (gradOut: unknown, dataGradOut: unknown): void => {
    if (!gradient) {
      if (gradOut !== undefined || dataGradOut !== undefined) throw noGradient();
      return;
    }
    if (gradOut === undefined) {
      if (!valueOnly) {
        throw new InvalidArgumentError(
          "compileBatch: this kernel was compiled with gradOut: 'required'; pass gradOut",
        );
      }
      if (dataGradOut !== undefined) {
        throw new InvalidArgumentError('compileBatch: dataGradOut needs gradOut as well');
      }
    }
    if (dataGradOut !== undefined && !withData) {
      throw new InvalidArgumentError(
        'compileBatch: this kernel has no dataGradient variables; pass no dataGradOut',
      );
    }
  };
  if (reduce === 'none') {
    const run = (
      d: BatchData,
      p: ArrayLike<number>,
      out: Float64Array,
      gradOut?: Float64Array,
      dataGradOut?: Float64Array,
    ): void => {
      checkOutputs(gradOut, dataGradOut);
      gather(d);
      try {
        kernel(cols, p, out, gradOut, dataGradOut);
      } finally {
        release();
      }
    };
    return withSource(run, body);
  }
  const run = (
    d: BatchData,
    p: ArrayLike<number>,
    gradOut?: Float64Array,
    dataGradOut?: Float64Array,
  ): number => {
    checkOutputs(gradOut, dataGradOut);
    gather(d);
    try {
      return kernel(cols, p, gradOut, dataGradOut);
    } finally {
      release();
    }
  };
  return withSource(run, body);
}

/**
 * Checks `compileBatch` options (shared with `emitModule`'s batch kernels): symbols, no
 * variable in two roles, data gradients by data variables, options that need the gradient.
 */
export function batchSpec(options: BatchOptions, what: string): BatchSpec {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`${what}: options { data, params } are required`);
  }
  const { reduce = 'sum', gradient = true, accumulate = false, gradOut = 'optional' } = options;
  if (reduce !== 'sum' && reduce !== 'mean' && reduce !== 'none') {
    throw new InvalidArgumentError(`${what}: reduce must be 'sum', 'mean' or 'none'`);
  }
  if (typeof gradient !== 'boolean' || typeof accumulate !== 'boolean') {
    throw new InvalidArgumentError(`${what}: gradient and accumulate must be true or false`);
  }
  if (gradOut !== 'optional' && gradOut !== 'required') {
    throw new InvalidArgumentError(`${what}: gradOut must be 'optional' or 'required'`);
  }
  const data = symbolsOf(options.data ?? [], `${what} (data)`);
  const params = symbolsOf(options.params ?? [], `${what} (params)`);
  const constants = symbolsOf(options.constants ?? [], `${what} (constants)`);
  const dataGradient = symbolsOf(options.dataGradient ?? [], `${what} (dataGradient)`);
  if (data.length === 0)
    throw new InvalidArgumentError(`${what}: needs at least one data variable`);
  const role = new Map<number, string>();
  for (const [list, name] of [
    [data, 'a data variable'],
    [params, 'a parameter'],
    [constants, 'a constant'],
  ] as const) {
    for (const s of list) {
      const other = role.get(s.id);
      if (other !== undefined) {
        throw new InvalidArgumentError(`${what}: '${s.name}' is both ${other} and ${name}`);
      }
      role.set(s.id, name);
    }
  }
  for (const s of dataGradient) {
    if (role.get(s.id) !== 'a data variable') {
      throw new InvalidArgumentError(
        `${what}: dataGradient variable '${s.name}' is not one of the data variables`,
      );
    }
  }
  if (!gradient) {
    const needs = [
      dataGradient.length > 0 ? 'dataGradient' : '',
      accumulate ? 'accumulate' : '',
      gradOut === 'required' ? "gradOut: 'required'" : '',
    ].filter((x) => x !== '');
    if (needs.length > 0) {
      throw new InvalidArgumentError(`${what}: ${needs.join(', ')} needs gradient: true`);
    }
  }
  return {
    data,
    params,
    constants,
    reduce,
    gradient,
    dataGradient,
    accumulate,
    valueOnly: gradOut === 'optional',
  };
}

const EMPTY = new Float64Array(0);

const noGradient = (): InvalidArgumentError =>
  new InvalidArgumentError(
    'compileBatch: this kernel was compiled with gradient: false; pass no gradOut',
  );
