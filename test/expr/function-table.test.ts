// The function table's columns are facts about the float functions: check each against the
// interpreter, so a wrong row (a parity, a value at zero, a sign) cannot slip in.
import * as math from 'mathjs';
import { describe, expect, it } from 'vitest';
import {
  ALIASES,
  arityRange,
  CONSTANTS,
  call,
  constant,
  type Domain,
  FUNCTION_NAMES,
  functionInfo,
  NUMERIC_FUNCTIONS,
  num,
  parse,
  rat,
  ratToNumber,
  type SignText,
  sym,
} from '../../src/expr/index.js';

const POINTS = [-3.7, -2, -1.1, -0.9, -0.5, -0.1, -1e-3, 1e-3, 0.1, 0.5, 0.9, 1.1, 2, 3.7];
const signOf = (v: number): '-' | '0' | '+' => (v < 0 ? '-' : v === 0 ? '0' : '+');

describe('function table', () => {
  for (const name of FUNCTION_NAMES) {
    const info = functionInfo(name);
    const f = NUMERIC_FUNCTIONS[name];
    if (info.arity !== 1) continue;
    it(`${name}: parity, value at zero and sign column hold numerically`, () => {
      for (const x of POINTS) {
        const a = f(x);
        const b = f(-x);
        if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
        if (info.parity === 'odd') expect(b).toBeCloseTo(-a, 12);
        if (info.parity === 'even') expect(b).toBeCloseTo(a, 12);
      }
      if (info.atZero !== undefined) {
        expect(f(0)).toBe(ratToNumber(rat(...info.atZero)));
        // and the builder folds it
        expect(call(name, num(0))).toBe(num(rat(...info.atZero)));
      }
      const rule = info.sign;
      if (rule !== undefined && typeof rule !== 'string') {
        for (const x of [...POINTS, 0]) {
          const v = f(x);
          if (Number.isNaN(v)) continue;
          const allowed: SignText = x < 0 ? rule.neg : x === 0 ? rule.zero : rule.pos;
          expect(allowed, `${name}(${x}) = ${v}`).toContain(signOf(v));
        }
      }
    });
  }

  it('the domain column says exactly where each function is NaN', () => {
    const INSIDE: { readonly [D in Domain]: (x: number) => boolean } = {
      nonnegative: (x) => x >= 0,
      '[-1, 1]': (x) => Math.abs(x) <= 1,
      '[1, ∞)': (x) => x >= 1,
      '|x| ≥ 1': (x) => Math.abs(x) >= 1,
      '[0, 1]': (x) => x >= 0 && x <= 1,
    };
    const inside = (domain: Domain | undefined, x: number): boolean =>
      domain === undefined || INSIDE[domain](x);
    for (const name of FUNCTION_NAMES) {
      const info = functionInfo(name);
      const f = NUMERIC_FUNCTIONS[name];
      for (const x of [...POINTS, 0, 1, -1]) {
        const v = info.arity === 1 ? f(x) : f(x, 0.5);
        expect(Number.isNaN(v), `${name}(${x}) = ${v}`).toBe(!inside(info.domain, x));
      }
    }
  });

  it('parity is claimed only where it holds, and absent where it does not', () => {
    // Functions without a parity column really have none (a missed fact is a lost rule).
    for (const name of FUNCTION_NAMES) {
      const info = functionInfo(name);
      if (info.arity !== 1 || info.parity !== undefined) continue;
      const f = NUMERIC_FUNCTIONS[name];
      const odd = POINTS.every((x) => !(Math.abs(f(-x) + f(x)) < 1e-12));
      const even = POINTS.every((x) => !(Math.abs(f(-x) - f(x)) < 1e-12));
      expect(odd || even, name).toBe(true);
    }
  });
});

/**
 * The textbook functions mathjs also has: the same real principal values (where mathjs's
 * value is real; outside the real domain ours is NaN, mathjs's complex). erfc is not in
 * mathjs: its values are checked against published digits. mathjs computes csch and coth
 * from exponentials (2/(eˣ − e⁻ˣ)), which cancel near 0 (1e-11 relative at x = 1e-3), and the
 * inverses from logarithms; ours call sinh, tanh, asinh and atanh.
 */
