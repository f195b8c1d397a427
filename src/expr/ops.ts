/**
 * The operator metadata table: one row per operator and known function, read by the
 * parser, the printers, the interpreter and the code generator (as acorn's token table
 * drives its parser). Adding a function starts here; the type system then asks for its
 * derivative and evaluator entries. Its float semantics for compiled code are the `kernel`
 * column, written in a small vocabulary of primitives that every code-generation back end
 * implements, so a function that maps onto existing primitives needs nothing in `codegen`.
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
  'acot',
  'asec',
  'acsc',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'sech',
  'csch',
  'coth',
  'asech',
  'acsch',
  'acoth',
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
  'erfc',
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

/**
 * The float primitives compiled code is made of, with their arities: the vocabulary of the
 * `kernel` column. Semantics are those of JavaScript's `Math` (IEEE 754 double, NaN in gives
 * NaN out, `min`/`max` propagate NaN and order −0 before +0, `pow(1, ∞)` is NaN), and for the
 * rest Leibniz's own stable helpers: `sigmoid` 1/(1 + e^−x) that never overflows, `softplus`
 * log(1 + e^x) as max(x, 0) + log1p(e^−|x|), `relu` max(x, 0), `heaviside` (1 for x > 0, 0 for
 * x ≤ 0), `erf` and `erfc` (fdlibm; erfc keeps its relative accuracy in the right tail, where
 * 1 − erf(x) is 0), and `gate(s, a)`, the product s·a of a step s (heaviside or sign)
 * with the convention that a step at 0 zeroes it even where a is ±∞ (a NaN a stays NaN): the
 * derivative of relu(x)^(1/2) is ½·relu(x)^(−1/2)·H(x), 0 (not ∞·0) where x < 0; and
 * `sech2(u, t)`, sech²(u) given t = tanh(u): 1 − t² while |t| < 0.9999 (within ~1e-12
 * relative), else from exp (1 − t² is 0 once tanh(u) rounds to ±1, from |u| ≈ 19); and
 * `dsigmoid(v, s)`, σ′(v) = s·(1 − s) given s = σ(v), with 1 − s taken as σ(−v) where s rounds
 * toward 1. Every back end maps each primitive to its language (a table typed
 * over this vocabulary, so a new primitive is a compile error in every back end until each
 * says how to compute it).
 */
export const KERNEL_PRIMITIVES = {
  sin: 1,
  cos: 1,
  tan: 1,
  asin: 1,
  acos: 1,
  atan: 1,
  atan2: 2,
  sinh: 1,
  cosh: 1,
  tanh: 1,
  asinh: 1,
  acosh: 1,
  atanh: 1,
  exp: 1,
  expm1: 1,
  log: 1,
  log1p: 1,
  log2: 1,
  log10: 1,
  sqrt: 1,
  cbrt: 1,
  pow: 2,
  abs: 1,
  sign: 1,
  min: 2,
  max: 2,
  sigmoid: 1,
  softplus: 1,
  relu: 1,
  erf: 1,
  erfc: 1,
  heaviside: 1,
  gate: 2,
  sech2: 2,
  dsigmoid: 2,
} as const satisfies Readonly<Record<string, 1 | 2>>;

/** A float primitive of the kernel vocabulary. */
export type KernelPrimitive = keyof typeof KERNEL_PRIMITIVES;

/** Exact float arithmetic a kernel may use besides the primitives. */
export type KernelArithmetic = 'add' | 'sub' | 'mul' | 'div' | 'neg';

/**
 * How a function is computed in floats, independent of any target language: an expression
 * over the function's arguments (`{ arg: 0 }`), numbers and the primitives — `sin(u)` is the
 * primitive `sin` of argument 0, `sec(u)` is `1 / cos(u)`.
 */
export type Kernel =
  | { readonly arg: 0 | 1 }
  | { readonly num: number }
  | { readonly op: KernelPrimitive | KernelArithmetic; readonly args: readonly Kernel[] };

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
  /** How compiled code computes it (see `Kernel`; code generation reads only this column). */
  readonly kernel: Kernel;
  /**
   * Where f is defined (not NaN) on the reals, when that is not every real argument:
   * `'nonnegative'` (log: log 0 = −∞), `'[-1, 1]'` (asin, acos, atanh: ±1 gives ±∞),
   * `'[1, ∞)'` (acosh), `'|x| ≥ 1'` (asec, acsc, acoth: acoth(±1) = ±∞), `'[0, 1]'` (asech:
   * asech(0) = ∞). The sign analysis of `simplify` reads it, so guarded rules never
   * define a result where the input is undefined.
   */
  readonly domain?: Domain;
}

