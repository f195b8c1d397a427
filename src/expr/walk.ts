/**
 * Iterative traversals of the expression DAG and the small queries built on them. No walk
 * recurses, so 10⁵-deep expressions are fine; each distinct node is visited once.
 */
import { num, rebuild, sym } from './build.js';
import { InvalidArgumentError } from './errors.js';
import type { Expr } from './node.js';
import { compareNames } from './order.js';

/** Any DAG node with a unique id and arguments (expressions, and codegen's IR). */
export interface DagNode<T> {
  readonly id: number;
  readonly args: readonly T[];
}

/**
 * The distinct nodes reachable from `roots`, children before parents (a topological order
 * of the DAG), in a deterministic depth-first order: roots in order, arguments left to
 * right. Shared subexpressions appear once.
 */
export function postorder<T extends DagNode<T> = Expr>(roots: T | readonly T[]): T[] {
  const out: T[] = [];
  const seen = new Set<number>();
  const stack: Array<[T, number]> = [];
  for (const root of Array.isArray(roots) ? (roots as readonly T[]) : [roots as T]) {
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (i < node.args.length) {
        top[1] = i + 1;
        const child = node.args[i];
        if (!seen.has(child.id)) {
          seen.add(child.id);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        out.push(node);
      }
    }
  }
  return out;
}

/** The part of `Map`/`WeakMap` a memo table needs. */
export interface Memo<K, V> {
  has(key: K): boolean;
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/**
 * Computes `compute(node)` for `root` and every descendant reached through `children`
 * (default: the arguments), children first, each once, and returns the root's value.
 * `memo` may outlive the call (nodes are immutable), so a later call only computes the
 * nodes it has not seen. Iterative: deep expressions cannot overflow the stack.
 *
 * @example
 * ```ts
 * const depth = new Map<Expr, number>();
 * memoPostorder(parse('sin(x + 1)'), depth, (n) => 1 + Math.max(0, ...n.args.map((a) => depth.get(a)!)));
 * ```
 */
export function memoPostorder<K extends DagNode<K>, V>(
  root: K,
  memo: Memo<K, V>,
  compute: (node: K) => V,
  children: (node: K) => readonly K[] = (node) => node.args,
): V {
  if (memo.has(root)) return memo.get(root) as V;
  const stack: K[] = [root];
  while (stack.length > 0) {
    const n = stack[stack.length - 1];
    if (memo.has(n)) {
      stack.pop();
      continue;
    }
    let ready = true;
    for (const k of children(n)) {
      if (!memo.has(k)) {
        stack.push(k);
        ready = false;
      }
    }
    if (!ready) continue;
    stack.pop();
    memo.set(n, compute(n));
  }
  return memo.get(root) as V;
}

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
export function freeSymbols(expr: Expr | readonly Expr[]): Expr[] {
  const syms = postorder(expr).filter((n) => n.op === 'sym');
  return syms.sort((a, b) => compareNames(a.name!, b.name!) || (a.name! < b.name! ? -1 : 1));
}

/** A substitution: symbol (or any subexpression) → replacement, or symbol name → replacement. */
export type Substitution =
  | ReadonlyMap<Expr | string, Expr | number>
  | { readonly [name: string]: Expr | number };

/**
 * Replaces symbols (by name or node) or whole subexpressions, simultaneously, and
 * re-canonicalises: `substitute(parse('x^2 + y'), { x: 3 })` is `9 + y`.
 */
export function substitute(expr: Expr, map: Substitution): Expr {
  const byId = new Map<number, Expr>();
  const entries: Iterable<[Expr | string, Expr | number]> =
    map instanceof Map ? map.entries() : Object.entries(map);
  for (const [k, v] of entries) {
    const key = typeof k === 'string' ? sym(k) : k;
    const value = typeof v === 'number' ? numOf(v) : v;
    byId.set(key.id, value);
  }
  const [out] = mapBottomUp([expr], (node, args) => {
    const replacement = byId.get(node.id);
    if (replacement !== undefined) return replacement;
    return args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
  });
  return out;
}

function numOf(v: number): Expr {
  if (!Number.isFinite(v)) throw new InvalidArgumentError(`substitute: not a finite number: ${v}`);
  return num(v);
}

/**
 * The number of distinct DAG nodes, counting shared subexpressions once (also across an
 * array of expressions): the memory and work a derivative really costs.
 */
export function size(expr: Expr | readonly Expr[]): number {
  return postorder(expr).length;
}

/**
 * The number of nodes the expression would have printed as a tree (shared subexpressions
 * counted at every use). Exact as a bigint; may be astronomically larger than `size`.
 */
export function treeSize(expr: Expr | readonly Expr[]): bigint {
  const memo = new Map<number, bigint>();
  let total = 0n;
  const roots = Array.isArray(expr) ? expr : [expr as Expr];
  for (const node of postorder(roots)) {
    let n = 1n;
    for (const a of node.args) n += memo.get(a.id)!;
    memo.set(node.id, n);
  }
  for (const r of roots) total += memo.get(r.id)!;
  return total;
}
