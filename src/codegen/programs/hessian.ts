/**
 * Second-derivative programs: the dense Hessian (each pair i ≤ j computed once, mirrored)
 * and the Hessian-vector product H·v (the reverse sweep of Σᵢ vᵢ·∂f/∂xᵢ: one pass over the
 * gradient's DAG, no n×n matrix). Both are formed as expressions first, so the canonical
 * form and the stable forms see them whole before they are lowered: differentiating the
 * lowered gradient instead would subtract σ(1 − σ) terms that cancel (a factor 2 lost in
 * the Hessian of tanh(atan(x)) near 0).
 */
import { grad, hessian, reverse } from '../../diff/diff.js';
import { type Expr, sym } from '../../expr/index.js';
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
  const h = hessian(expr, vars);
  const n = vars.length;
  const stores: Stmt[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const entry = low.lower(h[i][j]);
      stores.push(store('o', at(i * n + j), entry));
      if (j !== i) stores.push(store('o', at(j * n + i), entry));
    }
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
  // The direction's entries as symbols no user text can name (a name with a NUL in it).
  const direction = vars.map((_, k) => sym(`\u0000v${k}`));
  const bindings = [...bindAll(vars, 'x'), ...bindAll(direction, 'v')];
  const low = new Lowering(bindings, true);
  const hv = reverse(grad(expr, vars), direction, vars).map((e) => low.lower(e));
  const n = vars.length;
  const inputs = inputsOf(low, bindings, fromPoint);
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
