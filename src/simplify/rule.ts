/**
 * Rules as data: an id, a pattern in Leibniz syntax with `?name` wildcards, a template and an
 * optional guard, compiled once. A rule rewrites one node whose arguments are already
 * simplified; strategies (engine.ts) decide where and how often rules are tried.
 */
import {
  describe,
  Expr,
  FUNCTION_NAMES,
  InvalidArgumentError,
  identityOf,
  isInteger,
  type Op,
  optionsOf,
} from '../expr/index.js';
import { looksNegative, type SignOracle } from './assume.js';
import {
  type Batch,
  type Bindings,
  combineAC,
  compilePattern,
  Env,
  instantiate,
  match,
  matchACList,
  mayMatchAC,
  mayMatchACArgument,
  type Pattern,
  parsePatternText,
  parseTemplateText,
  requiredKeys,
  wildcardsIn,
} from './pattern.js';

/**
 * What a rule may consult besides the node: the sign analysis under the caller's
 * assumptions, the matching budget, per-run caches.
 *
 * @example
 * ```ts
 * rule('exp-log', 'exp(log(?x))', '?x', { where: ({ x }, ctx: RuleContext) => ctx.signs.isPositive(x) });
 * ```
 */
export interface RuleContext {
  /** Signs of expressions under the active assumptions (`simplify`'s `assume` option). */
  readonly signs: SignOracle;
  /** Work units left for pattern matching; a rule stops matching when they run out. */
  readonly matchLimit: number;
  /** Adds to the work spent (procedural rules report their own cost). */
  spend(units: number): void;
  /** Per-run state for a rule (caches keyed by node), created on first use. */
  scratch<T>(key: object, init: () => T): T;
  /** Distinct nodes of the run's input: what work budgets proportional to the input scale by. */
  readonly inputSize: number;
}

/**
 * A rewrite rule. `apply` receives a node whose arguments are already in normal form and
 * returns its replacement, or `undefined` when the rule does not apply. Make one with
 * {@link rule} or {@link procedure}.
 *
 * @example
 * ```ts
 * const r: Rule = rule('exp-product', 'exp(?a)*exp(?b)', 'exp(?a+?b)');
 * r.id; // 'exp-product'
 * ```
 */
export interface Rule {
  /** Stable kebab-case id, reported by `onRewrite` and part of the public API. */
  readonly id: string;
  /** Operators of the nodes the rule can rewrite (an index: other nodes are not tried). */
  readonly heads: readonly Op[];
  /** One-line description for documentation. */
  readonly description: string;
  /** The pattern and template as written (pattern rules only), for documentation. */
  readonly pattern?: string;
  readonly template?: string;
  /** Assumptions the rule's guard needs, for documentation (`'positive'`, `'nonnegative'`). */
  readonly needs?: readonly string[];
  /** Rewrites `node`, or returns undefined. */
  apply(node: Expr, ctx: RuleContext): Expr | undefined;
  /**
   * Functions the node's arguments (or the bases of its power arguments) must include for
   * the rule to apply, as an `argumentMask`: strategies skip the rule without calling
   * it otherwise. Absent: no such requirement.
   */
  readonly requires?: number;
}

/** What gets a bit in argument masks: every known function (30) and sums: 31 bits. */
const MASKED: readonly Op[] = [...FUNCTION_NAMES, 'add'];
const BIT = new Map<string, number>(MASKED.map((op, i) => [op, 1 << i]));

/** The mask bits of some function names (unknown names give no bit: no filtering). */
export function maskOf(ops: readonly string[]): number {
  let m = 0;
  for (const op of ops) m |= BIT.get(op) ?? 0;
  return m;
}

/**
 * The functions among a node's arguments and the bases of its power arguments, as bits:
 * the cheap test against {@link Rule.requires}.
 *
 * @example
 * ```ts
 * argumentMask(parse('2*sin(x)*cos(x)^2')) === maskOf(['sin', 'cos']); // true
 * ```
 */
export function argumentMask(node: Expr): number {
  let m = 0;
  for (const a of node.args) {
    m |= BIT.get(a.op) ?? 0;
    if (a.op === 'pow') m |= BIT.get(a.args[0].op) ?? 0;
  }
  return m;
}

/**
 * A guard: decides from the bindings (and the sign analysis) whether a match may be rewritten.
 *
 * @example
 * ```ts
 * const nonnegativeBase: Guard = ({ x }, ctx) => ctx.signs.isNonnegative(x);
 * ```
 */
export type Guard = (b: Bindings, ctx: RuleContext) => boolean;

