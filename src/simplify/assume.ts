/**
 * Assumptions about symbols and the sign analysis that guarded rules consult. Every symbol
 * is real (Leibniz evaluates in float64 reals); `positive`/`nonnegative` narrow that. The
 * analysis is sound but incomplete: "unknown" never licenses a rewrite. Beside the signs it
 * tracks definedness (no NaN for any real values of the symbols), so a rule that drops its
 * argument (`sign(u) → 1`) can require it: a result is never defined where the input is not.
 */
import {
  describe,
  Expr,
  type ExprInput,
  functionInfo,
  InvalidArgumentError,
  isFunctionName,
  isNegativeTerm,
  memoPostorder,
  optionsOf,
  type SignRule,
  type SignText,
  toExpression,
} from '../expr/index.js';

/**
 * What the caller knows about symbols, by name. Every symbol is real in any case.
 *
 * @example
 * ```ts
 * simplify(parse('exp(log(x))'), { assume: { positive: ['x'] } }); // x
 * ```
 */
export interface Assumptions {
  /** Symbols known to be > 0 (enables `exp(log x) → x`, `log(x·y) → log x + log y`, ...). */
  readonly positive?: readonly string[];
  /** Symbols known to be ≥ 0 (enables `(x^a)^b → x^(a·b)`, `abs(x) → x`, ...). */
  readonly nonnegative?: readonly string[];
}

/** Bit set of the signs a real expression can take. */
export type SignSet = number;
/** Can be negative. */
export const NEG: SignSet = 1;
/** Can be zero. */
export const ZERO: SignSet = 2;
/** Can be positive. */
export const POS: SignSet = 4;
/** Nothing known. */
export const ANY: SignSet = NEG | ZERO | POS;
/** Memo flag beside the sign bits: defined (not NaN) for all real values of the symbols. */
const DEFINED = 8;
const SIGN_BITS = ANY;

const SIGNS = [NEG, ZERO, POS] as const;
const signValue = (s: SignSet): number => (s === NEG ? -1 : s === ZERO ? 0 : 1);
const signOfValue = (v: number): SignSet => (v < 0 ? NEG : v === 0 ? ZERO : POS);

/** Combines two sign sets element-wise through `f` (on −1, 0, 1), returning every outcome. */
function combine(a: SignSet, b: SignSet, f: (x: number, y: number) => SignSet): SignSet {
  let out = 0;
  for (const sa of SIGNS) {
    if (!(a & sa)) continue;
    for (const sb of SIGNS) if (b & sb) out |= f(signValue(sa), signValue(sb));
  }
  return out;
}

const sumSign = (x: number, y: number): SignSet =>
  x === 0 ? signOfValue(y) : y === 0 || x === y ? signOfValue(x) : ANY;
const productSign = (x: number, y: number): SignSet => signOfValue(x * y);
const minSign = (x: number, y: number): SignSet => signOfValue(Math.min(x, y));
const maxSign = (x: number, y: number): SignSet => signOfValue(Math.max(x, y));

/** The sign set a `SignText` of the function table spells (`'0+'` is ZERO | POS). */
function signSetOf(text: SignText): SignSet {
  return (
    (text.includes('-') ? NEG : 0) |
    (text.includes('0') ? ZERO : 0) |
    (text.includes('+') ? POS : 0)
  );
}

/** The signs f(u) can take when u takes the signs `arg`, by the table's sign column. */
function functionSign(rule: SignRule, arg: SignSet): SignSet {
  if (typeof rule === 'string') return arg; // min/max: combined in `local`
  return (
    (arg & NEG ? signSetOf(rule.neg) : 0) |
    (arg & ZERO ? signSetOf(rule.zero) : 0) |
    (arg & POS ? signSetOf(rule.pos) : 0)
  );
}

/**
 * The sign analysis under a set of assumptions, memoised per node. Signs hold where the
 * expression is defined (NaN outside a function's domain is not a sign): a rule that keeps
 * its argument (`abs(u) → u` for u ≥ 0) may rely on them alone. Definedness is tracked too
 * (`isDefined`: never NaN on a region of real values; isolated poles such as 1/x at 0 do
 * not count), for rules that drop their argument (`sign(u) → 1`, `relu(u) → 0`).
 *
 * @example
 * ```ts
 * const signs = new SignOracle({ positive: ['x'] });
 * signs.isPositive(parse('x^2 + exp(y)')); // true
 * signs.isNonnegative(parse('sin(y)'));    // false (unknown)
 * signs.isDefined(parse('exp(sqrt(y))'));  // false (y < 0)
 * ```
 */
export class SignOracle {
  /** Sign bits, plus DEFINED when the node is defined everywhere. */
  private readonly memo = new Map<Expr, number>();
  private readonly positive: ReadonlySet<string>;
  private readonly nonnegative: ReadonlySet<string>;

  constructor(assume?: Assumptions) {
    assume = optionsOf(assume, 'SignOracle');
    for (const list of [assume.positive, assume.nonnegative]) {
      if (list !== undefined && !Array.isArray(list)) {
        throw new InvalidArgumentError(
          'assume.positive/nonnegative must be arrays of symbol names',
        );
      }
    }
    this.positive = new Set(assume.positive ?? []);
    this.nonnegative = new Set(assume.nonnegative ?? []);
  }

  /** The signs `e` can take. Iterative over the not-yet-analysed part of the DAG only. */
  signOf(e: ExprInput): SignSet {
    return this.#facts(e) & SIGN_BITS;
  }

