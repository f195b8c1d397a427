/**
 * Lowers the shared `Expr` DAG to the intermediate form, choosing the fast and stable float
 * forms (x² → x·x, x^−1 → 1/x, a·b^−1 → a/b, x^(1/2) → sqrt, log(1+u) → log1p(u),
 * exp(u)−1 → expm1(u), written-out 1/(1+exp(−u)) → σ(u) and log(1+exp(u)) → softplus(u)),
 * and builds reverse-mode adjoints directly on it: each node's local
 * partials (diff/rules.ts) are lowered once and reuse the forward values (tanh′ = 1 − t²).
 * Invariant: lowering is memoised per node and every walk is iterative.
 */
import { partial } from '../diff/rules.js';
import {
  type ConstantName,
  constantValue,
  type Expr,
  isNegativeTerm,
  postorder,
  type Rational,
  ratToNumber,
  UnboundFunctionError,
  UnboundSymbolError,
} from '../expr/index.js';
import { type InputSource, IrBuilder, type IrNode } from './ir.js';

/** Integer powers up to this magnitude become multiplications (binary powering). */
const MAX_EXPANDED_POWER = 16;
/** Products with more variable factors than this use prefix/suffix products for adjoints. */
const DIRECT_PRODUCT_ADJOINT = 4;

const isHalf = (r: Rational, sign: 1n | -1n): boolean => r.den === 2n && r.num === sign;
const smallInteger = (r: Rational): number | undefined =>
  r.den === 1n && r.num >= -MAX_EXPANDED_POWER && r.num <= MAX_EXPANDED_POWER
    ? Number(r.num)
    : undefined;

/** A symbol bound to an input of the program. */
export interface Binding {
  readonly symbol: Expr;
  readonly source: InputSource;
  readonly index: number;
}

/**
 * Lowers expressions into one `IrBuilder`, sharing work between all of them. Symbols must
 * all be bound; an unbound symbol or an unknown function (`f(x)`) throws a `LeibnizError`.
 */
export class Lowering {
  readonly ir = new IrBuilder();
  private readonly memo = new Map<number, IrNode>();
  private readonly reciprocalFactors: boolean;

  /**
   * `forGradient`: the program will also contain adjoints. Then `a·b^−1` multiplies by the
   * reciprocal r = 1/b instead of dividing, because the backward sweep needs r anyway
   * (∂r/∂b = −r²): one division in all instead of one per use.
   */
  constructor(bindings: readonly Binding[], forGradient = false) {
    this.reciprocalFactors = forGradient;
    for (const b of bindings) this.memo.set(b.symbol.id, this.ir.input(b.source, b.index));
  }

