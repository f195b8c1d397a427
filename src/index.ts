/**
 * Leibniz: exact symbolic differentiation, simplification and compiled gradients.
 *
 * ```ts
 * import { parse, diff, format } from 'leibniz';
 * format(diff(parse('sin(x^2)'), 'x')); // '2*x*cos(x^2)'
 * ```
 *
 * @packageDocumentation
 */

// Code generation: compiled values, gradients, Hessians, batch kernels, modules.
export * from './codegen/index.js';
export {
  type ChainFactor,
  Derivation,
  type DerivationOptions,
  type DerivationRule,
  type DerivationStep,
  derivation,
} from './diff/derivation.js';
// Differentiation.
export { diff, grad, hessian, jacobian } from './diff/diff.js';
export {
  abs,
  acos,
  acosh,
  acot,
  acoth,
  acsc,
  acsch,
  add,
  addAll,
  asec,
  asech,
  asin,
  asinh,
  atan,
  atan2,
  atanh,
  call,
  cbrt,
  cos,
  cosh,
  cot,
  coth,
  csc,
  csch,
  derivativeCall,
  div,
  E,
  type ExprLike,
  erf,
  erfc,
  exp,
  fn,
  heaviside,
  ln,
  log,
  log2,
  log10,
  max,
  min,
  mul,
  mulAll,
  neg,
  num,
  PI,
  pow,
  relu,
  sec,
  sech,
  sigmoid,
  sign,
  sin,
  sinh,
  softplus,
  sqrt,
  sub,
  sym,
  tan,
  tanh,
} from './expr/build.js';
export { type DagNode, postorder } from './expr/dag.js';
export {
  ArityError,
  InvalidArgumentError,
  LeibnizError,
  ParseError,
  UnboundFunctionError,
  UnboundSymbolError,
} from './expr/errors.js';
export { type Environment, evaluate } from './expr/evaluate.js';
export { format } from './expr/format.js';
export {
  type ExprInput,
  toExpression,
  toSymbol,
  type Variable,
} from './expr/input.js';
export { toLatex } from './expr/latex.js';
// Expressions: nodes, builders, parsing, printing, evaluation, walks.
export { Expr } from './expr/node.js';
export type { ConstantName, FunctionName, Op } from './expr/ops.js';
export { FUNCTION_NAMES } from './expr/ops.js';
export { parse } from './expr/parse.js';
export type { Rational } from './expr/rational.js';
export type { ExprShape } from './expr/shape.js';
export { StableForms, stableForm } from './expr/stable.js';
export { type Substitution, substitute } from './expr/substitute.js';
export { freeSymbols, size, treeSize } from './expr/walk.js';

// Graphs, sessions and training: the lecture's model on exact compiled gradients.
export * from './graph/index.js';
// Simplification: the rewrite engine, rule sets, expand/cancel/together.
export * from './simplify/index.js';
