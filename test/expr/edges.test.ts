// Behaviour at the edges (issue 9): typed errors at every entry, text accepted where an
// expression is expected, printing hooks, exact numbers that round-trip, stable forms in
// the interpreter, and the conventions at a zero base and at steps.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivation } from '../../src/diff/derivation.js';
import { diff, grad, hessian, jacobian } from '../../src/diff/diff.js';
import {
  add,
  addAll,
  cosh,
  div,
  type Expr,
  evaluate,
  exp,
  format,
  InvalidArgumentError,
  LeibnizError,
  log,
  mul,
  mulAll,
  NUMERIC_FUNCTIONS,
  num,
  parse,
  pow,
  relu,
  sqrt,
  stableForm,
  sub,
  sym,
  toSymbol,
} from '../../src/expr/index.js';
import { arbPoint, arbSafeExpr } from '../arbitrary.js';

const x = sym('x');

describe('typed entry points', () => {
  it('accept the text of an expression where an expression is expected', () => {
    expect(diff('sin(x^2)', 'x')).toBe(diff(parse('sin(x^2)'), 'x'));
    expect(grad('x^2*y', ['x', 'y'])).toEqual(grad(parse('x^2*y'), ['x', 'y']));
    expect(hessian('x^2*y')).toEqual(hessian(parse('x^2*y')));
    expect(jacobian(['x*y', 'x + y'], ['x', 'y'])).toEqual(
      jacobian([parse('x*y'), parse('x + y')], ['x', 'y']),
    );
    expect(evaluate('x^2 + 1', { x: 3 })).toBe(10);
    expect(derivation('sin(x)', 'x').result).toBe(parse('cos(x)'));
  });

  it('read a variable name as the parser does: not a symbol is an InvalidArgumentError', () => {
    for (const bad of ['x+y', 'pi', '2', '', 'sin(x)', ')']) {
      expect(() => diff(parse('x*y'), bad)).toThrow(InvalidArgumentError);
      expect(() => grad(parse('x*y'), [bad])).toThrow(InvalidArgumentError);
    }
    expect(toSymbol('`odd name`')).toBe(sym('odd name'));
    expect(diff(parse('`odd name`^2'), '`odd name`')).toBe(mul(2, sym('odd name')));
  });

  it('turn every wrong kind of argument into a LeibnizError, never a raw TypeError', () => {
    const calls: Array<() => unknown> = [
      () => diff(undefined as never, 'x'),
      () => diff(parse('x'), 3 as never),
      () => grad(parse('x'), 'x' as never),
      () => jacobian('x' as never, ['x']),
      () => evaluate(parse('x'), null as never),
      () => evaluate(parse('x'), { x: '3' } as never),
      () => add('x' as never, 1),
      () => mul({} as never),
      () => pow(x, [] as never),
      () => num('3' as never),
      () => num(3n, 2 as never),
      () => num({ num: 1, den: 2 } as never),
      () => sym(3 as never),
      () => derivation(parse('x'), {} as never),
    ];
    for (const call of calls) {
      expect(call).toThrow(LeibnizError);
    }
  });

  it('addAll and mulAll take very long lists', () => {
    const terms = Array.from({ length: 100_000 }, (_, i) => sym(`x${i}`));
    expect(addAll(terms).args.length).toBe(100_000);
    expect(mulAll(terms).args.length).toBe(100_000);
  });
});

describe('printing hooks', () => {
  it('JSON.stringify writes the text parse reads back', () => {
    const e = parse('sin(x^2)/(1 + y)');
    const text = JSON.parse(JSON.stringify({ e })).e;
    expect(parse(text)).toBe(e);
  });

  it('console.log shows the expression, long ones cut', () => {
    expect(inspect(parse('x^2 + 1'))).toBe('Expr<x^2 + 1>');
    const long = addAll(Array.from({ length: 5000 }, (_, i) => sym(`v${i}`)));
    const shown = inspect(long);
    expect(shown.length).toBeLessThan(3000);
    expect(shown).toContain(' … ');
  });
});

