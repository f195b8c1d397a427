/**
 * fast-check arbitraries shared by the property tests: random well-formed expressions over
 * every operator and known function, points to evaluate them at, and hostile names. Every
 * expression is made by the canonical builders, so it is exactly what users can build.
 */
import fc from 'fast-check';
import {
  add,
  call,
  derivativeCall,
  div,
  E,
  fn,
  mul,
  neg,
  num,
  PI,
  pow,
  sqrt,
  sub,
  sym,
} from '../src/expr/build.js';
import type { Expr } from '../src/expr/node.js';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName, isFunctionName } from '../src/expr/ops.js';

/** Options of {@link arbExpr} and {@link arbSafeExpr}. */
export interface ExprOptions {
  /** Maximum operator nesting; leaves are depth 0. Default 4 (3 for {@link arbSafeExpr}). */
  readonly maxDepth?: number;
  /** Symbol names, or an arbitrary of names. Default `['x', 'y', 'z']`. */
  readonly variables?: readonly string[] | fc.Arbitrary<string>;
  /** Known functions to apply. Default: every name of `FUNCTION_NAMES` (or the smooth ones). */
  readonly functions?: readonly FunctionName[];
  /**
   * Unknown function names, or an arbitrary of names (known names and `sqrt`/`ln` are
   * skipped). Default `['f', 'g']`; `[]` leaves unknown functions out.
   */
  readonly unknownFunctions?: readonly string[] | fc.Arbitrary<string>;
}

/** The functions {@link arbSafeExpr} uses: smooth (and finite) on the whole real line. */
export const SMOOTH_FUNCTIONS = [
  'sin',
  'cos',
  'exp',
  'tanh',
  'sigmoid',
  'softplus',
  'erf',
  'atan',
  'sinh',
  'cosh',
  'asinh',
] as const satisfies readonly FunctionName[];

const DEFAULT_VARIABLES = ['x', 'y', 'z'];
const DEFAULT_UNKNOWN = ['f', 'g'];

const names = (xs: readonly string[] | fc.Arbitrary<string>): fc.Arbitrary<string> =>
  xs instanceof fc.Arbitrary ? xs : fc.constantFrom(...xs);

/**
 * Exact numbers as users write them: small integers (mostly), rationals p/q, decimals
 * (built from JS numbers such as `0.25`, which `num` reads exactly) and the odd big integer.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbNumber(), (n) => n.op === 'num'));
 * ```
 */
export function arbNumber(): fc.Arbitrary<Expr> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -5, max: 9 }).map((n) => num(n)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 1, max: 12 }))
        .map(([p, q]) => num(BigInt(p), BigInt(q))),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: -9999, max: 9999 }), fc.integer({ min: 1, max: 4 }))
        .map(([n, k]) => num(n / 10 ** k)),
    },
    { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => num(n)) },
  );
}

/**
 * Random well-formed expressions using every operator (`+ - * /`, powers with integer,
 * fractional and symbolic exponents, negation, `sqrt`), every known function with its
 * arity, numbers, `pi`, `e`, symbols, unknown calls `f(...)` and their derivatives
 * `f'(x)`, `f'[1,2](x, y)`. Nesting is limited to `maxDepth` (default 4).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbExpr(), (e) => parse(format(e)) === e));
 * fc.assert(fc.property(arbExpr({ maxDepth: 2, variables: ['w1', 'θ'] }), check));
 * ```
 */
export function arbExpr(options: ExprOptions = {}): fc.Arbitrary<Expr> {
  const functions = options.functions ?? FUNCTION_NAMES;
  const unknown = options.unknownFunctions ?? DEFAULT_UNKNOWN;
  const withUnknown = !(Array.isArray(unknown) && unknown.length === 0);
  // Only built when used: `names([])` has no names to choose from.
  const unknownNames = withUnknown
    ? names(unknown).filter((n) => n.length > 0 && !isFunctionName(n) && n !== 'sqrt' && n !== 'ln')
    : undefined;
  return arbTree(options.maxDepth ?? 4, leaves(options.variables), (child) => {
    const exponent = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: -3, max: 4 }).map((n) => num(n)) },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom([1n, 2n], [-1n, 2n], [3n, 2n], [1n, 3n], [-2n, 3n])
          .map(([p, q]) => num(p, q)),
      },
      { weight: 2, arbitrary: child },
    );
    const branches: fc.Arbitrary<Expr>[] = [
      fc.array(child, { minLength: 2, maxLength: 4 }).map((xs) => add(...xs)),
      fc.tuple(child, child).map(([a, b]) => sub(a, b)),
      fc.array(child, { minLength: 2, maxLength: 3 }).map((xs) => mul(...xs)),
      fc.tuple(child, child).map(([a, b]) => div(a, b)),
      child.map(neg),
      fc.tuple(child, exponent).map(([a, b]) => pow(a, b)),
      child.map(sqrt),
      knownCall(child, functions),
    ];
    if (unknownNames !== undefined) branches.push(unknownCall(child, unknownNames));
    return fc.oneof(...branches);
  });
}

/**
 * Random expressions that are smooth and finite at every real point: polynomials (sums,
 * differences, products, negation, powers with exponents 0 to 3) of numbers, `pi`, `e`,
 * symbols and the {@link SMOOTH_FUNCTIONS}. For finite-difference tests; values can still be
 * large (`exp(exp(x))`), so check results for finiteness. Default `maxDepth` is 3.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbSafeExpr(), arbPoint(['x', 'y', 'z']), (e, at) => fdAgrees(e, at)));
 * ```
 */
