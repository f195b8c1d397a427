// Golden table for the infix printer: one row per printing rule, built with the builders.
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  atan2,
  call,
  cbrt,
  derivativeCall,
  div,
  E,
  exp,
  fn,
  log,
  max,
  min,
  mul,
  neg,
  num,
  PI,
  pow,
  sigmoid,
  sin,
  sqrt,
  sub,
  sym,
} from '../../src/expr/build.js';
import { format } from '../../src/expr/format.js';
import type { Expr } from '../../src/expr/node.js';

const x = sym('x');
const y = sym('y');
const z = sym('z');
const a = sym('a');
const b = sym('b');
const half = num(1n, 2n);
const xy = add(x, y);
const xz = add(x, z);

const GOLDEN: ReadonlyArray<readonly [string, Expr, string]> = [
  // numbers
  ['integer', num(42), '42'],
  ['negative integer', num(-7), '-7'],
  ['zero', num(0), '0'],
  ['rational', num(1n, 3n), '1/3'],
  ['negative rational', num(-5n, 2n), '-5/2'],
  ['decimal is exact', num(0.25), '1/4'],
  ['big integer', num(10n ** 30n), '1000000000000000000000000000000'],
  // atoms
  ['symbol', x, 'x'],
  ['subscripted symbol', sym('w_1'), 'w_1'],
  ['greek symbol', sym('θ'), 'θ'],
  ['pi', PI, 'pi'],
  ['e', E, 'e'],
  // sums
  ['constant last', add(x, 1), 'x + 1'],
  ['canonical term order', add(z, y, x), 'x + y + z'],
  ['negative constant', sub(x, 2), 'x - 2'],
  ['rational constant', add(x, half), 'x + 1/2'],
  ['negative rational constant', sub(x, half), 'x - 1/2'],
  ['difference', sub(x, mul(2, y)), 'x - 2*y'],
  ['difference of a quotient', sub(x, div(y, 2)), 'x - y/2'],
  ['difference of 1/y', sub(x, div(1, y)), 'x - 1/y'],
  ['a positive term leads', add(neg(x), y), 'y - x'],
  ['a positive term leads (product)', add(mul(-2, x), y), 'y - 2*x'],
  ['the constant leads when it is the only positive term', add(neg(pow(x, 2)), 1), '1 - x^2'],
  ['all terms negative', add(neg(x), neg(y)), '-x - y'],
  ['all negative', sub(neg(x), y), '-x - y'],
  ['sum with sum factor', sub(x, mul(y, xz)), 'x - y*(x + z)'],
  // print order (layout.ts): descending degree, the constant last, a positive term first
  ['descending degree', add(mul(2, x), mul(3, pow(x, 2)), 1), '3*x^2 + 2*x + 1'],
  ['cubic', add(pow(x, 3), pow(x, 2), x, 1), 'x^3 + x^2 + x + 1'],
  ['affine map', add(mul(sym('w'), x), sym('b')), 'w*x + b'],
  ['affine map minus a target', sub(add(mul(sym('w'), x), sym('b')), y), 'w*x + b - y'],
  ['graded lexicographic', add(pow(x, 2), mul(-2, x, y), pow(y, 2)), 'x^2 - 2*x*y + y^2'],
  [
    'lexicographic in names',
    add(mul(sym('w2'), sym('x2')), mul(sym('w1'), sym('x1'))),
    'w1*x1 + w2*x2',
  ],
  ['natural name order', add(sym('x10'), sym('x2')), 'x2 + x10'],
  ['functions after symbols', add(sin(x), x), 'x + sin(x)'],
  ['reciprocal powers descend', add(pow(x, -2), mul(2, pow(x, -3))), '1/x^2 + 2/x^3'],
  ['unknown function minus a symbol', sub(call('f', x), y), 'f(x) - y'],
  ['positive constant first when alone', sub(1, pow(sin(x), 2)), '1 - sin(x)^2'],
  ['sum factor counts its degree', add(mul(x, add(pow(x, 2), 1)), x), 'x*(x^2 + 1) + x'],
  // products
  ['coefficient first', mul(y, x, 2), '2*x*y'],
  ['negation', neg(x), '-x'],
  ['negated product', neg(mul(x, y)), '-x*y'],
  ['quotient', div(x, y), 'x/y'],
  ['product denominator', div(x, mul(y, z)), 'x/(y*z)'],
  ['reciprocal', div(1, x), '1/x'],
  ['reciprocal of a product', div(1, mul(x, y)), '1/(x*y)'],
  ['numerator coefficient', div(2, x), '2/x'],
  ['negative reciprocal', div(-1, x), '-1/x'],
  ['half', div(x, 2), 'x/2'],
  ['two thirds', mul(num(2n, 3n), x), '2*x/3'],
  ['negative half', neg(div(x, 2)), '-x/2'],
  ['coefficient and denominator', mul(num(2n, 3n), pow(x, -1)), '2/(3*x)'],
  ['documented example', mul(num(2n, 3n), x, pow(y, -2)), '2*x/(3*y^2)'],
  ['full quotient', div(mul(3, x, y), mul(4, z)), '3*x*y/(4*z)'],
  ['sum numerator', div(xy, z), '(x + y)/z'],
  ['sum denominator', div(x, xy), 'x/(x + y)'],
  ['sum factor', mul(xy, z), 'z*(x + y)'],
  ['number times a sum', mul(2, xy), '2*(x + y)'],
  ['negated sum', neg(xy), '-(x + y)'],
  ['negated sum over 2', div(neg(xy), 2), '-(x + y)/2'],
  ['coefficient and two sums', mul(2, xy, xz), '2*(x + y)*(x + z)'],
  ['sum over symbol with coefficient', mul(2, xy, pow(z, -1)), '2*(x + y)/z'],
  ['minus, sum over symbol', neg(div(xy, z)), '-(x + y)/z'],
  ['minus, two sums', neg(mul(xy, xz)), '-(x + y)*(x + z)'],
  ['number times a sum denominator', div(x, mul(3, add(y, z))), 'x/(3*(y + z))'],
  ['sum minus a multiple of a sum', sub(x, mul(2, xy, z)), 'x - 2*z*(x + y)'],
  // powers
  ['square', pow(x, 2), 'x^2'],
  ['square root', sqrt(x), 'sqrt(x)'],
  ['reciprocal square root', pow(x, num(-1n, 2n)), '1/sqrt(x)'],
  ['over a square root', div(y, sqrt(x)), 'y/sqrt(x)'],
  ['inverse', pow(x, -1), '1/x'],
  ['inverse square', pow(x, -2), '1/x^2'],
  ['inverse of a sum', pow(xy, -1), '1/(x + y)'],
  ['inverse square of a sum', pow(xy, -2), '1/(x + y)^2'],
  ['fractional exponent', pow(x, num(3n, 2n)), 'x^(3/2)'],
  ['negative fractional exponent', pow(x, num(-3n, 2n)), '1/x^(3/2)'],
  ['symbolic exponent', pow(x, y), 'x^y'],
  ['negative symbolic exponent', pow(x, neg(y)), '1/x^y'],
  ['negative scaled exponent', pow(x, mul(-2, y)), '1/x^(2*y)'],
  ['sum exponent', pow(x, add(a, b)), 'x^(a + b)'],
  ['call exponent', pow(x, sin(y)), 'x^sin(y)'],
  ['reciprocal exponent', pow(x, pow(y, -1)), 'x^(1/y)'],
  ['right-associative', pow(x, pow(y, z)), 'x^y^z'],
  ['left tower parenthesised', pow(pow(x, y), z), '(x^y)^z'],
  ['negative numeric base', pow(-2, x), '(-2)^x'],
  ['fractional numeric base', pow(half, x), '(1/2)^x'],
  ['numeric base', pow(2, x), '2^x'],
  ['numeric reciprocal power', pow(2, neg(x)), '1/2^x'],
  ['square root of two', sqrt(2), 'sqrt(2)'],
  ['reciprocal root of two', pow(2, num(-1n, 2n)), '1/sqrt(2)'],
  ['zero to a negative power', pow(0, -2), '0^(-2)'],
  ['zero to a negative half', pow(0, num(-1n, 2n)), '0^(-1/2)'],
  ['unary minus looser than ^', neg(pow(x, 2)), '-x^2'],
  ['negated base', pow(neg(x), y), '(-x)^y'],
  ['product base', pow(mul(2, x), y), '(2*x)^y'],
  ['sum base', pow(xy, 2), '(x + y)^2'],
  ['call base', pow(sin(x), 2), 'sin(x)^2'],
  ['root base', pow(sqrt(x), y), 'sqrt(x)^y'],
  ['quotient base', pow(div(x, y), half), 'sqrt(x/y)'],
  ['power in a product', mul(3, pow(x, 2), y), '3*x^2*y'],
  ['number power after a coefficient', mul(3, pow(2, x)), '3*2^x'],
  ['power over power', div(pow(x, 2), pow(y, 3)), 'x^2/y^3'],
  ['exp is a function', exp(x), 'exp(x)'],
  ['e^x is exp', pow(E, x), 'exp(x)'],
  ['pi power', pow(PI, 2), 'pi^2'],
  // functions
  ['unary function', sin(x), 'sin(x)'],
  ['binary function', atan2(y, x), 'atan2(y, x)'],
  ['min', min(a, b), 'min(a, b)'],
  ['max', max(a, b), 'max(a, b)'],
  ['cbrt', cbrt(x), 'cbrt(x)'],
  ['abs', abs(x), 'abs(x)'],
  ['sigmoid', sigmoid(x), 'sigmoid(x)'],
  ['log', log(x), 'log(x)'],
  ['log base', log(x, 2), 'log(x)/log(2)'],
  ['nested', sin(add(pow(x, 2), 1)), 'sin(x^2 + 1)'],
  ['negative argument', fn('tanh', [neg(x)]), 'tanh(-x)'],
  // unknown functions and their derivatives
  ['unknown call', call('f', x), 'f(x)'],
  ['unknown binary call', call('f', x, y), 'f(x, y)'],
  ['first derivative', derivativeCall('f', [x], [0]), "f'(x)"],
  ['second derivative', derivativeCall('f', [x], [0, 0]), "f''(x)"],
  ['third derivative', derivativeCall('f', [x], [0, 0, 0]), "f'''(x)"],
  ['partial', derivativeCall('f', [x, y], [0]), "f'[1](x, y)"],
  ['second partial', derivativeCall('f', [x, y], [1]), "f'[2](x, y)"],
  ['mixed partial', derivativeCall('f', [x, y], [1, 0]), "f'[1,2](x, y)"],
  ['repeated partial', derivativeCall('g', [x, y, z], [2, 2]), "g'[3,3](x, y, z)"],
  ['subscripted function', call('f1', mul(sym('w1'), x)), 'f1(w1*x)'],
  ['derivative in a product', mul(derivativeCall('f', [pow(x, 2)], [0]), 2, x), "2*x*f'(x^2)"],
  // names that are not plain identifiers
  ['hostile symbol', sym('x);evil('), '`x);evil(`'],
  ['backquote and backslash escaped', sym('a`b\\c'), '`a\\`b\\\\c`'],
  ['space', sym('my var'), '`my var`'],
  ['function name as symbol', sym('sin'), '`sin`'],
  ['constant name as symbol', sym('pi'), '`pi`'],
  ['e as symbol', sym('e'), '`e`'],
  ['alias as symbol', sym('sqrt'), '`sqrt`'],
  ['leading digit', sym('1x'), '`1x`'],
  ['hostile function', call('my f', x), '`my f`(x)'],
  ['hostile derivative', derivativeCall('a`b', [x], [0]), "`a\\`b`'(x)"],
  ['constant-named function', call('pi', x), '`pi`(x)'],
  ['hostile symbol in a power', pow(sym('a b'), 2), '`a b`^2'],
];

describe('format', () => {
  it.each(GOLDEN)('%s', (_, expr, text) => {
    expect(format(expr)).toBe(text);
  });

  it('is what toString returns', () => {
    expect(String(sub(x, div(y, 2)))).toBe('x - y/2');
    expect(`${derivativeCall('f', [x], [0])}`).toBe("f'(x)");
  });

  it('prints a shared subexpression at every use', () => {
    const s = sin(x);
    expect(format(add(mul(s, y), pow(s, 2)))).toBe('y*sin(x) + sin(x)^2');
  });
});
