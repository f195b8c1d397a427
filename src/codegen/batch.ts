/**
 * `compileBatch`: kernels that loop over data columns (struct of arrays, one Float64Array
 * per data variable) with the parameters as a vector — the loss and gradient of a training
 * step. The loop allocates nothing; parameter-only subexpressions are hoisted out of it.
 */
import { type Expr, InvalidArgumentError, type Variable } from '../expr/index.js';
import { instantiate } from './compile.js';
import { factoryBody } from './emit/js.js';
import { type CompiledSource, withSource } from './function.js';
import { batchProgram, type Reduction } from './programs/batch.js';
import { symbolsOf } from './programs/common.js';

/** Options of `compileBatch`. */
export interface BatchOptions {
  /** Data variables: one column per variable, looked up by name in the `data` argument. */
  readonly data: readonly Variable[];
  /** Parameters: the `params` vector, in this order; the gradient is taken by them. */
  readonly params: readonly Variable[];
  /**
   * `'sum'` (default) or `'mean'` over the points; `'none'` writes one value per point (see
   * `PointwiseKernel`). The mean of an empty batch is NaN; its sum is 0.
   */
  readonly reduce?: Reduction;
  /** Also compute the gradient by the parameters (default true). */
  readonly gradient?: boolean;
}

/** Data columns by variable name; all of the same length. */
export type BatchData = Readonly<Record<string, Float64Array>>;

/**
 * A reducing kernel: `kernel(data, params, gradOut?)` returns Σ (or mean of) f over the
 * points and, when `gradOut` is given (and the kernel was compiled with the gradient),
 * writes the reduced gradient by the parameters into it.
 */
export type BatchKernel = ((
  data: BatchData,
  params: ArrayLike<number>,
  gradOut?: Float64Array,
) => number) &
  CompiledSource;

/**
 * A point-wise kernel (`reduce: 'none'`): `kernel(data, params, out, gradOut?)` writes
 * f at point i into `out[i]` and, when `gradOut` is given (and the kernel was compiled with
 * the gradient), ∂f/∂params[j] at point i into `gradOut[i * params.length + j]`. `out` needs
 * at least one entry per point and `gradOut` `params.length` per point.
 */
export type PointwiseKernel = ((
  data: BatchData,
  params: ArrayLike<number>,
  out: Float64Array,
  gradOut?: Float64Array,
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
 * ```
 */
export function compileBatch(
  expr: Expr,
  options: BatchOptions & { readonly reduce: 'none' },
): PointwiseKernel;
export function compileBatch(
  expr: Expr,
  options: BatchOptions & { readonly reduce?: 'sum' | 'mean' },
): BatchKernel;
export function compileBatch(expr: Expr, options: BatchOptions): BatchKernel | PointwiseKernel;
export function compileBatch(expr: Expr, options: BatchOptions): BatchKernel | PointwiseKernel {
  const { reduce = 'sum', gradient = true } = options;
  if (reduce !== 'sum' && reduce !== 'mean' && reduce !== 'none') {
    throw new InvalidArgumentError(`compileBatch: reduce must be 'sum', 'mean' or 'none'`);
  }
  const data = symbolsOf(options.data ?? [], 'compileBatch (data)');
  const params = symbolsOf(options.params ?? [], 'compileBatch (params)');
  if (data.length === 0)
    throw new InvalidArgumentError('compileBatch: needs at least one data variable');
  const dataIds = new Set(data.map((s) => s.id));
  for (const p of params) {
    if (dataIds.has(p.id)) {
      throw new InvalidArgumentError(
        `compileBatch: '${p.name}' is both a data variable and a parameter`,
      );
    }
  }
  const body = factoryBody(batchProgram(expr, data, params, reduce, gradient));
  const kernel = instantiate(body) as (
    cols: readonly Float64Array[],
    p: ArrayLike<number>,
    a?: Float64Array,
    b?: Float64Array,
  ) => number;
  const names = data.map((s) => s.name!);
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
  if (reduce === 'none') {
    const run = (
      d: BatchData,
      p: ArrayLike<number>,
      out: Float64Array,
      gradOut?: Float64Array,
    ): void => {
      if (gradOut !== undefined && !gradient) throw noGradient();
      gather(d);
      try {
        kernel(cols, p, out, gradOut);
      } finally {
        release();
      }
    };
    return withSource(run, body);
  }
  const run = (d: BatchData, p: ArrayLike<number>, gradOut?: Float64Array): number => {
    if (gradOut !== undefined && !gradient) throw noGradient();
    gather(d);
    try {
      return kernel(cols, p, gradOut);
    } finally {
      release();
    }
  };
  return withSource(run, body);
}

const EMPTY = new Float64Array(0);

const noGradient = (): InvalidArgumentError =>
  new InvalidArgumentError(
    'compileBatch: this kernel was compiled with gradient: false; pass no gradOut',
  );
