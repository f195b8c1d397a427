/**
 * Differentiation of expressions: the chain rule of chain.ts over `Expr`s, forward (`diff`,
 * by one variable, each DAG node once) or in reverse (`grad`, `jacobian`, `hessian`: a whole
 * gradient for a constant times the cost of the function). Local partials come from rules.ts.
 */
import {
  addAll,
  coefficientOf,
  describe,
  div,
  type Expr,
  type ExprInput,
  freeSymbols,
  InvalidArgumentError,
  leadingCoefficient,
  mulAll,
  neg,
  num,
  ONE_EXPR,
  postorder,
  toExpression,
  toSymbol,
  toSymbols,
  type Variable,
  ZERO_EXPR,
} from '../expr/index.js';
import {
  type ChainAlgebra,
  forwardSweep,
  reverseSweep,
  type ChainStep as SweepStep,
} from './chain.js';
import { localPartials, type PartialOps } from './rules.js';

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

  constructor(order: readonly Expr[]) {
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

  /**
   * The factors to differentiate `node` by: its arguments, or [c, M, ...rest] for an earlier
   * product M whose derivative is `usable`.
   */
  factors(node: Expr, usable: (m: Expr) => boolean): readonly Expr[] {
    const args = node.args;
    const lead = coefficientCount(node);
    const pos = this.position.get(node.id)!;
    const hashes = prefixHashes(node);
    // hashes[k] covers the first k + 1 non-numeric factors; try the longest proper prefix first.
    for (let k = hashes.length - 2; k >= 1; k--) {
      const end = lead + k + 1;
      for (const m of this.byHash.get(hashes[k]) ?? []) {
        if (this.position.get(m.id)! >= pos || !usable(m) || !sameFactors(m, args, lead, end))
          continue;
        const scale = div(num(coefficientOf(node)), num(coefficientOf(m)));
        return [scale, m, ...args.slice(end)];
      }
    }
    return args;
  }
}

/** 1 when a product leads with its numeric coefficient, else 0. */
const coefficientCount = (product: Expr): number =>
  leadingCoefficient(product) === undefined ? 0 : 1;

/** Rolling hashes of a product's non-numeric factors: entry k covers the first k + 1. */
function prefixHashes(node: Expr): number[] {
  const out: number[] = [];
  let h = 0;
  for (let i = coefficientCount(node); i < node.args.length; i++) {
    h = (Math.imul(h, 1000003) + node.args[i].id) | 0;
    out.push(h);
  }
  return out;
}

/** True when product `m`'s non-numeric factors are exactly `args[lead..end)`. */
function sameFactors(m: Expr, args: readonly Expr[], lead: number, end: number): boolean {
  const mLead = coefficientCount(m);
  if (m.args.length - mLead !== end - lead) return false;
  for (let i = 0; i < end - lead; i++) if (m.args[mLead + i] !== args[lead + i]) return false;
  return true;
}

/**
 * A product not yet built: `factor · rest`. Along a chain of compositions every adjoint (or
 * tangent) is the previous one times one more partial; as canonical products are flat,
 * building each would copy all earlier factors (quadratic in depth). Deferring shares the
 * earlier factors, and the product is built once, where it is needed: in a sum, or as a
 * result.
 */
class Deferred {
  private built: Expr | undefined;
  /** How many deferred products extend this one (a shared prefix is built once, for all). */
  private extensions = 0;

  constructor(
    readonly factor: Expr,
    readonly rest: Value,
  ) {
    if (rest instanceof Deferred) rest.extensions++;
  }

  /**
   * The canonical product; iterative, cached. A prefix that other products extend too is
   * built (and cached) on the way, so the adjoints of a variable used at every level of a
   * chain, ((x + 1)·y + 1)·y…, are built in linear time; an unshared chain is one product.
   */
  build(): Expr {
    if (this.built !== undefined) return this.built;
    const chain: Deferred[] = [];
    let v: Value = this;
    while (v instanceof Deferred && v.built === undefined) {
      chain.push(v);
      v = v.rest;
    }
    let below: Expr = v instanceof Deferred ? v.built! : v;
    let factors: Expr[] = [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i];
      factors.push(d.factor);
      if (i === 0 || d.extensions > 1) {
        factors.push(below);
        below = mulAll(factors);
        d.built = below;
        factors = [];
      }
    }
    return below;
  }
}

/** An adjoint or tangent over expressions: built, or a product still deferred. */
type Value = Expr | Deferred;

const build = (v: Value): Expr => (v instanceof Deferred ? v.build() : v);

/** The arithmetic of partials over expressions: the canonical builders. */
const EXPR_OPS: PartialOps<Expr> = {
  of: (e) => e,
  product: (factors) => mulAll(factors),
  num: (value) => num(value),
  mul: (...factors) => mulAll(factors),
  div,
  neg,
};

