/**
 * Stable forms: rewrites written-out formulas into forms whose float evaluation neither
 * overflows nor cancels, before anything is evaluated in floats (by `evaluate` and by
 * compiled code alike). Each rewrite is an identity of real functions with the same domain:
 *
 * - `1/(1 + exp(−u))` → σ(u) and `exp(u)/(1 + exp(u))` → σ(u) (no ∞/∞), and likewise
 *   exp(m·v)·σ(−v)ⁿ → σ(v)ᵐ·σ(−v)ⁿ⁻ᵐ and sinh(u)/cosh(u)ᵏ → tanh(u)/cosh(u)ᵏ⁻¹, so the
 *   derivatives of these forms stay finite too;
 * - `log(1 + exp(u))` → softplus(u), `log(σ(u))` → −softplus(−u) (no log(0) = −∞);
 * - `1 − σ(u)` → σ(−u) (no cancellation; with the above, `log(1 − σ(u))` → −softplus(u));
 * - `1 − tanh(u)²` → 4·σ(2u)·σ(−2u) (= sech² u: keeps its digits where tanh rounds to ±1,
 *   and its derivatives stay finite where cosh overflows).
 *
 * Invariant: value- and domain-preserving; each distinct node rewritten once; iterative.
 */
import {
  addAll,
  div,
  mulAll,
  neg,
  num,
  ONE_EXPR,
  pow,
  rebuild,
  sigmoid,
  sinh,
  softplus,
  tanh,
} from './build.js';
import type { Expr } from './node.js';
import { mapBottomUp } from './walk.js';

const isNumber = (e: Expr, n: bigint): boolean =>
  e.op === 'num' && e.value!.num === n && e.value!.den === 1n;

/** For `1 + exp(v)`, the node v. */
function onePlusExp(e: Expr): Expr | undefined {
  if (e.op !== 'add' || e.args.length !== 2) return undefined;
  const [a, b] = e.args[0].op === 'num' ? e.args : [e.args[1], e.args[0]];
  return a === ONE_EXPR && b.op === 'exp' ? b.args[0] : undefined;
}

/** For `−f(u)²` (a term of a sum) with f = `name`, the node u. */
function negatedSquareOf(t: Expr, name: 'tanh'): Expr | undefined {
  if (t.op !== 'mul' || t.args.length !== 2 || !isNumber(t.args[0], -1n)) return undefined;
  const p = t.args[1];
  if (p.op !== 'pow' || !isNumber(p.args[1], 2n) || p.args[0].op !== name) return undefined;
  return p.args[0].args[0];
}

/** For `−σ(u)` (a term of a sum), the node u. */
function negatedSigmoid(t: Expr): Expr | undefined {
  if (t.op !== 'mul' || t.args.length !== 2 || !isNumber(t.args[0], -1n)) return undefined;
  return t.args[1].op === 'sigmoid' ? t.args[1].args[0] : undefined;
}

/** A sum with its `1` and one matching term replaced by `replacement(u)`. */
function replaceOnePlus(
  sum: Expr,
  match: (t: Expr) => Expr | undefined,
  replacement: (u: Expr) => Expr,
): Expr | undefined {
  const one = sum.args.indexOf(ONE_EXPR);
  if (one < 0) return undefined;
  for (let i = 0; i < sum.args.length; i++) {
    const u = match(sum.args[i]);
    if (u === undefined) continue;
    const rest = sum.args.filter((_, j) => j !== i && j !== one);
    return addAll([replacement(u), ...rest]);
  }
  return undefined;
}

/** For `f^n` or `f` with f of operator `op`: [f, n] for a positive integer n. */
function integerPowerOf(e: Expr, op: Expr['op']): [Expr, bigint] | undefined {
  if (e.op === op) return [e, 1n];
  if (e.op !== 'pow' || e.args[0].op !== op) return undefined;
  const n = e.args[1];
  return n.op === 'num' && n.value!.den === 1n ? [e.args[0], n.value!.num] : undefined;
}

