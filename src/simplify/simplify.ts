/**
 * `simplify` and `rewrite`: the default pipeline and the entry point for user strategies.
 * Invariant: the result is never larger than the input (DAG weight, then tree weight: see
 * measure.ts), the same input gives the same output, and every run terminates (budget).
 */
import { type Expr, InvalidArgumentError, size } from '../expr/index.js';
import { bottomUp, chain, type RewriteOptions, Run, type Strategy } from './engine.js';
import { compareCost } from './measure.js';
import type { Rule } from './rule.js';
import {
  DEFAULT_RULES,
  EXPAND_LOG_RULES,
  NUMBER_RULES,
  POWER_RULES,
  RULE_SETS,
  type RuleSetName,
  TRIG_CONTRACT_RULES,
} from './rules.js';

/**
 * Options of {@link simplify}.
 *
 * @example
 * ```ts
 * simplify(e, { assume: { positive: ['x'] }, use: ['sigmoid'], rules: [myRule] });
 * ```
 */
export interface SimplifyOptions extends RewriteOptions {
  /** Your own rules, tried before the built-in ones at every node. Default none. */
  readonly rules?: readonly Rule[];
  /** Use only `rules` and the sets named in `use` (no default rules). Default false. */
  readonly only?: boolean;
  /**
   * Extra built-in sets, by name. `'sigmoid'` recognises `1/(1 + exp(−u))` as `sigmoid(u)`;
   * `'hyperbolic'` writes `1 − tanh²u` as `1/cosh²u`; `'expand-log'` always expands
   * logarithms and `'trig-contract'` always contracts products of sines and cosines (by
   * default both are tried as a candidate and kept only when smaller).
   * Default none.
   */
  readonly use?: readonly RuleSetName[];
}

function checkRoots(roots: readonly unknown[]): void {
  for (const r of roots) {
    if (typeof r !== 'object' || r === null || !('op' in r)) {
      throw new InvalidArgumentError('simplify expects an expression (Expr) or an array of them');
    }
  }
}

/**
 * Simplifies an expression, or several at once (a gradient: shared subexpressions are
 * simplified once). The default rules combine powers and numeric factors, cancel common
 * factors of quotients, expand products of sums when that is smaller, apply the
 * Pythagorean and parity identities, contract exponentials, keep derivative forms such as
 * `1 − tanh(u)^2` and `σ(u)·(1 − σ(u))` compact, and use `assume` for rules that hold only
 * for positive or nonnegative arguments. The result is never larger than the input.
 *
 * @example
 * ```ts
 * format(simplify(parse('sin(x)^2 + cos(x)^2 + y')));      // 'y + 1'
 * format(simplify(parse('(2*x + 2)/(x + 1)')));             // '2'
 * format(simplify(parse('exp(log(x))'), { assume: { positive: ['x'] } })); // 'x'
 * simplify(grad(loss, params));                             // Expr[]
 * ```
 */
export function simplify(expr: Expr, options?: SimplifyOptions): Expr;
export function simplify(exprs: readonly Expr[], options?: SimplifyOptions): Expr[];
export function simplify(
  input: Expr | readonly Expr[],
  options: SimplifyOptions = {},
): Expr | Expr[] {
  const roots: readonly Expr[] = Array.isArray(input) ? input : [input as Expr];
  checkRoots(roots);
  const rules = selectRules(options);
  const run = new Run(options, size(roots));
  const main = bottomUp(rules, 'simplify');
  let out = main.run(roots, run);
  // Logarithm expansion and trigonometric contraction can enable cancellations but can
  // also grow: each is a second candidate, kept per root only when smaller.
  const use = options.use ?? [];
  const candidates: [RuleSetName, readonly Rule[], readonly string[]][] = [
    ['expand-log', EXPAND_LOG_RULES, ['log']],
    ['trig-contract', TRIG_CONTRACT_RULES, ['sin', 'cos', 'sinh', 'cosh']],
  ];
  for (const [name, set, ops] of candidates) {
    if (options.only || use.includes(name) || !hasOp(out, ops)) continue;
    const other = chain(bottomUp(set, name), main).run(out, run);
    out = out.map((e, i) => (compareCost(other[i], e) < 0 ? other[i] : e));
  }
  let result = roots.map((r, i) => (compareCost(out[i], r) <= 0 ? out[i] : r));
  // Exact numbers are written in lowest terms whatever the size, as the builders fold
  // 4^(1/2) to 2: √8 is 2√2 (one more node). Only when the input had such a root.
  if (!options.only && NUMBER_RULES.some((r) => run.fired.has(r.id))) {
    result = bottomUp(FINAL_NUMBER_RULES, 'numbers').run(result, run);
  }
  return Array.isArray(input) ? result : result[0];
}

/** The number rules and the power rules that tidy what they take out ((x²)^(1/2) → |x|). */
const FINAL_NUMBER_RULES: readonly Rule[] = [
  ...NUMBER_RULES,
  ...POWER_RULES.filter((r) => ['pow-pow', 'pow-even-pow', 'abs-even-pow'].includes(r.id)),
];

function selectRules(options: SimplifyOptions): Rule[] {
  const rules: Rule[] = [...(options.rules ?? [])];
  for (const name of options.use ?? []) {
    const set = RULE_SETS[name];
    if (set === undefined) throw new InvalidArgumentError(`unknown rule set '${name}'`);
    rules.push(...set);
  }
  if (!options.only) rules.push(...DEFAULT_RULES);
  return rules;
}

/** True when some node of the DAG has one of the operators `ops` (iterative, each node once). */
function hasOp(roots: readonly Expr[], ops: readonly string[]): boolean {
  const seen = new Set<Expr>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (ops.includes(n.op)) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const a of n.args) stack.push(a);
  }
  return false;
}

/**
 * Runs a strategy, or a list of rules normalised bottom-up, over an expression (or several),
 * under a budget. Unlike `simplify` there is no size check: you get what the rules produce.
 *
 * @example
 * ```ts
 * const r = rule('exp-product', 'exp(?a)*exp(?b)', 'exp(?a+?b)');
 * format(rewrite(parse('exp(x)*exp(y)'), [r])); // 'exp(x + y)'
 * rewrite(e, chain(bottomUp(TRIG_RULES), bottomUp(POWER_RULES)), { onRewrite: console.log });
 * ```
 */
export function rewrite(
  expr: Expr,
  strategy: Strategy | readonly Rule[],
  options?: RewriteOptions,
): Expr;
export function rewrite(
  exprs: readonly Expr[],
  strategy: Strategy | readonly Rule[],
  options?: RewriteOptions,
): Expr[];
export function rewrite(
  input: Expr | readonly Expr[],
  strategy: Strategy | readonly Rule[],
  options: RewriteOptions = {},
): Expr | Expr[] {
  const roots: readonly Expr[] = Array.isArray(input) ? input : [input as Expr];
  checkRoots(roots);
  const s = Array.isArray(strategy)
    ? bottomUp(strategy as readonly Rule[])
    : (strategy as Strategy);
  const out = s.run(roots, new Run(options, size(roots)));
  return Array.isArray(input) ? out : out[0];
}
