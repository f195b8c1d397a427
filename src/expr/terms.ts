/**
 * How canonical terms read: a product's leading number is its coefficient (`-3*x*y` is −3
 * times `x*y`), a number is its own coefficient, anything else has coefficient 1. The one
 * home of these questions for the builders, printers, simplifier and code generator.
 */
import { ONE, type Rational, ZERO } from './rational.js';
import type { ExprShape } from './shape.js';

/** The leading number of a product (its coefficient), or undefined for anything else. */
export function leadingCoefficient(e: ExprShape): Rational | undefined {
  return e.op === 'mul' && e.args[0].op === 'num' ? e.args[0].value : undefined;
}

/**
 * The numeric coefficient of a term: the number itself, a product's leading number, else 1.
 *
 * @example
 * ```ts
 * coefficientOf(parse('-3*x*y')); // { num: -3n, den: 1n }
 * ```
 */
export function coefficientOf(t: ExprShape): Rational {
  if (t.op === 'num') return t.value!;
  return leadingCoefficient(t) ?? ONE;
}

/**
 * A term as its coefficient and the factors that remain: a number is itself with no
 * factors, a product loses its leading number, anything else is one factor with coefficient 1.
 *
 * @example
 * ```ts
 * splitCoefficient(parse('-3*x*y')); // { coefficient: −3, factors: [x, y] }
 * splitCoefficient(parse('x*y'));    // { coefficient: 1, factors: [x, y] }
 * ```
 */
export function splitCoefficient<T extends ExprShape & { readonly args: readonly T[] }>(
  t: T,
): { readonly coefficient: Rational; readonly factors: readonly T[] } {
  if (t.op === 'num') return { coefficient: t.value!, factors: [] };
  if (t.op !== 'mul') return { coefficient: ONE, factors: [t] };
  const lead = leadingCoefficient(t);
  // A product's arguments are nodes of its own kind (Expr's args are Expr).
  const args = t.args as readonly T[];
  return lead === undefined
    ? { coefficient: ONE, factors: args }
    : { coefficient: lead, factors: args.slice(1) };
}

/** True when a term reads as negative: a negative number or a negative coefficient. */
export const isNegativeTerm = (t: ExprShape): boolean => coefficientOf(t).num < 0n;

/** The number a sum (0) or product (1) starts from. */
export const identityOf = (op: 'add' | 'mul'): Rational => (op === 'add' ? ZERO : ONE);
