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
  const run = new Run(options, size(roots));
  const main = mainStrategy(options);
  let out = main.run(roots, run);
  // Logarithm expansion and trigonometric contraction can enable cancellations but can
  // also grow: each is a second candidate, kept per root only when smaller.
  const use = options.use ?? [];
  const candidates: [RuleSetName, readonly Rule[], (roots: readonly Expr[]) => boolean][] = [
    ['expand-log', EXPAND_LOG_RULES, (roots) => hasOp(roots, ['log'])],
    ['trig-contract', TRIG_CONTRACT_RULES, mayContract],
  ];
  for (const [name, set, worthTrying] of candidates) {
    if (options.only || use.includes(name) || !worthTrying(out)) continue;
    const other = chain(bottomUp(set, name), main).run(out, run);
    out = out.map((e, i) => (compareCost(other[i], e) < 0 ? other[i] : e));
  }
  // Exact numbers are written in lowest terms whatever the size, as the builders fold
  // 4^(1/2) to 2: √8 is 2√2 (one more node). So the input to beat is the input with its
  // numbers in lowest terms (computed only when it had such a root: a number rule fired).
  const numbers = ['root-of-number', 'root-of-product'];
  const baseline =
    !options.only && numbers.some((id) => run.fired.has(id))
      ? bottomUp(NUMBER_RULES, 'numbers').run(roots, run)
      : roots;
  const result = baseline.map((r, i) => (compareCost(out[i], r) <= 0 ? out[i] : r));
  return Array.isArray(input) ? result : result[0];
}

let defaultMain: { rules: readonly Rule[]; count: number; strategy: Strategy } | undefined;

/** The normalising strategy for the options; the default one is built once. */
function mainStrategy(options: SimplifyOptions): Strategy {
  if (options.rules !== undefined || options.use !== undefined || options.only)
    return bottomUp(selectRules(options), 'simplify');
  if (defaultMain?.rules !== DEFAULT_RULES || defaultMain.count !== DEFAULT_RULES.length)
    defaultMain = {
      rules: DEFAULT_RULES,
      count: DEFAULT_RULES.length,
      strategy: bottomUp(DEFAULT_RULES, 'simplify'),
    };
  return defaultMain.strategy;
}

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

const TRIG_PAIRS: Readonly<Record<string, string>> = {
  sin: 'cos',
  cos: 'sin',
  sinh: 'cosh',
  cosh: 'sinh',
};

/**
 * Whether trigonometric contraction can apply somewhere: a product with a sine and a cosine
 * of one argument (or exactly two sines and cosines), or a sum with a squared sine or
 * cosine (cos² − sin², 1 − 2 sin²). Nested compositions such as sin(cos(sin x)) have none.
 */
function mayContract(roots: readonly Expr[]): boolean {
  const seen = new Set<Expr>();
  const stack = [...roots];
  const trigOf = (f: Expr): Expr | undefined => {
    const g = f.op === 'pow' && f.args[1].op === 'num' ? f.args[0] : f;
    return TRIG_PAIRS[g.op] === undefined ? undefined : g;
  };
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.op === 'mul') {
      const trig = n.args.map(trigOf).filter((g): g is Expr => g !== undefined);
      if (trig.length === 2 && trig.every((g) => g.op === 'sin' || g.op === 'cos')) return true;
      for (const g of trig)
        if (trig.some((h) => h.op === TRIG_PAIRS[g.op] && h.args[0] === g.args[0])) return true;
    } else if (n.op === 'add') {
      const squares = n.args.filter((t) =>
        (t.op === 'mul' ? t.args : [t]).some(
          (f) => f.op === 'pow' && trigOf(f) !== undefined && f.args[1].value!.num === 2n,
        ),
      );
      if (squares.length > 0 && (squares.length > 1 || n.args.some((t) => t.op === 'num')))
        return true;
    }
    for (const a of n.args) stack.push(a);
  }
  return false;
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
