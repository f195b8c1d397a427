/**
 * The parser: text → canonical `Expr`, through the builders. Invariant: it never recurses
 * (an operator-precedence parser with explicit stacks that builds nodes as it reduces), runs
 * in linear time, and every failure is a `ParseError` at the offset of the offending token.
 */
import { addAll, call, constant, derivativeCall, mulAll, neg, num, pow, sym } from './build.js';
import { LeibnizError, ParseError } from './errors.js';
import type { Expr } from './node.js';
import { arityRange, type ConstantName, isConstantName, PRECEDENCE } from './ops.js';
import { type Rational, ratFromDecimal } from './rational.js';

/**
 * Parses the conventional infix syntax into a canonical expression. The result is the
 * interned node the builders make, so `parse('x + 1') === add(sym('x'), 1)`.
 *
 * Grammar, from loosest to tightest binding:
 * - `a + b`, `a - b` (left-associative; a chain becomes one n-ary sum);
 * - `a * b`, `a / b` and implicit multiplication (left-associative; one n-ary product);
 * - unary `-a` and `+a`, so `-x^2` is −(x²);
 * - `a ^ b` or `a ** b` (right-associative, `2^3^2` is 2⁹; the exponent may carry a sign:
 *   `x^-1`), and superscripts `x²`, `x⁻¹`, `x¹⁰` on the atom before them;
 * - atoms: numbers, names, `(…)`, calls `f(a, b)`.
 *
 * Numbers are exact: `0.1`, `.5`, `5.`, `1e-3`, `2.5E+10` are rationals. An `e`/`E` is an
 * exponent only when a digit (after an optional sign) follows it: `2e` is 2·e, `2ex` is
 * 2·ex. `·`, `×`, `⋅` mean `*`; `−` means `-`; `÷` means `/`. Hexadecimal, binary and
 * octal literals (`0x10`) and digit separators (`1_000`) are errors, not products.
 *
 * Names are identifiers (`x`, `w1`, `x_0`, `θ`) or any text in backquotes (`` `my var` ``,
 * with `` \` `` and `\\` escapes). A bare `pi` is π and a bare `e` is Euler's number; a
 * backquoted name is always a symbol (`` `e` `` is the symbol named e). A known function
 * (`sin`, `atan2`, `log` with 1 or 2 arguments) or alias (`sqrt`, `ln`) must be called; any
 * other name followed by `(` is an unknown function such as `f(x)`. Derivatives of unknown
 * functions read as the printer writes them: `f'(x)`, `f''(x)`, and for several arguments
 * `f'[1](x, y)` (∂f/∂x) or `f'[1,2](x, y)` with 1-based argument numbers.
 *
 * Implicit multiplication applies only between a number literal and what directly follows
 * it (whitespace allowed): `2x`, `3 sin(x)`, `2(x + 1)`, `2pi`. It binds like `*`, so
 * `2x^2` is 2·x², `1/2x` is x/2 and `x^2y` is x²·y. `x y`, `(a)(b)` and `x 2` are errors:
 * write `*`. (`a(b)` is a call of the unknown function `a`; `e(x)` is an error, since `e` is
 * the constant: write `` `e`(x) `` for a function named e.) `x²^3` is an error too (ambiguous).
 *
 * Nesting depth and length are limited only by memory: the parser keeps explicit stacks.
 *
 * @throws ParseError for any malformed input, with the 0-based `offset` (UTF-16 units) of
 * the offending token; never any other error type.
 *
 * @example
 * ```ts
 * const x = sym('x');
 * parse('2x^2 + sin(x)/3') === add(mul(2, pow(x, 2)), mul(num(1n, 3n), sin(x))); // true
 * parse('x² - 1e-3') === add(pow(x, 2), num(-1n, 1000n)); // true
 * parse("f'[2](x, y)") === derivativeCall('f', [x, sym('y')], [1]); // true: ∂f/∂y
 * parse('sin(x^)'); // throws ParseError: unexpected ')' at 7
 * ```
 */
export function parse(text: string): Expr {
  if (typeof text !== 'string') {
    throw new ParseError(`parse expects a string, got ${typeof text}`, '', 0);
  }
  const parser = new Parser(text);
  try {
    return parser.run();
  } catch (err) {
    throw toParseError(err, text, parser.here);
  }
}

