/**
 * The operator metadata table: one row per operator and known function, read by the
 * parser, the printers, the interpreter and the code generator (as acorn's token table
 * drives its parser). Adding a function starts here; the type system then asks for its
 * derivative, evaluator and emitter entries.
 */

/** Names of the functions Leibniz knows (parses, prints, evaluates and differentiates). */
export const FUNCTION_NAMES = [
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'asin',
  'acos',
  'atan',
  'atan2',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'exp',
  'log',
  'log2',
  'log10',
  'cbrt',
  'abs',
  'sign',
  'min',
  'max',
  'sigmoid',
  'softplus',
  'relu',
  'erf',
  'heaviside',
] as const;

/** A function Leibniz knows. */
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * Every node kind: exact numbers, the named constants `pi` and `e`, symbols, the n-ary
 * `add`/`mul`, binary `pow`, known functions by name, and `call` for unknown functions.
 */
export type Op = 'num' | 'const' | 'sym' | 'add' | 'mul' | 'pow' | 'call' | FunctionName;

/** The named constants. */
export type ConstantName = 'pi' | 'e';

/** Metadata of one known function. */
export interface FunctionInfo {
  /** Number of arguments. */
  readonly arity: number;
  /** LaTeX for the function name: a KaTeX command (`\sin`) or `\operatorname{...}`. */
  readonly latex: string;
}

const op = (name: string): string => `\\operatorname{${name}}`;

/** Arity and LaTeX name of every known function. */
export const FUNCTIONS = {
  sin: { arity: 1, latex: '\\sin' },
  cos: { arity: 1, latex: '\\cos' },
  tan: { arity: 1, latex: '\\tan' },
  sec: { arity: 1, latex: '\\sec' },
  csc: { arity: 1, latex: '\\csc' },
  cot: { arity: 1, latex: '\\cot' },
  asin: { arity: 1, latex: '\\arcsin' },
  acos: { arity: 1, latex: '\\arccos' },
  atan: { arity: 1, latex: '\\arctan' },
  atan2: { arity: 2, latex: op('atan2') },
  sinh: { arity: 1, latex: '\\sinh' },
  cosh: { arity: 1, latex: '\\cosh' },
  tanh: { arity: 1, latex: '\\tanh' },
  asinh: { arity: 1, latex: op('arsinh') },
  acosh: { arity: 1, latex: op('arcosh') },
  atanh: { arity: 1, latex: op('artanh') },
  exp: { arity: 1, latex: '\\exp' },
  log: { arity: 1, latex: '\\log' },
  log2: { arity: 1, latex: '\\log_{2}' },
  log10: { arity: 1, latex: '\\log_{10}' },
  cbrt: { arity: 1, latex: op('cbrt') },
  abs: { arity: 1, latex: op('abs') },
  sign: { arity: 1, latex: op('sign') },
  min: { arity: 2, latex: '\\min' },
  max: { arity: 2, latex: '\\max' },
  sigmoid: { arity: 1, latex: op('sigmoid') },
  softplus: { arity: 1, latex: op('softplus') },
  relu: { arity: 1, latex: op('relu') },
  erf: { arity: 1, latex: op('erf') },
  heaviside: { arity: 1, latex: op('H') },
} as const satisfies { readonly [K in FunctionName]: FunctionInfo };

/** Functions with f(−x) = −f(x) (the parity rules of `simplify` and the tests read these). */
export const ODD_FUNCTIONS: readonly FunctionName[] = [
  'sin',
  'tan',
  'cot',
  'csc',
  'asin',
  'atan',
  'sinh',
  'tanh',
  'asinh',
  'atanh',
  'erf',
  'cbrt',
  'sign',
];

/** Functions with f(−x) = f(x). */
export const EVEN_FUNCTIONS: readonly FunctionName[] = ['cos', 'sec', 'cosh', 'abs'];

/** The arity of a known function, as a type (lets tables demand one entry per argument). */
export type ArityOf<K extends FunctionName> = (typeof FUNCTIONS)[K]['arity'];

const FUNCTION_SET: ReadonlySet<string> = new Set(FUNCTION_NAMES);

/** True when `name` is a function Leibniz knows. */
export const isFunctionName = (name: string): name is FunctionName => FUNCTION_SET.has(name);

/**
 * Names the parser gives a meaning of its own: `sqrt` (lowered to a power), `ln` (alias of
 * `log`), the constants. A symbol with one of these names prints in backquotes.
 */
export const PARSER_ALIASES: ReadonlySet<string> = new Set(['sqrt', 'ln', 'pi', 'e']);

/** Binding powers for infix printing and parsing: higher binds tighter. */
export const PRECEDENCE = {
  add: 10,
  mul: 20,
  unary: 30,
  pow: 40,
  atom: 100,
} as const;

/** A plain identifier: letters (Greek included), digits and `_`, not starting with a digit. */
export const IDENTIFIER = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

/** True when a symbol called `name` prints bare (no backquotes) and parses back to itself. */
export const isPlainSymbolName = (name: string): boolean =>
  IDENTIFIER.test(name) && !isFunctionName(name) && !PARSER_ALIASES.has(name);
