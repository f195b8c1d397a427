/**
 * The built-in rule sets. Pattern rules are written in Leibniz syntax; the few rules a
 * pattern cannot express (factoring, polynomial arithmetic) are procedures. Invariant: every
 * rule preserves the value wherever both sides are defined, rules valid only on a domain are
 * guarded by the sign analysis, and every default rule either shrinks the expression or
 * moves it towards a fixed canonical choice, so normalisation terminates.
 */
import {
  add,
  EVEN_FUNCTIONS,
  type Expr,
  type FunctionName,
  fn,
  isFunctionName,
  isNegativeTerm,
  log,
  mul,
  num,
  ODD_FUNCTIONS,
  type Op,
  postorder,
  pow,
  ratAdd,
  ratMul,
  ratNeg,
  ratPowInt,
} from '../expr/index.js';
import { looksNegative } from './assume.js';
import {
  balancedGroups,
  denominatorMeetsFactor,
  expandCandidate,
  expandedPoly,
  isExpandable,
  rationalCandidate,
} from './candidates.js';
import { expOverSum, negate } from './expforms.js';
import { commonFactor, commonToExpr, divideTerm, isTrivial } from './factor.js';
import { contentOutWeight, treeWeight } from './measure.js';
import { NodeCache } from './memo.js';
import { extractRoot, logRatio } from './numbers.js';
import { polyToExpr } from './poly.js';
import { togetherSum } from './quotient.js';
import { guards, procedure, type Rule, type RuleContext, rule } from './rule.js';

const positive = (e: Expr | undefined, ctx: RuleContext): boolean =>
  e !== undefined && ctx.signs.isPositive(e);
const nonnegative = (e: Expr | undefined, ctx: RuleContext): boolean =>
  e !== undefined && ctx.signs.isNonnegative(e);
const nonpositive = (e: Expr | undefined, ctx: RuleContext): boolean =>
  e !== undefined && ctx.signs.isNonpositive(e);
const negative = (e: Expr | undefined, ctx: RuleContext): boolean =>
  e !== undefined && ctx.signs.isNegative(e);
/** A rule that drops its argument must not define a result where the argument is NaN. */
const defined = (e: Expr | undefined, ctx: RuleContext): boolean =>
  e !== undefined && ctx.signs.isDefined(e);

/** Keeps a procedural rewrite only when it makes the expression strictly smaller. */
const ifSmaller = (before: Expr, after: Expr | undefined): Expr | undefined =>
  after !== undefined && after !== before && treeWeight(after) < treeWeight(before)
    ? after
    : undefined;

// ---------------------------------------------------------------------------------------
// Arithmetic and powers (beyond the canonical form the builders already give)

/**
 * Powers, absolute values and signs.
 *
 * @example
 * ```ts
 * format(rewrite(parse('sqrt(x^2)'), POWER_RULES)); // 'abs(x)'
 * ```
 */
export const POWER_RULES: readonly Rule[] = [
  rule('pow-pow', '(?x^?a)^?b', '?x^(?a*?b)', {
    where: ({ x }, ctx) => nonnegative(x, ctx),
    needs: ['nonnegative'],
    description: '(x^a)^b → x^(a·b) for x ≥ 0 (integer b is already canonical)',
  }),
  rule('pow-even-pow', '(?x^?a)^?b', 'abs(?x)^(?a*?b)', {
    where: ({ a }) => guards.isEven(a),
    description: '(x^(2k))^b → |x|^(2k·b) for real x: sqrt(x^2) → abs(x)',
  }),
  rule('abs-nonnegative', 'abs(?x)', '?x', {
    where: ({ x }, ctx) => nonnegative(x, ctx),
    needs: ['nonnegative'],
  }),
  rule('abs-nonpositive', 'abs(?x)', '-?x', {
    where: ({ x }, ctx) => nonpositive(x, ctx),
    needs: ['nonnegative'],
  }),
  rule('sign-positive', 'sign(?x)', '1', {
    where: ({ x }, ctx) => positive(x, ctx) && defined(x, ctx),
    needs: ['positive'],
  }),
  rule('sign-negative', 'sign(?x)', '-1', {
    where: ({ x }, ctx) => negative(x, ctx) && defined(x, ctx),
    needs: ['positive'],
  }),
  rule('relu-nonnegative', 'relu(?x)', '?x', {
    where: ({ x }, ctx) => nonnegative(x, ctx),
    needs: ['nonnegative'],
  }),
  rule('relu-nonpositive', 'relu(?x)', '0', {
    where: ({ x }, ctx) => nonpositive(x, ctx) && defined(x, ctx),
    needs: ['nonnegative'],
  }),
  rule('heaviside-positive', 'heaviside(?x)', '1', {
    where: ({ x }, ctx) => positive(x, ctx) && defined(x, ctx),
    needs: ['positive'],
  }),
  rule('heaviside-nonpositive', 'heaviside(?x)', '0', {
    where: ({ x }, ctx) => nonpositive(x, ctx) && defined(x, ctx),
    needs: ['nonnegative'],
  }),
  procedure(
    'pow-even-sign',
    ['pow'],
    '(−u)^n → u^n for even n: one sign per sum, so (x−y)² and (y−x)² meet',
    (node) => {
      const [u, n] = node.args;
      return u.op === 'add' && guards.isEven(n) && looksNegative(u, true)
        ? pow(negate(u), n)
        : undefined;
    },
    undefined,
    ['add'],
  ),
  procedure(
    'pow-odd-sign',
    ['pow'],
    '(−u)^n → −u^n for odd n when u is mostly negative terms',
    (node) => {
      const [u, n] = node.args;
      return u.op === 'add' && guards.isOdd(n) && looksNegative(u, false)
        ? mul(-1, pow(negate(u), n))
        : undefined;
    },
    undefined,
    ['add'],
  ),
  procedure(
    'root-of-number',
    ['pow'],
    'roots of numbers in lowest terms: √8 → 2√2, 8^(3/2) → 16√2, 1/√2 → √2/2, √(1/12) → √3/6',
    (node) => {
      const [b, e] = node.args;
      if (b.op !== 'num' || e.op !== 'num') return undefined;
      const r = extractRoot(b.value!, e.value!);
      return r === undefined ? undefined : mul(num(r.outside), pow(num(r.inside), num(r.exponent)));
    },
  ),
  procedure(
    'root-of-product',
    ['pow'],
    'a root of a product takes out what it can: a number’s perfect powers and nonnegative powers that come out whole: √(4x²) → 2|x|, √(8y) → 2√(2y)',
    (node, ctx) => rootOfProduct(node, ctx),
  ),
];