/**
 * A template computed by code from the bindings; `undefined` declines the match.
 *
 * @example
 * ```ts
 * const twice: TemplateFunction = ({ x }) => (x.op === 'num' ? mul(2, x) : undefined);
 * rule('double-numbers', 'g(?x)', twice);
 * ```
 */
export type TemplateFunction = (b: Bindings, ctx: RuleContext) => Expr | undefined;

/**
 * Options of {@link rule}.
 *
 * @example
 * ```ts
 * rule('pow-pow', '(?x^?a)^?b', '?x^(?a*?b)', {
 *   where: ({ x }, ctx) => ctx.signs.isNonnegative(x),
 *   needs: ['nonnegative'],
 *   description: '(x^a)^b → x^(a·b) for x ≥ 0',
 * });
 * ```
 */
export interface RuleOptions {
  /** Only rewrite matches for which the guard holds. Default: always. */
  readonly where?: Guard;
  /** One-line description for the documentation. Default: `pattern → template`. */
  readonly description?: string;
  /** Assumptions the guard needs (documentation only), e.g. `['positive']`. */
  readonly needs?: readonly string[];
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Checks a rule id: kebab-case, as rule ids are public API. */
export function checkRuleId(id: string): void {
  if (typeof id !== 'string' || !KEBAB.test(id)) {
    throw new InvalidArgumentError(
      `rule id must be kebab-case (like 'pow-pow'), got ${describe(id)}`,
    );
  }
}

/** Checks that `rules` is an array of rules (as `rule` and `procedure` make them). */
export function checkRules(rules: readonly Rule[], where: string): void {
  if (!Array.isArray(rules)) {
    throw new InvalidArgumentError(`${where}: expected an array of rules, got ${describe(rules)}`);
  }
  for (const r of rules as readonly unknown[]) {
    const candidate = r as Partial<Rule> | null;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof candidate.id !== 'string' ||
      !Array.isArray(candidate.heads) ||
      typeof candidate.apply !== 'function'
    ) {
      throw new InvalidArgumentError(
        `${where}: expected rules (made by rule() or procedure()), got ${describe(r)}`,
      );
    }
  }
}

/** Checks what a rule's `apply` is called with (the engine's calls always pass). */
function checkApplyArguments(id: string, node: unknown, ctx: unknown): void {
  if (!(node instanceof Expr)) {
    throw new InvalidArgumentError(
      `rule '${id}': apply expects an expression, got ${describe(node)}`,
    );
  }
  const c = ctx as Partial<RuleContext> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.spend !== 'function' ||
    typeof c.matchLimit !== 'number' ||
    typeof c.scratch !== 'function'
  ) {
    throw new InvalidArgumentError(
      `rule '${id}': apply expects a rule context (the run of a strategy), got ${describe(ctx)}`,
    );
  }
}

/**
 * Defines a rewrite rule from a pattern and a template in Leibniz syntax. Wildcards are
 * `?name`; a wildcard used twice must match the same subexpression. Sums and products match
 * modulo commutativity and associativity: the pattern's terms may be any of the subject's
 * terms, and the terms it does not mention are kept (`exp(?a)*exp(?b)` rewrites
 * `2*exp(x)*y*exp(z)` to `2*y*exp(x+z)`). Inside a sum or product pattern, one bare wildcard
 * stands for all the remaining terms (possibly none: `?a*sin(?u)^2` matches `sin(x)^2`
 * with `?a = 1`). Numbers in a product pattern divide the coefficient (`-?a*f(?u)` matches
 * `-3*f(x)` with `?a = 3`). A factor pattern may take part of an integer power (`sin(?u)`
 * matches within `sin(x)^3`).
 *
 * Templates are built through the canonical builders, so results are canonical. The
 * template may also be a function of the bindings (return `undefined` to decline).
 *
 * @example
 * ```ts
 * const r = rule('exp-sum', 'exp(?a)*exp(?b)', 'exp(?a+?b)');
 * simplify(parse('exp(x)*exp(y)*z'), { rules: [r], only: true }); // z*exp(x + y)
 * rule('exp-log', 'exp(log(?x))', '?x', {
 *   where: ({ x }, ctx) => ctx.signs.isPositive(x),
 *   needs: ['positive'],
 * });
 * ```
 */