/** Converts anything thrown while parsing into a `ParseError` at `offset`. */
function toParseError(err: unknown, text: string, offset: number): ParseError {
  if (err instanceof ParseError) return err;
  let reason: string;
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    reason = 'expression too large to build';
  } else if (err instanceof LeibnizError || err instanceof RangeError) {
    reason = err.message;
  } else {
    reason = `internal error: ${err instanceof Error ? err.message : String(err)}`;
  }
  return new ParseError(reason, text, offset);
}

// ---------------------------------------------------------------------------------------
// Tokens

type BinaryOp = '+' | '-' | '*' | '/' | '^';

interface NameToken {
  readonly kind: 'name';
  readonly at: number;
  readonly end: number;
  readonly name: string;
  readonly quoted: boolean;
  /** Number of primes after the name (`f''` → 2). */
  readonly primes: number;
  /** The 1-based argument numbers of `f'[1,2]`, with their offsets. */
  readonly indices: readonly { readonly value: number; readonly at: number }[] | undefined;
}

type Token =
  | { readonly kind: 'num'; readonly at: number; readonly end: number; readonly value: Rational }
  | NameToken
  | { readonly kind: 'op'; readonly at: number; readonly end: number; readonly op: BinaryOp }
  | { readonly kind: 'sup'; readonly at: number; readonly end: number; readonly value: bigint }
  | { readonly kind: '(' | ')' | ',' | 'end'; readonly at: number; readonly end: number };

const SINGLE_CHAR_OPS: ReadonlyMap<string, BinaryOp | '(' | ')' | ','> = new Map([
  ['+', '+'],
  ['-', '-'],
  ['\u2212', '-'], // − minus sign
  ['*', '*'],
  ['\u00b7', '*'], // · middle dot
  ['\u00d7', '*'], // × multiplication sign
  ['\u22c5', '*'], // ⋅ dot operator
  ['/', '/'],
  ['\u00f7', '/'], // ÷ division sign
  ['^', '^'],
  ['(', '('],
  [')', ')'],
  [',', ','],
]);

// Superscript characters: digits ⁰¹²³⁴⁵⁶⁷⁸⁹ and the signs ⁺ ⁻.
const SUPERSCRIPT_DIGITS: ReadonlyMap<string, string> = new Map([
  ['\u2070', '0'],
  ['\u00b9', '1'],
  ['\u00b2', '2'],
  ['\u00b3', '3'],
  ['\u2074', '4'],
  ['\u2075', '5'],
  ['\u2076', '6'],
  ['\u2077', '7'],
  ['\u2078', '8'],
  ['\u2079', '9'],
]);
const SUPERSCRIPT_PLUS = '\u207a';
const SUPERSCRIPT_MINUS = '\u207b';

// Sticky, single character class repeated: linear, no backtracking.
const IDENTIFIER_AT = /[\p{L}_][\p{L}\p{Nd}_]*/uy;
const UNICODE_SPACE = /\s/u;
// Controls, format characters, surrogates, combining marks and spaces print as U+XXXX.
const INVISIBLE = /^[\p{C}\p{M}\p{Z}]$/u;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

const isSpace = (c: number, ch: string): boolean =>
  c === 32 || (c >= 9 && c <= 13) || (c >= 0x80 && UNICODE_SPACE.test(ch));

/** A token's text for messages, quoted, shortened when long. */
function quote(s: string): string {
  const chars = Array.from(s);
  const short = chars.length > 24 ? `${chars.slice(0, 24).join('')}…` : s;
  return short.includes("'") ? `"${short}"` : `'${short}'`;
}

/** A character for messages: itself when printable, else its code point. */
function describeChar(cp: number): string {
  const ch = String.fromCodePoint(cp);
  return INVISIBLE.test(ch) ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : quote(ch);
}

/** Reads tokens on demand, so an earlier syntax error is reported before a later bad character. */
class Lexer {
  private pos = 0;

  constructor(private readonly text: string) {}

  private fail(reason: string, at: number): never {
    throw new ParseError(reason, this.text, at);
  }

