/**
 * Builders: the only way to make nodes. Each returns the canonical, interned form, at
 * O(arity) cost (plus sorting the arguments): n-ary `+`/`*` flattened and ordered, numbers
 * folded exactly, like terms merged (`x + 2x → 3x`), equal bases merged (`x·x² → x³`),
 * identities removed, `a − b` as `a + (−1)·b` and `a / b` as `a·b^−1`.
 */
import { ArityError, InvalidArgumentError } from './errors.js';
import { compoundKey, Expr, intern } from './node.js';
import {
  aliasOf,
  arityRange,
  type ConstantName,
  FUNCTIONS,
  type FunctionName,
  functionInfo,
  isConstantName,
  isFunctionName,
} from './ops.js';
import { compareExprs } from './order.js';
import {
  isInteger,
  isOne,
  isZero,
  MINUS_ONE,
  ONE,
  type Rational,
  rat,
  ratCompare,
  ratFromNumber,
  ratMul,
  ratNeg,
  ratPow,
  ratProduct,
  ratSum,
  ZERO,
} from './rational.js';
import { leadingCoefficient } from './terms.js';

/** What builders accept as an argument: an expression or a plain number (made exact). */
export type ExprLike = Expr | number | bigint;

/**
 * An exact number. JS numbers are read through their shortest decimal text, so `num(0.1)`
 * is exactly 1/10; `num(1n, 3n)` is 1/3. NaN and infinities are rejected.
 *
 * @example
 * ```ts
 * num(3); num(0.25); num(1n, 3n); num({ num: 2n, den: 3n });
 * ```
 */
export function num(value: number | bigint | Rational, den?: bigint): Expr {
  let r: Rational;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new InvalidArgumentError(`num: not a finite number: ${value}`);
    r = ratFromNumber(value);
  } else if (typeof value === 'bigint') {
    if (den !== undefined && typeof den !== 'bigint')
      throw new InvalidArgumentError(`num: the denominator must be a bigint, got ${describe(den)}`);
    if (den === 0n) throw new InvalidArgumentError('num: zero denominator');
    r = rat(value, den ?? 1n);
  } else if (
    typeof value === 'object' &&
    value !== null &&
    typeof value.num === 'bigint' &&
    typeof value.den === 'bigint'
  ) {
    if (value.den === 0n) throw new InvalidArgumentError('num: zero denominator');
    r = rat(value.num, value.den);
  } else {
    throw new InvalidArgumentError(
      `num: expected a number, a bigint or a rational, got ${describe(value)}`,
    );
  }
  return numNode(r);
}

function numNode(r: Rational): Expr {
  // Hex keys: converting a huge bigint to hex is linear, to decimal is not.
  return intern(`n${r.num.toString(16)}/${r.den.toString(16)}`, () => new Expr('num', [], r));
}

/**
 * A symbol (a variable). Any non-empty name is allowed; names that are not plain
 * identifiers (or clash with function names and `pi`/`e`) print in backquotes.
 *
 * @example
 * ```ts
 * const x = sym('x'), w1 = sym('w1'), theta = sym('θ');
 * ```
 */
export function sym(name: string): Expr {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError('sym: the name must be a non-empty string');
  }
  return intern(`s${name}`, () => new Expr('sym', [], undefined, name));
}

/** A named constant by name (`pi`, `e`). */
export function constant(name: ConstantName): Expr {
  if (!isConstantName(name)) throw new InvalidArgumentError(`constant: unknown constant '${name}'`);
  return intern(`k${name}`, () => new Expr('const', [], undefined, name));
}

/** The constant π. */
export const PI: Expr = constant('pi');
/** Euler's number e (the base of `exp` and `log`). */
export const E: Expr = constant('e');

/** @internal The exact numbers used everywhere, interned once. */
export const ZERO_EXPR = numNode(ZERO);
export const ONE_EXPR = numNode(ONE);
export const MINUS_ONE_EXPR = numNode(MINUS_ONE);
const HALF = rat(1n, 2n);

/** An argument of a builder as an expression; anything but an `Expr` or a number is an error. */
function toExpr(x: ExprLike): Expr {
  if (x instanceof Expr) return x;
  if (typeof x === 'number' || typeof x === 'bigint') return num(x);
  const hint = typeof x === 'string' ? ` (to read text, use parse(${JSON.stringify(x)}))` : '';
  throw new InvalidArgumentError(`expected an expression or a number, got ${describe(x)}${hint}`);
}