describe('exact numbers', () => {
  it('one value, one canonical form, however large', () => {
    const big = 7n ** 3000n;
    expect(div(1, num(big))).toBe(num(1n, big));
    expect(pow(num(1n, big), -1)).toBe(num(big));
    const e = num(1n, 7n ** 2000n);
    expect(parse(format(e))).toBe(e);
  });

  it('a 20 001-digit integer prints and parses back', () => {
    const n = num(10n ** 20_000n + 7n);
    expect(parse(format(n))).toBe(n);
  });
});

describe('conventions', () => {
  it('d/dx 0^x is 0 (0^x is constant where it is defined), not 0^x·log 0', () => {
    expect(diff(parse('0^x'), 'x')).toBe(num(0));
    expect(diff(parse('0^(x^2 + 1)'), 'x')).toBe(num(0));
    expect(grad(parse('0^x + x'), ['x'])[0]).toBe(num(1));
  });

  it('a step at 0 zeroes a product even where another factor is infinite', () => {
    const d = diff(sqrt(relu(x)), 'x'); // relu(x)^(-1/2)·H(x)/2
    expect(evaluate(d, { x: -1 })).toBe(0);
    expect(evaluate(d, { x: 4 })).toBe(0.25);
    // Out of a domain stays NaN: the step does not hide it.
    expect(evaluate(parse('heaviside(x)*log(x)'), { x: -1 })).toBeNaN();
  });

  it('sums keep the sign of a zero, as compiled code does', () => {
    expect(evaluate(parse('atan2(-x - x^2, -1)'), { x: 0 })).toBe(-Math.PI);
  });
});

describe('stable forms: ±1 ± erf(u) as ±erfc(∓u)', () => {
  const cases: Array<[string, string]> = [
    ['1 - erf(u)', 'erfc(u)'],
    ['erf(u) - 1', '-erfc(u)'],
    ['1 + erf(u)', 'erfc(-u)'],
    ['-1 - erf(u)', '-erfc(-u)'],
    ['1 - erf(-u)', 'erfc(-u)'],
    ['w + 1 - erf(2*u)', 'w + erfc(2*u)'],
  ];
  for (const [written, stable] of cases) {
    it(`${written} → ${stable}, the same values as the written form where it keeps its digits`, () => {
      expect(stableForm(written)).toBe(parse(stable));
      const plain = parse(written.replaceAll('erf(', 'g('));
      for (const u of [-3, -0.5, 0, 0.25, 2]) {
        const direct = evaluatePlainErf(plain, u);
        const value = evaluate(written, { u, w: 0.5 });
        expect(Math.abs(value - direct)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(direct)));
      }
    });
  }
  it('leaves other constants alone: 2 - erf(u) is not rewritten', () => {
    expect(stableForm('2 - erf(u)')).toBe(parse('2 - erf(u)'));
    expect(stableForm('1 - 2*erf(u)')).toBe(parse('1 - 2*erf(u)'));
  });
});

/** `e` with g standing for erf, in plain floats term by term (no stable forms). */
function evaluatePlainErf(e: ReturnType<typeof parse>, u: number): number {
  const erfOf = (t: number): number => NUMERIC_FUNCTIONS.erf(t);
  const value = (n: ReturnType<typeof parse>): number => {
    if (n.op === 'call') return erfOf(value(n.args[0]));
    if (n.op === 'sym') return n.name === 'u' ? u : 0.5;
    if (n.op === 'num') return evaluate(n);
    if (n.op === 'add') return n.args.reduce((acc, a) => acc + value(a), 0);
    if (n.op === 'mul') return n.args.reduce((acc, a) => acc * value(a), 1);
    throw new Error(`unexpected ${n.op}`);
  };
  return value(e);
}

