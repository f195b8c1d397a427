/**
 * What both printers check before and after printing: that they were given an expression,
 * and that the text fits in a JavaScript string (a DAG of 10⁵ nodes can print as a tree of
 * 10⁹), so either failure is an `InvalidArgumentError`, never a raw `TypeError` or
 * `RangeError`.
 */
import { InvalidArgumentError } from './errors.js';
import type { ExprShape } from './shape.js';

/** True for an expression node (any object with an operator and arguments). */
export const isExprShape = (x: unknown): x is ExprShape =>
  typeof x === 'object' &&
  x !== null &&
  !Array.isArray(x) &&
  typeof (x as ExprShape).op === 'string' &&
  Array.isArray((x as ExprShape).args);

/** Runs a printer on `expr`, turning the engine's string-length limit into a typed error. */
export function printChecked(
  expr: unknown,
  where: string,
  print: (e: ExprShape) => string,
): string {
  if (!isExprShape(expr)) {
    const kind = Array.isArray(expr) ? 'an array' : expr === null ? 'null' : typeof expr;
    throw new InvalidArgumentError(`${where}: expected an expression, got ${kind}`);
  }
  try {
    return print(expr);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new InvalidArgumentError(
        `${where}: the text would be longer than the longest string JavaScript allows (the expression has shared parts that print many times); print a smaller expression`,
      );
    }
    throw err;
  }
}
