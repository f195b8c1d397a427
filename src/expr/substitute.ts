/**
 * Substitution: replaces symbols or whole subexpressions, simultaneously, and rebuilds the
 * result through the canonical builders. Iterative over the DAG, each node once.
 */
import { describe, num, rebuild, sym } from './build.js';
import { InvalidArgumentError } from './errors.js';
import { type ExprInput, toExpression } from './input.js';
import { Expr } from './node.js';
import { mapBottomUp } from './walk.js';

/** A substitution: symbol (or any subexpression) → replacement, or symbol name → replacement. */
export type Substitution =
  | ReadonlyMap<Expr | string, Expr | number>
  | { readonly [name: string]: Expr | number };

/**
 * Replaces symbols (by name or node) or whole subexpressions, simultaneously, and
 * re-canonicalises: `substitute(parse('x^2 + y'), { x: 3 })` is `9 + y`.
 */
export function substitute(expr: ExprInput, map: Substitution): Expr {
  const e = toExpression(expr, 'substitute');
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new InvalidArgumentError(
      `substitute: expected a Map or an object of replacements, got ${describe(map)}`,
    );
  }
  const byId = new Map<number, Expr>();
  const entries: Iterable<[unknown, unknown]> =
    map instanceof Map ? map.entries() : Object.entries(map);
  for (const [k, v] of entries) {
    const key = typeof k === 'string' ? sym(k) : k;
    if (!(key instanceof Expr)) {
      throw new InvalidArgumentError(`substitute: cannot replace ${describe(k)}`);
    }
    const value = typeof v === 'number' ? numOf(v) : v;
    if (!(value instanceof Expr)) {
      throw new InvalidArgumentError(
        `substitute: a replacement must be an expression or a number, got ${describe(v)}`,
      );
    }
    byId.set(key.id, value);
  }
  const [out] = mapBottomUp([e], (node, args) => {
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
