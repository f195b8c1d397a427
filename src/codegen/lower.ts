/**
 * Lowers the shared `Expr` DAG to the intermediate form, choosing the fast and stable float
 * forms (x² → x·x, x^−1 → 1/x, a·b^−1 → a/b, x^(1/2) → sqrt, log(1+u) → log1p(u),
 * exp(u)−1 → expm1(u); written-out σ and softplus through expr's `StableForms`), and is the
 * algebra the one chain rule (diff/chain.ts) runs over for compiled gradients: the rule
 * table's partials are built straight in IR from the forward values (tanh′ = 1 − t²).
 * Invariant: lowering is memoised per node and every walk is iterative.
 */
import { type ChainAlgebra, reverseSweep } from '../diff/chain.js';
import type { PartialOps } from '../diff/rules.js';
import {
  type ConstantName,
  constantValue,
  type Expr,
  expm1Split,
  fn,
  isNegativeTerm,
  log1pTerms,
  ONE_EXPR,
  type Rational,
  ratToNumber,
  StableForms,
  UnboundFunctionError,
  UnboundSymbolError,
} from '../expr/index.js';
import { type InputSource, IrBuilder, type IrNode } from './ir.js';

/** Partials that are products of at most this many factors are absorbed into the adjoint's product. */
const ABSORBED_PARTIAL_ARITY = 4;
/** Integer powers up to this magnitude become multiplications (binary powering). */
const MAX_EXPANDED_POWER = 16;

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
  private readonly stable = new StableForms();

  /**
   * `forGradient`: the program will also contain adjoints. Then `a·b^−1` multiplies by the
   * reciprocal r = 1/b instead of dividing, because the backward sweep needs r anyway
   * (∂r/∂b = −r²): one division in all instead of one per use.
   */
  constructor(bindings: readonly Binding[], forGradient = false) {
    this.reciprocalFactors = forGradient;
    for (const b of bindings) this.memo.set(b.symbol.id, this.ir.input(b.source, b.index));
  }

  /** The IR of `expr` (and of every node below it, memoised), in its stable form. */
  lower(expr: Expr): IrNode {
    return this.lowerStable(this.stable.of(expr));
  }

  private lowerStable(expr: Expr): IrNode {
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
      case 'pow':
        return this.lowerPower(node.args[0], node.args[1]);
      case 'log': {
        // log(1 + u) = log1p(u): exact for small u, where 1 + u would round u away.
        const u = node.args[0];
        const rest = log1pTerms(u);
        if (rest !== undefined) {
          const [terms, negs] = this.signedTerms(rest);
          return ir.apply('log1p', [ir.sum(terms, negs)]);
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
    // 1 − tanh(u)² (tanh's partial) is sech²(u): exact where tanh rounds to ±1.
    const u = oneMinusTanhSquared(node);
    if (u !== undefined) return ir.apply('sech2', [this.get(u), this.get(fn('tanh', [u]))]);
    // exp(u) − 1 = expm1(u) and 1 − exp(u) = −expm1(u): no cancellation for small u.
    const split = expm1Split(node);
    if (split !== undefined) {
      const em1 = ir.apply('expm1', [this.get(split.exp.args[0])]);
      const [terms, negs] = this.signedTerms(split.rest);
      return ir.sum([em1, ...terms], [split.negated, ...negs]);
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
    // σ·(1 − σ) (sigmoid's partial) is dsigmoid(v, σ): 1 − σ cancels where σ rounds to 1.
    const paired = sigmoidPair(node);
    for (const f of node.args) {
      if (f.op === 'num') coef *= ratToNumber(f.value!);
      else if (paired !== undefined && (f === paired[0] || f === paired[1])) continue;
      else this.pushFactor(f, num, den);
    }
    if (paired !== undefined) {
      const s = paired[0];
      num.push(this.ir.apply('dsigmoid', [this.get(s.args[0]), this.get(s)]));
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
    const b = this.get(base);
    if (exponent.op === 'num') return this.numericPower(b, ratToNumber(exponent.value!));
    return this.ir.apply('pow', [b, this.get(exponent)]);
  }

  /** bᵉ for a number e: square roots via Math.sqrt (as the interpreter), small integers by multiplication. */
  private numericPower(b: IrNode, e: number): IrNode {
    const ir = this.ir;
    if (e === 0.5) return ir.apply('sqrt', [b]);
    if (e === -0.5) return ir.prod(1, [], [ir.apply('sqrt', [b])]);
    if (Number.isInteger(e) && Math.abs(e) <= MAX_EXPANDED_POWER && e !== 0) {
      return e > 0 ? this.integerPower(b, e) : ir.prod(1, [], [this.integerPower(b, -e)]);
    }
    return ir.apply('pow', [b, ir.lit(e)]);
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
   * as IR: the chain rule of diff/chain.ts over this lowering.
   */
  adjoints(roots: readonly Expr[], seeds: readonly IrNode[], variables: readonly Expr[]): IrNode[] {
    const stableRoots = roots.map((r) => this.stable.of(r));
    for (const root of stableRoots) this.lowerStable(root);
    return reverseSweep(this.algebra, stableRoots, seeds, variables);
  }

  /**
   * `adjoint · partial`, with a small product partial absorbed (`a·(c/d)` is `c·a/d`: one
   * division instead of a reciprocal and a multiply). The partial's factors come first: they
   * are of one scale (b·b^(e−1)), so their product does not underflow where the adjoint's
   * product with one of them would.
   */
  private scale(value: IrNode, partial: IrNode): IrNode {
    const ir = this.ir;
    if (partial.op === 'lit') return ir.prod(partial.value, [value]);
    if (partial.op === 'prod' && partial.args.length <= ABSORBED_PARTIAL_ARITY) {
      const nNum = partial.args.length - partial.den;
      return ir.prod(
        partial.coef,
        [...partial.args.slice(0, nNum), value],
        partial.args.slice(nNum),
      );
    }
    if (value.op === 'lit') return ir.prod(value.value, [partial]);
    return ir.prod(1, [partial, value]);
  }

  /** The chain rule's arithmetic in IR: partials lowered next to the forward values. */
  private readonly ops: PartialOps<IrNode> = {
    of: (e) => this.lowerStable(e),
    product: (factors) => {
      let coef = 1;
      const num: IrNode[] = [];
      const den: IrNode[] = [];
      for (const f of factors) {
        if (f.op === 'num') coef *= ratToNumber(f.value!);
        else this.pushFactor(f, num, den);
      }
      return this.ir.prod(coef, num, den);
    },
    num: (value) => this.ir.lit(value),
    mul: (...factors) => this.ir.prod(1, factors),
    div: (a, b) => this.ir.prod(1, [a], [b]),
    // −(c·…) is (−c)·…: exact, and no separate negation.
    neg: (a) => {
      if (a.op !== 'prod') return this.ir.negate(a);
      const nNum = a.args.length - a.den;
      return this.ir.prod(-a.coef, a.args.slice(0, nNum), a.args.slice(nNum));
    },
  };

  private readonly algebra: ChainAlgebra<IrNode> = {
    ops: this.ops,
    zero: this.ir.lit(0),
    one: this.ir.lit(1),
    isZero: (v) => v.op === 'lit' && v.value === 0,
    sum: (terms) => this.ir.sum(terms),
    scale: (value, partial) => this.scale(value, partial),
  };
}

/** For a product with factors σ(v) and 1 − σ(v): those two factors. */
function sigmoidPair(product: Expr): [Expr, Expr] | undefined {
  for (const f of product.args) {
    if (f.op !== 'add' || f.args.length !== 2 || f.args[0] !== ONE_EXPR) continue;
    const t = f.args[1];
    if (t.op !== 'mul' || t.args.length !== 2 || !isMinusOne(t.args[0])) continue;
    const s = t.args[1];
    if (s.op === 'sigmoid' && product.args.includes(s)) return [s, f];
  }
  return undefined;
}

/** For `1 − tanh(u)²`, the node u. */
function oneMinusTanhSquared(sum: Expr): Expr | undefined {
  if (sum.args.length !== 2 || sum.args[0] !== ONE_EXPR) return undefined;
  const t = sum.args[1];
  if (t.op !== 'mul' || t.args.length !== 2 || !isMinusOne(t.args[0])) return undefined;
  const p = t.args[1];
  const two =
    p.op === 'pow' &&
    p.args[1].op === 'num' &&
    p.args[1].value!.num === 2n &&
    p.args[1].value!.den === 1n;
  return two && p.args[0].op === 'tanh' ? p.args[0].args[0] : undefined;
}

/** Exponents whose factor `b^e` the gradient mode keeps as a value (−1 and −1/2). */
const isReciprocal = (e: Rational): boolean => (e.den === 1n && e.num === -1n) || isHalf(e, -1n);

const isMinusOne = (e: Expr): boolean =>
  e.op === 'num' && e.value!.num === -1n && e.value!.den === 1n;
