/**
 * Substitution: replaces symbols or whole subexpressions, simultaneously, and rebuilds the
 * result through the canonical builders. Iterative over the DAG, each node once.
 */
import { num, rebuild, sym } from './build.js';
import { InvalidArgumentError } from './errors.js';
import type { Expr } from './node.js';
import { mapBottomUp } from './walk.js';

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
