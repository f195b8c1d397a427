/**
 * Second-derivative programs: the dense Hessian (each pair i ≤ j computed once, mirrored)
 * and the Hessian-vector product H·v (the reverse sweep of Σᵢ vᵢ·∂f/∂xᵢ: one pass over the
 * gradient's DAG, no n×n matrix).
 */
import { grad } from '../../diff/diff.js';
import type { Expr } from '../../expr/index.js';
import { Lowering } from '../lower.js';
import { at, type Program, type Stmt, store } from '../program.js';
import {
  ARGUMENTS,
  bindAll,
  checkBound,
  fromPoint,
  inputsOf,
  outParam,
  pointParam,
  single,
} from './common.js';

const RETURN_OUT: Stmt = { kind: 'return', array: 'o' };

/** Dense Hessian, row-major n×n, into `o` (allocated when absent). */
export function hessianProgram(expr: Expr, vars: readonly Expr[]): Program {
  checkBound([expr], vars);
  const bindings = bindAll(vars, 'x');
  const low = new Lowering(bindings, true);
  const gradient = grad(expr, vars);
  const n = vars.length;
  const stores: Stmt[] = [];
  const one = low.ir.lit(1);
  for (let i = 0; i < n; i++) {
    const row = low.adjoints([gradient[i]], [one], vars.slice(i));
    row.forEach((h, k) => {
      const j = i + k;
      stores.push(store('o', at(i * n + j), h));
      if (j !== i) stores.push(store('o', at(j * n + i), h));
    });
  }
  return single({
    name: 'hessian',
    params: [pointParam(n), outParam('o', 'out', n * n, 'allocate')],
    returns: 'array',
    scalars: [],
    inputs: inputsOf(low, bindings, fromPoint),
    body: [ARGUMENTS, ...stores, RETURN_OUT],
  });
}

/** H(x)·v into `o` (allocated when absent). */
export function hessianVectorProgram(expr: Expr, vars: readonly Expr[]): Program {
  checkBound([expr], vars);
  const bindings = bindAll(vars, 'x');
  const low = new Lowering(bindings, true);
  const gradient = grad(expr, vars);
  const n = vars.length;
  const seeds = vars.map((_, k) => low.ir.input('v', k));
  const hv = low.adjoints(gradient, seeds, vars);
  const inputs = inputsOf(low, bindings, fromPoint);
  seeds.forEach((s, k) => {
    inputs.set(s, { kind: 'element', array: 'v', index: at(k) });
  });
  return single({
    name: 'hessianVector',
    params: [
      pointParam(n),
      { kind: 'array', name: 'v', label: 'v', access: 'read', length: n },
      outParam('o', 'out', n, 'allocate'),
    ],
    returns: 'array',
    scalars: [],
    inputs,
    body: [ARGUMENTS, ...hv.map((node, k) => store('o', at(k), node)), RETURN_OUT],
  });
}
