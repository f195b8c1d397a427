/**
 * The table of local partial derivatives: one entry per operator and known function, one
 * partial per argument (∂f/∂uᵢ as an expression in the arguments), as DiffRules.jl writes
 * them. The chain rule that combines them lives in one place, diff.ts. Partials reuse the
 * node itself where the derivative is a function of the value (exp' = exp, tanh' = 1 − tanh²,
 * σ' = σ(1 − σ)), so compiled code recomputes nothing.
 *
 * Conventions at kinks (documented in docs/derivatives.md): abs' = sign (0 at 0),
 * sign' = 0, relu' = heaviside (0 at 0), heaviside' = 0; min/max send the derivative to the
 * first argument when it is strictly smaller/larger, else to the second.
 */

import type { ArityOf, Expr, FunctionName } from '../expr/index.js';
import {
  add,
  cos,
  cosh,
  cot,
  derivativeCall,
  div,
  exp,
  heaviside,
  log,
  MINUS_ONE_EXPR,
  mul,
  mulAll,
  neg,
  num,
  ONE_EXPR,
  PI,
  pow,
  sigmoid,
  sign,
  sin,
  sinh,
  sqrt,
  sub,
  tan,
  ZERO_EXPR,
} from '../expr/index.js';

/** A tuple of `n` items (for arity-checked entries). */
type Tuple<T, N extends number, Acc extends T[] = []> = Acc['length'] extends N
  ? Acc
  : Tuple<T, N, [...Acc, T]>;

/** ∂f/∂uᵢ given the arguments and the node f(u₁, …, uₙ) itself. */
export type Partial = (args: readonly Expr[], node: Expr) => Expr;

/** One partial per argument of each known function; the type demands exactly `arity`. */
export type FunctionPartials = { readonly [K in FunctionName]: Tuple<Partial, ArityOf<K>> };

const square = (u: Expr): Expr => pow(u, 2);

/** Local partials of every known function. A missing or extra entry is a type error. */
export const FUNCTION_PARTIALS = {
  sin: [([u]) => cos(u)],
  cos: [([u]) => neg(sin(u))],
  tan: [(_, t) => add(1, square(t))],
  sec: [([u], s) => mul(s, tan(u))],
  csc: [([u], c) => neg(mul(c, cot(u)))],
  cot: [(_, c) => neg(add(1, square(c)))],
  asin: [([u]) => pow(sub(1, square(u)), num(-0.5))],
  acos: [([u]) => neg(pow(sub(1, square(u)), num(-0.5)))],
  atan: [([u]) => pow(add(1, square(u)), MINUS_ONE_EXPR)],
  atan2: [
    ([y, x]) => div(x, add(square(x), square(y))),
    ([y, x]) => neg(div(y, add(square(x), square(y)))),
  ],
  sinh: [([u]) => cosh(u)],
  cosh: [([u]) => sinh(u)],
  tanh: [(_, t) => sub(1, square(t))],
  asinh: [([u]) => pow(add(square(u), 1), num(-0.5))],
  acosh: [([u]) => pow(sub(square(u), 1), num(-0.5))],
  atanh: [([u]) => pow(sub(1, square(u)), MINUS_ONE_EXPR)],
  exp: [(_, e) => e],
  log: [([u]) => pow(u, MINUS_ONE_EXPR)],
  log2: [([u]) => pow(mul(u, log(2)), MINUS_ONE_EXPR)],
  log10: [([u]) => pow(mul(u, log(10)), MINUS_ONE_EXPR)],
  cbrt: [(_, c) => div(1, mul(3, square(c)))],
  abs: [([u]) => sign(u)],
  sign: [() => ZERO_EXPR],
  min: [([a, b]) => heaviside(sub(b, a)), ([a, b]) => sub(1, heaviside(sub(b, a)))],
  max: [([a, b]) => heaviside(sub(a, b)), ([a, b]) => sub(1, heaviside(sub(a, b)))],
  sigmoid: [(_, s) => mul(s, sub(1, s))],
  softplus: [([u]) => sigmoid(u)],
  relu: [([u]) => heaviside(u)],
  erf: [([u]) => mul(div(2, sqrt(PI)), exp(neg(square(u))))],
  heaviside: [() => ZERO_EXPR],
} as const satisfies FunctionPartials;

/**
 * ∂node/∂args[i] for any node with arguments: the operators (`add`, `mul`, `pow`), known
 * functions from the table, and unknown functions (`f(u)` → `f'(u)`, partials by index).
 */
export function partial(node: Expr, i: number): Expr {
  const args = node.args;
  switch (node.op) {
    case 'add':
      return ONE_EXPR;
    case 'mul':
      // The product of the other factors (its canonical form cancels nothing it should not).
      return mulAll([...args.slice(0, i), ...args.slice(i + 1)]);
    case 'pow': {
      const [b, e] = args;
      return i === 0 ? mul(e, pow(b, add(e, MINUS_ONE_EXPR))) : mul(node, log(b));
    }
    case 'call':
      return derivativeCall(node.name!, args, [...node.partials!, i]);
    case 'num':
    case 'const':
    case 'sym':
      throw new RangeError(`${node.op} has no arguments`);
    default: {
      const entries: readonly Partial[] = FUNCTION_PARTIALS[node.op];
      return entries[i](args, node);
    }
  }
}
