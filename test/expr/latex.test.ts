// Golden table for the LaTeX printer, and KaTeX rendering every random expression without
// error — with plain names in KaTeX's strict mode, and with hostile names.
import fc from 'fast-check';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  atan2,
  call,
  cbrt,
  cos,
  derivativeCall,
  div,
  E,
  exp,
  fn,
  log2,
  max,
  mul,
  neg,
  num,
  PI,
  pow,
  sigmoid,
  sin,
  sinh,
  sqrt,
  sub,
  sym,
  tanh,
} from '../../src/expr/build.js';
import { format } from '../../src/expr/format.js';
import { toLatex } from '../../src/expr/latex.js';
import type { Expr } from '../../src/expr/node.js';
import { FUNCTION_NAMES, FUNCTIONS } from '../../src/expr/ops.js';
import { arbExpr, arbHostileName, HOSTILE_NAMES } from '../arbitrary.js';

const x = sym('x');
const y = sym('y');
const z = sym('z');
const half = num(1n, 2n);
const xy = add(x, y);

const GOLDEN: ReadonlyArray<readonly [string, Expr, string]> = [
  // numbers and constants
  ['integer', num(42), '42'],
  ['negative integer', num(-7), '-7'],
  ['rational', half, '\\frac{1}{2}'],
  ['negative rational', num(-3n, 4n), '-\\frac{3}{4}'],
  ['pi', PI, '\\pi'],
  ['e', E, 'e'],
  // sums and products
  ['sum, constant last', add(x, 1), 'x + 1'],
  ['difference', sub(x, mul(2, y)), 'x - 2 y'],
  ['difference of a quotient', sub(x, div(y, 2)), 'x - \\frac{y}{2}'],
  ['a positive term leads', add(neg(x), y), 'y - x'],
  ['one minus tanh squared', sub(1, pow(tanh(x), 2)), '1 - \\tanh^{2}\\left(x\\right)'],
  ['unknown function minus a symbol', sub(call('f', x), y), 'f\\left(x\\right) - y'],
  ['descending degree', add(mul(2, x), mul(3, pow(x, 2)), 1), '3 x^{2} + 2 x + 1'],
  ['affine map', add(mul(sym('w'), x), sym('b')), 'w x + b'],
  ['rational constant', sub(x, half), 'x - \\frac{1}{2}'],
  ['juxtaposition', mul(2, x, y), '2 x y'],
  ['constant factor', mul(PI, x), '\\pi x'],
  ['cdot before a number', mul(2, pow(3, x)), '2 \\cdot 3^{x}'],
  ['cdot before a later number', mul(3, x, pow(2, x)), '3 \\cdot 2^{x} x'],
  ['quotient', div(x, y), '\\frac{x}{y}'],
  ['product denominator', div(x, mul(y, z)), '\\frac{x}{y z}'],
  ['coefficient', mul(num(2n, 3n), x), '\\frac{2 x}{3}'],
  ['negative half', neg(div(x, 2)), '-\\frac{x}{2}'],
  ['reciprocal', div(1, x), '\\frac{1}{x}'],
  ['sum over sum', div(add(x, 1), sub(x, 1)), '\\frac{x + 1}{x - 1}'],
  ['sum factor parenthesised', mul(2, xy), '2 \\left(x + y\\right)'],
  ['negated sum', neg(xy), '-\\left(x + y\\right)'],
  ['sum in a denominator product', div(1, mul(2, add(x, 1))), '\\frac{1}{2 \\left(x + 1\\right)}'],
  ['number denominator with a power', div(1, mul(2, pow(3, x))), '\\frac{1}{2 \\cdot 3^{x}}'],
  // powers and roots
  ['square', pow(x, 2), 'x^{2}'],
  ['fractional exponent', pow(x, num(3n, 2n)), 'x^{\\frac{3}{2}}'],
  ['inverse square', pow(x, -2), '\\frac{1}{x^{2}}'],
  ['square root', sqrt(x), '\\sqrt{x}'],
  ['reciprocal square root', pow(x, num(-1n, 2n)), '\\frac{1}{\\sqrt{x}}'],
  ['over a root', div(y, sqrt(x)), '\\frac{y}{\\sqrt{x}}'],
  ['root times symbol over power', div(mul(x, sqrt(y)), pow(z, 2)), '\\frac{x \\sqrt{y}}{z^{2}}'],
  ['cube root', cbrt(x), '\\sqrt[3]{x}'],
  ['sum base', pow(add(x, 1), 2), '\\left(x + 1\\right)^{2}'],
  ['tower', pow(x, pow(y, z)), 'x^{y^{z}}'],
  ['power base', pow(pow(x, y), z), '\\left(x^{y}\\right)^{z}'],
  ['negative base', pow(-2, x), '\\left(-2\\right)^{x}'],
  ['fraction base', pow(half, x), '\\left(\\frac{1}{2}\\right)^{x}'],
  ['minus a square', neg(pow(x, 2)), '-x^{2}'],
  ['negated base', pow(neg(x), y), '\\left(-x\\right)^{y}'],
  ['zero to a negative power', pow(0, -2), '0^{-2}'],
  ['subscripted base', pow(sym('w1'), 2), 'w_{1}^{2}'],
  // functions
  ['exp', exp(x), 'e^{x}'],
  ['gaussian', exp(neg(div(pow(x, 2), 2))), 'e^{-\\frac{x^{2}}{2}}'],
  [
    'long exp argument',
    exp(add(pow(sin(x), 2), pow(cos(x), 2), x)),
    '\\exp\\left(x + \\cos^{2}\\left(x\\right) + \\sin^{2}\\left(x\\right)\\right)',
  ],
  ['sin', sin(x), '\\sin\\left(x\\right)'],
  ['sin squared', pow(sin(x), 2), '\\sin^{2}\\left(x\\right)'],
  ['sinh cubed', pow(sinh(x), 3), '\\sinh^{3}\\left(x\\right)'],
  ['power on the name in a denominator', pow(sin(x), -2), '\\frac{1}{\\sin^{2}\\left(x\\right)}'],
  ['reciprocal keeps the name bare', pow(cos(x), -1), '\\frac{1}{\\cos\\left(x\\right)}'],
  ['sin to a fraction', pow(sin(x), half), '\\sqrt{\\sin\\left(x\\right)}'],
  ['sigmoid squared', pow(sigmoid(x), 2), '\\operatorname{sigmoid}\\left(x\\right)^{2}'],
  ['operatorname', sigmoid(x), '\\operatorname{sigmoid}\\left(x\\right)'],
  ['atan2', atan2(y, x), '\\operatorname{atan2}\\left(y, x\\right)'],
  ['max', max(x, y), '\\max\\left(x, y\\right)'],
  ['abs', abs(x), '\\left|x\\right|'],
  ['log2', log2(x), '\\log_{2}\\left(x\\right)'],
  ['acosh', fn('acosh', [x]), '\\operatorname{arcosh}\\left(x\\right)'],
  // symbol names
  ['digit subscript', sym('w1'), 'w_{1}'],
  ['underscore subscript', sym('x_0'), 'x_{0}'],
  ['long subscript', sym('x_10'), 'x_{10}'],
  ['word subscript', sym('x_max'), 'x_{\\mathrm{max}}'],
  ['greek name', sym('theta'), '\\theta'],
  ['greek name subscript', sym('sigma_i'), '\\sigma_{i}'],
  ['greek capital', sym('Omega'), '\\Omega'],
  ['greek letter', sym('θ'), '\\theta'],
  ['greek letter digits', sym('θ12'), '\\theta_{12}'],
  ['greek capital letter', sym('Σ'), '\\Sigma'],
  ['word', sym('loss'), '\\mathrm{loss}'],
  ['word and greek letter', sym('xθ'), '\\mathrm{x\\theta}'],
  ['greek letter and word', sym('θx'), '\\mathrm{\\theta x}'],
  ['documented example', div(sqrt(x), mul(2, sym('w1'))), '\\frac{\\sqrt{x}}{2 w_{1}}'],
  ['documented exp example', exp(neg(pow(sym('theta'), 2))), 'e^{-\\theta^{2}}'],
  ['digits inside a base', sym('w1_2'), '\\mathrm{w1}_{2}'],
  ['non-greek letter', sym('é'), '\\text{é}'],
  // unknown functions
  ['unknown', call('f', x), 'f\\left(x\\right)'],
  ['unknown, two arguments', call('f', x, y), 'f\\left(x, y\\right)'],
  ['unknown word', call('loss', x), '\\operatorname{loss}\\left(x\\right)'],
  ['unknown with digits', call('f1', x), 'f_{1}\\left(x\\right)'],
  ['derivative', derivativeCall('f', [x], [0]), "f'\\left(x\\right)"],
  ['second derivative', derivativeCall('f', [x], [0, 0]), "f''\\left(x\\right)"],
  ['fourth derivative', derivativeCall('f', [x], [0, 0, 0, 0]), 'f^{(4)}\\left(x\\right)'],
  ['subscripted derivative', derivativeCall('f1', [sym('u')], [0]), "f_{1}'\\left(u\\right)"],
  ['partial', derivativeCall('f', [x, y], [0]), '\\partial_{1} f\\left(x, y\\right)'],
  [
    'mixed partials',
    derivativeCall('f', [x, y], [0, 0, 1]),
    '\\partial_{1}^{2} \\partial_{2} f\\left(x, y\\right)',
  ],
  [
    'power of a partial',
    pow(derivativeCall('f', [x, y], [1]), 2),
    '\\left(\\partial_{2} f\\left(x, y\\right)\\right)^{2}',
  ],
  // hostile names cannot break out of \text{}
  ['space', sym('my var'), '\\text{my var}'],
  [
    'latex specials',
    sym('$\\{}^_#%&~'),
    '\\text{\\$\\textbackslash{}\\{\\}\\textasciicircum{}\\_\\#\\%\\&\\textasciitilde{}}',
  ],
  ['break-out attempt', sym('}\\evil{'), '\\text{\\}\\textbackslash{}evil\\{}'],
  ['quote and backquote', sym("a'`"), '\\text{a{\\char"27}{\\char"60}}'],
  ['control character', sym('a\nb'), '\\text{a{\\char"A}b}'],
  ['greek in text', sym('θ x'), '\\text{$\\theta$ x}'],
  ['letterlike symbol', sym('ℋ'), '\\text{{\\char"210B}}'],
  ['lone surrogate', sym('\uD835'), '\\text{{\\char"FFFD}}'],
  ['hostile function', call('x);evil(', x), '\\text{x);evil(}\\left(x\\right)'],
];

