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

/**
 * The signs f(u) can take when u is negative, zero or positive: each a string of the signs
 * `-`, `0`, `+` (`'0+'` means "zero or positive"). Binary `min`/`max` combine their arguments'
 * signs pointwise instead. Read by the sign analysis of `simplify`; absent means "unknown".
 */
export type SignRule =
  | { readonly neg: SignText; readonly zero: SignText; readonly pos: SignText }
  | 'min'
  | 'max';

/** Some of the signs `-`, `0`, `+`, in this order. */
export type SignText = '-' | '0' | '+' | '-0' | '0+' | '-+' | '-0+';

/** Everything Leibniz knows about one function, one column per fact. */
export interface FunctionInfo {
  /** Number of arguments. */
  readonly arity: 1 | 2;
  /** LaTeX for the function name: a KaTeX command (`\sin`) or `\operatorname{...}`. */
  readonly latex: string;
  /** Integer powers print on the name, as texts do: `\sin^{2}\left(x\right)`. */
  readonly powerOnName?: true;
  /** f(−x) = −f(x) (`odd`) or f(−x) = f(x) (`even`): the parity rules of `simplify`. */
  readonly parity?: 'odd' | 'even';
  /** The exact value f(0) as [numerator, denominator], folded at construction. */
  readonly atZero?: readonly [bigint, bigint];
  /** Signs of the result by the sign of the argument (the sign analysis of `simplify`). */
  readonly sign?: SignRule;
  /**
   * Where f is defined (not NaN) on the reals, when that is not every real argument:
   * `'nonnegative'` (log: log 0 = −∞), `'[-1, 1]'` (asin, acos, atanh: ±1 gives ±∞),
   * `'[1, ∞)'` (acosh). The sign analysis of `simplify` reads it, so guarded rules never
   * define a result where the input is undefined.
   */
  readonly domain?: Domain;
}

/** A function's real domain when it is not all of ℝ (see {@link FunctionInfo.domain}). */
export type Domain = 'nonnegative' | '[-1, 1]' | '[1, ∞)';

const op = (name: string): string => `\\operatorname{${name}}`;
const ZERO_AT_ZERO = [0n, 1n] as const;
const ONE_AT_ZERO = [1n, 1n] as const;
/** Odd and increasing: the sign of the argument. */
const SAME_SIGN: SignRule = { neg: '-', zero: '0', pos: '+' };
const POSITIVE: SignRule = { neg: '+', zero: '+', pos: '+' };

/**
 * The function table: every fact about every known function. The type demands a row per
 * `FunctionName`, so a new function is one row here plus its partial (diff/rules.ts), which
 * the type system then asks for too.
 */
export const FUNCTIONS = {
  sin: { arity: 1, latex: '\\sin', powerOnName: true, parity: 'odd', atZero: ZERO_AT_ZERO },
  cos: { arity: 1, latex: '\\cos', powerOnName: true, parity: 'even', atZero: ONE_AT_ZERO },
  tan: { arity: 1, latex: '\\tan', powerOnName: true, parity: 'odd', atZero: ZERO_AT_ZERO },
  sec: { arity: 1, latex: '\\sec', powerOnName: true, parity: 'even', atZero: ONE_AT_ZERO },
  csc: { arity: 1, latex: '\\csc', powerOnName: true, parity: 'odd' },
  cot: { arity: 1, latex: '\\cot', powerOnName: true, parity: 'odd' },
  asin: {
    arity: 1,
    latex: '\\arcsin',
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    domain: '[-1, 1]',
  },
  acos: {
    arity: 1,
    latex: '\\arccos',
    sign: { neg: '+', zero: '+', pos: '0+' },
    domain: '[-1, 1]',
  },
  atan: { arity: 1, latex: '\\arctan', parity: 'odd', atZero: ZERO_AT_ZERO, sign: SAME_SIGN },
  atan2: { arity: 2, latex: op('atan2') },
  sinh: {
    arity: 1,
    latex: '\\sinh',
    powerOnName: true,
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
  },
  cosh: {
    arity: 1,
    latex: '\\cosh',
    powerOnName: true,
    parity: 'even',
    atZero: ONE_AT_ZERO,
    sign: POSITIVE,
  },
  tanh: {
    arity: 1,
    latex: '\\tanh',
    powerOnName: true,
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
  },
  asinh: { arity: 1, latex: op('arsinh'), parity: 'odd', atZero: ZERO_AT_ZERO, sign: SAME_SIGN },
  acosh: {
    arity: 1,
    latex: op('arcosh'),
    sign: { neg: '0+', zero: '0+', pos: '0+' },
    domain: '[1, ∞)',
  },
  atanh: {
    arity: 1,
    latex: op('artanh'),
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    domain: '[-1, 1]',
  },
  exp: { arity: 1, latex: '\\exp', atZero: ONE_AT_ZERO, sign: POSITIVE },
  log: { arity: 1, latex: '\\log', domain: 'nonnegative' },
  log2: { arity: 1, latex: '\\log_{2}', domain: 'nonnegative' },
  log10: { arity: 1, latex: '\\log_{10}', domain: 'nonnegative' },
  cbrt: { arity: 1, latex: op('cbrt'), parity: 'odd', atZero: ZERO_AT_ZERO, sign: SAME_SIGN },
  abs: {
    arity: 1,
    latex: op('abs'),
    parity: 'even',
    atZero: ZERO_AT_ZERO,
    sign: { neg: '+', zero: '0', pos: '+' },
  },
  sign: { arity: 1, latex: op('sign'), parity: 'odd', atZero: ZERO_AT_ZERO, sign: SAME_SIGN },
  min: { arity: 2, latex: '\\min', sign: 'min' },
  max: { arity: 2, latex: '\\max', sign: 'max' },
  sigmoid: { arity: 1, latex: op('sigmoid'), atZero: [1n, 2n], sign: POSITIVE },
  softplus: { arity: 1, latex: op('softplus'), sign: POSITIVE },
  relu: {
    arity: 1,
    latex: op('relu'),
    atZero: ZERO_AT_ZERO,
    sign: { neg: '0', zero: '0', pos: '+' },
  },
  erf: { arity: 1, latex: op('erf'), parity: 'odd', atZero: ZERO_AT_ZERO, sign: SAME_SIGN },
  heaviside: {
    arity: 1,
    latex: op('H'),
    atZero: ZERO_AT_ZERO,
    sign: { neg: '0', zero: '0', pos: '+' },
  },
} as const satisfies { readonly [K in FunctionName]: FunctionInfo };