/** Functions that are zero (or constant) on whole intervals: pulling their powers out of a
 * root could turn 0^(1/2)·… into 0·NaN on a region. */
const PIECEWISE: ReadonlySet<string> = new Set(['relu', 'heaviside', 'sign', 'min', 'max']);

/** root-of-product: (c·b^k·rest)^e → c_out·(b^k)^e·(c_in·rest)^e when b^k·e is whole. */
function rootOfProduct(node: Expr, ctx: RuleContext): Expr | undefined {
  const [base, e] = node.args;
  if (base.op !== 'mul' || e.op !== 'num' || e.value!.den === 1n) return undefined;
  const out: Expr[] = [];
  const kept: Expr[] = [];
  for (const f of base.args) {
    if (f.op === 'num') {
      const r = f.value!.num > 0n ? extractRoot(f.value!, e.value!, false) : undefined;
      if (r === undefined) kept.push(f);
      else {
        // c^e = k·s^m with m − e whole; s stays inside (raised to e): k·s^(m − e) comes out.
        const whole = ratAdd(r.exponent, ratNeg(e.value!));
        const k = ratPowInt(r.inside, whole.num);
        if (k === undefined) return undefined;
        out.push(num(ratMul(r.outside, k)));
        kept.push(num(r.inside));
      }
      continue;
    }
    const k = f.op === 'pow' && f.args[1].op === 'num' ? f.args[1].value! : undefined;
    const whole = k !== undefined && (k.num * e.value!.num) % (k.den * e.value!.den) === 0n;
    if (whole && safeNonnegative(f, ctx)) out.push(pow(f, e));
    else kept.push(f);
  }
  if (out.length === 0) return undefined;
  return mul(...out, pow(mul(...kept), e));
}

// ---------------------------------------------------------------------------------------
// Exponentials and logarithms

/**
 * Exponentials and logarithms that never grow the expression.
 *
 * @example
 * ```ts
 * format(rewrite(parse('exp(a)*exp(b)'), EXP_LOG_RULES)); // 'exp(a + b)'
 * ```
 */
