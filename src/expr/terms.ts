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

/** True when a term reads as negative: a negative number or a negative coefficient. */
export const isNegativeTerm = (t: ExprShape): boolean => coefficientOf(t).num < 0n;

/** The number a sum (0) or product (1) starts from. */
export const identityOf = (op: 'add' | 'mul'): Rational => (op === 'add' ? ZERO : ONE);
