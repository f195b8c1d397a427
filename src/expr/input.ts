/**
 * What the entry points accept: an expression or its text. A string is parsed (as mathjs and
 * nerdamer users expect), a variable given by name must read as a symbol, and anything else
 * is an `InvalidArgumentError`, never a raw `TypeError` from deep inside.
 */
import { describe } from './build.js';
import { InvalidArgumentError } from './errors.js';
import { Expr } from './node.js';
import { parse } from './parse.js';

/** The caller's name for messages (`where`), or a default when it is not a string. */
const named = (where: unknown, otherwise: string): string =>
  typeof where === 'string' ? where : otherwise;

/** An expression, or its text (parsed with `parse`). */
export type ExprInput = Expr | string;

/** A variable to differentiate or compile by: a symbol node or its name (`'w1'`, `` '`odd name`' ``). */
export type Variable = Expr | string;

/**
 * The expression `input` denotes: itself, or its parsed text. `where` names the caller in
 * the error for anything else.
 *
 * @example
 * ```ts
 * toExpression('sin(x^2)') === parse('sin(x^2)'); // true
 * ```
 */
export function toExpression(input: ExprInput, where = 'expression'): Expr {
  if (input instanceof Expr) return input;
  if (typeof input === 'string') return parse(input);
  throw new InvalidArgumentError(
    `${named(where, 'expression')}: expected an expression or its text, got ${describe(input)}`,
  );
}

/**
 * The expressions an `ExprInput` or an array of them denotes (for functions that take either).
 *
 * @example
 * ```ts
 * toExpressions(['x', parse('y')]).map(String); // ['x', 'y']
 * ```
 */
export function toExpressions(
  input: ExprInput | readonly ExprInput[],
  where = 'expressions',
): Expr[] {
  return Array.isArray(input)
    ? input.map((e) => toExpression(e, where))
    : [toExpression(input as ExprInput, where)];
}

/**
 * The symbol a `Variable` names. A name is read as the parser reads it, so it must be a
 * symbol: `'x+y'` or `'pi'` is an `InvalidArgumentError` (not a silently constant
 * variable); a name that is not an identifier is written in backquotes, as `format`
 * prints it.
 *
 * @example
 * ```ts
 * toSymbol('x') === sym('x');              // true
 * toSymbol('`odd name`') === sym('odd name'); // true
 * ```
 */
export function toSymbol(v: Variable, where = 'variable'): Expr {
  where = named(where, 'variable');
  let s: Expr;
  if (v instanceof Expr) s = v;
  else if (typeof v === 'string') {
    try {
      s = parse(v);
    } catch {
      throw new InvalidArgumentError(`${where}: '${v}' is not a variable name`);
    }
  } else {
    throw new InvalidArgumentError(`${where}: expected a symbol or its name, got ${describe(v)}`);
  }
  if (s.op !== 'sym') {
    throw new InvalidArgumentError(
      `${where}: can only differentiate or bind by a symbol, not ${typeof v === 'string' ? `'${v}'` : String(s)}`,
    );
  }
  return s;
}

/** `toSymbol` over a list (an `InvalidArgumentError` if it is not an array). */
export function toSymbols(vs: readonly Variable[], where = 'variables'): Expr[] {
  if (!Array.isArray(vs)) {
    throw new InvalidArgumentError(
      `${named(where, 'variables')}: expected an array of variables, got ${describe(vs)}`,
    );
  }
  return vs.map((v) => toSymbol(v, where));
}

/**
 * An options argument: `{}` for undefined or null, the object itself otherwise; anything
 * else is an `InvalidArgumentError` naming the caller (`where`).
 *
 * @example
 * ```ts
 * const { budget } = optionsOf(options, 'simplify');
 * ```
 */
export function optionsOf<T extends object>(options: T | undefined | null, where: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${where}: options must be an object, got ${describe(options)}`);
  }
  return options;
}
