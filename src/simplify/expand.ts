/**
 * Expansion: products and positive integer powers of sums distributed into a sum of
 * monomials with exact rational coefficients, everywhere in the expression (inside function
 * arguments too). Iterative over the DAG, each distinct node once; a size guard leaves a
 * subexpression unexpanded rather than building an enormous sum.
 */
import {
  describe,
  type Expr,
  type ExprInput,
  InvalidArgumentError,
  mapBottomUp,
  optionsOf,
  rebuild,
  toExpression,
} from '../expr/index.js';
import { AtomTable, combinesArgs, type Poly, polyToExpr, toPoly } from './poly.js';

/**
 * Options of {@link expand}.
 *
 * @example
 * ```ts
 * expand(parse('(a + b + c)^20'), { maxTerms: 100 }); // left as it is (231 terms)
 * ```
 */
export interface ExpandOptions {
  /**
   * Largest number of terms a single expanded sum may have; a subexpression whose expansion
   * would be larger is left as it is (its parts are still expanded). Default 10 000.
   */
  readonly maxTerms?: number;
}

/**
 * Distributes products over sums and expands positive integer powers of sums (exponents up
 * to 64), collecting like terms exactly. Powers of sums with negative or fractional
 * exponents stay as they are, with their base expanded.
 *
 * @example
 * ```ts
 * format(expand(parse('(x + 1)^2*(x - 1)'))); // 'x^3 + x^2 - x - 1'
 * format(expand(parse('sin((a + b)^2)')));    // 'sin(a^2 + 2*a*b + b^2)'
 * ```
 */
export function expand(input: ExprInput, options?: ExpandOptions): Expr {
  const expr = toExpression(input, 'expand');
  const limit = optionsOf(options, 'expand').maxTerms ?? 10_000;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
    throw new InvalidArgumentError(
      `expand: maxTerms must be a positive integer, got ${describe(limit)}`,
    );
  const atoms = new AtomTable();
  const memo = new Map<Expr, Poly | null>();
  // A sum, product or power whose polynomial is known stays as it is (pending) until a
  // node that is not part of the same polynomial needs it written out: writing out every
  // level of x*(1 + x*(1 + …)) would take time cubic in its depth.
  const pending = new Map<Expr, Poly>();
  const written = (e: Expr): Expr => {
    const p = pending.get(e);
    return p === undefined ? e : polyToExpr(p, atoms);
  };
  const writeArgs = (n: Expr): Expr => {
    const args = n.args.map(written);
    return args.every((a, i) => a === n.args[i]) ? n : rebuild(n, args);
  };
  const [out] = mapBottomUp([expr], (node, args) => {
    const n = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
    if (!combinesArgs(n)) return writeArgs(n);
    const p = toPoly(n, atoms, limit, memo);
    if (p === undefined) return writeArgs(n);
    pending.set(n, p);
    return n;
  });
  return written(out);
}
