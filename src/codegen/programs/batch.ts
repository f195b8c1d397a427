/**
 * `compileBatch`'s programs: a loop over data columns (one Float64Array per data variable)
 * with the vector `p` of parameters and constants, reducing (sum or mean, with the gradient
 * by the parameters) or point-wise, optionally with per-point partials by data variables.
 * Values of the parameters and constants alone are computed once, before the loop (layout
 * hoists everything that does not depend on a data input).
 */
import type { Expr } from '../../expr/index.js';
import { Lowering } from '../lower.js';
import {
  at,
  binary,
  call,
  index,
  type Param,
  type Program,
  type ProgramFunction,
  type Stmt,
  scalar,
  store,
  type Value,
} from '../program.js';
import { ARGUMENTS, bindAll, checkBound, element, inputsOf, outParam } from './common.js';

/** How a batch kernel reduces over the points. */
export type Reduction = 'sum' | 'mean' | 'none';

/** A checked batch kernel specification (batch.ts builds it from `BatchOptions`). */
export interface BatchSpec {
  /** Data variables: one column each, in the order of `cols`. */
  readonly data: readonly Expr[];
  /** Parameters: `p[0…k)`, differentiated. */
  readonly params: readonly Expr[];
  /** Constants: `p[k…)`, not differentiated. */
  readonly constants: readonly Expr[];
  readonly reduce: Reduction;
  readonly gradient: boolean;
  /** Data variables (a subset of `data`) differentiated point by point into `dg`. */
  readonly dataGradient: readonly Expr[];
  /** Gradients are added into `g`, `go` and `dg` instead of stored. */
  readonly accumulate: boolean;
  /** With the gradient: also a value-only function, run when `g` is absent. */
  readonly valueOnly: boolean;
}

const POINT = 'i';
const POINTS = 'n';

/**
 * A batch kernel over data columns `cols` (an array, in the order of `data`) with the vector
 * `p` = [...params, ...constants]. Reducing kernels are `(cols, p, g?, dg?) => number`; `none`
 * is `(cols, p, o, go?, dg?) => void` with per-point values in `o` and per-point gradients in
 * `go` (row-major, one row of `params.length` per point). `dg` holds the per-point partials
 * by the `dataGradient` variables (row-major, one row of them per point); it is required
 * whenever the gradient runs. Without `valueOnly`, `g` (or `go`) is required too.
 */
export function batchProgram(expr: Expr, spec: BatchSpec): Program {
  const { data, params, constants, reduce, gradient, dataGradient, accumulate } = spec;
  checkBound([expr], [...data, ...params, ...constants]);
  const bindings = [...bindAll(data, 'data'), ...bindAll([...params, ...constants], 'param')];
  const low = new Lowering(bindings, gradient);
  const f = low.lower(expr);
  const k = params.length;
  const m = dataGradient.length;
  const columns: Param = {
    kind: 'columns',
    name: 'cols',
    label: 'columns',
    columns: data.map((_, j) => `d${j}`),
    size: POINTS,
  };
  const p: Param = {
    kind: 'array',
    name: 'p',
    label: 'params',
    access: 'read',
    length: k + constants.length,
  };
  const inputs = inputsOf(low, bindings, (b) =>
    b.source === 'param'
      ? element('p', b.index)
      : { kind: 'element', array: `d${b.index}`, index: index(0, { coef: 1, variable: POINT }) },
  );
  const adjoints = gradient
    ? low.adjoints([expr], [low.ir.lit(1)], [...params, ...dataGradient])
    : [];
  const paramAdjoints = adjoints.slice(0, k);
  const dg = outParam('dg', 'dataGradOut', { size: POINTS, per: m });
  // Per point: ∂f/∂v for each data-gradient variable v, into row i of dg.
  const dataStores = adjoints
    .slice(k)
    .map((a, j) => store('dg', index(j, { coef: m, variable: POINT }), a, accumulate));
  const optional = spec.valueOnly ? 'optional' : undefined;
  const loop = (body: readonly Stmt[]): Stmt => ({
    kind: 'loop',
    variable: POINT,
    count: { size: POINTS, per: 1 },
    body,
  });
  const fn = (
    name: string,
    extra: readonly Param[],
    returns: ProgramFunction['returns'],
    scalars: readonly string[],
    body: readonly Stmt[],
  ): ProgramFunction => ({
    name,
    params: [columns, p, ...extra],
    returns,
    scalars,
    inputs,
    body,
  });
  /** Without `g`: the value-only function (when there is one). */
  const shortcut = (param: string, value: Value): Stmt[] =>
    spec.valueOnly ? [{ kind: 'ifMissing', param, body: [{ kind: 'return', value }] }] : [];

  if (reduce === 'none') {
    const out = outParam('o', 'out', { size: POINTS, per: 1 });
    const values = fn(
      'values',
      [out],
      'void',
      [],
      [ARGUMENTS, loop([store('o', index(0, { coef: 1, variable: POINT }), f)])],
    );
    if (!gradient) return { functions: [values], entry: 'values' };
    const pointGradient = fn(
      'valuesGradient',
      [out, outParam('go', 'gradOut', { size: POINTS, per: k }, optional), ...(m > 0 ? [dg] : [])],
      'void',
      [],
      [
        ...shortcut('go', call('values', 'cols', 'p', 'o')),
        ARGUMENTS,
        loop([
          store('o', index(0, { coef: 1, variable: POINT }), f),
          ...paramAdjoints.map((a, j) =>
            store('go', index(j, { coef: k, variable: POINT }), a, accumulate),
          ),
          ...dataStores,
        ]),
      ],
    );
    return {
      functions: spec.valueOnly ? [values, pointGradient] : [pointGradient],
      entry: 'valuesGradient',
    };
  }

  const reduced = (acc: string): Value =>
    reduce === 'mean' ? binary('/', scalar(acc), scalar(POINTS)) : scalar(acc);
  const loss = fn(
    'loss',
    [],
    'number',
    ['A0'],
    [
      ARGUMENTS,
      loop([{ kind: 'set', scalar: 'A0', value: f, add: true }]),
      { kind: 'return', value: reduced('A0') },
    ],
  );
  if (!gradient) return { functions: [loss], entry: 'loss' };
  const accumulators = paramAdjoints.map((_, j) => `A${j + 1}`);
  const lossGradient = fn(
    'lossGradient',
    [outParam('g', 'gradOut', k, optional), ...(m > 0 ? [dg] : [])],
    'number',
    ['A0', ...accumulators],
    [
      ...shortcut('g', call('loss', 'cols', 'p')),
      ARGUMENTS,
      loop([
        { kind: 'set', scalar: 'A0', value: f, add: true },
        ...paramAdjoints.map(
          (a, j): Stmt => ({ kind: 'set', scalar: accumulators[j], value: a, add: true }),
        ),
        ...dataStores,
      ]),
      ...accumulators.map((acc, j) => store('g', at(j), reduced(acc), accumulate)),
      { kind: 'return', value: reduced('A0') },
    ],
  );
  return {
    functions: spec.valueOnly ? [loss, lossGradient] : [lossGradient],
    entry: 'lossGradient',
  };
}
