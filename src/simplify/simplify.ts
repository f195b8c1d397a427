/**
 * `simplify` and `rewrite`: the default pipeline and the entry point for user strategies.
 * Invariant: the result is never larger than the input (DAG weight, then tree weight: see
 * measure.ts), the same input gives the same output, and every run terminates (budget).
 */
import {
  describe,
  type Expr,
  type ExprInput,
  InvalidArgumentError,
  isNegativeTerm,
  mapBottomUp,
  optionsOf,
  postorder,
  rebuild,
  toExpressions,
} from '../expr/index.js';
import {
  bottomUp,
  chain,
  checkStrategy,
  type RewriteOptions,
  Run,
  type Strategy,
} from './engine.js';
import { compareCost } from './measure.js';
import { checkRules, type Rule } from './rule.js';
import {
  DEFAULT_RULES,
  EXPAND_LOG_RULES,
  FINISH_FORM_RULES,
  FINISH_SIGN_RULES,
  NUMBER_RULES,
  ROOT_RULES,
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
export function simplify(expr: ExprInput, options?: SimplifyOptions): Expr;
export function simplify(exprs: readonly ExprInput[], options?: SimplifyOptions): Expr[];
export function simplify(
  input: ExprInput | readonly ExprInput[],
  options?: SimplifyOptions,
): Expr | Expr[] {
  const roots = toExpressions(input, 'simplify');
  options = optionsOf(options, 'simplify');
  const run = new Run(options, roots);
  const main = mainStrategy(options);
  let out = main.run(roots, run);
  // Logarithm expansion and trigonometric contraction can enable cancellations but can
  // also grow: each is a second candidate, kept per root only when smaller.
  const use = options.use ?? [];
  for (const c of CANDIDATES) {
    if (options.only || use.includes(c.name) || !c.worthTrying(out, run)) continue;
    const other = chain(c.pass, main).run(out, run);
    out = out.map((e, i) => (compareCost(other[i], e) < 0 ? other[i] : e));
  }
  // Exact numbers are written in lowest terms whatever the size, as the builders fold
  // 4^(1/2) to 2: √8 is 2√2 (one more node). So the input to beat is the input with its
  // numbers in lowest terms (computed only when it had such a root: a number rule fired).
  const baseline =
    !options.only && NUMBER_RULES.some((r) => run.fired.has(r.id))
      ? NUMBERS_PASS.run(roots, run)
      : roots;
  let result = baseline.map((r, i) => (compareCost(out[i], r) <= 0 ? out[i] : r));
  if (!options.only) {
    // A finished product can meet a rule again (exp(a)·exp(−(b − c)) → exp(a)·exp(c − b)
    // → exp(a + c − b); cosh(1 − x) → cosh(x − 1)): normalise once more, and finish what
    // that made.
    const finished = finish(result, run);
    if (finished.some((e, i) => e !== result[i])) {
      const again = main.run(finished, run);
      const done = again.some((e, i) => e !== finished[i]) ? finish(again, run) : finished;
      result = result.map((e, i) => (compareCost(done[i], e) <= 0 ? done[i] : e));
    }
  }
  return Array.isArray(input) ? result : result[0];
}

/**
 * The finishing rules, once, bottom-up: the forms on every product, the sign rule on
 * products that are not terms of a sum (shared nodes that are terms somewhere stay as they
 * are). Forms are kept when smaller; the sign rule only removes a sign.
 */
function finish(roots: readonly Expr[], run: Run): Expr[] {
  const unchanged = [...roots];
  // Every finishing rule needs a sum (a factor, or the base of a power factor).
  if (!run.seen.has('add')) return unchanged;
  const terms = new Set<Expr>();
  let candidates = false;
  for (const n of postorder(roots)) {
    if (n.op === 'add') for (const a of n.args) terms.add(a);
    else if (n.op === 'mul' && !candidates) candidates = mayFinish(n);
  }
  if (!candidates) return unchanged;
  const apply = (rules: readonly Rule[], n: Expr): Expr | undefined => {
    for (const r of rules) {
      const out = r.apply(n, run);
      if (out !== undefined && out !== n) {
        run.record(r.id, n, out);
        return out;
      }
    }
    return undefined;
  };
  return mapBottomUp(roots, (node, args) => {
    let n = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
    if (n.op !== 'mul' || run.exhausted) return n;
    n = apply(FINISH_FORM_RULES, n) ?? n;
    if (n.op !== 'mul' || terms.has(node)) return n;
    return apply(FINISH_SIGN_RULES, n) ?? n;
  });
}

/** A product a finishing rule may rewrite: a negative one, or one with an exponential and a power of a sum. */
const mayFinish = (n: Expr): boolean =>
  isNegativeTerm(n) ||
  (n.args.some((f) => f.op === 'exp') &&
    n.args.some((f) => f.op === 'pow' && f.args[0].op === 'add'));

/** The second candidates: a rule set tried after normalisation, kept when smaller. */
interface Candidate {
  readonly name: RuleSetName;
  readonly pass: Strategy;
  /** A cheap test first (the operators normalised cover every node of `out`), then a scan. */
  worthTrying(out: readonly Expr[], run: Run): boolean;
}

const CANDIDATES: readonly Candidate[] = [
  {
    name: 'expand-log',
    pass: bottomUp(EXPAND_LOG_RULES, 'expand-log'),
    worthTrying: (out, run) => run.seen.has('log') && hasOp(out, ['log']),
  },
  {
    name: 'trig-contract',
    pass: bottomUp(TRIG_CONTRACT_RULES, 'trig-contract'),
    worthTrying: (out, run) => TRIG_OPS.some((op) => run.seen.has(op)) && mayContract(out),
  },
];

const NUMBERS_PASS = bottomUp(NUMBER_RULES, 'numbers');

let defaultMain: { rules: readonly Rule[]; count: number; strategy: Strategy } | undefined;

/** The normalising strategy for the options; the default one is built once. */
function mainStrategy(options: SimplifyOptions): Strategy {
  if (options.rules !== undefined || options.use !== undefined || options.only)
    return bottomUp(selectRules(options), 'simplify', options.only ? [] : ROOT_RULES);
  if (defaultMain?.rules !== DEFAULT_RULES || defaultMain.count !== DEFAULT_RULES.length)
    defaultMain = {
      rules: DEFAULT_RULES,
      count: DEFAULT_RULES.length,
      strategy: bottomUp(DEFAULT_RULES, 'simplify', ROOT_RULES),
    };
  return defaultMain.strategy;
}

function selectRules(options: SimplifyOptions): Rule[] {
  if (options.rules !== undefined) checkRules(options.rules, 'simplify: rules');
  const rules: Rule[] = [...(options.rules ?? [])];
  const use: readonly RuleSetName[] = options.use ?? [];
  if (!Array.isArray(use)) {
    throw new InvalidArgumentError('simplify: use must be an array of rule set names');
  }
  for (const name of use as readonly RuleSetName[]) {
    const set = Object.hasOwn(RULE_SETS, name) ? RULE_SETS[name] : undefined;
    if (set === undefined)
      throw new InvalidArgumentError(`simplify: unknown rule set ${describe(name)}`);
    rules.push(...set);
  }
  if (!options.only) rules.push(...DEFAULT_RULES);
  return rules;
}

const TRIG_OPS = ['sin', 'cos', 'sinh', 'cosh'];
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
      let count = 0;
      for (const f of n.args) if (trigOf(f) !== undefined) count++;
      if (count < 2) {
        for (const a of n.args) stack.push(a);
        continue;
      }
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
  expr: ExprInput,
  strategy: Strategy | readonly Rule[],
  options?: RewriteOptions,
): Expr;
export function rewrite(
  exprs: readonly ExprInput[],
  strategy: Strategy | readonly Rule[],
  options?: RewriteOptions,
): Expr[];
export function rewrite(
  input: ExprInput | readonly ExprInput[],
  strategy: Strategy | readonly Rule[],
  options?: RewriteOptions,
): Expr | Expr[] {
  const roots = toExpressions(input, 'rewrite');
  let s: Strategy;
  if (Array.isArray(strategy)) s = bottomUp(strategy as readonly Rule[]);
  else {
    checkStrategy(strategy as Strategy, 'rewrite');
    s = strategy as Strategy;
  }
  const out = s.run(roots, new Run(optionsOf(options, 'rewrite'), roots));
  return Array.isArray(input) ? out : out[0];
}
