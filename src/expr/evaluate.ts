/**
 * The reference interpreter: float64 evaluation of an expression at a point. Slow but
 * obviously right; compiled code is tested against it. Iterative over the DAG, each shared
 * node evaluated once. Domain errors give NaN (log(−1)), poles give ±Infinity, as in `Math`.
 */

import { describe } from './build.js';
import { postorder } from './dag.js';
import { InvalidArgumentError, UnboundFunctionError, UnboundSymbolError } from './errors.js';
import { type ExprInput, toExpression } from './input.js';
import type { Expr } from './node.js';
import { erf, erfc, heaviside, relu, sigmoid, softplus } from './numeric.js';
import {
  CONSTANTS,
  type ConstantName,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  type Kernel,
  type KernelPrimitive,
} from './ops.js';
import { ratToNumber } from './rational.js';
import { expm1Split, log1pTerms, stableForm } from './stable.js';

/**
 * The float semantics of each kernel primitive, as the interpreter computes them: `Math`
 * and Leibniz's stable kernels. Compiled code must agree (tested per primitive).
 */
export const PRIMITIVE_FLOATS: {
  readonly [P in KernelPrimitive]: (...xs: number[]) => number;
} = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  atan2: Math.atan2,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  log2: Math.log2,
  log10: Math.log10,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  pow: Math.pow,
  abs: Math.abs,
  sign: Math.sign,
  min: (a, b) => Math.min(a, b),
  max: (a, b) => Math.max(a, b),
  sigmoid,
  softplus,
  relu,
  erf,
  erfc,
  heaviside,
  gate: (s, a) => (s === 0 && !Number.isNaN(a) ? 0 : s * a),
  dsigmoid: (v, s) => (s < 0.9999 ? s * (1 - s) : s / (1 + Math.exp(v))),
  sech2: (u, t) => (Math.abs(t) < 0.9999 ? 1 - t * t : 4 / (Math.exp(u) + Math.exp(-u)) ** 2),
};

/** A kernel of the function table as a float function of the function's arguments. */
function kernelFloat(k: Kernel): (...xs: number[]) => number {
  if ('arg' in k) {
    const i = k.arg;
    return (...xs) => xs[i];
  }
  if ('num' in k) {
    const v = k.num;
    return () => v;
  }
  const args = k.args.map(kernelFloat);
  const [a, b] = args;
  switch (k.op) {
    case 'add':
      return (...xs) => a(...xs) + b(...xs);
    case 'sub':
      return (...xs) => a(...xs) - b(...xs);
    case 'mul':
      return (...xs) => a(...xs) * b(...xs);
    case 'div':
      return (...xs) => a(...xs) / b(...xs);
    case 'neg':
      return (...xs) => -a(...xs);
    default: {
      const f = PRIMITIVE_FLOATS[k.op];
      // A function that is one primitive of its own arguments is that primitive itself.
      if (k.args.every((x, i) => 'arg' in x && x.arg === i)) return f;
      return (...xs) => f(...args.map((g) => g(...xs)));
    }
  }
}

/**
 * Float implementations of the known functions, read from the function table's kernel column
 * (the semantics compiled code must match).
 */
export const NUMERIC_FUNCTIONS: { readonly [K in FunctionName]: (...xs: number[]) => number } =
  Object.fromEntries(FUNCTION_NAMES.map((name) => [name, kernelFloat(FUNCTIONS[name].kernel)])) as {
    readonly [K in FunctionName]: (...xs: number[]) => number;
  };

/** Values of the symbols: a record by name, or a map keyed by name or symbol node. */
export type Environment = { readonly [name: string]: number } | ReadonlyMap<string | Expr, number>;

/** The value of a named constant. */
export function constantValue(name: ConstantName): number {
  return CONSTANTS[name].value;
}

function lookup(env: Environment, node: Expr): number {
  const name = node.name!;
  let v: unknown;
  if (env instanceof Map) v = env.get(node) ?? env.get(name);
  else if (Object.hasOwn(env, name)) v = (env as { readonly [name: string]: unknown })[name];
  if (v === undefined) throw new UnboundSymbolError(name);
  if (typeof v !== 'number') {
    throw new InvalidArgumentError(
      `evaluate: the value of '${name}' must be a number, got ${describe(v)}`,
    );
  }
  return v;
}