export const EXP_LOG_RULES: readonly Rule[] = [
  rule('exp-product', 'exp(?a)*exp(?b)', 'exp(?a+?b)'),
  rule('exp-log', 'exp(log(?x))', '?x', {
    where: ({ x }, ctx) => positive(x, ctx),
    needs: ['positive'],
  }),
  rule('exp-log-power', 'exp(?k*log(?x))', '?x^?k', {
    where: ({ x }, ctx) => positive(x, ctx),
    needs: ['positive'],
  }),
  rule('exp-log-sum', 'exp(?a + ?k*log(?x))', '?x^?k*exp(?a)', {
    where: ({ x }, ctx) => positive(x, ctx),
    needs: ['positive'],
  }),
  procedure(
    'log-of-number-power',
    ['mul'],
    'an integer coefficient of the logarithm of a rational goes inside when that is smaller: 2·log(10) → log(100)',
    (node) => {
      const c = node.args[0];
      if (c.op !== 'num' || c.value!.den !== 1n) return undefined;
      const i = node.args.findIndex((f) => f.op === 'log' && f.args[0].op === 'num');
      if (i < 0) return undefined;
      const k = c.value!.num < 0n ? -c.value!.num : c.value!.num;
      const a = node.args[i].args[0].value!;
      // log(a^k) = k·log(a) needs a > 0 (log of a negative number is NaN).
      const power = k <= 16n && a.num > 0n ? ratPowInt(a, k) : undefined;
      if (power === undefined || power.num > 10n ** 6n || power.den > 10n ** 6n) return undefined;
      const sign = c.value!.num < 0n ? -1 : 1;
      const rest = node.args.filter((_, j) => j !== 0 && j !== i);
      return ifSmaller(node, mul(sign, log(num(power)), ...rest));
    },
    undefined,
    ['log'],
  ),
  procedure(
    'log-ratio-exact',
    ['mul'],
    'logarithms of rationals in a rational base are exact when they can be: log(8, 2) = log 8 / log 2 → 3, log(1/9)/log(27) → −2/3',
    (node) => {
      if (!node.args.some((f) => f.op === 'pow' && f.args[0].op === 'log')) return undefined;
      const logs = node.args.filter((f) => f.op === 'log' && f.args[0].op === 'num');
      const inverse = node.args.filter(
        (f) =>
          f.op === 'pow' &&
          f.args[1].op === 'num' &&
          f.args[1].value!.num === -1n &&
          f.args[1].value!.den === 1n &&
          f.args[0].op === 'log' &&
          f.args[0].args[0].op === 'num',
      );
      for (const top of logs) {
        for (const bottom of inverse) {
          const k = logRatio(top.args[0].value!, bottom.args[0].args[0].value!);
          if (k === undefined) continue;
          const rest = node.args.filter((f) => f !== top && f !== bottom);
          return mul(num(k), ...rest);
        }
      }
      return undefined;
    },
    undefined,
    ['log'],
  ),
];

/**
 * Logarithm expansion: `log(a·b) → log a + log b`, `log(a^b) → b·log a` (under positivity)
 * and `log(x^(2k)) → 2k·log|x|`. These can grow the expression, so `simplify` tries them
 * as a separate candidate and keeps the smaller result.
 *
 * @example
 * ```ts
 * format(rewrite(parse('log(x*y)'), EXPAND_LOG_RULES, { assume: { positive: ['x', 'y'] } }));
 * // 'log(x) + log(y)'
 * ```
 */
export const EXPAND_LOG_RULES: readonly Rule[] = [
  procedure(
    'log-product',
    ['log'],
    'log(a·b·…) → log a + log b + … when every factor is positive',
    (node, ctx) => {
      const arg = node.args[0];
      // All factors, not all but one: log(2x) − log(x) would otherwise cancel to log 2 where
      // the original is undefined (x < 0).
      if (arg.op !== 'mul' || !arg.args.every((f) => ctx.signs.isPositive(f))) return undefined;
      return add(...arg.args.map((f) => log(f)));
    },
    ['positive'],
  ),
  rule('log-power', 'log(?x^?b)', '?b*log(?x)', {
    where: ({ x }, ctx) => positive(x, ctx),
    needs: ['positive'],
  }),
  rule('log-even-power', 'log(?x^?n)', '?n*log(abs(?x))', { where: ({ n }) => guards.isEven(n) }),
];

// ---------------------------------------------------------------------------------------
// Trigonometric and hyperbolic

/**
 * Pythagorean identities and quotients. `1 − tanh²u` is the canonical derivative form.
 *
 * @example
 * ```ts
 * format(rewrite(parse('3*sin(u)^2 + 3*cos(u)^2 + r'), TRIG_RULES)); // 'r + 3'
 * ```
 */