/** The row of `name` with every column visible (the table's own type is narrowed per row). */
export const functionInfo = (name: FunctionName): FunctionInfo => FUNCTIONS[name];

/** Functions with f(−x) = −f(x) (the parity column; `simplify`'s parity rules read it). */
export const ODD_FUNCTIONS: readonly FunctionName[] = FUNCTION_NAMES.filter(
  (f) => functionInfo(f).parity === 'odd',
);

/** Functions with f(−x) = f(x) (the parity column). */
export const EVEN_FUNCTIONS: readonly FunctionName[] = FUNCTION_NAMES.filter(
  (f) => functionInfo(f).parity === 'even',
);

/** The arity of a known function, as a type (lets tables demand one entry per argument). */
export type ArityOf<K extends FunctionName> = (typeof FUNCTIONS)[K]['arity'];

const FUNCTION_SET: ReadonlySet<string> = new Set(FUNCTION_NAMES);

/** True when `name` is a function Leibniz knows. */
export const isFunctionName = (name: string): name is FunctionName => FUNCTION_SET.has(name);

/**
 * Names that are not functions of the table but mean something when called: `ln(x)` is
 * `log(x)`, `sqrt(x)` is `x^(1/2)`, and `log(x, b)` (a second arity of `log`) is
 * log x / log b. The one alias table: the parser and `call` both read it.
 */
export const ALIASES = {
  ln: { arity: 1, means: 'log' },
  sqrt: { arity: 1, means: 'square-root' },
  log: { arity: 2, means: 'log-base' },
} as const satisfies Readonly<Record<string, { readonly arity: number; readonly means: string }>>;

/** What an alias lowers to. */
export type AliasMeaning = (typeof ALIASES)[keyof typeof ALIASES]['means'];

/** The named constants, with their float values and LaTeX. */
export const CONSTANTS = {
  pi: { value: Math.PI, latex: '\\pi' },
  e: { value: Math.E, latex: 'e' },
} as const satisfies {
  readonly [K in ConstantName]: { readonly value: number; readonly latex: string };
};

/** True when `name` is a named constant (`pi`, `e`). */
export const isConstantName = (name: string): name is ConstantName =>
  Object.hasOwn(CONSTANTS, name);

/** The alias `name` called with `arity` arguments, or undefined. */
export function aliasOf(name: string, arity: number): AliasMeaning | undefined {
  const a: { readonly arity: number; readonly means: AliasMeaning } | undefined = Object.hasOwn(
    ALIASES,
    name,
  )
    ? ALIASES[name as keyof typeof ALIASES]
    : undefined;
  return a !== undefined && a.arity === arity ? a.means : undefined;
}

/** Allowed argument counts of a known function or alias, or undefined for other names. */
export function arityRange(name: string): readonly [min: number, max: number] | undefined {
  let lo = isFunctionName(name) ? FUNCTIONS[name].arity : Number.POSITIVE_INFINITY;
  let hi = isFunctionName(name) ? FUNCTIONS[name].arity : Number.NEGATIVE_INFINITY;
  if (Object.hasOwn(ALIASES, name)) {
    const a = ALIASES[name as keyof typeof ALIASES].arity;
    lo = Math.min(lo, a);
    hi = Math.max(hi, a);
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** True for names with a meaning of their own when called or written bare (print quoted as symbols). */
export const isReservedName = (name: string): boolean =>
  isFunctionName(name) || Object.hasOwn(ALIASES, name) || isConstantName(name);

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
  IDENTIFIER.test(name) && !isReservedName(name);
