/**
 * `compile`'s program: the value of one expression (a number), or of several written into
 * an output array; positional number arguments or one vector.
 */
import type { Expr } from '../../expr/index.js';
import { Lowering } from '../lower.js';
import { at, type Param, type Program, store } from '../program.js';
import {
  ARGUMENTS,
  bindAll,
  checkBound,
  fromPoint,
  inputsOf,
  outParam,
  pointParam,
  returns,
  single,
  valueFunction,
} from './common.js';
import { rerolledValueProgram, rerollFor } from './loops.js';

/** How `compile` presents the inputs. */
export type InputStyle = 'positional' | 'vector';

/** The value of one expression, or of several written into `o`. */
export function valueProgram(
  exprs: readonly Expr[],
  vars: readonly Expr[],
  input: InputStyle,
  multi: boolean,
): Program {
  checkBound(exprs, vars);
  if (!multi && input === 'vector') {
    const rerolled = rerollFor(exprs[0], vars, vars.length);
    if (rerolled !== undefined) return rerolledValueProgram(rerolled, vars);
  }
  const bindings = bindAll(vars, 'x');
  const low = new Lowering(bindings);
  const values = exprs.map((e) => low.lower(e));
  const positional = input === 'positional';
  const inputs = inputsOf(low, bindings, (b) =>
    positional ? { kind: 'param', name: `a${b.index}` } : fromPoint(b),
  );
  if (!multi && !positional) return single(valueFunction(values[0], vars.length, inputs));
  const params: Param[] = positional
    ? vars.map((_, k) => ({ kind: 'number', name: `a${k}` }))
    : [pointParam(vars.length)];
  if (!multi) {
    return single({
      name: 'value',
      params,
      returns: 'number',
      scalars: [],
      inputs,
      body: [ARGUMENTS, returns(values[0])],
    });
  }
  return single({
    name: 'value',
    params: [...params, outParam('o', 'out', values.length, 'allocate')],
    returns: 'array',
    scalars: [],
    inputs,
    body: [
      ARGUMENTS,
      ...values.map((v, k) => store('o', at(k), v)),
      { kind: 'return', array: 'o' },
    ],
  });
}
