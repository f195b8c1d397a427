/**
 * `compileGradient`'s program: `gradient(x, g)` returns f(x) and writes ∇f into g, the
 * backward sweep reusing the forward values; without g it calls the value-only `value(x)`.
 */
import type { Expr } from '../../expr/index.js';
import { Lowering } from '../lower.js';
import { at, call, type Program, type ProgramFunction, type Stmt, store } from '../program.js';
import {
  ARGUMENTS,
  bindAll,
  checkBound,
  fromPoint,
  inputsOf,
  outParam,
  pointParam,
  returns,
  valueFunction,
} from './common.js';
import { groupLoops, type RerolledSum, rerolledTotal, rerollFor } from './loops.js';

/** `gradient(x, g)`: `body` after the value-only shortcut and the argument checks. */
const gradientFunction = (
  nInputs: number,
  nVars: number,
  inputs: ProgramFunction['inputs'],
  body: readonly Stmt[],
): ProgramFunction => ({
  name: 'gradient',
  params: [pointParam(nInputs), outParam('g', 'gradOut', nVars, 'optional')],
  returns: 'number',
  scalars: [],
  inputs,
  body: [
    { kind: 'ifMissing', param: 'g', body: [returns(call('value', 'x'))] },
    ARGUMENTS,
    ...body,
  ],
});

/**
 * Fused value and gradient by `vars`; `data` are further inputs (after the variables in x)
 * that are not differentiated.
 */
export function gradientProgram(
  expr: Expr,
  vars: readonly Expr[],
  data: readonly Expr[] = [],
): Program {
  const all = [...vars, ...data];
  checkBound([expr], all);
  const rerolled = rerollFor(expr, all, vars.length);
  if (rerolled !== undefined) return rerolledGradientProgram(rerolled, vars, all);
  const bindings = bindAll(all, 'x');
  const low = new Lowering(bindings, true);
  const f = low.lower(expr);
  const g = low.adjoints([expr], [low.ir.lit(1)], vars);
  const inputs = inputsOf(low, bindings, fromPoint);
  return {
    functions: [
      valueFunction(f, all.length, inputs),
      gradientFunction(all.length, vars.length, inputs, [
        ...g.map((node, k) => store('g', at(k), node)),
        returns(f),
      ]),
    ],
    entry: 'gradient',
  };
}

/** A rerolled sum: straight-line rest plus loops, which add their partials into g. */
function rerolledGradientProgram(
  sum: RerolledSum,
  vars: readonly Expr[],
  all: readonly Expr[],
): Program {
  const bindings = bindAll(all, 'x');
  const low = new Lowering(bindings, true);
  const rest = low.lower(sum.rest);
  // g starts at zero, the straight-line part writes its nonzero partials, the loops add.
  const g = low.adjoints([sum.rest], [low.ir.lit(1)], vars);
  const nonzero = g.flatMap((node, k) =>
    node.op === 'lit' && node.value === 0 ? [] : [store('g', at(k), node)],
  );
  const values = groupLoops(sum, 'value', false, vars.length);
  const grads = groupLoops(sum, 'gradient', true, vars.length, nonzero.length > 0);
  const inputs = inputsOf(low, bindings, fromPoint);
  return {
    functions: [
      ...values,
      ...grads,
      valueFunction(
        rerolledTotal(
          low.ir,
          rest,
          sum.scale,
          values.map((v) => call(v.name, 'x')),
        ),
        all.length,
        inputs,
      ),
      gradientFunction(all.length, vars.length, inputs, [
        { kind: 'fill', array: 'g', from: 0, to: vars.length, value: 0 },
        ...nonzero,
        returns(
          rerolledTotal(
            low.ir,
            rest,
            sum.scale,
            grads.map((v) => call(v.name, 'x', 'g')),
          ),
        ),
      ]),
    ],
    entry: 'gradient',
  };
}
