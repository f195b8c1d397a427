/**
 * LaTeX of an expression for KaTeX: `\frac` quotients, `\sqrt`, `e^{u}`, `\sin`, subscripted
 * and Greek names. Invariant: the output renders without error for every expression, whatever
 * its names (odd names are escaped inside `\text{}` and cannot break out). Iterative like
 * `format`: each distinct node is rendered once.
 */

import { postorder } from './dag.js';
import { type ExprInput, toExpression } from './input.js';
import { printedFactors, printedTerms } from './layout.js';
import type { Expr } from './node.js';
import {
  CONSTANTS,
  type ConstantName,
  FUNCTIONS,
  type FunctionName,
  functionInfo,
  IDENTIFIER,
  isFunctionName,
  PRECEDENCE,
} from './ops.js';
import { printChecked } from './printing.js';
import type { Rational } from './rational.js';
import { isNegativeTerm } from './terms.js';

const ADD = PRECEDENCE.add;
const MUL = PRECEDENCE.mul;
const NEG = PRECEDENCE.unary;
const POW = PRECEDENCE.pow;
const ATOM = PRECEDENCE.atom;

/** LaTeX, the binding power of its outermost operator, and whether it starts with a digit. */
interface Tex {
  readonly tex: string;
  readonly prec: number;
  /** Starts with a digit: juxtaposing it after a factor needs `\cdot` (`2 \cdot 3^{x}`). */
  readonly digit: boolean;
}

interface Entry extends Tex {
  /** Negative numbers and products with a negative coefficient: the LaTeX of `−e`. */
  readonly abs?: Tex;
  /** Powers with a negative exponent: the LaTeX of `1/e` (the positive power). */
  readonly recip?: Tex;
}

/** `exp(u)` prints as `e^{u}` while u's LaTeX is at most this long, else `\exp\left(u\right)`. */
const MAX_EXPONENT_LENGTH = 30;

/** Functions whose integer powers are written on the name: `\sin^{2}\left(x\right)`. */

/**
 * KaTeX-compatible LaTeX of `expr`: `\frac{x}{2}`, `\sqrt{x}`, `\sqrt[3]{x}` (cbrt),
 * `x^{2}`, `e^{u}`, `\sin\left(x\right)`, `\operatorname{sigmoid}\left(x\right)`, `2 \cdot 3^{x}`.
 * Symbols: `w1` → `w_{1}`, `x_10` → `x_{10}`, `theta` and `θ` → `\theta`, `loss` →
 * `\mathrm{loss}`; other names go into `\text{}`, escaped. Unknown functions: `f\left(x\right)`,
 * `\operatorname{loss}\left(x\right)`, `f'\left(u\right)`, `f_{1}''\left(u\right)`,
 * `f^{(4)}\left(u\right)`, and partial derivatives `\partial_{1}^{2} \partial_{2} f\left(x, y\right)`.
 *
 * @example
 * ```ts
 * toLatex(parse('sqrt(x)/(2*w1)'));   // '\\frac{\\sqrt{x}}{2 w_{1}}'
 * toLatex(parse('exp(-theta^2)'));    // 'e^{-\\theta^{2}}'
 * ```
 */
export function toLatex(expr: ExprInput): string {
  const e = typeof expr === 'string' ? toExpression(expr, 'toLatex') : expr;
  return printChecked(e, 'toLatex', () => {
    const memo = new Map<Expr, Entry>();
    for (const node of postorder(e)) memo.set(node, texNode(node, memo));
    return memo.get(e)!.tex;
  });
}

const atom = (tex: string): Entry => ({ tex, prec: ATOM, digit: false });
const paren = (tex: string): string => `\\left(${tex}\\right)`;
/** `t` as a factor or base: parenthesised unless it binds at least as tight as `min`. */
const wrap = (t: Tex, min: number): Tex =>
  t.prec >= min ? t : { tex: paren(t.tex), prec: ATOM, digit: false };

function texNode(e: Expr, memo: Map<Expr, Entry>): Entry {
  const get = (a: Expr): Entry => memo.get(a)!;
  switch (e.op) {
    case 'num':
      return texNumber(e.value!);
    case 'const':
      return atom(CONSTANTS[e.name as ConstantName].latex);
    case 'sym':
      return atom(nameTex(e.name!, false));
    case 'add':
      return texSum(e, get);
    case 'mul': {
      const { coefficient: coeff, factors } = printedFactors(e);
      const negative = coeff.num < 0n;
      const t = texProduct(coeff, negative, factors, get);
      return negative ? { ...t, abs: texProduct(coeff, false, factors, get) } : t;
    }
    case 'pow':
      return texPower(e.args[0], e.args[1], get);
    case 'call':
      return texCall(e, get);
    default:
      return texFunction(e.op as FunctionName, e.args.map(get));
  }
}