/** Throws unless `xs` is an array (of builder arguments, checked one by one later). */
function checkList(xs: unknown, where: string): void {
  if (!Array.isArray(xs)) {
    throw new InvalidArgumentError(`${where}: expected an array, got ${describe(xs)}`);
  }
}

/** A short description of a value for error messages (never its whole text). */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return x.length > 40 ? 'a string' : `the string ${JSON.stringify(x)}`;
  if (typeof x === 'object')
    return `an object (${Object.getPrototypeOf(x)?.constructor?.name ?? 'no prototype'})`;
  return `${typeof x} ${String(x)}`;
}

function compound(op: Expr['op'], args: readonly Expr[]): Expr {
  return intern(compoundKey(op, args), () => new Expr(op, args));
}

/** Splits `c·t` into [c, t] (t may be a rebuilt product); other terms have c = 1. */
function splitTerm(e: Expr): [Rational, Expr] {
  const c = leadingCoefficient(e);
  if (c === undefined) return [ONE, e];
  return [c, e.args.length === 2 ? e.args[1] : compound('mul', e.args.slice(1))];
}

/** `c·t` for a canonical term t that is not a number. */
function scaleTerm(c: Rational, t: Expr): Expr {
  if (isOne(c)) return t;
  const cn = numNode(c);
  return t.op === 'mul' ? compound('mul', [cn, ...t.args]) : compound('mul', [cn, t]);
}

const sortExprs = (xs: Expr[]): Expr[] => xs.sort(compareExprs);

/**
 * The sum of its arguments, canonical: flattened (also through numeric multiples of sums,
 * `z + 2(x + y) → z + 2x + 2y`), like terms merged, numbers folded, sorted.
 *
 * @example
 * ```ts
 * add(x, mul(2, x)) === mul(3, x); // true
 * ```
 */
export function add(...terms: ExprLike[]): Expr {
  return addAll(terms);
}

/** `add` over an array: for very many terms (spreading 10⁵ arguments overflows the stack). */
export function addAll(terms: readonly ExprLike[]): Expr {
  checkList(terms, 'addAll');
  if (terms.length === 1) return toExpr(terms[0]);
  // Numbers are summed once at the end, in a balanced tree (ratSum): fast for many fractions.
  const constants: Rational[] = [];
  const merged = new Map<number, { term: Expr; coeffs: Rational[] }>();
  const visit = (e: Expr): void => {
    if (e.op === 'num') {
      constants.push(e.value!);
      return;
    }
    if (e.op === 'mul' && e.args.length === 2 && e.args[0].op === 'num' && e.args[1].op === 'add') {
      // c·(a + b) inside a sum is c·a + c·b, so that x + y − (x + y) is 0.
      for (const t of e.args[1].args) visit(mul(e.args[0], t));
      return;
    }
    const [c, t] = splitTerm(e);
    const slot = merged.get(t.id);
    if (slot) slot.coeffs.push(c);
    else merged.set(t.id, { term: t, coeffs: [c] });
  };
  for (const x of terms) {
    const e = toExpr(x);
    if (e.op === 'add') for (const a of e.args) visit(a);
    else visit(e);
  }
  const out: Expr[] = [];
  for (const { term, coeffs } of merged.values()) {
    const coeff = ratSum(coeffs);
    if (!isZero(coeff) || hasPole(term)) out.push(scaleTerm(coeff, term));
  }
  const constant = ratSum(constants);
  if (!isZero(constant)) out.push(numNode(constant));
  if (out.length === 0) return ZERO_EXPR;
  if (out.length === 1) return out[0];
  return compound('add', sortExprs(out));
}

/**
 * The product of its arguments, canonical: flattened, equal bases merged (`x·x² → x³`),
 * numbers folded into one leading coefficient, sorted. A number times a sum stays a product
 * (`2(x − y)`, compact and shared); inside a sum it is distributed so like terms meet.
 *
 * @example
 * ```ts
 * mul(x, pow(x, 2)) === pow(x, 3); // true
 * ```
 */
export function mul(...factors: ExprLike[]): Expr {
  return mulAll(factors);
}

