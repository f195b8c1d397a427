/**
 * The table of local partial derivatives: one entry per operator and known function, one
 * partial per argument (∂f/∂uᵢ as an expression in the arguments), as DiffRules.jl writes
 * them. Partials reuse the node itself where the derivative is a function of its value
 * (exp' = exp, tanh' = 1 − tanh², σ' = σ(1 − σ), (1/b)' = −(1/b)²), so compiled code, which
 * lowers them next to the forward values, recomputes nothing. The chain rule that combines
 * them lives in one place, chain.ts, generic over what it computes with (`Expr`s for `diff`
 * and `grad`, code generation's IR for compiled gradients); `localPartials` hands it the
 * partials in that arithmetic.
 *
 * Conventions at kinks (documented in docs/derivatives.md): abs' = sign (0 at 0),
 * sign' = 0, relu' = heaviside (0 at 0), heaviside' = 0; min/max send the derivative to the
 * first argument when it is strictly smaller/larger, else to the second.
 */
import {
  type ArityOf,
  abs,
  add,
  cos,
  cosh,
  cot,
  coth,
  csch,
  derivativeCall,
  div,
  type Expr,
  exp,
  type FunctionName,
  heaviside,
  isFunctionName,
  log,
  MINUS_ONE_EXPR,
  mul,
  neg,
  num,
  PI,
  pow,
  sigmoid,
  sign,
  sin,
  sinh,
  sqrt,
  sub,
  tan,
  tanh,
  ZERO_EXPR,
} from '../expr/index.js';

/**
 * The arithmetic of the chain rule's partials. Most partials are expressions from the table,
 * turned into values by `of` (code generation lowers them next to the forward values, with
 * the canonical form's simplifications already applied); the structural ones (products,
 * reciprocals, roots) are built from the operands' values, so that they share work.
 */
export interface PartialOps<V> {
  /** The value of an expression: a node's forward value, or a partial's lowered form. */
  of(e: Expr): V;
  /**
   * The product of some factors of a product node (a partial of it). Code generation puts
   * factors such as b⁻² in a denominator.
   */
  product(factors: readonly Expr[]): V;
  /** A number. */
  num(value: number): V;
  mul(...factors: V[]): V;
  div(a: V, b: V): V;
  neg(a: V): V;
}

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
  acot: [([u]) => neg(pow(add(1, square(u)), MINUS_ONE_EXPR))],
  // 1/(x²·√(1 − 1/x²)) as SymPy writes it: x⁻² underflows gracefully where x² would overflow.
  asec: [([u]) => pow(mul(square(u), sqrt(sub(1, pow(u, -2)))), MINUS_ONE_EXPR)],
  acsc: [([u]) => neg(pow(mul(square(u), sqrt(sub(1, pow(u, -2)))), MINUS_ONE_EXPR))],
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
  sech: [([u], s) => neg(mul(tanh(u), s))],
  csch: [([u], c) => neg(mul(coth(u), c))],
  // −csch² (SymPy's −1/sinh²): not 1 − coth², which cancels to 0 where coth rounds to ±1
  // (|u| ≳ 19), and its derivative −2·coth·csch² is not ∞·0 where sinh overflows.
  coth: [([u]) => neg(square(csch(u)))],
  asech: [([u]) => neg(pow(mul(u, sqrt(sub(1, square(u)))), MINUS_ONE_EXPR))],
  // −1/(|x|·√(x² + 1)), SymPy's −1/(x²·√(1 + 1/x²)) without its 0·∞ where x² underflows.
  acsch: [([u]) => neg(pow(mul(abs(u), sqrt(add(square(u), 1))), MINUS_ONE_EXPR))],
  acoth: [([u]) => pow(sub(1, square(u)), MINUS_ONE_EXPR)],
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
  erfc: [([u]) => neg(mul(div(2, sqrt(PI)), exp(neg(square(u)))))],
  heaviside: [() => ZERO_EXPR],
} as const satisfies FunctionPartials;

/** Products with more factors than this get their partials from prefix and suffix products. */
const DIRECT_PRODUCT_PARTIALS = 4;

const isRational = (e: Expr, n: bigint, d: bigint): boolean =>
  e.op === 'num' && e.value!.num === n && e.value!.den === d;

/**
 * ∂(bᵉ)/∂b. Where the exponent is −1 or ±1/2 the partial is written in the node's own value
 * r = bᵉ (−r², 1/(2r), −r³/2), which compiled code already has; elsewhere e·b^(e−1).
 */
function powerBasePartial<V>(o: PartialOps<V>, node: Expr): V {
  const [b, e] = node.args;
  if (isRational(e, -1n, 1n)) return o.neg(o.mul(o.of(node), o.of(node)));
  if (isRational(e, 1n, 2n)) return o.div(o.num(0.5), o.of(node));
  if (isRational(e, -1n, 2n)) return o.mul(o.num(-0.5), o.of(node), o.of(node), o.of(node));
  return o.of(mul(e, pow(b, add(e, MINUS_ONE_EXPR))));
}

/**
 * ∂(bᵉ)/∂e = bᵉ·log b. With the number 0 as base it is 0: 0ᵉ is 0 for every e > 0 (and
 * constant ∞ below 0), whereas 0ᵉ·log 0 would be NaN (0·∞).
 */
function powerExponentPartial<V>(o: PartialOps<V>, node: Expr): V {
  const b = node.args[0];
  return b === ZERO_EXPR ? o.num(0) : o.of(mul(node, log(b)));
}

/**
 * The local partials ∂node/∂operands[i] for every i with `needed[i]`, in the arithmetic `o`.
 * `operands` are the node's arguments, or for a product any factorisation of it (a numeric
 * coefficient first, then factors whose product is the node). Products of many factors
 * share prefix and suffix products, so all their partials cost O(n).
 */
export function localPartials<V>(
  o: PartialOps<V>,
  node: Expr,
  operands: readonly Expr[],
  needed: readonly boolean[],
): (V | undefined)[] {
  const out: (V | undefined)[] = new Array(operands.length).fill(undefined);
  const each = (partial: (i: number) => V): (V | undefined)[] => {
    needed.forEach((want, i) => {
      if (want) out[i] = partial(i);
    });
    return out;
  };
  switch (node.op) {
    case 'add':
      return each(() => o.num(1));
    case 'mul': {
      const n = operands.length;
      if (n <= DIRECT_PRODUCT_PARTIALS) {
        return each((i) => o.product(operands.filter((_, j) => j !== i)));
      }
      const values = operands.map((a) => o.of(a));
      const suffix: V[] = new Array(n + 1);
      suffix[n] = o.num(1);
      for (let i = n - 1; i >= 1; i--) suffix[i] = o.mul(values[i], suffix[i + 1]);
      let prefix = o.num(1);
      for (let i = 0; i < n; i++) {
        if (needed[i]) out[i] = o.mul(prefix, suffix[i + 1]);
        if (i < n - 1) prefix = o.mul(prefix, values[i]);
      }
      return out;
    }
    case 'pow':
      return each((i) => (i === 0 ? powerBasePartial(o, node) : powerExponentPartial(o, node)));
    case 'call':
      return each((i) => o.of(derivativeCall(node.name!, node.args, [...node.partials!, i])));
    default: {
      if (!isFunctionName(node.op)) throw new RangeError(`${node.op} has no arguments`);
      const entries: readonly Partial[] = FUNCTION_PARTIALS[node.op];
      return each((i) => o.of(entries[i](node.args, node)));
    }
  }
}