function texNumber(r: Rational): Entry {
  const magnitude = r.num < 0n ? -r.num : r.num;
  const abs: Tex =
    r.den === 1n
      ? { tex: `${magnitude}`, prec: ATOM, digit: true }
      : { tex: `\\frac{${magnitude}}{${r.den}}`, prec: MUL, digit: false };
  if (r.num >= 0n) return abs;
  return { tex: `-${abs.tex}`, prec: NEG, digit: false, abs };
}

function texSum(e: Expr, get: (a: Expr) => Entry): Entry {
  // The same order as `format` (layout.ts): `1 - \tanh^{2}…`, `f\left(x\right) - y`.
  const terms = printedTerms(e);
  const first = get(terms[0]);
  let tex = first.tex;
  for (let i = 1; i < terms.length; i++) {
    const t = get(terms[i]);
    tex += t.abs !== undefined ? ` - ${t.abs.tex}` : ` + ${t.tex}`;
  }
  return { tex, prec: ADD, digit: first.digit };
}

const isRational = (e: Expr, num: bigint, den: bigint): boolean =>
  e.op === 'num' && e.value!.num === num && e.value!.den === den;

function texPower(base: Expr, exponent: Expr, get: (a: Expr) => Entry): Entry {
  const b = get(base);
  const x = get(exponent);
  const zeroBase = base.op === 'num' && base.value!.num === 0n && exponent.op === 'num';
  if (isNegativeTerm(exponent) && !zeroBase) {
    // 1/sin²(x) as a text writes it: the power on the name in the denominator too.
    const onName = powerOnName(base, exponent, true, get);
    const recip = onName ?? positivePower(b, exponent, x.abs!);
    return { tex: `\\frac{1}{${recip.tex}}`, prec: MUL, digit: false, recip };
  }
  if (isRational(exponent, 1n, 2n)) return atom(`\\sqrt{${b.tex}}`);
  const onName = powerOnName(base, exponent, false, get);
  if (onName !== undefined) return onName;
  const bb = wrap(b, ATOM);
  return { tex: `${bb.tex}^{${x.tex}}`, prec: POW, digit: bb.digit };
}

/**
 * `\\sin^{k}\\left(u\\right)` for an integer power k > 1 of a function whose powers print on
 * its name (k = −exponent for a denominator), else undefined.
 */
function powerOnName(
  base: Expr,
  exponent: Expr,
  negated: boolean,
  get: (a: Expr) => Entry,
): Entry | undefined {
  if (!isFunctionName(base.op) || functionInfo(base.op).powerOnName !== true) return undefined;
  if (exponent.op !== 'num' || exponent.value!.den !== 1n) return undefined;
  const k = negated ? -exponent.value!.num : exponent.value!.num;
  if (k <= 0n || (negated && k === 1n)) return undefined;
  const name = functionInfo(base.op).latex;
  return { tex: `${name}^{${k}}${paren(get(base.args[0]).tex)}`, prec: POW, digit: false };
}

/** `base^k` for the positive exponent `k = −exponent`, as a denominator factor. */
function positivePower(b: Tex, exponent: Expr, k: Tex): Tex {
  if (isRational(exponent, -1n, 1n)) return b;
  if (isRational(exponent, -1n, 2n)) return atom(`\\sqrt{${b.tex}}`);
  const bb = wrap(b, ATOM);
  return { tex: `${bb.tex}^{${k.tex}}`, prec: POW, digit: bb.digit };
}

/**
 * `±|coeff|·factors` as juxtaposed factors (`2 x y`, `\cdot` before a factor starting with a
 * digit), or `\frac{p·numerator}{q·denominator}` when there is a denominator.
 */
function texProduct(
  coeff: Rational,
  negative: boolean,
  factors: readonly Expr[],
  get: (a: Expr) => Entry,
): Entry {
  const numer: Tex[] = [];
  const denom: Tex[] = [];
  for (const f of factors) {
    const entry = get(f);
    if (entry.recip !== undefined) denom.push(entry.recip);
    else numer.push(entry);
  }
  const p = coeff.num < 0n ? -coeff.num : coeff.num;
  const q = coeff.den;
  const sign = negative ? '-' : '';
  if (denom.length === 0 && q === 1n) {
    const body = juxtapose(p, numer);
    return { tex: sign + body.tex, prec: negative ? NEG : MUL, digit: !negative && body.digit };
  }
  const top = numer.length === 1 && p === 1n ? numer[0].tex : juxtapose(p, numer).tex;
  const bottom = denom.length === 1 && q === 1n ? denom[0].tex : juxtapose(q, denom).tex;
  return { tex: `${sign}\\frac{${top}}{${bottom}}`, prec: negative ? NEG : MUL, digit: false };
}