export const TRIG_RULES: readonly Rule[] = [
  rule('sin-cos-square', '?a*sin(?u)^2 + ?a*cos(?u)^2', '?a'),
  rule('cosh-sinh-square', '?a*cosh(?u)^2 - ?a*sinh(?u)^2', '?a'),
  rule('one-minus-sin-square', '1 - sin(?u)^2', 'cos(?u)^2'),
  rule('one-minus-cos-square', '1 - cos(?u)^2', 'sin(?u)^2'),
  rule('cosh-square-minus-one', 'cosh(?u)^2 - 1', 'sinh(?u)^2'),
  rule('one-plus-sinh-square', '1 + sinh(?u)^2', 'cosh(?u)^2'),
  rule('sin-over-cos', 'sin(?u)*cos(?u)^-1', 'tan(?u)'),
  rule('sinh-over-cosh', 'sinh(?u)*cosh(?u)^-1', 'tanh(?u)'),
  rule('tan-times-cos', 'tan(?u)*cos(?u)', 'sin(?u)'),
  rule('tanh-times-cosh', 'tanh(?u)*cosh(?u)', 'sinh(?u)'),
  rule('one-plus-tan-square', '1 + tan(?u)^2', 'sec(?u)^2'),
  rule('one-plus-cot-square', '1 + cot(?u)^2', 'csc(?u)^2'),
  rule('cos-over-sin', 'cos(?u)*sin(?u)^-1', 'cot(?u)'),
  rule('tan-reciprocal', 'tan(?u)^?n', ({ u, n }) => pow(fn('cot', [u]), mul(-1, n)), {
    where: ({ n }) => guards.isInteger(n) && n!.value!.num < 0n,
    description: 'tan(u)^(−n) → cot(u)^n: 1/tan(x) → cot(x)',
  }),
  rule('cot-reciprocal', 'cot(?u)^?n', ({ u, n }) => pow(fn('tan', [u]), mul(-1, n)), {
    where: ({ n }) => guards.isInteger(n) && n!.value!.num < 0n,
    description: 'cot(u)^(−n) → tan(u)^n: 1/cot(x) → tan(x)',
  }),
  rule('tan-atan', 'tan(atan(?u))', '?u'),
  rule('sinh-asinh', 'sinh(asinh(?u))', '?u'),
  rule('asinh-sinh', 'asinh(sinh(?u))', '?u'),
];

const half = (e: Expr): Expr => mul(num({ num: 1n, den: 2n }), e);

/**
 * A product-to-sum rule for products with exactly two sines or cosines (of different
 * arguments, to the first power): beyond two, the sums multiply out into many terms.
 */
function productToSum(
  id: string,
  f: 'sin' | 'cos',
  g: 'sin' | 'cos',
  description: string,
  sum: (a: Expr, b: Expr) => Expr,
): Rule {
  const requires: readonly Op[] = f === g ? [f] : [f, g];
  const apply = (node: Expr): Expr | undefined => {
    let count = 0;
    for (const x of node.args) if (x.op === f || x.op === g) count++;
    if (count !== 2) return undefined;
    const trig = node.args.filter(
      (x) =>
        x.op === 'sin' ||
        x.op === 'cos' ||
        (x.op === 'pow' && (x.args[0].op === 'sin' || x.args[0].op === 'cos')),
    );
    if (trig.length !== 2 || trig.some((x) => x.op === 'pow')) return undefined;
    const [p, q] = trig[0].op === f ? trig : [trig[1], trig[0]];
    if (p.op !== f || q.op !== g || p.args[0] === q.args[0]) return undefined;
    const rest = node.args.filter((x) => x !== p && x !== q);
    return mul(half(sum(p.args[0], q.args[0])), ...rest);
  };
  return procedure(id, ['mul'], description, apply, undefined, requires);
}

/**
 * Trigonometric contraction: double angles (`2 sin u cos u → sin 2u`, `cos²u − sin²u →
 * cos 2u`, and the hyperbolic ones) and products to sums (`sin a cos b → (sin(a + b) +
 * sin(a − b))/2`). They can grow an expression, so `simplify` tries them as a separate
 * candidate and keeps the result per root only when it is smaller (`use: ['trig-contract']`
 * applies them always).
 *
 * @example
 * ```ts
 * format(simplify(parse('2*sin(x)*cos(x)')));                     // 'sin(2*x)'
 * format(simplify(parse('2*cos(2*x)*cos(3*x) - 3*sin(2*x)*sin(3*x)'))); // '(5*cos(5*x) - cos(x))/2'
 * ```
 */
export const TRIG_CONTRACT_RULES: readonly Rule[] = [
  rule('sin-double', '?a*sin(?u)*cos(?u)', ({ a, u }) => mul(half(a!), fn('sin', [mul(2, u!)])), {
    description: 'a·sin u·cos u → a·sin(2u)/2',
  }),
  rule(
    'sinh-double',
    '?a*sinh(?u)*cosh(?u)',
    ({ a, u }) => mul(half(a!), fn('sinh', [mul(2, u!)])),
    {
      description: 'a·sinh u·cosh u → a·sinh(2u)/2',
    },
  ),
  rule('sin-double-reciprocal', '?a/(sin(?u)*cos(?u))', '2*?a/sin(2*?u)', {
    description: 'a/(sin u·cos u) → 2a/sin(2u)',
  }),
  rule('sinh-double-reciprocal', '?a/(sinh(?u)*cosh(?u))', '2*?a/sinh(2*?u)', {
    description: 'a/(sinh u·cosh u) → 2a/sinh(2u)',
  }),
  rule('cos-double', '?a*cos(?u)^2 - ?a*sin(?u)^2', '?a*cos(2*?u)'),
  rule('cos-double-from-sin', '1 - 2*sin(?u)^2', 'cos(2*?u)'),
  rule('cos-double-from-cos', '2*cos(?u)^2 - 1', 'cos(2*?u)'),
  rule('cosh-double', '?a*cosh(?u)^2 + ?a*sinh(?u)^2', '?a*cosh(2*?u)'),
  productToSum(
    'sin-cos-to-sum',
    'sin',
    'cos',
    'sin a·cos b → (sin(a + b) + sin(a − b))/2',
    (a, b) => add(fn('sin', [add(a, b)]), fn('sin', [add(a, mul(-1, b))])),
  ),
  productToSum(
    'cos-cos-to-sum',
    'cos',
    'cos',
    'cos a·cos b → (cos(a − b) + cos(a + b))/2',
    (a, b) => add(fn('cos', [add(a, mul(-1, b))]), fn('cos', [add(a, b)])),
  ),
  productToSum(
    'sin-sin-to-sum',
    'sin',
    'sin',
    'sin a·sin b → (cos(a − b) − cos(a + b))/2',
    (a, b) => add(fn('cos', [add(a, mul(-1, b))]), mul(-1, fn('cos', [add(a, b)]))),
  ),
];

