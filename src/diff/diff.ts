/**
 * Differentiation: the chain rule in one place, applied forward (`diff`, memoised per DAG
 * node) or in reverse (`grad`, adjoints accumulated in reverse topological order, so the
 * whole gradient costs a constant times the function). Local partials come from rules.ts.
 */
import {
  addAll,
  div,
  type Expr,
  freeSymbols,
  InvalidArgumentError,
  mul,
  mulAll,
  ONE_EXPR,
  postorder,
  toSymbol,
  type Variable,
  ZERO_EXPR,
} from '../expr/index.js';
import { partial } from './rules.js';

/**
 * Products are flattened, so an unrolled recurrence such as lₖ₊₁ = 4lₖ(1 − lₖ) stores each
 * lₖ as one product of all earlier factors: few nodes, but a quadratic number of edges, and
 * differentiating factor by factor would create a node per edge. This view recovers the
 * sharing: a product whose leading factors form an earlier product M of the same DAG is
 * differentiated as (c·M)·rest, so M's derivative (or adjoint) is reused instead of rebuilt.
 */
class ProductViews {
  // Products by a rolling hash of their non-numeric factors (verified on a hit).
  private readonly byHash = new Map<number, Expr[]>();
  private readonly position = new Map<number, number>();

  constructor(
    order: readonly Expr[],
    private readonly usable: (e: Expr) => boolean,
  ) {
    order.forEach((node, pos) => {
      this.position.set(node.id, pos);
      if (node.op !== 'mul') return;
      const hashes = prefixHashes(node);
      const h = hashes[hashes.length - 1];
      const list = this.byHash.get(h);
      if (list) list.push(node);
      else this.byHash.set(h, [node]);
    });
  }

  /** The factors to differentiate `node` by: its arguments, or [c, M, ...rest]. */
  factors(node: Expr): readonly Expr[] {
    const args = node.args;
    const lead = args[0].op === 'num' ? 1 : 0;
    const pos = this.position.get(node.id)!;
    const hashes = prefixHashes(node);
    // hashes[k] covers the first k + 1 non-numeric factors; try the longest proper prefix first.
    for (let k = hashes.length - 2; k >= 1; k--) {
      const end = lead + k + 1;
      for (const m of this.byHash.get(hashes[k]) ?? []) {
        if (this.position.get(m.id)! >= pos || !this.usable(m) || !sameFactors(m, args, lead, end))
          continue;
        const scale = div(lead ? args[0] : ONE_EXPR, m.args[0].op === 'num' ? m.args[0] : ONE_EXPR);
        return [scale, m, ...args.slice(end)];
      }
    }
    return args;
  }
}

/** Rolling hashes of a product's non-numeric factors: entry k covers the first k + 1. */
function prefixHashes(node: Expr): number[] {
  const out: number[] = [];
  let h = 0;
  for (let i = node.args[0].op === 'num' ? 1 : 0; i < node.args.length; i++) {
    h = (Math.imul(h, 1000003) + node.args[i].id) | 0;
    out.push(h);
  }
  return out;
}

/** True when product `m`'s non-numeric factors are exactly `args[lead..end)`. */
function sameFactors(m: Expr, args: readonly Expr[], lead: number, end: number): boolean {
  const mLead = m.args[0].op === 'num' ? 1 : 0;
  if (m.args.length - mLead !== end - lead) return false;
  for (let i = 0; i < end - lead; i++) if (m.args[mLead + i] !== args[lead + i]) return false;
  return true;
}

/** ∂(Π factors)/∂factors[i]: the product of the others. */
const productOfOthers = (factors: readonly Expr[], i: number): Expr =>
  mulAll([...factors.slice(0, i), ...factors.slice(i + 1)]);

/** One application of the chain rule during forward differentiation (for derivations). */
export interface ChainStep {
  /** The node differentiated. */
  readonly node: Expr;
  /** Its derivative. */
  readonly derivative: Expr;
  /**
   * For each argument (for products: factor) that depends on the variable: its index, the
   * argument, ∂node/∂arg and d arg.
   */
  readonly terms: readonly ChainTerm[];
}

/** One term ∂node/∂arg · d arg of the chain rule. */
export interface ChainTerm {
  readonly index: number;
  readonly arg: Expr;
  readonly partial: Expr;
  readonly inner: Expr;
}

/**
 * Forward-mode derivative of `expr` by the symbol `v`: d f(u₁…uₙ) = Σ ∂f/∂uᵢ · duᵢ over the
 * arguments that depend on `v`, each node once. `onStep` observes without influencing.
 */
