/**
 * Conventional infix text with the fewest parentheses that still read back to the same node:
 * `parse(format(e)) === e` for every expression. Iterative over the DAG (each distinct node
 * is printed once, then reused at every use), so 10⁵-deep or 10⁵-term expressions are fine.
 */

import { postorder } from './dag.js';
import { printedFactors, printedTerms } from './layout.js';
import { isPlainSymbolName, PRECEDENCE } from './ops.js';
import { printChecked } from './printing.js';
import type { Rational } from './rational.js';
import type { ExprShape } from './shape.js';
import { isNegativeTerm } from './terms.js';

const ADD = PRECEDENCE.add;
const MUL = PRECEDENCE.mul;
const NEG = PRECEDENCE.unary;
const POW = PRECEDENCE.pow;
const ATOM = PRECEDENCE.atom;

/** Text and the binding power of its outermost operator (`ATOM` for self-delimited text). */
interface Printed {
  readonly text: string;
  readonly prec: number;
}

/** What the printer remembers about one node. */
interface Entry extends Printed {
  /** Negative numbers and products with a negative coefficient: the text of `−e`. */
  readonly abs?: Printed;
  /** Powers with a negative exponent: the text of `1/e` (the positive power), at ≥ POW. */
  readonly recip?: string;
}

/**
 * Conventional infix text of `expr`, the syntax `parse` reads: `x - 2*y`, `x/(y*z)`,
 * `2*x/3`, `sqrt(x)`, `1/x^2`, `x^y^z`, `(-2)^x`, `-x^2`, `atan2(y, x)`, `f'(x)`,
 * `f'[1,2](x, y)`, `` `odd name` ``. Sums lead with a positive term and list terms by
 * descending degree, the constant last (`3*x^2 + 2*x + 1`, `w*x + b`, `1 - y`).
 *
 * @example
 * ```ts
 * const x = sym('x'), y = sym('y');
 * format(sub(x, div(y, 2)));                   // 'x - y/2'
 * format(mul(num(2n, 3n), x, pow(y, -2)));     // '2*x/(3*y^2)'
 * format(derivativeCall('f', [x, y], [0, 1])); // "f'[1,2](x, y)"
 * String(sqrt(x));                             // 'sqrt(x)': toString is format
 * ```
 */
export function format(expr: ExprShape): string {
  return printChecked(expr, 'format', (e) => {
    const memo = new Map<ExprShape, Entry>();
    for (const node of postorder(e)) memo.set(node, printNode(node, memo));
    return memo.get(e)!.text;
  });
}

/**
 * A symbol or function name as `format` writes it: bare when it is a plain identifier that
 * reads back as itself, else in backquotes with `` ` `` and `\` escaped by a backslash.
 *
 * @example
 * ```ts
 * formatName('w1');      // 'w1'
 * formatName('pi');      // '`pi`' (bare pi is the constant)
 * formatName('a`b c');   // '`a\\`b c`'
 * ```
 */
export function formatName(name: string): string {
  return isPlainSymbolName(name) ? name : `\`${name.replace(/[`\\]/g, '\\$&')}\``;
}

const wrap = (p: Printed, min: number): string => (p.prec >= min ? p.text : `(${p.text})`);

function printNode(e: ExprShape, memo: Map<ExprShape, Entry>): Entry {
  const get = (a: ExprShape): Entry => memo.get(a)!;
  switch (e.op) {
    case 'num':
      return printNumber(e.value!);
    case 'const':
      return { text: e.name!, prec: ATOM };
    case 'sym':
      return { text: formatName(e.name!), prec: ATOM };
    case 'add':
      return printSum(e, get);
    case 'mul': {
      const { coefficient: coeff, factors } = printedFactors(e);
      const negative = coeff.num < 0n;
      const printed = printProduct(coeff, negative, factors, get);
      return negative ? { ...printed, abs: printProduct(coeff, false, factors, get) } : printed;
    }
    case 'pow':
      return printPower(e.args[0], e.args[1], get);
    case 'call': {
      // f'(x), f''(x) for one argument; f'[1,2](x, y) (1-based argument numbers) for several.
      const ps = e.partials!;
      let head = formatName(e.name!);
      if (ps.length > 0 && e.args.length === 1) head += "'".repeat(ps.length);
      else if (ps.length > 0) head += `'[${ps.map((i) => i + 1).join(',')}]`;
      return { text: `${head}(${argumentsText(e, get)})`, prec: ATOM };
    }
    default:
      return { text: `${e.op}(${argumentsText(e, get)})`, prec: ATOM };
  }
}

