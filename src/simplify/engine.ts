/**
 * The rewriting engine: strategies that apply rules over an expression DAG under a global
 * budget. Invariants: every walk is iterative (an explicit stack), each distinct node is
 * normalised once per pass (a memo keyed by node, so shared subexpressions cost once), rules
 * are tried in a fixed order, and when the budget runs out rewriting stops but the walk
 * finishes, so a run always terminates with a valid (if less simplified) expression.
 */
import {
  describe,
  type Expr,
  InvalidArgumentError,
  type Op,
  rebuild,
  size,
} from '../expr/index.js';
import { type Assumptions, SignOracle } from './assume.js';
import { argumentMask, checkRules, type Rule, type RuleContext } from './rule.js';

/** Rewrites every run may make; the default budget adds 20 per distinct input node. */
const BASE_BUDGET = 10_000;

/**
 * One rewrite, as reported to `onRewrite`.
 *
 * @example
 * ```ts
 * simplify(parse('sin(-x)'), { onRewrite: (e: RewriteEvent) => console.log(e.rule) }); // sin-odd
 * ```
 */
export interface RewriteEvent {
  /** The id of the rule that fired. */
  readonly rule: string;
  /** The node rewritten (its arguments already simplified). */
  readonly before: Expr;
  /** What the rule produced (before it is itself simplified further). */
  readonly after: Expr;
}

/**
 * Options shared by `rewrite` and `simplify`.
 *
 * @example
 * ```ts
 * rewrite(e, rules, { assume: { positive: ['x'] }, budget: 1000, onRewrite: console.log });
 * ```
 */
export interface RewriteOptions {
  /** What is known about symbols. Default: nothing beyond "every symbol is real". */
  readonly assume?: Assumptions;
  /**
   * Maximum number of rewrites in the whole run. Default 10 000 plus 20 per distinct node.
   * Matching work is budgeted too (200 steps per allowed rewrite, at most 10⁵ per attempt). When either runs out,
   * rewriting stops and the result so far is returned.
   */
  readonly budget?: number;
  /** Called for every rewrite, in order (for derivations and debugging). */
  readonly onRewrite?: (event: RewriteEvent) => void;
}

/**
 * The mutable state of one run: budget, sign analysis, reporting, per-rule scratch space.
 * `rewrite` and `simplify` create it; a custom {@link Strategy} receives it.
 *
 * @example
 * ```ts
 * const twice: Strategy = { name: 'twice', run: (roots, run) => s.run(s.run(roots, run), run) };
 * ```
 */
export class Run implements RuleContext {
  private oracle: SignOracle | undefined;
  private rewritesLeft: number;
  private workLeft: number;
  /** Roots whose size extends the default budget, once it is first reached. */
  private pending: readonly Expr[] | undefined;
  private readonly roots: readonly Expr[];
  private inputNodes: number | undefined;
  private readonly onRewrite: ((event: RewriteEvent) => void) | undefined;
  private readonly assume: Assumptions | undefined;
  private readonly scratchSpace = new Map<object, unknown>();
  /** Number of rewrites performed so far. */
  rewrites = 0;
  /** Ids of the rules that fired. */
  readonly fired = new Set<string>();
  /** Operators of the nodes normalised (every node of a pass's result is one of them). */
  readonly seen = new Set<string>();

  /**
   * @param options the caller's options (`budget`, `assume`, `onRewrite`)
   * @param roots the input: the default budget grows by 20 rewrites per distinct node of it
   */
  constructor(options: RewriteOptions, roots: readonly Expr[]) {
    const budget = options.budget ?? BASE_BUDGET;
    if (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0) {
      throw new InvalidArgumentError(
        `budget must be a non-negative number, got ${describe(budget)}`,
      );
    }
    if (options.onRewrite !== undefined && typeof options.onRewrite !== 'function') {
      throw new InvalidArgumentError('onRewrite must be a function');
    }
    this.assume = options.assume;
    if (options.assume !== undefined) this.oracle = new SignOracle(options.assume);
    this.rewritesLeft = budget;
    this.workLeft = budget * 200;
    // Counting the input's nodes costs a walk: only done if the base budget runs out.
    this.pending = options.budget === undefined ? roots : undefined;
    this.roots = roots;
    this.onRewrite = options.onRewrite;
  }

  /** The sign analysis under the run's assumptions (built on first use). */
  get signs(): SignOracle {
    this.oracle ??= new SignOracle(this.assume);
    return this.oracle;
  }