export function differentiate(expr: Expr, v: Expr, onStep?: (step: ChainStep) => void): Expr {
  const d = new Map<number, Expr>();
  const order = postorder(expr);
  const views = new ProductViews(order, (m) => d.get(m.id) !== ZERO_EXPR);
  for (const node of order) {
    if (node === v) {
      d.set(node.id, ONE_EXPR);
      continue;
    }
    const terms: ChainTerm[] = [];
    const factors = node.op === 'mul' ? views.factors(node) : node.args;
    factors.forEach((arg, index) => {
      const inner = d.get(arg.id) ?? ZERO_EXPR;
      if (inner === ZERO_EXPR) return;
      const p = node.op === 'mul' ? productOfOthers(factors, index) : partial(node, index);
      terms.push({ index, arg, partial: p, inner });
    });
    const derivative =
      terms.length === 0 ? ZERO_EXPR : addAll(terms.map((t) => mul(t.partial, t.inner)));
    d.set(node.id, derivative);
    if (onStep !== undefined && terms.length > 0) onStep({ node, derivative, terms });
  }
  return d.get(expr.id)!;
}

/**
 * The partial derivative of `expr` by `variable`, `order` times (default once). Exact:
 * `diff(parse('x^3'), 'x')` is `3*x^2`.
 *
 * @example
 * ```ts
 * format(diff(parse('sin(x^2)'), 'x')); // '2*x*cos(x^2)'
 * ```
 */
export function diff(expr: Expr, variable: Variable, order = 1): Expr {
  if (!Number.isInteger(order) || order < 0) {
    throw new InvalidArgumentError(`diff: order must be a non-negative integer, got ${order}`);
  }
  const v = toSymbol(variable);
  let out = expr;
  for (let k = 0; k < order && out !== ZERO_EXPR; k++) out = differentiate(out, v);
  return out;
}

/**
 * Reverse-mode (adjoint) derivatives of several roots at once: returns, for each variable,
 * Σ over roots of seedᵣ · ∂rootᵣ/∂variable. One sweep over the shared DAG.
 */
export function reverse(
  roots: readonly Expr[],
  seeds: readonly Expr[],
  variables: readonly Expr[],
): Expr[] {
  const wanted = new Set(variables.map((v) => v.id));
  const order = postorder(roots);
  const depends = new Set<number>();
  for (const node of order) {
    if (wanted.has(node.id) || node.args.some((a) => depends.has(a.id))) depends.add(node.id);
  }
  const views = new ProductViews(order, (m) => depends.has(m.id));
  const contributions = new Map<number, Expr[]>();
  const push = (node: Expr, term: Expr): void => {
    if (term === ZERO_EXPR) return;
    const list = contributions.get(node.id);
    if (list) list.push(term);
    else contributions.set(node.id, [term]);
  };
  roots.forEach((r, i) => {
    if (depends.has(r.id)) push(r, seeds[i]);
  });
  const adjoint = new Map<number, Expr>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (!depends.has(node.id)) continue;
    const terms = contributions.get(node.id);
    if (terms === undefined) continue;
    contributions.delete(node.id);
    const adj = terms.length === 1 ? terms[0] : addAll(terms);
    adjoint.set(node.id, adj);
    if (adj === ZERO_EXPR) continue;
    const factors = node.op === 'mul' ? views.factors(node) : node.args;
    factors.forEach((a, i) => {
      if (!depends.has(a.id)) return;
      push(a, mul(adj, node.op === 'mul' ? productOfOthers(factors, i) : partial(node, i)));
    });
  }
  return variables.map((v) => adjoint.get(v.id) ?? ZERO_EXPR);
}

/**
 * All first partials of `expr` in one reverse sweep over the DAG, in the order of
 * `variables` (default: its free symbols, sorted by name).
 *
 * @example
 * ```ts
 * grad(parse('x^2*y')).map(String); // ['2*x*y', 'x^2']
 * ```
 */
export function grad(expr: Expr, variables?: readonly Variable[]): Expr[] {
  const vars = variables === undefined ? freeSymbols(expr) : variables.map(toSymbol);
  return reverse([expr], [ONE_EXPR], vars);
}

/**
 * The Jacobian matrix: row i is the gradient of `exprs[i]` by `variables`.
 *
 * @example
 * ```ts
 * jacobian([parse('x*y'), parse('x + y')], ['x', 'y']); // [[y, x], [1, 1]]
 * ```
 */
export function jacobian(exprs: readonly Expr[], variables: readonly Variable[]): Expr[][] {
  const vars = variables.map(toSymbol);
  return exprs.map((e) => reverse([e], [ONE_EXPR], vars));
}

/**
 * The Hessian matrix of second partials, symmetric by construction: each pair (i ≤ j) is
 * computed once (a reverse sweep of ∂f/∂xᵢ over the variables from i on) and mirrored.
 *
 * @example
 * ```ts
 * hessian(parse('x^2*y'), ['x', 'y']); // [[2*y, 2*x], [2*x, 0]]
 * ```
 */
export function hessian(expr: Expr, variables?: readonly Variable[]): Expr[][] {
  const vars = variables === undefined ? freeSymbols(expr) : variables.map(toSymbol);
  const g = reverse([expr], [ONE_EXPR], vars);
  const n = vars.length;
  const h: Expr[][] = Array.from({ length: n }, () => new Array<Expr>(n));
  for (let i = 0; i < n; i++) {
    const row = reverse([g[i]], [ONE_EXPR], vars.slice(i));
    for (let j = i; j < n; j++) {
      h[i][j] = row[j - i];
      h[j][i] = row[j - i];
    }
  }
  return h;
}