/** A function's real domain when it is not all of ℝ (see {@link FunctionInfo.domain}). */
export type Domain = 'nonnegative' | '[-1, 1]' | '[1, ∞)' | '|x| ≥ 1' | '[0, 1]';

const op = (name: string): string => `\\operatorname{${name}}`;
const ZERO_AT_ZERO = [0n, 1n] as const;
const ONE_AT_ZERO = [1n, 1n] as const;
/** Odd and increasing: the sign of the argument. */
const SAME_SIGN: SignRule = { neg: '-', zero: '0', pos: '+' };
const POSITIVE: SignRule = { neg: '+', zero: '+', pos: '+' };
/** Odd with a pole at 0 (csch, coth, acsch): ±∞ there, by the sign of the zero. */
const POLE_SIGN: SignRule = { neg: '-', zero: '-+', pos: '+' };
const U = { arg: 0 } as const;
const V = { arg: 1 } as const;
/** The kernel that applies primitive `op` to the function's arguments, in order. */
const primitive = (op: KernelPrimitive): Kernel => ({
  op,
  args: KERNEL_PRIMITIVES[op] === 1 ? [U] : [U, V],
});
/** 1 / op(u). */
const reciprocal = (op: KernelPrimitive): Kernel => ({
  op: 'div',
  args: [{ num: 1 }, { op, args: [U] }],
});
/**
 * op(1/u): the inverse reciprocal functions (acot u = atan(1/u), …), SymPy's and mathjs's
 * real principal values; 1/±0 = ±∞ gives acot(±0) = ±π/2.
 */
const ofReciprocal = (op: KernelPrimitive): Kernel => ({
  op,
  args: [{ op: 'div', args: [{ num: 1 }, U] }],
});

/**
 * The function table: every fact about every known function. The type demands a row per
 * `FunctionName`, so a new function is one row here plus its partial (diff/rules.ts), which
 * the type system then asks for too.
 */