  /** Distinct nodes of the input (counted on first use). */
  get inputSize(): number {
    this.inputNodes ??= size(this.roots);
    return this.inputNodes;
  }

  /** True once the rewrite or the matching budget is spent. */
  get exhausted(): boolean {
    if (this.rewritesLeft > 0 && this.workLeft > 0) return false;
    if (this.pending !== undefined) {
      const extra = 20 * size(this.pending);
      this.pending = undefined;
      this.rewritesLeft += extra;
      this.workLeft += extra * 200;
      return this.exhausted;
    }
    return true;
  }

  /** Matching work one rule attempt may spend: the rest of the budget, at most 10⁵ steps. */
  get matchLimit(): number {
    return Math.max(0, Math.min(this.workLeft, 100_000));
  }

  spend(units: number): void {
    this.workLeft -= units;
  }

  /** Per-run state for a rule (caches), created on first use. */
  scratch<T>(key: object, init: () => T): T {
    let v = this.scratchSpace.get(key) as T | undefined;
    if (v === undefined) {
      v = init();
      this.scratchSpace.set(key, v);
    }
    return v;
  }

  /** Records a rewrite: spends one step and reports it. */
  record(rule: string, before: Expr, after: Expr): void {
    this.rewritesLeft--;
    this.rewrites++;
    this.fired.add(rule);
    this.onRewrite?.({ rule, before, after });
  }
}

/**
 * A strategy: how rules are applied to whole expressions. Runs over several roots at once so
 * that their shared subexpressions are processed once.
 *
 * @example
 * ```ts
 * const s: Strategy = chain(bottomUp(TRIG_RULES), bottomUp(FACTOR_RULES));
 * rewrite(e, s);
 * ```
 */
export interface Strategy {
  /** A name for debugging. */
  readonly name: string;
  /** Rewrites every root; `run` carries the budget and assumptions. */
  run(roots: readonly Expr[], run: Run): Expr[];
}

/** Checks that `s` is a strategy (a name and a `run` function). */
export function checkStrategy(s: Strategy, where: string): void {
  const candidate = s as Partial<Strategy> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.run !== 'function' ||
    typeof candidate.name !== 'string'
  ) {
    throw new InvalidArgumentError(
      `${where}: expected a strategy ({ name, run }) or an array of rules, got ${describe(s)}`,
    );
  }
}

/** Indexes rules by the operator of the nodes they can rewrite, keeping their order. */
function indexRules(rules: readonly Rule[]): Map<Op, Rule[]> {
  const index = new Map<Op, Rule[]>();
  for (const r of rules) {
    for (const h of r.heads) {
      const list = index.get(h);
      if (list) list.push(r);
      else index.set(h, [r]);
    }
  }
  return index;
}

/**
 * Normalises bottom-up: each node's arguments first, then the rules at the node, first rule
 * that fires wins, and whatever it produced is normalised in turn. The result of a pass is
 * a normal form of the rule set (unless the budget ran out). `rootRules` are tried first,
 * and only, at the roots (and at what the roots become): forms that suit a whole result
 * but would hide structure from the sums around a subexpression.
 *
 * @example
 * ```ts
 * rewrite(parse('exp(a)*exp(b)*exp(c)'), bottomUp([rule('exp-sum', 'exp(?a)*exp(?b)', 'exp(?a+?b)')]));
 * // exp(a + b + c)
 * ```
 */
export function bottomUp(
  rules: readonly Rule[],
  name = 'bottom-up',
  rootRules: readonly Rule[] = [],
): Strategy {
  checkRules(rules, 'bottomUp');
  checkRules(rootRules, 'bottomUp (root rules)');
  if (typeof name !== 'string') throw new InvalidArgumentError('bottomUp: the name must be text');
  const index = indexRules(rules);
  const rootIndex = indexRules(rootRules);
  // Normal forms stay normal for the whole run (same rules, same assumptions), so a second
  // pass of the same strategy only normalises nodes it has not seen.
  return {
    name,
    run: (roots, run) =>
      normalizeAll(
        roots,
        index,
        rootIndex,
        run,
        run.scratch(index, () => new Map()),
      ),
  };
}

/**
 * Repeats a strategy until the roots stop changing, at most `maxRounds` times.
 *
 * @example
 * ```ts
 * const s = fixpoint(chain(bottomUp(TRIG_RULES), bottomUp(POWER_RULES)));
 * ```
 */
