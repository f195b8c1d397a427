// compile: compiled ≡ evaluate on random expressions, the specialised forms in the emitted
// source, determinism, typed errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberLiteral } from '../../src/codegen/emit/js.js';
import { compile } from '../../src/codegen/index.js';
import {
  add,
  call,
  cos,
  div,
  E,
  type Expr,
  evaluate,
  exp,
  freeSymbols,
  log,
  mul,
  num,
  PI,
  pow,
  sin,
  sqrt,
  sub,
  sym,
  UnboundFunctionError,
  UnboundSymbolError,
} from '../../src/expr/index.js';
import { agrees, arbNumericExpr, arbValuePoint } from './helpers.js';

const x = sym('x');
const y = sym('y');
const VARS = ['x', 'y', 'z'];

const safeEvaluate = (e: Expr, env: Record<string, number>): number => evaluate(e, env);

describe('compile ≡ evaluate', () => {
  it('on random expressions (positional and vector)', () => {
    fc.assert(
      fc.property(arbNumericExpr(4), arbValuePoint(VARS), (e, at) => {
        const expected = safeEvaluate(e, at);
        const f = compile(e, VARS);
        const fv = compile(e, VARS, { input: 'vector' });
        const got = f(at.x, at.y, at.z);
        const gotV = fv([at.x, at.y, at.z]);
        if (!agrees(got, expected, e, at) || !agrees(gotV, expected, e, at)) {
          throw new Error(
            `${String(e)} at ${JSON.stringify(at)}: ${got} / ${gotV} ≠ ${expected}\n${f.source}`,
          );
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('several expressions at once, into a given or a new array', () => {
    fc.assert(
      fc.property(
        fc.array(arbNumericExpr(3), { minLength: 1, maxLength: 4 }),
        arbValuePoint(VARS),
        (es, at) => {
          const f = compile(es, VARS);
          const fv = compile(es, VARS, { input: 'vector' });
          const out = new Float64Array(es.length + 1);
          expect(f(at.x, at.y, at.z, out)).toBe(out);
          const fresh = fv([at.x, at.y, at.z]);
          es.forEach((e, k) => {
            const expected = safeEvaluate(e, at);
            expect(agrees(out[k], expected, e, at), `${String(e)}: ${out[k]} ≠ ${expected}`).toBe(
              true,
            );
            expect(agrees(fresh[k], expected, e, at)).toBe(true);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles domain errors and poles as Math does', () => {
    const f = compile([log(x), sqrt(x), div(1, x), pow(x, num(1n, 3n))], ['x'], {
      input: 'vector',
    });
    expect([...f([-1])].map(Number.isNaN)).toEqual([true, true, false, true]);
    expect([...f([0])]).toEqual([-Infinity, 0, Infinity, 0]);
  });

  it('accepts constants only, and variables that do not occur', () => {
    expect(compile(mul(2, PI), [])()).toBe(2 * Math.PI);
    expect(compile(E, ['x'])(5)).toBe(Math.E);
    expect(compile(add(x, 1), ['y', 'x'])(100, 2)).toBe(3);
  });
});

describe('emitted code', () => {
  const body = (e: Expr, vars = freeSymbols(e)): string => compile(e, vars).source;

  it('expands small integer powers into multiplications', () => {
    expect(body(pow(x, 2))).toContain('a0 * a0');
    expect(body(pow(x, 3))).toContain('a0 * a0 * a0');
    const src4 = body(pow(x, 4));
    expect(src4).toMatch(/const (t\d+) = a0 \* a0;[\s\S]*\1 \* \1/);
    expect(body(pow(x, 5))).not.toContain('Math.pow');
    expect(body(pow(x, 40))).toContain('Math.pow');
  });

  it('divides instead of multiplying by reciprocals', () => {
    expect(body(div(x, y))).toContain('a0 / a1');
    expect(body(pow(x, -1))).toContain('1 / a0');
    expect(body(pow(x, -2))).toContain('1 / t');
    expect(body(div(x, mul(y, sin(x))))).toMatch(/a0 \/ \(.*\*.*\)/);
  });

  it('uses Math.sqrt, log1p and expm1', () => {
    expect(body(sqrt(x))).toContain('Math.sqrt(a0)');
    expect(body(pow(x, num(-1n, 2n)))).toMatch(/1 \/ t\d+/);
    expect(body(log(add(1, x)))).toContain('Math.log1p(a0)');
    expect(body(log(sub(1, mul(x, y))))).toMatch(/Math\.log1p\(-t\d+\)|Math\.log1p\(t\d+\)/);
    expect(body(sub(exp(x), 1))).toContain('Math.expm1(a0)');
    expect(body(sub(1, exp(x)))).toMatch(/-Math\.expm1|- t\d+|-t\d+/);
    expect(body(log(add(1, x, y)))).toContain('Math.log1p(');
  });

  it('subtracts and negates without multiplying by −1', () => {
    const src = body(sub(x, y));
    expect(src).toContain('a0 - a1');
    expect(src).not.toContain('(-1)');
    expect(body(sub(sin(x), mul(3, y)))).toMatch(/- t\d+/);
  });

  it('folds constants to numbers', () => {
    const src = body(mul(PI, x));
    expect(src).toContain(String(Math.PI));
    expect(src).not.toContain('Math.PI');
  });

  it('computes every shared subexpression once', () => {
    const s = sin(mul(x, y));
    const src = body(add(mul(s, s, x), cos(s), s));
    expect(src.match(/Math\.sin/g)).toHaveLength(1);
    expect(src.match(/Math\.cos/g)).toHaveLength(1);
  });

  it('is deterministic', () => {
    const make = (): Expr => add(sin(mul(x, y)), pow(sub(x, y), 3), div(exp(x), add(1, y)));
    expect(body(make(), [x, y])).toBe(body(make(), [x, y]));
  });
});

describe('numberLiteral', () => {
  it('prints numbers that parse back to themselves', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        const text = numberLiteral(v);
        expect(text).toMatch(/^\(?-?(\d+(\.\d+)?(e[+-]\d+)?|1\/0|0\/0)\)?$/);
        expect(Object.is(new Function(`return ${text};`)(), v)).toBe(true);
      }),
    );
    expect(numberLiteral(-0)).toBe('(-0)');
    expect(numberLiteral(1e-7)).toBe('1e-7');
  });
});

describe('errors', () => {
  it('names an unknown function', () => {
    expect(() => compile(call('f', x), ['x'])).toThrow(UnboundFunctionError);
    expect(() => compile(add(1, call('myModel', x, y)), ['x', 'y'])).toThrow(/myModel/);
  });

  it('names a symbol that is not a variable', () => {
    expect(() => compile(add(x, y), ['x'])).toThrow(UnboundSymbolError);
    expect(() => compile(add(x, y), ['x'])).toThrow(/'y'/);
  });

  it('rejects duplicate variables and short inputs', () => {
    expect(() => compile(x, ['x', 'x'])).toThrow(/twice/);
    expect(() => compile(x, [add(x, 1)])).toThrow();
    expect(() => compile(add(x, y), ['x', 'y'], { input: 'vector' })([1])).toThrow(/at least 2/);
  });
});
