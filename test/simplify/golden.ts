/**
 * Golden table: for every rule, inputs and the expected output of `simplify`, readable as
 * documentation (docs/simplify.md's rule list is generated from this table and the rules'
 * metadata; golden.test.ts checks both). Outputs are `format`'s text.
 */
import { EVEN_FUNCTIONS, ODD_FUNCTIONS } from '../../src/expr/index.js';
import type { SimplifyOptions } from '../../src/simplify/index.js';

/** One row: `simplify(parse(input), options)` prints as `output`, and `rule` fires. */
export interface GoldenRow {
  readonly rule: string;
  readonly input: string;
  readonly output: string;
  readonly options?: SimplifyOptions;
}

const positive = (...names: string[]): SimplifyOptions => ({ assume: { positive: names } });
const nonnegative = (...names: string[]): SimplifyOptions => ({ assume: { nonnegative: names } });

const ODD = ODD_FUNCTIONS;
const EVEN = EVEN_FUNCTIONS;

export const GOLDEN: readonly GoldenRow[] = [
  // power
  { rule: 'pow-pow', input: '(x^a)^b', output: 'x^(a*b)', options: nonnegative('x') },
  { rule: 'pow-pow', input: 'sqrt(x^3)', output: 'x^(3/2)', options: nonnegative('x') },
  { rule: 'pow-even-pow', input: 'sqrt(x^2)', output: 'abs(x)' },
  { rule: 'pow-even-pow', input: '(x^4)^(1/2)', output: 'x^2' },
  { rule: 'abs-even-pow', input: 'abs(x)^2', output: 'x^2' },
  { rule: 'abs-nonnegative', input: 'abs(x^2 + 1)', output: 'x^2 + 1' },
  { rule: 'abs-nonnegative', input: 'abs(x*y)', output: 'x*y', options: nonnegative('x', 'y') },
  { rule: 'abs-nonpositive', input: 'abs(-x)', output: 'x', options: nonnegative('x') },
  { rule: 'sign-positive', input: 'sign(exp(x))', output: '1' },
  { rule: 'sign-negative', input: 'sign(-x - 1)', output: '-1', options: positive('x') },
  { rule: 'relu-nonnegative', input: 'relu(x^2)', output: 'x^2' },
  { rule: 'relu-nonpositive', input: 'relu(-x^2)', output: '0' },
  { rule: 'heaviside-positive', input: 'heaviside(exp(x))', output: '1' },
  { rule: 'heaviside-nonpositive', input: 'heaviside(-x^2)', output: '0' },
  { rule: 'pow-even-sign', input: '(y - x)^2 - (x - y)^2', output: '0' },
  { rule: 'pow-even-sign', input: '(-x - y)^2', output: '(x + y)^2' },
  { rule: 'pow-odd-sign', input: '(-x - y)^3', output: '-(x + y)^3' },
  // parity
  ...ODD.map((f) => ({ rule: `${f}-odd`, input: `${f}(-x)`, output: `-${f}(x)` })),
  ...EVEN.map((f) => ({ rule: `${f}-even`, input: `${f}(-x)`, output: `${f}(x)` })),
  { rule: 'sin-odd', input: 'sin(-2*x - y) + sin(2*x + y)', output: '0' },
  { rule: 'cos-even', input: 'cos(y - x) - cos(x - y)', output: '0' },
  // exp-log
  { rule: 'exp-product', input: 'exp(x)*exp(y)', output: 'exp(x + y)' },
  { rule: 'exp-product', input: '2*exp(x)*y*exp(-x)', output: '2*y' },
  { rule: 'exp-log', input: 'exp(log(x))', output: 'x', options: positive('x') },
  { rule: 'exp-log', input: 'exp(log(x^2 + 1))', output: 'x^2 + 1' },
  { rule: 'exp-log-power', input: 'exp(2*log(x))', output: 'x^2', options: positive('x') },
  { rule: 'exp-log-power', input: 'exp(-log(x))', output: '1/x', options: positive('x') },
  { rule: 'exp-log-sum', input: 'exp(y + log(x))', output: 'x*exp(y)', options: positive('x') },
  // expand-log (tried as a candidate; kept when smaller)
  {
    rule: 'log-product',
    input: 'log(x*y) - log(x)',
    output: 'log(y)',
    options: positive('x', 'y'),
  },
  { rule: 'log-power', input: 'log(x^3) - log(x)', output: '2*log(x)', options: positive('x') },
  { rule: 'log-even-power', input: 'log(x^2) - 2*log(abs(x))', output: '0' },
  // trig
  { rule: 'sin-cos-square', input: 'sin(x)^2 + cos(x)^2', output: '1' },
  { rule: 'sin-cos-square', input: '3*sin(u)^2 + 3*cos(u)^2 + r', output: 'r + 3' },
  { rule: 'sin-cos-square', input: 'a*b*sin(u)^2 + a*b*cos(u)^2 + r', output: 'a*b + r' },
  { rule: 'cosh-sinh-square', input: 'cosh(x)^2 - sinh(x)^2', output: '1' },
  { rule: 'cosh-sinh-square', input: '2*y*cosh(x)^2 - 2*y*sinh(x)^2', output: '2*y' },
  { rule: 'one-minus-sin-square', input: '1 - sin(x)^2', output: 'cos(x)^2' },
  { rule: 'one-minus-cos-square', input: '1 - cos(x)^2', output: 'sin(x)^2' },
  { rule: 'cosh-square-minus-one', input: 'cosh(x)^2 - 1', output: 'sinh(x)^2' },
  { rule: 'one-plus-sinh-square', input: '1 + sinh(x)^2', output: 'cosh(x)^2' },
  { rule: 'sin-over-cos', input: 'sin(x)/cos(x)', output: 'tan(x)' },
  { rule: 'sin-over-cos', input: 'sin(x)^2/cos(x)^2', output: 'tan(x)^2' },
  { rule: 'sinh-over-cosh', input: 'sinh(x)/cosh(x)', output: 'tanh(x)' },
  { rule: 'tan-times-cos', input: 'tan(x)*cos(x)', output: 'sin(x)' },
  { rule: 'tanh-times-cosh', input: 'tanh(x)*cosh(x)', output: 'sinh(x)' },
  { rule: 'tan-atan', input: 'tan(atan(x))', output: 'x' },
  { rule: 'sinh-asinh', input: 'sinh(asinh(x))', output: 'x' },
  { rule: 'asinh-sinh', input: 'asinh(sinh(x))', output: 'x' },
  // ml
  {
    rule: 'sigmoid-derivative',
    input: 'exp(-x)*sigmoid(x)^2',
    output: 'sigmoid(x)*(1 - sigmoid(x))',
  },
  {
    rule: 'sigmoid-derivative-factor',
    input: 'sigmoid(x) - sigmoid(x)^2',
    output: 'sigmoid(x)*(1 - sigmoid(x))',
  },
  {
    rule: 'sigmoid-derivative-factor',
    input: '2*y*sigmoid(x) - 2*y*sigmoid(x)^2',
    output: '2*y*sigmoid(x)*(1 - sigmoid(x))',
  },
  // sigmoid (optional set)
  {
    rule: 'sigmoid-intro',
    input: '1/(1 + exp(-x))',
    output: 'sigmoid(x)',
    options: { use: ['sigmoid'] },
  },
  {
    rule: 'sigmoid-intro',
    input: 'exp(-x)/(1 + exp(-x))^2',
    output: 'sigmoid(x)*(1 - sigmoid(x))',
    options: { use: ['sigmoid'] },
  },
  // hyperbolic (optional set)
  {
    rule: 'one-minus-tanh-square',
    input: '2*y*(1 - tanh(x)^2)',
    output: '2*y/cosh(x)^2',
    options: { use: ['hyperbolic'] },
  },
  // factor
  { rule: 'factor-content', input: '(2*x + 2)/(x + 1)', output: '2' },
  { rule: 'factor-content', input: '(x*y + x)/x', output: 'y + 1' },
  { rule: 'factor-common', input: 'x*y + x*z', output: 'x*(y + z)' },
  { rule: 'factor-common', input: '(2*a + 2*b)*c', output: '2*c*(a + b)' },
  { rule: 'factor-common', input: 'x^2*y + x^3*z', output: 'x^2*(x*z + y)' },
  { rule: 'expand-if-smaller', input: '(x + 1)^2 - x^2', output: '2*x + 1' },
  { rule: 'expand-if-smaller', input: '(x + 1)*(x + 2) - x^2', output: '3*x + 2' },
  { rule: 'cancel-quotient', input: '(x^2 - 1)/(x - 1)', output: 'x + 1' },
  { rule: 'cancel-quotient', input: '(x^3 - 1)/(x^2 + x + 1)', output: 'x - 1' },
  { rule: 'together-in-product', input: '(1/(x + 1) - y)*(x + 1)', output: '1 - y*(x + 1)' },
  { rule: 'together-if-smaller', input: '1/(x - 1) - 1/(x + 1)', output: '2/(x^2 - 1)' },
];
