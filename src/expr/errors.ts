/**
 * Typed errors. Every failure Leibniz reports on bad input is a `LeibnizError` subclass, so
 * callers can tell a user mistake from a bug with one `instanceof`.
 */

/** Base class of every error Leibniz throws on bad input. */
export class LeibnizError extends Error {
  override name = 'LeibnizError';

  /** `message` may be anything: it is made text (`new Error(Symbol())` would throw). */
  constructor(message?: unknown, options?: ErrorOptions) {
    super(message === undefined ? undefined : text(message), options);
  }
}

/** Any value as text for a message, never throwing (symbols, null prototypes). */
function text(x: unknown): string {
  try {
    return String(x);
  } catch {
    return 'a value that cannot be shown';
  }
}

/**
 * Text that is not a well-formed expression. The message is three lines: the reason and the
 * 1-based column, then the input and a caret under the offending character, both indented
 * two spaces, so the caret stays aligned whatever precedes the first line (`String(err)`
 * and stack traces print `ParseError: ` before it).
 *
 * @example
 * ```ts
 * try { parse('sin(x^)'); } catch (e) { if (e instanceof ParseError) console.log(String(e)); }
 * // ParseError: unexpected ')' at 7:
 * //   sin(x^)
 * //         ^
 * ```
 */
export class ParseError extends LeibnizError {
  override name = 'ParseError';
  /** 0-based offset (UTF-16 units) of the problem in the input. */
  readonly offset: number;
  /** 1-based column (code points) of the problem, as printed in the message. */
  readonly column: number;
  /** What went wrong, without the position (e.g. `unexpected ')'`). */
  readonly reason: string;
  /** One line: the input (a window of it when long) and, below it, a caret line. */
  readonly excerpt: string;

  constructor(reason: string, input: string, offset: number) {
    // Reasons quote the input (names, tokens): its controls, separators and lone surrogates
    // would split the message or act on a terminal, so they show as U+XXXX.
    reason = text(reason).replace(UNPRINTABLE_ANYWHERE, codePoint);
    input = typeof input === 'string' ? input : '';
    offset = Number.isInteger(offset) ? Math.min(Math.max(offset, 0), input.length) : 0;
    const { line, caret, column } = caretExcerpt(input, offset);
    super(`${reason} at ${column}:\n  ${line}\n  ${' '.repeat(caret)}^`);
    this.reason = reason;
    this.offset = offset;
    this.column = column;
    this.excerpt = `${line}\n${' '.repeat(caret)}^`;
  }
}

const UNPRINTABLE = /^[\p{C}\p{Zl}\p{Zp}]$/u;
const UNPRINTABLE_ANYWHERE = /[\p{C}\p{Zl}\p{Zp}]/gu;

const codePoint = (ch: string): string =>
  `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** A window of at most ~60 code points around `offset`, and the caret's position in it. */
function caretExcerpt(
  input: string,
  offset: number,
): { line: string; caret: number; column: number } {
  const chars = Array.from(input);
  // Offsets count UTF-16 units; the caret counts code points.
  let col = 0;
  for (let units = 0; col < chars.length && units < offset; col++) units += chars[col].length;
  const start = Math.max(0, col - 30);
  const end = Math.min(chars.length, col + 30);
  const prefix = start > 0 ? '…' : '';
  // One line, nothing a terminal acts on: controls, separators and lone surrogates show as
  // a space each (the caret stays aligned); the reason names the character.
  const shown = chars
    .slice(start, end)
    .map((c) => (UNPRINTABLE.test(c) ? ' ' : c))
    .join('');
  const line = `${prefix}${shown}${end < chars.length ? '…' : ''}`;
  return { line, caret: col - start + prefix.length, column: col + 1 };
}

/** A known function called with the wrong number of arguments. */
export class ArityError extends LeibnizError {
  override name = 'ArityError';
  constructor(
    readonly functionName: string,
    readonly expected: string,
    readonly received: number,
  ) {
    super(`${text(functionName)} takes ${text(expected)} argument(s), got ${text(received)}`);
  }
}

/** `evaluate` met a symbol with no value in the environment. */
export class UnboundSymbolError extends LeibnizError {
  override name = 'UnboundSymbolError';
  constructor(readonly symbol: string) {
    super(`unbound symbol '${text(symbol)}': give it a value in the environment`);
  }
}

/** An argument of the wrong kind (e.g. a non-finite number, an empty name). */
export class InvalidArgumentError extends LeibnizError {
  override name = 'InvalidArgumentError';
}

/** `evaluate` met an unknown function (such as `f(x)`), which has no numeric value. */
export class UnboundFunctionError extends LeibnizError {
  override name = 'UnboundFunctionError';
  constructor(readonly functionName: string) {
    super(`unknown function '${text(functionName)}' has no numeric value`);
  }
}
