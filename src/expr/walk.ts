/**
 * Queries over expressions built on the DAG traversals of dag.ts: bottom-up rebuilding, free
 * symbols, sizes. No walk recurses, so 10⁵-deep expressions are fine.
 */
import { postorder } from './dag.js';
import { type ExprInput, toExpressions } from './input.js';
import type { Expr } from './node.js';
import { compareNames } from './order.js';

/**
 * Rebuilds every node bottom-up through `visit(node, newArgs)`, memoised per node, and
 * returns the image of `root`. `visit` returns the replacement; the default rebuilds.
 */
export function mapBottomUp(
  roots: readonly Expr[],
  visit: (node: Expr, args: readonly Expr[]) => Expr,
): Expr[] {
  const image = new Map<number, Expr>();
  for (const node of postorder(roots)) {
    const args = node.args.map((a) => image.get(a.id)!);
    image.set(node.id, visit(node, args));
  }
  return roots.map((r) => image.get(r.id)!);
}

/**
 * The symbols occurring in `expr`, sorted by name (naturally: x2 before x10).
 *
 * @example
 * ```ts
 * freeSymbols(parse('w2*tanh(w1*x) - y')).map(String); // ['w1', 'w2', 'x', 'y']
 * ```
 */
export function freeSymbols(expr: ExprInput | readonly ExprInput[]): Expr[] {
  const syms = postorder(toExpressions(expr, 'freeSymbols')).filter((n) => n.op === 'sym');
  return syms.sort((a, b) => compareNames(a.name!, b.name!) || (a.name! < b.name! ? -1 : 1));
}

/**
 * The number of distinct DAG nodes, counting shared subexpressions once (also across an
 * array of expressions): the memory and work a derivative really costs.
 */
export function size(expr: ExprInput | readonly ExprInput[]): number {
  return postorder(toExpressions(expr, 'size')).length;
}

/**
 * The number of nodes the expression would have printed as a tree (shared subexpressions
 * counted at every use). Exact as a bigint; may be astronomically larger than `size`.
 */
export function treeSize(expr: ExprInput | readonly ExprInput[]): bigint {
  const memo = new Map<number, bigint>();
  let total = 0n;
  const roots = toExpressions(expr, 'treeSize');
  for (const node of postorder(roots)) {
    let n = 1n;
    for (const a of node.args) n += memo.get(a.id)!;
    memo.set(node.id, n);
  }
  for (const r of roots) total += memo.get(r.id)!;
  return total;
}