describe('reciprocal and inverse reciprocal functions agree with mathjs', () => {
  const NAMES = [
    'acot',
    'asec',
    'acsc',
    'sech',
    'csch',
    'coth',
    'asech',
    'acsch',
    'acoth',
  ] as const;
  const MATHJS: { readonly [K in (typeof NAMES)[number]]: (x: number) => unknown } = {
    acot: math.acot,
    asec: math.asec,
    acsc: math.acsc,
    sech: math.sech,
    csch: math.csch,
    coth: math.coth,
    asech: math.asech,
    acsch: math.acsch,
    acoth: math.acoth,
  };
  const AT = [-40, -3.7, -2, -1, -0.9, -0.5, -1e-3, 1e-3, 0.5, 0.9, 1, 1.1, 2, 3.7, 40, 0];
  for (const name of NAMES) {
    it(`${name}: parses as the table's function, prints back, and equals mathjs`, () => {
      const e = parse(`${name}(x)`);
      expect(e.op).toBe(name);
      expect(parse(String(e))).toBe(e);
      for (const x of AT) {
        const ours = NUMERIC_FUNCTIONS[name](x);
        const theirs = MATHJS[name](x);
        if (typeof theirs !== 'number') {
          expect(Number.isNaN(ours), `${name}(${x}) = ${ours}, mathjs complex`).toBe(true);
          continue;
        }
        if (!Number.isFinite(theirs)) expect(ours, `${name}(${x})`).toBe(theirs);
        else
          expect(Math.abs(ours - theirs), `${name}(${x})`).toBeLessThanOrEqual(
            1e-10 * Math.abs(theirs),
          );
      }
    });
  }

  it('acot takes values in (−π/2, π/2]: acot(0) = π/2 and acot(−x) = −acot(x) for x ≠ 0', () => {
    expect(NUMERIC_FUNCTIONS.acot(0)).toBe(Math.PI / 2);
    expect(NUMERIC_FUNCTIONS.acot(-1)).toBe(-Math.PI / 4);
    expect(NUMERIC_FUNCTIONS.asec(-1)).toBe(Math.PI);
    expect(NUMERIC_FUNCTIONS.asech(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('erfc keeps its digits in the right tail, where 1 − erf is 0 or noise', () => {
    // erfc(5) = 1.5374597944280348502e-12, erfc(10) = 2.0884875837625447570e-45 (DLMF 7.2).
    expect(NUMERIC_FUNCTIONS.erfc(5)).toBeCloseTo(1.537459794428035e-12, 26);
    expect(Math.abs(NUMERIC_FUNCTIONS.erfc(10) / 2.088487583762545e-45 - 1)).toBeLessThan(1e-14);
    expect(NUMERIC_FUNCTIONS.erfc(-3)).toBe(2 - NUMERIC_FUNCTIONS.erfc(3));
    expect(parse('erfc(x)').op).toBe('erfc');
  });
});

describe('aliases and constants: one table for parser and call', () => {
  it('every alias means the same through parse and call', () => {
    const x = sym('x');
    const y = sym('y');
    for (const [name, { arity }] of Object.entries(ALIASES)) {
      const args = [x, y].slice(0, arity);
      const text = `${name}(${args.map(String).join(', ')})`;
      expect(parse(text)).toBe(call(name, ...args));
    }
    expect(parse('sqrt(x)')).toBe(parse('x^(1/2)'));
    expect(parse('ln(x)')).toBe(parse('log(x)'));
    expect(parse('log(x, 2)')).toBe(parse('log(x)/log(2)'));
  });

  it('arity ranges merge functions and aliases', () => {
    expect(arityRange('log')).toEqual([1, 2]);
    expect(arityRange('sqrt')).toEqual([1, 1]);
    expect(arityRange('atan2')).toEqual([2, 2]);
    expect(arityRange('f')).toBeUndefined();
    expect(() => call('sqrt', sym('x'), sym('y'))).toThrow(/sqrt/);
    expect(() => call('ln')).toThrow(/ln/);
  });

  it('constants parse, print and evaluate from the table', () => {
    for (const name of Object.keys(CONSTANTS) as (keyof typeof CONSTANTS)[]) {
      expect(parse(name)).toBe(constant(name));
      expect(String(constant(name))).toBe(name);
    }
    expect(String(sym('pi'))).toBe('`pi`');
    expect(String(sym('ln'))).toBe('`ln`');
  });
});
