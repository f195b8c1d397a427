/**
 * How big an expression is, as the simplifier judges it. One weight per node that tracks the
 * number of nodes a reader sees in the printed text (an n-ary sum prints n − 1 operators, a
 * coefficient −1 prints as a sign, not a factor). The tree weight is memoised per node for
 * good (nodes are immutable), so local "is the rewrite smaller?" checks cost O(new nodes).
 */
import { type Expr, leadingCoefficient, memoPostorder, postorder } from '../expr/index.js';

/** The weight a node adds on its own (its children are counted separately). */
export function ownWeight(e: Expr): number {
  if (e.op === 'add') return e.args.length - 1;
  if (e.op === 'mul') {
    const first = e.args[0];
    if (first.op !== 'num') return e.args.length - 1;
    // `−x·y` prints as a sign, `2·x` as one more leaf and operator, `2/3·x` as `2*x/3`.
    const v = first.value!;
    const mag = v.num < 0n ? -v.num : v.num;
    const coeff = mag === 1n ? (v.den === 1n ? 0 : 2) : v.den === 1n ? 2 : 4;
    return e.args.length - 2 + coeff;
  }
  return 1;
}

/** True for the child that {@link ownWeight} already accounts for (a product's coefficient). */
const countedByParent = (parent: Expr, i: number): boolean =>
  i === 0 && leadingCoefficient(parent) !== undefined;

const TREE = new WeakMap<Expr, number>();

/**
 * The weight of `e` printed as a tree (shared subexpressions counted at every use), as a
 * float (it can exceed 2⁵³ for heavily shared DAGs; only comparisons matter). Memoised.
 *
 * @example
 * ```ts
 * treeWeight(parse('2*x + y')); // 5: +, 2, *, x, y
 * ```
 */
export function treeWeight(e: Expr): number {
  return memoPostorder(e, TREE, (n) => {
    let w = ownWeight(n);
    n.args.forEach((a, i) => {
      if (!countedByParent(n, i)) w += TREE.get(a)!;
    });
    return w;
  });
}

/**
 * The weight of the DAG: each distinct node once (the work and memory the expression
 * costs), over one or several roots.
 *
 * @example
 * ```ts
 * dagWeight(parse('sin(x)^2 + sin(x)')); // sin(x) counted once
 * ```
 */
export function dagWeight(roots: Expr | readonly Expr[]): number {
  const list: readonly Expr[] = Array.isArray(roots) ? roots : [roots as Expr];
  // A number that only ever serves as a coefficient is already in its products' weight.
  const leafNumbers = new Set<Expr>(list.filter((r) => r.op === 'num'));
  let w = 0;
  for (const n of postorder(list)) {
    if (n.op !== 'num') w += ownWeight(n);
    n.args.forEach((a, i) => {
      if (a.op === 'num' && !countedByParent(n, i)) leafNumbers.add(a);
    });
  }
  return w + leafNumbers.size;
}

/**
 * Orders two candidate results: by tree weight (what the printed text shows), then by DAG
 * weight (what evaluation costs). Negative when `a` is smaller; ties compare equal.
 *
 * The tree comes first because `simplify` serves readers: the printer writes the tree, and
 * distinct-node counts hide the arity of n-ary nodes (the derivative of a 40-factor product
 * has 122 distinct nodes but prints as 7 800; its expansion prints as 233).
 *
 * @example
 * ```ts
 * compareCost(parse('x'), parse('x*y/y*2/2')) <= 0; // true
 * ```
 */
export function compareCost(a: Expr, b: Expr): number {
  if (a === b) return 0;
  const t = treeWeight(a) - treeWeight(b);
  if (t !== 0) return t;
  return dagWeight(a) - dagWeight(b);
}