/** Renders with KaTeX, throwing on any error (and, when `strict`, on LaTeX KaTeX only tolerates). */
function render(tex: string, strict: boolean): string {
  return katex.renderToString(tex, { throwOnError: true, strict: strict ? 'error' : 'ignore' });
}

describe('toLatex', () => {
  it.each(GOLDEN)('%s', (_, expr, tex) => {
    expect(toLatex(expr)).toBe(tex);
  });

  it.each(GOLDEN)('renders %s with KaTeX', (_, expr) => {
    expect(() => render(toLatex(expr), false)).not.toThrow();
  });

  it('renders every known function', () => {
    for (const name of FUNCTION_NAMES) {
      const args = [x, y].slice(0, FUNCTIONS[name].arity);
      for (const e of [fn(name, args), pow(fn(name, args), 2), pow(fn(name, args), -1)]) {
        expect(() => render(toLatex(e), true), format(e)).not.toThrow();
      }
    }
  });

  it('renders every fixed hostile name, as a symbol and as a function', () => {
    for (const name of HOSTILE_NAMES) {
      const fname = ['sin', 'exp', 'atan2', 'sqrt', 'ln'].includes(name) ? `${name}_` : name;
      for (const e of [
        sym(name),
        call(fname, x),
        derivativeCall(fname, [x, y], [1]),
        pow(sym(name), 2),
      ]) {
        expect(() => render(toLatex(e), false), JSON.stringify(name)).not.toThrow();
      }
    }
  });

  it('renders random expressions with plain names in strict mode', () => {
    const variables = ['x', 'y', 'w1', 'x_0', 'x_max', 'θ', 'theta', 'Sigma', 'loss', 'é'];
    fc.assert(
      fc.property(arbExpr({ variables, unknownFunctions: ['f', 'g1', 'loss', 'φ'] }), (e) => {
        render(toLatex(e), true);
      }),
      { numRuns: 500 },
    );
  });

  it('renders random expressions with hostile names', () => {
    const arb = arbExpr({
      maxDepth: 3,
      variables: arbHostileName(),
      unknownFunctions: arbHostileName(),
    });
    fc.assert(
      fc.property(arb, (e) => {
        render(toLatex(e), false);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every hostile name inside its \\text{} group', () => {
    fc.assert(
      fc.property(arbHostileName(), (name) => {
        const tex = toLatex(sym(name));
        if (!tex.startsWith('\\text{')) return;
        // Outside the escapes \{ and \}, braces close the group only at the very end.
        const inner = tex.slice('\\text{'.length).replace(/\\[{}]/g, '');
        let depth = 1;
        for (let i = 0; i < inner.length; i++) {
          depth += inner[i] === '{' ? 1 : inner[i] === '}' ? -1 : 0;
          if (depth === 0) expect(i).toBe(inner.length - 1);
        }
        expect(depth).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('is iterative: 10⁵-deep and 10⁵-term expressions', () => {
    let deep: Expr = x;
    for (let i = 0; i < 100_000; i++) deep = sin(deep);
    expect(toLatex(deep)).toHaveLength(100_000 * '\\sin\\left(\\right)'.length + 1);
    const wide = add(
      ...Array.from({ length: 100_000 }, (_, i) => mul(i % 2 ? -1 : 2, sym(`x${i}`))),
    );
    expect(toLatex(wide).startsWith('2 x_{0} - x_{1} + 2 x_{2}')).toBe(true);
  });
});