  next(): Token {
    const { text } = this;
    let pos = this.pos;
    while (pos < text.length && isSpace(text.charCodeAt(pos), text[pos])) pos++;
    this.pos = pos;
    if (pos >= text.length) return { kind: 'end', at: text.length, end: text.length };
    const c = text.charCodeAt(pos);
    const ch = text[pos];
    if (isDigit(c) || (ch === '.' && isDigit(text.charCodeAt(pos + 1)))) return this.number();
    if (ch === '`') return this.primes(this.quotedName());
    if (ch === '*' && text[pos + 1] === '*') {
      this.pos = pos + 2;
      return { kind: 'op', at: pos, end: pos + 2, op: '^' };
    }
    const single = SINGLE_CHAR_OPS.get(ch);
    if (single !== undefined) {
      this.pos = pos + 1;
      if (single === '(' || single === ')' || single === ',') {
        return { kind: single, at: pos, end: pos + 1 };
      }
      return { kind: 'op', at: pos, end: pos + 1, op: single };
    }
    if (SUPERSCRIPT_DIGITS.has(ch) || ch === SUPERSCRIPT_MINUS || ch === SUPERSCRIPT_PLUS) {
      return this.superscript();
    }
    IDENTIFIER_AT.lastIndex = pos;
    const m = IDENTIFIER_AT.exec(text);
    if (m !== null) {
      this.pos = pos + m[0].length;
      return this.primes({ name: m[0], quoted: false, at: pos });
    }
    if (ch === '.') this.fail("bad number '.'", pos);
    return this.fail(`unexpected character ${describeChar(text.codePointAt(pos)!)}`, pos);
  }

  /** Digits, an optional fraction, and an exponent only when a digit follows `e`/`E` (and sign). */
  private number(): Token {
    const { text } = this;
    const at = this.pos;
    let pos = at;
    while (isDigit(text.charCodeAt(pos))) pos++;
    if (text[pos] === '.') {
      pos++;
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      let p = pos + 1;
      if (text[p] === '+' || text[p] === '-') p++;
      if (isDigit(text.charCodeAt(p))) {
        pos = p;
        while (isDigit(text.charCodeAt(pos))) pos++;
      }
    }
    if (text[pos] === '.') this.fail(`bad number ${quote(text.slice(at, pos + 1))}`, at);
    const literal = text.slice(at, pos);
    // `0x10` and `1_000` read as products (0·x10, 1·_000) would be silently wrong answers
    // for anyone who meant the numbers of other languages.
    const radix = literal === '0' ? /^[xXbBoO][0-9A-Za-z_]+/.exec(text.slice(pos)) : null;
    if (radix !== null) {
      this.fail(
        `hexadecimal, binary and octal numbers are not supported ${quote(`0${radix[0]}`)} (for a product write 0*${radix[0]})`,
        at,
      );
    }
    if (text[pos] === '_') {
      this.fail(`digit separators are not supported ${quote(text.slice(at, pos + 1))}`, at);
    }
    let value: Rational;
    try {
      value = ratFromDecimal(literal);
    } catch {
      return this.fail(`number out of range ${quote(literal)}`, at);
    }
    this.pos = pos;
    return { kind: 'num', at, end: pos, value };
  }

  /** `` `any text` `` with `` \` `` and `\\` escapes. */
  private quotedName(): { name: string; quoted: true; at: number } {
    const { text } = this;
    const at = this.pos;
    const parts: string[] = [];
    let from = at + 1;
    let pos = from;
    for (;;) {
      if (pos >= text.length) this.fail('unterminated backquote', at);
      const ch = text[pos];
      if (ch === '`') break;
      if (ch === '\\') {
        const esc = text[pos + 1];
        if (esc === undefined) this.fail('unterminated backquote', at);
        if (esc !== '`' && esc !== '\\') {
          this.fail(`invalid escape ${quote(`\\${esc}`)} in backquotes (use \\\` or \\\\)`, pos);
        }
        parts.push(text.slice(from, pos), esc);
        pos += 2;
        from = pos;
        continue;
      }
      pos++;
    }
    parts.push(text.slice(from, pos));
    this.pos = pos + 1;
    const name = parts.join('');
    if (name === '') this.fail('empty name in backquotes', at);
    return { name, quoted: true, at };
  }