const argumentsText = (e: ExprShape, get: (a: ExprShape) => Entry): string =>
  joinTexts(
    e.args.map((a) => get(a).text),
    ', ',
  );

function printNumber(r: Rational): Entry {
  const magnitude = r.num < 0n ? -r.num : r.num;
  const abs: Printed =
    r.den === 1n
      ? { text: `${magnitude}`, prec: ATOM }
      : { text: `${magnitude}/${r.den}`, prec: MUL };
  if (r.num >= 0n) return abs;
  return { text: `-${abs.text}`, prec: NEG, abs };
}

function printSum(e: ExprShape, get: (a: ExprShape) => Entry): Entry {
  // The order of a calculus text (layout.ts): `3*x^2 + 2*x + 1`, `f(x) - y`, `1 - t^2`.
  const terms = printedTerms(e);
  let text = get(terms[0]).text;
  for (let i = 1; i < terms.length; i++) {
    const t = get(terms[i]);
    // `a - b` reads back as a + (−1)·b, which is exactly the negative term.
    text += t.abs !== undefined ? ` - ${t.abs.text}` : ` + ${t.text}`;
  }
  return { text, prec: ADD };
}

function printPower(base: ExprShape, exponent: ExprShape, get: (a: ExprShape) => Entry): Entry {
  const b = get(base);
  const x = get(exponent);
  // `0^(-2)` stays as written: `1/0^2` would read back as 1/0 = 0^(-1).
  const zeroBase = base.op === 'num' && base.value!.num === 0n && exponent.op === 'num';
  if (isNegativeTerm(exponent) && !zeroBase) {
    const recip = positivePower(b, exponent, x.abs!);
    return { text: `1/${recip}`, prec: MUL, recip };
  }
  if (exponent.op === 'num' && exponent.value!.num === 1n && exponent.value!.den === 2n) {
    return { text: `sqrt(${b.text})`, prec: ATOM };
  }
  // Right-associative: an exponent that is itself a power needs no parentheses.
  return { text: `${wrap(b, ATOM)}^${wrap(x, POW)}`, prec: POW };
}

/** `b^k` for the positive exponent `k = −exponent`, as a denominator factor (at ≥ POW). */
function positivePower(b: Printed, exponent: ExprShape, k: Printed): string {
  if (exponent.op === 'num') {
    const v = exponent.value!;
    if (v.num === -1n && v.den === 1n) return wrap(b, POW);
    if (v.num === -1n && v.den === 2n) return `sqrt(${b.text})`;
  }
  return `${wrap(b, ATOM)}^${wrap(k, POW)}`;
}

/**
 * The text of `±|coeff|·factors`. Factors with negative exponents form the denominator; the
 * coefficient p/q puts p in the numerator and q in the denominator (`2*x/3`, `x/(3*y)`).
 * Read back, `-a*b/c` is one product of (−1·a), b and c⁻¹, which the builders flatten.
 */
function printProduct(
  coeff: Rational,
  negative: boolean,
  factors: readonly ExprShape[],
  get: (a: ExprShape) => Entry,
): Printed {
  const numer: string[] = [];
  const denom: string[] = [];
  for (const f of factors) {
    const entry = get(f);
    if (entry.recip !== undefined) denom.push(entry.recip);
    else numer.push(wrap(entry, POW));
  }
  const p = coeff.num < 0n ? -coeff.num : coeff.num;
  const q = coeff.den;
  const sign = negative ? '-' : '';
  if (p !== 1n || numer.length === 0) numer.unshift(`${p}`);
  const top = joinTexts(numer, '*');
  if (q !== 1n) denom.unshift(`${q}`);
  // A lone factor (the −1 of `-x` dropped) keeps the factor's binding: `1/x^y`, not `1/x^(y)`.
  if (denom.length === 0) {
    return { text: sign + top, prec: negative ? NEG : numer.length > 1 ? MUL : POW };
  }
  const bottom = denom.length > 1 ? `(${joinTexts(denom, '*')})` : denom[0];
  return { text: `${sign}${top}/${bottom}`, prec: MUL };
}

/**
 * Joins with `+`, never `Array.prototype.join`: `join` copies each child's whole text, which
 * costs O(depth²) on deep expressions, while concatenation shares it (V8 builds ropes).
 */
function joinTexts(texts: readonly string[], separator: string): string {
  let out = texts[0];
  for (let i = 1; i < texts.length; i++) out += separator + texts[i];
  return out;
}