/**
 * Optional: `1 − tanh²u → 1/cosh²u`. Two printed nodes shorter inside a product (`a/cosh(u)^2`
 * against `a*(1 - tanh(u)^2)`) and accurate for large |u|, where 1 − tanh²u cancels to 0;
 * not default, because the derivative form reuses the value of tanh(u).
 *
 * @example
 * ```ts
 * format(simplify(parse('2*y*(1 - tanh(x)^2)'), { use: ['hyperbolic'] })); // '2*y/cosh(x)^2'
 * ```
 */
export const HYPERBOLIC_RULES: readonly Rule[] = [
  rule('one-minus-tanh-square', '1 - tanh(?u)^2', 'cosh(?u)^-2', {
    description: '1 − tanh²u → 1/cosh²u',
  }),
];

const ODD = ODD_FUNCTIONS;
const EVEN = EVEN_FUNCTIONS;

/**
 * Parity: odd functions take the sign out (`sin(−u) → −sin u`) when the argument is mostly
 * negative terms; even functions drop it (`cos(−u) → cos u`) and, for a sum with as many
 * negative as positive terms, pick the sign whose first term is positive (`cos(y − x) →
 * cos(x − y)`), so equal values meet.
 *
 * @example
 * ```ts
 * format(rewrite(parse('sin(-x) + cos(y - x)'), PARITY_RULES)); // 'cos(x - y) - sin(x)'
 * ```
 */
export const PARITY_RULES: readonly Rule[] = [
  ...ODD.map((f) =>
    rule(`${f}-odd`, `${f}(?u)`, ({ u }) => mul(-1, fn(f, [negate(u)])), {
      where: ({ u }) => looksNegative(u, false),
      description: `${f}(−u) → −${f}(u)`,
    }),
  ),
  ...EVEN.map((f) =>
    rule(`${f}-even`, `${f}(?u)`, ({ u }) => fn(f, [negate(u)]), {
      where: ({ u }) => looksNegative(u, true),
      description: `${f}(−u) → ${f}(u)`,
    }),
  ),
  procedure(
    'odd-sign-product',
    ['mul'],
    'in a product, odd functions pick one sign per sum as even ones do (the sign joins the coefficient), so sinh(y − x)/cosh(y − x) → −tanh(x − y)',
    (node) => {
      const candidate = (f: Expr): boolean => {
        const g = f.op === 'pow' ? f.args[0] : f;
        return g.args.length === 1 && g.args[0].op === 'add' && isOdd(g.op);
      };
      if (!node.args.some(candidate)) return undefined;
      let sign = 1;
      let changed = false;
      const factors = node.args.map((f) => {
        const [g, k] =
          f.op === 'pow' && f.args[1].op === 'num' && f.args[1].value!.den === 1n
            ? [f.args[0], f.args[1].value!.num]
            : [f, 1n];
        if (!isOdd(g.op) || g.args.length !== 1) return f;
        const u = g.args[0];
        if (u.op !== 'add' || !looksNegative(u, true)) return f;
        changed = true;
        if (k % 2n !== 0n) sign = -sign;
        return pow(fn(g.op as FunctionName, [negate(u)]), num(k));
      });
      return changed ? mul(sign, ...factors) : undefined;
    },
  ),
];

const isOdd = (op: string): boolean => isFunctionName(op) && ODD.includes(op);

// ---------------------------------------------------------------------------------------
// Machine learning

/**
 * The logistic function's identities, in the compact derivative form σ·(1 − σ).
 *
 * @example
 * ```ts
 * format(rewrite(parse('sigmoid(x) - sigmoid(x)^2'), ML_RULES)); // 'sigmoid(x)*(1 - sigmoid(x))'
 * ```
 */
