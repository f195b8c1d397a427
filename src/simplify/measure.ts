/**
 * How big an expression is, as the simplifier judges it. The tree weight is the number of
 * nodes of the printed text's parse tree (an n-ary sum prints n − 1 operators, a negative
 * term's sign is the binary minus, `x^-1` prints as a denominator); the DAG weight counts
 * each distinct node once. Both are memoised per node for good (nodes are immutable), so
 * local "is the rewrite smaller?" checks cost O(new nodes).
 */
import {
  type Expr,
  type ExprInput,
  isNegativeTerm,
  leadingCoefficient,
  memoPostorder,
  postorder,
  type Rational,
  ratInv,
  ratMul,
  toExpression,
  toExpressions,
} from '../expr/index.js';
import { NodeCache } from './memo.js';

/** The weight a node adds on its own (its children are counted separately). */
export function ownWeight(e: Expr): number {
  if (e.op === 'add') return e.args.length - 1;
  if (e.op === 'mul') {
    const first = e.args[0];
    if (first.op !== 'num') return e.args.length - 1;
    // `−x·y` prints as a sign, `2·x` as one more leaf and operator, `2/3·x` as `2*x/3`.
    const v = first.value!;
    const mag = v.num < 0n ? -v.num : v.num;
    const coeff = mag === 1n ? (v.den === 1n ? 0 : 2) : v.den === 1n ? 2 : 4;
    return e.args.length - 2 + coeff;
  }
  return 1;
}

/** True for the child that {@link ownWeight} already accounts for (a product's coefficient). */
const countedByParent = (parent: Expr, i: number): boolean =>
  i === 0 && leadingCoefficient(parent) !== undefined;

/**
 * What a node prints as, in nodes of the printed text's parse tree: the node as printed
 * (`w`), without its sign when it reads as negative (`abs`: in a sum the sign becomes the
 * binary minus), and as a denominator factor when its exponent is negative (`recip`: x^-2
 * is the `x^2` of `y/x^2`).
 */
interface Printed {
  readonly w: number;
  readonly abs?: number;
  readonly recip?: number;
}

const PRINTED = new NodeCache<Printed>();

/** The printed entry of a node; computed (between walks) when the cache does not hold it. */
function printed(e: Expr): Printed {
  return PRINTED.get(e) ?? memoPostorder(e, PRINTED.settle(), printedNodes);
}

/** Nodes of a number as printed: 2, -2 (a sign and a number), 2/3 (an operator and two). */
function numberNodes(r: Rational): Printed {
  const abs = r.den === 1n ? 1 : 3;
  return r.num < 0n ? { w: abs + 1, abs } : { w: abs };
}

const isHalf = (e: Expr, sign: bigint): boolean =>
  e.op === 'num' && e.value!.num === sign && e.value!.den === 2n;

/**
 * Nodes of the product `c·factors` as printed (c undefined: no coefficient), from the
 * factors' entries (already weighed).
 */
function productNodes(c: Rational | undefined, factors: readonly Expr[]): Printed {
  return productOfEntries(c, factors.map(printed));
}

/** {@link productNodes} from the factors' entries. */
function productOfEntries(c: Rational | undefined, entries: readonly Printed[]): Printed {
  let top = 0;
  let topCount = 0;
  let bottom = 0;
  let bottomCount = 0;
  for (const p of entries) {
    if (p.recip !== undefined) {
      bottom += p.recip;
      bottomCount++;
    } else {
      top += p.w;
      topCount++;
    }
  }
  const mag = c === undefined ? 1n : c.num < 0n ? -c.num : c.num;
  if (mag !== 1n || topCount === 0) {
    top++;
    topCount++;
  }
  if (c !== undefined && c.den !== 1n) {
    bottom++;
    bottomCount++;
  }
  let abs = top + topCount - 1;
  if (bottomCount > 0) abs += 1 + bottom + bottomCount - 1;
  return c !== undefined && c.num < 0n ? { w: abs + 1, abs } : { w: abs };
}

function printedNodes(n: Expr): Printed {
  const get = printed;
  switch (n.op) {
    case 'num':
      return numberNodes(n.value!);
    case 'const':
    case 'sym':
      return { w: 1 };
    case 'add': {
      // n − 1 operators; negative terms lose their sign to a binary minus, unless every term
      // is negative (then the first keeps it).
      let w = n.args.length - 1;
      let negatives = 0;
      for (const t of n.args) {
        const p = get(t);
        if (p.abs !== undefined) negatives++;
        w += p.abs ?? p.w;
      }
      return { w: negatives === n.args.length ? w + 1 : w };
    }
    case 'mul': {
      const c = leadingCoefficient(n);
      return productNodes(c, c === undefined ? n.args : n.args.slice(1));
    }
    case 'pow': {
      const [b, e] = n.args;
      const zeroBase = b.op === 'num' && b.value!.num === 0n && e.op === 'num';
      if (isNegativeTerm(e) && !zeroBase) {
        // 1/b, 1/sqrt(b), 1/b^k: the denominator factor, and `1/` before it alone.
        const k = get(e).abs!;
        const recip =
          e.op === 'num' && e.value!.num === -1n && e.value!.den === 1n
            ? get(b).w
            : isHalf(e, -1n)
              ? get(b).w + 2
              : get(b).w + k + 1;
        return { w: recip + 2, recip };
      }
      if (isHalf(e, 1n)) return { w: get(b).w + 2 };
      return { w: get(b).w + get(e).w + 1 };
    }
    default:
      // f(a, b): the call and its name, then the arguments.
      return { w: 2 + n.args.reduce((acc, a) => acc + get(a).w, 0) };
  }
}