/** `mul` over an array: for very many factors (spreading 10⁵ arguments overflows the stack). */
export function mulAll(factors: readonly ExprLike[]): Expr {
  checkList(factors, 'mulAll');
  // Numbers are multiplied once, in a balanced tree (ratProduct): fast for many fractions.
  const numbers: Rational[] = [];
  const groups = new Map<number, { base: Expr; exps: Expr[]; original: Expr }>();
  const visit = (e: Expr): void => {
    if (e.op === 'num') {
      numbers.push(e.value!);
      return;
    }
    const [base, exp] = e.op === 'pow' ? [e.args[0], e.args[1]] : [e, ONE_EXPR];
    const g = groups.get(base.id);
    if (g) g.exps.push(exp);
    else groups.set(base.id, { base, exps: [exp], original: e });
  };
  for (const x of factors) {
    const e = toExpr(x);
    if (e.op === 'mul') for (const a of e.args) visit(a);
    else visit(e);
  }
  let coeff = ratProduct(numbers);
  // 0 times a pole (0^−k) is not 0: 0/0 is undefined, and stays as written (NaN in floats).
  const pole = groups.get(ZERO_EXPR.id)?.exps.some(isNegativeNumber) ?? false;
  if (isZero(coeff) && !pole) return ZERO_EXPR;
  const out: Expr[] = [];
  const spilled: Expr[] = [];
  for (const g of groups.values()) {
    const f = g.exps.length === 1 ? g.original : pow(g.base, addAll(g.exps));
    if (f.op === 'num') coeff = ratMul(coeff, f.value!);
    else if (f.op === 'mul' || (f.op === 'pow' ? f.args[0] : f) !== g.base) spilled.push(f);
    else out.push(f);
  }
  if (isZero(coeff) && !out.some(isPole) && !spilled.some(hasPole)) return ZERO_EXPR;
  // A merged power can become a product ((xy)^(1/2)·(xy)^(1/2) = xy) or change its base
  // ((√x)^(1/2)·(√x)^(1/2) = √x): merge again.
  if (spilled.length > 0) return mulAll([numNode(coeff), ...out, ...spilled]);
  if (out.length === 0) return numNode(coeff);
  if (out.length === 1 && isOne(coeff)) return out[0];
  sortExprs(out);
  return compound('mul', isOne(coeff) ? out : [numNode(coeff), ...out]);
}

const isNegativeNumber = (e: Expr): boolean => e.op === 'num' && e.value!.num < 0n;

/** `0^−k`: a pole, infinite wherever it is evaluated. */
const isPole = (e: Expr): boolean =>
  e.op === 'pow' && e.args[0] === ZERO_EXPR && isNegativeNumber(e.args[1]);

/** A pole, or a product with one: multiplying it by 0 does not give 0. */
const hasPole = (e: Expr): boolean => isPole(e) || (e.op === 'mul' && e.args.some(isPole));

/**
 * `base^exponent`, canonical: exact numeric powers folded (`4^(1/2) → 2`), `x^0 → 1`,
 * `x^1 → x`, `(x^a)^n → x^(a·n)` and `(x·y)^n → x^n·y^n` for integer n, `e^u → exp(u)`,
 * `exp(u)^v → exp(u·v)`. `0^(-1)` stays symbolic (it evaluates to Infinity).
 */
export function pow(base: ExprLike, exponent: ExprLike): Expr {
  const b = toExpr(base);
  const e = toExpr(exponent);
  if (e.op === 'num') {
    const ev = e.value!;
    if (isZero(ev)) return ONE_EXPR;
    if (isOne(ev)) return b;
    if (b.op === 'num') {
      const exact = ratPow(b.value!, ev);
      if (exact !== undefined) return numNode(exact);
    } else if (isInteger(ev)) {
      if (b.op === 'pow') return pow(b.args[0], mul(b.args[1], e));
      if (b.op === 'mul') return mulAll(b.args.map((f) => pow(f, e)));
      // |u|^(2k) = u^(2k) for every real u; kept as |u|, its second derivative at u = 0 would
      // be 2·sign(0)² = 0 instead of 2.
      if (b.op === 'abs' && ev.num % 2n === 0n) return pow(b.args[0], e);
    }
  }
  if (b.op === 'num' && isOne(b.value!)) return ONE_EXPR;
  if (b === E) return fn('exp', [e]);
  if (b.op === 'exp') return fn('exp', [mul(b.args[0], e)]);
  return compound('pow', [b, e]);
}

/** `a − b`, built as `a + (−1)·b`. */
export const sub = (a: ExprLike, b: ExprLike): Expr => add(a, neg(b));
/** `−a`, built as `(−1)·a`. */
export const neg = (a: ExprLike): Expr => mul(MINUS_ONE_EXPR, a);
/** `a / b`, built as `a·b^−1`. */
export const div = (a: ExprLike, b: ExprLike): Expr => mul(a, pow(b, MINUS_ONE_EXPR));
/** `√a`, built as `a^(1/2)`. */
export const sqrt = (a: ExprLike): Expr => pow(a, numNode(HALF));