export const ML_RULES: readonly Rule[] = [
  rule('sigmoid-derivative', 'exp(-?u)*sigmoid(?u)', '1 - sigmoid(?u)', {
    description: 'e^(−u)·σ(u) → 1 − σ(u), so e^(−u)·σ(u)² → σ(u)·(1 − σ(u))',
  }),
  rule(
    'sigmoid-derivative-factor',
    '?a*sigmoid(?u) - ?a*sigmoid(?u)^2',
    '?a*sigmoid(?u)*(1 - sigmoid(?u))',
    {
      description: 'a·σ − a·σ² → a·σ·(1 − σ) (the derivative form, which compiled code reuses)',
    },
  ),
];

/**
 * Optional: recognise the logistic function written out, `1/(1 + exp(−u)) → sigmoid(u)`.
 *
 * @example
 * ```ts
 * format(simplify(parse('1/(1 + exp(-x))'), { use: ['sigmoid'] })); // 'sigmoid(x)'
 * ```
 */
export const SIGMOID_RULES: readonly Rule[] = [
  rule('sigmoid-intro', '(1 + exp(-?u))^?n', 'sigmoid(?u)^(-?n)', {
    where: ({ n }) => guards.isNumber(n),
    description: '(1 + e^(−u))^n → σ(u)^(−n) (1/(1 + exp(−u)) → sigmoid(u))',
  }),
];

// ---------------------------------------------------------------------------------------
// Factoring, expansion and quotients (procedures)

/**
 * Procedures: common factors out of sums (so they cancel in quotients), expansion and
 * polynomial quotients, each kept only when it makes its node strictly smaller.
 *
 * @example
 * ```ts
 * format(rewrite(parse('(2*x + 2)/(x + 1)'), FACTOR_RULES)); // '2'
 * ```
 */
export const FACTOR_RULES: readonly Rule[] = [
  procedure(
    'factor-content',
    ['mul', 'pow'],
    'common factors of a sum inside a product or power move out, so they cancel: (2x+2)/(x+1) → 2',
    (node, ctx) => ifSmaller(node, factorContent(node, ctx)),
    undefined,
    ['add'],
  ),
  procedure(
    'together-in-product',
    ['mul'],
    'a sum with a denominator, inside a product (or the base of a negative power there), goes over its denominator when that cancels: (1/s − y)·s → 1 − y·s, c²·(u²/c² + 1) → u² + c²',
    (node) => {
      let changed = false;
      const factors = node.args.map((f) => {
        if (f.op === 'add') {
          if (!denominatorMeetsFactor(node, f)) return f;
          const t = togetherSum(f);
          changed ||= t !== f;
          return t;
        }
        // 1/(u²/c² + 1) among c^−2's factors: the sum over its denominator cancels them.
        const k = f.op === 'pow' && f.args[1].op === 'num' ? f.args[1].value! : undefined;
        if (k === undefined || k.den !== 1n || k.num >= 0n || f.args[0].op !== 'add') return f;
        if (!denominatorMeetsFactor(node, f.args[0], true)) return f;
        const t = togetherSum(f.args[0]);
        if (t === f.args[0]) return f;
        changed = true;
        return pow(t, f.args[1]);
      });
      return changed ? ifSmaller(node, mul(...factors)) : undefined;
    },
    undefined,
    ['add'],
  ),
  procedure(
    'cancel-quotient',
    ['mul', 'pow'],
    'quotients are reduced by the multivariate GCD of numerator and denominator, which stays factored: (x²−y²)/(x−y) → x + y',
    (node, ctx) => ifSmaller(node, rationalCandidate(node, ctx)),
    undefined,
    ['add'],
  ),
  procedure(
    'together-if-smaller',
    ['add'],
    'fractions are combined over a common, factored denominator and cancelled when that is smaller (exp(−u) as 1/exp(u), √x and x^(3/2) as powers of one root)',
    (node, ctx) => ifSmaller(node, rationalCandidate(node, ctx)),
  ),
  procedure(
    'factor-common',
    ['add'],
    'a factor every term shares moves out of the sum: x·y + x·z → x·(y + z), 2x + 2y → 2(x + y)',
    (node) => {
      const c = commonFactor(node.args);
      // A sign alone never helps: in a sum each term's sign is a free binary minus.
      if (isTrivial(c) || (c.factors.length === 0 && c.coeff.num === -1n && c.coeff.den === 1n))
        return undefined;
      // A number alone: weigh the factored sum before building it.
      if (c.factors.length === 0 && contentOutWeight(node.args, c.coeff) >= treeWeight(node))
        return undefined;
      return ifSmaller(node, mul(commonToExpr(c), add(...node.args.map((t) => divideTerm(t, c)))));
    },
  ),
  procedure(
    'expand-radicand',
    ['pow'],
    'a root of a sum of powers of sums is expanded and its common factor taken out when that is smaller: √(1 − (2x − 1)²) → 2√(x(1 − x))',
    (node, ctx) => {
      const [base, e] = node.args;
      if (e.op !== 'num' || e.value!.den === 1n || !isExpandable(base)) return undefined;
      const x = expandedPoly(base, ctx);
      if (x === undefined) return undefined;
      const expanded = polyToExpr(x.p, x.atoms);
      if (expanded.op !== 'add') return ifSmaller(node, pow(expanded, e));
      const c = commonFactor(expanded.args);
      const inner = isTrivial(c)
        ? expanded
        : mul(commonToExpr(c), add(...expanded.args.map((t) => divideTerm(t, c))));
      const candidate = pow(inner, e);
      return ifSmaller(
        node,
        candidate.op === 'pow' ? (rootOfProduct(candidate, ctx) ?? candidate) : candidate,
      );
    },
    undefined,
    ['add'],
  ),
  procedure(
    'expand-if-smaller',
    ['add', 'mul'],
    'products and powers of sums are expanded when that is smaller (derivatives of products)',
    (node, ctx) => ifSmaller(node, expandCandidate(node, ctx)),
  ),
];