/**
 * The weight of `e` printed as a tree: exactly the number of nodes of the parse tree of
 * `format(e)` (mathjs's count, the yardstick the benchmarks compare systems with; shared
 * subexpressions count at every use), as a float (it can exceed 2⁵³ for heavily shared
 * DAGs; only comparisons matter). Memoised per node for good.
 *
 * @example
 * ```ts
 * treeWeight(parse('2*x + y')); // 5: +, *, 2, x, y
 * treeWeight(parse('a - x*y')); // 5: the sign of −x·y is the binary minus
 * treeWeight(parse('sin(x)'));  // 3: the call, its name, x
 * ```
 */
export function treeWeight(e: ExprInput): number {
  return printed(toExpression(e, 'treeWeight')).w;
}

/**
 * The weight of the DAG: each distinct node once (the work and memory the expression
 * costs), over one or several roots.
 *
 * @example
 * ```ts
 * dagWeight(parse('sin(x)^2 + sin(x)')); // sin(x) counted once
 * ```
 */
export function dagWeight(roots: ExprInput | readonly ExprInput[]): number {
  const list = toExpressions(roots, 'dagWeight');
  // A number that only ever serves as a coefficient is already in its products' weight.
  const leafNumbers = new Set<Expr>(list.filter((r) => r.op === 'num'));
  let w = 0;
  for (const n of postorder(list)) {
    if (n.op !== 'num') w += ownWeight(n);
    n.args.forEach((a, i) => {
      if (a.op === 'num' && !countedByParent(n, i)) leafNumbers.add(a);
    });
  }
  return w + leafNumbers.size;
}

/**
 * Orders two candidate results: by tree weight (what the printed text shows), then by DAG
 * weight (what evaluation costs). Negative when `a` is smaller; ties compare equal.
 *
 * The tree comes first because `simplify` serves readers: the printer writes the tree, and
 * distinct-node counts hide the arity of n-ary nodes (the derivative of a 40-factor product
 * has 122 distinct nodes but prints as 7 800; its expansion prints as 233).
 *
 * @example
 * ```ts
 * compareCost(parse('x'), parse('x*y/y*2/2')) <= 0; // true
 * ```
 */
export function compareCost(a: ExprInput, b: ExprInput): number {
  if (a === b) return 0;
  a = toExpression(a, 'compareCost');
  b = toExpression(b, 'compareCost');
  const t = treeWeight(a) - treeWeight(b);
  if (t !== 0) return t;
  return dagWeight(a) - dagWeight(b);
}

/**
 * The printed weight of the product of `factors` (no coefficient) without building it:
 * what `treeWeight(mul(...factors))` gives when the factors stay as they are.
 */
export function productWeightOf(factors: readonly Expr[]): number {
  return productNodes(undefined, factors).w;
}

/**
 * The printed weight of `c·factors` (c a number, factors not numbers, with distinct bases)
 * times numerator factors known only by their weights (`extra`) and denominator factors
 * known only by their printed weights as denominators (`below`: x for 1/x, x^2 for
 * 1/x^2), without building the product: what `treeWeight` gives when the builder merges
 * nothing.
 */
export function scaledProductWeight(
  c: Rational,
  factors: readonly Expr[],
  extra: readonly number[] = [],
  below: readonly number[] = [],
): number {
  const entries: Printed[] = factors.map(printed);
  for (const w of extra) entries.push({ w });
  for (const recip of below) entries.push({ w: recip + 2, recip });
  return productOfEntries(c.num === 1n && c.den === 1n ? undefined : c, entries).w;
}

/**
 * The printed weight of Σ cᵢ·fᵢ (each fᵢ a list of factors, the lists distinct, zero
 * coefficients left out), without building the sum.
 */
export function linearCombinationWeight(
  terms: readonly { readonly coefficient: Rational; readonly factors: readonly Expr[] }[],
): number {
  const parts: Printed[] = [];
  for (const { coefficient: c, factors: rest } of terms) {
    if (c.num === 0n) continue;
    if (rest.length === 0) parts.push(numberNodes(c));
    else {
      parts.push(productNodes(c.num === 1n && c.den === 1n ? undefined : c, rest));
    }
  }
  if (parts.length === 0) return 1;
  if (parts.length === 1) return parts[0].w;
  let w = parts.length - 1;
  let negatives = 0;
  for (const p of parts) {
    if (p.abs !== undefined) negatives++;
    w += p.abs ?? p.w;
  }
  return negatives === parts.length ? w + 1 : w;
}

/** The printed weight of −u for a sum u, without building it. */
export function negatedSumWeight(u: Expr): number {
  let w = u.args.length - 1;
  let positives = 0;
  for (const t of u.args) {
    const p = printed(t);
    if (p.abs === undefined) positives++;
    w += p.abs ?? p.w;
  }
  return positives === u.args.length ? w + 1 : w;
}

/**
 * The printed weight of `c·(t₁/c + t₂/c + …)` for a number c dividing every term, without
 * building it: what taking the content out of a sum gives.
 */
export function contentOutWeight(terms: readonly Expr[], c: Rational): number {
  let w = terms.length - 1;
  let negatives = 0;
  for (const t of terms) {
    const lead = leadingCoefficient(t);
    const factors = t.op === 'num' ? [] : lead === undefined ? [t] : t.args.slice(1);
    const k = ratMul(t.op === 'num' ? t.value! : (lead ?? { num: 1n, den: 1n }), ratInv(c));
    const p = factors.length === 0 ? numberNodes(k) : productNodes(k, factors);
    if (p.abs !== undefined) negatives++;
    w += p.abs ?? p.w;
  }
  if (negatives === terms.length) w++;
  // c·(sum): the sum is one numerator factor.
  return productOfEntries(c, [{ w }]).w;
}