  /** The IR of `expr` (and of every node below it, memoised). */
  lower(expr: Expr): IrNode {
    const hit = this.memo.get(expr.id);
    if (hit !== undefined) return hit;
    // Depth-first, children first, never descending into lowered nodes: lowering a partial
    // costs only its new nodes, not the forward subtree it shares.
    const stack: Array<[Expr, number]> = [[expr, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const node = top[0];
      const i = top[1];
      if (i < node.args.length) {
        top[1] = i + 1;
        const child = node.args[i];
        if (!this.memo.has(child.id)) stack.push([child, 0]);
      } else {
        stack.pop();
        if (!this.memo.has(node.id)) this.memo.set(node.id, this.lowerNode(node));
      }
    }
    return this.memo.get(expr.id)!;
  }

  private get(e: Expr): IrNode {
    return this.memo.get(e.id)!;
  }

  private lowerNode(node: Expr): IrNode {
    const ir = this.ir;
    switch (node.op) {
      case 'num':
        return ir.lit(ratToNumber(node.value!));
      case 'const':
        return ir.lit(constantValue(node.name as ConstantName));
      case 'sym':
        throw new UnboundSymbolError(node.name!);
      case 'call':
        throw new UnboundFunctionError(node.name!);
      case 'add':
        return this.lowerSum(node);
      case 'mul':
        return this.lowerProduct(node, 1);
      case 'pow': {
        // 1/(1 + exp(−u)) written out is σ(u): the stable kernel never overflows.
        const u = inlineSigmoid(node);
        if (u !== undefined) return ir.apply('sigmoid', [this.lowerNegated(u)]);
        return this.lowerPower(node.args[0], node.args[1]);
      }
      case 'log': {
        // log(1 + exp(v)) written out is softplus(v): no overflow for large v.
        const v = inlineSoftplus(node);
        if (v !== undefined) return ir.apply('softplus', [this.get(v)]);
        // log(1 + u) = log1p(u): exact for small u, where 1 + u would round u away.
        const u = node.args[0];
        if (u.op === 'add') {
          const rest = u.args.filter(
            (t) => !(t.op === 'num' && t.value!.num === 1n && t.value!.den === 1n),
          );
          if (rest.length === u.args.length - 1) {
            const [terms, negs] = this.signedTerms(rest);
            return ir.apply('log1p', [ir.sum(terms, negs)]);
          }
        }
        return ir.apply('log', [this.get(u)]);
      }
      default:
        return ir.apply(
          node.op,
          node.args.map((a) => this.get(a)),
        );
    }
  }

  /** −v as IR: a product `c·…` becomes `(−c)·…` (−1·u is just u). */
  private lowerNegated(v: Expr): IrNode {
    if (v.op === 'mul' && v.args[0].op === 'num') return this.lowerProduct(v, -1);
    return this.ir.negate(this.get(v));
  }

  /** The terms of a sum as (IR, subtracted?) pairs: `−c·t` subtracts `c·t`. */
  private signedTerms(terms: readonly Expr[]): [IrNode[], boolean[]] {
    const out: IrNode[] = [];
    const negs: boolean[] = [];
    for (const t of terms) {
      if (t.op === 'mul' && isNegativeTerm(t)) {
        out.push(this.lowerProduct(t, -1));
        negs.push(true);
      } else {
        out.push(this.get(t));
        negs.push(false);
      }
    }
    return [out, negs];
  }

  private lowerSum(node: Expr): IrNode {
    const ir = this.ir;
    const args = node.args;
    // exp(u) − 1 = expm1(u) and 1 − exp(u) = −expm1(u): no cancellation for small u.
    const k = args.findIndex(
      (t) => t.op === 'num' && t.value!.den === 1n && (t.value!.num === 1n || t.value!.num === -1n),
    );
    if (k >= 0) {
      const c = args[k].value!.num;
      const j = args.findIndex((t) =>
        c === -1n
          ? t.op === 'exp'
          : t.op === 'mul' &&
            t.args.length === 2 &&
            isMinusOne(t.args[0]) &&
            t.args[1].op === 'exp',
      );
      if (j >= 0) {
        const e = c === -1n ? args[j] : args[j].args[1];
        const em1 = ir.apply('expm1', [this.get(e.args[0])]);
        const rest = args.filter((_, i) => i !== j && i !== k);
        const [terms, negs] = this.signedTerms(rest);
        return ir.sum([em1, ...terms], [c === 1n, ...negs]);
      }
    }
    const [terms, negs] = this.signedTerms(args);
    return ir.sum(terms, negs);
  }

  /**
   * A product `c·f₁·…·fₙ` times `sign` (`sign = −1` lowers `|c|·…` for a subtracted term).
   * Factors `b^−k` (k a small positive integer) and `b^(−1/2)` go to the denominator.
   */
  private lowerProduct(node: Expr, sign: 1 | -1): IrNode {
    let coef = sign;
    const num: IrNode[] = [];
    const den: IrNode[] = [];
    for (const f of node.args) {
      if (f.op === 'num') coef *= ratToNumber(f.value!);
      else this.pushFactor(f, num, den);
    }
    return this.ir.prod(coef, num, den);
  }

  private pushFactor(f: Expr, num: IrNode[], den: IrNode[]): void {
    if (
      f.op === 'pow' &&
      f.args[1].op === 'num' &&
      !(this.reciprocalFactors && isReciprocal(f.args[1].value!))
    ) {
      const e = f.args[1].value!;
      const n = smallInteger(e);
      if (n !== undefined && n < 0) {
        den.push(this.integerPower(this.get(f.args[0]), -n));
        return;
      }
      if (isHalf(e, -1n)) {
        den.push(this.ir.apply('sqrt', [this.get(f.args[0])]));
        return;
      }
    }
    num.push(this.get(f));
  }

  private lowerPower(base: Expr, exponent: Expr): IrNode {
    const ir = this.ir;
    const b = this.get(base);
    if (exponent.op === 'num') {
      const e = exponent.value!;
      // Matches the interpreter (powValue): square roots via Math.sqrt.
      if (isHalf(e, 1n)) return ir.apply('sqrt', [b]);
      if (isHalf(e, -1n)) return ir.prod(1, [], [ir.apply('sqrt', [b])]);
      const n = smallInteger(e);
      if (n !== undefined && n > 0) return this.integerPower(b, n);
      if (n !== undefined && n < 0) return ir.prod(1, [], [this.integerPower(b, -n)]);
    }
    return ir.apply('pow', [b, this.get(exponent)]);
  }

  /** bⁿ for 1 ≤ n ≤ MAX_EXPANDED_POWER by binary powering: x³ = x·x·x, x⁴ = (x·x)². */
  integerPower(b: IrNode, n: number): IrNode {
    const ir = this.ir;
    if (n === 1) return b;
    if (n === 2) return ir.prod(1, [b, b]);
    if (n === 3) return ir.prod(1, [b, b, b]);
    if (n % 2 === 0) {
      const h = this.integerPower(b, n / 2);
      return ir.prod(1, [h, h]);
    }
    return ir.prod(1, [this.integerPower(b, n - 1), b]);
  }

  /**
   * Reverse-mode adjoints: for each of `variables`, Σ over roots of seedᵣ · ∂rootᵣ/∂variable,
   * as IR. One sweep over the shared DAG in reverse topological order; each node's adjoint
   * is the sum of its parents' contributions, formed once all parents are done.
   */
  adjoints(roots: readonly Expr[], seeds: readonly IrNode[], variables: readonly Expr[]): IrNode[] {
    const ir = this.ir;
    const wanted = new Set(variables.map((v) => v.id));
    const order = postorder(roots);
    const depends = new Set<number>();
    for (const node of order) {
      if (wanted.has(node.id) || node.args.some((a) => depends.has(a.id))) depends.add(node.id);
    }
    const contributions = new Map<number, IrNode[]>();
    const push = (node: Expr, term: IrNode): void => {
      if (term.op === 'lit' && term.value === 0) return;
      const list = contributions.get(node.id);
      if (list) list.push(term);
      else contributions.set(node.id, [term]);
    };
    roots.forEach((r, i) => {
      if (depends.has(r.id)) push(r, seeds[i]);
    });
    for (const root of roots) this.lower(root);
    const adjoint = new Map<number, IrNode>();
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k];
      const terms = contributions.get(node.id);
      if (terms === undefined) continue;
      contributions.delete(node.id);
      const adj = ir.sum(terms);
      adjoint.set(node.id, adj);
      if (node.args.length === 0) continue;
      this.propagate(node, adj, depends, push);
    }
    return variables.map((v) => adjoint.get(v.id) ?? ir.lit(0));
  }

  private propagate(
    node: Expr,
    adj: IrNode,
    depends: ReadonlySet<number>,
    push: (node: Expr, term: IrNode) => void,
  ): void {
    const ir = this.ir;
    const args = node.args;
    switch (node.op) {
      case 'add':
        for (const a of args) if (depends.has(a.id)) push(a, adj);
        return;
      case 'mul':
        this.productAdjoint(node, adj, depends, push);
        return;
      case 'log': {
        // softplus′(v) = σ(v), straight to v: the path through exp(v) would give ∞·0 there.
        const v = inlineSoftplus(node);
        if (v === undefined) break;
        if (depends.has(v.id)) push(v, ir.scale(adj, ir.apply('sigmoid', [this.get(v)])));
        return;
      }
      case 'pow': {
        const v = inlineSigmoid(node);
        if (v !== undefined) {
          // σ′ = σ(1 − σ) from the forward value, by −v (the exponent of the exp).
          const sig = this.get(node);
          if (depends.has(v.id))
            push(v, ir.scale(adj, ir.prod(-1, [sig, ir.sum([ir.lit(1), sig], [false, true])])));
          return;
        }
        const direct = this.powerPartial(node);
        if (direct !== undefined) {
          if (depends.has(args[0].id)) push(args[0], ir.scale(adj, direct));
          return;
        }
        break;
      }
      default:
        break;
    }
    args.forEach((a, i) => {
      if (!depends.has(a.id)) return;
      push(a, ir.scale(adj, this.lower(partial(node, i))));
    });
  }

  /**
   * ∂(bᵉ)/∂b for a numeric exponent, straight in IR from the forward values (no symbolic
   * partial to build): n·bⁿ⁻¹ by multiplications, −r² for r = 1/b, 0.5/s for s = √b,
   * −0.5·r³ for r = 1/√b. Undefined for other exponents (the rule table handles them).
   */
  private powerPartial(node: Expr): IrNode | undefined {
    const ir = this.ir;
    const [base, exponent] = node.args;
    if (exponent.op !== 'num') return undefined;
    const e = exponent.value!;
    const r = this.get(node);
    if (isHalf(e, 1n)) return ir.prod(0.5, [], [r]);
    if (isHalf(e, -1n)) return ir.prod(-0.5, [r, r, r]);
    const n = smallInteger(e);
    if (n === undefined) return undefined;
    if (n === -1) return ir.prod(-1, [r, r]);
    if (n >= 2) return ir.prod(n, [this.integerPower(this.get(base), n - 1)]);
    return undefined;
  }

  /**
   * Adjoints of `c·f₁·…·fₙ`: fᵢ receives c·adj·Π_{j≠i} fⱼ. Up to DIRECT_PRODUCT_ADJOINT
   * factors each product is formed directly (reciprocal factors divide); beyond that,
   * prefix and suffix products keep the cost linear in n.
   */
  private productAdjoint(
    node: Expr,
    adj: IrNode,
    depends: ReadonlySet<number>,
    push: (node: Expr, term: IrNode) => void,
  ): void {
    const ir = this.ir;
    let coef = 1;
    const factors: Expr[] = [];
    for (const f of node.args) {
      if (f.op === 'num') coef *= ratToNumber(f.value!);
      else factors.push(f);
    }
    const n = factors.length;
    if (n <= DIRECT_PRODUCT_ADJOINT) {
      factors.forEach((f, i) => {
        if (!depends.has(f.id)) return;
        const num: IrNode[] = [adj];
        const den: IrNode[] = [];
        factors.forEach((g, j) => {
          if (j !== i) this.pushFactor(g, num, den);
        });
        push(f, ir.prod(coef, num, den));
      });
      return;
    }
    const values = factors.map((f) => this.get(f));
    const suffix: IrNode[] = new Array(n + 1);
    suffix[n] = ir.lit(coef);
    for (let i = n - 1; i >= 1; i--) suffix[i] = ir.prod(1, [values[i], suffix[i + 1]]);
    let prefix = adj;
    for (let i = 0; i < n; i++) {
      if (depends.has(factors[i].id)) push(factors[i], ir.prod(1, [prefix, suffix[i + 1]]));
      if (i < n - 1) prefix = ir.prod(1, [prefix, values[i]]);
    }
  }
}