export function arbSafeExpr(options: ExprOptions = {}): fc.Arbitrary<Expr> {
  const functions = options.functions ?? SMOOTH_FUNCTIONS;
  const numbers = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -4, max: 5 }).map((n) => num(n)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 1, max: 8 }))
        .map(([p, q]) => num(BigInt(p), BigInt(q))),
    },
  );
  const leaf = fc.oneof(
    { weight: 2, arbitrary: numbers },
    { weight: 1, arbitrary: fc.constantFrom(PI, E) },
    { weight: 4, arbitrary: names(options.variables ?? DEFAULT_VARIABLES).map(sym) },
  );
  return arbTree(options.maxDepth ?? 3, leaf, (child) =>
    fc.oneof(
      fc.array(child, { minLength: 2, maxLength: 3 }).map((xs) => add(...xs)),
      fc.tuple(child, child).map(([a, b]) => sub(a, b)),
      fc.array(child, { minLength: 2, maxLength: 3 }).map((xs) => mul(...xs)),
      child.map(neg),
      fc.tuple(child, fc.integer({ min: 0, max: 3 })).map(([a, n]) => pow(a, n)),
      knownCall(child, functions),
    ),
  );
}

/**
 * Points to evaluate expressions at: a record of finite doubles in `[min, max]` (default
 * `[-3, 3]`) for each variable name.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbPoint(['x', 'y']), (at) => Number.isFinite(at.x + at.y)));
 * ```
 */
export function arbPoint(
  variables: readonly string[] = DEFAULT_VARIABLES,
  range: { readonly min?: number; readonly max?: number } = {},
): fc.Arbitrary<Record<string, number>> {
  const value = fc.double({
    min: range.min ?? -3,
    max: range.max ?? 3,
    noNaN: true,
    noDefaultInfinity: true,
  });
  const model: Record<string, fc.Arbitrary<number>> = {};
  for (const v of variables) model[v] = value;
  return fc.record(model);
}

/**
 * Names no printer should trust: backquotes, backslashes, quotes, spaces and control
 * characters, LaTeX specials (`$ { } \ ^ _ # % & ~`), function and constant names (`sin`,
 * `pi`, `e`, `sqrt`), leading digits, primes, Greek and any other code point.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbHostileName(), (n) => parse(format(sym(n))) === sym(n)));
 * ```
 */
export function arbHostileName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_NAMES),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
    fc.string({
      unit: fc.constantFrom(...'`\\{}$^_#%&~ \'"()[],;*+-/'),
      minLength: 1,
      maxLength: 6,
    }),
  );
}

/** Fixed hostile names, also used directly by golden tables. */
export const HOSTILE_NAMES: readonly string[] = [
  '`',
  '\\',
  '\\`',
  '``',
  'a`b',
  'a\\b',
  'x);evil(',
  'x y',
  ' ',
  "f'",
  "x''",
  '1x',
  '2',
  '-x',
  'x-1',
  'x.y',
  'sin',
  'exp',
  'atan2',
  'pi',
  'e',
  'sqrt',
  'ln',
  '$x$',
  '{',
  '}',
  '\\text{',
  '\\\\',
  '^_^',
  'x_',
  '_',
  '__x',
  'x__1',
  '#',
  '%',
  '&',
  '~',
  'a\nb',
  '\t',
  '\u0000',
  '\u0301',
  '\u200b',
  '\u2028',
  '\uD800',
  '\uD835',
  'x\uDC00',
  '𝚤',
  'ℋ',
  '𝑥',
  '😀',
  '日本',
  'é',
  'θ',
  'theta_i',
  'w1_2',
];

// ---------------------------------------------------------------------------------------

function leaves(variables: ExprOptions['variables']): fc.Arbitrary<Expr> {
  return fc.oneof(
    { weight: 3, arbitrary: arbNumber() },
    { weight: 1, arbitrary: fc.constantFrom(PI, E) },
    { weight: 5, arbitrary: names(variables ?? DEFAULT_VARIABLES).map(sym) },
  );
}

/** Depth-limited trees: level d is a leaf or a node over level d − 1. */
function arbTree(
  maxDepth: number,
  leaf: fc.Arbitrary<Expr>,
  node: (child: fc.Arbitrary<Expr>) => fc.Arbitrary<Expr>,
): fc.Arbitrary<Expr> {
  let level = leaf;
  for (let d = 1; d <= maxDepth; d++) {
    level = fc.oneof({ weight: 1, arbitrary: leaf }, { weight: 3, arbitrary: node(level) });
  }
  return level;
}

function knownCall(
  child: fc.Arbitrary<Expr>,
  functions: readonly FunctionName[],
): fc.Arbitrary<Expr> {
  return fc
    .constantFrom(...functions)
    .chain((name) =>
      fc
        .array(child, { minLength: FUNCTIONS[name].arity, maxLength: FUNCTIONS[name].arity })
        .map((args) => fn(name, args)),
    );
}

function unknownCall(child: fc.Arbitrary<Expr>, names: fc.Arbitrary<string>): fc.Arbitrary<Expr> {
  return fc.tuple(names, fc.array(child, { minLength: 1, maxLength: 3 })).chain(([name, args]) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(call(name, ...args)) },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.nat(args.length - 1), { minLength: 1, maxLength: 3 })
          .map((partials) => derivativeCall(name, args, partials)),
      },
    ),
  );
}