/** `k` (omitted when 1 and there are factors) then the factors, sums parenthesised. */
function juxtapose(k: bigint, factors: readonly Tex[]): Tex {
  const parts: Tex[] =
    k === 1n && factors.length > 0 ? [] : [{ tex: `${k}`, prec: ATOM, digit: true }];
  for (const f of factors) parts.push(wrap(f, POW));
  let tex = parts[0].tex;
  for (let i = 1; i < parts.length; i++) tex += (parts[i].digit ? ' \\cdot ' : ' ') + parts[i].tex;
  return { tex, prec: parts.length > 1 ? MUL : parts[0].prec, digit: parts[0].digit };
}

/** Joins with `+` (V8 ropes), never `Array.prototype.join`, which copies deep subtrees. */
function joinTex(parts: readonly Tex[], separator: string): string {
  let out = parts[0].tex;
  for (let i = 1; i < parts.length; i++) out += separator + parts[i].tex;
  return out;
}

function texFunction(name: FunctionName, args: readonly Tex[]): Entry {
  const [u] = args;
  switch (name) {
    case 'exp':
      return u.tex.length <= MAX_EXPONENT_LENGTH
        ? { tex: `e^{${u.tex}}`, prec: POW, digit: false }
        : atom(`\\exp${paren(u.tex)}`);
    case 'cbrt':
      return atom(`\\sqrt[3]{${u.tex}}`);
    case 'abs':
      return atom(`\\left|${u.tex}\\right|`);
    default:
      return atom(`${FUNCTIONS[name].latex}${paren(joinTex(args, ', '))}`);
  }
}

function texCall(e: Expr, get: (a: Expr) => Entry): Entry {
  const args = paren(joinTex(e.args.map(get), ', '));
  const name = nameTex(e.name!, true);
  const ps = e.partials!;
  if (ps.length === 0) return atom(name + args);
  if (e.args.length === 1) {
    const marks = ps.length <= 3 ? "'".repeat(ps.length) : `^{(${ps.length})}`;
    return atom(name + marks + args);
  }
  // ∂ᵢ per argument number, repeated ones as powers: ∂₁² ∂₂ f(x, y).
  let ops = '';
  for (let i = 0; i < ps.length; ) {
    let j = i;
    while (j < ps.length && ps[j] === ps[i]) j++;
    ops += `\\partial_{${ps[i] + 1}}${j - i > 1 ? `^{${j - i}}` : ''} `;
    i = j;
  }
  // Below ATOM so that a power of it is parenthesised: (∂₁f(x, y))².
  return { tex: ops + name + args, prec: POW, digit: false };
}

// ---------------------------------------------------------------------------------------
// Names

const GREEK_NAMES: ReadonlySet<string> = new Set(
  (
    'alpha beta gamma digamma delta epsilon varepsilon zeta eta theta vartheta iota kappa ' +
    'varkappa lambda mu nu xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi ' +
    'varphi chi psi omega Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu ' +
    'Nu Xi Omicron Pi Rho Sigma Tau Upsilon Phi Chi Psi Omega'
  ).split(' '),
);

/** Greek letters by code point → their command (the lunate ϵ is `\epsilon`, ε `\varepsilon`). */
const GREEK_LETTERS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    α: 'alpha',
    β: 'beta',
    γ: 'gamma',
    δ: 'delta',
    ε: 'varepsilon',
    ζ: 'zeta',
    η: 'eta',
    θ: 'theta',
    ι: 'iota',
    κ: 'kappa',
    λ: 'lambda',
    μ: 'mu',
    ν: 'nu',
    ξ: 'xi',
    ο: 'omicron',
    π: 'pi',
    ρ: 'rho',
    ς: 'varsigma',
    σ: 'sigma',
    τ: 'tau',
    υ: 'upsilon',
    φ: 'varphi',
    χ: 'chi',
    ψ: 'psi',
    ω: 'omega',
    ϑ: 'vartheta',
    ϕ: 'phi',
    ϖ: 'varpi',
    ϱ: 'varrho',
    ϵ: 'epsilon',
    ϰ: 'varkappa',
    ϝ: 'digamma',
    Α: 'Alpha',
    Β: 'Beta',
    Γ: 'Gamma',
    Δ: 'Delta',
    Ε: 'Epsilon',
    Ζ: 'Zeta',
    Η: 'Eta',
    Θ: 'Theta',
    Ι: 'Iota',
    Κ: 'Kappa',
    Λ: 'Lambda',
    Μ: 'Mu',
    Ν: 'Nu',
    Ξ: 'Xi',
    Ο: 'Omicron',
    Π: 'Pi',
    Ρ: 'Rho',
    Σ: 'Sigma',
    Τ: 'Tau',
    Υ: 'Upsilon',
    Φ: 'Phi',
    Χ: 'Chi',
    Ψ: 'Psi',
    Ω: 'Omega',
  }).map(([ch, name]) => [ch, `\\${name}`]),
);