/**
 * Ratios of functions that overflow together, in a product: exp(m·v)·σ(−v)ⁿ =
 * σ(v)ᵐ·σ(−v)ⁿ⁻ᵐ (e^v·σ(−v) = σ(v); 1 ≤ m ≤ n) and sinh(u)·cosh(u)⁻ᵏ = tanh(u)·cosh(u)¹⁻ᵏ
 * (k ≥ 1). The product with one such pair merged, or undefined.
 */
function mergeRatio(product: Expr): Expr | undefined {
  const factors = product.args;
  const without = (i: number, j: number): Expr[] => factors.filter((_, k) => k !== i && k !== j);
  for (let i = 0; i < factors.length; i++) {
    const sig = integerPowerOf(factors[i], 'sigmoid');
    if (sig !== undefined && sig[1] > 0n) {
      const [s, n] = sig;
      const v = neg(s.args[0]);
      for (let j = 0; j < factors.length; j++) {
        if (factors[j].op !== 'exp') continue;
        const m = div(factors[j].args[0], v);
        if (m.op !== 'num' || m.value!.den !== 1n || m.value!.num < 1n || m.value!.num > n)
          continue;
        const rest = pow(s, num(n - m.value!.num));
        return mulAll([pow(sigmoid(v), m), rest, ...without(i, j)]);
      }
    }
    const ch = integerPowerOf(factors[i], 'cosh');
    if (ch !== undefined && ch[1] < 0n) {
      const [c, k] = ch;
      const j = factors.indexOf(sinh(c.args[0]));
      if (j < 0) continue;
      return mulAll([tanh(c.args[0]), pow(c, num(k + 1n)), ...without(i, j)]);
    }
  }
  return undefined;
}

/** The stable form of one node whose arguments are already stable, or the node itself. */
function stableNode(node: Expr): Expr {
  switch (node.op) {
    case 'pow': {
      // (1 + exp(v))⁻ⁿ = σ(−v)ⁿ
      const e = node.args[1];
      const negative = e.op === 'num' && e.value!.den === 1n && e.value!.num < 0n;
      const v = negative ? onePlusExp(node.args[0]) : undefined;
      return v === undefined ? node : pow(sigmoid(neg(v)), neg(e));
    }
    case 'log': {
      const a = node.args[0];
      // log(σ(u)) = −softplus(−u)
      if (a.op === 'sigmoid') return neg(softplus(neg(a.args[0])));
      // log(1 + exp(v)) = softplus(v)
      const v = onePlusExp(a);
      return v === undefined ? node : softplus(v);
    }
    case 'add':
      return (
        replaceOnePlus(node, negatedSigmoid, (u) => sigmoid(neg(u))) ??
        replaceOnePlus(
          node,
          (t) => negatedSquareOf(t, 'tanh'),
          (u) => mulAll([num(4), sigmoid(mulAll([num(2), u])), sigmoid(mulAll([num(-2), u]))]),
        ) ??
        node
      );
    case 'mul':
      return mergeRatio(node) ?? node;
    default:
      return node;
  }
}

/**
 * A cache of stable forms: rewrites each distinct node once, however many expressions pass
 * through it.
 *
 * @example
 * ```ts
 * const forms = new StableForms();
 * forms.of(parse('1/(1 + exp(-x))')); // sigmoid(x)
 * forms.of(parse('log(1 - sigmoid(x))')); // -softplus(x)
 * ```
 */
export class StableForms {
  private readonly image = new Map<Expr, Expr>();

  /** The stable form of `expr`. */
  of(expr: Expr): Expr {
    const hit = this.image.get(expr);
    if (hit !== undefined) return hit;
    const [out] = mapBottomUp([expr], (node, args) => {
      const known = this.image.get(node);
      if (known !== undefined) return known;
      const rebuilt = args.every((a, i) => a === node.args[i]) ? node : rebuild(node, args);
      // A rewrite can expose another (1 − σ(u) inside a log): settle the new node too.
      let stable = stableNode(rebuilt);
      for (let guard = 0; stable !== rebuilt && guard < 4; guard++) {
        const again = stableNode(stable);
        if (again === stable) break;
        stable = again;
      }
      this.image.set(node, stable);
      return stable;
    });
    return out;
  }
}

/** The stable form of `expr` (see `StableForms` to share the work between expressions). */
export const stableForm = (expr: Expr): Expr => new StableForms().of(expr);
