/**
 * The canonical total order on expressions, used to sort the terms of sums and the factors
 * of products. It depends only on structure (never on node ids or construction order), so
 * canonical forms are deterministic. Iterative: comparing deep expressions cannot overflow.
 */
// Nodes are read through ExprShape, not the class, so the printers (which order terms) need
// not import node.ts, which prints through them.

import { ONE, type Rational, ratCompare } from './rational.js';
import type { ExprShape as Expr } from './shape.js';

// Kind ranks: numbers sort first (coefficients lead products), then constants, symbols,
// function applications, sums and products. Powers and numeric multiples are compared by
// their base, so x, 2x and x^2 sit together (x < x^2 < y).
const FUNCTION_RANK = 3;
const RANK: Record<string, number> = { num: 0, const: 1, sym: 2, add: 4, mul: 5, pow: 6 };
const rank = (e: Expr): number => RANK[e.op] ?? FUNCTION_RANK;

// Tokenised names (text and digit runs) for natural comparison; bounded, cleared when full.
const tokenCache = new Map<string, readonly string[]>();
const TOKEN_CACHE_LIMIT = 1 << 14;

function tokens(name: string): readonly string[] {
  let t = tokenCache.get(name);
  if (t === undefined) {
    if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
    t = name.match(/(\d+)|(\D+)/g) ?? [];
    tokenCache.set(name, t);
  }
  return t;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Compares names naturally: `x2 < x10`. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const pa = tokens(a);
  const pb = tokens(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (isDigit(x.charCodeAt(0)) && isDigit(y.charCodeAt(0))) {
      // Digit runs compare by value (longer without leading zeros is larger), then by length.
      const vx = x.replace(/^0+(?=\d)/, '');
      const vy = y.replace(/^0+(?=\d)/, '');
      if (vx.length !== vy.length) return vx.length - vy.length;
      if (vx !== vy) return vx < vy ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : 1);
}

// A pending comparison. `pair` compares two expressions by their decomposition
// (core, coefficient, exponent); `core` compares two cores structurally; `exp` compares
// exponents, where `undefined` stands for the implicit exponent 1.
type Task =
  | { readonly kind: 'pair'; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'core'; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'exp'; readonly a: Expr | undefined; readonly b: Expr | undefined }
  | { readonly kind: 'rats'; readonly a: Rational; readonly b: Rational }
  | { readonly kind: 'len'; readonly d: number };

/**
 * Every expression is uniquely `(coeff·core)^exp`, with `coeff` 1 and `exp` 1 when absent.
 * Ordering by (core, coeff, exp) keeps x, 2x and x^2 next to each other and is a total
 * order because the decomposition is a function and cores compare structurally.
 */
function decompose(e: Expr): [core: Expr, coeff: Rational, exp: Expr | undefined] {
  let base = e;
  let exp: Expr | undefined;
  if (e.op === 'pow') {
    base = e.args[0];
    exp = e.args[1];
  }
  if (base.op === 'mul' && base.args.length === 2 && base.args[0].op === 'num') {
    return [base.args[1], base.args[0].value!, exp];
  }
  return [base, ONE, exp];
}

function compareExps(a: Expr | undefined, b: Expr | undefined): number | Task {
  if (a === b) return 0;
  if (a === undefined) return -compareToOne(b!);
  if (b === undefined) return compareToOne(a);
  return { kind: 'pair', a, b };
}

function compareToOne(a: Expr): number {
  // Numbers sort before everything else, so a non-number exponent is above 1.
  return a.op === 'num' ? ratCompare(a.value!, ONE) || 1 : 1;
}

/**
 * Total order on expressions: negative when `a` sorts before `b`, 0 only when `a === b`.
 */
export function compareExprs(a: Expr, b: Expr): number {
  const stack: Task[] = [{ kind: 'pair', a, b }];
  while (stack.length > 0) {
    const t = stack.pop()!;
    switch (t.kind) {
      case 'len':
        if (t.d !== 0) return t.d;
        continue;
      case 'rats': {
        const c = ratCompare(t.a, t.b);
        if (c !== 0) return c;
        continue;
      }
      case 'exp': {
        const c = compareExps(t.a, t.b);
        if (typeof c === 'number') {
          if (c !== 0) return c;
        } else stack.push(c);
        continue;
      }
      case 'pair': {
        if (t.a === t.b) continue;
        const [cx, kx, ex] = decompose(t.a);
        const [cy, ky, ey] = decompose(t.b);
        stack.push(
          { kind: 'exp', a: ex, b: ey },
          { kind: 'rats', a: kx, b: ky },
          { kind: 'core', a: cx, b: cy },
        );
        continue;
      }
      case 'core': {
        const { a: x, b: y } = t;
        if (x === y) continue;
        const rx = rank(x);
        const ry = rank(y);
        if (rx !== ry) return rx - ry;
        if (x.op === 'num') {
          const c = ratCompare(x.value!, y.value!);
          if (c !== 0) return c;
          continue;
        }
        if (x.op === 'const' || x.op === 'sym') {
          const c = compareNames(x.name!, y.name!);
          if (c !== 0) return c;
          continue;
        }
        if (rx === FUNCTION_RANK) {
          // Function applications: by name, then derivative indices, then arguments.
          const c = compareNames(x.name ?? x.op, y.name ?? y.op);
          if (c !== 0) return c;
          const px = x.partials ?? [];
          const py = y.partials ?? [];
          if (px.length !== py.length) return px.length - py.length;
          for (let i = 0; i < px.length; i++) if (px[i] !== py[i]) return px[i] - py[i];
        }
        // Structural height first keeps comparisons of deep, similar chains O(1).
        if (x.height !== y.height) return x.height - y.height;
        // Lexicographic on arguments; a proper prefix sorts first.
        stack.push({ kind: 'len', d: x.args.length - y.args.length });
        const n = Math.min(x.args.length, y.args.length);
        for (let i = n - 1; i >= 0; i--) stack.push({ kind: 'pair', a: x.args[i], b: y.args[i] });
        continue;
      }
    }
  }
  return 0;
}