/**
 * Evaluates `expr` in float64 with the symbols' values from `env`. Throws
 * `UnboundSymbolError` naming the first symbol without a value, and a `LeibnizError` for
 * unknown functions (`f(x)` has no value).
 *
 * @example
 * ```ts
 * evaluate(parse('sin(x^2)'), { x: 2 }); // Math.sin(4)
 * ```
 */
export function evaluate(expr: ExprInput, env: Environment = {}): number {
  if (typeof env !== 'object' || env === null) {
    throw new InvalidArgumentError(
      `evaluate: the environment must be an object or a Map, got ${describe(env)}`,
    );
  }
  const e = stableForm(toExpression(expr, 'evaluate'));
  const values = new Map<number, number>();
  for (const node of postorder(e)) values.set(node.id, evaluateNode(node, env, values));
  return values.get(e.id)!;
}

/** Steps: their zero is exact, so a product with one is 0 even where another factor is ±∞. */
const isStep = (e: Expr): boolean => e.op === 'heaviside' || e.op === 'sign';

function evaluateNode(node: Expr, env: Environment, values: ReadonlyMap<number, number>): number {
  const arg = (i: number): number => values.get(node.args[i].id)!;
  switch (node.op) {
    case 'num':
      return ratToNumber(node.value!);
    case 'const':
      return constantValue(node.name as ConstantName);
    case 'sym':
      return lookup(env, node);
    case 'add': {
      // exp(u) − 1 and 1 − exp(u) as ±expm1(u), then the other terms (as compiled code does).
      const split = expm1Split(node);
      if (split !== undefined) {
        const em1 = Math.expm1(values.get(split.exp.args[0].id)!);
        return sumFrom(split.negated ? -em1 : em1, split.rest, values);
      }
      // From the first term, not from 0: 0 + (−0) would lose the sign of a zero sum, which
      // atan2 and 1/x can see (compiled code sums the same way).
      return sumFrom(arg(0), node.args.slice(1), values);
    }
    case 'log': {
      // log(1 + u) as log1p(u), exact for small u (as compiled code does).
      const terms = log1pTerms(node.args[0]);
      if (terms === undefined) return Math.log(arg(0));
      return Math.log1p(sumFrom(values.get(terms[0].id)!, terms.slice(1), values));
    }
    case 'mul': {
      let p = 1;
      let stepIsZero = false;
      let outOfDomain = false;
      let zero = false;
      let infinite = false;
      let negative = false;
      for (let i = 0; i < node.args.length; i++) {
        const v = arg(i);
        if (v === 0) {
          zero = true;
          if (isStep(node.args[i])) stepIsZero = true;
        } else if (Number.isNaN(v)) outOfDomain = true;
        else if (!Number.isFinite(v)) infinite = true;
        if (v < 0 || Object.is(v, -0)) negative = !negative;
        p *= v;
      }
      // relu(x)^(1/2) has derivative (1/2)·relu(x)^(−1/2)·H(x): at x < 0 that is ∞·0, and
      // the function is flat there, so the step's 0 wins. NaN (out of a domain) stays NaN.
      if (stepIsZero && !outOfDomain) return 0;
      // Finite factors and an exact 0: the product is 0 whatever the partial products did on
      // the way (atan″ = −2·x·(x² + 1)⁻² at x = 1.8e308 is −2·x = −∞ times 0, not NaN).
      if (Number.isNaN(p) && zero && !infinite && !outOfDomain) return negative ? -0 : 0;
      return p;
    }
    case 'pow':
      return powValue(arg(0), node.args[1], arg(1));
    case 'call':
      throw new UnboundFunctionError(node.name!);
    default: {
      const f = NUMERIC_FUNCTIONS[node.op];
      return node.args.length === 1 ? f(arg(0)) : f(arg(0), arg(1));
    }
  }
}

/** `first` plus the values of `terms`, left to right. */
function sumFrom(
  first: number,
  terms: readonly Expr[],
  values: ReadonlyMap<number, number>,
): number {
  let s = first;
  for (const t of terms) s += values.get(t.id)!;
  return s;
}

/** x^y with the exponent's exact form in hand: square roots use Math.sqrt (as codegen does). */
export function powValue(base: number, exponentNode: Expr, exponent: number): number {
  if (exponentNode.op === 'num') {
    const r = exponentNode.value!;
    if (r.den === 2n && r.num === 1n) return Math.sqrt(base);
    if (r.den === 2n && r.num === -1n) return 1 / Math.sqrt(base);
  }
  return base ** exponent;
}
