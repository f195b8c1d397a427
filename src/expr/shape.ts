/**
 * The fields of an expression node as an interface. The `Expr` class implements it; the
 * printer behind `Expr.prototype.toString` reads nodes through it, so the node module can
 * use the printer without the printer depending back on the node module.
 */
import type { Op } from './ops.js';
import type { Rational } from './rational.js';

/** What every expression node has (see `Expr` for the meaning of each field by `op`). */
export interface ExprShape {
  readonly id: number;
  readonly op: Op;
  readonly args: readonly ExprShape[];
  readonly value: Rational | undefined;
  readonly name: string | undefined;
  readonly partials: readonly number[] | undefined;
  readonly height: number;
}