describe('stable forms', () => {
  const cases: Array<[string, string]> = [
    ['1/(1 + exp(-u))', 'sigmoid(u)'],
    ['exp(u)/(1 + exp(u))', 'sigmoid(u)'],
    ['exp(-u)/(1 + exp(-u))', 'sigmoid(-u)'],
    ['log(1 + exp(u))', 'softplus(u)'],
    ['log(sigmoid(u))', '-softplus(-u)'],
    ['log(1 - sigmoid(u))', '-softplus(u)'],
    ['1 - sigmoid(u)', 'sigmoid(-u)'],
    ['1 - tanh(u)^2', '4*sigmoid(-2*u)*sigmoid(2*u)'],
    ['exp(2*u)/(1 + exp(u))^2', 'sigmoid(u)^2'],
    ['sinh(u)/cosh(u)^3', 'tanh(u)/cosh(u)^2'],
    ['log(cosh(u))', 'u - log(2) + softplus(-2*u)'],
    ['log(exp(u) + exp(2*u))', 'max(u, 2*u) + softplus(3*u - 2*max(u, 2*u))'],
    ['sqrt(u^2 + 1) - u', '(sqrt(u^2 + 1) - u*(1 - 2*heaviside(u)))^(1 - 2*heaviside(u))'],
  ];
  for (const [written, stable] of cases) {
    it(`${written} → ${stable}, the same values where both are finite`, () => {
      const e = parse(written);
      expect(stableForm(e)).toBe(parse(stable));
      for (const u of [-3, -0.5, 0, 0.25, 2]) {
        const a = evaluate(parse(stable), { u });
        // the interpreter evaluates the written form through the stable one
        expect(evaluate(e, { u })).toBe(a);
        const direct = (() => {
          // the written form in plain floats, to check the identity itself
          const env = new Map([['u', u]]);
          let v = 0;
          for (const node of [e]) v = evaluatePlain(node, env);
          return v;
        })();
        expect(Math.abs(direct - a)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
      }
    });
  }

  it('keep digits and stay finite where the written forms overflow or cancel', () => {
    expect(evaluate(parse('log(1 + exp(u))'), { u: 1000 })).toBe(1000);
    expect(evaluate(parse('log(sigmoid(u))'), { u: -1000 })).toBe(-1000);
    expect(evaluate(parse('log(1 - sigmoid(u))'), { u: 200 })).toBe(-200);
    expect(evaluate(parse('exp(u)/(1 + exp(u))'), { u: 1000 })).toBe(1);
    const sech2 = 1 / Math.cosh(19) ** 2;
    expect(evaluate(parse('1 - tanh(u)^2'), { u: 19 }) / sech2).toBeCloseTo(1, 12);
    for (const text of ['exp(u)/(1 + exp(u))', 'log(1 + exp(u))', '1 - tanh(u)^2']) {
      const d = diff(parse(text), 'u');
      for (const u of [-1000, 1000]) expect(Number.isFinite(evaluate(d, { u }))).toBe(true);
    }
  });
});

/** The written form evaluated node by node with plain Math (no stable forms). */
function evaluatePlain(e: ReturnType<typeof parse>, env: Map<string, number>): number {
  const f = new Function('u', `return ${jsOf(e)};`) as (u: number) => number;
  return f(env.get('u')!);
}

function jsOf(e: ReturnType<typeof parse>): string {
  const a = e.args.map(jsOf);
  switch (e.op) {
    case 'num':
      return `(${Number(e.value!.num) / Number(e.value!.den)})`;
    case 'sym':
      return e.name!;
    case 'add':
      return `(${a.join(' + ')})`;
    case 'mul':
      return `(${a.join(' * ')})`;
    case 'pow':
      return `(${a[0]} ** ${a[1]})`;
    case 'sigmoid':
      return `(1 / (1 + Math.exp(-${a[0]})))`;
    case 'softplus':
      return `Math.log(1 + Math.exp(${a[0]}))`;
    default:
      return `Math.${e.op}(${a.join(', ')})`;
  }
}

// The audit's forms: log cosh, log-sum-exp (and the softmax quotients of its derivatives),
// √(t² + c) ± t. Each is an identity with the same domain: equal to the written form at
// ordinary points, NaN exactly where the written form is, and not applied where it is not one.
describe('stable forms for log cosh, log-sum-exp and √(t² + c) ± t', () => {
  const inner = arbSafeExpr({ variables: ['x', 'y'], maxDepth: 2 });
  const point = arbPoint(['x', 'y']);
  /** |a − b| within `rel` of the scale, where the written form is a moderate float. */
  const agree = (stable: number, plain: number, scale: number): boolean =>
    !Number.isFinite(plain) ||
    Math.abs(plain) > 1e12 ||
    Math.abs(stable - plain) <= 1e-12 * Math.max(1, scale);

  it('equal the written forms at ordinary points (random inner expressions)', () => {
    fc.assert(
      fc.property(inner, inner, point, fc.constantFrom(1, 2, 5), (u, v, at, c) => {
        const a = evaluate(u, at);
        const b = evaluate(v, at);
        if (!(Math.abs(a) < 300 && Math.abs(b) < 300)) return;
        const checks: Array<[Expr, number, number]> = [
          [log(cosh(u)), Math.log(Math.cosh(a)), Math.abs(a)],
          [
            log(add(exp(u), exp(v))),
            Math.log(Math.exp(a) + Math.exp(b)),
            Math.abs(a) + Math.abs(b),
          ],
          [
            log(add(c, mul(3, exp(u)), exp(v))),
            Math.log(c + 3 * Math.exp(a) + Math.exp(b)),
            Math.abs(a) + Math.abs(b),
          ],
          [sub(sqrt(add(pow(u, 2), c)), u), Math.sqrt(a * a + c) - a, Math.abs(a)],
          [add(sqrt(add(pow(u, 2), c)), u), Math.sqrt(a * a + c) + a, Math.abs(a)],
          [
            div(add(exp(u), mul(2, exp(v))), add(exp(u), exp(v), c)),
            (Math.exp(a) + 2 * Math.exp(b)) / (Math.exp(a) + Math.exp(b) + c),
            Math.abs(a) + Math.abs(b),
          ],
        ];
        for (const [e, plain, scale] of checks) {
          expect(agree(evaluate(e, at), plain, scale)).toBe(true);
          expect(stableForm(stableForm(e))).toBe(stableForm(e));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('are applied to these shapes', () => {
    for (const text of [
      'log(cosh(x))',
      'log(exp(x) + exp(y))',
      'log(2 + exp(x))',
      'log(1 + exp(x) + exp(-x))',
      '(exp(x) + 2*exp(2*x))/(exp(x) + exp(2*x))',
      'sqrt(x^2 + 1) - x',
      'sqrt(4*x^2 + 3) - 2*x + y',
    ]) {
      expect(stableForm(text), text).not.toBe(parse(text));
    }
  });

  it('are not applied where they would not be identities with the same domain', () => {
    for (const text of [
      'log(exp(2*x) - exp(x))', // a negative coefficient: the sum can be ≤ 0
      'log(y*exp(x) + exp(2*x))', // a symbolic coefficient
      'log(exp(x) + x)', // a term that is not an exponential
      'sqrt(x^2 - 1) - x', // c < 0: the domain is |x| ≥ 1
      'sqrt(x^2 + y) - x', // c not a number
      'sqrt(x^2 + 1) - 2*x', // not a multiple of the root's own term
      'sqrt(x^2 + 1) + abs(x)', // never cancels
    ]) {
      expect(stableForm(text), text).toBe(parse(text));
    }
  });

  it('keep the domain of the inner expressions: NaN stays NaN, values stay values', () => {
    const cases = [
      'log(cosh(sqrt(x)))',
      'log(exp(sqrt(x)) + exp(log(x)))',
      'log(1 + exp(acosh(x)) + exp(-x))',
      'sqrt(log(x)^2 + 1) - log(x)',
      'exp(sqrt(x))/(exp(sqrt(x)) + exp(x))',
    ];
    for (const text of cases) {
      for (const t of [-1, -1e-300, 0.5, 2]) {
        const written = evaluatePlainX(parse(text), t);
        const stable = evaluate(text, { x: t });
        expect(Number.isNaN(stable), `${text} at ${t}`).toBe(Number.isNaN(written));
        if (!Number.isNaN(written)) expect(stable).toBeCloseTo(written, 12);
      }
    }
  });
});

/** The written form in plain Math, at x (no stable forms). */
function evaluatePlainX(e: Expr, x: number): number {
  const f = new Function('x', `return ${jsOf(e)};`) as (x: number) => number;
  return f(x);
}