/** For `(1 + exp(v))^−1` (= σ(−v)), the node v; else undefined. */
function inlineSigmoid(node: Expr): Expr | undefined {
  const [base, exponent] = node.args;
  if (!(exponent.op === 'num' && isMinusOne(exponent))) return undefined;
  return onePlusExp(base);
}

/** For `log(1 + exp(v))` (= softplus(v)), the node v; else undefined. */
function inlineSoftplus(node: Expr): Expr | undefined {
  return onePlusExp(node.args[0]);
}

/** For `1 + exp(v)`, the node v. */
function onePlusExp(e: Expr): Expr | undefined {
  if (e.op !== 'add' || e.args.length !== 2) return undefined;
  const [a, b] = e.args[0].op === 'num' ? e.args : [e.args[1], e.args[0]];
  const isOne = a.op === 'num' && a.value!.num === 1n && a.value!.den === 1n;
  return isOne && b.op === 'exp' ? b.args[0] : undefined;
}

/** Exponents whose factor `b^e` the gradient mode keeps as a value (−1 and −1/2). */
const isReciprocal = (e: Rational): boolean => (e.den === 1n && e.num === -1n) || isHalf(e, -1n);

const isMinusOne = (e: Expr): boolean =>
  e.op === 'num' && e.value!.num === -1n && e.value!.den === 1n;