/** factor-content: the rewrite (not yet compared by size). */
/** A sum's common factor and cofactor (null: none), cached: one sum sits in many products. */
const PULLED = new NodeCache<{ common: Expr; rest: Expr } | null>();

function pull(sum: Expr): { common: Expr; rest: Expr } | undefined {
  let p = PULLED.get(sum);
  if (p === undefined) {
    const c = commonFactor(sum.args, looksNegative(sum, false));
    p = isTrivial(c)
      ? null
      : { common: commonToExpr(c), rest: add(...sum.args.map((t) => divideTerm(t, c))) };
    PULLED.settle().set(sum, p);
  }
  return p ?? undefined;
}

function factorContent(node: Expr, ctx: RuleContext): Expr | undefined {
  // (c·s)^e = c^e·s^e: any c for an integer e; for other e, c ≥ 0 and not zero on a region.
  const splits = (common: Expr, e: Expr): boolean =>
    (e.op === 'num' && e.value!.den === 1n) || safeNonnegative(common, ctx);
  // A sign alone only moves a minus around (the power sign rules handle powers), unless
  // every term of the sum is negative.
  const signOnly = (common: Expr, sum: Expr): boolean =>
    common.op === 'num' &&
    common.value!.num === -1n &&
    common.value!.den === 1n &&
    !sum.args.every(isNegativeTerm);
  if (node.op === 'pow') {
    const [base, e] = node.args;
    if (base.op !== 'add') return undefined;
    const p = pull(base);
    if (p === undefined || signOnly(p.common, base) || !splits(p.common, e)) return undefined;
    return mul(pow(p.common, e), pow(p.rest, e));
  }
  let changed = false;
  const factors = node.args.map((f) => {
    const isPow = f.op === 'pow' && f.args[0].op === 'add' && f.args[1].op === 'num';
    const sum = f.op === 'add' ? f : isPow ? f.args[0] : undefined;
    if (sum === undefined) return f;
    const p = pull(sum);
    if (p === undefined || signOnly(p.common, sum) || (isPow && !splits(p.common, f.args[1])))
      return f;
    changed = true;
    return isPow ? mul(pow(p.common, f.args[1]), pow(p.rest, f.args[1])) : mul(p.common, p.rest);
  });
  return changed ? mul(...factors) : undefined;
}

/**
 * Nonnegative, defined, and not built from piecewise functions that vanish on whole
 * intervals: then u^e·v^e = (u·v)^e wherever the right side is defined, up to isolated
 * zeros of u.
 */
function safeNonnegative(u: Expr, ctx: RuleContext): boolean {
  return (
    ctx.signs.isNonnegative(u) &&
    ctx.signs.isDefined(u) &&
    (u.op === 'num' || !postorder(u).some((n) => PIECEWISE.has(n.op)))
  );
}

/**
 * Finishing forms, applied once to every product of the result and kept when smaller: an
 * exponential over eᵛ ± 1 as a hyperbolic function. Not part of normalisation, where it
 * would hide the exponentials from the rational forms of the sums around them.
 */
export const FINISH_FORM_RULES: readonly Rule[] = [
  procedure(
    'exp-over-sum-hyperbolic',
    ['mul'],
    'an exponential over a power of eᵛ ± 1 balances into a hyperbolic function when that is smaller (eᵛ ± 1 = 2·e^(v/2)·cosh or sinh(v/2)): eˣ/(e²ˣ + 1) → 1/(2·cosh x), eᵛ/(eᵛ + 1)² → 1/(4·cosh²(v/2))',
    (node) => expOverSum(node),
    undefined,
    ['exp', 'add'],
  ),
];