export const FUNCTIONS = {
  sin: {
    arity: 1,
    latex: '\\sin',
    powerOnName: true,
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    kernel: primitive('sin'),
  },
  cos: {
    arity: 1,
    latex: '\\cos',
    powerOnName: true,
    parity: 'even',
    atZero: ONE_AT_ZERO,
    kernel: primitive('cos'),
  },
  tan: {
    arity: 1,
    latex: '\\tan',
    powerOnName: true,
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    kernel: primitive('tan'),
  },
  sec: {
    arity: 1,
    latex: '\\sec',
    powerOnName: true,
    parity: 'even',
    atZero: ONE_AT_ZERO,
    kernel: reciprocal('cos'),
  },
  csc: { arity: 1, latex: '\\csc', powerOnName: true, parity: 'odd', kernel: reciprocal('sin') },
  cot: { arity: 1, latex: '\\cot', powerOnName: true, parity: 'odd', kernel: reciprocal('tan') },
  asin: {
    arity: 1,
    latex: '\\arcsin',
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('asin'),
    domain: '[-1, 1]',
  },
  acos: {
    arity: 1,
    latex: '\\arccos',
    sign: { neg: '+', zero: '+', pos: '0+' },
    kernel: primitive('acos'),
    domain: '[-1, 1]',
  },
  atan: {
    arity: 1,
    latex: '\\arctan',
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('atan'),
  },
  atan2: { arity: 2, latex: op('atan2'), kernel: primitive('atan2') },
  // acot has values in (−π/2, π/2] (acot 0 = π/2, jumping to −π/2 below 0), as SymPy and
  // mathjs define it; odd like atan (acot(−0) = −π/2 in floats, as 1/−0 = −∞).
  acot: {
    arity: 1,
    latex: op('arccot'),
    parity: 'odd',
    sign: { neg: '-', zero: '+', pos: '+' },
    kernel: ofReciprocal('atan'),
  },
  asec: {
    arity: 1,
    latex: op('arcsec'),
    sign: { neg: '+', zero: '+', pos: '0+' },
    kernel: ofReciprocal('acos'),
    domain: '|x| ≥ 1',
  },
  acsc: {
    arity: 1,
    latex: op('arccsc'),
    parity: 'odd',
    sign: SAME_SIGN,
    kernel: ofReciprocal('asin'),
    domain: '|x| ≥ 1',
  },
  sinh: {
    arity: 1,
    latex: '\\sinh',
    powerOnName: true,
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('sinh'),
  },
  cosh: {
    arity: 1,
    latex: '\\cosh',
    powerOnName: true,
    parity: 'even',
    atZero: ONE_AT_ZERO,
    sign: POSITIVE,
    kernel: primitive('cosh'),
  },
  tanh: {
    arity: 1,
    latex: '\\tanh',
    powerOnName: true,
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('tanh'),
  },
  asinh: {
    arity: 1,
    latex: op('arsinh'),
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('asinh'),
  },
  acosh: {
    arity: 1,
    latex: op('arcosh'),
    sign: { neg: '0+', zero: '0+', pos: '0+' },
    kernel: primitive('acosh'),
    domain: '[1, ∞)',
  },
  atanh: {
    arity: 1,
    latex: op('artanh'),
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('atanh'),
    domain: '[-1, 1]',
  },
  sech: {
    arity: 1,
    latex: op('sech'),
    powerOnName: true,
    parity: 'even',
    atZero: ONE_AT_ZERO,
    sign: POSITIVE,
    kernel: reciprocal('cosh'),
  },
  // csch and coth have a pole at 0 (±∞ by the sign of the zero).
  csch: {
    arity: 1,
    latex: op('csch'),
    powerOnName: true,
    parity: 'odd',
    sign: POLE_SIGN,
    kernel: reciprocal('sinh'),
  },
  coth: {
    arity: 1,
    latex: '\\coth',
    powerOnName: true,
    parity: 'odd',
    sign: POLE_SIGN,
    kernel: reciprocal('tanh'),
  },
  asech: {
    arity: 1,
    latex: op('arsech'),
    sign: { neg: '0+', zero: '+', pos: '0+' },
    kernel: ofReciprocal('acosh'),
    domain: '[0, 1]',
  },
  acsch: {
    arity: 1,
    latex: op('arcsch'),
    parity: 'odd',
    sign: POLE_SIGN,
    kernel: ofReciprocal('asinh'),
  },
  acoth: {
    arity: 1,
    latex: op('arcoth'),
    parity: 'odd',
    sign: SAME_SIGN,
    kernel: ofReciprocal('atanh'),
    domain: '|x| ≥ 1',
  },
  exp: { arity: 1, latex: '\\exp', atZero: ONE_AT_ZERO, sign: POSITIVE, kernel: primitive('exp') },
  log: { arity: 1, latex: '\\log', kernel: primitive('log'), domain: 'nonnegative' },
  log2: { arity: 1, latex: '\\log_{2}', kernel: primitive('log2'), domain: 'nonnegative' },
  log10: { arity: 1, latex: '\\log_{10}', kernel: primitive('log10'), domain: 'nonnegative' },
  cbrt: {
    arity: 1,
    latex: op('cbrt'),
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('cbrt'),
  },
  abs: {
    arity: 1,
    latex: op('abs'),
    parity: 'even',
    atZero: ZERO_AT_ZERO,
    sign: { neg: '+', zero: '0', pos: '+' },
    kernel: primitive('abs'),
  },
  sign: {
    arity: 1,
    latex: op('sign'),
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('sign'),
  },
  min: { arity: 2, latex: '\\min', sign: 'min', kernel: primitive('min') },
  max: { arity: 2, latex: '\\max', sign: 'max', kernel: primitive('max') },
  sigmoid: {
    arity: 1,
    latex: op('sigmoid'),
    atZero: [1n, 2n],
    sign: POSITIVE,
    kernel: primitive('sigmoid'),
  },
  softplus: { arity: 1, latex: op('softplus'), sign: POSITIVE, kernel: primitive('softplus') },
  relu: {
    arity: 1,
    latex: op('relu'),
    atZero: ZERO_AT_ZERO,
    sign: { neg: '0', zero: '0', pos: '+' },
    kernel: primitive('relu'),
  },
  erf: {
    arity: 1,
    latex: op('erf'),
    parity: 'odd',
    atZero: ZERO_AT_ZERO,
    sign: SAME_SIGN,
    kernel: primitive('erf'),
  },
  // Its own primitive, not 1 − erf: erfc(5) ≈ 1.5e-12 keeps its digits.
  erfc: {
    arity: 1,
    latex: op('erfc'),
    atZero: ONE_AT_ZERO,
    sign: POSITIVE,
    kernel: primitive('erfc'),
  },
  heaviside: {
    arity: 1,
    latex: op('H'),
    atZero: ZERO_AT_ZERO,
    sign: { neg: '0', zero: '0', pos: '+' },
    kernel: primitive('heaviside'),
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