export function rule(
  id: string,
  pattern: string | Expr,
  template: string | Expr | TemplateFunction,
  options: RuleOptions = {},
): Rule {
  checkRuleId(id);
  if (typeof pattern !== 'string' && !(pattern instanceof Expr)) {
    throw new InvalidArgumentError(
      `rule '${id}': the pattern must be text or an expression, got ${describe(pattern)}`,
    );
  }
  if (
    typeof template !== 'string' &&
    typeof template !== 'function' &&
    !(template instanceof Expr)
  ) {
    throw new InvalidArgumentError(
      `rule '${id}': the template must be text, an expression or a function, got ${describe(template)}`,
    );
  }
  options = optionsOf(options, `rule '${id}'`);
  if (options.where !== undefined && typeof options.where !== 'function') {
    throw new InvalidArgumentError(`rule '${id}': where must be a function`);
  }
  const patternExpr = typeof pattern === 'string' ? parsePatternText(pattern) : pattern;
  const compiled = compilePattern(patternExpr);
  const names = new Set([...wildcardsIn(patternExpr)]);
  let instantiate: (b: Bindings, ctx: RuleContext) => Expr | undefined;
  if (typeof template === 'function') {
    instantiate = template;
  } else {
    const t = typeof template === 'string' ? parseTemplateText(template) : template;
    for (const w of wildcardsIn(t)) {
      if (!names.has(w))
        throw new InvalidArgumentError(
          `rule '${id}': template wildcard ?${w} is not in the pattern`,
        );
    }
    instantiate = (b) => instantiateTemplate(t, b);
  }
  const patternText = typeof pattern === 'string' ? pattern : String(pattern);
  const templateText =
    typeof template === 'string'
      ? template
      : typeof template === 'function'
        ? '(computed)'
        : String(template);
  return patternRule(id, compiled, instantiate, options, patternText, templateText);
}

function patternRule(
  id: string,
  p: Pattern,
  instantiateWith: (b: Bindings, ctx: RuleContext) => Expr | undefined,
  options: RuleOptions,
  patternText: string,
  templateText: string,
): Rule {
  if (p.kind === 'var' || p.kind === 'lit') {
    throw new InvalidArgumentError(
      `rule '${id}': the pattern must be an operation, not a lone ${p.kind === 'var' ? 'wildcard' : 'constant'}`,
    );
  }
  const where = options.where;
  const heads: readonly Op[] = [p.op];
  const keys = p.kind === 'ac' ? requiredKeys(p) : { direct: [], nested: [] };
  // Direct keys name functions ('sin') or powers of them ('^sin'): either needs the bit.
  const requires = maskOf(keys.direct.map((k) => (k.startsWith('^') ? k.slice(1) : k)));
  // For a fixed-shape pattern, the operators its arguments need (f(g(?x)) needs g there).
  const argOps =
    p.kind === 'node'
      ? p.args.map((a) => (a.kind === 'node' ? a.op : a.kind === 'lit' ? a.expr.op : undefined))
      : [];
  // For a sum or product argument of a fixed-shape pattern, the keys its parts need.
  const argKeys =
    p.kind === 'node'
      ? p.args.map((a) => (a.kind === 'ac' ? { op: a.op, keys: requiredKeys(a) } : undefined))
      : [];
  const apply = (node: Expr, ctx: RuleContext): Expr | undefined => {
    checkApplyArguments(id, node, ctx);
    if (p.kind === 'ac' && (node.op !== p.op || !mayMatchAC(keys, node))) return undefined;
    for (let i = 0; i < argOps.length; i++) {
      if (argOps[i] !== undefined && node.args[i]?.op !== argOps[i]) return undefined;
      const ak = argKeys[i];
      if (ak !== undefined && node.args[i] !== undefined)
        if (!mayMatchACArgument(ak.keys, ak.op, node.args[i])) return undefined;
    }
    const env = new Env(ctx.matchLimit);
    let result: Expr | undefined;
    if (p.kind === 'ac') {
      // Rewrite every disjoint match at once: one rebuild of a 10⁴-term sum, not one per match.
      const lead = node.args[0].op === 'num';
      let args: readonly Expr[] = lead ? node.args.slice(1) : node.args;
      let number = lead ? node.args[0].value! : identityOf(p.op);
      // Sums share one pass over their terms; products are small and may split powers.
      const batch: Batch | undefined =
        p.op === 'add' && p.rest === undefined ? { consumed: args.map(() => false) } : undefined;
      const results: Expr[] = [];
      for (;;) {
        const found = matchACList(
          p,
          args,
          number,
          env,
          true,
          (left) => {
            const b = env.snapshot();
            if (where !== undefined && !where(b, ctx)) return false;
            const r = instantiateWith(b, ctx);
            if (r === undefined) return false;
            results.push(r);
            if (batch === undefined) args = left.args;
            number = left.number;
            return true;
          },
          batch,
        );
        env.undo(0);
        if (!found || env.steps > env.limit) break;
      }
      if (batch !== undefined) args = args.filter((_, j) => !batch.consumed[j]);
      if (results.length > 0) {
        result =
          args.length === 0 && results.length === 1 && isIdentity(p.op, number)
            ? results[0]
            : combineAC(p.op, [...results, ...args], number);
      }
    } else {
      match(p, node, env, () => {
        const b = env.snapshot();
        if (where !== undefined && !where(b, ctx)) return false;
        result = instantiateWith(b, ctx);
        return result !== undefined;
      });
    }
    ctx.spend(env.steps);
    return result;
  };
  return {
    id,
    heads,
    description: options.description ?? `${patternText} → ${templateText}`,
    pattern: patternText,
    template: templateText,
    needs: options.needs,
    apply,
    ...(requires !== 0 ? { requires } : {}),
  };
}