/**
 * Applied once to the result, to products that are not terms of a sum (in a sum the sign
 * is the binary minus anyway, and rewriting terms there would only make the sum normalise
 * again): a negative product takes its sign into a sum factor.
 */
export const FINISH_SIGN_RULES: readonly Rule[] = [
  procedure(
    'negate-sum-factor',
    ['mul'],
    'a negative product takes its sign into a sum factor when that saves the minus: −(x − a)·y → (a − x)·y',
    (node) => {
      const c = node.args[0];
      if (c.op !== 'num' || c.value!.num >= 0n) return undefined;
      // Negating a sum flips its terms' signs: it costs a node only when every term was
      // positive (then all are negative), and the product saves its own minus.
      const i = node.args.findIndex((f) => f.op === 'add' && f.args.some(isNegativeTerm));
      if (i < 0) return undefined;
      return mul(
        ...node.args.map((f, j) => (j === 0 ? num(ratNeg(c.value!)) : j === i ? negate(f) : f)),
      );
    },
    undefined,
    ['add'],
  ),
];

/**
 * Tried first, and only, at the roots while normalising (and at what they become): a root
 * product's exponentials that balance exactly against powers of e^v ± 1, in groups that
 * share no atom with its other factors, are written as hyperbolic functions right away,
 * before they are merged with other exponentials only to be split again. Inside a sum a
 * product waits for the finishing rules, so that the sum can first combine its terms.
 *
 * @example
 * ```ts
 * format(simplify(parse('x*exp(w*x)/(exp(w*x) + 1)^2'))); // 'x/(4*cosh(w*x/2)^2)'
 * ```
 */
export const ROOT_RULES: readonly Rule[] = [
  procedure(
    'exp-over-sum-hyperbolic',
    ['mul'],
    'at a root: exponentials that balance exactly against powers of eᵛ ± 1, in groups that share no atom with the other factors, as hyperbolic functions',
    (node) => ifSmaller(node, balancedGroups(node)),
    undefined,
    ['exp', 'add'],
  ),
];

/**
 * The finishing rules, once on the result: forms on every product, then signs on products
 * that are not terms of a sum.
 *
 * @example
 * ```ts
 * format(simplify(parse('-2*x*(y - tanh(x))'))); // '2*x*(tanh(x) - y)'
 * format(simplify(parse('exp(x)/(exp(2*x) + 1)'))); // '1/(2*cosh(x))'
 * ```
 */
export const FINISH_RULES: readonly Rule[] = [...FINISH_FORM_RULES, ...FINISH_SIGN_RULES];

/**
 * Exact numbers in lowest terms (`root-of-number`, `root-of-product`, and the power rules
 * that tidy what they take out: (x²)^(1/2) → |x|): `simplify` applies them to its input
 * even when they add a node (√8 → 2√2), as a text writes numbers.
 *
 * @example
 * ```ts
 * format(rewrite(parse('sqrt(8)'), NUMBER_RULES)); // '2*sqrt(2)'
 * ```
 */
export const NUMBER_RULES: readonly Rule[] = POWER_RULES.filter((r) =>
  ['root-of-number', 'root-of-product', 'pow-pow', 'pow-even-pow'].includes(r.id),
);

/**
 * The default rule list of `simplify`, in the order they are tried at each node.
 *
 * @example
 * ```ts
 * rewrite(expr, DEFAULT_RULES); // simplify without the final size check and log candidate
 * ```
 */
export const DEFAULT_RULES: readonly Rule[] = [
  // Sign-aware rules first: they consult the assumptions before parity moves signs around.
  ...POWER_RULES,
  ...PARITY_RULES,
  // Before exp-product, which would merge the e^(−u) that σ·e^(−u) → 1 − σ needs.
  ...ML_RULES,
  ...EXP_LOG_RULES,
  ...TRIG_RULES,
  ...FACTOR_RULES,
];

/**
 * The built-in rule sets by name (the names `simplify`'s `use` option takes).
 *
 * @example
 * ```ts
 * RULE_SETS.trig.map((r) => r.id); // ['sin-cos-square', 'cosh-sinh-square', ...]
 * ```
 */
export const RULE_SETS = {
  power: POWER_RULES,
  finish: FINISH_RULES,
  'trig-contract': TRIG_CONTRACT_RULES,
  'exp-log': EXP_LOG_RULES,
  'expand-log': EXPAND_LOG_RULES,
  trig: TRIG_RULES,
  parity: PARITY_RULES,
  ml: ML_RULES,
  sigmoid: SIGMOID_RULES,
  hyperbolic: HYPERBOLIC_RULES,
  factor: FACTOR_RULES,
} as const satisfies Record<string, readonly Rule[]>;

/**
 * Names of the built-in rule sets.
 *
 * @example
 * ```ts
 * const extra: RuleSetName[] = ['sigmoid'];
 * ```
 */
export type RuleSetName = keyof typeof RULE_SETS;