/** Folds a known function at exact arguments where the result is exact; else undefined. */
function foldFunction(name: FunctionName, args: readonly Expr[]): Expr | undefined {
  const [a, b] = args;
  const v = a.op === 'num' ? a.value! : undefined;
  const atZero = functionInfo(name).atZero;
  if (v !== undefined && isZero(v) && atZero !== undefined) return numNode(rat(...atZero));
  switch (name) {
    case 'exp':
      if (v !== undefined && isOne(v)) return E;
      return undefined; // exp(log x) = x needs x > 0: simplify's job, not the canonical form's.
    case 'log':
      if (v !== undefined && isOne(v)) return ZERO_EXPR;
      if (a === E) return ONE_EXPR;
      if (a.op === 'exp') return a.args[0];
      return undefined;
    case 'log2':
    case 'log10':
      if (v !== undefined && isOne(v)) return ZERO_EXPR;
      return undefined;
    case 'acos':
    case 'acosh':
      if (v !== undefined && isOne(v)) return ZERO_EXPR;
      return undefined;
    case 'abs':
      if (v !== undefined) return numNode(v.num < 0n ? ratNeg(v) : v);
      if (a.op === 'abs') return a;
      return undefined;
    case 'sign':
      if (v !== undefined) return numNode(rat(BigInt(ratCompare(v, ZERO))));
      return undefined;
    case 'relu':
      if (v !== undefined) return numNode(ratCompare(v, ZERO) > 0 ? v : ZERO);
      return undefined;
    case 'heaviside':
      if (v !== undefined) return ratCompare(v, ZERO) > 0 ? ONE_EXPR : ZERO_EXPR;
      if (a.op === 'heaviside') return a;
      return undefined;
    case 'cbrt':
      if (v !== undefined) {
        const r = ratPow(v.num < 0n ? ratNeg(v) : v, rat(1n, 3n));
        if (r !== undefined) return numNode(v.num < 0n ? ratNeg(r) : r);
      }
      return undefined;
    case 'min':
    case 'max':
      if (a === b) return a;
      if (v !== undefined && b.op === 'num') {
        const c = ratCompare(v, b.value!);
        return (name === 'min') === c <= 0 ? a : b;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Applies a known function, folding exact values; throws ArityError on a wrong count. */
export function fn(name: FunctionName, args: readonly ExprLike[]): Expr {
  if (typeof name !== 'string' || !isFunctionName(name)) {
    throw new InvalidArgumentError(`fn: not a known function: ${describe(name)}`);
  }
  checkList(args, 'fn');
  const info = FUNCTIONS[name];
  if (args.length !== info.arity) throw new ArityError(name, String(info.arity), args.length);
  const xs = args.map(toExpr);
  return foldFunction(name, xs) ?? compound(name, xs);
}

/**
 * Applies a function by name. Known functions (and the aliases `sqrt`, `ln`, two-argument
 * `log(x, b)` = log x / log b) get their canonical form; any other name stays a symbolic
 * function application such as `f(x)` or `f1(w1*x)`.
 *
 * @example
 * ```ts
 * call('f', sym('x'));      // f(x), differentiates to f'(x)
 * call('log', x, 2);        // log(x)/log(2)
 * ```
 */
export function call(name: string, ...args: ExprLike[]): Expr {
  if (typeof name !== 'string') {
    throw new InvalidArgumentError(
      `call: the function name must be a string, got ${describe(name)}`,
    );
  }
  switch (aliasOf(name, args.length)) {
    case 'log':
      return fn('log', args);
    case 'square-root':
      return sqrt(args[0]);
    case 'log-base':
      return div(fn('log', [args[0]]), fn('log', [args[1]]));
    case undefined:
      break;
  }
  if (isFunctionName(name)) return fn(name, args);
  const range = arityRange(name);
  if (range !== undefined) throw new ArityError(name, String(range[0]), args.length);
  return derivativeCall(name, args, []);
}

/**
 * An unknown function `name` differentiated by the argument indices `partials` (0-based):
 * `derivativeCall('f', [x], [0])` is `f'(x)`. Indices are sorted (partials commute).
 */
export function derivativeCall(
  name: string,
  args: readonly ExprLike[],
  partials: readonly number[],
): Expr {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError('call: the function name must be a non-empty string');
  }
  if (arityRange(name) !== undefined) {
    throw new InvalidArgumentError(`'${name}' is a known function, not an unknown one`);
  }
  checkList(args, 'derivativeCall');
  checkList(partials, 'derivativeCall');
  if (args.length === 0) throw new ArityError(name, 'at least 1', 0);
  const xs = args.map(toExpr);
  for (const p of partials) {
    if (!Number.isInteger(p) || p < 0 || p >= xs.length) {
      throw new InvalidArgumentError(
        `partial index ${String(p)} out of range for ${name} of ${xs.length} argument(s)`,
      );
    }
  }
  const ps = [...partials].sort((a, b) => a - b);
  const key = `c${ps.join('.')}:${compoundKey(name, xs)}`;
  return intern(key, () => new Expr('call', xs, undefined, name, ps));
}

/** Rebuilds a node of the same kind with new arguments, through the canonical builders. */
export function rebuild(e: Expr, args: readonly Expr[]): Expr {
  switch (e.op) {
    case 'num':
    case 'sym':
    case 'const':
      return e;
    case 'add':
      return addAll(args);
    case 'mul':
      return mulAll(args);
    case 'pow':
      return pow(args[0], args[1]);
    case 'call':
      return derivativeCall(e.name!, args, e.partials!);
    default:
      return fn(e.op, args);
  }
}

// One named builder per known function, for library users.
const unary =
  (name: FunctionName) =>
  (x: ExprLike): Expr =>
    fn(name, [x]);
const binary =
  (name: FunctionName) =>
  (x: ExprLike, y: ExprLike): Expr =>
    fn(name, [x, y]);

/** sin(x) */ export const sin = unary('sin');
/** cos(x) */ export const cos = unary('cos');
/** tan(x) */ export const tan = unary('tan');
/** sec(x) = 1/cos(x) */ export const sec = unary('sec');
/** csc(x) = 1/sin(x) */ export const csc = unary('csc');
/** cot(x) = 1/tan(x) */ export const cot = unary('cot');
/** asin(x), domain [−1, 1] */ export const asin = unary('asin');
/** acos(x), domain [−1, 1] */ export const acos = unary('acos');
/** atan(x) */ export const atan = unary('atan');
/** atan2(y, x), the angle of the point (x, y) */ export const atan2 = binary('atan2');
/** acot(x) = atan(1/x), values in (−π/2, π/2] (acot(0) = π/2) */ export const acot = unary('acot');
/** asec(x) = acos(1/x), domain |x| ≥ 1 */ export const asec = unary('asec');
/** acsc(x) = asin(1/x), domain |x| ≥ 1 */ export const acsc = unary('acsc');
/** sinh(x) */ export const sinh = unary('sinh');
/** cosh(x) */ export const cosh = unary('cosh');
/** tanh(x) */ export const tanh = unary('tanh');
/** asinh(x) */ export const asinh = unary('asinh');
/** acosh(x), domain [1, ∞) */ export const acosh = unary('acosh');
/** atanh(x), domain (−1, 1) */ export const atanh = unary('atanh');
/** sech(x) = 1/cosh(x) */ export const sech = unary('sech');
/** csch(x) = 1/sinh(x) */ export const csch = unary('csch');
/** coth(x) = 1/tanh(x) */ export const coth = unary('coth');
/** asech(x) = acosh(1/x), domain (0, 1] */ export const asech = unary('asech');
/** acsch(x) = asinh(1/x) */ export const acsch = unary('acsch');
/** acoth(x) = atanh(1/x), domain |x| > 1 */ export const acoth = unary('acoth');
/** exp(x) */ export const exp = unary('exp');
/** Natural logarithm; `log(x, b)` is the base-b logarithm log x / log b. */
export const log = (x: ExprLike, base?: ExprLike): Expr =>
  base === undefined ? fn('log', [x]) : div(fn('log', [x]), fn('log', [base]));
/** Alias of `log` (natural logarithm). */ export const ln = (x: ExprLike): Expr => fn('log', [x]);
/** log2(x) */ export const log2 = unary('log2');
/** log10(x) */ export const log10 = unary('log10');
/** Real cube root (negative for negative x). */ export const cbrt = unary('cbrt');
/** |x| */ export const abs = unary('abs');
/** sign(x) ∈ {−1, 0, 1} */ export const sign = unary('sign');
/** min(x, y) */ export const min = binary('min');
/** max(x, y) */ export const max = binary('max');
/** Logistic sigmoid 1/(1 + e^−x). */ export const sigmoid = unary('sigmoid');
/** softplus(x) = log(1 + e^x). */ export const softplus = unary('softplus');
/** relu(x) = max(x, 0). */ export const relu = unary('relu');
/** The error function erf(x). */ export const erf = unary('erf');
/** The complementary error function erfc(x) = 1 − erf(x), accurate in the right tail. */
export const erfc = unary('erfc');
/** Unit step: 1 for x > 0, else 0 (the derivative of relu). */
export const heaviside = unary('heaviside');

export { toExpr };