/** The chain rule's algebra over expressions, with product views for flattened recurrences. */
function exprAlgebra(order: readonly Expr[]): ChainAlgebra<Value, Expr> {
  let views: ProductViews | undefined;
  return {
    ops: EXPR_OPS,
    zero: ZERO_EXPR,
    one: ONE_EXPR,
    isZero: (v) => v === ZERO_EXPR,
    sum: (terms) => addAll(terms.map(build)),
    scale: (value, partial) => {
      if (value === ZERO_EXPR || partial === ZERO_EXPR) return ZERO_EXPR;
      if (partial === ONE_EXPR) return value;
      if (value === ONE_EXPR) return partial;
      return new Deferred(partial, value);
    },
    operands: (node, usable) => {
      if (node.op !== 'mul') return node.args;
      views ??= new ProductViews(order);
      return views.factors(node, usable);
    },
  };
}

/**
 * ∂node/∂node.args[i] as an expression, from the rule table.
 *
 * @example
 * ```ts
 * partial(parse('sin(x*y)'), 0); // cos(x*y)
 * ```
 */
export function partial(node: Expr, i: number): Expr {
  const needed = node.args.map((_, j) => j === i);
  return localPartials(EXPR_OPS, node, node.args, needed)[i]!;
}

/** One application of the chain rule during forward differentiation (for derivations). */
export type ChainStep = SweepStep<Expr, Expr>;

/**
 * Forward-mode derivative of `expr` by the symbol `v`: d f(u₁…uₙ) = Σ ∂f/∂uᵢ · duᵢ over the
 * arguments that depend on `v`, each node once. `onStep` observes without influencing.
 */
export function differentiate(expr: Expr, v: Expr, onStep?: (step: ChainStep) => void): Expr {
  const algebra = exprAlgebra(postorder(expr));
  const observe =
    onStep === undefined
      ? undefined
      : (s: SweepStep<Value, Expr>): void =>
          onStep({
            node: s.node,
            derivative: build(s.derivative),
            terms: s.terms.map((t) => ({ ...t, inner: build(t.inner) })),
          });
  return build(forwardSweep(algebra, expr, v, observe));
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
export function diff(expr: ExprInput, variable: Variable, order = 1): Expr {
  // Safe integers only: the cycle arithmetic below must be exact.
  if (!Number.isSafeInteger(order) || order < 0) {
    throw new InvalidArgumentError(
      `diff: order must be a non-negative integer up to 2^53 - 1, got ${describe(order)}`,
    );
  }
  const v = toSymbol(variable, 'diff');
  let out = toExpression(expr, 'diff');
  // Brent's cycle detection: derivatives are interned, so a repeat (sin, exp, their sums)
  // is an identical object, and the rest of a huge order is taken modulo the period.
  let saved = out;
  let power = 1;
  let sinceSaved = 0;
  for (let k = 0; k < order && out !== ZERO_EXPR; k++) {
    out = differentiate(out, v);
    sinceSaved++;
    if (out === saved) {
      const left = (order - k - 1) % sinceSaved;
      for (let j = 0; j < left; j++) out = differentiate(out, v);
      return out;
    }
    if (sinceSaved === power) {
      saved = out;
      power *= 2;
      sinceSaved = 0;
    }
  }
  return out;
}

/**
 * Reverse-mode (adjoint) derivatives of several roots at once: for each variable,
 * Σ over roots of seedᵣ · ∂rootᵣ/∂variable. One sweep over the shared DAG.
 */
export function reverse(
  roots: readonly Expr[],
  seeds: readonly Expr[],
  variables: readonly Expr[],
): Expr[] {
  const algebra = exprAlgebra(postorder(roots));
  return reverseSweep<Value, Expr>(algebra, roots, seeds, variables).map(build);
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
export function grad(expr: ExprInput, variables?: readonly Variable[]): Expr[] {
  const f = toExpression(expr, 'grad');
  const vars = variables === undefined ? freeSymbols(f) : toSymbols(variables, 'grad');
  return reverse([f], [ONE_EXPR], vars);
}

/**
 * The Jacobian matrix: row i is the gradient of `exprs[i]` by `variables`.
 *
 * @example
 * ```ts
 * jacobian([parse('x*y'), parse('x + y')], ['x', 'y']); // [[y, x], [1, 1]]
 * ```
 */
export function jacobian(exprs: readonly ExprInput[], variables: readonly Variable[]): Expr[][] {
  if (!Array.isArray(exprs)) {
    throw new InvalidArgumentError('jacobian: expected an array of expressions');
  }
  const vars = toSymbols(variables, 'jacobian');
  return exprs.map((e) => reverse([toExpression(e, 'jacobian')], [ONE_EXPR], vars));
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
export function hessian(expr: ExprInput, variables?: readonly Variable[]): Expr[][] {
  const f = toExpression(expr, 'hessian');
  const vars = variables === undefined ? freeSymbols(f) : toSymbols(variables, 'hessian');
  const g = reverse([f], [ONE_EXPR], vars);
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