  /** True when `e` is defined (not NaN) for all real values of its symbols. */
  isDefined(e: ExprInput): boolean {
    return (this.#facts(e) & DEFINED) !== 0;
  }

  #facts(e: ExprInput): number {
    return memoPostorder(toExpression(e, 'SignOracle'), this.memo, (n) => this.#local(n));
  }

  /** True when `e > 0` wherever it is defined. */
  isPositive(e: ExprInput): boolean {
    return this.signOf(e) === POS;
  }

  /** True when `e ≥ 0` wherever it is defined. */
  isNonnegative(e: ExprInput): boolean {
    return (this.signOf(e) & NEG) === 0;
  }

  /** True when `e ≤ 0` wherever it is defined. */
  isNonpositive(e: ExprInput): boolean {
    return (this.signOf(e) & POS) === 0;
  }

  /** True when `e < 0` wherever it is defined. */
  isNegative(e: ExprInput): boolean {
    return this.signOf(e) === NEG;
  }

  #local(n: Expr): number {
    const sign = this.#localSign(n);
    return this.#localDefined(n) ? sign | DEFINED : sign;
  }

  /** Defined everywhere, given the arguments' facts. */
  #localDefined(n: Expr): boolean {
    const fact = (a: Expr): number => this.memo.get(a)!;
    const argsDefined = n.args.every((a) => (fact(a) & DEFINED) !== 0);
    if (!argsDefined) return false;
    switch (n.op) {
      case 'num':
      case 'const':
      case 'sym':
      case 'add':
      case 'mul':
        return true;
      case 'pow': {
        const [base, e] = n.args;
        // Integer powers are defined for any base (poles are isolated); other powers of a
        // negative base are NaN (x^(1/2), x^y at x < 0).
        if (e.op === 'num' && e.value!.den === 1n) return true;
        return (fact(base) & NEG) === 0;
      }
      case 'call':
        return false; // an unknown function: nothing is known about its domain
      default: {
        if (!isFunctionName(n.op)) return false;
        const domain = functionInfo(n.op).domain;
        if (domain === undefined) return true;
        // Only the nonnegative domain (the log family) is provable from signs alone.
        return domain === 'nonnegative' && (fact(n.args[0]) & NEG) === 0;
      }
    }
  }

  #localSign(n: Expr): SignSet {
    const s = (i: number): SignSet => this.memo.get(n.args[i])! & SIGN_BITS;
    switch (n.op) {
      case 'num':
        return signOfValue(n.value!.num < 0n ? -1 : n.value!.num === 0n ? 0 : 1);
      case 'const':
        return POS;
      case 'sym':
        if (this.positive.has(n.name!)) return POS;
        if (this.nonnegative.has(n.name!)) return ZERO | POS;
        return ANY;
      case 'add':
      case 'mul': {
        const f = n.op === 'add' ? sumSign : productSign;
        let acc = s(0);
        for (let i = 1; i < n.args.length; i++) acc = combine(acc, s(i), f);
        return acc;
      }
      case 'pow':
        return powSign(s(0), n.args[1], s(1));
      case 'min':
        return combine(s(0), s(1), minSign);
      case 'max':
        return combine(s(0), s(1), maxSign);
      default: {
        if (!isFunctionName(n.op)) return ANY;
        const rule = functionInfo(n.op).sign;
        return rule === undefined ? ANY : functionSign(rule, s(0));
      }
    }
  }
}

function powSign(base: SignSet, exponent: Expr, expSign: SignSet): SignSet {
  if (exponent.op === 'num') {
    const v = exponent.value!;
    const zero = base & ZERO ? (v.num > 0n ? ZERO : POS) : 0;
    if (v.den === 1n) {
      // Even powers are nonnegative; odd powers keep the sign.
      if (v.num % 2n === 0n) return (base & (NEG | POS) ? POS : 0) | zero;
      return (base & (NEG | POS)) | zero;
    }
    // A fractional power is defined only for a nonnegative base.
    return (base & (NEG | POS) ? POS : 0) | zero;
  }
  if (base === POS) return POS;
  if (base === (ZERO | POS) && expSign === POS) return ZERO | POS;
  return ANY;
}

/**
 * Whether `u` "looks negative": a negative number, a product with a negative coefficient,
 * or a sum with more negative than positive terms. With `tieBreak`, a sum with as many of
 * each looks negative when its first non-numeric term does; then exactly one of `u` and `−u`
 * looks negative (u ≠ 0), so rules that rewrite f(u) to ±f(−u) terminate.
 *
 * @example
 * ```ts
 * looksNegative(parse('-x - y'), false); // true
 * looksNegative(parse('y - x'), true);   // true (−x is the first non-numeric term)
 * ```
 */
export function looksNegative(u: Expr, tieBreak: boolean): boolean {
  if (!(u instanceof Expr)) {
    throw new InvalidArgumentError(`looksNegative: expected an expression, got ${describe(u)}`);
  }
  if (u.op === 'num') return u.value!.num < 0n;
  if (u.op === 'mul') return isNegativeTerm(u);
  if (u.op !== 'add') return false;
  let balance = 0;
  let first: Expr | undefined;
  for (const t of u.args) {
    balance += isNegativeTerm(t) ? 1 : -1;
    if (first === undefined && t.op !== 'num') first = t;
  }
  if (balance !== 0) return balance > 0;
  return tieBreak && first !== undefined && isNegativeTerm(first);
}