  /** The primes after a name, and the argument list of `f'[1,2]`. */
  private primes(head: { name: string; quoted: boolean; at: number }): NameToken {
    const { text } = this;
    let pos = this.pos;
    let primes = 0;
    while (text[pos] === "'") {
      primes++;
      pos++;
    }
    let indices: { value: number; at: number }[] | undefined;
    if (primes > 0 && text[pos] === '[') {
      if (primes > 1) {
        this.fail(`an argument list takes one prime: write ${head.name}'[1,1](...)`, pos);
      }
      const open = pos;
      indices = [];
      pos++;
      for (;;) {
        while (pos < text.length && isSpace(text.charCodeAt(pos), text[pos])) pos++;
        const start = pos;
        while (isDigit(text.charCodeAt(pos))) pos++;
        if (pos === start) {
          if (pos >= text.length) this.fail("unclosed '['", open);
          this.fail('expected an argument number (1, 2, ...)', pos);
        }
        indices.push({ value: Number(text.slice(start, pos)), at: start });
        while (pos < text.length && isSpace(text.charCodeAt(pos), text[pos])) pos++;
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          break;
        }
        if (pos >= text.length) this.fail("unclosed '['", open);
        this.fail("expected ',' or ']'", pos);
      }
    }
    this.pos = pos;
    return { kind: 'name', end: pos, ...head, primes, indices };
  }

  /** A run of superscript digits with an optional leading sign: `²`, `⁻¹`, `¹⁰`. */
  private superscript(): Token {
    const { text } = this;
    const at = this.pos;
    let pos = at;
    let digits = '';
    if (text[pos] === SUPERSCRIPT_MINUS || text[pos] === SUPERSCRIPT_PLUS) {
      if (text[pos] === SUPERSCRIPT_MINUS) digits = '-';
      pos++;
    }
    const first = pos;
    for (let d = SUPERSCRIPT_DIGITS.get(text[pos]); d !== undefined; ) {
      digits += d;
      d = SUPERSCRIPT_DIGITS.get(text[++pos]);
    }
    if (pos === first) this.fail(`bad superscript ${quote(text.slice(at, pos + 1))}`, at);
    this.pos = pos;
    return { kind: 'sup', at, end: pos, value: BigInt(digits) };
  }
}

// ---------------------------------------------------------------------------------------
// The parser

const ADD_LEVEL = PRECEDENCE.add;
const MUL_LEVEL = PRECEDENCE.mul;
const UNARY_LEVEL = PRECEDENCE.unary;
const POW_LEVEL = PRECEDENCE.pow;

const LEVEL: Readonly<Record<BinaryOp, number>> = {
  '+': ADD_LEVEL,
  '-': ADD_LEVEL,
  '*': MUL_LEVEL,
  '/': MUL_LEVEL,
  '^': POW_LEVEL,
};

/** A pending operator: binary, or unary `neg`/`pos` (prefix). */
interface OpFrame {
  readonly kind: 'op';
  readonly op: BinaryOp | 'neg' | 'pos';
  readonly level: number;
  readonly at: number;
}
/** An open `(`: a group, or the argument list of a call. */
interface GroupFrame {
  readonly kind: 'group';
  readonly at: number;
  /** The called name, or undefined for a plain group. */
  readonly callee: NameToken | undefined;
  readonly args: Expr[];
}
type Frame = OpFrame | GroupFrame;

const MINUS_ONE = num(-1);

const isKnownName = (name: string): boolean => arityRange(name) !== undefined;

const plural = (n: number): string => (n === 1 ? '1 argument' : `${n} arguments`);

class Parser {
  /** Offset of the token being handled, for errors that carry no position of their own. */
  here = 0;
  private readonly lexer: Lexer;
  private readonly operands: Expr[] = [];
  private readonly frames: Frame[] = [];

  constructor(private readonly text: string) {
    this.lexer = new Lexer(text);
  }

  private fail(reason: string, at: number): never {
    throw new ParseError(reason, this.text, at);
  }

  /** Runs a builder, reporting anything it throws as a ParseError at `at`. */
  private build(at: number, make: () => Expr): Expr {
    try {
      return make();
    } catch (err) {
      throw toParseError(err, this.text, at);
    }
  }

