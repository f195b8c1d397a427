/**
 * Iterative traversals of any DAG of nodes with ids and arguments (expressions, codegen's IR):
 * topological order and memoised bottom-up folds. No walk recurses, so 10⁵-deep DAGs are
 * fine; each distinct node is visited once. Imports only the error types, so every module
 * may use it.
 */
import { InvalidArgumentError } from './errors.js';

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
export function postorder<T extends DagNode<T>>(roots: T | readonly T[]): T[] {
  const out: T[] = [];
  const seen = new Set<number>();
  const stack: Array<[T, number]> = [];
  const list = Array.isArray(roots) ? (roots as readonly T[]) : [roots as T];
  for (const root of list) {
    // Roots come from callers; children come from nodes, which are well-formed.
    if (typeof root !== 'object' || root === null || !Array.isArray(root.args)) {
      throw new InvalidArgumentError(
        'postorder: expected a node (an expression) or an array of them',
      );
    }
  }
  for (const root of list) {
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
 * memoPostorder(parse('sin(x + 1)'), depth, (n) => 1 + Math.max(0, ...n.args.map((a) => depth.get(a)!))); // 2
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