export function fixpoint(strategy: Strategy, maxRounds = 8): Strategy {
  checkStrategy(strategy, 'fixpoint');
  if (!Number.isInteger(maxRounds) || maxRounds < 0) {
    throw new InvalidArgumentError(
      `fixpoint: maxRounds must be a non-negative integer, got ${describe(maxRounds)}`,
    );
  }
  return {
    name: `fixpoint(${strategy.name})`,
    run(roots, run) {
      let cur = [...roots];
      for (let i = 0; i < maxRounds && !run.exhausted; i++) {
        const next = strategy.run(cur, run);
        const same = next.every((e, j) => e === cur[j]);
        cur = next;
        if (same) break;
      }
      return cur;
    },
  };
}

/**
 * Applies strategies in sequence.
 *
 * @example
 * ```ts
 * const s = chain(bottomUp(EXPAND_LOG_RULES), bottomUp(DEFAULT_RULES));
 * ```
 */
export function chain(...strategies: Strategy[]): Strategy {
  for (const s of strategies) checkStrategy(s, 'chain');
  return {
    name: `chain(${strategies.map((s) => s.name).join(', ')})`,
    run(roots, run) {
      let cur = [...roots];
      for (const s of strategies) cur = s.run(cur, run);
      return cur;
    },
  };
}

/**
 * One node on the explicit stack. state 0: push the arguments; 1: arguments done, rebuild
 * and try the rules; 2: waiting for `target` (what the node became) to be normalised.
 */
interface Frame {
  readonly node: Expr;
  state: 0 | 1 | 2;
  target?: Expr;
  /** A root, or what a root became: root rules apply. */
  readonly root?: boolean;
}

function normalizeAll(
  roots: readonly Expr[],
  index: ReadonlyMap<Op, readonly Rule[]>,
  rootIndex: ReadonlyMap<Op, readonly Rule[]>,
  run: Run,
  memo: Map<Expr, Expr>,
): Expr[] {
  const active = new Set<Expr>();
  const stack: Frame[] = [];

  const finish = (f: Frame, value: Expr): void => {
    memo.set(f.node, value);
    if (!memo.has(value)) memo.set(value, value);
    active.delete(f.node);
    stack.pop();
  };

  const tryRules = (node: Expr, rules: readonly Rule[] | undefined): Expr | undefined => {
    if (rules === undefined) return undefined;
    const mask = argumentMask(node);
    for (const r of rules) {
      if (r.requires !== undefined && (r.requires & mask) !== r.requires) continue;
      const out = r.apply(node, run);
      if (out !== undefined && out !== node) {
        run.record(r.id, node, out);
        return out;
      }
      if (run.exhausted) return undefined;
    }
    return undefined;
  };
  const applyRules = (node: Expr, root: boolean): Expr | undefined => {
    if (run.exhausted) return undefined;
    return (
      (root ? tryRules(node, rootIndex.get(node.op)) : undefined) ??
      tryRules(node, index.get(node.op))
    );
  };

  // Continue with `next` as the value of frame `f`, normalising it first if needed.
  const continueWith = (f: Frame, next: Expr, fallback: Expr): void => {
    const known = memo.get(next);
    if (known !== undefined) finish(f, known);
    else if (active.has(next))
      finish(f, fallback); // a rewrite cycle: stop where we are
    else {
      f.state = 2;
      f.target = next;
      stack.push({ node: next, state: 0, root: f.root });
    }
  };

  for (const root of roots) {
    if (memo.has(root)) continue;
    stack.push({ node: root, state: 0, root: true });
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      const n = f.node;
      if (f.state === 0) {
        if (memo.has(n)) {
          stack.pop();
          continue;
        }
        active.add(n);
        f.state = 1;
        for (let i = n.args.length - 1; i >= 0; i--) {
          const a = n.args[i];
          if (!memo.has(a) && !active.has(a)) stack.push({ node: a, state: 0 });
        }
        continue;
      }
      if (f.state === 2) {
        finish(f, memo.get(f.target!) ?? f.target!);
        continue;
      }
      let changed = false;
      const args = n.args.map((a) => {
        const m = memo.get(a) ?? a;
        if (m !== a) changed = true;
        return m;
      });
      if (changed) {
        const rebuilt = rebuild(n, args);
        if (rebuilt !== n) {
          continueWith(f, rebuilt, rebuilt);
          continue;
        }
      }
      run.seen.add(n.op);
      const out = applyRules(n, f.root === true);
      if (out === undefined) finish(f, n);
      else continueWith(f, out, n);
    }
  }
  return roots.map((r) => memo.get(r)!);
}