const isIdentity = (op: 'add' | 'mul', r: { num: bigint; den: bigint }): boolean =>
  r.den === 1n && r.num === (op === 'add' ? 0n : 1n);

/** Substitutes bindings for the wildcards of a template, rebuilding canonically. */
export function instantiateTemplate(t: Expr, b: Bindings): Expr {
  return instantiate(t, b);
}

/**
 * Defines a rule by code, for rewrites a pattern cannot express (factoring, polynomial
 * arithmetic). `apply` gets a node of one of the `heads` whose arguments are simplified.
 * `needs` documents the assumptions its guard relies on; `requires` lists functions (or
 * `'add'`) that must occur among the node's arguments or the bases of its power arguments
 * for the rule to be tried at all (a cheap filter; omit it to be tried everywhere).
 *
 * @example
 * ```ts
 * const dropZeroPower = procedure('my-rule', ['pow'], 'x^0 → 1 (already canonical)', () => undefined);
 * ```
 */
export function procedure(
  id: string,
  heads: readonly Op[],
  description: string,
  apply: (node: Expr, ctx: RuleContext) => Expr | undefined,
  needs?: readonly string[],
  requires?: readonly Op[],
): Rule {
  checkRuleId(id);
  const stringList = (v: unknown): boolean =>
    Array.isArray(v) && v.every((h) => typeof h === 'string');
  if (!stringList(heads)) {
    throw new InvalidArgumentError(`procedure '${id}': heads must be an array of operator names`);
  }
  if (typeof description !== 'string') {
    throw new InvalidArgumentError(`procedure '${id}': the description must be text`);
  }
  if (typeof apply !== 'function') {
    throw new InvalidArgumentError(`procedure '${id}': apply must be a function`);
  }
  for (const [list, what] of [
    [needs, 'needs'],
    [requires, 'requires'],
  ] as const) {
    if (list !== undefined && !stringList(list)) {
      throw new InvalidArgumentError(`procedure '${id}': ${what} must be an array of names`);
    }
  }
  const mask = requires === undefined ? 0 : maskOf(requires);
  const checked = (node: Expr, ctx: RuleContext): Expr | undefined => {
    checkApplyArguments(id, node, ctx);
    return apply(node, ctx);
  };
  return {
    id,
    heads,
    description,
    needs,
    apply: checked,
    ...(mask !== 0 ? { requires: mask } : {}),
  };
}

/**
 * Guard helpers for rule authors.
 *
 * @example
 * ```ts
 * rule('abs-even-pow', 'abs(?x)^?n', '?x^?n', { where: ({ n }) => guards.isEven(n) });
 * ```
 */
export const guards = {
  /** The binding is a number. */
  isNumber: (e: Expr | undefined): boolean => e instanceof Expr && e.op === 'num',
  /** The binding is an integer. */
  isInteger: (e: Expr | undefined): boolean =>
    e instanceof Expr && e.op === 'num' && isInteger(e.value!),
  /** The binding is an even integer. */
  isEven: (e: Expr | undefined): boolean =>
    e instanceof Expr && e.op === 'num' && e.value!.den === 1n && e.value!.num % 2n === 0n,
  /** The binding is an odd integer. */
  isOdd: (e: Expr | undefined): boolean =>
    e instanceof Expr && e.op === 'num' && e.value!.den === 1n && e.value!.num % 2n !== 0n,
  /** The binding looks negative (see `looksNegative`). */
  looksNegative: (e: Expr | undefined, tieBreak = false): boolean =>
    e instanceof Expr && looksNegative(e, tieBreak === true),
} as const;