/**
 * A symbol name in LaTeX (`operator`: a function name): `x`, `w_{1}` (`w1`), `x_{10}`
 * (`x_10`), `\theta_{i}` (`theta_i` or `θ_i`), `\mathrm{loss}` (`\operatorname{loss}` for a
 * function); names that are not identifiers go into `\text{}`, escaped.
 *
 * @example
 * ```ts
 * nameTex('w1', false);     // 'w_{1}'
 * nameTex('loss', true);    // '\\operatorname{loss}'
 * nameTex('a b', false);    // '\\text{a b}'
 * ```
 */
export function nameTex(name: string, operator: boolean): string {
  if (!IDENTIFIER.test(name)) return textTex(name);
  let base = name;
  let sub: string | undefined;
  const u = name.indexOf('_');
  if (u > 0 && u < name.length - 1) {
    base = name.slice(0, u);
    sub = name.slice(u + 1);
  } else if (u < 0) {
    const m = /^(\D+)(\d+)$/u.exec(name);
    if (m !== null) {
      base = m[1];
      sub = m[2];
    }
  }
  const head = wordTex(base, operator);
  return sub === undefined ? head : `${head}_{${wordTex(sub, false)}}`;
}

/** One identifier word (no subscript split): a letter, a Greek name, or an upright word. */
function wordTex(word: string, operator: boolean): string {
  if (/^\d+$/.test(word)) return word;
  if (/^[A-Za-z]$/.test(word)) return word;
  if (GREEK_NAMES.has(word)) return `\\${word}`;
  const greek = GREEK_LETTERS.get(word);
  if (greek !== undefined) return greek;
  const chars = Array.from(word);
  if (chars.every((c) => /^[A-Za-z0-9_]$/.test(c) || GREEK_LETTERS.has(c))) {
    // A space ends a command name (`\theta x`, not `\thetax`); math mode ignores it.
    const inner = chars.map((c) =>
      c === '_' ? '\\_' : GREEK_LETTERS.has(c) ? `${GREEK_LETTERS.get(c)} ` : c,
    );
    const spaced = inner.join('').trimEnd();
    return operator ? `\\operatorname{${spaced}}` : `\\mathrm{${spaced}}`;
  }
  return textTex(word);
}

const TEXT_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\\', '\\textbackslash{}'],
  ['{', '\\{'],
  ['}', '\\}'],
  ['$', '\\$'],
  ['#', '\\#'],
  ['%', '\\%'],
  ['&', '\\&'],
  ['_', '\\_'],
  ['^', '\\textasciicircum{}'],
  ['~', '\\textasciitilde{}'],
]);

/** Printable ASCII that text mode shows as itself (no ligatures such as -- or ''). */
const TEXT_PLAIN = /^[A-Za-z0-9 .,;:!?()[\]/*+=@<>|]$/;

/**
 * Letters KaTeX maps to math-only commands (ℋ → `\mathscr{H}`) or does not know: the
 * Letterlike Symbols and Mathematical Alphanumeric Symbols blocks. They go through `\char`.
 */
const isMathLetter = (cp: number): boolean =>
  (cp >= 0x2100 && cp <= 0x214f) || (cp >= 0x1d400 && cp <= 0x1d7ff);

/**
 * What KaTeX 0.19 rejects even through `\char`: lone surrogates (not characters at all; one
 * of them starts a math alphanumeric) and U+1D6A4 (𝚤). They print as U+FFFD (�).
 */
const isUnprintable = (cp: number): boolean => (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x1d6a4;

/**
 * Any string as KaTeX text that cannot break out of its group: specials escaped, Greek
 * letters as math, other letters as themselves, and every other code point (controls,
 * quotes, dashes, combining marks, lone surrogates, emoji) as `{\char"hex}`.
 *
 * @example
 * ```ts
 * textTex('}\\x{');   // '\\text{\\}\\textbackslash{}x\\{}'
 * textTex("it's");   // '\\text{it{\\char"27}s}'
 * ```
 */
export function textTex(s: string): string {
  let out = '';
  for (const c of s) {
    const escaped = TEXT_ESCAPES.get(c);
    const greek = GREEK_LETTERS.get(c);
    if (TEXT_PLAIN.test(c)) out += c;
    else if (escaped !== undefined) out += escaped;
    else if (greek !== undefined) out += `$${greek}$`;
    else {
      const cp = c.codePointAt(0)!;
      if (cp > 0x7f && !isMathLetter(cp) && /^\p{L}$/u.test(c)) out += c;
      else out += `{\\char"${(isUnprintable(cp) ? 0xfffd : cp).toString(16).toUpperCase()}}`;
    }
  }
  return `\\text{${out}}`;
}
