/**
 * The order printers write terms and factors in, shared by `format` and `toLatex` so text
 * and LaTeX read alike. The canonical (internal) order stays what the builders make; this
 * is only how a calculus text would lay the same node out: a positive term first,
 * polynomial terms by descending degree with the constant last (`3*x^2 + 2*x + 1`,
 * `w*x + b`, `1 - tanh(x)^2`), a product's number first.
 */
import { compareNames } from './order.js';
import { ONE, type Rational } from './rational.js';
import type { ExprShape } from './shape.js';
import { isNegativeTerm, leadingCoefficient } from './terms.js';

/** A term's symbols with their numeric exponents, in natural name order, and their sum. */
interface Monomial {
  readonly degree: number;
  readonly powers: readonly (readonly [name: string, exponent: number])[];
}

const numericExponent = (e: ExprShape): number | undefined => {
  const v = e.value;
  return e.op === 'num' && v !== undefined ? Number(v.num) / Number(v.den) : undefined;
};

/** The highest degree of a sum's terms (one level deep: a printer never recurses). */
function sumDegree(sum: ExprShape): number {
  let d = 0;
  for (const t of sum.args) d = Math.max(d, ownMonomial(t, false).degree);
  return d;
}

/**
 * The monomial of a term: symbols and their powers count by exponent; a sum factor (or a
 * numeric power of one) counts by its highest term degree when `sums` is set; anything else
 * (functions, constants) is degree 0.
 */
function ownMonomial(term: ExprShape, sums: boolean): Monomial {
  const powers = new Map<string, number>();
  let degree = 0;
  const factors = term.op === 'mul' ? term.args : [term];
  for (const f of factors) {
    let base = f;
    let k: number | undefined = 1;
    if (f.op === 'pow') {
      base = f.args[0];
      // A symbolic exponent (x^n) reads like a power but has no number: count it as 1.
      k = numericExponent(f.args[1]) ?? 1;
    }
    if (base.op === 'sym') {
      powers.set(base.name!, (powers.get(base.name!) ?? 0) + k);
      degree += k;
    } else if (base.op === 'add' && sums) {
      degree += k * sumDegree(base);
    }
  }
  const sorted = [...powers].sort((a, b) => compareNames(a[0], b[0]));
  return { degree, powers: sorted };
}

/** Graded lexicographic order, highest first: total degree, then exponent by symbol name. */
function compareMonomials(a: Monomial, b: Monomial): number {
  if (a.degree !== b.degree) return b.degree - a.degree;
  const n = Math.min(a.powers.length, b.powers.length);
  for (let i = 0; i < n; i++) {
    const [na, ea] = a.powers[i];
    const [nb, eb] = b.powers[i];
    if (na !== nb) return compareNames(na, nb); // the earlier name has the higher power here
    if (ea !== eb) return eb - ea;
  }
  return b.powers.length - a.powers.length;
}

/**
 * The terms of a sum in print order: by descending degree in the symbols (graded
 * lexicographic, names in natural order: `x^2 + 2*x*y + y^2`), terms of equal rank in
 * canonical order, the number last; then the first positive term moves to the front
 * (`f(x) - y`, `1 - tanh(x)^2`), so a sum starts with a minus sign only when every term is
 * negative.
 *
 * @example
 * ```ts
 * printedTerms(parse('2*x + 3*x^2 + 1')).map(String); // ['3*x^2', '2*x', '1']
 * printedTerms(parse('-y + f(x)')).map(String);       // ['f(x)', '-y']
 * ```
 */
export function printedTerms<T extends ExprShape>(sum: T): T[] {
  const args = sum.args as readonly T[];
  const constant = args.filter((t) => t.op === 'num');
  const ranked = args
    .filter((t) => t.op !== 'num')
    .map((t, i) => ({ t, i, m: ownMonomial(t, true) }))
    .sort((a, b) => compareMonomials(a.m, b.m) || a.i - b.i)
    .map((r) => r.t);
  const terms = [...ranked, ...constant];
  const firstPositive = terms.findIndex((t) => !isNegativeTerm(t));
  if (firstPositive > 0) terms.unshift(...terms.splice(firstPositive, 1));
  return terms;
}

/**
 * A product as printers write it: its coefficient (1 when there is none) and the other
 * factors, in canonical order (numbers' place is first, then constants, symbols and their
 * powers by name, functions, sums).
 *
 * @example
 * ```ts
 * printedFactors(parse('-2*x*sin(x)')); // { coefficient: -2, factors: [x, sin(x)] }
 * ```
 */
export function printedFactors<T extends ExprShape>(
  product: T,
): { readonly coefficient: Rational; readonly factors: readonly T[] } {
  const c = leadingCoefficient(product);
  const args = product.args as readonly T[];
  return c === undefined
    ? { coefficient: ONE, factors: args }
    : { coefficient: c, factors: args.slice(1) };
}