  private describe(tok: Token): string {
    return tok.kind === 'end' ? 'end of input' : quote(this.text.slice(tok.at, tok.end));
  }

  run(): Expr {
    const { lexer, operands, frames } = this;
    let expectOperand = true;
    // Kind of the previous token, for implicit multiplication (after a number literal only)
    // and for `x²^3`, which is ambiguous.
    let prev: 'num' | 'sup' | 'other' = 'other';
    let pending: Token | undefined;
    let sawToken = false;
    for (;;) {
      const tok = pending ?? lexer.next();
      pending = undefined;
      this.here = tok.at;
      if (expectOperand) {
        switch (tok.kind) {
          case 'num':
            operands.push(num(tok.value));
            prev = 'num';
            expectOperand = false;
            break;
          case 'name': {
            const after = lexer.next();
            const bareConstant = !tok.quoted && isConstantName(tok.name);
            if (tok.primes > 0) {
              if (bareConstant) this.fail(`cannot use a prime on the constant ${tok.name}`, tok.at);
              if (isKnownName(tok.name)) {
                this.fail(`cannot use a prime on the known function ${tok.name}`, tok.at);
              }
              if (after.kind !== '(') {
                this.fail(`expected '(' after ${this.text.slice(tok.at, tok.end)}`, after.at);
              }
            }
            if (after.kind === '(' && !bareConstant) {
              frames.push({ kind: 'group', at: after.at, callee: tok, args: [] });
              break;
            }
            if (!tok.quoted && isKnownName(tok.name)) {
              this.fail(`expected '(' after ${tok.name}`, after.at);
            }
            operands.push(bareConstant ? constant(tok.name as ConstantName) : sym(tok.name));
            prev = 'other';
            expectOperand = false;
            pending = after;
            break;
          }
          case 'op':
            if (tok.op !== '+' && tok.op !== '-') {
              this.fail(`unexpected ${this.describe(tok)}`, tok.at);
            }
            frames.push({
              kind: 'op',
              op: tok.op === '-' ? 'neg' : 'pos',
              level: UNARY_LEVEL,
              at: tok.at,
            });
            break;
          case '(':
            frames.push({ kind: 'group', at: tok.at, callee: undefined, args: [] });
            break;
          case ')': {
            const top = frames[frames.length - 1];
            if (top?.kind === 'group' && top.callee !== undefined && top.args.length === 0) {
              this.fail(
                `empty argument list: ${top.callee.name} needs at least one argument`,
                tok.at,
              );
            }
            this.fail(`unexpected ${this.describe(tok)}`, tok.at);
            break;
          }
          case 'end':
            if (!sawToken) this.fail('empty input', 0);
            this.fail('unexpected end of input', tok.at);
            break;
          default:
            this.fail(`unexpected ${this.describe(tok)}`, tok.at);
        }
        sawToken = true;
        continue;
      }

      switch (tok.kind) {
        case 'op':
          if (tok.op === '^' && prev === 'sup') {
            this.fail("unexpected '^' after a superscript power: use parentheses", tok.at);
          }
          this.reduceAbove(LEVEL[tok.op]);
          frames.push({ kind: 'op', op: tok.op, level: LEVEL[tok.op], at: tok.at });
          expectOperand = true;
          prev = 'other';
          break;
        case 'sup': {
          if (prev === 'sup') this.fail(`unexpected ${this.describe(tok)}`, tok.at);
          const base = operands.pop()!;
          operands.push(this.build(tok.at, () => pow(base, num(tok.value))));
          prev = 'sup';
          break;
        }
        case ',': {
          this.reduceAbove(0);
          const top = frames[frames.length - 1];
          if (top?.kind !== 'group' || top.callee === undefined) {
            this.fail(`unexpected ${this.describe(tok)}`, tok.at);
          }
          top.args.push(operands.pop()!);
          expectOperand = true;
          prev = 'other';
          break;
        }
        case ')': {
          this.reduceAbove(0);
          const top = frames.pop();
          if (top === undefined) this.fail("unmatched ')'", tok.at);
          if (top.kind !== 'group') throw new Error('operator left above a group');
          if (top.callee !== undefined) {
            top.args.push(operands.pop()!);
            operands.push(this.finishCall(top.callee, top.args));
          }
          prev = 'other';
          break;
        }
        case 'end': {
          this.reduceAbove(0);
          const open = frames[frames.length - 1];
          if (open !== undefined) this.fail("unclosed '('", open.at);
          if (operands.length !== 1) throw new Error(`${operands.length} operands left`);
          return operands[0];
        }
        default:
          // A number literal multiplies what directly follows it: 2x, 3 sin(x), 2(x + 1).
          if (prev === 'num' && tok.kind !== 'num') {
            this.reduceAbove(MUL_LEVEL);
            frames.push({ kind: 'op', op: '*', level: MUL_LEVEL, at: tok.at });
            expectOperand = true;
            prev = 'other';
            pending = tok;
            break;
          }
          this.fail(`missing operator before ${this.describe(tok)}; write '*' to multiply`, tok.at);
      }
    }
  }

