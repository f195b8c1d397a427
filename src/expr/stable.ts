/**
 * Stable forms: rewrites written-out formulas into the functions whose float kernels never
 * overflow, before anything is evaluated in floats. `1/(1 + exp(−u))` is σ(u), and
 * `log(1 + exp(u))` is softplus(u): equal as real functions (same domain, same values), but
 * in floats the written-out forms give NaN or ∞ for large |u|, and so do their derivatives
 * (∞·0 through the exp). Compiled code rewrites before it lowers and differentiates.
 * Invariant: value-preserving and domain-preserving; memoised per node; iterative.
 */
import { mul, ONE_EXPR, rebuild, sigmoid, softplus } from './build.js';
import type { Expr } from './node.js';
import { mapBottomUp } from './walk.js';

const isMinusOne = (e: Expr): boolean =>
  e.op === 'num' && e.value!.num === -1n && e.value!.den === 1n;

/** For `1 + exp(v)`, the node v. */
function onePlusExp(e: Expr): Expr | undefined {
  if (e.op !== 'add' || e.args.length !== 2) return undefined;
  const [a, b] = e.args[0].op === 'num' ? e.args : [e.args[1], e.args[0]];
  return a === ONE_EXPR && b.op === 'exp' ? b.args[0] : undefined;
}

/** The stable form of one node whose arguments are already stable, or the node itself. */
function stableNode(node: Expr): Expr {
  if (node.op === 'pow' && isMinusOne(node.args[1])) {
    // (1 + exp(v))⁻¹ = σ(−v)
    const v = onePlusExp(node.args[0]);
    if (v !== undefined) return sigmoid(mul(-1, v));
  }
  if (node.op === 'log') {
    // log(1 + exp(v)) = softplus(v)
    const v = onePlusExp(node.args[0]);
    if (v !== undefined) return softplus(v);
  }
  return node;
}

/**
 * A cache of stable forms: rewrites each distinct node once, however many expressions pass
 * through it.
 *
 * @example
 * ```ts
 * new StableForms().of(parse('1/(1 + exp(-x))')); // sigmoid(x)
 * ```
 */
export class StableForms {
  private readonly image = new Map<Expr, Expr>();

  /** The stable form of `expr`. */
  of(expr: Expr): Expr {
    const hit = this.image.get(expr);
    if (hit !== undefined) return hit;
    const [out] = mapBottomUp([expr], (node, args) => {
      const known = this.image.get(node);
      if (known !== undefined) return known;
      const rebuilt = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
      const stable = stableNode(rebuilt);
      this.image.set(node, stable);
      return stable;
    });
    return out;
  }
}

/** The stable form of `expr` (see `StableForms` to share the work between expressions). */
export const stableForm = (expr: Expr): Expr => new StableForms().of(expr);
