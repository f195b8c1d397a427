/**
 * The chain rule, once: d f(u₁…uₙ) = Σ ∂f/∂uᵢ · duᵢ, applied over the shared DAG in reverse
 * (adjoints, for whole gradients) or forward (tangents, for one variable), generic over the
 * algebra it computes in. `grad` and `diff` run it over `Expr`s; code generation runs the
 * same sweep over its IR. Local partials come from the rule table (rules.ts).
 * Invariant: each node is visited once; walks are iterative.
 */
import { type Expr, postorder } from '../expr/index.js';
import { localPartials, type PartialOps } from './rules.js';

/**
 * What a chain-rule sweep computes with: values `V` (adjoints, tangents) and local partials
 * `P`, written in the arithmetic `ops`. For code generation both are IR nodes; for `Expr`s
 * a value may be a product not yet built (see diff.ts).
 */
export interface ChainAlgebra<V, P = V> {
  /** The arithmetic partials are written in (rules.ts). */
  readonly ops: PartialOps<P>;
  /** The additive zero: contributions equal to it are dropped. */
  readonly zero: V;
  /** The seed of a forward sweep, d v/d v. */
  readonly one: V;
  isZero(v: V): boolean;
  /** The sum of two or more contributions. */
  sum(terms: readonly V[]): V;
  /** `value · partial`: an adjoint times a local partial, or a tangent times one. */
  scale(value: V, partial: P): V;
  /**
   * The operands to differentiate a node by: its arguments, or for a product any
   * factorisation of it (see `localPartials`). Default: the arguments.
   */
  operands?(node: Expr, usable: (e: Expr) => boolean): readonly Expr[];
}

/** The nodes of `order` that depend on one of `variables` (transitively). */
export function dependents(order: readonly Expr[], variables: readonly Expr[]): Set<Expr> {
  const depends = new Set<Expr>(variables);
  for (const node of order) {
    if (!depends.has(node) && node.args.some((a) => depends.has(a))) depends.add(node);
  }
  return depends;
}

/**
 * Reverse mode: for each of `variables`, Σ over roots of seedᵣ · ∂rootᵣ/∂variable. One sweep
 * over the shared DAG in reverse topological order: a node's adjoint is the sum of its
 * parents' contributions, formed once all parents are done, then passed to its operands
 * times the local partials. A gradient costs a constant times the function.
 */
export function reverseSweep<V, P>(
  algebra: ChainAlgebra<V, P>,
  roots: readonly Expr[],
  seeds: readonly V[],
  variables: readonly Expr[],
): V[] {
  const order = postorder(roots);
  const depends = dependents(order, variables);
  const contributions = new Map<Expr, V[]>();
  const push = (node: Expr, term: V): void => {
    if (algebra.isZero(term)) return;
    const list = contributions.get(node);
    if (list) list.push(term);
    else contributions.set(node, [term]);
  };
  roots.forEach((r, i) => {
    if (depends.has(r)) push(r, seeds[i]);
  });
  const usable = (e: Expr): boolean => depends.has(e);
  const adjoint = new Map<Expr, V>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const terms = contributions.get(node);
    if (terms === undefined) continue;
    contributions.delete(node);
    const adj = terms.length === 1 ? terms[0] : algebra.sum(terms);
    adjoint.set(node, adj);
    if (node.args.length === 0 || algebra.isZero(adj)) continue;
    const operands = algebra.operands?.(node, usable) ?? node.args;
    const needed = operands.map((a) => depends.has(a));
    const partials = localPartials(algebra.ops, node, operands, needed);
    operands.forEach((a, i) => {
      if (needed[i]) push(a, algebra.scale(adj, partials[i]!));
    });
  }
  return variables.map((v) => adjoint.get(v) ?? algebra.zero);
}

/** One application of the chain rule during a forward sweep (for derivations). */
export interface ChainStep<V, P = V> {
  /** The node differentiated. */
  readonly node: Expr;
  /** Its derivative. */
  readonly derivative: V;
  /**
   * For each operand (argument, or for products factor) that depends on the variable: its
   * index, the operand, ∂node/∂operand and d operand.
   */
  readonly terms: readonly ChainTerm<V, P>[];
}

/** One term ∂node/∂operand · d operand of the chain rule. */
export interface ChainTerm<V, P = V> {
  readonly index: number;
  readonly arg: Expr;
  readonly partial: P;
  readonly inner: V;
}

/**
 * Forward mode: the derivative of `root` by `variable`, each node once, children first:
 * d node = Σ ∂node/∂operandᵢ · d operandᵢ over the operands that depend on the variable.
 * `onStep` observes without influencing.
 */
export function forwardSweep<V, P>(
  algebra: ChainAlgebra<V, P>,
  root: Expr,
  variable: Expr,
  onStep?: (step: ChainStep<V, P>) => void,
): V {
  const order = postorder(root);
  const depends = dependents(order, [variable]);
  const tangent = new Map<Expr, V>();
  const usable = (e: Expr): boolean => tangent.has(e);
  for (const node of order) {
    if (node === variable) {
      tangent.set(node, algebra.one);
      continue;
    }
    if (!depends.has(node)) continue;
    const operands = algebra.operands?.(node, usable) ?? node.args;
    const needed = operands.map((a) => tangent.has(a));
    const partials = localPartials(algebra.ops, node, operands, needed);
    const terms: ChainTerm<V, P>[] = [];
    operands.forEach((arg, index) => {
      if (!needed[index]) return;
      terms.push({ index, arg, partial: partials[index]!, inner: tangent.get(arg)! });
    });
    const products = terms.map((t) => algebra.scale(t.inner, t.partial));
    const nonzero = products.filter((p) => !algebra.isZero(p));
    const derivative =
      nonzero.length === 0
        ? algebra.zero
        : nonzero.length === 1
          ? nonzero[0]
          : algebra.sum(nonzero);
    if (!algebra.isZero(derivative)) tangent.set(node, derivative);
    if (onStep !== undefined && terms.length > 0) onStep({ node, derivative, terms });
  }
  return tangent.get(root) ?? algebra.zero;
}
