/**
 * Numeric comparison for the simplifier's property tests: two expressions agree at a point
 * when both are finite and within a relative tolerance of the largest intermediate value (so
 * cancellation in the original, e.g. (x+1)² − x² at x = 1e3, does not count as a mismatch).
 */
import fc from 'fast-check';
import { postorder } from '../../src/expr/dag.js';
import { evaluate } from '../../src/expr/evaluate.js';
import type { Expr } from '../../src/expr/node.js';

/** Largest |value| over every node of `e` at `env` (NaN and ±∞ ignored). */
export function scaleAt(e: Expr, env: Record<string, number>): number {
  let m = 0;
  for (const n of postorder(e)) {
    const v = evaluate(n, env);
    if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  }
  return m;
}

/**
 * The worst cancellation in `e` at `env`: max over sums of Σ|terms| / |sum| (∞ when a sum
 * cancels exactly). Float evaluation can lose that factor of relative accuracy there.
 */
export function conditionAt(e: Expr, env: Record<string, number>): number {
  let worst = 1;
  for (const n of postorder(e)) {
    if (n.op !== 'add') continue;
    let total = 0;
    for (const t of n.args) total += Math.abs(evaluate(t, env));
    const v = Math.abs(evaluate(n, env));
    if (Number.isFinite(total))
      worst = Math.max(worst, v === 0 ? (total === 0 ? 1 : Infinity) : total / v);
  }
  return worst;
}

/**
 * Whether `a` and `b` agree at `env`: when either is non-finite there, true unless the
 * domain changed (see {@link changesDomain}); true when the point is too ill-conditioned to
 * tell; else within `tol` (1e-9) relative to the largest intermediate value, widened by the
 * worst cancellation.
 */
export function agreeAt(
  a: Expr,
  b: Expr,
  env: Record<string, number>,
  options: { readonly extension?: boolean; readonly tol?: number } = {},
): boolean {
  const tol = options.tol ?? 1e-9;
  const x = evaluate(a, env);
  const y = evaluate(b, env);
  if (!Number.isFinite(x) || !Number.isFinite(y))
    return !changesDomain(a, b, env, options.extension ?? false);
  if (x === y) return true;
  const cond = Math.max(conditionAt(a, env), conditionAt(b, env));
  if (!Number.isFinite(cond) || cond > 1e6) return true;
  const scale = Math.max(1, Math.abs(x), Math.abs(y), scaleAt(a, env), scaleAt(b, env));
  return Math.abs(x - y) <= tol * scale * cond;
}

/**
 * True when the rewrite changed where the expression is defined, on a region (here and at
 * a nearby point, so isolated points such as x/x at 0 do not count): the input is finite
 * and the output NaN (always wrong), or, with `extension`, the input NaN and the output
 * finite (an unguarded `exp(log x) → x` for x < 0). The canonical form itself extends
 * domains when an undefined part cancels (0·log(x) → 0, exp(u)·exp(−u) → 1), so callers
 * check extension only on inputs built without such cancellations.
 */
export function changesDomain(
  a: Expr,
  b: Expr,
  env: Record<string, number>,
  extension: boolean,
): boolean {
  const bad = (x: number, y: number): boolean =>
    (Number.isFinite(x) && Number.isNaN(y)) || (extension && Number.isNaN(x) && Number.isFinite(y));
  if (!bad(evaluate(a, env), evaluate(b, env))) return false;
  // An input that is finite only because a step at 0 absorbs an infinite factor
  // (heaviside(−1)·0^−2 is 0 by the step convention) is singular there: once the step is
  // folded to the number 0, 0·0^−2 is undefined (NaN), as 0/0 is.
  const x = evaluate(a, env);
  if (Number.isFinite(x) && postorder(a).some((n) => !Number.isFinite(evaluate(n, env)))) {
    return false;
  }
  const near: Record<string, number> = {};
  for (const [k, v] of Object.entries(env)) near[k] = v + 7e-4 * (1 + Math.abs(v));
  return bad(evaluate(a, near), evaluate(b, near));
}

/**
 * Points on a 1/1000 grid in [min, max] (0 included): values a person would try. Shared
 * arbitraries also produce subnormals, where float underflow (x⁴ → 0) rather than a rewrite
 * changes values: `log(y^4)` is −∞ but `4·log|y|` is finite at y = 5e-324.
 */
export function arbGridPoint(
  variables: readonly string[],
  min: number,
  max: number,
): fc.Arbitrary<Record<string, number>> {
  const model: Record<string, fc.Arbitrary<number>> = {};
  for (const v of variables) {
    model[v] = fc
      .integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) })
      .map((n) => n / 1000);
  }
  return fc.record(model);
}