  /**
   * Reduces the pending operators that bind tighter than `level`. Operators of one level
   * that is left-associative (`+ -`, `* /`) are not reduced one by one: they pile up and
   * are reduced together into one n-ary sum or product.
   */
  private reduceAbove(level: number): void {
    const { frames, operands } = this;
    for (;;) {
      const top = frames[frames.length - 1];
      if (top === undefined || top.kind !== 'op' || top.level <= level) return;
      if (top.op === 'neg' || top.op === 'pos') {
        frames.pop();
        if (top.op === 'neg') {
          const a = operands.pop()!;
          operands.push(this.build(top.at, () => neg(a)));
        }
      } else if (top.op === '^') {
        frames.pop();
        const b = operands.pop()!;
        const a = operands.pop()!;
        operands.push(this.build(top.at, () => pow(a, b)));
      } else {
        this.reduceChain(top.level);
      }
    }
  }

  /** Pops the run of `+ -` (or `* /`) operators on top and their operands into one node. */
  private reduceChain(level: number): void {
    const { frames, operands } = this;
    let k = frames.length;
    while (k > 0) {
      const f = frames[k - 1];
      if (f.kind !== 'op' || f.level !== level) break;
      k--;
    }
    const ops = frames.splice(k) as OpFrame[];
    const parts = operands.splice(operands.length - ops.length - 1);
    for (let i = 1; i < parts.length; i++) {
      const { op, at } = ops[i - 1];
      const x = parts[i];
      if (op === '-') parts[i] = this.build(at, () => neg(x));
      else if (op === '/') parts[i] = this.build(at, () => pow(x, MINUS_ONE));
    }
    const builder = level === ADD_LEVEL ? addAll : mulAll;
    operands.push(this.build(ops[0].at, () => builder(parts)));
  }

  /** Builds `name(args)` once its `)` is read: arity, primes and argument numbers checked here. */
  private finishCall(callee: NameToken, args: Expr[]): Expr {
    const { name } = callee;
    const n = args.length;
    if (callee.primes > 0) {
      let partials: number[];
      if (callee.indices !== undefined) {
        partials = callee.indices.map(({ value, at }) => {
          if (value < 1 || value > n) {
            this.fail(`argument number ${value} out of range: ${name} has ${plural(n)}`, at);
          }
          return value - 1;
        });
      } else {
        if (n !== 1) {
          const head = this.text.slice(callee.at, callee.end - callee.primes);
          this.fail(
            `ambiguous derivative ${head}${"'".repeat(callee.primes)} of ${plural(n)}: write ${head}'[i](...) for argument i`,
            callee.at,
          );
        }
        partials = new Array<number>(callee.primes).fill(0);
      }
      return this.build(callee.at, () => derivativeCall(name, args, partials));
    }
    const arity = arityRange(name);
    if (arity === undefined) return this.build(callee.at, () => derivativeCall(name, args, []));
    const [min, max] = arity;
    if (n < min || n > max) {
      const expected = min === max ? plural(min) : `${min} or ${plural(max)}`;
      this.fail(`${name} takes ${expected}, got ${n}`, callee.at);
    }
    return this.build(callee.at, () => call(name, ...args));
  }
}
