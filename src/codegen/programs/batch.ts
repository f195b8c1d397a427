/**
 * `compileBatch`'s programs: a loop over data columns (one Float64Array per data variable)
 * with the parameter vector `p`, reducing (sum or mean, with the gradient by `p`) or
 * point-wise. Parameter-only values are computed once, before the loop (layout hoists
 * everything that does not depend on a data input).
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

const POINT = 'i';
const POINTS = 'n';

/**
 * A batch kernel over data columns `cols` (an array, in the order of `data`) with the
 * parameter vector `p`. Reducing kernels are `(cols, p, g?) => number`; `none` is
 * `(cols, p, o, go?) => void` with per-point values in `o` and per-point gradients in `go`
 * (row-major, one row of `params.length` per point).
 */
export function batchProgram(
  expr: Expr,
  data: readonly Expr[],
  params: readonly Expr[],
  reduce: Reduction,
  gradient: boolean,
): Program {
  checkBound([expr], [...data, ...params]);
  const bindings = [...bindAll(data, 'data'), ...bindAll(params, 'param')];
  const low = new Lowering(bindings, gradient);
  const f = low.lower(expr);
  const k = params.length;
  const columns: Param = {
    kind: 'columns',
    name: 'cols',
    label: 'columns',
    columns: data.map((_, j) => `d${j}`),
    size: POINTS,
  };
  const p: Param = { kind: 'array', name: 'p', label: 'params', access: 'read', length: k };
  const inputs = inputsOf(low, bindings, (b) =>
    b.source === 'param'
      ? element('p', b.index)
      : { kind: 'element', array: `d${b.index}`, index: index(0, { coef: 1, variable: POINT }) },
  );
  const adjoints = gradient ? low.adjoints([expr], [low.ir.lit(1)], params) : [];
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
      [out, outParam('go', 'gradOut', { size: POINTS, per: k }, 'optional')],
      'void',
      [],
      [
        {
          kind: 'ifMissing',
          param: 'go',
          body: [{ kind: 'return', value: call('values', 'cols', 'p', 'o') }],
        },
        ARGUMENTS,
        loop([
          store('o', index(0, { coef: 1, variable: POINT }), f),
          ...adjoints.map((a, j) => store('go', index(j, { coef: k, variable: POINT }), a)),
        ]),
      ],
    );
    return { functions: [values, pointGradient], entry: 'valuesGradient' };
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
  const accumulators = adjoints.map((_, j) => `A${j + 1}`);
  const lossGradient = fn(
    'lossGradient',
    [outParam('g', 'gradOut', k, 'optional')],
    'number',
    ['A0', ...accumulators],
    [
      {
        kind: 'ifMissing',
        param: 'g',
        body: [{ kind: 'return', value: call('loss', 'cols', 'p') }],
      },
      ARGUMENTS,
      loop([
        { kind: 'set', scalar: 'A0', value: f, add: true },
        ...adjoints.map(
          (a, j): Stmt => ({ kind: 'set', scalar: accumulators[j], value: a, add: true }),
        ),
      ]),
      ...accumulators.map((acc, j) => store('g', at(j), reduced(acc))),
      { kind: 'return', value: reduced('A0') },
    ],
  );
  return { functions: [loss, lossGradient], entry: 'lossGradient' };
}
